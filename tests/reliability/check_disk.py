"""A full filesystem: one clear error, a non-zero exit, and the file written so far valid."""

import os
import subprocess

from harness import Traffic, Unixcap, pcapng_packets, readback


def check_disk(ctx, problems):
    mnt = ctx.path("full")
    os.mkdir(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", mnt],
                       capture_output=True, text=True)
    if r.returncode:
        problems.append("mount tmpfs: %s" % r.stderr.strip())
        return
    try:
        out = os.path.join(mnt, "cap.pcapng")
        traffic = Traffic(ctx.steady, rate=2000)
        cap = Unixcap([ctx.unixcap, "-p", str(traffic.pid), "-w", out])
        if not cap.wait_ready():
            problems.append("full disk: unixcap did not start: %s" % cap.err)
        traffic.go()
        rc = cap.wait(60)
        traffic.stop()
        problems.check(rc == 1, "full disk: exit %s, want 1" % rc)
        errors = [l for l in cap.err.splitlines() if "No space left" in l]
        problems.check(len(errors) == 1 and out in errors[0],
                       "full disk: want one line naming %s and ENOSPC, got: %r" % (out, cap.err))
        problems.check(cap.summary() is not None, "full disk: no summary: %r" % cap.err)
        try:
            n, end, size = pcapng_packets(out, complete=False)
            problems.check(end == size, "full disk: %d bytes of a partial block at the end"
                           % (size - end))
            rrc, lines, err = readback(ctx.unixcap, out)
            problems.check(rrc == 0 and lines == n and n > 0,
                           "full disk: -r exit %d, %d of %d packets: %s" % (rrc, lines, n, err))
        except ValueError as e:
            problems.append("full disk: %s" % e)
    finally:
        subprocess.run(["umount", "-l", mnt])
