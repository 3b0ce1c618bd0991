#!/usr/bin/env python3
"""
check_wireshark - capture real traffic with unixcap into capture files and check them with
tshark and the Lua dissector, with unixcap -r, zstd and a real dbus-daemon.

Usage: check_wireshark.py --unixcap PATH --unixgen PATH --lua PATH [--checks A,B]
                          [--keep DIR] [--cell NAME=ROOTDIR,user|root,script|ignored ...]

Checks (all by default):
  fields    unixgen traffic to pcapng; every unixcap.* field, the payload bytes, the info
            column and the pcapng blocks (SHB/IDB/EPB/ISB) against the generator's log
  readback  the same capture through unixcap -r: identical to what was printed live, with
            filters; then -F pcap the same way
  zstd      -w FILE.zst and -z: valid for zstd -t, tshark and unixcap -r
  rotation  -C sizes and names, -C with -W ring, -G with -W stopping by itself
  kill      SIGKILL mid-capture and a file cut mid-packet: every complete packet is read
  dbus      a real dbus-daemon and dbus-send: Wireshark's D-Bus dissector names the members
  http      an HTTP exchange on a docker.sock path decodes as HTTP
  pcap      -F pcap (classic, nanosecond) through tshark
  filters   -Y on unixcap.pid, unixcap.fd.name contains "memfd", unixcap.type select the
            right frames; no Lua error, malformed packet or error expert item in any capture
  userdlt   the http capture decoded with no Lua at all, through Wireshark's User DLTs table
  pipe      unixcap -w - | tshark -i -: packets arrive live; unixcap ends when tshark does

With --cell (tests/wireshark/matrix.sh), every check runs once per cell, each cell a Debian
chroot's tshark run as an unprivileged user or as root; each capture is made once and judged
by every cell.

Prints "ok NAME" or "FAIL NAME: reason" per check, then a count. Exit 0 iff all passed;
77 when tshark is not installed (the one thing that makes the test meaningless).
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapng_blocks as pb  # noqa: E402

HEADER_LEN = 392
MAX_PACKET = 262144
FNV_OFFSET, FNV_PRIME = 0xCBF29CE484222325, 0x100000001B3

FIELDS = [
    "frame.number", "frame.comment", "_ws.col.Info", "frame.packet_flags_direction",
    "frame.packet_id", "unixcap.msg_id", "unixcap.pid", "unixcap.tid", "unixcap.uid",
    "unixcap.gid", "unixcap.comm", "unixcap.cgroup", "unixcap.sock", "unixcap.inode",
    "unixcap.type", "unixcap.path", "unixcap.peer.sock", "unixcap.peer.inode",
    "unixcap.peer.pid", "unixcap.peer.comm", "unixcap.peer.path", "unixcap.len",
    "unixcap.flags", "unixcap.sockfd", "unixcap.n_fds", "unixcap.payload", "unixcap.malformed",
    "unixcap.fd", "unixcap.fd.name", "unixcap.fd.peer", "unixcap.fd.send", "unixcap.fd.recv",
    "unixcap.creds.pid", "unixcap.creds.uid", "unixcap.creds.gid",
]
AGG = "\x1f"  # between repeated values: fd names may hold commas
F_RECEIVE = 0x40


class Fail(Exception):
    pass


def fnv(data):
    h = FNV_OFFSET
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


NOBODY = 65534


class Cell:
    """One cell of the Wireshark matrix: a Debian chroot holding that release's tshark, run
    as root or as an unprivileged user. Spec: NAME=ROOTDIR,user or NAME=ROOTDIR,root,LUA where
    LUA says what -X lua_script: does for root in that release: "script" (it runs) or
    "ignored" (4.4 and later run no user script for the superuser). Root cells decode with the
    plugin installed in the chroot's global Lua plugin directory, as the package installs it;
    user cells with -X lua_script:, as the README shows. A last ",no-pipe" leaves out the pipe
    check: tshark 3.4 reads pcapng from a pipe unreliably when blocks arrive a few at a time (it
    stops after one empty packet about one run in three, fed by a plain script as well), which
    Wireshark fixed later; the table shows such a cell as n/a, never as passed."""

    def __init__(self, spec):
        try:
            self.name, rest = spec.split("=", 1)
            parts = rest.split(",")
            self.root, self.who = parts[0], parts[1]
            self.skip = {"pipe"} if parts[-1] == "no-pipe" else set()
            if self.skip:
                parts = parts[:-1]
            self.root_script = parts[2] if self.who == "root" else None
        except (ValueError, IndexError):
            raise SystemExit("bad --cell %r (NAME=ROOTDIR,user or NAME=ROOTDIR,root,script|ignored)"
                             % spec)
        if self.who not in ("user", "root") or \
                self.root_script not in (None, "script", "ignored"):
            raise SystemExit("bad --cell %r" % spec)
        self.user = self.who == "user"
        self.plugin = None  # the installed plugin's path outside the chroot, while installed
        self.escapes = False
        self.reads_zstd = True
        self.fields = set()

    def __str__(self):
        return self.name


class Ctx:
    def __init__(self, args, work):
        self.unixcap = args.unixcap
        self.unixgen = args.unixgen
        self.lua = os.path.abspath(args.lua)
        self.work = work
        self.cell = None
        # Captures made by the first cell that asks, reused by the others: every Wireshark
        # judges the same files, and the matrix costs one capture per check, not one per cell.
        self.memo = {}
        self.notes = set()  # what a cell's Wireshark could not do, for the summary
        # Fresh Wireshark profile: no user preferences or plugins leak into the result.
        self.env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(work, "xdg"), LC_ALL="C.UTF-8")
        os.makedirs(self.env["XDG_CONFIG_HOME"], exist_ok=True)

    def path(self, name):
        return os.path.join(self.work, name)

    def once(self, key, fn):
        if key not in self.memo:
            self.memo[key] = fn()
        return self.memo[key]

    def tshark_argv(self, args, lua=True):
        """tshark with ARGS as the current cell runs it (this machine's tshark without one).
        In a cell, tshark runs chrooted in a private mount namespace where the work directory
        is bound at the same path (so no path needs translating) and /proc is mounted (setpriv
        needs it); both mounts vanish with the process."""
        c = self.cell
        if c is None:
            return ["tshark"] + (["-X", "lua_script:" + self.lua] if lua else []) + list(args)
        script = lua and c.user
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                'mount --bind "$0" "$1$0" && mount -t proc proc "$1/proc" && '
                'r=$1 && shift && exec chroot "$r" "$@"', self.work, c.root]
        if c.user:
            argv += ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"]
        home = self.path("home-" + c.who)
        argv += ["env", "HOME=" + home, "XDG_CONFIG_HOME=" + os.path.join(home, "xdg"),
                 "LC_ALL=C.UTF-8", "tshark"]
        if script:
            argv += ["-X", "lua_script:" + self.path("unixcap.lua")]
        return argv + list(args)

    def readable(self, f):
        """Capture files are 0600 root: hand the file to the cell's user, as a user who
        captured it would own it (the mode stays 0600)."""
        if self.cell is not None and self.cell.user and os.path.exists(f):
            os.chown(f, NOBODY, NOBODY)

    def stderr_problem(self, text):
        # Debian's tshark warns about running as root. forky's Falco plugin cannot load while
        # its library is uninstallable there (an unrelated transition); nothing else may appear.
        return "".join(l for l in text.splitlines(True)
                       if not l.startswith("Running as user")
                       and "Couldn't load plugin 'falco-events.so'" not in l)

    def tshark(self, capfile, fields=None, extra=(), allow_cut=False, lua=True):
        """Runs tshark with the dissector (lua False: with no Lua of ours at all); returns
        rows of fields (or stdout lines)."""
        self.readable(capfile)
        cmd = ["-n", "-r", capfile] + list(extra)
        if fields:
            cmd += ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
                    "-E", "aggregator=" + AGG, "-E", "quote=n"]
            for f in fields:
                cmd += ["-e", f]
        p = subprocess.run(self.tshark_argv(cmd, lua=lua), capture_output=True, env=self.env,
                           timeout=120)
        err = self.stderr_problem(p.stderr.decode(errors="replace"))
        # A broken script still leaves tshark exiting 0: its complaint is the only sign.
        if "Lua: Error" in err or "lua_script" in err:
            raise Fail("tshark: Lua error: " + err.strip()[:300])
        cut = "cut short in the middle of a packet" in err or "appears to be damaged" in err
        if p.returncode != 0 and not (allow_cut and cut):
            raise Fail("tshark -r %s exit %d: %s" % (capfile, p.returncode, err.strip()[:300]))
        if err.strip() and not (allow_cut and cut):
            raise Fail("tshark -r %s: %s" % (capfile, err.strip()[:300]))
        out = p.stdout.decode()
        lines = [l for l in out.split("\n") if l]
        if fields:
            rows = [dict(zip(fields, l.split("\t"))) for l in lines]
            if self.cell is not None and self.cell.escapes:
                rows = [{k: v.replace("\\\\", "\\") for k, v in r.items()} for r in rows]
            return rows
        return lines


class Capture:
    """unixcap running until stop(); 'listening on' on stderr means the probes are in."""

    def __init__(self, ctx, args, stdout=None):
        self.cmd = [ctx.unixcap] + args
        self.out = open(stdout, "wb") if stdout else subprocess.DEVNULL
        self.p = subprocess.Popen(self.cmd, stdout=self.out, stderr=subprocess.PIPE)
        self.err = []
        self.ready = threading.Event()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()
        # Loading the BPF programs takes seconds, far more on a loaded machine.
        if not self.ready.wait(90):
            self.p.kill()
            raise Fail("unixcap never said it was listening: %s" % "".join(self.err)[:300])

    def _read(self):
        for line in self.p.stderr:
            s = line.decode(errors="replace")
            self.err.append(s)
            if "listening on" in s:
                self.ready.set()
        self.ready.set()

    def stop(self, sig=signal.SIGINT, settle=0.3):
        time.sleep(settle)
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            rc = self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise Fail("unixcap did not exit after signal %d" % sig)
        self.t.join(5)
        if self.out is not subprocess.DEVNULL:
            self.out.close()
        return rc

    def stderr(self):
        return "".join(self.err)

    def counts(self):
        m = re.search(r"(\d+) messages captured, (\d+) dropped", self.stderr())
        if not m:
            raise Fail("no summary line on unixcap's stderr: " + self.stderr()[-300:])
        return int(m.group(1)), int(m.group(2))


# With -s under this the file holds every byte the live capture saw, so -r must print
# exactly what the live capture printed. Without -s the file's packet limit cuts more.
ROUND_TRIP_SNAPLEN = 200000


def run_unixgen(ctx, log, capture_args, stdout=None, snaplen=None):
    """Starts unixgen (sockets made, waiting), captures only its pid, lets it send.
    snaplen None: unixcap's default, which the file cuts to what fits in a packet."""
    if snaplen:
        capture_args = ["-s", str(snaplen)] + capture_args
    gen = subprocess.Popen([ctx.unixgen, "--wait-start", "--kptr-restrict", "--log", log,
                            "--snaplen", str(snaplen or MAX_PACKET - HEADER_LEN)],
                           stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    line = gen.stderr.readline().decode()
    m = re.match(r"pid=(\d+)", line)
    if not m:
        gen.kill()
        raise Fail("unixgen did not start: " + line)
    pid = int(m.group(1))
    try:
        cap = Capture(ctx, ["-p", str(pid)] + capture_args, stdout=stdout)
    except Fail:
        gen.kill()
        raise
    gen.stdin.write(b"go\n")
    gen.stdin.flush()
    gerr = gen.stderr.read().decode()
    grc = gen.wait(60)
    rc = cap.stop()
    if grc != 0:
        raise Fail("unixgen exit %d: %s" % (grc, gerr.strip()[:300]))
    if rc != 0:
        raise Fail("unixcap exit %d: %s" % (rc, cap.stderr()[-300:]))
    return pid, cap


def read_log(log, kind="send"):
    out = []
    with open(log) as f:
        for line in f:
            o = json.loads(line)
            if o["kind"] == kind and o.get("ret", 0) >= 0:
                out.append(o)
    if kind == "send" and not out:
        raise Fail("the generator logged no sends")
    return out


def multi(v):
    return v.split(AGG) if v else []


def expected_cgroup(pid_cgroup_path="/proc/self/cgroup"):
    """The cgroup v2 id (the directory's inode) of this process, or None on cgroup v1."""
    rel = None
    with open(pid_cgroup_path) as f:
        for line in f:
            if line.startswith("0::"):
                rel = line[3:].strip()
    mounts = [l.split()[1] for l in open("/proc/mounts") if l.split()[2] == "cgroup2"]
    if rel is None or not mounts:
        return None
    try:
        return os.stat(mounts[0] + rel).st_ino
    except OSError:
        return None


def hexbytes(s):
    return bytes.fromhex(s.replace(":", "")) if s else b""


def num(s):
    return int(s, 0) if s else 0


# ---- checks --------------------------------------------------------------------------------

def check_fields(ctx, problems):
    cap_file = ctx.path("fields.pcapng")
    log = ctx.path("fields.log")
    live = ctx.path("fields.live.jsonl")
    pid, cap = ctx.once("fields", lambda: run_unixgen(
        ctx, log, ["-w", cap_file, "--print", "--json"], stdout=live))
    captured, dropped = cap.counts()
    sends = read_log(log)
    passes = read_log(log, "fds")
    if not passes:
        problems.append("the generator passed no fds: the fd area goes unchecked")
    if dropped:
        raise Fail("%d messages dropped in the kernel: the comparison would be unsound" % dropped)
    if (os.stat(cap_file).st_mode & 0o777) != 0o600:
        problems.append("capture file mode %o, not 600" % (os.stat(cap_file).st_mode & 0o777))

    rows = ctx.tshark(cap_file, FIELDS)
    if len(rows) != captured:
        problems.append("tshark shows %d packets, unixcap says %d captured" % (len(rows), captured))
    cgroup = expected_cgroup()
    gen_comms = {s["comm"] for s in sends}
    used = [False] * len(sends)
    recv_used = [False] * len(passes)
    for r in rows:
        n = r["frame.number"]
        if r["unixcap.malformed"]:
            problems.append("packet %s: malformed" % n)
            continue
        if num(r["unixcap.flags"]) & F_RECEIVE:
            check_receive(r, passes, recv_used, problems)
            continue
        data = hexbytes(r["unixcap.payload"])
        tid, sock = num(r["unixcap.tid"]), num(r["unixcap.sock"])
        g = None
        for i, s in enumerate(sends):
            if used[i] or s["tid"] != tid or int(s["sock"], 16) != sock:
                continue
            if s["ret"] == num(r["unixcap.len"]) and fnv(data) == int(s["snap_hash"], 16):
                g = i
                break
        if g is None:
            problems.append("packet %s (tid %d sock %#x len %s) matches no send" %
                            (n, tid, sock, r["unixcap.len"]))
            continue
        used[g] = True
        s = sends[g]
        desc = "packet %s (%s %s #%d)" % (n, s["scenario"], s["call"], g)

        def want(field, got, exp):
            if got != exp:
                problems.append("%s: %s is %r, expected %r" % (desc, field, got, exp))

        want("pid", num(r["unixcap.pid"]), s["pid"])
        want("uid", num(r["unixcap.uid"]), os.getuid())
        want("gid", num(r["unixcap.gid"]), os.getgid())
        want("comm", r["unixcap.comm"], s["comm"])
        want("type", r["unixcap.type"], {"stream": "1", "dgram": "2", "seqpacket": "5"}[s["type"]])
        want("inode", num(r["unixcap.inode"]), s["inode"])
        want("path", r["unixcap.path"], s["path"])
        want("peer.path", r["unixcap.peer.path"], s["peer_path"])
        # A datagram's unseen receiver is said (peer-unknown, 0x800), never left at 0 silently.
        peer_unknown = bool(num(r["unixcap.flags"]) & 0x800)
        if s["peer_inode"] and not (s["dest"] and num(r["unixcap.peer.sock"]) == 0
                                    and peer_unknown):
            want("peer.sock", num(r["unixcap.peer.sock"]), int(s["peer_sock"], 16))
            want("peer.inode", num(r["unixcap.peer.inode"]), s["peer_inode"])
        # Both ends live in the generator: a known peer is the generator itself; but
        # peer_gone's peer is a child that exits right after it received, named ugen-peer.
        ppid = num(r["unixcap.peer.pid"])
        if s["scenario"] == "peer_gone":
            if ppid in (0, pid) or r["unixcap.peer.comm"] != "ugen-peer":
                problems.append("%s: peer %d/%r, expected the child ugen-peer" %
                                (desc, ppid, r["unixcap.peer.comm"]))
        elif ppid not in (0, pid):
            problems.append("%s: peer.pid %d is not the generator (%d)" % (desc, ppid, pid))
        elif ppid and r["unixcap.peer.comm"] not in gen_comms | {"unixgen"}:
            problems.append("%s: peer.comm %r" % (desc, r["unixcap.peer.comm"]))
        if s["type"] == "stream" and s["peer_inode"] and ppid != pid:
            problems.append("%s: connected stream without the peer's pid" % desc)
        want("len", num(r["unixcap.len"]), s["ret"])
        want("payload length", len(data), s["snap_len"])
        truncated = bool(num(r["unixcap.flags"]) & 0x10000)
        want("truncated flag", truncated, s["snap_len"] < s["ret"])
        want("sockfd", num(r["unixcap.sockfd"]), s["fd"])
        fp = [p for p in passes if p["send_tid"] == tid and p["send_inode"] == s["inode"]
              and int(p["hash"], 16) == int(s["hash"], 16)]
        if fp:
            fds = fp[0]["fds"]
            want("fd", [int(x) for x in multi(r["unixcap.fd"])], [f["fd"] for f in fds])
            want("fd.name", multi(r["unixcap.fd.name"]), [f["name"] for f in fds])
            want("fd.send", [int(x) for x in multi(r["unixcap.fd.send"])], [f["fd"] for f in fds])
            creds = fp[0].get("creds")
            got = [num(r["unixcap.creds." + k]) if r["unixcap.creds." + k] else None
                   for k in ("pid", "uid", "gid")]
            want("creds", got, [creds["pid"], creds["uid"], creds["gid"]] if creds
                 else [None, None, None])
        elif r["unixcap.fd"] or r["unixcap.creds.pid"]:
            problems.append("%s: fds or creds where none were passed" % desc)
        if cgroup is not None:
            want("cgroup", num(r["unixcap.cgroup"]), cgroup)
        elif not num(r["unixcap.cgroup"]):
            problems.append("%s: cgroup is 0" % desc)
        want("direction (epb_flags)", num(r["frame.packet_flags_direction"]), 2)
        want("packet id", r["frame.packet_id"], r["unixcap.msg_id"])
        # The comment is the console's summary line; the info column is the same minus time.
        comment = r["frame.comment"]
        text = comment.split(" ", 1)[1] if " " in comment else ""
        if not text or not r["_ws.col.Info"].startswith(text):
            problems.append("%s: info %r does not start with the comment %r" %
                            (desc, r["_ws.col.Info"], comment))
    missing = [i for i, u in enumerate(used) if not u]
    for i in missing[:10]:
        problems.append("send not in the capture: %s %s #%d len %d" %
                        (sends[i]["scenario"], sends[i]["call"], i, sends[i]["ret"]))
    for i, p in enumerate(passes):
        if p["fds"] and not recv_used[i]:
            problems.append("receive of %d fds (%s) not in the capture" % (len(p["fds"]), p["hash"]))
    if len({num(r["unixcap.cgroup"]) for r in rows}) > 1:
        problems.append("one process, several cgroup ids")

    # The blocks themselves, as another tool would see them.
    blocks, end = pb.walk(open(cap_file, "rb").read())
    if end != os.path.getsize(cap_file):
        problems.append("trailing bytes after block %d" % len(blocks))
    types = [b["type"] for b in blocks]
    if types[:2] != [pb.SHB, pb.IDB] or types[-1] != pb.ISB or \
            types[2:-1] != [pb.EPB] * (len(types) - 3):
        problems.append("block order is not SHB IDB EPB... ISB")
        return
    shb, idb, isb = blocks[0], blocks[1], blocks[-1]
    if not shb["options"].get(4, b"").startswith(b"unixcap "):
        problems.append("shb_userappl %r" % shb["options"].get(4))
    if not shb["options"].get(3, b"").startswith(os.uname().sysname.encode()):
        problems.append("shb_os %r" % shb["options"].get(3))
    if idb["linktype"] != 147 or idb["snaplen"] != MAX_PACKET:
        problems.append("IDB linktype %d snaplen %d" % (idb["linktype"], idb["snaplen"]))
    if idb["options"].get(2) != b"unixcap" or not idb["options"].get(3) or \
            idb["options"].get(9) != b"\x09":
        problems.append("IDB options %r" % idb["options"])
    if pb.u64(isb["options"].get(5, b"\xff" * 8)) != dropped:
        problems.append("isb_ifdrop %r, unixcap said %d dropped" % (isb["options"].get(5), dropped))
    if pb.u64(isb["options"].get(4, b"\0" * 8)) != captured + dropped:
        problems.append("isb_ifrecv %r" % isb["options"].get(4))
    for b in blocks[2:-1]:
        if b["orig"] < b["caplen"] or b["caplen"] > MAX_PACKET:
            problems.append("EPB at %d: caplen %d orig %d" % (b["offset"], b["caplen"], b["orig"]))
            break
    # epb_processid_threadid (code 8): exactly 8 bytes, the header's pid and tid (bytes
    # 16..23 of the link-type header), once on every EPB.
    for b in blocks[2:-1]:
        got = [v for c, v in b["options"] if c == 8]
        want = b["packet"][16:24]
        if got != [want]:
            problems.append("EPB at %d: process/thread id option %r, header says %r" %
                            (b["offset"], got, want))
            break


def check_receive(r, passes, used, problems):
    """A receive event: the files the receiver got, against the generator's fds record."""
    tid, inode = num(r["unixcap.tid"]), num(r["unixcap.inode"])
    for i, p in enumerate(passes):
        if used[i] or p["recv_tid"] != tid or p["recv_inode"] != inode or not p["fds"]:
            continue
        used[i] = True
        desc = "packet %s (receive of %s)" % (r["frame.number"], p["hash"])
        checks = [
            ("comm", r["unixcap.comm"], p["recv_comm"]),
            ("sockfd", num(r["unixcap.sockfd"]), p["recv_fd"]),
            ("fd", [int(x) for x in multi(r["unixcap.fd"])], [f["recv_fd"] for f in p["fds"]]),
            ("fd.recv", [int(x) for x in multi(r["unixcap.fd.recv"])],
             [f["recv_fd"] for f in p["fds"]]),
            ("fd.name", multi(r["unixcap.fd.name"]), [f["name"] for f in p["fds"]]),
        ]
        # The sender's numbers are known once the receive is linked to its send.
        peers = [int(x) for x in multi(r["unixcap.fd.peer"])]
        if any(x >= 0 for x in peers):
            checks.append(("fd.peer", peers, [f["fd"] for f in p["fds"]]))
        for field, got, exp in checks:
            if got != exp:
                problems.append("%s: %s is %r, expected %r" % (desc, field, got, exp))
        return
    problems.append("packet %s: a receive of fds the generator did not log" % r["frame.number"])


def unixcap_r(ctx, args, out=None):
    p = subprocess.run([ctx.unixcap] + args, capture_output=True, timeout=120)
    if out is not None:
        out.append(p.stderr.decode(errors="replace"))
    return p.returncode, p.stdout.decode(errors="replace")


def check_readback(ctx, problems):
    cap_file = ctx.path("rb.pcapng")
    live = ctx.path("rb.live.jsonl")
    run_unixgen(ctx, ctx.path("rb.log"), ["-w", cap_file, "--print", "--json"], stdout=live,
                snaplen=ROUND_TRIP_SNAPLEN)
    live_lines = open(live).read()
    rc, out = unixcap_r(ctx, ["-r", cap_file, "--json"])
    if rc != 0 or out != live_lines:
        problems.append("-r --json differs from the live --json output (exit %d, %d vs %d lines)"
                        % (rc, out.count("\n"), live_lines.count("\n")))
    dgram = "".join(l + "\n" for l in live_lines.split("\n") if '"type":"dgram"' in l)
    rc, out = unixcap_r(ctx, ["-r", cap_file, "--json", "--type", "dgram"])
    if rc != 0 or out != dgram or not dgram:
        problems.append("-r --type dgram: %d lines, expected %d" % (out.count("\n"), dgram.count("\n")))
    for mode in ([], ["-X"], ["-x"], ["-A"]):
        rc, out = unixcap_r(ctx, ["-r", cap_file] + mode)
        if rc != 0 or not out:
            problems.append("-r %s: exit %d" % (" ".join(mode), rc))
    # -w from -r, and stdin: the same messages again.
    again = ctx.path("again.pcapng")
    rc, _ = unixcap_r(ctx, ["-r", cap_file, "-w", again])
    with open(again, "rb") as f:
        p = subprocess.run([ctx.unixcap, "-r", "-", "--json"], stdin=f, capture_output=True)
    if rc != 0 or p.stdout.decode() != live_lines:
        problems.append("-r FILE -w FILE2, then -r - < FILE2 differs")
    # Bad input: one line, non-zero exit, no crash.
    junk = ctx.path("junk")
    open(junk, "wb").write(b"\x0a\x0d\x0d\x0a" + os.urandom(200))
    for bad in (junk, ctx.path("does-not-exist"), "/dev/null"):
        errs = []
        rc, _ = unixcap_r(ctx, ["-r", bad], errs)
        if rc not in (1, 2) or errs[0].count("\n") != 1:
            problems.append("-r %s: exit %d, stderr %r" % (bad, rc, errs[0][:200]))

    check_pcap(ctx, problems)


def check_pcap(ctx, problems):
    """-F pcap: classic pcap through libpcap, the same header and messages."""
    pid_log = ctx.path("pcap.log")
    pcap_file = ctx.path("classic.pcap")
    live2 = ctx.path("classic.live.jsonl")
    _, cap = ctx.once("pcap", lambda: run_unixgen(
        ctx, pid_log, ["-w", pcap_file, "-F", "pcap", "--print", "--json"], stdout=live2,
        snaplen=ROUND_TRIP_SNAPLEN))
    n, _ = cap.counts()
    with open(pcap_file, "rb") as f:
        magic = f.read(4)
    if magic != b"\x4d\x3c\xb2\xa1":
        problems.append("-F pcap: magic %r is not nanosecond pcap" % magic)
    rows = ctx.tshark(pcap_file, ["unixcap.pid", "unixcap.malformed"])
    if len(rows) != n or any(r["unixcap.malformed"] for r in rows):
        problems.append("-F pcap: tshark shows %d good packets of %d" % (len(rows), n))
    rc, out = unixcap_r(ctx, ["-r", pcap_file, "--json"])
    if rc != 0 or out != open(live2).read():
        problems.append("-F pcap: -r --json differs from the live output")


def check_zstd(ctx, problems):
    for name, extra in (("z.pcapng.zst", []), ("z-flag.pcapng", ["-z"])):
        f = ctx.path(name)
        live = f + ".live"
        _, cap = ctx.once(name, lambda: run_unixgen(
            ctx, ctx.path(name + ".log"), ["-w", f, "--print", "--json"] + extra, stdout=live,
            snaplen=ROUND_TRIP_SNAPLEN))
        n, _ = cap.counts()
        if open(f, "rb").read(4) != b"\x28\xb5\x2f\xfd":
            problems.append("%s: not zstd" % name)
            continue
        if subprocess.run(["zstd", "-q", "-t", f]).returncode != 0:
            problems.append("%s: zstd -t fails" % name)
        plain = f + ".plain"
        subprocess.run(["zstd", "-q", "-d", "-f", f, "-o", plain], check=True)
        rows = ctx.tshark(plain, ["unixcap.pid"])
        if len(rows) != n:
            problems.append("%s: zstd -d then tshark: %d packets of %d" % (name, len(rows), n))
        # Debian's 4.0 and later read .zst themselves; 3.4 does not (it calls the file
        # unknown or damaged, depending on what its format heuristics make of the bytes).
        if ctx.cell is not None and not ctx.cell.reads_zstd:
            try:
                ctx.tshark(f, ["unixcap.pid"])
                problems.append("%s: tshark %s read .zst after all" % (name, ctx.cell.version))
            except Fail:
                ctx.notes.add("no zstd: read after zstd -d")
            continue
        rows = ctx.tshark(f, ["unixcap.pid"])
        ctx.notes.add("zstd read directly")
        if len(rows) != n:
            problems.append("%s: tshark -r .zst: %d packets of %d" % (name, len(rows), n))
        rc, out = unixcap_r(ctx, ["-r", f, "--json"])
        if rc != 0 or out != open(live).read():
            problems.append("%s: -r --json differs from the live output" % name)


def send_loop(path_or_pair, seconds, size=200, gap=0.01):
    """A child process sending datagrams on a socketpair for a while; returns it."""
    code = ("import socket,time,os\n"
            "a,b=socket.socketpair(socket.AF_UNIX,socket.SOCK_DGRAM)\n"
            "b.setblocking(False)\n"
            "print(os.getpid(),flush=True)\n"
            "input()\n"
            "end=time.time()+%f\n"
            "i=0\n"
            "while time.time()<end:\n"
            "  a.send(bytes([i%%256])*(%d+i%%50))\n"
            "  i+=1\n"
            "  try:\n"
            "    while True: b.recv(70000)\n"
            "  except BlockingIOError: pass\n"
            "  time.sleep(%f)\n" % (seconds, size, gap))
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    pid = int(p.stdout.readline())
    return p, pid


def go(p):
    p.stdin.write(b"\n")
    p.stdin.flush()


def check_rotation(ctx, problems):
    d = ctx.path("rot")
    os.makedirs(d)
    # -C: FILE, FILE1, FILE2...; a file ends once it is over the limit, never earlier.
    limit = 100 * 1024
    sender, pid = send_loop(None, 1.5, size=1000, gap=0.002)
    cap = Capture(ctx, ["-p", str(pid), "-w", d + "/c.pcapng", "-C", "100k"])
    go(sender)
    sender.wait(30)
    cap.stop()
    n, _ = cap.counts()
    files = sorted(os.listdir(d), key=lambda s: (len(s), s))
    want = ["c.pcapng"] + ["c.pcapng%d" % i for i in range(1, len(files))]
    if files != want or len(files) < 3:
        problems.append("-C: files %s" % files[:6])
    total = 0
    for i, name in enumerate(files):
        blocks, _ = pb.walk(open(os.path.join(d, name), "rb").read())
        epbs = [b for b in blocks if b["type"] == pb.EPB]
        total += len(epbs)
        if blocks[-1]["type"] != pb.ISB:
            problems.append("-C: %s has no ISB at its end" % name)
        if i < len(files) - 1 and epbs and not (epbs[-1]["offset"] <= limit < blocks[-1]["offset"]):
            problems.append("-C: %s rotated at the wrong size (last packet at %d, end %d)" %
                            (name, epbs[-1]["offset"], blocks[-1]["offset"]))
        ctx.tshark(os.path.join(d, name), ["unixcap.pid"])
    if total != n:
        problems.append("-C: %d packets in the files, %d captured" % (total, n))
    shutil.rmtree(d)

    # -C with -W: a ring of exactly COUNT files, FILE0..FILE(COUNT-1).
    os.makedirs(d)
    sender, pid = send_loop(None, 1.5, size=1000, gap=0.002)
    cap = Capture(ctx, ["-p", str(pid), "-w", d + "/r.pcapng", "-C", "100k", "-W", "3"])
    go(sender)
    sender.wait(30)
    cap.stop()
    files = sorted(os.listdir(d))
    if files != ["r.pcapng0", "r.pcapng1", "r.pcapng2"]:
        problems.append("-C -W 3: files %s" % files)
    for name in files:
        ctx.tshark(os.path.join(d, name), ["unixcap.pid"])
    shutil.rmtree(d)

    # -G with -W: a new file every second, and the capture ends by itself after COUNT.
    os.makedirs(d)
    sender, pid = send_loop(None, 8, size=100, gap=0.05)
    cap = Capture(ctx, ["-p", str(pid), "-w", d + "/g-%s.pcapng", "-G", "1", "-W", "2"])
    go(sender)
    t0 = time.time()
    try:
        rc = cap.p.wait(6)
    except subprocess.TimeoutExpired:
        rc = None
    cap.stop()
    sender.kill()
    sender.wait()
    files = sorted(os.listdir(d))
    if rc != 0:
        problems.append("-G 1 -W 2: unixcap did not end by itself (exit %s after %.1fs)" %
                        (rc, time.time() - t0))
    if len(files) != 2:
        problems.append("-G 1 -W 2: %d files %s" % (len(files), files))
    for name in files:
        if not ctx.tshark(os.path.join(d, name), ["unixcap.pid"]):
            problems.append("-G: %s holds no packet" % name)


def check_kill(ctx, problems):
    f = ctx.path("kill.pcapng")
    sender, pid = send_loop(None, 4, size=3000, gap=0.0005)
    cap = Capture(ctx, ["-p", str(pid), "-w", f])
    go(sender)
    time.sleep(1.5)
    cap.p.kill()  # SIGKILL: no trailer, no final flush
    cap.p.wait()
    sender.wait(30)
    data = open(f, "rb").read()
    blocks, end = pb.walk(data)
    epbs = [b for b in blocks if b["type"] == pb.EPB]
    if len(epbs) < 10:
        problems.append("SIGKILL: only %d packets reached the file" % len(epbs))
    rows = ctx.tshark(f, ["unixcap.pid", "unixcap.malformed"], allow_cut=True)
    if len(rows) != len(epbs) or any(r["unixcap.malformed"] for r in rows):
        problems.append("SIGKILL: tshark reads %d packets, the file holds %d complete" %
                        (len(rows), len(epbs)))
    # The same file cut inside its last packet, as a kill during a write would leave it.
    last = epbs[-1]
    cut = ctx.path("cut.pcapng")
    open(cut, "wb").write(data[:last["offset"] + last["size"] // 2])
    rows = ctx.tshark(cut, ["unixcap.pid", "unixcap.malformed"], allow_cut=True)
    if len(rows) != len(epbs) - 1 or any(r["unixcap.malformed"] for r in rows):
        problems.append("cut file: tshark reads %d packets, expected %d" % (len(rows), len(epbs) - 1))
    rc, out = unixcap_r(ctx, ["-r", cut, "--json"])
    if out.count("\n") != len(epbs) - 1 or rc == 0:
        problems.append("cut file: -r prints %d messages (exit %d), expected %d and an error" %
                        (out.count("\n"), rc, len(epbs) - 1))
    # zstd: every batch is a flushed block, so a killed writer loses only the last batch.
    z = ctx.path("kill.pcapng.zst")
    sender, pid = send_loop(None, 4, size=3000, gap=0.0005)
    cap = Capture(ctx, ["-p", str(pid), "-w", z])
    go(sender)
    time.sleep(1.5)
    cap.p.kill()
    cap.p.wait()
    sender.wait(30)
    rc, out = unixcap_r(ctx, ["-r", z, "--json"])
    if out.count("\n") < 10:
        problems.append("SIGKILL with zstd: -r reads only %d messages" % out.count("\n"))


def wait_path(path, seconds=10):
    end = time.time() + seconds
    while time.time() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return False


def capture_dbus(ctx, sock_name):
    """A dbus-send call to a private dbus-daemon, captured by its socket path."""
    bus = ctx.path(sock_name)
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                               "--address=unix:path=" + bus],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not wait_path(bus):
            raise Fail("dbus-daemon did not create %s" % bus)
        f = ctx.path(sock_name + ".pcapng")
        cap = Capture(ctx, ["--path", bus, "-w", f])
        p = subprocess.run(["dbus-send", "--bus=unix:path=" + bus, "--print-reply",
                            "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus.ListNames"],
                           capture_output=True, timeout=30)
        cap.stop()
    finally:
        daemon.terminate()
        daemon.wait(10)
    if p.returncode != 0:
        raise Fail("dbus-send: " + p.stderr.decode()[:200])
    return bus, f


def check_dbus(ctx, problems):
    if not shutil.which("dbus-daemon") or not shutil.which("dbus-send"):
        raise Fail("dbus-daemon and dbus-send are needed (Debian package dbus)")
    # Found by the built-in rule (a path naming dbus), and by the path preference.
    for sock_name, prefs in (("dbus-test-bus", []), ("plain-bus", ["pref"])):
        bus, f = ctx.once(sock_name, lambda: capture_dbus(ctx, sock_name))
        extra = ["-o", "unixcap.dissectors:%s=dbus" % bus] if prefs else []
        # Wireshark 3.4's D-Bus dissector (rewritten in 3.6) names fields differently: the
        # member is one of the header's strings there.
        member, mtype = ("dbus.member", "dbus.message_type") if has_field(ctx, "dbus.member") \
            else ("dbus.value.str", "dbus.type")
        rows = ctx.tshark(f, [member, mtype, "unixcap.pid"], extra=extra + ["-Y", "dbus"])
        members = {m for r in rows for m in multi(r[member])}
        if not {"Hello", "ListNames"} <= members:
            problems.append("%s: D-Bus members decoded %s, expected Hello and ListNames" %
                            (sock_name, sorted(members)))
        # The reply carries no member; it must decode as a method return all the same.
        types = {t for r in rows for t in multi(r[mtype])}
        if "2" not in types:
            problems.append("%s: no D-Bus method return decoded (types %s)" % (sock_name, types))
        if prefs:
            none = ctx.tshark(f, [mtype], extra=["-Y", "dbus"])
            if none:
                problems.append("plain-bus: decoded as D-Bus without the preference")


def capture_http(ctx):
    """An HTTP request and response on a docker.sock path, as the Docker API talks."""
    path = ctx.path("docker.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    f = ctx.path("http.pcapng")
    cap = Capture(ctx, ["--path", path, "-w", f])
    cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    cli.connect(path)
    conn, _ = srv.accept()
    cli.sendall(b"GET /v1.43/version HTTP/1.1\r\nHost: docker\r\n\r\n")
    conn.recv(4096)
    body = b'{"Version":"24.0"}'
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                 % (len(body), body))
    cli.recv(4096)
    cap.stop()
    for s in (cli, conn, srv):
        s.close()
    return f


def check_http(ctx, problems):
    f = ctx.once("http", lambda: capture_http(ctx))
    rows = ctx.tshark(f, ["http.request.method", "http.request.uri", "http.response.code"],
                      extra=["-Y", "http"])
    got = {(r["http.request.method"], r["http.request.uri"], r["http.response.code"]) for r in rows}
    # 4.4 and later also show the request's URI on the response.
    if ("GET", "/v1.43/version", "") not in got or \
            not any(m == "" and code == "200" for m, _, code in got):
        problems.append("docker.sock: HTTP decoded as %s" % sorted(got))


def check_filters(ctx, problems):
    """Display filters on unixcap fields select exactly the frames they name, and no frame of
    any capture carries a Lua error, a malformed packet or an error-level expert item."""
    if "fields" not in ctx.memo:
        check_fields(ctx, [])  # only for its capture; the fields check reports on it
    pid, cap = ctx.memo["fields"]
    f = ctx.path("fields.pcapng")
    rows = ctx.tshark(f, ["frame.number", "unixcap.pid", "unixcap.fd.name", "unixcap.type"])
    if not rows:
        raise Fail("no packets in the capture")

    def frames(flt, want, what):
        got = [int(l) for l in ctx.tshark(f, extra=["-Y", flt, "-T", "fields",
                                                    "-e", "frame.number"])]
        if got != want:
            problems.append("-Y '%s' (%s): frames %s, expected %s" %
                            (flt, what, got[:10], want[:10]))
        return got

    every = [int(r["frame.number"]) for r in rows]
    frames("unixcap.pid == %d" % pid, every, "the generator's pid")
    frames("unixcap.pid == %d" % (pid + 100000), [], "a pid that sent nothing")
    memfd = [int(r["frame.number"]) for r in rows
             if any("memfd" in n for n in multi(r["unixcap.fd.name"]))]
    if not memfd:
        problems.append("the generator passed no memfd: the fd.name filter goes unchecked")
    frames('unixcap.fd.name contains "memfd"', memfd, "frames passing a memfd")
    dgram = [int(r["frame.number"]) for r in rows if r["unixcap.type"] == "2"]
    frames("unixcap.type == 2 && unixcap.pid == %d" % pid, dgram, "datagrams")

    # The whole tree of every capture the other checks made, as text: Wireshark prints a Lua
    # runtime error into the tree ("Lua Error: ...") rather than on stderr.
    for name in ("fields.pcapng", "classic.pcap", "dbus-test-bus.pcapng", "http.pcapng"):
        g = ctx.path(name)
        if not os.path.exists(g):
            continue
        text = "\n".join(ctx.tshark(g, extra=["-V"]))
        for bad in ("Lua Error", "Malformed Packet", "Expert Info (Error"):
            if bad in text:
                line = next(l for l in text.split("\n") if bad in l)
                problems.append("%s: %s" % (name, line.strip()[:200]))


def check_userdlt(ctx, problems):
    """docs/linktype.md's route without Lua: Wireshark's User DLTs table skips the fixed
    header and hands the payload to Wireshark's own HTTP dissector."""
    f = ctx.once("http", lambda: capture_http(ctx))
    if ctx.cell is not None:
        uninstall(ctx.cell)  # root cells decode with the installed plugin otherwise
    rows = ctx.tshark(f, ["http.request.method", "http.request.uri", "http.response.code"],
                      lua=False,
                      extra=["-o", 'uat:user_dlts:"User 0 (DLT=147)","http","%d","","0",""'
                             % HEADER_LEN, "-Y", "http"])
    got = {(r["http.request.method"], r["http.request.uri"], r["http.response.code"]) for r in rows}
    if ("GET", "/v1.43/version", "") not in got or \
            not any(m == "" and code == "200" for m, _, code in got):
        problems.append("User DLT 147 -> http: decoded as %s" % sorted(got))


def check_pipe(ctx, problems):
    """unixcap -w - | tshark -l -i -: packets reach a live reader while the sender is still
    sending, and when the reader goes away unixcap ends by itself, cleanly, with its summary.
    The reader is stopped after 5 packets rather than with -c 5: tshark 3.4's -c on a pipe
    fed a few blocks at a time often ends with "0 packets captured" (seen with a plain
    script feeding it too, never with 4.0 and later)."""
    sender, pid = send_loop(None, 60, size=100, gap=0.01)
    cap = subprocess.Popen([ctx.unixcap, "-p", str(pid), "-w", "-"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    first = cap.stderr.readline().decode()
    if "listening on" not in first:
        cap.kill()
        sender.kill()
        raise Fail("unixcap -w - did not start: " + first)
    ts = subprocess.Popen(ctx.tshark_argv(["-l", "-i", "-", "-T", "fields", "-e", "unixcap.pid"]),
                          stdin=cap.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=ctx.env)
    cap.stdout.close()
    rows, five = [], threading.Event()
    live = []  # whether the sender was still running when the fifth packet arrived

    def read():
        for line in ts.stdout:
            rows.append(line.decode().strip())
            if len(rows) == 5:
                live.append(sender.poll() is None)
                five.set()
        five.set()

    t = threading.Thread(target=read, daemon=True)
    t.start()
    go(sender)
    try:
        five.wait(60)
        ts.terminate()
        ts.wait(20)
        rc = cap.wait(timeout=20)
    except subprocess.TimeoutExpired:
        ts.kill()
        cap.kill()
        sender.kill()
        raise Fail("tshark or unixcap did not finish (live stream stuck?)")
    t.join(5)
    ts_err = ts.stderr.read()
    err = cap.stderr.read().decode()
    sender.kill()
    sender.wait()
    if rows[:5] != [str(pid)] * 5:
        problems.append("tshark -i - read %r, expected 5 packets of pid %d (tshark exit %s: %s)"
                        % (rows[:8], pid, ts.returncode,
                           ctx.stderr_problem(ts_err.decode(errors="replace")).strip()[:300]))
    elif live != [True]:
        problems.append("the 5th packet reached tshark only after the sender had finished")
    if rc != 0:
        problems.append("unixcap exit %d after the reader closed: %s" % (rc, err[-300:]))
    m = re.search(r"(\d+) messages captured, (\d+) dropped", err)
    if not m:
        problems.append("no summary after the reader closed: " + err[-300:])
    elif int(m.group(1)) < 5:
        problems.append("summary says %s messages captured, tshark read 5" % m.group(1))


CHECKS = [("fields", check_fields), ("readback", check_readback), ("zstd", check_zstd),
          ("rotation", check_rotation), ("kill", check_kill), ("dbus", check_dbus),
          ("http", check_http), ("pcap", check_pcap), ("filters", check_filters),
          ("userdlt", check_userdlt),
          ("pipe", check_pipe)]


NEEDED_FIELDS = {"unixcap." + n for n in (
    "pid tid uid gid comm cgroup sock inode type path peer.sock peer.inode peer.pid "
    "peer.comm peer.path len flags fd fd.name fd.recv creds.pid creds.uid creds.gid").split()}


def field_names(ctx, lua=True):
    """The unixcap.* fields tshark registers (-G must come first on its command line)."""
    argv = ctx.tshark_argv([], lua=lua)
    k = argv.index("tshark") + 1
    argv[k:k] = ["-G", "fields"]
    p = subprocess.run(argv, capture_output=True, env=ctx.env, timeout=120)
    return {l.split("\t")[2] for l in p.stdout.decode().split("\n") if l.count("\t") >= 2}


def has_field(ctx, name):
    if ctx.cell is not None:
        return name in ctx.cell.fields
    if "all" not in ctx.memo:
        ctx.memo["all"] = field_names(ctx, lua=False)
    return name in ctx.memo["all"]


def lua_plugin_dir(ctx):
    """The cell's global Lua plugin directory, as that tshark reports it (no guessed arch)."""
    argv = ctx.tshark_argv(["-G", "folders"], lua=False)
    p = subprocess.run(argv, capture_output=True, env=ctx.env, timeout=60)
    for line in p.stdout.decode().split("\n"):
        if line.startswith("Global Lua Plugins:"):
            return line.split(":", 1)[1].strip()
    raise Fail("tshark -G folders names no global Lua plugin directory")


def setup_cell(ctx, cell):
    """Checks that the cell's tshark runs and finds where its installed plugin goes; for root
    cells, also that -X lua_script: does for root what the cell spec says."""
    ctx.cell = cell
    if not os.path.isfile(os.path.join(cell.root, "usr/bin/tshark")):
        raise Fail("no tshark in %s (tests/wireshark/ws-chroot.sh builds it)" % cell.root)
    os.makedirs(cell.root + ctx.work, exist_ok=True)  # the bind mount's mount point
    home = ctx.path("home-" + cell.who)
    os.makedirs(os.path.join(home, "xdg"), exist_ok=True)
    if cell.user:
        for d in (home, os.path.join(home, "xdg")):
            os.chown(d, NOBODY, NOBODY)
    p = subprocess.run(ctx.tshark_argv(["--version"], lua=False), capture_output=True,
                       env=ctx.env, timeout=60)
    if p.returncode != 0 or not p.stdout:
        raise Fail("tshark --version in the cell: exit %d: %s" %
                   (p.returncode, p.stderr.decode(errors="replace")[:300]))
    cell.version = p.stdout.decode().split("\n")[0]
    m = re.search(r"(\d+)\.(\d+)", cell.version)
    # Between 4.0 and 4.4 tshark -T fields began to double every backslash in a string
    # (seen on 4.4 and 4.6): the dissector's value is the same, only the output differs.
    cell.escapes = bool(m) and (int(m.group(1)), int(m.group(2))) >= (4, 4)
    cell.reads_zstd = bool(m) and (int(m.group(1)), int(m.group(2))) >= (4, 0)
    d = lua_plugin_dir(ctx)
    cell.plugin = os.path.join(cell.root + d, "unixcap.lua")
    uninstall(cell)  # a copy left by an interrupted run would load twice
    if cell.user:
        return
    # What -X lua_script: does for root here, with no plugin installed.
    argv = ctx.tshark_argv([], lua=False)
    k = argv.index("tshark") + 1
    argv[k:k] = ["-G", "fields", "-X", "lua_script:" + ctx.path("unixcap.lua")]
    p = subprocess.run(argv, capture_output=True, env=ctx.env, timeout=120)
    runs = "\tunixcap.pid\t" in p.stdout.decode()
    got = "script" if runs else "ignored"
    cell.notes = {"-X lua_script as root: " + ("runs" if runs else "ignored, silently")}
    if got != cell.root_script:
        raise Fail("-X lua_script: as root is %s here, the cell says %s" % (got, cell.root_script))


def install(ctx, cell):
    if not cell.user:
        shutil.copyfile(ctx.lua, cell.plugin)
        os.chmod(cell.plugin, 0o644)


def uninstall(cell):
    if cell.plugin and os.path.exists(cell.plugin):
        os.unlink(cell.plugin)


def run_check(ctx, name, fn, label):
    problems = []
    t0 = time.time()
    try:
        fn(ctx, problems)
    except Fail as e:
        problems.append(str(e))
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        problems.append("%s: %s" % (type(e).__name__, e))
    for p in problems[:20]:
        print("  %s%s: %s" % (name, label, p), file=sys.stderr)
    if problems:
        print("FAIL %s%s: %s (%.1fs)" % (name, label, problems[0], time.time() - t0), flush=True)
        return False
    print("ok %s%s (%.1fs)" % (name, label, time.time() - t0), flush=True)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unixcap", required=True)
    ap.add_argument("--unixgen", required=True)
    ap.add_argument("--lua", required=True)
    ap.add_argument("--checks", default="")
    ap.add_argument("--keep", help="work in this directory and keep it")
    ap.add_argument("--cell", action="append", default=[], type=Cell,
                    help="run the checks with this cell's tshark (repeatable; see Cell)")
    args = ap.parse_args()
    if not args.cell and not shutil.which("tshark"):
        print("SKIP: tshark is not installed")
        return 77
    if os.geteuid() != 0:
        print("FAIL: capturing needs root")
        return 1
    want = [c for c in args.checks.split(",") if c]
    unknown = set(want) - {n for n, _ in CHECKS}
    if unknown:
        print("unknown check(s): %s" % ", ".join(sorted(unknown)))
        return 2
    work = args.keep or tempfile.mkdtemp(prefix="uc-wireshark-")
    os.makedirs(work, exist_ok=True)
    ctx = Ctx(args, work)
    passed = failed = 0
    if not args.cell:
        # The dissector must load before anything else means something.
        names = field_names(ctx)
        if not NEEDED_FIELDS <= names:
            print("FAIL load: dissector fields missing: %s" % sorted(NEEDED_FIELDS - names))
            failed += 1
        for name, fn in CHECKS:
            if want and name not in want:
                continue
            if run_check(ctx, name, fn, ""):
                passed += 1
            else:
                failed += 1
    else:
        # Cells read files as other users: the work directory is passable (not listable),
        # the files in it stay 0600 and are handed over one by one (Ctx.readable).
        os.chmod(work, 0o711)
        shutil.copyfile(ctx.lua, ctx.path("unixcap.lua"))
        os.chmod(ctx.path("unixcap.lua"), 0o644)
        results = {}
        live = []
        for cell in args.cell:
            label = " [%s]" % cell
            try:
                setup_cell(ctx, cell)
                install(ctx, cell)
                names = field_names(ctx)
                cell.fields = names
                if not NEEDED_FIELDS <= names:
                    raise Fail("dissector fields missing: %s" % sorted(NEEDED_FIELDS - names)[:5])
                print("ok load%s: %s%s" % (label, cell.version,
                                            "".join("; " + n for n in sorted(cell.notes))
                                            if getattr(cell, "notes", None) else ""), flush=True)
                live.append(cell)
                passed += 1
            except (Fail, OSError, subprocess.SubprocessError) as e:
                print("FAIL load%s: %s" % (label, e), flush=True)
                results[(cell.name, "load")] = False
                failed += 1
            finally:
                uninstall(cell)
        # Check by check, every cell in turn: each capture is made once, by the first cell.
        for name, fn in CHECKS:
            if want and name not in want:
                continue
            for cell in live:
                if name in cell.skip:
                    print("n/a %s [%s]: not run for this Wireshark (see --cell)" % (name, cell),
                          flush=True)
                    results[(cell.name, name)] = None
                    continue
                ctx.cell = cell
                ctx.notes = set()
                install(ctx, cell)
                try:
                    ok = run_check(ctx, name, fn, " [%s]" % cell)
                finally:
                    uninstall(cell)
                for n in ctx.notes:
                    cell.notes = getattr(cell, "notes", set()) | {n}
                results[(cell.name, name)] = ok
                passed, failed = passed + ok, failed + (not ok)
        print("\ncell table (check: ok/FAIL):")
        for cell in args.cell:
            row = ["%s=%s" % (c, "n/a" if ok is None else "ok" if ok else "FAIL")
                   for (n, c), ok in results.items() if n == cell.name]
            print("  %-10s %s  %s%s" % (cell.name, getattr(cell, "version", "?"), " ".join(row),
                                        "".join("; " + n for n in sorted(getattr(cell, "notes",
                                                                                 ())))))
        for cell in args.cell:
            try:
                os.rmdir(cell.root + work)
            except OSError:
                pass
    print("%d passed, %d failed" % (passed, failed))
    if not args.keep and not failed:
        shutil.rmtree(work, ignore_errors=True)
    elif failed:
        print("files kept in %s" % work)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
