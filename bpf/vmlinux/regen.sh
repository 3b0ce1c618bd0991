#!/bin/sh
# Regenerates the CO-RE type header from a kernel's BTF. The build never reads the running
# kernel: this file is checked in, and CO-RE relocations adapt it to each kernel at load time.
# Usage: bpf/vmlinux/regen.sh [BTF_FILE]   (default /sys/kernel/btf/vmlinux)
set -eu
btf=${1:-/sys/kernel/btf/vmlinux}
arch=$(uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')
out=$(dirname "$0")/$arch/vmlinux.h
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out from $btf"
