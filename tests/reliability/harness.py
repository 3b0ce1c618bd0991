"""What the reliability checks share: a unixcap run with its stderr collected, steady
traffic from steady_gen, the BPF links a run holds, and capture-file validation."""

import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wireshark"))
import pcapng_blocks  # noqa: E402

SUMMARY = re.compile(r"^(\d+) messages captured, (\d+) dropped$", re.M)


class Problems(list):
    def check(self, cond, what):
        if not cond:
            self.append(what)
        return cond


class Traffic:
    """steady_gen at a fixed rate; started first so that unixcap can filter on its pid."""

    def __init__(self, steady, rate=500, seconds=600):
        self.p = subprocess.Popen([steady, str(rate), str(seconds), "--wait"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.pid = self.p.pid

    def go(self):
        self.p.stdin.write("go\n")
        self.p.stdin.flush()

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()


class Unixcap:
    """A unixcap process; stderr is collected in the background."""

    def __init__(self, args, stdout=subprocess.DEVNULL, user_env=None, preexec=None,
                 wrapper=()):
        self.p = subprocess.Popen(list(wrapper) + args, stdout=stdout, stderr=subprocess.PIPE,
                                  text=True, env=user_env, preexec_fn=preexec)
        self.err = ""
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        for line in self.p.stderr:
            self.err += line

    def wait_ready(self, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            if "listening on AF_UNIX" in self.err:
                return True
            if self.p.poll() is not None:
                break
            time.sleep(0.1)
        return False

    def links(self):
        """BPF link ids held by the process (from its fds' fdinfo)."""
        ids = set()
        fd_dir = "/proc/%d/fdinfo" % self.p.pid
        try:
            for fd in os.listdir(fd_dir):
                try:
                    with open(os.path.join(fd_dir, fd)) as f:
                        m = re.search(r"^link_id:\s*(\d+)", f.read(), re.M)
                except OSError:
                    continue
                if m:
                    ids.add(int(m.group(1)))
        except OSError:
            pass
        return ids

    def stop(self, sig=signal.SIGINT, timeout=30):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        return self.wait(timeout)

    def wait(self, timeout=30):
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
            self.err += "\n[killed: did not exit in %ds]\n" % timeout
        self._t.join(5)
        return rc

    def summary(self):
        m = SUMMARY.search(self.err)
        return (int(m.group(1)), int(m.group(2))) if m else None


def live_link_ids():
    out = subprocess.run(["bpftool", "link", "list"], capture_output=True, text=True).stdout
    return {int(x) for x in re.findall(r"^(\d+):", out, re.M)}


def pinned():
    found = set()
    for root, dirs, files in os.walk("/sys/fs/bpf"):
        for n in dirs + files:
            found.add(os.path.join(root, n))
    return found


def pcapng_packets(path, complete=True):
    """EPB count of a pcapng file; with complete, the file must end exactly with an ISB."""
    with open(path, "rb") as f:
        data = f.read()
    blocks, end = pcapng_blocks.walk(data)
    if not blocks or blocks[0]["type"] != pcapng_blocks.SHB:
        raise ValueError("%s: no section header" % path)
    if complete and (end != len(data) or blocks[-1]["type"] != pcapng_blocks.ISB):
        raise ValueError("%s: does not end with a whole ISB (%d of %d bytes are blocks)"
                         % (path, end, len(data)))
    return sum(1 for b in blocks if b["type"] == pcapng_blocks.EPB), end, len(data)


def readback(unixcap, path):
    """(exit status, messages printed, stderr) of unixcap -r."""
    r = subprocess.run([unixcap, "--json", "-r", path], capture_output=True, text=True)
    return r.returncode, len(r.stdout.splitlines()), r.stderr


def is_sanitized(binary):
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()
