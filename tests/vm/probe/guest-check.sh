#!/bin/sh
# guest-check.sh - runs inside the VM: checks what run-in-vm.sh promises the guest command,
# then execs the given command (the probe). Exit 10-14 on a missing piece.
set -e
for m in /proc /sys /dev /sys/kernel/tracing /sys/kernel/debug /sys/fs/bpf /sys/fs/cgroup; do
	grep -q " $m " /proc/mounts || { echo "guest-check: $m not mounted"; exit 10; }
done
grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts || { echo "guest-check: /sys/fs/cgroup is not cgroup2"; exit 10; }
[ "$(stat -c %a /tmp)" = 1777 ] || { echo "guest-check: /tmp is not 1777"; exit 11; }
ip -o link show lo | grep -q 'LOWER_UP' || { echo "guest-check: lo is down"; exit 12; }
[ "$(su nobody -s /bin/sh -c 'id -u')" = 65534 ] || { echo "guest-check: no nobody user"; exit 13; }
[ "$PWD" = /tmp ] || { echo "guest-check: cwd is $PWD, not /tmp"; exit 14; }
echo "guest-check: ok"
exec "$@"
