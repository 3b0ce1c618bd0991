#!/bin/sh
# caps-check.sh - guest side of the VM cells' capability check (busybox sh): which
# capabilities a capture with BACKEND needs on this kernel, run as uid 65534 holding only
# the set under test (capexec: ambient capabilities, as a setcap copy would have them).
#   package      the package's set (packaging/postinst's caps=) on the kernel as Debian
#                boots it; then that set less each one in turn
#   more         where the package's set does not capture: the set plus cap_sys_resource
#                (kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK), plus
#                cap_sys_admin, and the set with kernel.perf_event_paranoid=2 (Debian's
#                default 3 refuses perf events, which kprobes and tracepoints attach
#                through, to all but CAP_SYS_ADMIN)
# Every refusal must be one line naming what is missing (a CAP_ or the sysctl); some set of
# these must capture. Traffic: busybox logger to syslogd on /dev/log, a real socket pair.
# Prints one "caps BACKEND LABEL [SET]: ..." line per run: the table of docs/wireshark.md.
#
# Usage (in the guest, as root): caps-check.sh UNIXCAP CAPEXEC POSTINST BACKEND
# Exit: 0 all checks passed, 1 a check failed (a FAIL line says which).
set -u
uc=$1 capexec=$2 postinst=$3 backend=$4
rc=0
fail() { echo "FAIL caps: $*"; rc=1; }
set=$(sed -n 's/^caps=//p' "$postinst" | sed 's/[+=].*//')
[ -n "$set" ] || { echo "FAIL caps: no caps= line in $postinst"; exit 1; }
w=$(mktemp -d /tmp/cc.XXXXXX)
chmod 755 "$w"
# A copy of nobody's to execute, without file capabilities: the ambient set is all it gets.
cp "$uc" "$w/unixcap" && chmod 755 "$w/unixcap"
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
echo "caps $backend: $(uname -r), perf_event_paranoid $paranoid," \
	"unprivileged_bpf_disabled $(cat /proc/sys/kernel/unprivileged_bpf_disabled)," \
	"RLIMIT_MEMLOCK $(ulimit -l) KiB, /sys/kernel/tracing mode $(stat -c %a /sys/kernel/tracing)"

syslogd -n -O "$w/syslog" &
sd=$!
( while :; do logger -t uc-caps "message"; sleep 0.2; done ) &
lg=$!

# run LABEL CAPS: capture 3 messages as uid 65534 with CAPS; prints what happened. 0 when
# it captured; otherwise checks the refusal is one line naming the cause.
run() {
	label=$1 caps=$2
	"$capexec" 65534 "$caps" timeout 600 "$w/unixcap" --backend "$backend" -c 3 -A \
		> "$w/out" 2> "$w/err"
	code=$?
	n=$(grep -c 'uc-caps' "$w/out")
	if [ $code = 0 ] && [ "$n" -ge 1 ]; then
		# -v names the parts left out (the recvmsg tracepoints' received fds).
		"$capexec" 65534 "$caps" timeout 600 "$w/unixcap" --backend "$backend" -c 1 -v \
			> /dev/null 2> "$w/verr"
		note=$(sed -n 's/^unixcap: [a-z]* backend: //p' "$w/verr" | head -1)
		echo "caps $backend $label [$caps]: captures${note:+ ($note)}"
		return 0
	fi
	echo "caps $backend $label [$caps]: exit $code: $(grep -v '^$' "$w/err" | head -3)"
	[ "$(grep -c . "$w/err")" = 1 ] || fail "$backend $label: want one line, got: $(cat "$w/err")"
	grep -q 'CAP_\|perf_event_paranoid' "$w/err" ||
		fail "$backend $label: the line names neither a capability nor the sysctl"
	return 1
}

works=0
run package "$set" && works=1
for c in $(echo "$set" | tr , ' '); do
	less=$(echo ",$set," | sed "s/,$c,/,/; s/^,//; s/,\$//")
	run "without-$c" "${less:-none}"
done
if [ $works = 0 ]; then
	run plus-sys_resource "$set,cap_sys_resource" && works=1
	run plus-sys_admin "$set,cap_sys_admin" && works=1
	if [ "$paranoid" -gt 2 ]; then
		sysctl -q -w kernel.perf_event_paranoid=2
		run paranoid-2 "$set" && works=1
		run paranoid-2-plus-sys_resource "$set,cap_sys_resource" && works=1
		sysctl -q -w kernel.perf_event_paranoid="$paranoid"
	fi
fi
[ $works = 1 ] || fail "$backend: no set of capabilities captures"
kill $lg $sd 2>/dev/null
wait 2>/dev/null
rm -rf "$w"
exit $rc
