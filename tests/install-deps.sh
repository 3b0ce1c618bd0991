#!/bin/sh
# Installs what unixcap needs to build (and, with --test, to run its test suite), from
# Debian packages only. Run as root.
set -eu
build_pkgs="cmake make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
            libzstd-dev libpcap-dev"
test_pkgs="python3 python3-dbus curl man-db dpkg-dev iproute2 socat dbus tshark debootstrap debian-archive-keyring strace qemu-system-x86 busybox-static cpio zstd
           gzip valgrind libclang-rt-14-dev postgresql redis-server python3-grpcio lsof lintian file util-linux
           openssh-server libcap2-bin passwd"
pkgs=$build_pkgs
[ "${1:-}" = "--test" ] && pkgs="$pkgs $test_pkgs"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root (it installs packages with apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $pkgs
