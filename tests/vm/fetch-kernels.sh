#!/bin/bash
# fetch-kernels.sh - fetch the Debian kernels the VM tests boot, into a cache outside the repo.
#
# Usage: tests/vm/fetch-kernels.sh [--no-install] [--update]
#
#   Picks, from the configured apt sources:
#     - the newest linux-image-6.1.0-N-amd64 available from bookworm or bookworm-security;
#     - the newest linux-image-6.12.N+debNN-amd64 available from $UNIXCAP_VM_612_SUITE
#       (default bookworm-backports; bookworm-security also carries 6.12 kernels).
#   Adds /etc/apt/sources.list.d/unixcap-backports.sources (a copy of the first stanza of
#   debian.sources with "Suites: bookworm-backports") when no backports entry exists, runs
#   apt-get update when the backports lists are missing (or with --update), downloads the
#   two image .debs and extracts boot/vmlinuz-* and boot/config-* into the cache dir.
#   Already cached kernels are not downloaded again.
#   Also installs the host tools the VM runs need (qemu-system-x86 busybox-static cpio gzip
#   xz-utils zstd binutils) when missing, unless --no-install.
#
#   Each bzImage is also decompressed into vmlinux-RELEASE, the uncompressed ELF kernel, which
#   qemu boots directly through its PVH entry: that skips the in-guest decompressor, which under
#   TCG costs 1-3 s a boot (xz for 6.1). Set UNIXCAP_VM_BOOT=bzimage to list the vmlinuz files.
#
#   Cache dir: ${UNIXCAP_VM_CACHE:-$HOME/.cache/unixcap/vm}
#   Writes $CACHE/kernels.list (the images to boot, one a line, 6.1 first) and prints the
#   same paths on stdout. Progress goes to stderr.
#
# Exit: 0 ok, 1 failure (one-line message on stderr), 2 usage.
set -eu

export DEBIAN_FRONTEND=noninteractive
CACHE=${UNIXCAP_VM_CACHE:-$HOME/.cache/unixcap/vm}
CODENAME=bookworm
SUITE_612=${UNIXCAP_VM_612_SUITE:-$CODENAME-backports}
SOURCES_DIR=/etc/apt/sources.list.d
BPO_FILE=$SOURCES_DIR/unixcap-backports.sources

die() { echo "fetch-kernels: error: $*" >&2; exit 1; }
log() { echo "fetch-kernels: $*" >&2; }

install=1
force_update=0
while [ $# -gt 0 ]; do
	case $1 in
	--no-install) install=0 ;;
	--update) force_update=1 ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "fetch-kernels: unknown argument: $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
	else die "need root for: $*"
	fi
}

# --- host tools -------------------------------------------------------------------------
if [ $install = 1 ]; then
	missing=
	command -v qemu-system-x86_64 >/dev/null 2>&1 || missing="$missing qemu-system-x86"
	dpkg-query -W -f='${Status}\n' busybox-static 2>/dev/null | grep -q 'install ok installed' \
		|| missing="$missing busybox-static"
	command -v cpio >/dev/null 2>&1 || missing="$missing cpio"
	command -v gzip >/dev/null 2>&1 || missing="$missing gzip"
	command -v xz >/dev/null 2>&1 || missing="$missing xz-utils"
	command -v zstd >/dev/null 2>&1 || missing="$missing zstd"
	command -v readelf >/dev/null 2>&1 || missing="$missing binutils"
	if [ -n "$missing" ]; then
		log "installing:$missing"
		as_root apt-get install -y -q --no-install-recommends $missing >&2 \
			|| { as_root apt-get update -q >&2 && as_root apt-get install -y -q --no-install-recommends $missing >&2; } \
			|| die "apt-get install$missing failed"
	fi
fi

# --- apt sources ------------------------------------------------------------------------
need_update=$force_update
if [ "$SUITE_612" = "$CODENAME-backports" ]; then
	if ! grep -qs -- "$CODENAME-backports" /etc/apt/sources.list $SOURCES_DIR/*.list $SOURCES_DIR/*.sources; then
		src=$SOURCES_DIR/debian.sources
		[ -r "$src" ] || die "$src not found: cannot derive a $CODENAME-backports entry"
		tmp=$(mktemp)
		# First stanza only (the main archive), with its Suites: line replaced.
		awk '/^[[:space:]]*$/ { if (seen) exit; next } { seen = 1; print }' "$src" \
			| sed "s/^Suites:.*/Suites: $CODENAME-backports/" > "$tmp"
		grep -q '^URIs:' "$tmp" && grep -q "^Suites: $CODENAME-backports\$" "$tmp" \
			|| { rm -f "$tmp"; die "could not derive a backports stanza from $src"; }
		as_root install -m 0644 "$tmp" "$BPO_FILE"
		rm -f "$tmp"
		log "added $BPO_FILE"
		need_update=1
	fi
fi
policy=$(apt-cache policy 2>/dev/null)
case $policy in *"n=$SUITE_612,"*) ;; *) need_update=1 ;; esac
case $policy in *"n=$CODENAME,"*) ;; *) need_update=1 ;; esac
if [ $need_update = 1 ]; then
	log "apt-get update"
	as_root apt-get update -q >/dev/null || die "apt-get update failed"
fi

# --- pick packages ------------------------------------------------------------------------
# One madison listing ("pkg | version | uri suite/component arch Packages") for all candidates;
# newest_in REGEX SUITE-REGEX picks the newest name matching REGEX with a version in SUITE-REGEX.
names=$(apt-cache pkgnames linux-image-6.1 | grep -E '^linux-image-6\.1(\.0-[0-9]+|2\.[0-9]+\+deb[0-9]+)-amd64$') || true
[ -n "$names" ] || die "no linux-image-6.1* packages known to apt (apt-get update?)"
madison=$(apt-cache madison $names)
newest_in() {
	printf '%s\n' "$madison" | awk -F'|' -v re=" ($2)/" '$3 ~ re { gsub(/ /, "", $1); print $1 }' \
		| grep -E "$1" | sort -u -V | tail -n 1
}
pkg61=$(newest_in '^linux-image-6\.1\.0-[0-9]+-amd64$' "$CODENAME|$CODENAME-security")
[ -n "$pkg61" ] || die "no linux-image-6.1.0-*-amd64 found in $CODENAME or $CODENAME-security"
pkg612=$(newest_in '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64$' "$SUITE_612")
[ -n "$pkg612" ] || die "no linux-image-6.12.*-amd64 found in $SUITE_612"
log "picked $pkg61 and $pkg612 (from $SUITE_612)"

# --- bzImage -> ELF vmlinux with a PVH entry note ------------------------------------------
# to_elf BZIMAGE OUT: finds the compressed payload by its magic, decompresses it, and keeps the
# result if it is an ELF file with a XEN_ELFNOTE_PHYS32_ENTRY (0x12) note, which qemu needs.
to_elf() {
	local spec tool off
	for spec in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
		tool=${spec%%:*}
		command -v "$tool" >/dev/null 2>&1 || continue
		for off in $(LC_ALL=C grep -obUaP "${spec#*:}" "$1" | head -n 3 | cut -d: -f1); do
			tail -c +$((off + 1)) "$1" | "$tool" -dc > "$2.tmp" 2>/dev/null || true
			if [ "$(head -c 4 "$2.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] \
			   && LC_ALL=C readelf -nW "$2.tmp" 2>/dev/null | grep -q 'Xen.*(0x00000012)'; then
				mv "$2.tmp" "$2"
				return 0
			fi
		done
	done
	rm -f "$2.tmp"
	return 1
}

# --- download + extract ---------------------------------------------------------------
mkdir -p "$CACHE"
list=
for pkg in $pkg61 $pkg612; do
	rel=${pkg#linux-image-}
	img=$CACHE/vmlinuz-$rel
	if [ ! -s "$img" ]; then
		work=$(mktemp -d "$CACHE/.fetch.XXXXXX")
		trap 'rm -rf "$work"' EXIT
		if [ "$pkg" = "$pkg612" ]; then trel=$SUITE_612; else trel=; fi
		log "downloading $pkg"
		( cd "$work" && apt-get download -q -o APT::Sandbox::User="$(id -un)" ${trel:+-t "$trel"} "$pkg" >&2 ) \
			|| { rm -rf "$work"; die "apt-get download $pkg failed"; }
		deb=$(ls "$work"/*.deb)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*' './boot/config-*' \
			|| { rm -rf "$work"; die "could not extract boot/ from $deb"; }
		[ -s "$work/boot/vmlinuz-$rel" ] || { rm -rf "$work"; die "$deb has no boot/vmlinuz-$rel"; }
		mv "$work/boot/config-$rel" "$CACHE/config-$rel" 2>/dev/null || true
		dpkg-deb -f "$deb" Package Version > "$CACHE/package-$rel"
		mv "$work/boot/vmlinuz-$rel" "$img"
		rm -rf "$work"
	fi
	if [ "${UNIXCAP_VM_BOOT:-elf}" != bzimage ]; then
		elf=$CACHE/vmlinux-$rel
		if [ -s "$elf" ] || to_elf "$img" "$elf"; then img=$elf
		else log "warning: could not decompress $img into a PVH-bootable ELF; booting the bzImage"
		fi
	fi
	list="$list$img
"
done
printf '%s' "$list" > "$CACHE/kernels.list"
printf '%s' "$list"
