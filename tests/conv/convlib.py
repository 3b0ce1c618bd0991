"""Helpers of the conversation tests: unixcap runs, the programs' own record of their bytes
(curl --trace, strace -xx), and the byte-exact comparison of --raw output with it."""
import json
import os
import re
import signal
import subprocess
import sys
import time

SKIP = 77


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Capture:
    """A unixcap process, started and waited for until it says it is listening."""

    def __init__(self, unixcap, args, tmp, name):
        self.name = name
        self.out_path = os.path.join(tmp, name + ".out")
        self.err_path = os.path.join(tmp, name + ".err")
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        self.proc = subprocess.Popen([unixcap] + args, stdout=self.out, stderr=self.err)

    def wait_listening(self, deadline):
        while time.monotonic() < deadline:
            if b"listening on" in open(self.err_path, "rb").read():
                return
            if self.proc.poll() is not None:
                raise Failure(f"{self.name}: unixcap exited: {self.stderr()[:400]}")
            time.sleep(0.05)
        raise Failure(f"{self.name}: unixcap did not start listening")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure(f"{self.name}: unixcap did not exit after SIGINT")
        self.out.close()
        self.err.close()
        return rc

    def stdout(self):
        return open(self.out_path, "rb").read()

    def stderr(self):
        return open(self.err_path, "rb").read().decode(errors="replace")


def start_all(captures, timeout=60):
    deadline = time.monotonic() + timeout
    for c in captures:
        c.wait_listening(deadline)


def run(cmd, what, ok=(0,)):
    p = subprocess.run(cmd, capture_output=True, timeout=60)
    if p.returncode not in ok:
        raise Failure(f"{what}: exit {p.returncode}: {p.stderr.decode(errors='replace')[:400]}")
    return p


def conversations(unixcap, capfile, *args):
    p = run([unixcap, "conversations", "-r", capfile, "--json"] + list(args), "conversations")
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


def curl_trace(path):
    """Bytes curl sent and received, from its --trace file (hex lines, 16 bytes each)."""
    sent, recv = bytearray(), bytearray()
    cur = None
    for line in open(path, encoding="latin-1"):
        if line.startswith("=> Send"):
            cur = sent if "SSL" not in line else None
        elif line.startswith("<= Recv"):
            cur = recv if "SSL" not in line else None
        elif line.startswith("=="):
            cur = None
        elif cur is not None and re.match(r"^[0-9a-f]{4}: ", line):
            cur += bytes.fromhex(line[6:6 + 48].replace(" ", ""))
    return bytes(sent), bytes(recv)


_SEND = {"write", "sendto", "send", "sendmsg", "writev"}
_RECV = {"read", "recvfrom", "recv", "recvmsg", "readv"}
_STR = re.compile(r'"((?:\\x[0-9a-f]{2})*)"')
_IOV = re.compile(r'iov_base="((?:\\x[0-9a-f]{2})*)"')


def _unhex(s):
    return bytes.fromhex(s.replace("\\x", ""))


def strace_bytes(path, inode):
    """Bytes moved on the socket with this inode, from `strace -yy -xx -s BIG` (one process,
    no -f): (sent, received), each the concatenation of what the calls returned."""
    sent, recv = bytearray(), bytearray()
    pat = re.compile(r"^(\w+)\(\d+<UNIX-[A-Z]+:\[" + str(inode) + r"[\]\-,]")
    for line in open(path, encoding="latin-1"):
        m = pat.match(line)
        if not m or m.group(1) not in _SEND | _RECV:
            continue
        ret = re.search(r"\) = (-?\d+)", line)
        if not ret or int(ret.group(1)) <= 0:
            continue
        n = int(ret.group(1))
        call = m.group(1)
        parts = _IOV.findall(line) if call in ("sendmsg", "recvmsg", "writev", "readv") \
            else _STR.findall(line)[:1]
        data = b"".join(_unhex(p) for p in parts)[:n]
        check(len(data) == n, f"strace line shows {len(data)} of {n} bytes: {line[:120]}")
        (sent if call in _SEND else recv).extend(data)
    return bytes(sent), bytes(recv)


def read_gaps(rawdir):
    path = os.path.join(rawdir, "gaps.txt")
    gaps = []
    if os.path.exists(path):
        for line in open(path):
            side, off, n, _reason = line.split(" ", 3)
            gaps.append((side, int(off), int(n)))
    return gaps


def compare_raw(rawdir, truth, what, expect_gaps=False):
    """client.bin/server.bin against the programs' own bytes: byte-exact, except the
    ranges gaps.txt lists, which must be zeros and must be all that differs."""
    gaps = read_gaps(rawdir)
    check(bool(gaps) == expect_gaps,
          f"{what}: gaps.txt {'missing' if expect_gaps else 'present: ' + str(gaps)}")
    for side in ("client", "server"):
        path = os.path.join(rawdir, side + ".bin")
        got = open(path, "rb").read()
        want = truth[side]
        check(os.stat(path).st_mode & 0o777 == 0o600, f"{what}: {path} is not mode 0600")
        check(len(got) == len(want), f"{what}: {side}.bin has {len(got)} bytes, the program "
              f"{'sent' if side == 'client' else 'received'} {len(want)}")
        mask = bytearray(len(want))
        for s, off, n in gaps:
            if s == side:
                check(off + n <= len(want), f"{what}: gap {s} {off} {n} beyond the data")
                check(got[off:off + n] == bytes(n), f"{what}: gap {s} {off} {n} not zero-filled")
                for i in range(off, off + n):
                    mask[i] = 1
        for i, (a, b) in enumerate(zip(got, want)):
            if a != b and not mask[i]:
                raise Failure(f"{what}: {side}.bin differs at offset {i} "
                              f"(0x{a:02x}, the program had 0x{b:02x})")
    return gaps


def main(fn):
    """Runs a test body fn() -> list of 'ok' lines; prints verdicts, exits 0/1/77."""
    try:
        for line in fn():
            print("ok", line)
    except Failure as e:
        print("FAIL", e)
        sys.exit(1)
    except SkipTest as e:
        print("skip:", e)
        sys.exit(SKIP)
    sys.exit(0)


class SkipTest(Exception):
    pass
