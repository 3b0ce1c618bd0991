#!/bin/sh
# socklist-check.sh - guest side of the VM cells' `unixcap -L` check (busybox sh): the
# sockets socklist_sockets makes must all be listed, held by the right processes, with the
# right peers, and be the ones /proc/net/unix shows. Prints the sources -L used for each
# column (-v), which differ per kernel (no unix BPF iterator before 5.17, no unix_diag
# module in the initramfs).
#
# Usage (in the guest): socklist-check.sh UNIXCAP SOCKLIST_SOCKETS
# Exit: 0 all checks passed, 1 a check failed (a FAIL line says which).
set -u
uc=$1 helper=$2
w=$(mktemp -d /tmp/slc.XXXXXX)
fail() { echo "FAIL socklist: $*"; echo exit >&3; exit 1; }
mkfifo "$w/in"
"$helper" "$w" < "$w/in" > "$w/out" 2>&1 &
exec 3>"$w/in"
i=0
until grep -q '^ready' "$w/out"; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "socklist_sockets not ready: $(cat "$w/out")"; sleep 0.1
done
set -- $(grep '^pids ' "$w/out"); main=$2 c1=$3 c2=$4 c3=$5
ino() { awk -v n="$1" '$1 == "sock" && $2 == n { print $3 }' "$w/out"; }
"$uc" -L -v --dump > "$w/dump" 2> "$w/sources" || fail "unixcap -L exited $?: $(cat "$w/sources")"
sed 's/^/socklist source: /' "$w/sources"
n=0
# NAME HOLDER-PID PEER-NAME (- for none)
for spec in "pair_a $main pair_b" "pair_b $main pair_a" "seq_a $main seq_b" "seq_b $main seq_a" \
	    "lst $main -" "cli $main srv" "srv $main cli" "pend $main -" "abs_lst $main -" \
	    "abs_cli $main abs_srv" "abs_srv $main abs_cli" "dg_srv $main -" "dg_cli $main dg_srv" \
	    "dg_free $main -" "shared_a $main shared_b" "shared_a $c1 shared_b" "shared_b $c2 shared_a" \
	    "far_dg $c3 -" "far_cli $main far_dg"; do
	set -- $spec
	i=$(ino "$1"); [ -n "$i" ] || fail "socklist_sockets printed no inode for $1"
	line=$(awk -F: -v p="$2" -v i="$i" '$2 == p && $3 == i' "$w/dump")
	[ -n "$line" ] || fail "$1 (inode $i) held by $2 not listed"
	if [ "$3" != - ]; then
		pi=$(ino "$3")
		[ "$(echo "$line" | cut -d: -f4)" = "$pi" ] || fail "$1: peer $(echo "$line" | cut -d: -f4), want $3 ($pi)"
	fi
	awk -v i="$i" '$7 == i { f = 1 } END { exit !f }' /proc/net/unix || fail "$1 (inode $i) not in /proc/net/unix"
	n=$((n + 1))
done
echo exit >&3
echo "ok socklist: $n sockets listed with holders and peers"
