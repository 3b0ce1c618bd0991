#!/bin/bash
# Runs every fuzz target over its corpus for a bounded time and prints the executions each
# made. Exit 1 if any target crashed, leaked or hit a sanitizer report; its reproducer is
# left in ARTIFACTS. Extra arguments go to every target (e.g. -runs=10000000).
# Usage: run-fuzz.sh FUZZ_BUILD_DIR CORPUS_DIR SECONDS ARTIFACTS [libFuzzer options...]
set -uo pipefail
bin=$1/tests/fuzz corpus=$2 secs=$3 art=$4
shift 4
mkdir -p "$art"
fail=0
for t in linktype reasm readback decode; do
	[ -x "$bin/fuzz_$t" ] || continue
	mkdir -p "$corpus/$t"
	log="$art/fuzz_$t.log"
	# Packets and record streams need no more than a few KiB to reach every branch; larger
	# inputs only slow each run down.
	"$bin/fuzz_$t" -max_len=4096 -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$art/$t-" "$@" "$corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	echo "fuzz_$t: ${runs:-?} executions (${speed:-?}/s), exit $rc"
	if [ "$rc" != 0 ]; then
		grep -E 'ERROR|runtime error|check failed|SUMMARY' "$log" | head -5
		fail=1
	fi
done
exit $fail
