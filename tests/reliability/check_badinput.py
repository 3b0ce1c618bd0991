"""Every option with a wrong value: one line on stderr naming the problem, nothing on
stdout, exit 2, and nothing loaded or created."""

import os
import struct
import subprocess


def _pcap(linktype, packets=()):
    head = struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, linktype)
    body = b"".join(struct.pack("<IIII", 1, 0, len(p), len(p)) + p for p in packets)
    return head + body


def cases(ctx):
    garbage = ctx.path("garbage.pcapng")
    with open(garbage, "wb") as f:
        f.write(os.urandom(4096))
    empty = ctx.path("empty.pcap")
    open(empty, "wb").close()
    ether = ctx.path("ether.pcap")
    with open(ether, "wb") as f:
        f.write(_pcap(1, [b"\0" * 60]))
    short = ctx.path("short.pcap")  # a unixcap link type, but a packet shorter than its header
    with open(short, "wb") as f:
        f.write(_pcap(147, [b"\1" + b"\0" * 40]))
    zst = ctx.path("bad.pcapng.zst")
    with open(zst, "wb") as f:
        f.write(b"\x28\xb5\x2f\xfd" + os.urandom(200))
    unreadable = ctx.path("unreadable.pcapng")
    open(unreadable, "wb").close()
    os.chmod(unreadable, 0)
    dead_pid = 4194000
    while os.path.exists("/proc/%d" % dead_pid):
        dead_pid += 1
    return [
        (["--backend", "ebpf2"], "unknown backend"),
        (["--sock", "0xzz"], "bad socket address"),
        (["--sock", "0"], "bad socket address"),
        (["--path", "/" + "x" * 200], "bad path"),
        (["--path", "@\\xZZ"], "bad path"),
        (["-s", "-1"], "bad snaplen"),
        (["-s", "99999999999"], "bad snaplen"),
        (["-B", "99999999"], "bad buffer size"),
        (["-B", "1000"], "bad buffer size"),
        (["-n", "(unclosed"], "bad regex"),
        (["-p", "0"], "bad pid"),
        (["-p", "1,,2"], "bad pid"),
        (["-p", str(dead_pid)], "no such process"),
        (["-t", "-4"], "bad thread"),
        (["--type", "raw"], "unknown socket type"),
        (["-c", "0"], "bad count"),
        (["-d", "-5"], "bad duration"),
        (["-d", "abc"], "bad duration"),
        (["-F", "erf"], "unknown file format"),
        (["--linktype", "1"], "bad link type"),
        (["-w", ctx.path("x.pcapng"), "-C", "0"], "bad file size"),
        (["-w", ctx.path("x.pcapng"), "-G", "-1"], "bad rotation interval"),
        (["-w", ctx.path("x.pcapng"), "-W", "0"], "bad file count"),
        (["-W", "2"], "needs -w"),
        (["-Z", "no-such-user-here"], "unknown user"),
        (["-Z", "nobody", "-r", garbage], "-Z is for live captures"),
        (["--bogus"], "unknown option"),
        (["-s"], "needs a value"),
        (["stray"], "unexpected argument"),
        (["-r", ctx.path("missing.pcapng")], "No such file"),
        (["-r", unreadable], "Permission denied"),
        (["-r", ctx.work], "not a readable"),
        (["-r", garbage], "not a readable"),
        (["-r", empty], "not a readable"),
        (["-r", ether], "link type 1"),
        (["-r", short], "packet 1"),
        (["-r", zst], "not a readable"),
    ]


def check_badinput(ctx, problems):
    todo = cases(ctx)
    before = set(os.listdir(ctx.work))
    for args, want in todo:
        # As nobody for the unreadable file: root reads anything.
        pre = ["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"] \
            if "unreadable" in " ".join(args) else []
        r = subprocess.run(pre + [ctx.unixcap] + args, capture_output=True, text=True,
                           timeout=30)
        lines = r.stderr.splitlines()
        ok = (r.returncode == 2 and len(lines) == 1 and lines[0].startswith("unixcap: ")
              and want.lower() in lines[0].lower() and r.stdout == "")
        problems.check(ok, "%s: want exit 2 and one line with %r; got %d, stderr %r, stdout %r"
                       % (" ".join(args), want, r.returncode, r.stderr, r.stdout[:200]))
    created = set(os.listdir(ctx.work)) - before
    problems.check(not created, "bad options created files: %s" % sorted(created))
