#!/bin/sh
# kernel-errors-check.sh - guest side of the VM cells' check of what unixcap says when the
# kernel lacks something (busybox sh): each case must fail with exactly one line that names
# the missing piece, and --btf must stand in for the kernel's own BTF.
#
# Usage (in the guest, as root): UNIXCAP_GUEST=1 kernel-errors-check.sh UNIXCAP
#   It hides /sys/kernel/btf for a moment: UNIXCAP_GUEST=1 says this is a throwaway VM.
# Exit: 0 all checks passed, 1 a check failed (a FAIL line says which).
set -u
[ "${UNIXCAP_GUEST:-}" = 1 ] || { echo "kernel-errors-check: runs only in a test VM (UNIXCAP_GUEST=1)" >&2; exit 1; }
uc=$1
w=$(mktemp -d /tmp/kec.XXXXXX)
fail() { echo "FAIL kernel-errors: $*"; exit 1; }
# expect NAME WANT-SUBSTRING CMD...: CMD fails, its stderr is one line containing WANT.
expect() {
	name=$1 want=$2; shift 2
	if "$@" > "$w/out" 2> "$w/err"; then fail "$name: exited 0"; fi
	[ "$(wc -l < "$w/err")" -eq 1 ] || fail "$name: want one line, got: $(cat "$w/err")"
	grep -q -- "$want" "$w/err" || fail "$name: no '$want' in: $(cat "$w/err")"
	echo "ok kernel-errors.$name: $(cat "$w/err")"
}

# No BTF: hide /sys/kernel/btf under an empty tmpfs, keeping a copy of the kernel's BTF.
cp /sys/kernel/btf/vmlinux "$w/vmlinux.btf" || fail "no /sys/kernel/btf/vmlinux to start from"
mount -t tmpfs none /sys/kernel/btf || fail "cannot hide /sys/kernel/btf"
expect no-btf "no BTF" "$uc" --backend tracepoint -d 0.1 -q
"$uc" --btf "$w/vmlinux.btf" --backend tracepoint -d 0.1 -q > "$w/out" 2> "$w/err" \
	|| { umount /sys/kernel/btf; fail "--btf FILE: $(cat "$w/err")"; }
echo "ok kernel-errors.btf-file: loads with --btf and /sys/kernel/btf hidden"
umount /sys/kernel/btf

# No permission: an unprivileged user.
chmod 755 "$w"; cp "$uc" "$w/unixcap"; chmod 755 "$w/unixcap"
expect no-permission "CAP_BPF" su nobody -s /bin/sh -c "$w/unixcap -d 0.1 -q"
rm -rf "$w"
