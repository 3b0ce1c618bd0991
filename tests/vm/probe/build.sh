#!/bin/bash
# build.sh - build the VM harness self-test probe as one static binary.
#
# Usage: tests/vm/probe/build.sh [OUTDIR]     (default ${UNIXCAP_VM_CACHE:-$HOME/.cache/unixcap/vm}/probe)
#
#   Compiles probe.bpf.c with clang -target bpf against the repo's bpf/vmlinux/x86/vmlinux.h
#   (or one dumped from this host's BTF if that is missing), embeds it with bpftool gen
#   skeleton and links probe.c statically with libbpf. Installs the needed Debian packages when
#   missing and running as root. Prints the binary's path: OUTDIR/unixcap-vm-probe.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${UNIXCAP_VM_CACHE:-$HOME/.cache/unixcap/vm}/probe}
die() { echo "probe/build: error: $*" >&2; exit 1; }

need=
command -v clang >/dev/null 2>&1 || need="$need clang"
command -v bpftool >/dev/null 2>&1 || need="$need bpftool"
command -v gcc >/dev/null 2>&1 || need="$need gcc libc6-dev"
[ -f /usr/include/bpf/libbpf.h ] && [ -f /usr/lib/x86_64-linux-gnu/libbpf.a ] || need="$need libbpf-dev"
[ -f /usr/lib/x86_64-linux-gnu/libelf.a ] || need="$need libelf-dev"
[ -f /usr/lib/x86_64-linux-gnu/libz.a ] || need="$need zlib1g-dev"
[ -f /usr/lib/x86_64-linux-gnu/libzstd.a ] || need="$need libzstd-dev"
if [ -n "$need" ]; then
	[ "$(id -u)" -eq 0 ] || die "missing packages:$need"
	echo "probe/build: installing:$need" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >&2 \
		|| die "apt-get install$need failed"
fi

mkdir -p "$out"
vmh=$here/../../../bpf/vmlinux/x86
if [ ! -f "$vmh/vmlinux.h" ]; then
	vmh=$out
	bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$out/vmlinux.h" \
		|| die "no vmlinux.h in the repo and none could be dumped from /sys/kernel/btf/vmlinux"
fi
clang -target bpf -D__TARGET_ARCH_x86 -g -O2 -Wall -I"$vmh" \
	-c "$here/probe.bpf.c" -o "$out/probe.tmp.o" || die "clang failed on probe.bpf.c"
bpftool gen object "$out/probe.bpf.o" "$out/probe.tmp.o" || die "bpftool gen object failed"  # drops DWARF
rm -f "$out/probe.tmp.o"
bpftool gen skeleton "$out/probe.bpf.o" name probe > "$out/probe.skel.h" || die "bpftool gen skeleton failed"
gcc -static -O2 -Wall -I"$out" "$here/probe.c" -o "$out/unixcap-vm-probe" \
	-lbpf -lelf -lz -lzstd || die "linking the probe failed"
echo "$out/unixcap-vm-probe"
