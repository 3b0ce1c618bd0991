"""Traced programs are never disturbed: unixgen's own results (lengths, return values,
errnos, hashes of what was sent, and its check of what was received) are the same with and
without unixcap capturing everything, payload dumps included."""

import json
import subprocess
import time

from harness import Unixcap

# Fields of a send record that depend on the traffic, not on pids, inodes or temp names.
FIELDS = ("scenario", "call", "type", "dest", "len", "ret", "errno", "error", "hash",
          "snap_len", "snap_hash")


def _run_gen(ctx, log):
    r = subprocess.run([ctx.unixgen, "--log", log], capture_output=True, text=True, timeout=120)
    sends, end = [], None
    with open(log) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("kind") == "send":
                sends.append(tuple(rec.get(k) for k in FIELDS))
            elif rec.get("kind") == "end":
                end = (rec.get("sends"), rec.get("failures"))
    return r.returncode, sorted(sends), end, r.stderr


def check_nodisturb(ctx, problems):
    base = _run_gen(ctx, ctx.path("alone.jsonl"))
    problems.check(base[0] == 0 and base[1], "unixgen alone: exit %d: %s" % (base[0], base[3]))
    # Everything on the machine, with the most expensive console output and a file.
    cap = Unixcap([ctx.unixcap, "-X", "--errors", "--print", "-w", ctx.path("all.pcapng")])
    if not cap.wait_ready():
        problems.append("unixcap did not start: %s" % cap.err)
        return
    traced = _run_gen(ctx, ctx.path("traced.jsonl"))
    time.sleep(0.5)
    rc = cap.stop()
    captured = (cap.summary() or (0, 0))[0]
    problems.check(rc == 0 and captured >= len(traced[1]),
                   "unixcap exit %s, %d captured for %d sends: %s"
                   % (rc, captured, len(traced[1]), cap.err))
    problems.check(traced[0] == base[0], "unixgen exit %d traced, %d alone: %s"
                   % (traced[0], base[0], traced[3]))
    problems.check(traced[2] == base[2], "unixgen end record %s traced, %s alone"
                   % (traced[2], base[2]))
    diff = set(base[1]) ^ set(traced[1])
    problems.check(not diff and len(base[1]) == len(traced[1]),
                   "send results differ with unixcap running: %s" % sorted(diff)[:5])
