"""valgrind memcheck on a 60 s capture with steady traffic: no leak of any kind, no error;
and the 60 s soak (soak.sh) with RSS sampled every 5 s."""

import os
import re
import shutil
import subprocess

from harness import Traffic, Unixcap, is_sanitized, pcapng_packets

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))


def check_valgrind(ctx, problems):
    if not shutil.which("valgrind"):
        print("valgrind not installed")
        return SKIP
    if is_sanitized(ctx.unixcap):
        print("ASan build: valgrind cannot run it")
        return SKIP
    out = ctx.path("valgrind.pcapng")
    log = ctx.path("valgrind.log")
    traffic = Traffic(ctx.steady, rate=200, seconds=120)
    cap = Unixcap([ctx.unixcap, "-p", str(traffic.pid), "-d", "60", "-w", out],
                  wrapper=["valgrind", "--leak-check=full", "--show-leak-kinds=all",
                           "--suppressions=" + os.path.join(HERE, "valgrind.supp"),
                           "--errors-for-leak-kinds=definite,indirect,possible",
                           "--error-exitcode=99", "--log-file=" + log])
    if not cap.wait_ready(180):
        problems.append("valgrind: unixcap did not start: %s" % cap.err)
    traffic.go()
    rc = cap.wait(300)
    traffic.stop()
    with open(log) as f:
        report = f.read()
    # The error reports (not the still-reachable records, which libbpf's caches fill).
    print("\n".join(l for l in report.splitlines() if "WARNING: unhandled eBPF" not in l)[:6000])
    problems.check(rc == 0, "valgrind: exit %s: %s" % (rc, cap.err[-500:]))
    for kind in ("definitely lost", "indirectly lost", "possibly lost"):
        m = re.search(kind + r": ([\d,]+) bytes", report)
        problems.check(m is None or m.group(1) == "0", "valgrind: %s: %s bytes"
                       % (kind, m.group(1) if m else "?"))
    m = re.search(r"ERROR SUMMARY: (\d+) errors", report)
    problems.check(m is not None and m.group(1) == "0", "valgrind: %s"
                   % (m.group(0) if m else "no error summary"))
    try:
        problems.check(pcapng_packets(out)[0] > 0, "valgrind: empty capture")
    except ValueError as e:
        problems.append("valgrind: %s" % e)


def check_soak(ctx, problems):
    if is_sanitized(ctx.unixcap):
        print("ASan build: its allocator quarantine makes RSS meaningless")
        return SKIP
    curve = ctx.path("rss.txt")
    r = subprocess.run(["bash", os.path.join(HERE, "soak.sh"), ctx.unixcap, ctx.steady, "60",
                        "5", "200", curve], capture_output=True, text=True, timeout=200)
    print(r.stdout + r.stderr)
    with open(curve) as f:
        print("RSS (s KiB):", " | ".join(l.strip() for l in f))
    problems.check(r.returncode == 0, "soak: exit %d" % r.returncode)
