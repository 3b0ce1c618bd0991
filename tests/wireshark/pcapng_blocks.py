"""A minimal pcapng block walker: enough to check what unixcap writes without trusting a
reader that repairs or hides damage. Little-endian sections only (unixcap writes no other)."""

import struct

SHB, IDB, EPB, ISB = 0x0A0D0D0A, 1, 6, 5


def options(body):
    """(code, value) pairs of an option list, stopping at opt_endofopt."""
    out = []
    off = 0
    while off + 4 <= len(body):
        code, n = struct.unpack_from("<HH", body, off)
        if code == 0:
            break
        out.append((code, body[off + 4:off + 4 + n]))
        off += 4 + n + (-n % 4)
    return out


def walk(data):
    """Returns (complete blocks, offset where the first incomplete block starts or len).
    Each block is a dict: type, offset, size, and the decoded fields unixcap uses."""
    blocks = []
    off = 0
    while off + 12 <= len(data):
        btype, size = struct.unpack_from("<II", data, off)
        if size < 12 or size % 4 or off + size > len(data):
            break
        (trailer,) = struct.unpack_from("<I", data, off + size - 4)
        if trailer != size:
            raise ValueError("block at %d: trailing length %d != %d" % (off, trailer, size))
        body = data[off + 8:off + size - 4]
        b = {"type": btype, "offset": off, "size": size}
        if btype == SHB:
            magic, major, minor = struct.unpack_from("<IHH", body, 0)
            if magic != 0x1A2B3C4D:
                raise ValueError("SHB at %d is not little-endian" % off)
            b["version"] = (major, minor)
            b["options"] = dict(options(body[16:]))
        elif btype == IDB:
            b["linktype"], _, b["snaplen"] = struct.unpack_from("<HHI", body, 0)
            b["options"] = dict(options(body[8:]))
        elif btype == EPB:
            ifid, hi, lo, caplen, orig = struct.unpack_from("<IIIII", body, 0)
            b.update(ifid=ifid, ts=(hi << 32) | lo, caplen=caplen, orig=orig)
            b["packet"] = body[20:20 + caplen]
            b["options"] = options(body[20 + caplen + (-caplen % 4):])
        elif btype == ISB:
            b["options"] = dict(options(body[12:]))
        blocks.append(b)
        off += size
    return blocks, off


def u64(v):
    return struct.unpack("<Q", v)[0]
