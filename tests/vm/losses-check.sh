#!/bin/sh
# losses-check.sh - guest side of the VM cells' loss check (busybox sh): losses made on
# purpose with real traffic must each be counted, so that captured + dropped is what was
# sent, on every backend and kernel. loss_gen's two cases (tests/losses/loss_gen.c):
#   blocked  16 threads at once inside unix_stream_sendmsg: more than a kretprobe has
#            instances (maxactive 10 up to 5 CPUs), so the kprobe backend loses returns;
#            each such send must show as "exit not run" (and, from 6.7, in the kernel's
#            kprobe misses)
#   cold     a sendmsg() whose msghdr page is not mapped yet: the tracepoint backend must
#            count it as "msghdr unreadable"; the hook backends capture it
# Prints each run's counts.
#
# Usage (in the guest): losses-check.sh UNIXCAP LOSS_GEN BACKEND
# Exit: 0 all checks passed, 1 a check failed (a FAIL line says which).
set -u
uc=$1 gen=$2 backend=$3
w=$(mktemp -d /tmp/lc.XXXXXX)
rc=0
fail() { echo "FAIL losses: $*"; rc=1; }

# run NAME ARGS...: loss_gen ARGS under unixcap -v -p; sets sent, captured, dropped, counts
run() {
	name=$1; shift
	rm -f "$w/go" "$w/cap.err"; mkfifo "$w/go"
	"$gen" "$@" < "$w/go" > "$w/gen.out" 2>&1 &
	g=$!
	exec 3>"$w/go"
	"$uc" --backend "$backend" -v -p "$g" > /dev/null 2> "$w/cap.err" &
	u=$!
	i=0
	until grep -q 'listening on' "$w/cap.err" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 1800 ] || ! kill -0 $u 2>/dev/null; then
			fail "$name: unixcap did not start: $(cat "$w/cap.err")"; exec 3>&-; kill $g; return 1
		fi
		sleep 0.1
	done
	echo go >&3
	exec 3>&-
	wait $g
	sleep 1
	kill -INT $u
	wait $u
	sent=$(sed -n 's/^sent \([0-9]*\).*/\1/p' "$w/gen.out")
	counts=$(grep 'kernel side:' "$w/cap.err")
	set -- $(sed -n 's/^\([0-9]*\) messages captured, \([0-9]*\) dropped$/\1 \2/p' "$w/cap.err")
	captured=${1:-} dropped=${2:-}
	echo "losses: $name, backend $backend: $(cat "$w/gen.out" | tr '\n' ' ')| $captured captured, $dropped dropped | ${counts#unixcap: kernel side: }"
	if [ -z "$sent" ] || [ -z "$captured" ] || [ -z "$counts" ]; then
		fail "$name: no result: $(cat "$w/gen.out" "$w/cap.err")"; return 1
	fi
	# A send whose exit never ran is counted before anyone knows whether it failed (the
	# blocked threads' EAGAIN writes), and a run the kernel skipped may have been none of
	# ours: the counts may exceed the messages lost, never fall short. A send whose every
	# program run was skipped (an entry on a syscall tracepoint, or both fentry and fexit)
	# shows only in the kernel's counts.
	skipped=$(echo "$counts" | sed -n 's/.*skipped \([0-9]*\) kprobe and \([0-9]*\) program runs.*/\1 \2/p')
	set -- $skipped
	[ $((captured + dropped + ${1:-0} + ${2:-0})) -ge "$sent" ] ||
		fail "$name: $sent sent, $captured captured + $dropped dropped + ${1:-0} kprobe and ${2:-0} program runs skipped: a loss went uncounted"
	[ "$captured" -le "$sent" ] || fail "$name: $captured captured of $sent sent"
	return 0
}
field() { echo "$counts" | sed -n "s/.* \([0-9]*\) $1.*/\1/p"; }

if [ -z "${LOSSES_ONLY_COLD:-}" ] && run blocked blocked 16; then
	if [ "$backend" = kprobe ] && [ "$(field 'exit not run')" = 0 ]; then
		fail "blocked: 16 threads in unix_stream_sendmsg at once, no return missed (maxactive?)"
	fi
fi
if run cold; then
	if [ "$backend" = tracepoint ] && grep -q 'cold 1' "$w/gen.out"; then
		[ "$(field 'msghdr unreadable')" = 1 ] && [ "$captured" = 1 ] ||
			fail "cold: the unreadable msghdr was not counted"
	else
		[ "$captured" = 2 ] || fail "cold: $captured captured of 2 on $backend"
	fi
fi
rm -rf "$w"
[ $rc = 0 ] && echo "ok losses"
exit $rc
