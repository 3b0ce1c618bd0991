"""Issue 18: what new users trip over. Each check runs the real binary against real sockets
(and lsof, a full tmpfs, a closed pipe...) and fails on the behaviour the issue reported."""

import contextlib
import json
import os
import re
import select
import signal
import socket
import subprocess
import time

from harness import Unixcap, pcapng_packets

USERS_CHECKS = {}


def users_check(name):
    """Registers a check under its name (tests/CMakeLists.txt: USERS_CHECKS)."""
    def add(fn):
        USERS_CHECKS[name] = fn
        return fn
    return add

KPTR = "/proc/sys/kernel/kptr_restrict"


@contextlib.contextmanager
def kptr_restrict(value):
    """Sets kernel.kptr_restrict for the block (0: /proc/net/unix and lsof print hashes)."""
    with open(KPTR) as f:
        old = f.read().strip()
    with open(KPTR, "w") as f:
        f.write(str(value))
    try:
        yield
    finally:
        with open(KPTR, "w") as f:
            f.write(old)


def lsof_addresses(pid):
    """{inode: DEVICE} of pid's unix sockets, as lsof prints them."""
    out = subprocess.run(["lsof", "-n", "-a", "-U", "-p", str(pid), "-F", "di"],
                         capture_output=True, text=True).stdout
    found, dev = {}, None
    for line in out.splitlines():
        if line.startswith("d"):
            dev = line[1:]
        elif line.startswith("i") and dev:
            found[int(line[1:])] = dev
            dev = None
    return found


def json_lines(text):
    return [json.loads(l) for l in text.splitlines() if l.startswith("{")]


def run_capture(ctx, args, traffic, timeout=60):
    """Starts unixcap --json ARGS, runs traffic() once it listens, returns (rc, messages, stderr)."""
    out = ctx.path("out.%d.json" % time.monotonic_ns())
    with open(out, "w") as f:
        u = Unixcap([ctx.unixcap, "--json"] + args, stdout=f)
        ready = u.wait_ready()
        if ready:
            traffic()
            time.sleep(0.5)
        rc = u.stop() if u.p.poll() is None else u.wait()
    with open(out) as f:
        msgs = json_lines(f.read())
    return (rc if ready else -1), msgs, u.err


@users_check("sock")
def check_sock(ctx, problems):
    """(1) --sock with the address lsof and /proc/net/unix print (hashed with kptr_restrict 0)."""
    a, b = socket.socketpair()
    other_a, other_b = socket.socketpair()
    ino = os.fstat(a.fileno()).st_ino

    def traffic():
        for i in range(3):
            a.send(b"to-b %d" % i)
            other_a.send(b"noise %d" % i)

    with kptr_restrict(0):
        hashed = lsof_addresses(os.getpid()).get(ino)
        if not problems.check(hashed is not None, "lsof shows no address for inode %d" % ino):
            return
        problems.check(not hashed.startswith("0xffff"), "lsof address %s is not hashed" % hashed)
        rc, msgs, err = run_capture(ctx, ["--sock", hashed, "-d", "20"], traffic)
        # Completion offers addresses that --sock accepts: the real ones (unixcap -L).
        comp = subprocess.run(
            ["bash", "-c", "source %s; COMP_WORDS=(unixcap --sock ''); COMP_CWORD=2; _unixcap; "
             "printf '%%s\\n' \"${COMPREPLY[@]}\"" % os.path.join(
                 os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "completion",
                 "unixcap")],
            capture_output=True, text=True, env=dict(os.environ, PATH=os.path.dirname(
                os.path.abspath(ctx.unixcap)) + ":" + os.environ["PATH"])).stdout.split()
        # A hash of no socket: one line, exit 2, nothing captured silently.
        r = subprocess.run([ctx.unixcap, "--sock", "0x0000000012345678", "-d", "1"],
                           capture_output=True, text=True, timeout=60)
    problems.check(rc == 0, "--sock %s: exit %s: %s" % (hashed, rc, err.strip()[-300:]))
    mine = [m for m in msgs if ino in (m["inode"], m["peer_inode"])]
    problems.check(len(mine) == 3 and len(msgs) == 3,
                   "--sock %s (lsof's address of inode %d) captured %d messages, %d of them on "
                   "the socket; expected 3" % (hashed, ino, len(msgs), len(mine)))
    problems.check(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
                   and "unixcap -L" in r.stderr,
                   "--sock with an unknown hash: exit %d, stderr %r" % (r.returncode, r.stderr))
    real = [c for c in comp if c.startswith("0x")]
    problems.check(real and all(c.startswith("0xffff") for c in real),
                   "completion of --sock offers non-kernel addresses: %s" % comp[:5])
    for s in (a, b, other_a, other_b):
        s.close()


def set_comm(name):
    with open("/proc/self/comm", "w") as f:
        f.write(name)


@users_check("tcpdump")
def check_tcpdump(ctx, problems):
    """(3) tcpdump habits: -nn, -n before another option, -l -U --immediate-mode -i any, -D."""
    a, b = socket.socketpair()
    ino = os.fstat(a.fileno()).st_ino
    old = open("/proc/self/comm").read().strip()
    set_comm("qqq")  # a sender whose name has no 'n' (-nn used to keep only those with one)

    def traffic():
        for i in range(3):
            a.send(b"habit %d" % i)

    try:
        for args in (["-nn"], ["-n", "-p", str(os.getpid())],
                     ["-l", "-U", "--immediate-mode", "-i", "any", "-e"]):
            rc, msgs, err = run_capture(ctx, args + ["--inode", str(ino), "-d", "20"], traffic)
            problems.check(rc == 0 and len(msgs) == 3,
                           "unixcap %s: exit %s, %d of 3 messages: %s"
                           % (" ".join(args), rc, len(msgs), err.strip()[-200:]))
            notes = [l for l in err.splitlines() if "no-resolve" in l]
            problems.check(len(notes) == (1 if args[0] == "-nn" or args[0] == "-n" else 0),
                           "unixcap %s: %d no-resolve lines on stderr" % (" ".join(args),
                                                                          len(notes)))
        # -n -X: -X is the hex dump, not the regex.
        u = subprocess.Popen([ctx.unixcap, "-n", "-X", "--inode", str(ino), "-c", "1", "-d", "20"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.2)
        end = time.time() + 30
        out = ""
        while u.poll() is None and time.time() < end:
            a.send(b"hexdump-me")
            time.sleep(0.3)
        if u.poll() is None:
            u.kill()
        out, err = u.communicate()
        problems.check("6865 7864 756d 702d 6d65" in out or "hexdump-me" in out,
                       "unixcap -n -X: no hex dump of the message: %r %r" % (out[-300:], err[-300:]))
    finally:
        set_comm(old)
        a.close()
        b.close()
    r = subprocess.run([ctx.unixcap, "-D"], capture_output=True, text=True)
    problems.check(r.returncode == 0 and r.stdout.startswith("1.unixcap"),
                   "unixcap -D: exit %d, %r %r" % (r.returncode, r.stdout, r.stderr))
    r = subprocess.run([ctx.unixcap, "-i", "eth0"], capture_output=True, text=True)
    problems.check(r.returncode == 2 and len(r.stderr.splitlines()) == 1,
                   "unixcap -i eth0: exit %d, %r" % (r.returncode, r.stderr))


@users_check("paths")
def check_paths(ctx, problems):
    """(4) --path as typed: relative, through a symlink, repeated (any of them), prefixes."""
    d = ctx.path("dir")
    os.mkdir(d)
    os.symlink("dir", ctx.path("link"))
    servers, conns = [], {}
    for name in ("s1.sock", "s2.sock"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(os.path.join(d, name))  # the kernel keeps this absolute, symlink-free name
        s.listen(4)
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(os.path.join(d, name))
        servers += [s, s.accept()[0], c]
        conns[name] = c

    def traffic():
        for i in range(3):
            for name, c in conns.items():
                c.send(b"%s %d" % (name.encode(), i))

    def paths_of(msgs):
        return sorted(os.path.basename(m["peer_path"] or m["path"]) for m in msgs)

    cases = [
        (["--path", "link/s1.sock"], ["s1.sock"] * 3),
        (["--path", "./dir/s2.sock"], ["s2.sock"] * 3),
        (["--path", ctx.path("link/s1.sock"), "--path", ctx.path("dir/s2.sock")],
         ["s1.sock"] * 3 + ["s2.sock"] * 3),
        (["--path", "link/s*"], ["s1.sock"] * 3 + ["s2.sock"] * 3),
    ]
    old = os.getcwd()
    os.chdir(ctx.work)
    try:
        for args, want in cases:
            rc, msgs, err = run_capture(ctx, args + ["-d", "20"], traffic)
            problems.check(rc == 0 and paths_of(msgs) == want,
                           "unixcap %s (cwd %s): exit %s, captured %s, want %s: %s"
                           % (" ".join(args), ctx.work, rc, paths_of(msgs), want,
                              err.strip()[-200:]))
        r = subprocess.run([ctx.unixcap, "--path", "no/such.sock", "-d", "0.5"],
                           capture_output=True, text=True, timeout=60)
        warned = [l for l in r.stderr.splitlines() if "no/such.sock" in l]
        problems.check(r.returncode == 0 and len(warned) == 1,
                       "--path of no socket: exit %d, warning lines %s"
                       % (r.returncode, warned))
    finally:
        os.chdir(old)
        for s in servers:
            s.close()


@users_check("diskcount")
def check_diskcount(ctx, problems):
    """(5) -w onto a nearly full disk: the summary says how many messages reached the file,
    and the file keeps everything that fit (a write error loses only what did not)."""
    mnt = ctx.path("full")
    os.mkdir(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", mnt],
                       capture_output=True, text=True)
    if not problems.check(r.returncode == 0, "mount tmpfs: %s" % r.stderr.strip()):
        return
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        with open(os.path.join(mnt, "filler"), "wb") as f:
            f.write(b"\0" * (1400 * 1024))
        st = os.statvfs(mnt)
        avail = st.f_bavail * st.f_frsize
        out = os.path.join(mnt, "cap.pcapng")
        cap = Unixcap([ctx.unixcap, "--inode", str(os.fstat(a.fileno()).st_ino), "-w", out])
        if not problems.check(cap.wait_ready(), "unixcap did not start: %s" % cap.err):
            cap.stop()
            return
        payload = b"m" * 2000
        for i in range(1000):  # 2 MB in a burst: more than the disk holds
            a.send(payload)
            b.recv(4096)
            if cap.p.poll() is not None:
                break
        rc = cap.stop(timeout=60)
        problems.check(rc == 1, "full disk: exit %s, want 1: %s" % (rc, cap.err))
        m = re.search(r"^(\d+) written to (.*)$", cap.err, re.M)
        n, end, size = pcapng_packets(out, complete=False)
        problems.check(m is not None and int(m.group(1)) == n and m.group(2) == out,
                       "full disk: the summary does not say the %d messages in the file: %r"
                       % (n, cap.err))
        problems.check(n > 0 and size >= avail - 16384,
                       "full disk: the file holds %d messages, %d bytes of %d that were free: "
                       "more than what was in flight was lost" % (n, size, avail))
    finally:
        a.close()
        b.close()
        subprocess.run(["umount", "-l", mnt])


@users_check("json")
def check_json(ctx, problems):
    """(10) receive events are recvmsg, (11) an integer ts_ns beside ts."""
    a, b = socket.socketpair()
    ino = os.fstat(a.fileno()).st_ino

    def traffic():
        r, w = os.pipe()
        socket.send_fds(a, [b"fd here"], [r])
        socket.recv_fds(b, 100, 4)
        os.close(r)
        os.close(w)

    rc, msgs, err = run_capture(ctx, ["--inode", str(ino), "-d", "20"], traffic)
    problems.check(rc == 0, "exit %s: %s" % (rc, err))
    recv = [m for m in msgs if "recv" in m["flags"]]
    problems.check(recv and all(m["call"] == "recvmsg" for m in recv),
                   "receive events: calls %s" % [m["call"] for m in recv])
    problems.check(msgs and all(isinstance(m.get("ts_ns"), int) for m in msgs),
                   "ts_ns missing or not an integer: %s" % [m.get("ts_ns") for m in msgs])
    raw = open(ctx.path(sorted(f for f in os.listdir(ctx.work) if f.startswith("out."))[-1])
               ).read()
    for line, m in zip([l for l in raw.splitlines() if l.startswith("{")], msgs):
        got = re.search(r'"ts":(\d+)\.(\d{9})', line)
        problems.check(got and m.get("ts_ns") == int(got.group(1) + got.group(2)),
                       "ts_ns %s differs from ts %s" % (m.get("ts_ns"), got and got.group(0)))
    a.close()


@users_check("escape")
def check_escape(ctx, problems):
    """(12) spaces in socket names (and command names) are escaped in summary lines: splitting
    a line on spaces gives its fields."""
    name = ctx.path("a b.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    srv.bind(name)
    cli = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    cli.connect(name)
    old = open("/proc/self/comm").read().strip()
    set_comm("my tool")
    out = ctx.path("summary.txt")
    try:
        with open(out, "w") as f:
            u = Unixcap([ctx.unixcap, "--inode", str(os.fstat(srv.fileno()).st_ino), "-d", "20"],
                        stdout=f)
            if u.wait_ready():
                for i in range(3):
                    cli.send(b"spaces %d" % i)
                time.sleep(0.5)
            u.stop()
    finally:
        set_comm(old)
        srv.close()
        cli.close()
    lines = [l for l in open(out).read().splitlines() if l.strip()]
    want = ctx.path("a\\x20b.sock")
    problems.check(len(lines) == 3, "want 3 summary lines, got %r (%s)" % (lines, u.err))
    for l in lines:
        fields = l.split(" ")
        problems.check(want in fields and "my\\x20tool" in fields and " b.sock" not in l,
                       "summary line with unescaped spaces: %r" % l)


@users_check("rough")
def check_rough(ctx, problems):
    """(13) -F without -w is an error; -L as non-root says why it shows '-'."""
    r = subprocess.run([ctx.unixcap, "-F", "pcap", "-d", "1"], capture_output=True, text=True,
                       timeout=60)
    problems.check(r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "-w" in r.stderr,
                   "-F without -w: exit %d, %r" % (r.returncode, r.stderr))
    r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                        ctx.unixcap, "-L"], capture_output=True, text=True, timeout=60)
    problems.check(r.returncode == 0 and "-" in r.stdout and "CAP_SYS_PTRACE" in r.stderr
                   and len(r.stderr.splitlines()) == 1,
                   "-L as nobody: exit %d, no one-line hint on stderr: %r"
                   % (r.returncode, r.stderr))
    r = subprocess.run([ctx.unixcap, "-L"], capture_output=True, text=True, timeout=60)
    problems.check(r.returncode == 0 and "CAP_SYS_PTRACE" not in r.stderr,
                   "-L as root: exit %d, stderr %r" % (r.returncode, r.stderr))


@users_check("rotate")
def check_rotate(ctx, problems):
    """(7) -C: files at most one message over the size (zstd too); zstd files keep .zst last
    (r1.pcapng.zst); -G with no %-conversion in the name warns."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    ino = os.fstat(a.fileno()).st_ino
    size, limit = 3000, 20 * 1024
    for name, extra in (("r.pcapng.zst", []), ("p.pcapng", [])):
        out = ctx.path(name)
        u = Unixcap([ctx.unixcap, "--inode", str(ino), "-C", "20k", "-w", out] + extra)
        if not problems.check(u.wait_ready(), "%s: did not start: %s" % (name, u.err)):
            u.stop()
            continue
        for i in range(100):
            a.send(os.urandom(size))  # random: zstd cannot shrink it below the limit
            b.recv(size)
        time.sleep(0.5)
        problems.check(u.stop() == 0, "%s: exit: %s" % (name, u.err))
        files = sorted(f for f in os.listdir(ctx.work) if f != name and
                       re.fullmatch(re.escape(name).replace(r"\.pcapng", r"\d*\.pcapng", 1)
                                    if name.endswith(".zst") else re.escape(name) + r"\d*", f))
        files.append(name)
        problems.check(len(files) >= 10, "%s: only %s" % (name, files))
        for f in files:
            sz = os.path.getsize(ctx.path(f))
            problems.check(sz <= limit + size + 1024,
                           "%s: %d bytes with -C 20k (%d): more than one message over"
                           % (f, sz, limit))
            if f.endswith(".zst"):
                problems.check(subprocess.run(["zstd", "-q", "-t", ctx.path(f)]).returncode == 0,
                               "%s: zstd -t fails" % f)
        stray = [f for f in os.listdir(ctx.work) if ".zst" in f and not f.endswith(".zst")]
        problems.check(not stray, "zstd files whose name does not end in .zst: %s" % stray)
    a.close()
    b.close()
    for name, warned in (("g.pcapng", True), ("g-%H%M%S.pcapng", False)):
        r = subprocess.run([ctx.unixcap, "-G", "1", "-w", ctx.path(name), "-d", "0.5"],
                           capture_output=True, text=True, timeout=60)
        lines = [l for l in r.stderr.splitlines() if "-G" in l]
        problems.check(r.returncode == 0 and len(lines) == (1 if warned else 0),
                       "-G 1 -w %s: exit %d, -G warnings %s" % (name, r.returncode, lines))


@users_check("quietpipe")
def check_quietpipe(ctx, problems):
    """(8) unixcap | head on a quiet capture: the closed pipe ends it at once, not at the
    next message."""
    a, b = socket.socketpair()  # nothing is ever sent on it
    r, w = os.pipe()
    u = Unixcap([ctx.unixcap, "--inode", str(os.fstat(a.fileno()).st_ino), "-d", "120"],
                stdout=w)
    os.close(w)
    ready = u.wait_ready(90)
    problems.check(ready, "did not start: %s" % u.err)
    os.close(r)  # the reader goes away; no message will ever fail to be written
    t0 = time.time()
    rc = u.wait(20)
    took = time.time() - t0
    problems.check(rc == 0 and took < 3,
                   "closed pipe on a quiet capture: exit %s after %.1f s: %s" % (rc, took,
                                                                              u.err[-300:]))
    a.close()
    b.close()


@users_check("startsig")
def check_startsig(ctx, problems):
    """(8) A signal during start-up ends the capture cleanly: SIGINT to a background job
    (SIGINT ignored, as a shell's & leaves it) and SIGTERM, both before 'listening'."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        out = ctx.path("start-%s.pcapng" % sig.name)

        def background():
            signal.signal(signal.SIGINT, signal.SIG_IGN)

        # Start-up takes about 0.1 s here: -v's first timing line (the preflight, before any
        # program loads) says when it is under way, so the signal lands during the loading.
        u = Unixcap([ctx.unixcap, "-v", "-w", out, "-d", "600"], preexec=background)
        end = time.time() + 60
        while "preflight" not in u.err and u.p.poll() is None and time.time() < end:
            time.sleep(0.001)
        early = "listening" not in u.err
        u.p.send_signal(sig)
        rc = u.wait(90)
        problems.check(early, "%s: sent after start-up ended (too slow a test)" % sig.name)
        problems.check(rc == 0 and "killed" not in u.err and u.summary() is not None,
                       "%s before listening: exit %s: %r" % (sig.name, rc, u.err[-300:]))
        try:
            pcapng_packets(out)
        except (OSError, ValueError) as e:
            problems.append("%s before listening: file not complete: %s" % (sig.name, e))


@users_check("progress")
def check_progress(ctx, problems):
    """(6) Start-up says what it is doing on a terminal, and with -v how long each step took."""
    import pty
    master, slave = os.openpty()
    p = subprocess.Popen([ctx.unixcap, "-d", "0.2", "-c", "1", "--inode", "1"],
                         stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    text = b""
    end = time.time() + 120
    while time.time() < end:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            text += chunk
        elif p.poll() is not None:
            break
    p.wait(30)
    os.close(master)
    text = text.decode(errors="replace").replace("\r", "")
    before = text.split("listening")[0]
    problems.check("loading and attaching the BPF programs..." in before,
                   "on a terminal, nothing said during start-up: %r" % text[:400])
    r = subprocess.run([ctx.unixcap, "-v", "-d", "0.2", "--inode", "1"], capture_output=True,
                       text=True, timeout=120)
    steps = re.findall(r"^unixcap: start-up: (.*): (\d+) ms$", r.stderr, re.M)
    problems.check(any("BPF" in s for s, _ in steps) and "in all" in r.stderr,
                   "-v: no per-step start-up times: %r" % r.stderr[:400])
    r = subprocess.run([ctx.unixcap, "-d", "0.2", "--inode", "1"], capture_output=True,
                       text=True, timeout=120)
    problems.check("..." not in r.stderr and "start-up" not in r.stderr,
                   "not a terminal, no -v: start-up lines anyway: %r" % r.stderr)


@users_check("readme")
def check_readme(ctx, problems):
    """(15) What README.md says about -s 0, the userspace filters and --sock's source agrees
    with what the binary does."""
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    readme = open(os.path.join(top, "README.md")).read()
    man = open(os.path.join(top, "docs", "unixcap.8")).read()
    # -s 0 is the default snaplen, 262144 bytes: a bigger message is cut there.
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    big = 300000
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * big)

    def traffic():
        a.send(b"s" * big)
        b.recv(big)

    rc, msgs, err = run_capture(ctx, ["-s", "0", "--inode", str(os.fstat(a.fileno()).st_ino),
                                      "-d", "20"], traffic)
    a.close()
    b.close()
    default = re.search(r"default (\d+)", readme)
    problems.check(msgs and default and msgs[0]["caplen"] == int(default.group(1)) < big,
                   "-s 0: caplen %s, README's default %s" % (
                       [m["caplen"] for m in msgs], default and default.group(1)))
    for text, name in ((readme, "README.md"), (man, "unixcap.8")):
        for line in text.splitlines():
            if re.search(r"-s 0\b", line.replace("\\-", "-")) and "full" in line:
                problems.append("%s says -s 0 copies full payloads: %r" % (name, line))
    # --cgroup (and -n) filter in userspace, as --help says.
    help_text = subprocess.run([ctx.unixcap, "--help"], capture_output=True, text=True).stdout
    cgroup_help = help_text[help_text.index("--cgroup"):].split("\n  -", 1)[0]
    m = re.search(r"All filters but (.*?) run in the kernel", readme, re.S)
    problems.check("userspace" in cgroup_help and m and "--cgroup" in m.group(1),
                   "README's list of userspace filters: %r" % (m and m.group(0)))
    # --sock: the address to give is unixcap -L's; lsof's and /proc/net/unix's are hashes.
    for line in readme.splitlines():
        if "--sock" in line and ("lsof" in line or "/proc/net/unix" in line):
            problems.check("unixcap -L" in line,
                           "README sends --sock users to lsof or /proc/net/unix: %r" % line)
