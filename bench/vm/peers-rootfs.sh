#!/bin/bash
# peers-rootfs.sh - build (and cache) an initramfs add-on with Debian's peer tracers, bpftrace
# and bcc's sofdsnoop-bpfcc, for tests/vm/run-in-vm.sh --initrd-extra.
#
# Usage: bench/vm/peers-rootfs.sh [--kernels FILE] [--package PKG]... [--compress gzip|none] [--force]
#
#   Prints the path of a gzip'd newc cpio archive on stdout (progress on stderr), to be
#   appended to run-in-vm.sh's initramfs:
#       a=$(bench/vm/peers-rootfs.sh)
#       tests/vm/run-in-vm.sh --initrd-extra "$a" --mem 3072 KERNEL OUT -- peer bpftrace -e '...'
#   It holds:
#     /opt/peers            a Debian bookworm tree: bpftrace, bpfcc-tools, python3-bpfcc, dash
#                           (for /bin/sh), their recursive Depends/Pre-Depends, and
#                           linux-headers-RELEASE (+ -common, linux-kbuild) for every kernel
#                           in kernels.list (bcc builds against /lib/modules/$(uname -r)/build),
#                           unpacked with dpkg-deb -x (no maintainer scripts), /usr-merged, with
#                           a generated etc/ld.so.cache, precompiled .pyc (unchecked-hash) and
#                           boot/config-RELEASE from the kernel cache; docs, man pages, locales
#                           and static libraries stripped.
#     /usr/local/bin/peer   busybox sh: `peer CMD [ARGS...]` bind-mounts /proc /sys /dev /tmp
#                           /run and the separate mounts under them (tracefs, debugfs, bpffs,
#                           cgroup2, devpts, ...) into /opt/peers once, then runs CMD chrooted
#                           there, in the same directory when it is under /tmp or /run (else /),
#                           with PYTHONUNBUFFERED=1 and PATH=/usr/local/sbin:...:/bin.
#                           e.g.  peer sofdsnoop-bpfcc -p 123      peer bpftrace -e 'BEGIN{}'
#
#   sofdsnoop-bpfcc is patched so that it compiles (the untouched script is kept as
#   /usr/sbin/sofdsnoop-bpfcc.dist): its BPF text calls the kernel's min(), which the 6.1.1xx
#   and 6.12 <linux/minmax.h> turn into a compile-time assert bcc's clang rejects ("cannot call
#   non-static helper function"): it becomes a plain ?:; and 6.12's <linux/bpf.h> (via
#   <net/sock.h>) takes sizeof of struct bpf_wq/bpf_rb_root/bpf_rb_node/bpf_refcount, which
#   bcc 0.26's built-in uapi bpf.h lacks: the text gets those four (opaque) definitions first.
#
#   Dependencies: `apt-cache depends` (no Recommends/Suggests), per OR group the first
#   alternative that is a real package (or one already picked), per virtual package its first
#   provider; never taken (with what only they need): linux-image-*, linux-base,
#   linux-compiler-*, gcc-N, pahole, dpkg, wget, curl, libwww-perl (the headers are used for
#   their include files only). Candidate versions of the configured apt sources (bookworm,
#   bookworm-backports for the 6.12 headers), amd64.
#
#   --kernels FILE  kernel list (default $CACHE/kernels.list, as tests/vm/fetch-kernels.sh
#                   writes it); headers are fetched for each vmlinu[xz]-RELEASE in it
#   --package PKG   also put PKG (and its dependencies) into the tree (repeatable)
#   --force         rebuild even when the cached archive exists
#   --compress gzip|none  gzip (default; ~135 MB) or a plain cpio (~450 MB, peers-KEY.cpio),
#                   which the guest unpacks ~5 s faster under TCG
#
#   Cache: $CACHE/peers/ (CACHE=${UNIXCAP_VM_CACHE:-$HOME/.cache/unixcap/vm}): debs/ keeps the
#   downloaded .debs; peers-KEY.cpio.gz, KEY a hash of the resolved .deb file names, the
#   kernels.list content and this script; index-PREKEY remembers the archive for the same
#   request, kernels.list, script and apt lists (a repeat call returns at once). A build keeps
#   the three newest archives and drops .debs it did not use. Reproducible: sorted names, mtimes 0, owner 0:0,
#   gzip -n. Needs root (ldconfig -r and chroot for the .pyc), apt-get, dpkg-deb, cpio, gzip.
#   The tree is ~0.47 GB unpacked in guest RAM, where the rootfs may fill at most half of it:
#   run the guest with --mem 1536 at least (2048-3072 leaves room for the tracers and /tmp).
#
# Exit: 0 ok, 1 failure (one-line message on stderr), 2 usage.
set -eu

CACHE=${UNIXCAP_VM_CACHE:-$HOME/.cache/unixcap/vm}
KLIST=$CACHE/kernels.list
FORCE=0
COMPRESS=gzip
PKGS=(bpftrace bpfcc-tools python3-bpfcc dash)
# Never taken, nor what only they pull in: the kernel image and the compiler the headers
# ask for, the package manager, and the downloaders ieee-data (python3-netaddr) wants.
EXCLUDE='^(linux-image-.*|linux-base|linux-compiler-.*|gcc-[0-9]+|pahole|dpkg|wget|curl|libwww-perl)$'
PEER_ROOT=/opt/peers

die() { echo "peers-rootfs: error: $*" >&2; exit 1; }
log() { echo "peers-rootfs: $*" >&2; }
usage() { echo "peers-rootfs: $*" >&2; echo "usage: peers-rootfs.sh [--kernels FILE] [--package PKG]... [--compress gzip|none] [--force] (see --help)" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernels) [ $# -ge 2 ] || usage "--kernels needs an argument"; KLIST=$2; shift 2 ;;
	--package) [ $# -ge 2 ] || usage "--package needs an argument"; PKGS+=("$2"); shift 2 ;;
	--force) FORCE=1; shift ;;
	--compress) [ $# -ge 2 ] || usage "--compress needs an argument"
		case $2 in gzip|none) COMPRESS=$2 ;; *) usage "--compress takes gzip or none" ;; esac; shift 2 ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage "unknown argument: $1" ;;
	esac
done

[ "$(id -u)" -eq 0 ] || die "must run as root (ldconfig -r and chroot need it)"
for t in apt-cache apt-get dpkg-deb cpio gzip ldconfig sha256sum chroot; do
	command -v $t >/dev/null 2>&1 || die "$t not found"
done
[ -r "$KLIST" ] || die "kernel list not readable: $KLIST (run tests/vm/fetch-kernels.sh)"
export LC_ALL=C

# ---- what to fetch --------------------------------------------------------------------------
rels=$(sed -n 's|^.*/vmlinu[xz]-\([^/]*\)$|\1|p' "$KLIST" | sort -u)
[ -n "$rels" ] || die "no vmlinux-RELEASE/vmlinuz-RELEASE lines in $KLIST"
for r in $rels; do PKGS+=("linux-headers-$r"); done
PDIR=$CACHE/peers
mkdir -p "$PDIR"

# Fast path: the same request against the same apt lists resolves to the same .debs, so
# remember which archive it gave (index-PREKEY) and skip the resolution.
prekey=$( { printf '%s\n' "${PKGS[@]}" "$COMPRESS"; cat "$KLIST" "$0"
	(cd /var/lib/apt/lists 2>/dev/null && find . -maxdepth 1 -name '*Packages*' -printf '%p %s %T@\n' | sort)
	} | sha256sum | cut -c1-16)
if [ $FORCE = 0 ] && [ -s "$PDIR/index-$prekey" ]; then
	read -r prev < "$PDIR/index-$prekey"
	if [ -s "$PDIR/$prev" ]; then
		log "cached: $PDIR/$prev"
		echo "$PDIR/$prev"
		exit 0
	fi
fi
for p in "${PKGS[@]}"; do
	apt-cache show --no-all-versions "$p" >/dev/null 2>&1 \
		|| die "apt knows no package $p (apt-get update? is bookworm-backports configured?)"
done

# One `apt-cache depends` call per breadth-first level. For each package the awk prints its
# dependency groups, one a line: alternatives separated by spaces, a virtual one written
# <name>=provider,provider.
deps_of() {
	apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
		--no-enhances "$@" 2>/dev/null | awk '
	function flush() { if (grp != "") print pkg "\t" grp; grp = "" }
	/^[^ ]/ { flush(); pkg = $1; cont = 0; next }
	/^ [ |](Pre)?Depends: / {
		if (!cont) flush()
		grp = grp (grp == "" ? "" : " ") $2; cont = substr($0, 2, 1) == "|"; nprov = 0; next
	}
	/^    [^ ]/ { grp = grp (nprov++ ? "," : "=") $1; next }
	END { flush() }'
}
declare -A picked=()
queue=()
for p in "${PKGS[@]}"; do picked[$p]=1; queue+=("$p"); done
while [ ${#queue[@]} -gt 0 ]; do
	next=()
	while IFS=$'\t' read -r _ grp; do
		choice= sat=0
		for alt in $grp; do
			name=${alt%%=*} provs=
			case $alt in *=*) provs=${alt#*=}; provs=${provs//,/ } ;; esac
			name=${name#<}; name=${name%>}; name=${name%:any}; name=${name%:amd64}
			for c in $name $provs; do
				if [ -n "${picked[$c]:-}" ] || [[ $c =~ $EXCLUDE ]]; then sat=1; fi
			done
			[ $sat = 1 ] && break
			if [ -z "$choice" ]; then
				if [[ $alt != \<* ]]; then choice=$name
				else for c in $provs; do choice=$c; break; done
				fi
			fi
		done
		if [ $sat = 0 ] && [ -n "$choice" ] && [ -z "${picked[$choice]:-}" ]; then
			picked[$choice]=1; next+=("$choice")
		fi
	done < <(deps_of "${queue[@]}")
	queue=(${next[@]+"${next[@]}"})
done
mapfile -t sel < <(printf '%s\n' "${!picked[@]}" | sort)
log "${#sel[@]} packages: ${sel[*]}"

# file names of the candidate .debs (apt resolves the candidate version, amd64 or all)
mapfile -t files < <(apt-get download --print-uris "${sel[@]}" 2>/dev/null | awk '{ print $2 }' | sort)
[ ${#files[@]} = ${#sel[@]} ] || die "apt-get download --print-uris gave ${#files[@]} files for ${#sel[@]} packages"

key=$( { printf '%s\n' "${files[@]}"; cat "$KLIST"; cat "$0"; } | sha256sum | cut -c1-16)
OUT=$PDIR/peers-$key.cpio
[ $COMPRESS = none ] || OUT=$OUT.gz
if [ $FORCE = 0 ] && [ -s "$OUT" ]; then
	log "cached: $OUT"
	basename "$OUT" > "$PDIR/index-$prekey"
	echo "$OUT"
	exit 0
fi

# ---- download ---------------------------------------------------------------------------
DEBS=$PDIR/debs
mkdir -p "$DEBS"
missing=()
for i in "${!files[@]}"; do [ -s "$DEBS/${files[$i]}" ] || missing+=("${sel[$i]}"); done
stage=$(mktemp -d "$PDIR/.build.XXXXXX")
trap 'rm -rf "$stage"' EXIT
if [ ${#missing[@]} -gt 0 ]; then
	log "downloading ${#missing[@]} packages"
	mkdir "$stage/dl"
	( cd "$stage/dl" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" "${missing[@]}" >&2 ) \
		|| die "apt-get download failed"
	mv "$stage"/dl/*.deb "$DEBS/"
fi
for f in "${files[@]}"; do [ -s "$DEBS/$f" ] || die "missing after download: $DEBS/$f"; done

# ---- unpack -----------------------------------------------------------------------------
t0=$(date +%s)
root=$stage/root
R=$root$PEER_ROOT
mkdir -p "$R"
log "unpacking ${#files[@]} packages"
for f in "${files[@]}"; do dpkg-deb -x "$DEBS/$f" "$R" || die "dpkg-deb -x $f failed"; done

# /usr merge, as a bookworm install has it
for d in bin sbin lib lib32 lib64 libx32; do
	if [ -d "$R/$d" ] && [ ! -L "$R/$d" ]; then
		mkdir -p "$R/usr/$d"
		cp -a "$R/$d/." "$R/usr/$d/" && rm -rf "${R:?}/$d" || die "/usr merge of /$d failed"
	fi
	[ -e "$R/usr/$d" ] && ln -sfn "usr/$d" "$R/$d"
done
[ -e "$R/bin/sh" ] || ln -s dash "$R/usr/bin/sh"

# slimming
rm -rf "$R"/usr/share/{doc,doc-base,man,info,locale,lintian,linda,bug,bash-completion,zsh,menu,gtk-doc,help}
find "$R" -name '*.a' -type f -delete
# bcc only compiles for x86: the other architectures' headers are dead weight
for d in "$R"/usr/src/linux-headers-*/arch/*/; do
	case $d in */arch/x86/) ;; *) rm -rf "$d" ;; esac
done

# bcc 0.26's sofdsnoop vs the newer kernel headers (see the header comment)
sof=$R/usr/sbin/sofdsnoop-bpfcc
if grep -q 'val->fd_cnt = min(num, MAX_FD);' "$sof" && grep -q '^bpf_text = """$' "$sof"; then
	cp -p "$sof" "$sof.dist"
	sed -i -e 's/val->fd_cnt = min(num, MAX_FD);/val->fd_cnt = num < MAX_FD ? num : MAX_FD;/' \
		-e '/^bpf_text = """$/a\
/* peers-rootfs.sh: uapi types that 6.10+ <linux/bpf.h> needs and bcc 0.26 lacks */\
struct bpf_rb_root { unsigned long long __opaque[2]; } __attribute__((aligned(8)));\
struct bpf_rb_node { unsigned long long __opaque[4]; } __attribute__((aligned(8)));\
struct bpf_refcount { unsigned int __opaque[1]; } __attribute__((aligned(4)));\
struct bpf_wq { unsigned long long __opaque[2]; } __attribute__((aligned(8)));' "$sof"
else
	log "warning: sofdsnoop-bpfcc is not the expected bcc 0.26 text: left unpatched"
fi

# runtime bits the maintainer scripts or the base system would provide
mkdir -p "$R"/{proc,sys,dev,tmp,run,root,etc,boot}
chmod 1777 "$R/tmp"; chmod 700 "$R/root"
[ -e "$R/etc/ld.so.conf" ] || echo 'include /etc/ld.so.conf.d/*.conf' > "$R/etc/ld.so.conf"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
for r in $rels; do
	[ -r "$CACHE/config-$r" ] && cp "$CACHE/config-$r" "$R/boot/config-$r"
	chroot "$R" /bin/sh -c "test -e /lib/modules/$r/build/include/generated/autoconf.h" \
		|| die "linux-headers-$r left no /lib/modules/$r/build/include/generated/autoconf.h"
done
ldconfig -X -r "$R" || die "ldconfig -r failed"
[ -s "$R/etc/ld.so.cache" ] || die "ldconfig made no ld.so.cache"
for f in usr/bin/bpftrace usr/sbin/sofdsnoop-bpfcc usr/bin/python3; do
	[ -x "$R/$f" ] || die "$PEER_ROOT/$f missing from the tree"
done
log "precompiling python modules"
pydirs=$(cd "$R" && ls -d usr/lib/python3.* usr/lib/python3/dist-packages 2>/dev/null | sed 's|^|/|')
chroot "$R" /usr/bin/python3 -c 'import bcc' || die "python3 in the tree cannot import bcc"
chroot "$R" /usr/bin/python3 -m compileall -q --invalidation-mode unchecked-hash $pydirs >/dev/null 2>&1 \
	|| log "warning: compileall reported errors (some .py files were not precompiled)"
chroot "$R" /usr/bin/bpftrace --version >/dev/null || die "bpftrace in the tree does not run"

# the entry point, outside the tree
mkdir -p "$root/usr/local/bin"
cat > "$root/usr/local/bin/peer" <<'EOF'
#!/bin/sh
# peer CMD [ARGS...] - run CMD in the Debian peer-tracer tree /opt/peers (bench/vm/peers-rootfs.sh)
R=/opt/peers
[ $# -ge 1 ] || { echo "usage: peer CMD [ARGS...]" >&2; exit 2; }
[ -x $R/usr/bin/python3 ] || { echo "peer: $R is missing (no --initrd-extra peers archive?)" >&2; exit 127; }
ismnt() { awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; }
if [ ! -e /run/peer.mounted ]; then
	n=0
	until mkdir /run/peer.lock 2>/dev/null; do
		n=$((n + 1)); [ $n -lt 600 ] || { echo "peer: /run/peer.lock held too long" >&2; exit 126; }
		sleep 0.1
	done
	if [ ! -e /run/peer.mounted ]; then
		for m in /proc /sys /dev /tmp /run $(awk '$2 ~ "^/(sys|dev|proc)/" { print $2 }' /proc/mounts); do
			ismnt $R$m && continue
			mkdir -p $R$m 2>/dev/null
			mount -o bind $m $R$m || { echo "peer: cannot bind-mount $m on $R$m" >&2; rmdir /run/peer.lock; exit 126; }
		done
		: > /run/peer.mounted
	fi
	rmdir /run/peer.lock
fi
export PYTHONUNBUFFERED=1 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
case $PWD in
/tmp|/tmp/*|/run|/run/*) exec chroot $R /bin/sh -c 'cd "$0" && exec "$@"' "$PWD" "$@" ;;
esac
exec chroot $R "$@"
EOF
chmod 755 "$root/usr/local/bin/peer"
chmod 755 "$root/usr" "$root/usr/local" "$root/usr/local/bin" "$root/opt" "$R"

# ---- archive ----------------------------------------------------------------------------
log "tree: $(du -sm "$root" | cut -f1) MB; writing the archive"
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 -print0 | sort -z \
	| cpio --null --reproducible --quiet -o -H newc -R 0:0) \
	| if [ $COMPRESS = gzip ]; then gzip -n -6; else cat; fi > "$stage/out" \
	|| die "writing the archive failed"
mv "$stage/out" "$OUT"
basename "$OUT" > "$PDIR/index-$prekey"
# keep the three newest archives, the index files that name one, and the .debs of this set
ls -t "$PDIR"/peers-*.cpio* | tail -n +4 | xargs -r rm -f
for i in "$PDIR"/index-*; do read -r a < "$i"; [ -e "$PDIR/$a" ] || rm -f "$i"; done
for d in "$DEBS"/*.deb; do
	case " ${files[*]} " in *" ${d##*/} "*) ;; *) rm -f "$d" ;; esac
done
log "built $OUT ($(du -m "$OUT" | cut -f1) MB) in $(( $(date +%s) - t0 ))s"
echo "$OUT"
