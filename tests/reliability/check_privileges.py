"""Privileges: the missing capability named; -Z USER drops everything once attached and the
output is open; files 0600; no write through a planted symlink or into another's file."""

import os
import pwd
import signal
import subprocess
import time

from harness import Traffic, Unixcap, pcapng_packets, readback

USER = "nobody"


def _status(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.split()
    return fields


def check_unprivileged(ctx, problems):
    r = subprocess.run(["setpriv", "--reuid", USER, "--regid", "nogroup", "--clear-groups",
                        "--inh-caps=-all", ctx.unixcap, "-d", "1"],
                       capture_output=True, text=True)
    lines = r.stderr.splitlines()
    problems.check(r.returncode == 1 and len(lines) == 1 and "CAP_BPF" in lines[0]
                   and "CAP_PERFMON" in lines[0],
                   "unprivileged: want exit 1 and one line naming CAP_BPF/CAP_PERFMON, "
                   "got %d: %r" % (r.returncode, r.stderr))


def check_drop(ctx, problems):
    pw = pwd.getpwnam(USER)
    d = ctx.path("z")
    os.mkdir(d)
    os.chown(d, pw.pw_uid, pw.pw_gid)  # -C files after the first are created as USER
    out = os.path.join(d, "cap.pcapng")
    traffic = Traffic(ctx.steady, rate=2000)
    cap = Unixcap([ctx.unixcap, "-p", str(traffic.pid), "-Z", USER, "-w", out, "-C", "1",
                   "-W", "3"])
    if not cap.wait_ready():
        problems.append("-Z: unixcap did not start: %s" % cap.err)
        traffic.stop()
        return
    traffic.go()
    time.sleep(3)
    st = _status(cap.p.pid)
    problems.check(st["Uid"] == [str(pw.pw_uid)] * 4 and st["Gid"] == [str(pw.pw_gid)] * 4,
                   "-Z: uid/gid %s/%s" % (st["Uid"], st["Gid"]))
    problems.check(all(int(st[k][0], 16) == 0 for k in ("CapEff", "CapPrm", "CapInh", "CapAmb")),
                   "-Z: capabilities left: %s" % {k: st[k] for k in st if k.startswith("Cap")})
    problems.check(st["Groups"] in ([], [str(pw.pw_gid)]), "-Z: groups %s" % st["Groups"])
    rc = cap.stop(signal.SIGINT)
    traffic.stop()
    problems.check(rc == 0 and cap.summary() is not None,
                   "-Z: exit %s, stderr %r" % (rc, cap.err))
    files = sorted(f for f in os.listdir(d) if f.startswith("cap.pcapng"))
    problems.check(len(files) == 3, "-Z -C 1 -W 3: files %s" % files)
    total = 0
    for f in files:
        p = os.path.join(d, f)
        s = os.stat(p)
        problems.check(s.st_uid == pw.pw_uid and s.st_mode & 0o777 == 0o600,
                       "-Z: %s owner %d mode %o" % (f, s.st_uid, s.st_mode & 0o777))
        try:
            total += pcapng_packets(p)[0]
        except ValueError as e:
            problems.append("-Z: %s" % e)
        rrc, _, err = readback(ctx.unixcap, p)
        problems.check(rrc == 0, "-Z: -r %s: %s" % (f, err))
    problems.check(total > 0, "-Z: no packets written")


def check_files(ctx, problems):
    # 0600 whatever the umask.
    out = ctx.path("mode.pcapng")
    old = os.umask(0)
    try:
        cap = Unixcap([ctx.unixcap, "-d", "1", "-p", "1", "-w", out])
        cap.wait(60)
    finally:
        os.umask(old)
    problems.check(os.path.exists(out) and os.stat(out).st_mode & 0o777 == 0o600,
                   "file mode: %s" % (oct(os.stat(out).st_mode) if os.path.exists(out) else "none"))

    # A symlink planted where the capture goes, pointing at another user's file.
    pw = pwd.getpwnam(USER)
    victim = ctx.path("victim")
    with open(victim, "w") as f:
        f.write("precious\n")
    os.chown(victim, pw.pw_uid, pw.pw_gid)
    link = ctx.path("link.pcapng")
    os.symlink(victim, link)
    r = subprocess.run([ctx.unixcap, "-d", "1", "-w", link], capture_output=True, text=True)
    problems.check(r.returncode == 1 and r.stderr.count("\n") == 1 and "symbolic link" in r.stderr,
                   "symlink: exit %d, %r" % (r.returncode, r.stderr))
    with open(victim) as f:
        problems.check(f.read() == "precious\n", "symlink: the target was written to")

    # The same file named directly: it belongs to someone else.
    r = subprocess.run([ctx.unixcap, "-d", "1", "-w", victim], capture_output=True, text=True)
    problems.check(r.returncode == 1 and "another user" in r.stderr,
                   "another user's file: exit %d, %r" % (r.returncode, r.stderr))
    with open(victim) as f:
        problems.check(f.read() == "precious\n", "another user's file was truncated")
