#!/bin/bash
# Capture without root, as the package sets it up (packaging/postinst): a copy of unixcap
# root:GROUP 0750 with exactly the postinst's file capabilities, a throwaway group, a member
# and a non-member (system users made here and deleted at the end).
#   member      captures a real socket pair's messages; its file is its own, mode 0600
#   caps        while capturing, the member's unixcap holds those capabilities (the file's)
#   dropz       -Z MEMBER: CapEff/CapPrm/CapInh/CapAmb all 0 while capturing, and messages
#               sent after the drop are still captured
#   nonmember   refused: non-zero exit, one line
#   socklist    the member's -L: kernel addresses, but no other user's holders, and a line
#               saying what those would take
#   extcap-4.0  the member's tshark -i unixcap -a duration:8 (the host's Wireshark), the copy
#               as its extcap (WIRESHARK_EXTCAP_DIR): the socket pair's messages, unixcap.*
#               fields decoded
#   extcap-V    the same with 4.4 and 4.6's tshark (the matrix's trixie and forky chroots,
#               ws-chroot.sh), in a private mount namespace: /sys, /proc and the work
#               directory bound in, and libbpf/libelf of the host laid over the chroot's
#               library directory (an overlay that vanishes with the namespace; the chroot
#               itself is not changed).
#   extcap-3.4  the same with 3.4's tshark (bullseye), whose glibc (2.31) is older than the
#               host build needs: a statically linked copy (STATIC_BUILD, built here when
#               missing or stale), root:GROUP 0750 with the same file capabilities, which
#               the bind mount carries into the chroot
#   sshdump-V   Wireshark's sshdump of 3.4, 4.0, 4.4 and 4.6 against an sshd of our own on
#               127.0.0.1 logging the member in, the copy as the remote capture command;
#               tshark-sshdump-V the same started as tshark -i sshdump -o extcap.sshdump.*
#   root-*      the same run by root (the remote login is still the member's); root's extcap
#               on 3.4, 4.4 and 4.6 from the chroot's own extcap directory (an overlay again)
# The capability set is read from packaging/postinst, so a set too small there fails here.
# Usage: test_group.sh SOURCE_DIR UNIXCAP LUA STATIC_BUILD   (root; setcap, useradd, tshark,
#        sshd). STATIC_BUILD: the -DUNIXCAP_STATIC=ON build directory (tests/run-all.sh's
#        build-static), configured and built here when it is not.
set -u
src=$1
unixcap=$2
lua=$3
static_build=$4
fail=0
problem() {
	echo "FAIL: $*"
	fail=1
}
for tool in setcap useradd groupadd setpriv tshark python3 unshare; do
	command -v $tool >/dev/null || { echo "test_group: $tool is not installed"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "test_group: needs root (users, setcap)"; exit 1; }
caps=$(sed -n 's/^caps=//p' "$src/packaging/postinst")
[ -n "$caps" ] || { echo "test_group: no caps= line in packaging/postinst"; exit 1; }

tag=$$
grp=ucg$tag
member=ucm$tag
other=ucn$tag
work=$(mktemp -d /tmp/uc-group.XXXXXX)
sender=
pid=
sshd_pid=
made_run=
mps=()
cleanup() {
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null && wait "$sshd_pid" 2>/dev/null
	[ -n "$made_run" ] && rmdir /run/sshd 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && sleep 1
	[ -n "$sender" ] && kill "$sender" 2>/dev/null
	# userdel refuses while a process of the user is alive (an sshd session ending, say).
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		userdel "$member" 2>/dev/null || ! id "$member" >/dev/null 2>&1 && break
		sleep 0.5
	done
	userdel "$other" 2>/dev/null
	groupdel "$grp" 2>/dev/null
	for mp in "${mps[@]}"; do rmdir "$mp" 2>/dev/null; done # the mount points only
	rm -rf "$work"
}
trap cleanup EXIT
trap "exit 1" INT TERM # ctest's timeout: clean up all the same
chmod 755 "$work"
groupadd --system "$grp" || exit 1
# A login shell: sshd runs sshdump's remote command with it.
useradd --system --no-create-home --home-dir "$work/home" --shell /bin/sh -G "$grp" "$member" ||
	exit 1
useradd --system --no-create-home --shell /usr/sbin/nologin "$other" || exit 1
mkdir -p "$work/bin" "$work/extcap" "$work/home" "$work/out"
chmod 755 "$work/bin" "$work/extcap"
chown "$member" "$work/home" "$work/out"
chmod 1777 "$work/out" # root's dumpcap gives up CAP_DAC_OVERRIDE: it writes here too
chmod 700 "$work/home"
install -o root -g "$grp" -m 0750 "$unixcap" "$work/bin/unixcap"
setcap "$caps" "$work/bin/unixcap" || { echo "test_group: setcap $caps failed"; exit 1; }
ln -s "$work/bin/unixcap" "$work/extcap/unixcap"
# The static copy for 3.4's chroot; cmake --build is quick when run-all.sh built it already.
[ -f "$static_build/CMakeCache.txt" ] ||
	cmake -S "$src" -B "$static_build" -DUNIXCAP_STATIC=ON -DUNIXCAP_WERROR=ON >/dev/null ||
	{ echo "test_group: cannot configure $static_build"; exit 1; }
cmake --build "$static_build" -j"$(nproc)" --target unixcap >"$work/static-build.log" 2>&1 ||
	{ tail -20 "$work/static-build.log"; echo "test_group: cannot build $static_build/unixcap"; exit 1; }
mkdir -p "$work/bin-static" "$work/extcap-static"
chmod 755 "$work/bin-static" "$work/extcap-static"
install -o root -g "$grp" -m 0750 "$static_build/unixcap" "$work/bin-static/unixcap"
setcap "$caps" "$work/bin-static/unixcap" || { echo "test_group: setcap $caps failed"; exit 1; }
ln -s "$work/bin-static/unixcap" "$work/extcap-static/unixcap"
install -m 0644 "$lua" "$work/unixcap.lua"
# An array, not a function: a backgrounded function is a subshell, and $! its pid. setpriv
# keeps root's capabilities up to its own execve (where they go), which would let it execute
# a 0750 file it may not: a shell run as the user does the exec.
as_member=(setpriv --reuid="$member" --regid="$member" --init-groups --inh-caps=-all
	sh -c 'exec "$0" "$@"')
as_member() { "${as_member[@]}" "$@"; }

# A real socket pair: one message "uc-group-N" every 0.2 s until killed.
python3 -c '
import socket, sys, time
a, b = socket.socketpair()
n = 0
while True:
    a.send(b"uc-group-%d" % n); b.recv(100); n += 1; time.sleep(0.2)
' &
sender=$!

# Waits until unixcap (pid $1, stderr in $2) says it is listening; 0 when it did.
wait_ready() {
	for _ in $(seq 1 150); do
		grep -q "listening on" "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}
capeff() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
messages() { "$unixcap" -r "$1" -A 2>/dev/null | grep -c "uc-group-"; }

# member and caps: capture as the member, no -Z.
f=$work/out/m.pcapng
"${as_member[@]}" "$work/bin/unixcap" -p "$sender" -c 5 -w "$f" 2>"$work/m.err" &
pid=$!
if wait_ready $pid "$work/m.err"; then
	eff=$(capeff $pid CapEff)
	want=$(capsh --decode="$eff" 2>/dev/null | sed 's/.*=//')
	[ "$eff" != 0000000000000000 ] ||
		problem "caps: the member's unixcap has no effective capabilities"
	echo "member's unixcap: CapEff $eff ($want)"
fi
wait $pid
rc=$?
pid=
n=$(messages "$f") # grep -c: 0 for a missing file too
[ $rc = 0 ] && [ "$n" = 5 ] ||
	problem "member: exit $rc, $n of 5 messages: $(head -c 300 "$work/m.err")"
[ -f "$f" ] && [ "$(stat -c '%U %a' "$f")" = "$member 600" ] ||
	problem "member: file $(stat -c '%U %a' "$f" 2>&1)"

# dropz: -Z MEMBER, capabilities gone while capturing, capture goes on.
f=$work/out/z.pcapng
"${as_member[@]}" "$work/bin/unixcap" -p "$sender" -Z "$member" -w "$f" 2>"$work/z.err" &
pid=$!
if wait_ready $pid "$work/z.err"; then
	sleep 1
	for k in CapEff CapPrm CapInh CapAmb; do
		v=$(capeff $pid $k)
		[ "$v" = 0000000000000000 ] || problem "dropz: $k $v after -Z"
	done
	sleep 2
fi
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
pid=
n=$(messages "$f") # grep -c: 0 for a missing file too
[ $rc = 0 ] && [ "$n" -ge 5 ] ||
	problem "dropz: exit $rc, $n messages after -Z: $(head -c 300 "$work/z.err")"

# nonmember: refused (the kernel: no execute permission), one line, non-zero.
setpriv --reuid="$other" --regid="$other" --init-groups --inh-caps=-all \
	sh -c 'exec "$0" "$@"' "$work/bin/unixcap" -c 1 >/dev/null 2>"$work/n.err"
rc=$?
[ $rc != 0 ] && [ "$(wc -l <"$work/n.err")" = 1 ] ||
	problem "nonmember: exit $rc, stderr: $(cat "$work/n.err")"
echo "non-member: exit $rc: $(cat "$work/n.err")"

# socklist: the member's -L gives the sender's (root's) socket its kernel address (BPF
# iterator: cap_bpf, cap_perfmon) but not its holder, and says which capabilities that takes.
ino=$(readlink /proc/"$sender"/fd/* 2>/dev/null | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | head -1)
"${as_member[@]}" "$work/bin/unixcap" -L --inode "$ino" >"$work/l.out" 2>"$work/l.err"
row=$(awk -v i="$ino" '$2 == i' "$work/l.out" | head -1)
case $row in
0x*) ;;
*) problem "socklist: member's -L --inode $ino: no address: '$row' $(cat "$work/l.err")" ;;
esac
# PROCESS, the 10th column (PEER-PROCESS may name it from the peer's credentials).
[ "$(echo "$row" | awk '{print $10}')" = - ] || problem "socklist: member sees root's holder: $row"
grep -q "CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH" "$work/l.err" ||
	problem "socklist: no hint for the missing holders: $(cat "$work/l.err")"
"$work/bin/unixcap" -L --inode "$ino" 2>/dev/null | awk -v i="$ino" '$2 == i {print $10}' |
	grep -q "^$sender/" ||
	problem "socklist: root's -L does not name the holder $sender"

# extcap: the member's tshark captures through the copy; N = packets of the sender with
# unixcap.* fields decoded. $1 = label, the rest = how to run tshark. (3.4's tshark waits on
# for ever when the extcap fails: timeout makes that a failed cell.)
check_extcap() {
	local label=$1 out=$work/out/$1.pcapng
	shift
	"$@" env HOME="$work/home" XDG_CONFIG_HOME="$work/home" \
		WIRESHARK_EXTCAP_DIR="$xsrc" LC_ALL=C.UTF-8 \
		timeout -k 5 60 tshark -n -i unixcap -a duration:8 -o "extcap.unixcap.pid:$sender" -w "$out" \
		>"$work/$label.log" 2>&1
	judge "$label" $? "$out" "$@"
}
# $1 label, $2 exit status of the capture, $3 its file, the rest how to run that tshark: the
# sender's messages in the file, with unixcap.* fields decoded (the member's tshark, so 4.4
# runs our Lua too).
judge() {
	local label=$1 rc=$2 out=$3 n run_as=member x_over=
	shift 3
	[ -f "$out" ] && chmod a+r "$out" # a root cell's file is root's, mode 0600
	n=$("$@" tshark -n -r "$out" -X "lua_script:$work/unixcap.lua" \
		-Y "unixcap.pid == $sender && unixcap.payload contains \"uc-group-\"" \
		-T fields -e unixcap.pid 2>/dev/null | grep -c "^$sender$")
	echo "$label: exit $rc, $n packets of pid $sender decoded"
	[ "$rc" = 0 ] && [ "$n" -ge 10 ] ||
		problem "$label: exit $rc, $n packets: $(grep -v Capturing "$work/$label.log" | head -c 400)"
}
cd "$work/home" || exit 1
mu=$(id -u "$member")
mg=$(id -g "$member")
gg=$(getent group "$grp" | cut -d: -f3)
# The other releases' tshark and sshdump (the matrix's chroots), run by the member: $root is
# the chroot of the cell at hand.
libs=$work/libs
mkdir -p "$libs"
for l in libbpf.so.1 libelf.so.1; do
	cp -L "/usr/lib/x86_64-linux-gnu/$l" "$libs/" 2>/dev/null ||
		cp -L "$(ldconfig -p | awk -v l="$l" '$1 == l {print $NF; exit}')" "$libs/"
done
# $run_as: who runs the cell's programs (member, or root for the root cells); $x_over: when
# set, the chroot's extcap directory with our extcap ($xsrc) laid over it (root's Wireshark
# reads no WIRESHARK_EXTCAP_DIR), in the namespace only.
run_as=member
x_over=
xsrc=$work/extcap
in_chroot() {
	local priv=(setpriv --reuid="$mu" --regid="$mg" --groups="$gg" --inh-caps=-all
		sh -c 'exec "$0" "$@"')
	[ "$run_as" = root ] && priv=()
	unshare --mount --propagation private sh -c '
		root=$1 work=$2 libs=$3 x=$4 xsrc=$5; shift 5
		mount --bind "$work" "$root$work" && mount --rbind /sys "$root/sys" &&
		mount -t proc proc "$root/proc" &&
		mount -t overlay overlay -o "lowerdir=$libs:$root/usr/lib/x86_64-linux-gnu" \
			"$root/usr/lib/x86_64-linux-gnu" &&
		{ [ -z "$x" ] || mount -t overlay overlay -o "lowerdir=$xsrc:$root$x" "$root$x"; } &&
		exec chroot "$root" "$@"' \
		sh "$root" "$work" "$libs" "$x_over" "$xsrc" "${priv[@]}" "$@"
}
on_host() {
	if [ "$run_as" = root ]; then "$@"; else as_member "$@"; fi
}

# sshdump: "another host" is an sshd on 127.0.0.1 of its own (config, host key, client key and
# port made here; the machine's ssh configuration is not read), logging the member in; the
# remote capture command is the capability-granted copy writing pcapng to stdout.
sshd=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$sshd" ] || { problem "sshdump: no sshd (openssh-server, tests/install-deps.sh --test)"; exit 1; }
ssh=$work/ssh
mkdir -p "$ssh"
ssh-keygen -q -t ed25519 -N "" -f "$ssh/host_key" -C uc-host || exit 1
ssh-keygen -q -t ed25519 -N "" -f "$ssh/id" -C uc-client || exit 1
cp "$ssh/id.pub" "$ssh/authorized_keys"
chown "$member" "$ssh/id"
chmod 755 "$ssh"
chmod 644 "$ssh/authorized_keys"
usermod -p '*' "$member" # sshd without PAM refuses a locked ("!") account
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$ssh/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $ssh/host_key
PidFile $ssh/sshd.pid
AuthorizedKeysFile $ssh/authorized_keys
AllowUsers $member
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
EOF
# sshd wants its privilege separation directory (the package's service makes it at start).
[ -d /run/sshd ] || { mkdir -m 0755 /run/sshd && made_run=1; }
"$sshd" -D -e -f "$ssh/sshd_config" 2>"$work/sshd.log" &
sshd_pid=$!
for _ in $(seq 1 50); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
	sleep 0.2
done
remote="$work/bin/unixcap -w - -p $sender -c 20"
# $1 label, the rest how to run that release's programs. $xdir: its extcap directory; 3.4's
# sshdump has no command selection (its --remote-capture-command is used as given).
check_sshdump() {
	local label=$1 out=$work/out/$1.pcapng sel=()
	shift
	"$@" "$xdir/sshdump" --help 2>&1 | grep -q remote-capture-command-select &&
		sel=(--remote-capture-command-select=other)
	"$@" env HOME="$work/home" "$xdir/sshdump" \
		--extcap-interface=sshdump --capture --fifo="$out" \
		--remote-host=127.0.0.1 --remote-port="$port" --remote-username="$member" \
		--sshkey="$ssh/id" "${sel[@]}" \
		--remote-capture-command="$remote" >"$work/$label.log" 2>&1
	judge "$label" $? "$out" "$@"
}
# The same as a user starts it: tshark -i sshdump with the interface's preferences.
check_tshark_sshdump() {
	local label=$1 out=$work/out/$1.pcapng sel=()
	shift
	"$@" "$xdir/sshdump" --help 2>&1 | grep -q remote-capture-command-select &&
		sel=(-o extcap.sshdump.remotecapturecommandselect:other)
	"$@" env HOME="$work/home" XDG_CONFIG_HOME="$work/home" LC_ALL=C.UTF-8 \
		tshark -n -i sshdump -a duration:30 -w "$out" \
		-o extcap.sshdump.remotehost:127.0.0.1 -o "extcap.sshdump.remoteport:$port" \
		-o "extcap.sshdump.remoteusername:$member" -o "extcap.sshdump.sshkey:$ssh/id" \
		"${sel[@]}" -o "extcap.sshdump.remotecapturecommand:$remote" >"$work/$label.log" 2>&1
	judge "$label" $? "$out" "$@"
}
global_extcap() { "$@" tshark -G folders 2>/dev/null | sed -n 's/^\(Global \)\?Extcap path:[[:space:]]*//p'; }

# The host's Wireshark (4.0). Root's extcap on 4.0 is the package test's (here it would have
# to go into the machine's own extcap directory).
check_extcap extcap-4.0 on_host
xdir=$(global_extcap on_host)
check_sshdump sshdump-4.0 on_host
check_tshark_sshdump tshark-sshdump-4.0 on_host
run_as=root
check_sshdump root-sshdump-4.0 on_host
check_tshark_sshdump root-tshark-sshdump-4.0 on_host
run_as=member
# The matrix's other releases. The extcap runs inside the chroot: 3.4's glibc (2.31) cannot
# run a binary built on the host (2.34 symbols), so 3.4's is the static copy. (Its sshdump
# only runs ssh: the remote command is the host's copy.)
for cell in trixie:4.4 forky:4.6 bullseye:3.4; do
	suite=${cell%%:*}
	v=${cell#*:}
	root=$("$src/tests/wireshark/ws-chroot.sh" "$suite") || { problem "$v: no $suite chroot"; continue; }
	mkdir -p "$root$work" # the bind mount's mount point
	mps+=("$root$work")
	ver=$(in_chroot tshark --version 2>/dev/null | head -1)
	echo "$suite: $ver"
	case $ver in *" $v."*) ;; *) problem "$v: the $suite chroot's tshark is '$ver'"; continue ;; esac
	xdir=$(global_extcap in_chroot)
	xsrc=$work/extcap
	[ "$v" = 3.4 ] && xsrc=$work/extcap-static
	check_extcap "extcap-$v" in_chroot
	check_sshdump "sshdump-$v" in_chroot
	check_tshark_sshdump "tshark-sshdump-$v" in_chroot
	run_as=root
	x_over=$xdir
	check_extcap "root-extcap-$v" in_chroot
	x_over=
	xsrc=$work/extcap
	check_sshdump "root-sshdump-$v" in_chroot
	check_tshark_sshdump "root-tshark-sshdump-$v" in_chroot
	run_as=member
done
kill "$sshd_pid" 2>/dev/null
wait "$sshd_pid" 2>/dev/null
sshd_pid=
[ -n "$made_run" ] && rmdir /run/sshd
made_run=

[ $fail = 0 ] && echo "ok group: member, caps, dropz, nonmember, socklist, extcap 3.4/4.0/4.4/4.6 (root: 3.4/4.4/4.6), sshdump and tshark -i sshdump 3.4/4.0/4.4/4.6 (member and root) ($caps)"
exit $fail
