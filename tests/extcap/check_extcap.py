#!/usr/bin/env python3
"""
check_extcap - the Wireshark extcap interface, -v payload decoding, cgroup identity and the
-w status line, each on real traffic.

Usage: check_extcap.py --unixcap PATH --unixgen PATH --lua PATH --extcap-root PATH
                       [--checks A,B] [--keep DIR]

Checks (all by default):
  extcap  tshark as an unprivileged user with WIRESHARK_EXTCAP_DIR on a private directory
          (Wireshark ignores it for root): lists "unixcap", then captures the generator's
          traffic through it with the name field set; every send of a generator run that
          fell inside the capture is there with its pid, tid, comm, length, socket and path
  decode  unixcap -v on a real dbus-daemon + dbus-send and curl --unix-socket against a
          local HTTP server: the decoded lines under the summaries; --decode overrides
  cgroup  the generator run inside a cgroup named like a docker scope: -v names the cgroup
          and the container, --cgroup keeps its traffic and drops the rest
  status  -w on a pty shows the refreshed counters and clears them before the summary;
          none with -q or when stderr is not a terminal

Prints "ok NAME" or "FAIL NAME: reason" per check. Exit 0 iff all passed; 77 when tshark
is not installed (the extcap check is meaningless without it).
"""

import argparse
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

NOBODY = 65534
DOCKER_ID = "5e1f0c7a9b3d2e4f6a8c0b1d3e5f7a9c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"


class Fail(Exception):
    pass


class Capture:
    """unixcap running until stop(); 'listening on' on stderr means the probes are in."""

    def __init__(self, unixcap, args, out_path):
        self.out = open(out_path, "wb")
        self.p = subprocess.Popen([unixcap] + args, stdout=self.out, stderr=subprocess.PIPE)
        self.err = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(60) or self.p.poll() is not None:
            self.p.kill()
            raise Fail("unixcap never said it was listening: %s" % "".join(self.err)[:300])

    def _read(self):
        for line in self.p.stderr:
            self.err.append(line.decode(errors="replace"))
            if b"listening on" in line:
                self.ready.set()
        self.ready.set()

    def stop(self):
        time.sleep(0.5)
        self.p.send_signal(signal.SIGINT)
        try:
            rc = self.p.wait(30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise Fail("unixcap did not exit after SIGINT")
        self.out.close()
        if rc != 0:
            raise Fail("unixcap exit %d: %s" % (rc, "".join(self.err)[-300:]))


def read_log(path):
    sends = []
    for line in open(path):
        o = json.loads(line)
        if o.get("kind") == "send" and o.get("ret", -1) >= 0:
            sends.append(o)
    return sends


def wait_path(path, seconds=10):
    end = time.time() + seconds
    while time.time() < end:
        if os.path.exists(path):
            return
        time.sleep(0.05)
    raise Fail("%s did not appear" % path)


# ---- extcap ------------------------------------------------------------------------------

def as_nobody(args, env, **kw):
    cmd = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups",
           "env"] + ["%s=%s" % kv for kv in env.items()] + args
    return subprocess.run(cmd, capture_output=True, timeout=120, **kw)


def check_extcap(a, work):
    xdir = os.path.join(work, "extcap")
    os.makedirs(os.path.join(xdir, "real"))
    os.chmod(work, 0o755)
    os.chmod(xdir, 0o755)
    shutil.copy(a.unixcap, os.path.join(xdir, "real", "unixcap"))
    shutil.copy(a.extcap_root, os.path.join(xdir, "unixcap"))
    os.chown(os.path.join(xdir, "unixcap"), 0, 0)
    os.chmod(os.path.join(xdir, "unixcap"), 0o4755)
    lua = os.path.join(work, "unixcap.lua")
    shutil.copy(a.lua, lua)
    os.chmod(lua, 0o644)
    home = os.path.join(work, "home")
    os.makedirs(home)
    os.chown(home, NOBODY, NOBODY)
    env = {"HOME": home, "XDG_CONFIG_HOME": home, "WIRESHARK_EXTCAP_DIR": xdir,
           "LC_ALL": "C.UTF-8", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}

    p = as_nobody(["tshark", "-D"], env, cwd=home)
    listed = [l for l in p.stdout.decode().splitlines() if "unixcap" in l]
    if not listed or "Unix domain sockets (unixcap)" not in listed[0]:
        raise Fail("tshark -D does not list unixcap: %s %s" % (p.stdout.decode()[-300:],
                                                              p.stderr.decode()[-300:]))

    # Generator runs every 1.5 s while tshark captures; runs that fall inside are checked.
    logs = []
    stop = threading.Event()

    def traffic():
        time.sleep(3)
        while not stop.is_set():
            log = os.path.join(work, "gen%d.log" % len(logs))
            subprocess.run([a.unixgen, "--log", log], capture_output=True, timeout=60)
            logs.append(log)
            stop.wait(1.5)

    t = threading.Thread(target=traffic, daemon=True)
    t.start()
    fields = ["unixcap.comm", "unixcap.pid", "unixcap.tid", "unixcap.len", "unixcap.sock",
              "unixcap.path", "unixcap.peer.path", "_ws.col.Protocol"]
    cmd = ["tshark", "-n", "-i", "unixcap", "-a", "duration:14", "-X", "lua_script:" + lua,
           "-o", "extcap.unixcap.name:^(unixgen|ugen-.*)$", "-o", "extcap.unixcap.type:any",
           "-T", "fields", "-E", "separator=\t"]
    for f in fields:
        cmd += ["-e", f]
    p = as_nobody(cmd, env, cwd=home)
    stop.set()
    t.join(60)
    # tshark 4.0 prints an empty "tshark: " when any extcap ends (its own randpktdump too).
    err = "\n".join(l for l in p.stderr.decode(errors="replace").splitlines()
                    if "Capturing on" not in l and "captured" not in l
                    and "[Main MESSAGE]" not in l and l.strip() not in ("", "tshark:"))
    if p.returncode != 0 or err:
        raise Fail("tshark -i unixcap exit %d: %s" % (p.returncode, err[:400]))
    rows = [dict(zip(fields, l.split("\t"))) for l in p.stdout.decode().splitlines() if l]
    if not rows:
        raise Fail("no packets through the extcap")
    # The name field is applied: nothing but the generator's threads.
    others = {r["unixcap.comm"] for r in rows if not re.match(r"^(unixgen|ugen-.*)$",
                                                             r["unixcap.comm"])}
    if others:
        raise Fail("the name field was not applied: also %s" % sorted(others)[:5])
    got = {(r["unixcap.pid"], r["unixcap.tid"], r["unixcap.comm"], r["unixcap.len"],
            int(r["unixcap.sock"], 16), r["unixcap.path"], r["unixcap.peer.path"])
           for r in rows}
    complete = 0
    for log in logs:
        sends = read_log(log)
        want = {(str(s["pid"]), str(s["tid"]), s["comm"], str(s["ret"]), int(s["sock"], 16),
                 s["path"], s["peer_path"]) for s in sends}
        if want and want <= got:
            complete += 1
    pids = {r["unixcap.pid"] for r in rows}
    if complete == 0:
        raise Fail("no generator run was captured whole through the extcap (%d runs, pids "
                   "seen %s, %d rows)" % (len(logs), sorted(pids), len(rows)))
    return "%d packets, %d of %d generator runs whole" % (len(rows), complete, len(logs))


# ---- decode ------------------------------------------------------------------------------

def blocks(path):
    """Summary lines with the tab-indented lines under them."""
    out = []
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("\t") and out:
            out[-1][1].append(line[1:])
        elif line:
            out.append((line, []))
    return out


def find_detail(bl, comm, pattern):
    rx = re.compile(pattern)
    return [d for s, ds in bl if (" %s " % comm) in s for d in ds if rx.search(d)]


def check_decode(a, work):
    for tool in ("dbus-daemon", "dbus-send", "curl"):
        if not shutil.which(tool):
            raise Fail("%s is needed (tests/install-deps.sh --test)" % tool)
    bus = os.path.join(work, "dbus-test-bus")
    api = os.path.join(work, "api.sock")
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                               "--address=unix:path=" + bus], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    server = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__),
                                                            "http_unix_server.py"), api])
    try:
        wait_path(bus)
        wait_path(api)

        def traffic():
            subprocess.run(["dbus-send", "--bus=unix:path=" + bus, "--print-reply",
                            "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus.ListNames"], check=True, capture_output=True)
            subprocess.run(["dbus-send", "--bus=unix:path=" + bus, "--type=signal",
                            "/org/example/Obj", "org.example.Iface.Changed", "string:hi",
                            "int32:42"], check=True, capture_output=True)
            subprocess.run(["curl", "-sf", "--unix-socket", api, "http://localhost/info"],
                           check=True, capture_output=True)
            subprocess.run(["curl", "-sf", "--unix-socket", api, "-d", "hello=world",
                            "http://localhost/echo"], check=True, capture_output=True)

        out = os.path.join(work, "decode.txt")
        c = Capture(a.unixcap, ["-v", "-n", "^(dbus-send|dbus-daemon|curl|python3)$"], out)
        traffic()
        c.stop()
        bl = blocks(out)
        want = [
            ("dbus-send", r"^dbus credentials byte$"),
            ("dbus-send", r"^dbus auth AUTH EXTERNAL [0-9a-f]+$"),
            ("dbus-daemon", r"^dbus auth OK [0-9a-f]{32}$"),
            ("dbus-send", r"^dbus method_call serial 1 path /org/freedesktop/DBus interface "
                          r"org\.freedesktop\.DBus member Hello signature \"\" dest "
                          r"org\.freedesktop\.DBus body 0$"),
            ("dbus-send", r"^dbus method_call serial 2 path /org/freedesktop/DBus interface "
                          r"org\.freedesktop\.DBus member ListNames signature \"\" dest "
                          r"org\.freedesktop\.DBus body 0$"),
            ("dbus-daemon", r"^dbus method_return serial \d+ reply_serial 2 signature \"as\" "
                            r"sender org\.freedesktop\.DBus dest :1\.\d+ no_reply body \d+$"),
            ("dbus-send", r"^dbus signal serial 2 path /org/example/Obj interface "
                          r"org\.example\.Iface member Changed signature \"si\" "),
            ("curl", r"^http GET /info HTTP/1\.1 headers 3 body 0$"),
            ("curl", r"^http POST /echo HTTP/1\.1 headers 5 content-length 11 body 11$"),
            ("python3", r"^http HTTP/1\.1 200 OK headers 4 content-length \d+ body "),
        ]
        missing = [w for w in want if not find_detail(bl, *w)]
        if missing:
            raise Fail("no decoded line %s; got %s" % (missing[0], [d for _, ds in bl
                                                                   for d in ds][:12]))
        # Every summary line from those programs carries the sender's cgroup.
        if any(not [d for d in ds if d.startswith("cgroup /")] for _, ds in bl):
            raise Fail("a summary without its cgroup line")

        # A --decode rule wins over the built-in .sock rule.
        out2 = os.path.join(work, "decode-rule.txt")
        c = Capture(a.unixcap, ["-v", "-n", "^curl$", "--decode", "%s=line" % api.replace(
            os.path.basename(api), "*.sock")], out2)
        subprocess.run(["curl", "-sf", "--unix-socket", api, "http://localhost/info"],
                       check=True, capture_output=True)
        c.stop()
        if not find_detail(blocks(out2), "curl", r'^line "GET /info HTTP/1\.1"$'):
            raise Fail("--decode PATH=line did not apply: %s" % open(out2).read()[:300])
        # Without -v nothing is decoded.
        out3 = os.path.join(work, "decode-quiet.txt")
        c = Capture(a.unixcap, ["-n", "^curl$"], out3)
        subprocess.run(["curl", "-sf", "--unix-socket", api, "http://localhost/info"],
                       check=True, capture_output=True)
        c.stop()
        if any(ds for _, ds in blocks(out3)) or not blocks(out3):
            raise Fail("without -v: %s" % open(out3).read()[:300])
        return "%d messages, %d decoded lines" % (len(bl), sum(len(d) for _, d in bl))
    finally:
        daemon.kill()
        server.kill()
        daemon.wait()
        server.wait()


# ---- cgroup ------------------------------------------------------------------------------

def cgroup2_mount():
    for line in open("/proc/self/mountinfo"):
        left, _, right = line.partition(" - ")
        if right.split()[0] == "cgroup2":
            return left.split()[4]
    raise Fail("no cgroup2 mount")


def check_cgroup(a, work):
    mnt = cgroup2_mount()
    top = "/unixcap-test-%d.slice" % os.getpid()
    leaf = top + "/docker-%s.scope" % DOCKER_ID
    os.makedirs(mnt + leaf)
    try:
        bad = subprocess.run([a.unixcap, "--cgroup", top + "/nope", "-c", "1"],
                             capture_output=True, timeout=30)
        if bad.returncode != 2 or len(bad.stderr.decode().strip().splitlines()) != 1:
            raise Fail("--cgroup of a missing cgroup: exit %d %s" % (bad.returncode,
                                                                   bad.stderr.decode()))

        def gen_in_cgroup(log):
            # The shell moves itself into the cgroup, then becomes the generator.
            subprocess.run(["sh", "-c", 'echo $$ > "$1/cgroup.procs" && exec "$2" --log "$3"',
                            "sh", mnt + leaf, a.unixgen, log], check=True, timeout=60,
                           capture_output=True)

        def outside():
            # Traffic from this process's cgroup, which --cgroup must drop.
            x, y = socket.socketpair()
            for _ in range(5):
                x.send(b"outside\n")
            x.close()
            y.close()

        out = os.path.join(work, "cgroup.txt")
        log = os.path.join(work, "cgroup-gen.log")
        c = Capture(a.unixcap, ["-v", "--cgroup", mnt + top], out)
        outside()
        gen_in_cgroup(log)
        outside()
        c.stop()
        bl = blocks(out)
        gen_pid = str(read_log(log)[0]["pid"])
        want_line = "cgroup %s container docker %s" % (leaf, DOCKER_ID[:12])
        strangers = [s for s, _ in bl if " %s/" % gen_pid not in s]
        if strangers:
            raise Fail("--cgroup let through: %s" % strangers[0])
        n_sends = len(read_log(log))
        if len(bl) < n_sends:
            raise Fail("%d messages for %d sends" % (len(bl), n_sends))
        # Passed-fd lines come first when there are any; then the cgroup line.
        cg = [(s, [d for d in ds if d.startswith("cgroup ")]) for s, ds in bl]
        wrong = [(s, c) for s, c in cg if c != [want_line]]
        if wrong:
            raise Fail("cgroup lines %r, want %r" % (wrong[0][1], want_line))
        return "%d messages, all in %s" % (len(bl), leaf)
    finally:
        # The generator has exited; an empty cgroup can go.
        for d in (mnt + leaf, mnt + top):
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except OSError:
                    time.sleep(0.1)


# ---- status ------------------------------------------------------------------------------

STATUS_RX = re.compile(rb"\r\x1b\[Kunixcap: (\d+) messages, [\d.]+ (B|KiB|MiB|GiB), (\d+) "
                       rb"dropped, \d+ msg/s, [\d.]+ (B|KiB|MiB|GiB)/s")


def run_on_pty(argv, seconds):
    """argv with stderr (and stdin/stdout) on a new pty; returns everything it wrote."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    data = b""
    end = time.time() + seconds
    while True:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                break
            data += chunk
        if time.time() > end:
            os.kill(pid, signal.SIGKILL)
            raise Fail("%s did not end" % argv)
    _, st = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(st) != 0:
        raise Fail("%s exit %d: %r" % (argv, os.waitstatus_to_exitcode(st), data[-300:]))
    return data


def check_status(a, work):
    stop = threading.Event()

    def traffic():
        x, y = socket.socketpair()
        while not stop.is_set():
            x.send(b"x" * 100)
            y.recv(200)
            time.sleep(0.01)

    t = threading.Thread(target=traffic, daemon=True)
    t.start()
    try:
        f = os.path.join(work, "status.pcapng")
        data = run_on_pty([a.unixcap, "-w", f, "-d", "4", "-p", str(os.getpid())], 60)
        lines = STATUS_RX.findall(data)
        if len(lines) < 2:
            raise Fail("%d status lines on the terminal: %r" % (len(lines), data[-400:]))
        counts = [int(m[0]) for m in lines]
        if counts != sorted(counts) or counts[-1] == 0:
            raise Fail("message counts %s" % counts)
        # Cleared before the exit summary, which starts on a clean line.
        tail = data[data.rfind(b"unixcap: ") - 3:]
        if not re.search(rb"\r\x1b\[K(\r\n)?unixcap: backend", data) or \
                b"messages captured" not in tail:
            raise Fail("status not cleared before the summary: %r" % data[-300:])
        quiet = run_on_pty([a.unixcap, "-q", "-w", f, "-d", "2.5", "-p", str(os.getpid())], 60)
        if STATUS_RX.search(quiet) or b"\x1b[K" in quiet:
            raise Fail("-q still shows the status: %r" % quiet[-200:])
        p = subprocess.run([a.unixcap, "-w", f, "-d", "2.5", "-p", str(os.getpid())],
                           capture_output=True, timeout=60)
        if p.returncode or b"\x1b[K" in p.stderr:
            raise Fail("stderr not a terminal, exit %d: %r" % (p.returncode, p.stderr[-200:]))
        return "%d refreshes, last %d messages" % (len(lines), counts[-1])
    finally:
        stop.set()
        t.join(5)


CHECKS = [("extcap", check_extcap), ("decode", check_decode), ("cgroup", check_cgroup),
          ("status", check_status)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unixcap", required=True)
    ap.add_argument("--unixgen", required=True)
    ap.add_argument("--lua", required=True)
    ap.add_argument("--extcap-root", required=True)
    ap.add_argument("--checks", default=",".join(n for n, _ in CHECKS))
    ap.add_argument("--keep")
    a = ap.parse_args()
    a.unixcap, a.unixgen, a.lua, a.extcap_root = map(os.path.abspath, (
        a.unixcap, a.unixgen, a.lua, a.extcap_root))
    wanted = a.checks.split(",")
    unknown = set(wanted) - {n for n, _ in CHECKS}
    if unknown:
        print("check_extcap: unknown checks %s" % sorted(unknown), file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("check_extcap: needs root (BPF, cgroups, setuid helper)", file=sys.stderr)
        return 1
    if "extcap" in wanted and not shutil.which("tshark"):
        print("check_extcap: tshark is not installed", file=sys.stderr)
        return 77
    failed = 0
    for name, fn in CHECKS:
        if name not in wanted:
            continue
        work = a.keep and os.path.join(a.keep, name) or tempfile.mkdtemp(prefix="uc-extcap-")
        os.makedirs(work, exist_ok=True)
        try:
            print("ok %s: %s" % (name, fn(a, work)))
        except (Fail, subprocess.SubprocessError, OSError) as e:
            failed += 1
            print("FAIL %s: %s" % (name, e))
        finally:
            if not a.keep:
                shutil.rmtree(work, ignore_errors=True)
        sys.stdout.flush()
    print("%d passed, %d failed" % (sum(1 for n, _ in CHECKS if n in wanted) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
