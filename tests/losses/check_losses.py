#!/usr/bin/env python3
"""Every message the kernel side loses is counted: captured + dropped (+ the program runs
the kernel says it skipped) covers what was sent, and the summary says why each was lost. Two losses made on purpose with real traffic:

  ring   a 4 KiB ring (-B 4) whose reader is stopped (SIGSTOP) while steady_gen sends 80
         messages: the ring fills after a few, the rest are "ring full".
  cold   loss_gen's sendmsg() with its msghdr on a page not yet mapped: the tracepoint
         backend cannot read it at the syscall's entry ("msghdr unreadable"); the hook
         backends see the kernel's copy and capture it.

Usage: check_losses.py --unixcap BIN --steady BIN --lossgen BIN [--backend B]
Needs root. Exit 0 pass, 1 fail."""

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

SUMMARY = re.compile(r"^(\d+) messages captured, (\d+) dropped$", re.M)
LOSSES = re.compile(r"kernel side: (\d+) messages into the ring; lost: (\d+) ring full, "
                    r"(\d+) in-flight state, (\d+) exit not run, (\d+) entry not run, "
                    r"(\d+) msghdr unreadable; the kernel skipped (\d+) kprobe and (\d+) "
                    r"program runs")
FIELDS = ("into_ring", "ring_full", "state", "no_exit", "no_entry", "unreadable", "probe",
          "recursion")


class Capture:
    """unixcap -v -p PID on a generator started with a 'go' line pending on its stdin."""

    def __init__(self, args, gen):
        self.gen = subprocess.Popen(gen, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
        self.cap = subprocess.Popen(args + ["-v", "-p", str(self.gen.pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    text=True)
        self.err = ""
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.cap.stderr:
            self.err += line

    def ready(self, timeout=120):
        end = time.time() + timeout
        while time.time() < end and self.cap.poll() is None:
            if "listening on AF_UNIX" in self.err:
                return True
            time.sleep(0.1)
        return False

    def go(self):
        out, err = self.gen.communicate("go\n", timeout=120)
        return self.gen.returncode, out, err

    def stop(self):
        if self.cap.poll() is None:
            self.cap.send_signal(signal.SIGCONT)
            time.sleep(1)  # what reached the ring is read before the end
            self.cap.send_signal(signal.SIGINT)
        try:
            self.cap.wait(60)
        except subprocess.TimeoutExpired:
            self.cap.kill()
            self.cap.wait()
        self.t.join(5)
        self.gen.kill() if self.gen.poll() is None else None
        m, l = SUMMARY.search(self.err), LOSSES.search(self.err)
        if not m or not l:
            return None
        counts = dict(zip(FIELDS, (int(x) for x in l.groups())))
        counts.update(captured=int(m.group(1)), dropped=int(m.group(2)))
        return counts


def backend_of(err):
    m = re.search(r"listening on AF_UNIX, backend (\w+)", err)
    return m.group(1) if m else "?"


def run(name, args, gen, stop_reader, expect):
    c = Capture(args, gen)
    if not c.ready():
        c.stop()
        return ["%s: unixcap did not start: %s" % (name, c.err.strip()[-400:])]
    if stop_reader:
        c.cap.send_signal(signal.SIGSTOP)
    rc, out, gerr = c.go()
    counts = c.stop()
    problems = []
    m = re.search(r"sent (\d+)", out)
    if rc != 0 or not m:
        return ["%s: generator exit %d: %s %s" % (name, rc, out.strip(), gerr.strip())]
    if counts is None:
        return ["%s: no summary or no loss line on unixcap's stderr: %s" % (name, c.err)]
    sent = int(m.group(1))
    print("%s: backend %s, sent %d (%s): %s" % (name, backend_of(c.err), sent, out.strip(),
                                                counts))
    # Every send is captured, dropped, or in a run the kernel skipped (a skipped run may be
    # none of ours, and a send whose exit never ran is counted before anyone knows whether
    # it failed: the sum may exceed the sends, never fall short).
    skipped = counts["probe"] + counts["recursion"]
    if counts["captured"] > sent or counts["captured"] + counts["dropped"] + skipped < sent:
        problems.append("%s: %d sent, but %d captured + %d dropped + %d runs skipped" % (
            name, sent, counts["captured"], counts["dropped"], skipped))
    problems += expect(counts, backend_of(c.err), out)
    return ["%s: %s" % (name, p) if not p.startswith(name) else p for p in problems]


def expect_ring(counts, backend, out):
    p = []
    if counts["ring_full"] == 0:
        p.append("the stopped reader's 4 KiB ring never filled: nothing counted as ring full")
    return p


def expect_cold(counts, backend, out):
    cold = "cold 1" in out
    want = 1 if backend == "tracepoint" and cold else 0
    if counts["unreadable"] != want:
        return ["msghdr unreadable %d, expected %d (backend %s, %s)"
                % (counts["unreadable"], want, backend, out.strip())]
    return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unixcap", required=True)
    ap.add_argument("--steady", required=True)
    ap.add_argument("--lossgen", required=True)
    ap.add_argument("--backend", default="auto")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("check_losses: needs root")
        return 77
    base = [a.unixcap, "--backend", a.backend]
    problems = run("ring", base + ["-B", "4"], [a.steady, "80", "1", "--wait"], True,
                   expect_ring)
    problems += run("cold", base, [a.lossgen], False, expect_cold)
    for p in problems:
        print("FAIL " + p)
    print("check_losses: %s" % ("FAIL" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
