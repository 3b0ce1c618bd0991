#!/usr/bin/env python3
"""Checks the include rule of docs/architecture.md over the product code.

Every project include is spelled from the repository root ("capture/core/message.h"),
never with "../", and goes down the layer list below or stays in its own folder: a
lower layer never includes a higher one. Exits 1 with one line per breach.
"""
import os
import re
import sys

# Lowest first. A folder may include its own headers and those of any folder before it.
LAYERS = [
    "bpf",               # kernel programs and the formats they share with userspace
    "dissectors",        # payload decoders: bytes in, text out
    "capture/core",      # the message model, the options, small shared helpers
    "capture/live",      # backends, ring consumer, reassembly, fd-pass linking
    "capture/socklist",  # unixcap -L: the socket table of the namespace
    "capture/enrich",    # per-message metadata and the filter model
    "writers/console",   # terminal output
    "writers/capfile",   # capture files written and read
    "writers/conv",      # conversations, follow, --split
    "writers/tcpview",   # --view tcp: conversations as synthetic TCP/UDP in pcapng
    "capture/app",       # main, the command line, mode table, privileges, extcap
]
RANK = {name: i for i, name in enumerate(LAYERS)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# Outside the tree: generated at build time or per architecture.
EXTERNAL = re.compile(r'^(vmlinux\.h|[a-z_]+\.skel\.h)$')


def layer_of(path):
    best = None
    for name in LAYERS:
        if path == name or path.startswith(name + "/"):
            if best is None or len(name) > len(best):
                best = name
    return best


def main(top):
    breaches = []
    checked = 0
    for layer in LAYERS:
        for dirpath, _, names in os.walk(os.path.join(top, layer)):
            for n in sorted(names):
                if not n.endswith((".c", ".h")) or "vmlinux" in dirpath:
                    continue
                rel = os.path.relpath(os.path.join(dirpath, n), top)
                if layer_of(rel) != layer:
                    continue  # a subfolder that is a layer of its own
                checked += 1
                text = open(os.path.join(top, rel), encoding="utf-8").read()
                for inc in INCLUDE.findall(text):
                    if EXTERNAL.match(inc):
                        continue
                    where = f"{rel}: #include \"{inc}\""
                    if inc.startswith("..") or "/../" in inc:
                        breaches.append(f"{where}: spell includes from the repository root")
                        continue
                    target = layer_of(inc)
                    if target is None or not os.path.exists(os.path.join(top, inc)):
                        breaches.append(f"{where}: not a header of the tree (root-relative path?)")
                        continue
                    if target != layer and RANK[target] > RANK[layer]:
                        breaches.append(f"{where}: {layer} is below {target}")
    for b in breaches:
        print(b)
    if checked == 0:
        print("no product files found under", top)
        return 1
    print(f"layers: {checked} files checked, {len(breaches)} breaches")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else
                  os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")))
