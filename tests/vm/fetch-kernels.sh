#!/bin/bash
# fetch-kernels.sh - fetch the Debian kernels the VM tests boot, into a cache outside the repo.
#
# Usage: tests/vm/fetch-kernels.sh [--no-install] [--update]
#
#   Picks the newest amd64 image of each series the matrix covers:
#     5.10   linux-image-5.10.0-N-amd64       bullseye, bullseye-security (Debian 11)
#     6.1    linux-image-6.1.0-N-amd64        bookworm, bookworm-security (Debian 12)
#     6.12   linux-image-6.12.N+debNN-amd64   trixie, trixie-security (Debian 13)
#     newest linux-image-X.Y.Z+debNN-amd64    sid: the newest kernel Debian ships, whatever its
#                                             version, so the cell follows new releases
#   The suites come from a private apt configuration under the cache (its lists, its
#   sources), built at run time from the archive URIs of the machine's own debian.sources:
#   the machine's apt sources are never changed. `apt-get update` runs on that private
#   configuration when its lists are missing, older than a day, or with --update.
#   Newer Debian kernels split the package: linux-image-RELEASE depends on
#   linux-binary-RELEASE, which holds usr/lib/modules/RELEASE/vmlinuz; both layouts are read.
#   Already cached kernels are not downloaded again.
#   Also installs the host tools the VM runs need (qemu-system-x86 busybox-static cpio gzip
#   xz-utils zstd binutils) when missing, unless --no-install.
#
#   Each bzImage is also decompressed into vmlinux-RELEASE, the uncompressed ELF kernel, which
#   qemu boots directly through its PVH entry: that skips the in-guest decompressor, which under
#   TCG costs 1-3 s a boot (xz for 6.1). Set UNIXCAP_VM_BOOT=bzimage to list the vmlinuz files.
#
#   Cache dir: ${UNIXCAP_VM_CACHE:-$HOME/.cache/unixcap/vm}; apt state in $CACHE/../apt
#   (UNIXCAP_APT_DIR). Writes $CACHE/kernels.list (the images to boot, one a line, oldest
#   series first, the newest kernel last) and prints the same paths on stdout. Progress goes
#   to stderr.
#
# Exit: 0 ok, 1 failure (one-line message on stderr), 2 usage.
set -eu

export DEBIAN_FRONTEND=noninteractive
CACHE=${UNIXCAP_VM_CACHE:-$HOME/.cache/unixcap/vm}
APTDIR=${UNIXCAP_APT_DIR:-$(dirname "$CACHE")/apt}
SRC=/etc/apt/sources.list.d/debian.sources

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

# --- private apt configuration ------------------------------------------------------------
# The archive and security URIs are read from the machine's sources each run, not stored.
[ -r "$SRC" ] || die "$SRC not found: cannot derive the archive's address"
main_uri=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$SRC")
sec_uri=$(awk '/^URIs:/ && $2 ~ /security/ { print $2; exit }' "$SRC")
[ -n "$main_uri" ] || die "no archive URIs: line in $SRC"
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/sources"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
{
	printf 'Types: deb\nURIs: %s\nSuites: bullseye bookworm trixie sid\nComponents: main\nSigned-By: %s\n' \
		"$main_uri" "$keyring"
	[ -z "$sec_uri" ] || printf '\nTypes: deb\nURIs: %s\nSuites: bullseye-security bookworm-security trixie-security\nComponents: main\nSigned-By: %s\n' \
		"$sec_uri" "$keyring"
} > "$APTDIR/sources/unixcap.sources.new"
cmp -s "$APTDIR/sources/unixcap.sources.new" "$APTDIR/sources/unixcap.sources" || force_update=1
mv "$APTDIR/sources/unixcap.sources.new" "$APTDIR/sources/unixcap.sources"
A=(-o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts="$APTDIR/sources"
   -o Dir::State::Lists="$APTDIR/lists" -o Dir::Cache="$APTDIR/cache"
   -o APT::Sandbox::User=root -q)
if [ $force_update = 1 ] || [ -z "$(find "$APTDIR/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
	log "apt-get update (private configuration in $APTDIR)"
	apt-get "${A[@]}" update >/dev/null || die "apt-get update failed"
fi

# --- pick packages ------------------------------------------------------------------------
# newest REGEX SUITE-REGEX: the newest package name matching REGEX with a version in a suite
# matching SUITE-REGEX (madison: "pkg | version | uri suite/component arch Packages").
names=$(apt-cache "${A[@]}" pkgnames linux-image- | grep -E '^linux-image-[0-9][0-9.]*[-+][0-9a-z.+-]*-amd64$' \
	| grep -Ev -- '-(cloud|rt)-amd64$') || true
[ -n "$names" ] || die "no linux-image-* packages known to apt"
madison=$(apt-cache "${A[@]}" madison $names)
newest() {
	printf '%s\n' "$madison" | awk -F'|' -v re=" ($2)/" '$3 ~ re { gsub(/ /, "", $1); print $1 }' \
		| grep -E "$1" | sort -u -V | tail -n 1
}
pkgs=
for spec in '5\.10\.0-[0-9]+:bullseye|bullseye-security' '6\.1\.0-[0-9]+:bookworm|bookworm-security' \
	    '6\.12\.[0-9]+\+deb[0-9]+:trixie|trixie-security' '[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+:sid'; do
	p=$(newest "^linux-image-${spec%%:*}-amd64\$" "${spec#*:}")
	[ -n "$p" ] || die "no linux-image-${spec%%:*}-amd64 in ${spec#*:}"
	case " $pkgs " in *" $p "*) ;; *) pkgs="$pkgs $p" ;; esac
done
log "picked$pkgs"

# --- download + extract ---------------------------------------------------------------
mkdir -p "$CACHE"
list=
for pkg in $pkgs; do
	rel=${pkg#linux-image-}
	img=$CACHE/vmlinuz-$rel
	if [ ! -s "$img" ]; then
		work=$(mktemp -d "$CACHE/.fetch.XXXXXX")
		trap 'rm -rf "$work"' EXIT
		# 7.x: the image lives in linux-binary-RELEASE, a dependency of linux-image-RELEASE.
		dl=$pkg
		if apt-cache "${A[@]}" show "linux-binary-$rel" >/dev/null 2>&1; then dl="$dl linux-binary-$rel"; fi
		log "downloading $dl"
		( cd "$work" && apt-get "${A[@]}" download $dl >&2 ) \
			|| { rm -rf "$work"; die "apt-get download $dl failed"; }
		for deb in "$work"/*.deb; do
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards --no-wildcards-match-slash \
				'./boot/vmlinuz-*' './boot/config-*' "./usr/lib/modules/$rel/vmlinuz" \
				"./usr/lib/modules/$rel/config" 2>/dev/null || true
		done
		k=$work/boot/vmlinuz-$rel
		[ -s "$k" ] || k=$work/usr/lib/modules/$rel/vmlinuz
		[ -s "$k" ] || { rm -rf "$work"; die "neither boot/vmlinuz-$rel nor usr/lib/modules/$rel/vmlinuz in $dl"; }
		for c in "$work/boot/config-$rel" "$work/usr/lib/modules/$rel/config"; do
			[ ! -s "$c" ] || mv "$c" "$CACHE/config-$rel"
		done
		dpkg-deb -f "$work/${pkg}_"*.deb Package Version > "$CACHE/package-$rel"
		mv "$k" "$img"
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
