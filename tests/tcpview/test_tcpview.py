"""--view tcp against real peers, judged by tshark's own dissectors (docs/wireshark.md).

For each peer a real client talks to a real server over a Unix socket while unixcap
captures it three ways at once: the unix link type to a file, --view tcp to a file, and
--view tcp on stdout (-w -). The unix file is also converted (-r FILE --view tcp -w NEW).
Then, in both TCP files, tshark (no Lua, fresh profile) must decode the peer's protocol
with Wireshark's own dissector, and for every TCP stream `tshark -z follow,tcp,raw,N` must
give exactly the bytes `unixcap follow --raw --conv ID` gives from the unix file.

Peers: http (curl --unix-socket to a stdlib HTTP server; also -s 1000: the cut bytes must be a
sequence jump that tshark flags as a lost segment), pgsql (a private PostgreSQL cluster,
psql), redis (redis-server --unixsocket, redis-cli), grpc (python3-grpcio, a unary and a
server-streaming call over unix:), dbus (a private dbus-daemon, python3-dbus sending a
300 KB message).

Usage: test_tcpview.py UNIXCAP PEER   (root; a missing peer program is a failure: install it
with tests/install-deps.sh --test)
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conv"))
from convlib import Capture, Failure, check, main, run, start_all  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# The Debian interpreter: python3-grpcio and python3-dbus are installed for it.
DEB_PY = "/usr/bin/python3"


def need(*progs):
    for p in progs:
        check(shutil.which(p) or os.path.exists(p),
              f"{p} is not installed: run tests/install-deps.sh --test")


# Another tshark to judge by as well (e.g. 4.4 from Debian trixie, Lua 5.4), in a chroot
# made with `debootstrap --variant=minbase --include=tshark trixie DIR` (/work/shared/README.md):
# UNIXCAP_TSHARK_CHROOT=DIR. It reads the files on stdin, as nobody.
TSHARKS = [None] + ([os.environ["UNIXCAP_TSHARK_CHROOT"]]
                    if os.environ.get("UNIXCAP_TSHARK_CHROOT") else [])
_chroot = None


def tshark_cmd(root):
    if not root:
        return ["tshark"]
    return ["chroot", root, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "env", "HOME=/tmp", "XDG_CONFIG_HOME=/tmp/unixcap-no-profile", "tshark"]


def tshark_version(root):
    p = subprocess.run(tshark_cmd(root) + ["--version"], capture_output=True, timeout=60)
    m = re.search(rb"TShark \(Wireshark\) ([0-9]+(?:\.[0-9]+)*)", p.stdout)
    return m.group(1).decode() if m else "?"


def decode_files(r):
    """The TCP files of a run, once per tshark to judge by (protocol checks)."""
    global _chroot
    for root in TSHARKS:
        _chroot = root
        label = f" [tshark {tshark_version(root)}]"
        for what, f in r.files():
            yield what + label, f
    _chroot = None


def tshark(args, what, env):
    stdin = None
    if _chroot:
        i = args.index("-r")
        stdin = open(args[i + 1], "rb")
        args = args[:i + 1] + ["-"] + args[i + 2:]
    p = subprocess.run(tshark_cmd(_chroot) + args, capture_output=True, timeout=120, env=env,
                       stdin=stdin)
    err = p.stderr.decode(errors="replace")
    err = "\n".join(line for line in err.splitlines() if "Running as user" not in line)
    check(p.returncode == 0 and not err.strip(), f"tshark {what}: exit {p.returncode}: {err[:400]}")
    return p.stdout.decode(errors="replace")


def fields(path, flt, names, env, extra=()):
    args = ["-r", path, "-Y", flt, "-T", "fields", "-E", "separator=|"] + list(extra)
    for n in names:
        args += ["-e", n]
    out = tshark(args, f"{flt} in {os.path.basename(path)}", env)
    return [line.split("|") for line in out.splitlines()]


def follow_tshark(path, stream, env, extra=()):
    """tshark -z follow,tcp,raw,N: (client bytes, server bytes, client address)."""
    out = tshark(["-r", path, "-q", "-z", f"follow,tcp,raw,{stream}"] + list(extra),
                 f"follow {stream}", env)
    node0, c, s = None, bytearray(), bytearray()
    body = False
    for line in out.splitlines():
        if line.startswith("Node 0: "):
            node0 = line[8:].rsplit(":", 1)[0]
            body = True
            continue
        if not body or line.startswith("Node 1:"):
            continue
        if line.startswith("====="):
            break
        if line.startswith("\t"):
            s += bytes.fromhex(line.strip())
        elif line.strip():
            c += bytes.fromhex(line.strip())
    return bytes(c), bytes(s), node0


def conv_of_client(addr):
    """Conversation id from a client address 127.a.b.c (tcpview.h)."""
    o = [int(x) for x in addr.split(".")]
    check(o[0] == 127 and o[1] < 128, f"not a client address of the TCP view: {addr}")
    return (o[1] << 16 | o[2] << 8 | o[3]) - 1


def check_follow(tmp, unixcap, unix_file, tcp_file, env, extra=(), what=""):
    """Every conversation of tcp_file against unixcap follow --raw of it: the bytes of its
    TCP streams (a D-Bus conversation has two: SASL lines, then messages) in stream order."""
    streams = sorted({int(r[0]) for r in fields(tcp_file, "tcp", ["tcp.stream"], env, extra)})
    check(streams, f"{what}: no TCP stream in {tcp_file}")
    convs = {}
    for n in streams:
        c, s, node0 = follow_tshark(tcp_file, n, env, extra)
        got = convs.setdefault(conv_of_client(node0), [b"", b"", []])
        got[0] += c
        got[1] += s
        got[2].append(n)
    for conv, (c, s, ns) in sorted(convs.items()):
        d = os.path.join(tmp, f"f-{os.path.basename(tcp_file)}-{conv}")
        run([unixcap, "follow", "-r", unix_file, "--conv", str(conv), "--raw", d],
            f"follow --conv {conv}")
        uc = open(os.path.join(d, "client.bin"), "rb").read()
        us = open(os.path.join(d, "server.bin"), "rb").read()
        check(c == uc, f"{what}: streams {ns} (conversation {conv}) client bytes: tshark "
              f"{len(c)}, unixcap follow {len(uc)}, first difference at "
              f"{next((i for i, (a, b) in enumerate(zip(c, uc)) if a != b), min(len(c), len(uc)))}")
        check(s == us, f"{what}: streams {ns} (conversation {conv}) server bytes: tshark "
              f"{len(s)}, unixcap follow {len(us)}")
    return len(streams)


class Run:
    """The three captures of one peer, and the conversion of the unix file."""

    def __init__(self, tmp, unixcap, sock, env, extra_caps=()):
        self.tmp, self.unixcap, self.env = tmp, unixcap, env
        j = lambda *p: os.path.join(tmp, *p)
        self.unix, self.tcp, self.stdout_file, self.conv = (j("unix.pcapng"), j("tcp.pcapng"),
                                                            j("stdout.pcapng"), j("conv.pcapng"))
        filt = ["-B", "4096", "--path", sock]
        self.caps = [Capture(unixcap, filt + ["-w", self.unix], tmp, "unix"),
                     Capture(unixcap, filt + ["--view", "tcp", "-w", self.tcp], tmp, "tcp"),
                     Capture(unixcap, filt + ["--view", "tcp", "-w", "-"], tmp, "stdout")]
        for name, args in extra_caps:
            self.caps.append(Capture(unixcap, filt + args, tmp, name))
        try:
            start_all(self.caps, timeout=180)
        except Failure:
            for c in self.caps:  # none left running
                if c.proc.poll() is None:
                    c.proc.terminate()
                    c.proc.wait(timeout=20)
            raise

    def stop(self):
        time.sleep(0.5)
        for c in self.caps:
            rc = c.stop()
            check(rc == 0, f"{c.name}: unixcap exit {rc}: {c.stderr()[:300]}")
        shutil.copyfile(os.path.join(self.tmp, "stdout.out"), self.stdout_file)
        run([self.unixcap, "-r", self.unix, "--view", "tcp", "-w", self.conv], "-r --view tcp")
        for f in (self.unix, self.tcp, self.conv):
            check(os.stat(f).st_mode & 0o777 == 0o600, f"{f} is not mode 0600")

    def files(self):
        return [("live -w FILE", self.tcp), ("live -w -", self.stdout_file),
                ("-r conversion", self.conv)]


def common_checks(r, env, extra=()):
    ok = []
    for what, f in decode_files(r):
        n = check_follow(r.tmp, r.unixcap, r.unix, f, env, extra, what)
        ok.append(f"{what}: {n} TCP stream(s), tshark follow,tcp,raw == unixcap follow --raw")
    names = fields(r.conv, "frame.number == 1", ["ip.src_host", "ip.dst_host"], env,
                   ["-N", "n"])
    # Shown names replace the made-up addresses: "comm[pid] path", or "pid N path" when the
    # process was gone before its name could be read (a short-lived client thread).
    check(names and all(n and not n[0].isdigit() for n in names[0]),
          f"NRB names not shown: {names[:1]}")
    comments = fields(r.conv, "tcp.len > 0 || udp", ["frame.comment"], env)
    check(comments and all("conversation" in c[0] or "continued" in c[0] for c in comments),
          "a data packet without its summary comment")
    ok.append(f"NRB names ({names[0][0]} -> {names[0][1]}) and summary comments")
    return ok


def new_env(tmp):
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(tmp, "xdg"), HOME=tmp)
    os.makedirs(env["XDG_CONFIG_HOME"], exist_ok=True)
    return env


# ---- peers --------------------------------------------------------------------------------

def peer_http(tmp, unixcap, env):
    need("curl")
    sock = os.path.join(tmp, "http.sock")
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "conv", "http_server.py"),
                            sock], stdout=subprocess.PIPE)
    try:
        check(srv.stdout.readline().strip() == b"ready", "http_server.py did not start")
        r = Run(tmp, unixcap, sock, env, [("gap", ["--view", "tcp", "-s", "1000", "-w",
                                                   os.path.join(tmp, "gap.pcapng")])])
        run(["curl", "-sS", "--unix-socket", sock, "-o", os.path.join(tmp, "b100"),
             "http://unix/100"], "curl")
        # Two requests on one connection: with -s 1000 the hole is followed by more bytes.
        run(["curl", "-sS", "--unix-socket", sock, "-o", os.path.join(tmp, "b200000"),
             "http://unix/200000", "-o", os.path.join(tmp, "b10"), "http://unix/10"], "curl")
        r.stop()
    finally:
        srv.terminate()
        srv.wait(timeout=10)
    ok = []
    for what, f in decode_files(r):
        req = fields(f, "http.request", ["http.request.uri"], env)
        resp = fields(f, "http.response", ["http.response.code", "http.content_length"], env)
        check([x[0] for x in req] == ["/100", "/200000", "/10"], f"{what}: http requests {req}")
        check([x for x in resp] == [["200", "100"], ["200", "200000"], ["200", "10"]],
              f"{what}: http responses {resp}")
        ok.append(f"{what}: 3 requests and 3 responses decoded as http "
                  "(200000-byte body reassembled)")
    ok += common_checks(r, env)
    gap = os.path.join(tmp, "gap.pcapng")
    lost = fields(gap, "tcp.analysis.lost_segment", ["tcp.stream", "tcp.seq"], env)
    check(lost, "-s 1000: no 'previous segment not captured' in the TCP view")
    resp = fields(gap, "http.response", ["http.response.code"], env)
    lens = fields(gap, "tcp.len > 0 && tcp.srcport == 80", ["tcp.len"], env)
    check(all(int(x[0]) <= 1000 for x in lens), f"-s 1000: a segment over the snaplen {lens}")
    check(["/10"] in fields(gap, "http.request", ["http.request.uri"], env),
          "-s 1000: the request after the hole not decoded")
    ok.append(f"-s 1000: cut bytes are a sequence jump ({len(lost)} lost-segment mark(s)), "
              f"{len(resp)} response header(s) still decoded")
    return ok


def peer_pgsql(tmp, unixcap, env):
    bindir = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1] \
        if os.path.isdir("/usr/lib/postgresql") else None
    check(bindir, "postgresql is not installed: run tests/install-deps.sh --test")
    bindir = os.path.join("/usr/lib/postgresql", bindir, "bin")
    need(os.path.join(bindir, "initdb"), "psql")
    os.chmod(tmp, 0o755)
    pg = os.path.join(tmp, "pg")  # the cluster's own directory, the postgres user's
    data, sockdir = os.path.join(pg, "data"), os.path.join(pg, "sock")
    for d in (pg, sockdir):
        os.makedirs(d)
        shutil.chown(d, "postgres", "postgres")
    as_pg = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
    run(as_pg + [os.path.join(bindir, "initdb"), "-D", data, "-A", "trust", "-U", "postgres"],
        "initdb")
    run(as_pg + [os.path.join(bindir, "pg_ctl"), "-D", data, "-l", os.path.join(pg, "log"),
                 "-w", "-o", f"-k {sockdir} -c listen_addresses=''", "start"], "pg_ctl start")
    try:
        sock = os.path.join(sockdir, ".s.PGSQL.5432")
        r = Run(tmp, unixcap, sock, env)
        q = "SELECT n, repeat('x', n) AS s FROM generate_series(1, 5) AS n"
        out = run(as_pg + ["psql", "-h", sockdir, "-U", "postgres", "-At", "-c", q], "psql")
        check(out.stdout.decode().count("|") == 5, f"psql output {out.stdout[:200]!r}")
        r.stop()
    finally:
        run(as_pg + [os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"],
            "pg_ctl stop")
    ok = []
    for what, f in decode_files(r):
        qs = fields(f, "pgsql.query", ["pgsql.query"], env)
        check(any(x[0] == q for x in qs), f"{what}: pgsql.query {qs}")
        rows = fields(f, "pgsql.type == \"Data row\"", ["pgsql.val.data"], env)
        vals = ",".join(x[0] for x in rows)
        check("xxxxx" in vals.replace(":", "") or "7878787878" in vals,
              f"{what}: data rows {rows[:3]}")
        startup = fields(f, "pgsql", ["pgsql.type"], env)
        ok.append(f"{what}: the query and its rows decoded as pgsql "
                  f"({len(startup)} pgsql packets)")
    ok += common_checks(r, env)
    return ok


def peer_redis(tmp, unixcap, env):
    need("redis-server", "redis-cli")
    sock = os.path.join(tmp, "redis.sock")
    srv = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", sock,
                            "--save", "", "--appendonly", "no", "--dir", tmp],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        check(os.path.exists(sock), "redis-server did not create its socket")
        r = Run(tmp, unixcap, sock, env)
        run(["redis-cli", "-s", sock, "SET", "unixcap-key", "x" * 5000], "redis-cli SET")
        got = run(["redis-cli", "-s", sock, "GET", "unixcap-key"], "redis-cli GET")
        check(got.stdout.strip() == b"x" * 5000, "redis GET gave something else")
        r.stop()
    finally:
        srv.terminate()
        srv.wait(timeout=10)
    ok = []
    for what, f in decode_files(r):
        # resp.bulk_string.value is a byte string: tshark prints it in hex, ','-separated.
        vals = [v for x in fields(f, "resp", ["resp.bulk_string.value"], env)
                for v in x[0].split(",") if v]
        joined = ",".join(bytes.fromhex(v).decode("latin-1") for v in vals)
        check("SET" in joined and "GET" in joined and "unixcap-key" in joined,
              f"{what}: resp bulk strings {joined[:200]}")
        check("x" * 5000 in joined, f"{what}: the 5000-byte value not decoded")
        ok.append(f"{what}: SET/GET commands and the 5000-byte reply decoded as resp")
    ok += common_checks(r, env)
    return ok


def peer_grpc(tmp, unixcap, env):
    p = subprocess.run([DEB_PY, "-c", "import grpc"], capture_output=True)
    check(p.returncode == 0, "python3-grpcio is not installed: run tests/install-deps.sh --test")
    sock = os.path.join(tmp, "grpc.sock")
    srv = subprocess.Popen([DEB_PY, os.path.join(HERE, "grpc_peer.py"), "serve", sock],
                           stdout=subprocess.PIPE)
    try:
        check(srv.stdout.readline().strip() == b"ready", "grpc_peer.py serve did not start")
        r = Run(tmp, unixcap, sock, env)
        out = run([DEB_PY, os.path.join(HERE, "grpc_peer.py"), "call", sock], "grpc call")
        check(b"unary ok" in out.stdout and b"stream 3" in out.stdout,
              f"grpc client: {out.stdout[:200]!r}")
        r.stop()
    finally:
        srv.terminate()
        srv.wait(timeout=10)
    ok = []
    for what, f in decode_files(r):
        paths = {x[0] for x in fields(f, "http2.headers.path", ["http2.headers.path"], env)}
        check({"/unixcap.Test/Unary", "/unixcap.Test/Stream"} <= paths,
              f"{what}: http2 :path {paths}")
        msgs = fields(f, "grpc.message_length", ["grpc.message_length"], env)
        check(len(msgs) >= 5, f"{what}: grpc messages {msgs}")
        ok.append(f"{what}: gRPC over HTTP/2 decoded: {sorted(paths)}, "
                  f"{len(msgs)} grpc message(s)")
    ok += common_checks(r, env)
    return ok


DBUS_PORT = "40001"


def peer_dbus(tmp, unixcap, env):
    need("dbus-daemon")
    p = subprocess.run([DEB_PY, "-c", "import dbus"], capture_output=True)
    check(p.returncode == 0, "python3-dbus is not installed: run tests/install-deps.sh --test")
    bus = os.path.join(tmp, "bus")
    d = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-pid",
                        f"--address=unix:path={bus}"], capture_output=True, timeout=30)
    check(d.returncode == 0, f"dbus-daemon: {d.stderr[:200]!r}")
    dpid = int(d.stdout.split()[0])
    try:
        r = Run(tmp, unixcap, bus, env)
        out = run([DEB_PY, os.path.join(HERE, "dbus_peer.py"), bus], "dbus_peer.py")
        sent = int(out.stdout.split()[0])
        r.stop()
    finally:
        os.kill(dpid, signal.SIGTERM)
    extra = ["-d", f"tcp.port=={DBUS_PORT},dbus"]
    ok = []
    for what, f in decode_files(r):
        msgs = fields(f, "dbus", ["dbus.message_type", "dbus.member", "dbus.body_length"], env,
                      extra)
        members = [m[1] for m in msgs]
        check("Hello" in members and "Ping" in members, f"{what}: dbus members {members}")
        big = [m for m in msgs if m[1] == "Big"]
        check(big and int(big[0][2]) >= 300000, f"{what}: the 300 KB signal: {big}")
        check(len(msgs) >= sent, f"{what}: {len(msgs)} D-Bus messages decoded, "
              f"the client alone sent {sent}")
        ok.append(f"{what}: {len(msgs)} D-Bus messages decoded (the 300 KB 'Big' signal "
                  f"reassembled from {big[0][2]} body bytes)")
    ok += common_checks(r, env, extra)
    ok.append(lua_dbus(r, env))
    return ok


SASL = re.compile(r"^(AUTH|OK|BEGIN|DATA|REJECTED|ERROR|CANCEL|NEGOTIATE_UNIX_FD|AGREE_UNIX_FD)"
                  r"( [ -~]*)?$")


def lua_dbus(r, env):
    """The unix link type through dissectors/unixcap.lua: messages split across sends are
    continued, never shown as SASL text; the 300 KB signal is said to continue."""
    lua = os.path.join(HERE, "..", "..", "dissectors", "unixcap.lua")
    args = ["-X", f"lua_script:{lua}", "-r", r.unix]
    auth = tshark(args + ["-Y", "unixcap.dbus_auth", "-T", "fields", "-e", "unixcap.dbus_auth"],
                  "lua dbus auth", env)
    lines = [x for line in auth.splitlines() for x in line.split(",") if x]
    bad = [x for x in lines if not SASL.match(x)]
    check(lines and not bad, f"unix link type: payload shown as SASL text: {bad[:3]}")
    info = tshark(args, "lua dbus", env)
    check("Lua: Error" not in info, "unixcap.lua failed to load")
    cont = info.count("D-Bus message continued")
    begins = info.count("D-Bus message begins")
    check(begins >= 1 and cont >= 1, "unix link type: the 300 KB message split across sends "
          f"not said to continue ({begins} begins, {cont} continued)")
    return (f"unix link type (unixcap.lua): {len(lines)} SASL lines, all SASL; the 300 KB "
            f"message said to begin in {begins} and to continue in {cont} packet(s)")


PEERS = {"http": peer_http, "pgsql": peer_pgsql, "redis": peer_redis, "grpc": peer_grpc,
         "dbus": peer_dbus}


def body():
    unixcap, peer = sys.argv[1], sys.argv[2]
    need("tshark")
    tmp = tempfile.mkdtemp(prefix=f"unixcap-tcpview-{peer}-")
    try:
        return PEERS[peer](tmp, unixcap, new_env(tmp))
    finally:
        if not os.environ.get("UNIXCAP_KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(body)
