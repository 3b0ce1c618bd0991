"""Every way a capture ends (SIGINT, SIGTERM, SIGHUP, a closed pipe, -c, -d): exit 0, the
summary on stderr, a complete file whose packets are exactly the messages counted, the BPF
links gone and nothing left pinned. SIGKILL mid-write: every complete packet is readable."""

import os
import signal
import subprocess
import time

from harness import Traffic, Unixcap, live_link_ids, pcapng_packets, pinned, readback


def _ended_cleanly(ctx, problems, cap, rc, links, before_pins, what):
    problems.check(rc == 0, "%s: exit %s, stderr: %s" % (what, rc, cap.err.strip()))
    problems.check(cap.summary() is not None, "%s: no summary line: %r" % (what, cap.err))
    problems.check(bool(links), "%s: no BPF links seen while capturing" % what)
    left = links & live_link_ids()
    problems.check(not left, "%s: BPF links %s still attached after exit" % (what, sorted(left)))
    new_pins = pinned() - before_pins
    problems.check(not new_pins, "%s: left pinned: %s" % (what, sorted(new_pins)))


def _capture(ctx, args, traffic, settle=2.0):
    cap = Unixcap([ctx.unixcap, "-p", str(traffic.pid)] + args)
    if not cap.wait_ready():
        return cap, None
    links = cap.links()
    traffic.go()
    time.sleep(settle)
    return cap, links


def check_signals(ctx, problems):
    pins = pinned()
    for sig, fmt in ((signal.SIGINT, "pcapng"), (signal.SIGTERM, "pcap"),
                     (signal.SIGINT, "pcapng.zst")):
        name = "%s, %s" % (signal.Signals(sig).name, fmt)
        out = ctx.path("sig-%s.%s" % (signal.Signals(sig).name, fmt))
        traffic = Traffic(ctx.steady)
        args = ["-w", out] + (["-F", "pcap"] if fmt == "pcap" else [])
        cap, links = _capture(ctx, args, traffic)
        if links is None:
            problems.append("%s: unixcap did not start: %s" % (name, cap.err))
            traffic.stop()
            cap.stop(signal.SIGKILL)
            continue
        rc = cap.stop(sig)
        traffic.stop()
        _ended_cleanly(ctx, problems, cap, rc, links, pins, name)
        counted = (cap.summary() or (0, 0))[0]
        problems.check(counted > 0, "%s: nothing captured" % name)
        if fmt == "pcapng":
            try:
                n = pcapng_packets(out)[0]
                problems.check(n == counted, "%s: %d packets in the file, %d counted"
                               % (name, n, counted))
            except ValueError as e:
                problems.append("%s: %s" % (name, e))
        rrc, lines, err = readback(ctx.unixcap, out)
        problems.check(rrc == 0 and lines == counted,
                       "%s: -r exit %d, %d messages of %d: %s" % (name, rrc, lines, counted, err))
        problems.check(os.stat(out).st_mode & 0o777 == 0o600, "%s: %s is not mode 0600" % (name, out))


def check_hup(ctx, problems):
    """SIGHUP with -w FILE: logrotate's move-then-HUP gives a new file, and both are
    complete; a SIGHUP with the file still in place changes nothing; on the console it ends
    the capture like SIGINT."""
    pins = pinned()
    out = ctx.path("hup.pcapng")
    moved = ctx.path("hup.pcapng.1")
    traffic = Traffic(ctx.steady)
    cap, links = _capture(ctx, ["-w", out], traffic, settle=1)
    if links is None:
        problems.append("SIGHUP: unixcap did not start: %s" % cap.err)
        traffic.stop()
        return
    cap.p.send_signal(signal.SIGHUP)  # not moved: the same file goes on
    time.sleep(1)
    os.rename(out, moved)
    cap.p.send_signal(signal.SIGHUP)
    time.sleep(1.5)
    problems.check(cap.p.poll() is None, "SIGHUP with -w ended the capture: %s" % cap.err)
    rc = cap.stop(signal.SIGINT)
    traffic.stop()
    _ended_cleanly(ctx, problems, cap, rc, links, pins, "SIGHUP")
    counted = (cap.summary() or (0, 0))[0]
    try:
        first, second = pcapng_packets(moved)[0], pcapng_packets(out)[0]
        problems.check(first > 0 and second > 0 and first + second == counted,
                       "SIGHUP: %d + %d packets in the two files, %d counted"
                       % (first, second, counted))
    except (ValueError, OSError) as e:
        problems.append("SIGHUP: %s" % e)

    traffic = Traffic(ctx.steady)
    cap, links = _capture(ctx, [], traffic, settle=1)
    rc = cap.stop(signal.SIGHUP)
    traffic.stop()
    _ended_cleanly(ctx, problems, cap, rc, links or set(), pins, "SIGHUP on the console")


def check_pipe(ctx, problems):
    """-w - into a reader that goes away (SIGPIPE ignored, EPIPE is the normal end)."""
    pins = pinned()
    traffic = Traffic(ctx.steady)
    reader = subprocess.Popen(["head", "-c", "100000"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL)
    cap = Unixcap([ctx.unixcap, "-p", str(traffic.pid), "-w", "-"], stdout=reader.stdin)
    reader.stdin.close()
    if not cap.wait_ready():
        problems.append("pipe: unixcap did not start: %s" % cap.err)
    links = cap.links()
    traffic.go()
    rc = cap.wait(30)
    reader.wait()
    traffic.stop()
    _ended_cleanly(ctx, problems, cap, rc, links, pins, "closed pipe")


def check_limits(ctx, problems):
    """-c COUNT and -d SECONDS end the capture by themselves."""
    pins = pinned()
    out = ctx.path("count.pcapng")
    traffic = Traffic(ctx.steady)
    cap, links = _capture(ctx, ["-c", "50", "-w", out], traffic, settle=0)
    rc = cap.wait(30)
    traffic.stop()
    _ended_cleanly(ctx, problems, cap, rc, links or set(), pins, "-c 50")
    try:
        n = pcapng_packets(out)[0]
        problems.check(n == 50, "-c 50: %d packets in the file" % n)
    except ValueError as e:
        problems.append("-c 50: %s" % e)

    out = ctx.path("duration.pcapng")
    traffic = Traffic(ctx.steady)
    cap, links = _capture(ctx, ["-d", "3", "-w", out], traffic, settle=0)
    t0 = time.time()
    rc = cap.wait(30)
    took = time.time() - t0
    traffic.stop()
    _ended_cleanly(ctx, problems, cap, rc, links or set(), pins, "-d 3")
    problems.check(took < 6, "-d 3: took %.1f s" % took)
    try:
        n = pcapng_packets(out)[0]
        counted = (cap.summary() or (0, 0))[0]
        problems.check(n == counted and n > 0, "-d 3: %d packets, %d counted" % (n, counted))
    except ValueError as e:
        problems.append("-d 3: %s" % e)


def check_sigkill(ctx, problems):
    """SIGKILL mid-write: every whole block before the cut is a packet -r delivers."""
    out = ctx.path("killed.pcapng")
    traffic = Traffic(ctx.steady, rate=2000)
    cap, links = _capture(ctx, ["-w", out], traffic, settle=3)
    cap.stop(signal.SIGKILL)
    traffic.stop()
    try:
        n, end, size = pcapng_packets(out, complete=False)
    except ValueError as e:
        problems.append("SIGKILL: %s" % e)
        return
    problems.check(n > 0, "SIGKILL: no complete packet in the file")
    rc, lines, err = readback(ctx.unixcap, out)
    problems.check(lines == n, "SIGKILL: -r printed %d of the %d complete packets (exit %d: %s)"
                   % (lines, n, rc, err.strip()))
    # Cut inside the last packet, as a kill during write() would leave it.
    with open(out, "rb") as f:
        data = f.read(end)
    cut = ctx.path("cut.pcapng")
    with open(cut, "wb") as f:
        f.write(data[:end - 7])
    rc, lines, err = readback(ctx.unixcap, cut)
    problems.check(lines == n - 1, "cut file: -r printed %d, want %d" % (lines, n - 1))
    problems.check(rc == 2 and err.count("\n") == 1,
                   "cut file: want exit 2 and one line, got %d: %r" % (rc, err))
