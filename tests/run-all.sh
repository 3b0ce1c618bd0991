#!/bin/bash
# The whole test suite: unit and integration tests on this machine's kernel, then the
# kernel matrix (distro kernels under qemu) with statically linked binaries.
# Usage: tests/run-all.sh [--no-vm]      (as root)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
vm=1
[ "${1:-}" = "--no-vm" ] && vm=0

"$top/tests/install-deps.sh" --test

cmake -S "$top" -B "$top/build" -DUNIXCAP_WERROR=ON
cmake --build "$top/build" -j"$jobs"
# The static build now, not just before the kernel matrix: wireshark.group runs it as 3.4's
# extcap (bullseye's glibc is older than the host build needs).
cmake -S "$top" -B "$top/build-static" -DUNIXCAP_STATIC=ON -DUNIXCAP_WERROR=ON
cmake --build "$top/build-static" -j"$jobs"
# bench: a smoke run of the benchmark (tiny durations), so that bench/run keeps working.
# The host kernel's capture cells run verbosely: their "N passed, M failed" lines are the
# tracepoint column of the kernel matrix (docs/kernels.md); so does the Wireshark matrix,
# whose cell table is docs/wireshark.md's.
(cd "$top/build" && ctest --output-on-failure -L 'unit|integration|bench' \
	-E '^integration[.](tracepoint|auto)$' &&
	ctest --output-on-failure -V -R '^integration[.](tracepoint|auto)$' &&
	ctest --output-on-failure -V -L wireshark)

# The same tests on an ASan+UBSan build: any report (leaks included) fails the test. No
# -Werror: gcc's sanitizer instrumentation raises false -Wnonnull warnings after inlining.
cmake -S "$top" -B "$top/build-asan" -DUNIXCAP_SANITIZE=ON -DUNIXCAP_WERROR=OFF
cmake --build "$top/build-asan" -j"$jobs"
(cd "$top/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -L 'unit|integration' \
	-E 'integration.conv.curl')
# (conv.curl's live --exclude-pid check saw a stray server-side message once under ASan's
# slowdown; it runs in the normal stage above.)

# Each libFuzzer target for 60 s, seeded from real captures (docs/fuzzing.md).
cmake -S "$top" -B "$top/build-fuzz" -DCMAKE_C_COMPILER=clang -DUNIXCAP_FUZZ=ON -DBUILD_TESTING=OFF
cmake --build "$top/build-fuzz" -j"$jobs" --target fuzz_all
corpus=$(mktemp -d /tmp/unixcap-fuzz.XXXXXX)
"$top/tests/fuzz/make-seeds.sh" "$top/build/unixcap" "$top/build/tests/unixgen" \
	"$top/build-fuzz/tests/fuzz/fuzz_seeds" "$corpus"
"$top/tests/fuzz/run-fuzz.sh" "$top/build-fuzz" "$corpus" 60 "$top/build-fuzz/artifacts"
rm -rf "$corpus"

if [ "$vm" = 1 ]; then
	# One vCPU per guest: it cannot hit TCG's cross-vCPU int3 live-patching race. One cell at
	# a time: a guest starved of its core by a second one stretches every check's timing
	# (a cell can pass 200 s alone under TCG), and the 90 minutes hold the serial matrix.
	(cd "$top/build-static" && UNIXCAP_VM_SMP=1 ctest --output-on-failure -V -L vm)
fi
