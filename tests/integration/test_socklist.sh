#!/bin/bash
# unixcap -L against ss -xp and /proc/net/unix, field by field, for the sockets that
# socklist_sockets creates (pairs, listeners, a connection not yet accepted, abstract names,
# datagrams, sockets shared after fork); the filters and --dump; that a capture with
# --sock ADDR and the listing agree on ADDR; and that captured datagrams name the process
# holding the peer socket when the kernel has no peer credentials.
#
# Environment: UNIXCAP, SOCKLIST_SOCKETS (binaries). Needs root, ss, python3; exits 77
# (skipped) without them. /proc/net/unix shows real addresses only with kptr_restrict=1:
# the test sets it for its reads and restores the previous value.
set -euo pipefail

: "${UNIXCAP:?set UNIXCAP to the unixcap binary}"
: "${SOCKLIST_SOCKETS:?set SOCKLIST_SOCKETS to the socklist_sockets binary}"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root"
command -v ss >/dev/null || skip "needs ss (iproute2)"
command -v python3 >/dev/null || skip "needs python3"

work=$(mktemp -d /tmp/uc-socklist.XXXXXX)
kptr_file=/proc/sys/kernel/kptr_restrict
kptr_saved=$(cat "$kptr_file")
cap_pid=
helper_pid=

cleanup() {
	set +e
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null && wait "$cap_pid" 2>/dev/null
	if [ -n "$helper_pid" ]; then
		{ echo exit >&"${HELPER[1]}"; } 2>/dev/null
		wait "$helper_pid" 2>/dev/null
	fi
	echo "$kptr_saved" >"$kptr_file"
	rm -rf "$work"
}
trap cleanup EXIT

# ---- the sockets -------------------------------------------------------------------------

coproc HELPER { exec "$SOCKLIST_SOCKETS" "$work"; }
# shellcheck disable=SC2153 # set by coproc
helper_pid=$HELPER_PID
: >"$work/sockets"
while :; do
	read -r -t 20 line <&"${HELPER[0]}" || fail "socklist_sockets did not get ready"
	[ "$line" = ready ] && break
	echo "$line" >>"$work/sockets"
done
read -r _ main_pid child1 child2 child3 < <(grep '^pids ' "$work/sockets")
inode_of() { awk -v n="$1" '$1 == "sock" && $2 == n { print $3 }' "$work/sockets"; }

# One command to the helper; its answer must be "sent NAME".
helper() {
	local reply
	echo "$1 $2" >&"${HELPER[1]}"
	read -r -t 10 reply <&"${HELPER[0]}" || fail "no answer from socklist_sockets to '$1 $2'"
	[ "$reply" = "sent $2" ] || fail "socklist_sockets: $reply"
}

# ---- the three views, taken while nothing moves ------------------------------------------

sources=(auto proc fd)
echo 1 >"$kptr_file"
for src in "${sources[@]}"; do
	"$UNIXCAP" -L --json --addr-source "$src" >"$work/list.$src.json" 2>"$work/list.$src.err" ||
		fail "unixcap -L --addr-source $src: $(cat "$work/list.$src.err")"
done
cp /proc/net/unix "$work/procnet"
echo "$kptr_saved" >"$kptr_file"
ss -xapH >"$work/ss"
"$UNIXCAP" -L --dump >"$work/dump"
"$UNIXCAP" -L >"$work/table"

# ---- field by field ----------------------------------------------------------------------

compare() {
	python3 - "$work" "$main_pid" "$child1" "$child2" "$child3" "$@" <<'EOF'
import json, re, sys

work, main, c1, c2, c3 = sys.argv[1], *map(int, sys.argv[2:6])
lists = sys.argv[6:]
errors = []
def err(msg):
    errors.append(msg)

socks = {}  # name -> inode
for line in open(f"{work}/sockets"):
    f = line.split()
    if f[0] == "sock":
        socks[f[1]] = int(f[2])
abstract = b"\0uc-socklist-%d" % main
stream_path = f"{work}/stream.sock".encode()

# What the helper made: path, peer (by name; None = no peer, "embryo" = not accepted),
# holders (pid, comm), as its usage text describes.
M, C1, C2, C3 = (main, "sl-main"), (c1, "sl-child1"), (c2, "sl-child2"), (c3, "sl-child3")
expect = {
    "shared_a": (b"", "shared_b", {M, C1}), "shared_b": (b"", "shared_a", {C2}),
    "far_dg": (abstract + b"-far", None, {C3}), "far_cli": (b"", "far_dg", {M}),
    "pair_a": (b"", "pair_b", {M}), "pair_b": (b"", "pair_a", {M}),
    "seq_a": (b"", "seq_b", {M}), "seq_b": (b"", "seq_a", {M}),
    "lst": (stream_path, None, {M}), "cli": (b"", "srv", {M}),
    "srv": (stream_path, "cli", {M}), "pend": (b"", "embryo", {M}),
    "abs_lst": (abstract, None, {M}), "abs_cli": (b"", "abs_srv", {M}),
    "abs_srv": (abstract, "abs_cli", {M}),
    "dg_srv": (f"{work}/dgram sock".encode(), None, {M}), "dg_cli": (b"", "dg_srv", {M}),
    "dg_free": (abstract + b"-\x01", None, {M}),
}
types = {"far_dg": "dgram", "far_cli": "dgram", "dg_srv": "dgram", "dg_cli": "dgram",
         "dg_free": "dgram", "seq_a": "seqpacket", "seq_b": "seqpacket"}
if set(expect) != set(socks):
    err(f"helper made {sorted(socks)}, test expects {sorted(expect)}")

def unescape(text):
    """unixcap's path text (@ for abstract, \\xNN, \\\\) -> the bytes."""
    out, i = bytearray(), 0
    if text.startswith("@"):
        out.append(0)
        i = 1
    while i < len(text):
        if text.startswith("\\\\", i):
            out.append(0x5C); i += 2
        elif text.startswith("\\x", i):
            out.append(int(text[i + 2:i + 4], 16)); i += 4
        else:
            out += text[i].encode(); i += 1
    return bytes(out)

# ss -xapH: Netid State Recv-Q Send-Q Local Port Peer Port [users:(...)]
ss = {}
ss_re = re.compile(rb"^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(.*?)\s+(\d+)\s+(\S+)\s+(\d+)\s*(users:.*)?$")
for raw in open(f"{work}/ss", "rb").read().split(b"\n"):
    m = ss_re.match(raw.rstrip())
    if not m:
        continue
    ino = int(m[6])
    users = {(int(p), c.decode(), int(fd))
             for c, p, fd in re.findall(rb'\("([^"]*)",pid=(\d+),fd=(\d+)\)', m[9] or b"")}
    local = m[5]
    # ss writes an abstract name's NULs as '@'.
    path = b"" if local == b"*" else (b"\0" + local[1:] if local.startswith(b"@") else local)
    ss[ino] = dict(netid=m[1].decode(), state=m[2].decode(), rq=int(m[3]), wq=int(m[4]),
                   path=path, peer=int(m[8]), users=users)

# /proc/net/unix: "ADDR: REFCNT PROTO FLAGS TYPE ST INODE[ PATH]"
procnet, procnet_anon = {}, []
for raw in open(f"{work}/procnet", "rb").read().split(b"\n")[1:]:
    f = raw.split(None, 6)
    if len(f) < 7:
        continue
    rest = f[6].split(b" ", 1)
    ino = int(rest[0])
    path = rest[1] if len(rest) > 1 else b""
    if path.startswith(b"@"):
        path = b"\0" + path[1:]  # and its other NULs, also '@', are compared as such
    ent = dict(addr=int(f[0].rstrip(b":"), 16), type=int(f[4], 16), path=path)
    if ino:
        procnet[ino] = ent
    else:
        procnet_anon.append(ent)
if not all(e["addr"] >> 48 == 0xFFFF for e in procnet.values()):
    err("/proc/net/unix shows no real addresses with kptr_restrict=1")

netid = {"stream": "u_str", "dgram": "u_dgr", "seqpacket": "u_seq"}
typenum = {"stream": 1, "dgram": 2, "seqpacket": 5}

def check_list(src):
    ul = [json.loads(l) for l in open(f"{work}/list.{src}.json")]
    by_ino = {}
    for u in ul:
        if u["inode"]:
            if u["inode"] in by_ino:
                err(f"[{src}] inode {u['inode']} listed twice")
            by_ino[u["inode"]] = u
    for name, ino in socks.items():
        path, peer, holders = expect[name]
        tag = f"[{src}] {name} (inode {ino})"
        u, s, p = by_ino.get(ino), ss.get(ino), procnet.get(ino)
        if not u or not s or not p:
            err(f"{tag}: in unixcap {bool(u)}, ss {bool(s)}, /proc/net/unix {bool(p)}")
            continue
        typ = types.get(name, "stream")
        def same(what, mine, *others):
            for o in others:
                if mine != o:
                    err(f"{tag}: {what}: unixcap {mine!r}, others {others!r}")
                    return
        # address
        same("address", u["sock"], "0x%x" % p["addr"])
        # type, state, queues
        same("type", u["type"], typ)
        same("ss netid", netid.get(u["type"]), s["netid"])
        same("/proc/net/unix type", typenum.get(u["type"]), p["type"])
        same("state", u["state"], s["state"])
        same("recv-q", u["recvq"], s["rq"])
        same("send-q", u["sendq"], s["wq"])
        # bound name
        mine = unescape(u["path"])
        same("path", mine, path, s["path"])
        same("/proc/net/unix path", mine.replace(b"\0", b"@"), p["path"].replace(b"\0", b"@"))
        # peer inode and address
        want_peer = socks.get(peer, 0) if peer else None
        same("peer inode", u["peer_inode"], want_peer)
        same("ss peer inode", u["peer_inode"] or 0, s["peer"])
        if peer == "embryo":
            # Not accepted: no inode, so only /proc/net/unix's inode-0 lines can name it.
            # /proc/net/unix alone does not link it to its peer: unknown is right there.
            known = u["peer_sock"] is not None
            if (known or src != "proc") and \
                    int(u["peer_sock"] or "0", 16) not in {e["addr"] for e in procnet_anon}:
                err(f"{tag}: peer address {u['peer_sock']} not among /proc/net/unix's "
                    "inode-0 sockets")
        elif peer:
            same("peer address", u["peer_sock"], "0x%x" % procnet[want_peer]["addr"])
        else:
            same("peer address", u["peer_sock"], None)
        # holders, and the peer's holders
        mine = {(o["pid"], o["comm"], o["fd"]) for o in u["owners"]}
        same("holders", mine, s["users"])
        same("holder pids", {(pid, comm) for pid, comm, _ in mine}, holders)
        if peer and peer != "embryo":
            mine = {(o["pid"], o["comm"], o["fd"]) for o in u["peer_owners"]}
            same("peer holders", mine, ss[want_peer]["users"])
            same("peer holder pids", {(pid, comm) for pid, comm, _ in mine}, expect[peer][2])

def check_dump():
    # name:pid:socket:peer_socket:peer_pid:peer_name, one line per socket and holder.
    lines = {}
    for l in open(f"{work}/dump", "rb"):
        f = l.rstrip(b"\n").split(b":")
        if len(f) != 6:
            err(f"--dump: bad line {l!r}")
            continue
        lines.setdefault(int(f[2]), set()).add(
            (f[0].decode(), f[1].decode(), int(f[3]), f[4].decode(), f[5].decode()))
    for name, ino in socks.items():
        s = ss[ino] if ino in ss else None
        if not s:
            continue
        peer_users = ss[s["peer"]]["users"] if s["peer"] in ss else set()
        first = min(peer_users) if peer_users else None
        want = {(c, str(p), s["peer"], str(first[0]) if first else "", first[1] if first else "")
                for p, c, _ in s["users"]}
        if lines.get(ino) != want:
            err(f"--dump {name}: {sorted(lines.get(ino, []))} != ss {sorted(want)}")

for src in lists:
    check_list(src)
check_dump()
for e in errors:
    print("FAIL:", e, file=sys.stderr)
print(f"{len(socks)} sockets, address sources {' '.join(lists)}, and --dump against ss -xp "
      f"and /proc/net/unix: {f'{len(errors)} mismatches' if errors else 'ok'}")
sys.exit(1 if errors else 0)
EOF
}

# Every address source that works here; auto must.
lists=()
for src in "${sources[@]}"; do
	if grep -q '"sock":"0x' "$work/list.$src.json"; then
		lists+=("$src")
	elif [ "$src" = auto ]; then
		fail "unixcap -L found no kernel addresses: $(cat "$work/list.auto.err")"
	else
		echo "note: address source $src unavailable: $(cat "$work/list.$src.err")"
	fi
done
compare "${lists[@]}"
grep -q '^0x' "$work/table" || fail "the table shows no addresses"

# ---- filters -----------------------------------------------------------------------------

# unixcap -L ARGS must list exactly the sockets (of the helper's) NAMES.
expect_listed() {
	local names=$1 got want
	shift
	got=$("$UNIXCAP" -L --json "$@" | python3 -c '
import json, sys
print(" ".join(sorted(str(json.loads(l)["inode"]) for l in sys.stdin)))')
	want=$(for n in $names; do inode_of "$n"; done | sort | paste -sd' ')
	[ "$got" = "$want" ] || fail "unixcap -L $*: inodes '$got', expected '$want' ($names)"
}
addr_of() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    u = json.loads(l)
    if u["inode"] == int(sys.argv[2]):
        print(u["sock"])' "$work/list.auto.json" "$(inode_of "$1")"
}
expect_listed "pair_a pair_b" --inode "$(inode_of pair_a)"
expect_listed "pair_a pair_b" --sock "$(addr_of pair_b)"
expect_listed "seq_a seq_b" -p "$main_pid" --type seqpacket
expect_listed "shared_a" -p "$child1"
expect_listed "shared_b far_dg" -p "$child2,$child3"
expect_listed "dg_srv dg_cli" --path "$work/dgram\\x20sock"
expect_listed "abs_lst abs_cli abs_srv" --path "@uc-socklist-$main_pid"
# pend's peer (not accepted, inode 0) is listed too, with the listener's name.
"$UNIXCAP" -L --json --path "$work/stream.sock" | grep -q '"inode":0,' ||
	fail "--path: the connection not yet accepted is missing"

for bad in "--sock xyz" "--sock 0" "--type raw" "-p 0" "-p 1,,2" "--inode -1" "--path" \
	"--json --dump" "--addr-source maybe" "stray" "-c 5"; do
	# shellcheck disable=SC2086
	if "$UNIXCAP" -L $bad >/dev/null 2>"$work/bad.err"; then
		fail "unixcap -L $bad succeeded"
	else
		rc=$?
	fi
	[ "$rc" = 2 ] || fail "unixcap -L $bad: exit $rc, expected 2"
	[ "$(wc -l <"$work/bad.err")" = 1 ] || fail "unixcap -L $bad: not one line: $(cat "$work/bad.err")"
done
echo "filters and bad options: ok"

# ---- capture against the listing ---------------------------------------------------------

# Starts a tracepoint capture of COUNT messages with ARGS into FILE; returns once attached.
capture_start() {
	local file=$1 count=$2
	shift 2
	"$UNIXCAP" --backend tracepoint --json -c "$count" "$@" >"$file" 2>"$file.err" &
	cap_pid=$!
	for _ in $(seq 300); do
		grep -q "listening on" "$file.err" && return 0
		kill -0 "$cap_pid" 2>/dev/null || fail "unixcap $*: $(cat "$file.err")"
		sleep 0.1
	done
	fail "unixcap $*: not attached after 30 s"
}
# Sends with the helper (COMMAND NAME) until the capture has its messages. The capture is
# attached already: one send a second is plenty, and keeps a datagram queue (10 deep, and
# never read) from filling.
capture_drive() {
	for _ in $(seq 8); do
		kill -0 "$cap_pid" 2>/dev/null || break
		helper "$1" "$2"
		for _ in $(seq 10); do
			kill -0 "$cap_pid" 2>/dev/null || break
			sleep 0.1
		done
	done
	kill -0 "$cap_pid" 2>/dev/null && fail "capture of $2 still running after 8 sends"
	wait "$cap_pid" || fail "capture exited $?: $(cat "$3.err")"
	cap_pid=
}

addr=$(addr_of pair_a)
capture_start "$work/cap.sock" 3 --sock "$addr"
capture_drive send pair_a "$work/cap.sock"
python3 - "$work/cap.sock" "$addr" "$(inode_of pair_a)" "$(inode_of pair_b)" <<'EOF'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
addr, a, b = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if len(events) != 3:
    sys.exit(f"FAIL: --sock {addr}: {len(events)} messages, expected 3")
for e in events:
    if (e["sock"], e["inode"], e["peer_inode"]) != (addr, a, b):
        sys.exit(f"FAIL: --sock {addr} (inode {a}) captured sock {e['sock']} inode {e['inode']}"
                 f" peer {e['peer_inode']}")
EOF
# What the capture reported, the listing finds.
cap_addr=$(head -1 "$work/cap.sock" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sock"])')
"$UNIXCAP" -L --json --sock "$cap_addr" | grep -q "\"sock\":\"$cap_addr\",[^}]*\"inode\":$(inode_of pair_a)," ||
	fail "unixcap -L --sock $cap_addr does not list the captured socket (inode $(inode_of pair_a))"
echo "capture --sock $addr and -L --sock agree"

# ---- peer pid for datagrams (no sk_peer_pid): the peer socket's holder ----------------------

check_peer() {
	python3 - "$1" "$2" "$3" "$4" <<'EOF'
import json, sys
e = json.loads(open(sys.argv[1]).readline())
want = (int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
got = (e["peer_inode"], e["peer_pid"], e["peer_comm"])
if got != want:
    sys.exit(f"FAIL: peer (inode, pid, comm) {got}, expected {want}")
EOF
}
capture_start "$work/cap.far" 1 --inode "$(inode_of far_cli)"
capture_drive send far_cli "$work/cap.far"
check_peer "$work/cap.far" "$(inode_of far_dg)" "$child3" sl-child3
capture_start "$work/cap.free" 1 --inode "$(inode_of dg_free)"
capture_drive sendto far_dg "$work/cap.free"
check_peer "$work/cap.free" "$(inode_of far_dg)" "$child3" sl-child3
echo "datagram peers named by their holder: ok"
echo PASS
