#!/bin/bash
# selftest.sh - self-test of the VM harness: fetch the kernels, build the probe, and run it
# (plus a check of the guest environment) on every kernel.
#
# Usage: tests/vm/selftest.sh [matrix.sh OPTIONS...]
#
#   Expects kprobe, fentry and tracepoint programs to load, attach and fire on each kernel, and
#   the guest to have its mounts, lo up, a 1777 /tmp and a nobody user. Exit 0 when every
#   kernel passed; otherwise matrix.sh's exit code.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
"$here/fetch-kernels.sh" > /dev/null
probe=$("$here/probe/build.sh")

exec "$here/matrix.sh" --add "$probe" --add "$here/probe/guest-check.sh:/bin/guest-check" \
	--cmd 'guest-check unixcap-vm-probe' --timeout 300 "$@"
