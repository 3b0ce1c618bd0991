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
(cd "$top/build" && ctest --output-on-failure -L 'unit|integration')

if [ "$vm" = 1 ]; then
	cmake -S "$top" -B "$top/build-static" -DUNIXCAP_STATIC=ON -DUNIXCAP_WERROR=ON
	cmake --build "$top/build-static" -j"$jobs"
	(cd "$top/build-static" && ctest --output-on-failure -L vm)
fi
