#!/bin/bash
# Soak: unixcap writes a rotating pcapng ring (-C/-W) while steady_gen sends at a fixed rate;
# unixcap's RSS is sampled every INTERVAL seconds. Fails if RSS grows after the warm-up
# (first quarter of the run) by more than 4 MiB and 10%, if unixcap does not end cleanly on
# SIGINT, or if the last file is not readable.
# Usage: soak.sh UNIXCAP STEADY_GEN SECONDS INTERVAL RATE CURVE_FILE   (as root)
set -euo pipefail
unixcap=$1 gen=$2 secs=$3 interval=$4 rate=$5 curve=$6
dir=$(mktemp -d /tmp/unixcap-soak.XXXXXX)
trap 'kill $gpid $upid 2>/dev/null || true; rm -rf "$dir"' EXIT
gpid='' upid=''

mkfifo "$dir/go"
"$gen" "$rate" "$secs" --wait <"$dir/go" >"$dir/gen.out" &
gpid=$!
exec 3>"$dir/go"
"$unixcap" -p "$gpid" -w "$dir/soak.pcapng" -C 20 -W 3 2>"$dir/unixcap.err" &
upid=$!
for _ in $(seq 100); do
	grep -q listening "$dir/unixcap.err" && break
	kill -0 "$upid" 2>/dev/null || { cat "$dir/unixcap.err" >&2; exit 1; }
	sleep 0.2
done
grep -q listening "$dir/unixcap.err" || { echo "soak: unixcap did not start" >&2; exit 1; }
echo go >&3
exec 3>&-

: >"$curve"
t0=$(date +%s)
while kill -0 "$gpid" 2>/dev/null; do
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$upid/status")
	echo "$(( $(date +%s) - t0 )) $rss" >>"$curve"
	sleep "$interval"
done
wait "$gpid"
sleep 1 # the last messages reach the ring before the stop
kill -INT "$upid"
rc=0
wait "$upid" || rc=$?
upid=''
cat "$dir/gen.out"
tail -2 "$dir/unixcap.err"
[ "$rc" = 0 ] || { echo "soak: unixcap exited $rc" >&2; exit 1; }
grep -q 'messages captured' "$dir/unixcap.err" || { echo "soak: no summary" >&2; exit 1; }
sent=$(awk '{print $2}' "$dir/gen.out")
read -r captured dropped < <(awk '/messages captured/ {print $1, $4}' "$dir/unixcap.err")
if [ "$dropped" = 0 ] && [ "$captured" -lt "$sent" ]; then
	echo "soak: sent $sent, captured $captured, none dropped" >&2
	exit 1
fi
for f in "$dir"/soak.pcapng*; do
	"$unixcap" -r "$f" >/dev/null || { echo "soak: $f unreadable" >&2; exit 1; }
done

# Flat: the largest sample after the warm-up against the first one after it.
n=$(wc -l <"$curve")
awk -v n="$n" 'NR > n / 4 { if (!base) base = $2; if ($2 > max) max = $2 }
	END { growth = max - base
	      printf "soak: RSS after warm-up %d KiB, max %d KiB (+%d KiB)\n", base, max, growth
	      exit (growth > 4096 && growth > base / 10) ? 1 : 0 }' "$curve"
