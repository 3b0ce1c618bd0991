#!/bin/bash
# ws-chroot.sh SUITE: prints the root of a Debian SUITE chroot holding that release's tshark,
# building it first if it is not cached yet (~/.cache/unixcap/wireshark/SUITE, or
# $UNIXCAP_CACHE/wireshark/SUITE). Fails loudly when the chroot cannot be made: a matrix cell
# without its Wireshark must be a failure, never a silent skip.
#
# The archive is the one this machine already uses (its deb822 sources), so nothing names a
# mirror; the machine's own apt sources are not touched. A finished chroot is marked by
# .unixcap-ready (holding `tshark --version`'s first line); half-built ones are thrown away.
set -euo pipefail
suite=${1:?usage: ws-chroot.sh SUITE}
cache=${UNIXCAP_CACHE:-$HOME/.cache/unixcap}/wireshark
root=$cache/$suite
mkdir -p "$cache"

# Cells run in parallel and may share a suite: one builder per suite, the others wait.
exec 9>"$cache/$suite.lock"
flock 9

if [ -f "$root/.unixcap-ready" ]; then
	echo "$root"
	exit 0
fi

command -v debootstrap >/dev/null || { echo "ws-chroot: debootstrap is not installed" >&2; exit 1; }
uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$uri" ] || { echo "ws-chroot: no URIs: line in /etc/apt/sources.list.d/debian.sources" >&2; exit 1; }

# debootstrap has no script for a suite newer than itself (forky on bookworm's debootstrap):
# sid's script is the generic one for any suite of the current layout.
script=/usr/share/debootstrap/scripts/$suite
[ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid

tmp=$root.tmp
rm -rf "$tmp"
mkdir -p "$cache/debs"
log=$cache/$suite.log
echo "ws-chroot: building the $suite chroot in $tmp (log: $log)" >&2
rc=0
debootstrap --variant=minbase --include=tshark --cache-dir="$cache/debs" \
	"$suite" "$tmp" "$uri" "$script" >"$log" 2>&1 || rc=$?
# forky's configure step fails today on the Falco plugin's library (not tshark's); what
# counts is whether tshark itself runs, so a failed debootstrap is judged by that.
if ! ver=$(chroot "$tmp" tshark --version 2>>"$log" | head -1) || [ -z "$ver" ]; then
	echo "ws-chroot: $suite: debootstrap exit $rc and no working tshark; last lines of $log:" >&2
	tail -n 15 "$log" >&2
	exit 1
fi
if [ "$rc" != 0 ]; then
	echo "ws-chroot: $suite: debootstrap exit $rc, but tshark runs ($ver)" >&2
fi
chroot "$tmp" setpriv --version >/dev/null 2>&1 ||
	{ echo "ws-chroot: $suite: no setpriv in the chroot" >&2; exit 1; }
echo "$ver" >"$tmp/.unixcap-ready"
mv "$tmp" "$root"
echo "$root"
