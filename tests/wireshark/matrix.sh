#!/bin/bash
# The Wireshark matrix: tshark 3.4 (bullseye), 4.0 (bookworm), 4.4 (trixie, Lua 5.4) and 4.6
# (forky), each in a cached Debian chroot (ws-chroot.sh), each run as an unprivileged user and
# as root, judge the same real captures (check_wireshark.py --cell). docs/wireshark.md has
# the table.
#
# Usage: matrix.sh --prepare                  build the chroots (in parallel) and stop
#        matrix.sh UNIXCAP UNIXGEN LUA [CHECKS] build what is missing, then run the cells
# Root. A cell whose chroot cannot be built fails the run; nothing is skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# suite:version:what -X lua_script: does for root there (docs/wireshark.md, "Root")[:no-pipe
# when that tshark cannot read a live pcapng pipe reliably (check_wireshark.py, Cell)].
cells="bullseye:3.4:script:no-pipe bookworm:4.0:script trixie:4.4:ignored forky:4.6:ignored"
checks_default=fields,pcap,zstd,dbus,http,filters,userdlt,pipe

[ "$(id -u)" = 0 ] || { echo "matrix.sh: run as root (chroot, capture)" >&2; exit 1; }

prepare() {
	# Builds are network- and dpkg-bound, not CPU-bound: all suites at once.
	local pids=() suites=() rc=0 i
	for c in $cells; do
		suites+=("${c%%:*}")
		"$here/ws-chroot.sh" "${c%%:*}" >/dev/null &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			echo "matrix.sh: FAIL: no ${suites[$i]} chroot" >&2
			rc=1
		fi
	done
	return $rc
}

if [ "${1:-}" = "--prepare" ]; then
	t0=$(date +%s)
	prepare
	echo "matrix.sh: chroots ready in $(($(date +%s) - t0)) s"
	exit 0
fi
[ $# -ge 3 ] || { echo "usage: matrix.sh --prepare | matrix.sh UNIXCAP UNIXGEN LUA [CHECKS]" >&2; exit 2; }
prepare
args=()
for c in $cells; do
	IFS=: read -r suite ver root_lua nopipe <<<"$c"
	dir=$("$here/ws-chroot.sh" "$suite")
	extra=${nopipe:+,$nopipe}
	args+=(--cell "$ver/user=$dir,user$extra" --cell "$ver/root=$dir,root,$root_lua$extra")
done
exec python3 "$here/check_wireshark.py" --unixcap "$1" --unixgen "$2" --lua "$3" \
	--checks "${4:-$checks_default}" "${args[@]}"
