#!/bin/bash
# matrix.sh - run guest commands on each cached kernel and print a result table.
#
# Usage: tests/vm/matrix.sh [OPTIONS] [--cell 'SEL:ARGS']...
#
#   --kernel PATH        kernel image to use (repeatable); default: the images listed in
#                        ${UNIXCAP_VM_CACHE:-$HOME/.cache/unixcap/vm}/kernels.list (fetch-kernels.sh)
#   --cmd 'CMDLINE'      base guest command line (run with sh -c in the guest)
#   --cell 'SEL:ARGS'    one cell per kernel matching SEL, running "CMDLINE ARGS" (repeatable).
#                        SEL: 'all', a release prefix ending at a dot/dash ('6.1' matches
#                        6.1.0-56-amd64 but not 6.12.x, '6.12' matches 6.12.95+deb12-amd64),
#                        a full release, or 'newest': the last kernel of the list (the
#                        newest Debian ships, whatever its version). Without --cell: one cell
#                        per kernel running CMDLINE.
#   --add HOST[:GUEST]  --env NAME=VALUE  --get GUESTPATH  --timeout S  --mem MB  --smp N
#   --append ARGS        passed to every run-in-vm.sh run (see run-in-vm.sh --help)
#   --outdir DIR         keep each cell's files (console.log, output.log, dmesg.log, result, files/)
#                        in DIR/NN-RELEASE (default: a new directory under ${TMPDIR:-/tmp})
#   -v, --verbose        print every cell's output (default: only failing cells' output)
#
#   Example: matrix.sh --add build/unixcap --add build/it-driver \
#              --cmd 'it-driver --unixcap /bin/unixcap' \
#              --cell '6.1:--backend kprobe' --cell 'all:--backend fentry'
#
#   Prints "kernel | command | result | seconds" for every cell. Exit: 0 when every cell
#   passed, 1 when any cell failed or produced no result, 2 for a usage error.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
CACHE=${UNIXCAP_VM_CACHE:-$HOME/.cache/unixcap/vm}
kernels=()
cells=()
pass=()
base=
outdir=
verbose=0

usage() { echo "matrix: $*" >&2; echo "usage: matrix.sh [OPTIONS] [--cell 'SEL:ARGS']... (see --help)" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || usage "$1 needs an argument"; kernels+=("$2"); shift 2 ;;
	--cmd) [ $# -ge 2 ] || usage "$1 needs an argument"; base=$2; shift 2 ;;
	--cell) [ $# -ge 2 ] || usage "$1 needs an argument"
		case $2 in ?*:*) ;; *) usage "--cell wants SEL:ARGS, got: $2" ;; esac
		cells+=("$2"); shift 2 ;;
	--add|--env|--get|--timeout|--mem|--smp|--append)
		[ $# -ge 2 ] || usage "$1 needs an argument"; pass+=("$1" "$2"); shift 2 ;;
	--outdir) [ $# -ge 2 ] || usage "$1 needs an argument"; outdir=$2; shift 2 ;;
	-v|--verbose) verbose=1; shift ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage "unknown argument: $1" ;;
	esac
done

if [ ${#kernels[@]} -eq 0 ]; then
	[ -s "$CACHE/kernels.list" ] || usage "no --kernel given and no $CACHE/kernels.list (run tests/vm/fetch-kernels.sh)"
	while IFS= read -r k; do [ -z "$k" ] || kernels+=("$k"); done < "$CACHE/kernels.list"
fi
for k in "${kernels[@]}"; do [ -r "$k" ] || usage "kernel image not readable: $k"; done
[ ${#cells[@]} -gt 0 ] || { [ -n "$base" ] || usage "nothing to run: give --cmd and/or --cell"; cells=("all:"); }

release() { local r; r=$(basename "$1"); echo "${r#vmlinu[xz]-}"; }
matches() { # SEL RELEASE
	case $1 in all|'*'|"$2") return 0 ;; esac
	if [ "$1" = newest ]; then [ "$2" = "$(release "${kernels[${#kernels[@]}-1]}")" ]; return; fi
	case $2 in "$1".*|"$1"-*|"$1"+*) return 0 ;; esac
	return 1
}

for c in "${cells[@]}"; do
	sel=${c%%:*} hit=0
	for k in "${kernels[@]}"; do if matches "$sel" "$(release "$k")"; then hit=1; fi; done
	[ $hit = 1 ] || usage "cell '$c': selector '$sel' matches none of the kernels"
done

if [ -n "$outdir" ]; then mkdir -p "$outdir"; else outdir=$(mktemp -d "${TMPDIR:-/tmp}/unixcap-vm-matrix.XXXXXX"); fi

rows=() failed=0 n=0 t0=$(date +%s)
for k in "${kernels[@]}"; do
	rel=$(release "$k")
	for c in "${cells[@]}"; do
		matches "${c%%:*}" "$rel" || continue
		args=${c#*:}
		cmd="$base${base:+${args:+ }}$args"
		n=$((n + 1))
		dir=$outdir/$(printf '%02d' $n)-$rel
		set +e
		"$here/run-in-vm.sh" "${pass[@]+"${pass[@]}"}" "$k" "$dir" -- sh -c "$cmd" > /dev/null
		set -e
		status=$(sed -n 's/^status=//p' "$dir/result" 2>/dev/null)
		code=$(sed -n 's/^exit=//p' "$dir/result" 2>/dev/null)
		secs=$(sed -n 's/^seconds=//p' "$dir/result" 2>/dev/null)
		if [ "$status" = ok ] && [ "$code" = 0 ]; then
			res=pass
		elif [ "$status" = ok ]; then
			res="FAIL exit=$code"; failed=1
		else
			res="NO RESULT (${status:-run-in-vm failed})"; failed=1
		fi
		rows+=("$rel" "$(printf '%s' "$cmd" | tr -s '\t\n ' '   ')" "$res" "${secs:--}")
		if [ $verbose = 1 ] || [ "$res" != pass ]; then
			echo "---- $rel | ${rows[${#rows[@]}-3]} | $res ($dir)"
			tail -n 60 "$dir/output.log" 2>/dev/null || true
		fi
	done
done

w1=6 w2=7
for ((i = 0; i < ${#rows[@]}; i += 4)); do
	[ "${#rows[i]}" -le "$w1" ] || w1=${#rows[i]}
	[ "${#rows[i+1]}" -le "$w2" ] || w2=${#rows[i+1]}
done
[ "$w2" -le 60 ] || w2=60
echo
printf '%-*s | %-*s | %-22s | %s\n' "$w1" kernel "$w2" command result seconds
for ((i = 0; i < ${#rows[@]}; i += 4)); do
	printf '%-*s | %-*s | %-22s | %s\n' "$w1" "${rows[i]}" "$w2" "${rows[i+1]:0:60}" "${rows[i+2]}" "${rows[i+3]}"
done
echo "matrix: $n cells in $(( $(date +%s) - t0 ))s, outputs in $outdir"
exit $failed
