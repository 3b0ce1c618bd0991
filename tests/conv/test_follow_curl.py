"""curl --unix-socket against a local HTTP server, captured by several unixcap runs at once;
follow, conversations and --split must reproduce exactly the bytes curl's --trace shows it
sent and received, mark what a small snaplen cut as gaps, and the filters (--exclude-pid,
--path prefixes) must select what they say.

Usage: test_follow_curl.py UNIXCAP  (root; exit 77 only when curl is not installed)"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from convlib import (Capture, Failure, SkipTest, check, compare_raw, conversations, curl_trace,
                     main, read_gaps, run, start_all)

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
SIZES = (5000, 300)  # response bodies of the two requests
SNAP = 1000          # snaplen of the gap capture: the 5000-byte body must be cut


def body(tmp, unixcap):
    sock = os.path.join(tmp, "http.sock")
    server = subprocess.Popen([PY, os.path.join(HERE, "http_server.py"), sock],
                              stdout=subprocess.PIPE)
    try:
        check(server.stdout.readline().strip() == b"ready", "HTTP server did not start")
        return checks(tmp, unixcap, sock, server.pid)
    finally:
        server.kill()
        server.wait()


def checks(tmp, unixcap, sock, srv):
    j = lambda *p: os.path.join(tmp, *p)
    small = ["-B", "1024"]
    caps = [
        Capture(unixcap, small + ["-w", j("cap.pcapng"), "--path", j("http*")], tmp, "w"),
        Capture(unixcap, small + ["-w", j("gap.pcapng"), "-s", str(SNAP), "--path", sock],
                tmp, "gap"),
        Capture(unixcap, ["follow"] + small + ["--path", sock, "--raw", j("live")], tmp,
                "follow"),
        Capture(unixcap, small + ["--split", j("splitlive"), "--path", j("h*")], tmp, "split"),
        Capture(unixcap, ["conversations", "--json"] + small +
                ["--exclude-pid", str(srv), "--path", sock], tmp, "exclude"),
    ]
    try:
        start_all(caps)
        curls = []
        for i, n in enumerate(SIZES):
            c = subprocess.Popen(["curl", "-sS", "--unix-socket", sock, "--trace",
                                  j(f"trace{i}.txt"), "-o", j(f"body{i}"),
                                  f"http://localhost/{n}"])
            check(c.wait(timeout=30) == 0, f"curl {i} failed")
            curls.append(c.pid)
        time.sleep(0.5)
    finally:
        rcs = [c.stop() for c in caps]
    for c, rc in zip(caps, rcs):
        check(rc == 0, f"{c.name}: unixcap exit {rc}: {c.stderr()[:300]}")
    ok = []
    truth = []
    for i in range(len(SIZES)):
        sent, recv = curl_trace(j(f"trace{i}.txt"))
        check(sent.startswith(b"GET /%d " % SIZES[i]) and len(recv) > SIZES[i],
              f"curl trace {i} is not the exchange: {sent[:40]!r}, {len(recv)} bytes back")
        truth.append({"client": sent, "server": recv})

    # The list: one conversation per request, ends and counts as curl saw them.
    convs = conversations(unixcap, j("cap.pcapng"))
    check(len(convs) == 2, f"{len(convs)} conversations in the capture, expected 2: {convs}")
    for i, c in enumerate(convs):
        check(c["id"] == i, f"conversation ids {[x['id'] for x in convs]}")
        check(c["client"]["pid"] == curls[i] and c["client"]["comm"] == "curl",
              f"conversation {i} client {c['client']}, expected curl pid {curls[i]}")
        check(c["server"]["pid"] == srv and c["server"]["path"] == sock,
              f"conversation {i} server {c['server']}, expected pid {srv} at {sock}")
        for d, side in (("client_to_server", "client"), ("server_to_client", "server")):
            check(c[d]["bytes"] == len(truth[i][side]) and c[d]["missing"] == 0,
                  f"conversation {i} {d} {c[d]}, curl moved {len(truth[i][side])} bytes")
    ok.append("conversations: 2 conversations, ends and byte counts as curl's trace")

    # follow -r: the default is the first conversation; --conv and --inode pick others.
    run([unixcap, "follow", "-r", j("cap.pcapng"), "--raw", j("r0")], "follow --raw")
    compare_raw(j("r0"), truth[0], "follow -r --raw")
    run([unixcap, "follow", "-r", j("cap.pcapng"), "--conv", "1", "--raw", j("r1")],
        "follow --conv 1")
    compare_raw(j("r1"), truth[1], "follow --conv 1 --raw")
    run([unixcap, "follow", "-r", j("cap.pcapng"), "--inode", str(convs[1]["client"]["inode"]),
         "--raw", j("r1i")], "follow --inode")
    compare_raw(j("r1i"), truth[1], "follow --inode --raw")
    ok.append("follow -r --raw: client.bin/server.bin equal curl's --trace bytes "
              f"({len(truth[0]['client'])}+{len(truth[0]['server'])}, "
              f"{len(truth[1]['client'])}+{len(truth[1]['server'])} bytes)")
    p = run([unixcap, "follow", "-r", j("cap.pcapng")], "follow")
    text = p.stdout.decode(errors="replace")
    check(text.startswith("=== conversation 0, stream\n"), f"follow output starts {text[:60]!r}")
    check(re.search(r"^--- client > server .* %d/\d+ curl \d+ bytes at 0\nGET /5000 HTTP/1.1\n"
                    % curls[0], text, re.M), "follow: no client block with the request line")
    check(re.search(r"^--- server > client .* %d/\d+ python3 \d+ bytes at 0\nHTTP/1.0 200 OK"
                    % srv, text, re.M) or
          re.search(r"^--- server > client .* %d/\d+ python3 \d+ bytes at 0\nHTTP/1.1 200 OK"
                    % srv, text, re.M), "follow: no server block with the status line")
    check("1 other conversation passed the filters" in p.stderr.decode(),
          f"follow: no note on the other conversation: {p.stderr[:200]!r}")
    hexed = run([unixcap, "follow", "-r", j("cap.pcapng"), "-X"], "follow -X").stdout.decode()
    check(re.search(r"^00000000  47 45 54 20 2f 35 30 30  30 20 48 54 54 50 2f 31  "
                    r"\|GET /5000 HTTP/1\|$", hexed, re.M), "follow -X: no request hex line")
    ok.append("follow (ASCII, -X): direction, process and offsets marked")

    # Live follow: the first conversation, written as it was captured.
    compare_raw(j("live"), truth[0], "live follow --raw")
    ok.append("live follow --raw equals curl's bytes")

    # A snaplen below the body size: the cut bytes are a gap, zeros in the raw file.
    gconvs = conversations(unixcap, j("gap.pcapng"))
    check(len(gconvs) == 2, f"gap capture: {len(gconvs)} conversations")
    missing = gconvs[0]["server_to_client"]["missing"]
    check(missing == SIZES[0] - SNAP and gconvs[0]["server_to_client"]["gap_messages"] == 1,
          f"gap capture: server_to_client {gconvs[0]['server_to_client']}, expected "
          f"{SIZES[0] - SNAP} bytes missing in 1 message")
    run([unixcap, "follow", "-r", j("gap.pcapng"), "--raw", j("g0")], "follow gap --raw")
    gaps = compare_raw(j("g0"), truth[0], "follow --raw with snaplen gaps", expect_gaps=True)
    check(gaps == [("server", len(truth[0]["server"]) - (SIZES[0] - SNAP), SIZES[0] - SNAP)],
          f"gaps.txt {gaps}")
    gtext = run([unixcap, "follow", "-r", j("gap.pcapng")], "follow gap").stdout.decode()
    check("[gap: %d bytes not captured (beyond the snapshot length)" % (SIZES[0] - SNAP)
          in gtext, "follow: the snaplen gap is not marked")
    run([unixcap, "follow", "-r", j("gap.pcapng"), "--conv", "1", "--raw", j("g1")], "follow")
    compare_raw(j("g1"), truth[1], "follow --raw of the uncut conversation")
    ok.append(f"snaplen {SNAP}: {SIZES[0] - SNAP} bytes marked as a gap (follow text, "
              "gaps.txt, zeros), the rest byte-exact")

    # --split, live and from -r: one file per conversation, same names, mode 0600.
    run([unixcap, "-r", j("cap.pcapng"), "--split", j("splitr")], "-r --split")
    live, fromr = sorted(os.listdir(j("splitlive"))), sorted(os.listdir(j("splitr")))
    check(live == fromr and len(live) == 2, f"split files live {live}, from -r {fromr}")
    for i, name in enumerate(live):
        c = convs[i]
        want = "c%04d-%d-curl-%d_%d-python3-%d.pcapng" % (
            i, curls[i], c["client"]["inode"], srv, c["server"]["inode"])
        check(name == want, f"split file {name}, expected {want}")
        for d in ("splitlive", "splitr"):
            path = j(d, name)
            check(os.stat(path).st_mode & 0o777 == 0o600, f"{path} is not mode 0600")
            one = conversations(unixcap, path)
            check(len(one) == 1 and one[0]["client_to_server"] == c["client_to_server"] and
                  one[0]["server_to_client"] == c["server_to_client"],
                  f"{path}: {one}, expected the counts of conversation {i}")
    ok.append("--split (live and -r): one 0600 pcapng per conversation, named "
              "cID-PID-COMM-INODE_PID-COMM-INODE")

    # --exclude-pid in the kernel (live) and in userspace (-r): the server's sends vanish.
    for where, got in (("live", [json.loads(x) for x in
                                 caps[4].stdout().decode().splitlines()]),
                       ("-r", conversations(unixcap, j("cap.pcapng"), "--exclude-pid",
                                            str(srv)))):
        check(len(got) == 2 and all(c["server_to_client"]["messages"] == 0 and
                                    c["client_to_server"]["messages"] >= 1 for c in got),
              f"--exclude-pid {srv} ({where}): {got}")
    ok.append("--exclude-pid: no message of the excluded server, live and with -r")

    # --path prefixes with -r (the live prefix filter made cap.pcapng above).
    check(len(conversations(unixcap, j("cap.pcapng"), "--path", sock[:-3] + "*")) == 2,
          "--path prefix: not both conversations")
    check(conversations(unixcap, j("cap.pcapng"), "--path", sock[:-3]) == [],
          "--path without '*' matched as a prefix")
    check(conversations(unixcap, j("cap.pcapng"), "--path", j("x*")) == [],
          "--path prefix matched another name")
    ok.append("--path: a trailing * is a prefix, without it the name is exact")

    # Bad input: one line, exit 2.
    for args in (["follow", "--conv", "x"], ["follow", "-r", j("cap.pcapng"), "--raw",
                                              j("r9"), "-X"],
                 ["conversations", "-r", j("missing.pcapng")], ["follow", "-w", j("x")],
                 ["--exclude-pid", "1,,2"], ["-p", "7", "--exclude-pid", "7"]):
        p = subprocess.run([unixcap] + args, capture_output=True, timeout=30)
        err = p.stderr.decode()
        check(p.returncode == 2 and err.count("\n") == 1 and err.startswith("unixcap: "),
              f"unixcap {' '.join(args)}: exit {p.returncode}, stderr {err!r}")
    ok.append("bad input: one line, exit 2")
    return ok


def test():
    if len(sys.argv) != 2:
        raise Failure("usage: test_follow_curl.py UNIXCAP")
    if not shutil.which("curl"):
        raise SkipTest("curl not installed")
    check(os.geteuid() == 0, "must run as root (live capture)")
    tmp = tempfile.mkdtemp(prefix="unixcap-conv-")
    try:
        return body(tmp, sys.argv[1])
    finally:
        if not os.environ.get("KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept", tmp)


if __name__ == "__main__":
    main(test)
