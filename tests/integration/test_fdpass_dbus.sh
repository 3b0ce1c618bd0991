#!/bin/bash
# A real fd-passing user: a D-Bus client (dbus-python) sends a UnixFD argument to a real
# dbus-daemon. unixcap --fds --json must show the client's fd and its name on the send, and
# on the receive the fd number the daemon really got, linked back to the client's fd. The
# fd numbers on both sides are read independently from strace.
set -u
UNIXCAP=${UNIXCAP:?set UNIXCAP to the unixcap binary}
PY=/usr/bin/python3
FILE=/etc/hostname

fail() { echo "FAIL fdpass-dbus: $*"; exit 1; }
for t in dbus-daemon strace "$PY"; do
	command -v "$t" >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
"$PY" -c 'import dbus' 2>/dev/null || { echo "skip: python3-dbus not installed"; exit 77; }
[ "$(id -u)" = 0 ] || fail "must run as root"

tmp=$(mktemp -d)
cap_pid='' strace_pid='' daemon_pid=''
cleanup() {
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	[ -n "$strace_pid" ] && kill "$strace_pid" 2>/dev/null
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

dbus-daemon --session --fork --address="unix:path=$tmp/bus" --print-pid=3 3>"$tmp/daemon.pid" ||
	fail "dbus-daemon did not start"
daemon_pid=$(cat "$tmp/daemon.pid")

strace -qq -e trace=recvmsg -e signal=none -p "$daemon_pid" -o "$tmp/daemon.strace" &
strace_pid=$!

"$UNIXCAP" --fds --json >"$tmp/cap.json" 2>"$tmp/cap.err" &
cap_pid=$!
for _ in $(seq 300); do
	grep -q "listening on" "$tmp/cap.err" && break
	kill -0 "$cap_pid" 2>/dev/null || fail "unixcap exited: $(head -c 300 "$tmp/cap.err")"
	sleep 0.1
done
grep -q "listening on" "$tmp/cap.err" || fail "unixcap did not start within 30 s"

strace -qq -f -e trace=sendmsg -e signal=none -o "$tmp/client.strace" \
	"$PY" - "$tmp/bus" "$FILE" >"$tmp/client.out" 2>&1 <<'PYEOF' || fail "client: $(cat "$tmp/client.out")"
import dbus, os, sys
fd = os.open(sys.argv[2], os.O_RDONLY)
bus = dbus.bus.BusConnection("unix:path=" + sys.argv[1])
try:
    # The bus driver has no method taking an fd; the daemon receives it all the same.
    bus.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                      "GetNameOwner", "h", [dbus.types.UnixFd(fd)])
except dbus.exceptions.DBusException:
    pass
print(os.getpid())
PYEOF
client_pid=$(tail -1 "$tmp/client.out")
sleep 0.5
kill -INT "$cap_pid"
wait "$cap_pid"
cap_pid=''
kill "$strace_pid" 2>/dev/null
wait "$strace_pid" 2>/dev/null
strace_pid=''

# SCM_RIGHTS fds as strace shows them: cmsg_data=[N]
sent_fd=$(grep -o 'SCM_RIGHTS, cmsg_data=\[[0-9]*\]' "$tmp/client.strace" | grep -o '[0-9]*' | tail -1)
recv_fd=$(grep -o 'SCM_RIGHTS, cmsg_data=\[[0-9]*\]' "$tmp/daemon.strace" | grep -o '[0-9]*' | tail -1)
[ -n "$sent_fd" ] || fail "strace saw no SCM_RIGHTS sendmsg in the client"
[ -n "$recv_fd" ] || fail "strace saw no SCM_RIGHTS recvmsg in dbus-daemon"

"$PY" - "$tmp/cap.json" "$client_pid" "$daemon_pid" "$sent_fd" "$recv_fd" "$FILE" <<'PYEOF'
import json, sys
path, client, daemon, sent_fd, recv_fd, name = sys.argv[1:]
client, daemon, sent_fd, recv_fd = int(client), int(daemon), int(sent_fd), int(recv_fd)
msgs = [json.loads(l) for l in open(path)]
problems = []
sends = [m for m in msgs if m["pid"] == client and "recv" not in m["flags"]]
recvs = [m for m in msgs if m["pid"] == daemon and "recv" in m["flags"]]
if len(sends) != 1:
    problems.append(f"{len(sends)} sends with fds from the client, expected 1")
elif [(f["fd"], f["name"]) for f in sends[0]["fds"]] != [(sent_fd, name)]:
    problems.append(f"send fds {sends[0]['fds']}, expected fd {sent_fd} {name}")
if len(recvs) != 1:
    problems.append(f"{len(recvs)} receives with fds in dbus-daemon, expected 1")
else:
    r = recvs[0]
    if r["comm"] != "dbus-daemon":
        problems.append(f"receive comm {r['comm']}")
    if [(f["fd"], f["name"], f.get("sent_fd")) for f in r["fds"]] != [(recv_fd, name, sent_fd)]:
        problems.append(f"receive fds {r['fds']}, expected fd {recv_fd} {name} sent_fd {sent_fd}")
    if r.get("sender", {}).get("pid") != client:
        problems.append(f"receive sender {r.get('sender')}, expected pid {client}")
if problems:
    print("FAIL fdpass-dbus: " + "; ".join(problems))
    sys.exit(1)
print(f"ok fdpass-dbus: client fd {sent_fd} -> dbus-daemon fd {recv_fd} ({name})")
PYEOF
