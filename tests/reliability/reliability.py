#!/usr/bin/env python3
"""Reliability checks of a unixcap binary: how captures end (signals, pipes, -c, -d,
SIGKILL), a full disk, privileges and -Z, bad input, non-disturbance of traced programs,
leaks (valgrind) and a short soak. Needs root. Exit 0 pass, 1 fail, 77 skipped.

Usage: reliability.py --unixcap BIN --unixgen BIN --steady BIN --checks NAME[,NAME...]"""

import argparse
import os
import shutil
import sys
import tempfile

from check_badinput import check_badinput
from check_disk import check_disk
from check_leaks import check_soak, check_valgrind
from check_nodisturb import check_nodisturb
from check_privileges import check_drop, check_files, check_unprivileged
from check_users import USERS_CHECKS
from check_signals import check_hup, check_limits, check_pipe, check_sigkill, check_signals
from harness import Problems

CHECKS = {
    "signals": check_signals, "hup": check_hup, "pipe": check_pipe, "limits": check_limits,
    "sigkill": check_sigkill, "disk": check_disk, "unprivileged": check_unprivileged,
    "dropuser": check_drop, "files": check_files, "badinput": check_badinput,
    "nodisturb": check_nodisturb, "valgrind": check_valgrind, "soak": check_soak,
}
CHECKS.update(USERS_CHECKS)  # issue 18: what new users trip over


class Ctx:
    def __init__(self, args):
        self.unixcap, self.unixgen, self.steady = args.unixcap, args.unixgen, args.steady
        self.work = tempfile.mkdtemp(prefix="unixcap-rel.")
        os.chmod(self.work, 0o755)  # -Z and setpriv runs reach into it as nobody

    def path(self, name):
        return os.path.join(self.work, name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unixcap", required=True)
    ap.add_argument("--unixgen", required=True)
    ap.add_argument("--steady", required=True)
    ap.add_argument("--checks", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("reliability: needs root")
        return 77
    names = args.checks.split(",")
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        print("reliability: unknown check(s) %s" % unknown, file=sys.stderr)
        return 2
    rc = 0
    skipped = 0
    for name in names:
        ctx = Ctx(args)
        problems = Problems()
        try:
            r = CHECKS[name](ctx, problems)
        finally:
            if not args.keep:
                shutil.rmtree(ctx.work, ignore_errors=True)
        if r == 77:
            skipped += 1
            print("%s: skipped" % name)
            continue
        for p in problems:
            print("%s: FAIL: %s" % (name, p))
        print("%s: %s" % (name, "FAIL" if problems else "ok"))
        rc = rc or (1 if problems else 0)
    if skipped == len(names):
        return 77
    return rc


if __name__ == "__main__":
    sys.exit(main())
