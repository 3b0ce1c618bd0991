#!/bin/bash
# Seed corpora from real captures: unixcap captures unixgen's traffic (every scenario, fd
# passing included) as pcapng, pcap and zstd-compressed pcapng; the files seed fuzz_readback
# and fuzz_seeds splits them into fuzz_linktype packets, fuzz_reasm record streams and
# fuzz_decode payloads.
# The committed seeds (tests/fuzz/seeds/) are added too. Needs root (BPF).
# Usage: make-seeds.sh UNIXCAP UNIXGEN FUZZ_SEEDS OUTDIR
set -euo pipefail
unixcap=$1 unixgen=$2 splitter=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/unixcap-seeds.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out/readback" "$out/linktype" "$out/reasm" "$out/decode"

# One capture of a whole unixgen run; extra arguments go to unixcap.
capture() {
	local file=$1
	shift
	mkfifo "$tmp/go"
	"$unixgen" --log /dev/null --wait-start <"$tmp/go" 2>"$tmp/gen.err" &
	local gpid=$!
	exec 3>"$tmp/go"
	for _ in $(seq 50); do grep -q '^pid=' "$tmp/gen.err" && break; sleep 0.1; done
	local pid
	pid=$(sed -n 's/^pid=//p' "$tmp/gen.err")
	"$unixcap" -p "$pid" -w "$file" "$@" 2>"$tmp/cap.err" &
	local cpid=$!
	for _ in $(seq 300); do grep -q listening "$tmp/cap.err" && break; sleep 0.1; done
	echo go >&3
	exec 3>&-
	wait "$gpid" || true
	sleep 1
	kill -INT "$cpid"
	wait "$cpid"
	rm -f "$tmp/go"
}

capture "$tmp/gen.pcapng" -s 2048
capture "$tmp/gen.pcap" -F pcap -s 256
capture "$tmp/gen.pcapng.zst" -s 256 --linktype 150
capture "$tmp/fds.pcapng" -s 64 --fds
for f in "$tmp"/*; do
	case $f in *.err) continue ;; esac
	cp "$f" "$out/readback/"
	case $f in *.zst) continue ;; esac
	"$splitter" "$f" "$out/linktype" "$out/reasm" "$out/decode"
done
cp "$here"/seeds/readback/* "$out/readback/" 2>/dev/null || true
cp "$here"/seeds/linktype/* "$out/linktype/" 2>/dev/null || true
cp "$here"/seeds/reasm/* "$out/reasm/" 2>/dev/null || true
cp "$here"/seeds/decode/* "$out/decode/" 2>/dev/null || true
du -sh "$out"/*
