/* The Debian peers in the kernel-matrix VMs: bpftrace printing unix_*_sendmsg payloads, and
 * bcc's sofdsnoop on the fd-passing loop. Both hook with kprobes, so they only run where the
 * kernel has them; in the VMs they live in a Debian chroot entered through env->peer_wrap. */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define READY_MARK "unixbench-peer-ready"

const char *tr_peer_unavailable(const struct tr_spec *t, const struct tr_env *env,
				const struct wl_spec *w)
{
	if (t->kind == TR_SOFDSNOOP && w->kind != WL_FDPASS)
		return "n/a (sofdsnoop traces fd passing only)";
	if (env->peer_wrap)
		return access(env->peer_wrap, X_OK) ? "peer chroot wrapper missing" : NULL;
	if (t->kind == TR_BPFTRACE)
		return tr_in_path("bpftrace") ? NULL : "bpftrace not installed";
	return tr_in_path("sofdsnoop-bpfcc") ? NULL : "sofdsnoop-bpfcc not installed";
}

/*
 * One line per stream or datagram send of the two workload processes: pid, length and the
 * payload's first bytes (%r, up to BPFTRACE_STRLEN). The payload pointer is the iterator's
 * first union member: a user address for ITER_UBUF (write, and single-buffer sendmsg since
 * 6.4), a kernel pointer to the iovec array otherwise (then its first iovec is printed).
 * Telling them apart by address keeps one script for kernels that name the iovec pointer
 * `iov` (6.1) or `__iov` (6.4+).
 */
static void bpftrace_script(char *out, size_t len, pid_t a, pid_t b)
{
	snprintf(out, len,
		 "BEGIN { printf(\"" READY_MARK "\\n\"); }\n"
		 "kprobe:unix_stream_sendmsg, kprobe:unix_dgram_sendmsg\n"
		 "/pid == %d || pid == %d/ {\n"
		 "  $n = arg2;\n"
		 "  $p = (uint64)((struct msghdr *)arg1)->msg_iter.ubuf;\n"
		 "  if (($p >> 48) == 0xffff) { $n = *(uint64 *)($p + 8); $p = *(uint64 *)$p; }\n"
		 "  if ($n > arg2) { $n = arg2; }\n"
		 "  printf(\"%%d %%d %%r\\n\", pid, arg2, buf(uptr($p), $n));\n"
		 "}\n",
		 (int)a, (int)b);
}

static bool file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

int tr_start_peer(const struct tr_spec *t, const struct tr_env *env, struct wl_run *wr,
		  struct tr_run *tr, char *err, size_t errlen)
{
	char script[1024];
	char *argv[16];
	int a = 0;
	if (env->peer_wrap)
		argv[a++] = (char *)env->peer_wrap;
	const char *ready;
	if (t->kind == TR_BPFTRACE) {
		bpftrace_script(script, sizeof(script), wr->server, wr->client);
		argv[a++] = "bpftrace";
		argv[a++] = "-e";
		argv[a++] = script;
		ready = READY_MARK;
	} else {
		/* No pid filter: it takes one pid and the loop has two; the VM runs nothing else
		 * that passes fds. Its header is printed once the kprobes are attached. */
		argv[a++] = "sofdsnoop-bpfcc";
		ready = "ACTION";
	}
	argv[a] = NULL;
	snprintf(tr->outfile, sizeof(tr->outfile), "%s/%s.out", env->dir,
		 t->kind == TR_BPFTRACE ? "bpftrace" : "sofdsnoop");
	tr->pid = tr_spawn(argv, tr->outfile, NULL, &tr->err_fd, env->avoid_cpu);
	if (tr->pid < 0) {
		snprintf(err, errlen, "%s: %s", t->label, strerror(errno));
		return -1;
	}
	uint64_t deadline = ub_now_ns() + (uint64_t)(env->ready_timeout * 1e9);
	while (!file_has(tr->outfile, ready)) {
		if (ub_now_ns() > deadline || waitpid(tr->pid, NULL, WNOHANG) == tr->pid) {
			snprintf(err, errlen, "%s did not attach: %.300s", t->label, tr->errbuf);
			return -1;
		}
		tr_drain_err(tr, 20);
	}
	/* sofdsnoop prints its header before it opens its perf buffer: events sent in between
	 * would be lost without a word. */
	if (t->kind == TR_SOFDSNOOP)
		ub_sleep_ms(2000);
	return 0;
}

void tr_peer_settle(const struct tr_run *tr)
{
	off_t last = -1;
	uint64_t deadline = ub_now_ns() + 120 * 1000000000ull;
	for (;;) {
		struct stat st;
		off_t size = stat(tr->outfile, &st) ? 0 : st.st_size;
		if (size == last || ub_now_ns() > deadline)
			return;
		last = size;
		ub_sleep_ms(1000); /* under TCG it prints in bursts */
	}
}

/* bpftrace: "PID LEN PAYLOAD" per send, "Lost N events" when its perf buffer overflowed.
 * sofdsnoop: a SEND or RECV line per fd passed, "Possibly lost N samples" likewise. */
int tr_parse_peer(const struct tr_run *tr, struct tr_result *res)
{
	FILE *f = fopen(tr->outfile, "r");
	if (!f)
		return -1;
	bool bpftrace = tr->t->kind == TR_BPFTRACE;
	char *line = NULL;
	size_t cap = 0;
	bool ready = false;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long n;
		int pid;
		if (strstr(line, READY_MARK) || strstr(line, "ACTION")) {
			ready = true;
		} else if (sscanf(line, "Lost %llu events", &n) == 1 ||
			   sscanf(line, "Possibly lost %llu samples", &n) == 1) {
			res->dropped += n;
		} else if (bpftrace) {
			if (sscanf(line, "%d %llu", &pid, &n) == 2) {
				res->captured++;
				res->captured_bytes += n;
			}
		} else if (!strncmp(line, "SEND ", 5) || !strncmp(line, "RECV ", 5)) {
			res->captured++;
		}
	}
	free(line);
	fclose(f);
	return ready ? 0 : -1;
}

void tr_peer_versions(const struct tr_env *env, char *out, size_t len)
{
	char cmd[512], bt[128], bcc[128];
	const char *wrap = env->peer_wrap ? env->peer_wrap : "";
	snprintf(cmd, sizeof(cmd), "%s bpftrace --version 2>/dev/null", wrap);
	ub_first_line(cmd, bt, sizeof(bt));
	snprintf(cmd, sizeof(cmd),
		 "%s python3 -c 'import bcc; print(\"bcc\", bcc.__version__)' 2>/dev/null", wrap);
	ub_first_line(cmd, bcc, sizeof(bcc));
	snprintf(out, len, "%s; %s", bt[0] ? bt : "no bpftrace", bcc[0] ? bcc : "no bcc");
}
