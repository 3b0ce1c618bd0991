#!/bin/bash
# run-in-vm.sh - boot a kernel under qemu (TCG) with a busybox initramfs, run one command in it
# and bring its output and exit code back.
#
# Usage: tests/vm/run-in-vm.sh [OPTIONS] KERNEL_IMAGE OUTDIR -- CMD [ARGS...]
#
#   KERNEL_IMAGE: a bzImage (vmlinuz-RELEASE) or an uncompressed ELF vmlinux with a PVH note
#   (vmlinux-RELEASE, as fetch-kernels.sh makes; boots faster under TCG). RELEASE in the file
#   name is what the summary and OUTDIR/result call the kernel.
#   --add HOST[:GUEST]  put a file or directory into the guest (repeatable). GUEST must be
#                       absolute; default /bin/NAME for a file, /opt/NAME for a directory.
#                       Static binaries are expected; a dynamically linked ELF file gets the
#                       libraries ldd lists for it added at their host paths.
#   --env NAME=VALUE    set in the guest command's environment (repeatable)
#   --get GUESTPATH     after CMD, bring this guest file back as OUTDIR/files/BASENAME
#                       (repeatable; gzip+base64 over the console; tar a directory first)
#   --timeout SECONDS   hard limit for the whole boot+run (default $UNIXCAP_VM_TIMEOUT or 600)
#   --mem MB            guest memory (default 2048)
#   --smp N             guest CPUs (default $UNIXCAP_VM_SMP or 2)
#   --append ARGS       extra kernel command line arguments
#   --initrd-extra FILE append a prebuilt newc cpio archive (plain or gzip/zstd/xz-compressed;
#                       repeatable, in order) to the initramfs; the kernel unpacks it over the
#                       generated one. Its files stay in guest RAM, in a rootfs limited to half
#                       of --mem: raising --mem for big ones is the caller's job (e.g.
#                       bench/vm/peers-rootfs.sh's archive, 0.47 GB unpacked, needs >= 1536).
#   --keep-initrd       keep OUTDIR/initrd.img
#   -v, --verbose       also stream the serial console to stderr while running
#
#   CMD runs as root in /tmp with stdin from /dev/null, PATH=/usr/local/{s,}bin:/usr/{s,}bin:/{s,}bin,
#   HOME=/root; it is looked up in the guest (use guest paths). The guest has proc, sysfs,
#   devtmpfs, devpts, tracefs (/sys/kernel/tracing), debugfs, bpffs (/sys/fs/bpf), cgroup2
#   (/sys/fs/cgroup), a 1777 /tmp, lo up, busybox applets, /etc/passwd with root and nobody.
#   Kernel console messages are limited to emergencies while CMD runs.
#
#   Output: CMD's stdout+stderr on stdout; a summary line on stderr. OUTDIR gets console.log
#   (raw serial console), output.log (CMD's output), dmesg.log (guest kernel log after CMD)
#   and result (kernel=, status=ok|timeout|panic|no-result, exit=, seconds=, boot_seconds=).
#   The serial console carries about 150 KB/s under TCG: keep bulk output in files (--get).
#
# Exit: CMD's exit code; 125 when there is no result (timeout, kernel panic, qemu failure,
#       marker missing) with a one-line reason on stderr; 2 for a usage error.
set -eu

TIMEOUT=${UNIXCAP_VM_TIMEOUT:-600}
MEM=2048
SMP=${UNIXCAP_VM_SMP:-2}
APPEND=
KEEP=0
VERBOSE=0
BUSYBOX=${UNIXCAP_VM_BUSYBOX:-/bin/busybox}
NORESULT=125
adds=()
extras=()
envs=()
gets=()

usage() { echo "run-in-vm: $*" >&2; echo "usage: run-in-vm.sh [OPTIONS] KERNEL_IMAGE OUTDIR -- CMD [ARGS...] (see --help)" >&2; exit 2; }
die() { echo "run-in-vm: error: $*" >&2; exit $NORESULT; }

while [ $# -gt 0 ]; do
	case $1 in
	--add) [ $# -ge 2 ] || usage "--add needs an argument"; adds+=("$2"); shift 2 ;;
	--env) [ $# -ge 2 ] || usage "--env needs an argument"
		case $2 in [A-Za-z_]*=*) ;; *) usage "--env wants NAME=VALUE, got: $2" ;; esac
		envs+=("$2"); shift 2 ;;
	--get) [ $# -ge 2 ] || usage "--get needs an argument"
		case $2 in /*) ;; *) usage "--get wants an absolute guest path, got: $2" ;; esac
		gets+=("$2"); shift 2 ;;
	--timeout) [ $# -ge 2 ] || usage "--timeout needs an argument"; TIMEOUT=$2; shift 2 ;;
	--mem) [ $# -ge 2 ] || usage "--mem needs an argument"; MEM=$2; shift 2 ;;
	--smp) [ $# -ge 2 ] || usage "--smp needs an argument"; SMP=$2; shift 2 ;;
	--append) [ $# -ge 2 ] || usage "--append needs an argument"; APPEND="$APPEND $2"; shift 2 ;;
	--initrd-extra) [ $# -ge 2 ] || usage "--initrd-extra needs an argument"; extras+=("$2"); shift 2 ;;
	--keep-initrd) KEEP=1; shift ;;
	-v|--verbose) VERBOSE=1; shift ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	--) break ;;
	-*) usage "unknown option: $1" ;;
	*) break ;;
	esac
done
[ $# -ge 4 ] || usage "missing arguments"
KERNEL=$1 OUTDIR=$2
[ "$3" = -- ] || usage "expected -- before the command"
shift 3
case $TIMEOUT$MEM$SMP in *[!0-9]*) usage "--timeout, --mem and --smp take integers" ;; esac
[ -r "$KERNEL" ] || die "kernel image not readable: $KERNEL"
for x in "${extras[@]+"${extras[@]}"}"; do [ -f "$x" ] && [ -r "$x" ] || die "--initrd-extra: not a readable file: $x"; done
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (apt-get install qemu-system-x86, or run fetch-kernels.sh)"
command -v cpio >/dev/null || die "cpio not found (apt-get install cpio)"
[ -x "$BUSYBOX" ] || die "static busybox not found at $BUSYBOX (apt-get install busybox-static)"

kname=$(basename "$KERNEL"); kname=${kname#vmlinu[xz]-}
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
rm -rf "$OUTDIR/console.log" "$OUTDIR/output.log" "$OUTDIR/dmesg.log" "$OUTDIR/result" "$OUTDIR/files"
stage=$(mktemp -d "${TMPDIR:-/tmp}/unixcap-vm.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# ---- initramfs --------------------------------------------------------------------------
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }  # shell-quote one word
is_dynamic() { LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q 'program interpreter'; }
put_file() { # HOST GUEST
	mkdir -p "$stage$(dirname "$2")"
	rm -f "$stage$2"
	cp -L --preserve=mode "$1" "$stage$2"
	if is_dynamic "$1"; then
		ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' \
		| while read -r lib; do
			[ -e "$stage$lib" ] || { mkdir -p "$stage$(dirname "$lib")"; cp -L "$lib" "$stage$lib"; }
		done
	fi
}

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc/unixcap-vm,proc,sys,dev,run,root,tmp,var/tmp,mnt}
chmod 1777 "$stage/tmp" "$stage/var/tmp"
chmod 700 "$stage/root"
cp "$BUSYBOX" "$stage/bin/busybox"
for a in "${adds[@]+"${adds[@]}"}"; do
	case $a in
	*:/*) host=${a%%:/*} guest=/${a#*:/} ;;
	*) host=$a guest= ;;
	esac
	[ -e "$host" ] || die "--add: no such file or directory: $host"
	if [ -d "$host" ]; then
		guest=${guest:-/opt/$(basename "$host")}
		mkdir -p "$stage$guest"
		cp -a "$host/." "$stage$guest/"
		find "$host" -type f | while read -r f; do
			if is_dynamic "$f"; then put_file "$f" "$guest/${f#"$host"/}"; fi
		done
	else
		guest=${guest:-/bin/$(basename "$host")}
		put_file "$host" "$guest"
	fi
done
# busybox applets, where nothing else sits
"$BUSYBOX" --list-full | while read -r p; do
	[ -e "$stage/$p" ] || [ -L "$stage/$p" ] || ln -s /bin/busybox "$stage/$p"
done

cat > "$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "$stage/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo 'root::1::::::' > "$stage/etc/shadow"; chmod 600 "$stage/etc/shadow"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$stage/etc/hosts"
echo unixcap-vm > "$stage/etc/hostname"

{
	echo '#!/bin/sh'
	for e in "${envs[@]+"${envs[@]}"}"; do echo "export $(q "$e")"; done
	printf 'exec'
	for arg in "$@"; do printf ' %s' "$(q "$arg")"; done
	echo
} > "$stage/etc/unixcap-vm/cmd"
chmod 755 "$stage/etc/unixcap-vm/cmd"
for g in "${gets[@]+"${gets[@]}"}"; do printf '%s\n' "$g"; done > "$stage/etc/unixcap-vm/get"

cat > "$stage/init" <<'EOF'
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LC_ALL=C
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t securityfs securityfs /sys/kernel/security
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs -o mode=755 tmpfs /run
hostname unixcap-vm
ip link set lo up
echo 1 > /proc/sys/kernel/printk
echo "UNIXCAP-VM-BOOTED uptime=$(cut -d' ' -f1 /proc/uptime)"
echo UNIXCAP-VM-BEGIN
cd /tmp
/etc/unixcap-vm/cmd </dev/null
rc=$?
cd /
printf '\nUNIXCAP-VM-END\n'
echo "UNIXCAP-VM-EXIT=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
while IFS= read -r f; do
	if [ -f "$f" ]; then
		echo "UNIXCAP-VM-FILE-BEGIN $f"
		gzip -c "$f" | base64
		echo UNIXCAP-VM-FILE-END
	else
		echo "UNIXCAP-VM-FILE-MISSING $f"
	fi
done < /etc/unixcap-vm/get
echo UNIXCAP-VM-DMESG-BEGIN
dmesg
echo UNIXCAP-VM-DMESG-END
sync
poweroff -f
reboot -f
EOF
chmod 755 "$stage/init"

INITRD=$OUTDIR/initrd.img
# Reproducible: fixed mtimes, sorted names, root-owned, no gzip timestamp.
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z \
	| cpio --null --reproducible --quiet -o -H newc -R 0:0) | gzip -n -1 > "$INITRD" \
	|| die "building the initramfs failed"
# Extra archives go after it. The kernel unpacks concatenated members one after the other,
# skipping NUL bytes between them; a plain cpio must start 4-byte aligned, so pad to that.
for x in "${extras[@]+"${extras[@]}"}"; do
	pad=$(( (4 - $(stat -c %s "$INITRD") % 4) % 4 ))
	{ head -c "$pad" /dev/zero; cat "$x"; } >> "$INITRD" || die "appending $x to the initramfs failed"
done

mkdir -p "$stage/files"

# ---- boot -------------------------------------------------------------------------------
CONSOLE=$OUTDIR/console.log
: > "$CONSOLE"
tailpid=
if [ $VERBOSE = 1 ]; then tail -n +1 -F "$CONSOLE" >&2 2>/dev/null & tailpid=$!; fi
t0=$(date +%s%N)
# Multi-threaded TCG sometimes lets a vCPU run a stale translation of code the kernel is
# live-patching with int3 (static keys, while programs attach): the guest dies with
# "Oops: int3" before the command ends. Seen about once in 15 boots of 6.12 with 2 vCPUs;
# not a guest-kernel or unixcap fault, so such a boot is retried once, saying so.
for attempt in 1 2; do
	set +e
	timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m "$MEM" -smp "$SMP" \
		-nodefaults -no-user-config -display none -no-reboot \
		-chardev "file,id=con,path=${CONSOLE//,/,,}" -serial chardev:con \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 quiet panic=-1 rdinit=/init$APPEND" \
		</dev/null >"$OUTDIR/qemu.log" 2>&1
	qrc=$?
	set -e
	if [ $attempt = 1 ] && ! grep -q '^UNIXCAP-VM-EXIT=' "$CONSOLE" && grep -q 'Oops: int3' "$CONSOLE"; then
		echo "run-in-vm: warning: guest hit TCG's int3 live-patching race (Oops: int3); booting again" >&2
		mv "$CONSOLE" "$OUTDIR/console.int3-oops.log"
		: > "$CONSOLE"
		continue
	fi
	break
done
t1=$(date +%s%N)
[ -z "$tailpid" ] || { sleep 0.2; kill "$tailpid" 2>/dev/null; wait "$tailpid" 2>/dev/null || true; }
[ $KEEP = 1 ] || rm -f "$INITRD"
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

# ---- results ----------------------------------------------------------------------------
tr -d '\r' < "$CONSOLE" | awk -v out="$OUTDIR/output.log" -v dm="$OUTDIR/dmesg.log" -v fd="$stage/files" '
	state == 0 && /^UNIXCAP-VM-BOOTED / { sub(/.*uptime=/, ""); boot = $0; next }
	state == 0 && $0 == "UNIXCAP-VM-BEGIN" { state = 1; n = 0; next }
	state == 1 && /UNIXCAP-VM-END$/ {
		sub(/UNIXCAP-VM-END$/, "")
		if ($0 != "") line[++n] = $0
		else if (n > 0 && line[n] == "") n--   # the newline the guest adds before END
		for (i = 1; i <= n; i++) print line[i] > out
		state = 2; next
	}
	state == 1 { line[++n] = $0; next }
	state == 2 && /^UNIXCAP-VM-EXIT=[0-9]+ / { split($1, a, "="); code = a[2]; state = 3; next }
	state == 3 && /^UNIXCAP-VM-FILE-BEGIN / {
		name = substr($0, 23); sub(/.*\//, "", name); f = fd "/" name ".b64"; printf "" > f; state = 6; next
	}
	state == 6 && $0 == "UNIXCAP-VM-FILE-END" { close(f); state = 3; next }
	state == 6 { print > f; next }
	state == 3 && /^UNIXCAP-VM-FILE-MISSING / { print "run-in-vm: warning: guest file not found: " substr($0, 25) > "/dev/stderr"; next }
	state == 3 && $0 == "UNIXCAP-VM-DMESG-BEGIN" { state = 4; next }
	state == 4 && $0 == "UNIXCAP-VM-DMESG-END" { state = 5; next }
	state == 4 { print > dm; next }
	END {
		if (state == 1) for (i = 1; i <= n; i++) print line[i] > out   # partial output
		printf "%s %s\n", (code == "" ? "-" : code), (boot == "" ? "-" : boot)
	}' > "$stage/parsed"
read -r code boot < "$stage/parsed"
for b in "$stage"/files/*.b64; do
	[ -e "$b" ] || continue
	mkdir -p "$OUTDIR/files"
	n=$(basename "$b" .b64)
	base64 -d < "$b" | gunzip > "$OUTDIR/files/$n" \
		|| { echo "run-in-vm: warning: guest file $n came back damaged" >&2; rm -f "$OUTDIR/files/$n"; }
done
touch "$OUTDIR/output.log"
if tr -d '\r' < "$CONSOLE" | grep -q 'Initramfs unpacking failed'; then
	echo "run-in-vm: warning: the guest kernel could not unpack the whole initramfs ($(tr -d '\r' < "$CONSOLE" | grep -m1 -o 'Initramfs unpacking failed.*')): raise --mem?" >&2
fi
[ -f "$OUTDIR/dmesg.log" ] || tr -d '\r' < "$CONSOLE" > "$OUTDIR/dmesg.log"

if [ "$code" != - ]; then
	status=ok
elif [ $qrc = 124 ] || [ $qrc = 137 ]; then
	status=timeout reason="timeout: no result after ${TIMEOUT}s"
elif grep -q 'Kernel panic' "$CONSOLE"; then
	status=panic reason="kernel panic: $(tr -d '\r' < "$CONSOLE" | grep -m1 'Kernel panic' | sed 's/^.*Kernel panic - //')"
elif [ $qrc != 0 ]; then
	status=no-result reason="qemu exited with $qrc: $(tail -n 1 "$OUTDIR/qemu.log")"
else
	status=no-result reason="no exit marker on the console"
fi
printf 'kernel=%s\nstatus=%s\nexit=%s\nseconds=%s\nboot_seconds=%s\n' \
	"$kname" "$status" "$code" "$secs" "$boot" > "$OUTDIR/result"

cat "$OUTDIR/output.log"
if [ $status = ok ]; then
	echo "run-in-vm: $kname: exit=$code seconds=$secs (guest booted at ${boot}s)" >&2
	exit "$code"
fi
echo "run-in-vm: $kname: $reason (seconds=$secs, see $CONSOLE)" >&2
exit $NORESULT
