"""A D-Bus call (dbus-send to a private dbus-daemon) captured live; `unixcap follow --inode`
of the client's socket must give back exactly the bytes dbus-send sent and received, as
strace -xx shows them (auth lines, the Hello and the call with a 3000-byte argument, and the
replies). A second capture with a snaplen below the call's size marks the cut as a gap.

Usage: test_follow_dbus.py UNIXCAP  (root; exit 77 only when dbus-daemon, dbus-send or
strace is not installed)"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from convlib import (Capture, Failure, SkipTest, check, compare_raw, conversations, main, run,
                     start_all, strace_bytes)

ARG = 3000  # bytes of the string argument: the call is larger than SNAP
SNAP = 2048


def body(tmp, unixcap):
    j = lambda *p: os.path.join(tmp, *p)
    bus = j("bus")
    daemon = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-pid",
                             f"--address=unix:path={bus}"], capture_output=True, timeout=30)
    check(daemon.returncode == 0, f"dbus-daemon: {daemon.stderr[:200]!r}")
    dpid = int(daemon.stdout.split()[0])
    try:
        return checks(tmp, unixcap, bus, dpid)
    finally:
        os.kill(dpid, signal.SIGTERM)


def checks(tmp, unixcap, bus, dpid):
    j = lambda *p: os.path.join(tmp, *p)
    small = ["-B", "1024", "--path", bus]
    caps = [Capture(unixcap, small + ["-w", j("cap.pcapng")], tmp, "w"),
            Capture(unixcap, small + ["-w", j("gap.pcapng"), "-s", str(SNAP)], tmp, "gap")]
    try:
        start_all(caps)
        p = subprocess.run(["strace", "-yy", "-xx", "-s", "1000000", "-o", j("client.strace"),
                            "-e", "trace=%network,read,write,readv,writev", "dbus-send",
                            f"--bus=unix:path={bus}", "--print-reply",
                            "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus.NameHasOwner", "string:" + "a" * ARG],
                           capture_output=True, timeout=60)
        check(p.returncode == 0 and b"boolean false" in p.stdout,
              f"dbus-send: {p.returncode} {p.stdout[:200]!r} {p.stderr[:200]!r}")
        time.sleep(0.5)
    finally:
        rcs = [c.stop() for c in caps]
    for c, rc in zip(caps, rcs):
        check(rc == 0, f"{c.name}: unixcap exit {rc}: {c.stderr()[:300]}")

    st = open(j("client.strace"), encoding="latin-1").read()
    m = re.search(r"^connect\(\d+<UNIX-STREAM:\[(\d+)\]>", st, re.M)
    check(m, "strace shows no connect of dbus-send")
    inode = int(m.group(1))
    sent, recv = strace_bytes(j("client.strace"), inode)
    check(sent.startswith(b"\0AUTH ") and len(sent) > ARG and b"OK " in recv,
          f"strace bytes are not a D-Bus exchange: {sent[:20]!r} {recv[:20]!r}")
    truth = {"client": sent, "server": recv}
    ok = []

    convs = [c for c in conversations(unixcap, j("cap.pcapng"))
             if c["client"]["inode"] == inode]
    check(len(convs) == 1, f"conversations of dbus-send's socket {inode}: {convs}")
    c = convs[0]
    check(c["client"]["comm"] == "dbus-send" and c["server"]["pid"] == dpid and
          c["server"]["comm"] == "dbus-daemon" and c["server"]["path"] == bus,
          f"conversation ends {c['client']} {c['server']}")
    check(c["client_to_server"]["bytes"] == len(sent) and
          c["server_to_client"]["bytes"] == len(recv),
          f"conversation bytes {c['client_to_server']} {c['server_to_client']}, dbus-send "
          f"sent {len(sent)} and received {len(recv)}")
    ok.append(f"conversations: dbus-send <-> dbus-daemon ({dpid}), {len(sent)}/{len(recv)} bytes")

    run([unixcap, "follow", "-r", j("cap.pcapng"), "--inode", str(inode), "--raw", j("raw")],
        "follow --inode --raw")
    compare_raw(j("raw"), truth, "D-Bus follow --raw")
    text = run([unixcap, "follow", "-r", j("cap.pcapng"), "--inode", str(inode)],
               "follow").stdout.decode(errors="replace")
    check(re.search(r"^--- client > server .* dbus-send 1 bytes at 0\n\.\n--- client > server "
                    r".* dbus-send \d+ bytes at 1\nAUTH EXTERNAL", text, re.M),
          "follow: the auth exchange is not shown as sent")
    ok.append("follow --inode --raw: byte-exact with what strace saw dbus-send send and receive")

    run([unixcap, "follow", "-r", j("gap.pcapng"), "--inode", str(inode), "--raw", j("gap")],
        "follow gap --raw")
    gaps = compare_raw(j("gap"), truth, "D-Bus follow --raw, snaplen gap", expect_gaps=True)
    check(len(gaps) == 1 and gaps[0][0] == "client", f"gaps.txt {gaps}")
    ok.append(f"snaplen {SNAP}: the {gaps[0][2]} bytes cut from the call are a gap, zeros in "
              "client.bin; everything else byte-exact")
    return ok


def test():
    if len(sys.argv) != 2:
        raise Failure("usage: test_follow_dbus.py UNIXCAP")
    for tool in ("dbus-daemon", "dbus-send", "strace"):
        if not shutil.which(tool):
            raise SkipTest(f"{tool} not installed")
    check(os.geteuid() == 0, "must run as root (live capture)")
    tmp = tempfile.mkdtemp(prefix="unixcap-dbus-")
    try:
        return body(tmp, sys.argv[1])
    finally:
        if not os.environ.get("KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept", tmp)


if __name__ == "__main__":
    main(test)
