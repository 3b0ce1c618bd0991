/* The tracers under comparison: starting each against a workload, stopping it, and reading
 * back what it says it saw. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* KIND[,B=KiB][,s=SNAPLEN][,b=BACKEND][,u=UNIXCAP] with KIND none|console|pcapng|zstd|strace|socat|
 * bpftrace|sofdsnoop. */
bool tr_parse(const char *name, struct tr_spec *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", name);
	char *save, *kind = strtok_r(buf, ",", &save);
	if (!kind)
		return false;
	static const struct {
		const char *name, *label;
		enum tr_kind kind;
		enum tr_out out;
	} kinds[] = {
		{ "none", "untraced", TR_NONE, TR_OUT_CONSOLE },
		{ "console", "unixcap >/dev/null", TR_UNIXCAP, TR_OUT_CONSOLE },
		{ "pcapng", "unixcap -w pcapng", TR_UNIXCAP, TR_OUT_PCAPNG },
		{ "zstd", "unixcap -w -z (zstd)", TR_UNIXCAP, TR_OUT_ZSTD },
		{ "strace", "strace -f -o", TR_STRACE, TR_OUT_CONSOLE },
		{ "socat", "socat -x proxy", TR_SOCAT, TR_OUT_CONSOLE },
		{ "bpftrace", "bpftrace printf %r", TR_BPFTRACE, TR_OUT_CONSOLE },
		{ "sofdsnoop", "sofdsnoop-bpfcc", TR_SOFDSNOOP, TR_OUT_CONSOLE },
	};
	bool found = false;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(kind, kinds[i].name)) {
			snprintf(t->label, sizeof(t->label), "%s", kinds[i].label);
			t->kind = kinds[i].kind;
			t->out = kinds[i].out;
			found = true;
		}
	}
	if (!found)
		return false;
	char *opt;
	while ((opt = strtok_r(NULL, ",", &save))) {
		if (t->kind != TR_UNIXCAP)
			return false;
		size_t l = strlen(t->label);
		if (!strncmp(opt, "B=", 2)) {
			t->ring_kib = (unsigned)atoi(opt + 2);
			snprintf(t->label + l, sizeof(t->label) - l, " -B %u", t->ring_kib);
		} else if (!strncmp(opt, "s=", 2)) {
			t->snaplen = (unsigned)atoi(opt + 2);
			snprintf(t->label + l, sizeof(t->label) - l, " -s %u", t->snaplen);
		} else if (!strncmp(opt, "u=", 2) && opt[2]) {
			/* Another unixcap binary: before and after a change, side by side. */
			snprintf(t->unixcap, sizeof(t->unixcap), "%s", opt + 2);
			const char *base = strrchr(t->unixcap, '/');
			snprintf(t->label + l, sizeof(t->label) - l, " (%s)", base ? base + 1 : opt + 2);
		} else if (!strncmp(opt, "b=", 2) && opt[2]) {
			snprintf(t->backend, sizeof(t->backend), "%s", opt + 2);
			snprintf(t->label + l, sizeof(t->label) - l, " [%s]", t->backend);
		} else {
			return false;
		}
	}
	return true;
}

bool tr_in_path(const char *prog)
{
	const char *p = getenv("PATH");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", p ? p : "/usr/bin:/bin");
	char *save, *d;
	for (d = strtok_r(dir, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char full[4200];
		snprintf(full, sizeof(full), "%s/%s", d, prog);
		if (access(full, X_OK) == 0)
			return true;
	}
	return false;
}

const char *tr_unavailable(const struct tr_spec *t, const struct tr_env *env,
			   const struct wl_spec *w)
{
	switch (t->kind) {
	case TR_NONE: return NULL;
	case TR_UNIXCAP: return access(env->unixcap, X_OK) ? "no unixcap binary" : NULL;
	case TR_STRACE: return tr_in_path("strace") ? NULL : "strace not installed";
	case TR_SOCAT:
		if (!tr_in_path("socat"))
			return "socat not installed";
		return wl_proxyable(w) ? NULL : "n/a (socat relays path-based streams only)";
	case TR_BPFTRACE:
	case TR_SOFDSNOOP: return tr_peer_unavailable(t, env, w);
	}
	return "unknown";
}

bool tr_counts_fd_recvs(const struct tr_spec *t)
{
	return t->kind == TR_UNIXCAP || t->kind == TR_SOFDSNOOP;
}

bool tr_reports_drops(const struct tr_spec *t)
{
	return t->kind == TR_UNIXCAP || t->kind == TR_BPFTRACE || t->kind == TR_SOFDSNOOP;
}

/* Forks argv with stdout to out_path (or /dev/null) and stderr to a pipe or a file. */
pid_t tr_spawn(char *const argv[], const char *out_path, const char *err_path, int *err_fd,
		   int avoid_cpu)
{
	int pfd[2] = { -1, -1 };
	if (!err_path && pipe2(pfd, O_CLOEXEC))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int err = err_path ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600) : pfd[1];
		if (out < 0 || err < 0)
			_exit(127);
		dup2(out, 1);
		dup2(err, 2);
		/* Its own process group: a Ctrl-C on the harness reaches it only through us. */
		setpgid(0, 0);
		ub_pin(avoid_cpu, true);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (pid < 0) {
		if (pfd[0] >= 0)
			close(pfd[0]);
		return -1;
	}
	*err_fd = pfd[0];
	return pid;
}

void tr_drain_err(struct tr_run *tr, int timeout_ms)
{
	if (tr->err_fd < 0)
		return;
	struct pollfd p = { .fd = tr->err_fd, .events = POLLIN };
	if (poll(&p, 1, timeout_ms) <= 0)
		return;
	char tmp[1024];
	ssize_t n = read(tr->err_fd, tmp, sizeof(tmp));
	if (n <= 0) {
		close(tr->err_fd);
		tr->err_fd = -1;
		return;
	}
	size_t room = sizeof(tr->errbuf) - 1 - tr->errlen;
	size_t k = (size_t)n < room ? (size_t)n : room;
	memcpy(tr->errbuf + tr->errlen, tmp, k);
	tr->errlen += k;
	tr->errbuf[tr->errlen] = 0;
}

static bool exited(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == pid;
}

static void init_run(struct tr_run *tr, const struct tr_spec *t)
{
	memset(tr, 0, sizeof(*tr));
	tr->pid = -1;
	tr->err_fd = -1;
	tr->t = t;
}

int tr_start_proxy(const struct tr_spec *t, const struct tr_env *env, struct wl_run *wr,
		   struct tr_run *tr, char *err, size_t errlen)
{
	init_run(tr, t);
	snprintf(tr->proxy_path, sizeof(tr->proxy_path), "%s/proxy.sock", env->dir);
	snprintf(tr->outfile, sizeof(tr->outfile), "%s/socat.dump", env->dir);
	char listen[256], target[256];
	snprintf(listen, sizeof(listen), "UNIX-LISTEN:%s,fork,unlink-early", tr->proxy_path);
	snprintf(target, sizeof(target), "UNIX-CONNECT:%s", wr->listen_path);
	char *argv[] = { "socat", "-x", listen, target, NULL };
	tr->pid = tr_spawn(argv, NULL, tr->outfile, &tr->err_fd, env->avoid_cpu);
	if (tr->pid < 0) {
		snprintf(err, errlen, "socat: %s", strerror(errno));
		return -1;
	}
	uint64_t deadline = ub_now_ns() + (uint64_t)(env->ready_timeout * 1e9);
	while (!ub_listening(tr->proxy_path)) {
		if (exited(tr->pid))
			tr->pid = -1;
		if (ub_now_ns() > deadline || tr->pid < 0) {
			snprintf(err, errlen, "socat did not start listening on %s", tr->proxy_path);
			tr_abort(tr);
			return -1;
		}
		ub_sleep_ms(2);
	}
	return 0;
}

static int start_unixcap(const struct tr_spec *t, const struct tr_env *env, struct wl_run *wr,
			 struct tr_run *tr, char *err, size_t errlen)
{
	char pids[64], ring[16], snap[16];
	snprintf(pids, sizeof(pids), "%d,%d", (int)wr->server, (int)wr->client);
	char *argv[16];
	int a = 0;
	argv[a++] = (char *)(t->unixcap[0] ? t->unixcap : env->unixcap);
	const char *backend = t->backend[0] ? t->backend : env->backend;
	if (backend) {
		argv[a++] = "--backend";
		argv[a++] = (char *)backend;
	}
	argv[a++] = "-p";
	argv[a++] = pids;
	if (t->ring_kib) {
		snprintf(ring, sizeof(ring), "%u", t->ring_kib);
		argv[a++] = "-B";
		argv[a++] = ring;
	}
	if (t->snaplen) {
		snprintf(snap, sizeof(snap), "%u", t->snaplen);
		argv[a++] = "-s";
		argv[a++] = snap;
	}
	if (t->out != TR_OUT_CONSOLE) {
		snprintf(tr->outfile, sizeof(tr->outfile), "%s/capture.pcapng%s", env->dir,
			 t->out == TR_OUT_ZSTD ? ".zst" : "");
		argv[a++] = "-w";
		argv[a++] = tr->outfile;
		if (t->out == TR_OUT_ZSTD)
			argv[a++] = "-z";
	}
	argv[a] = NULL;
	tr->pid = tr_spawn(argv, NULL, NULL, &tr->err_fd, env->avoid_cpu);
	if (tr->pid < 0) {
		snprintf(err, errlen, "unixcap: %s", strerror(errno));
		return -1;
	}
	uint64_t deadline = ub_now_ns() + (uint64_t)(env->ready_timeout * 1e9);
	while (!strstr(tr->errbuf, "unixcap: listening on")) {
		if (ub_now_ns() > deadline || tr->err_fd < 0) {
			snprintf(err, errlen, "unixcap did not attach: %.300s", tr->errbuf);
			return -1;
		}
		tr_drain_err(tr, 50);
	}
	return 0;
}

static int start_strace(const struct tr_env *env, struct wl_run *wr, struct tr_run *tr,
			char *err, size_t errlen)
{
	char s[16], c[16];
	snprintf(s, sizeof(s), "%d", (int)wr->server);
	snprintf(c, sizeof(c), "%d", (int)wr->client);
	snprintf(tr->outfile, sizeof(tr->outfile), "%s/strace.out", env->dir);
	char *argv[] = { "strace", "-f", "-e", "trace=write,sendmsg,sendto", "-xx", "-s", "65536",
			 "-o", tr->outfile, "-p", s, "-p", c, NULL };
	tr->pid = tr_spawn(argv, NULL, NULL, &tr->err_fd, env->avoid_cpu);
	if (tr->pid < 0) {
		snprintf(err, errlen, "strace: %s", strerror(errno));
		return -1;
	}
	uint64_t deadline = ub_now_ns() + (uint64_t)(env->ready_timeout * 1e9);
	while (!ub_all_traced(wr->server) || !ub_all_traced(wr->client)) {
		if (ub_now_ns() > deadline || tr->err_fd < 0) {
			snprintf(err, errlen, "strace did not attach: %.300s", tr->errbuf);
			return -1;
		}
		tr_drain_err(tr, 5);
	}
	return 0;
}

int tr_start(const struct tr_spec *t, const struct tr_env *env, struct wl_run *wr,
	     struct tr_run *tr, char *err, size_t errlen)
{
	if (t->kind == TR_SOCAT || t->kind == TR_NONE)
		return 0;
	init_run(tr, t);
	int rc;
	if (t->kind == TR_UNIXCAP)
		rc = start_unixcap(t, env, wr, tr, err, errlen);
	else if (t->kind == TR_STRACE)
		rc = start_strace(env, wr, tr, err, errlen);
	else
		rc = tr_start_peer(t, env, wr, tr, err, errlen);
	if (rc)
		tr_abort(tr);
	return rc;
}

void tr_mark_go(struct tr_run *tr)
{
	if (tr->pid > 0)
		tr->cpu0_ns = ub_tree_cpu(tr->pid);
}

/* Waits for pid, signalling it first (0 = no signal), again every `again_ms` if that is not
 * 0; after timeout_s sends `then` (0 = none) and waits as long again; SIGKILL after that. */
static int reap_tracer(struct tr_run *tr, int sig, unsigned again_ms, double timeout_s, int then,
		       struct rusage *ru, int *status)
{
	if (sig)
		kill(tr->pid, sig);
	uint64_t now = ub_now_ns(), deadline = now + (uint64_t)(timeout_s * 1e9);
	uint64_t resend = now + again_ms * 1000000ull;
	for (;;) {
		pid_t p = wait4(tr->pid, status, WNOHANG, ru);
		if (p == tr->pid)
			break;
		now = ub_now_ns();
		if (now > deadline && then) {
			kill(tr->pid, then);
			sig = then;
			then = 0;
			deadline = now + (uint64_t)(timeout_s * 1e9);
		} else if (now > deadline) {
			kill(tr->pid, SIGKILL);
			wait4(tr->pid, status, 0, ru);
			tr->pid = -1;
			return -1;
		} else if (sig && again_ms && now > resend) {
			kill(tr->pid, sig);
			resend = now + again_ms * 1000000ull;
		}
		if (tr->err_fd >= 0)
			tr_drain_err(tr, 10);
		else
			ub_sleep_ms(5);
	}
	tr->pid = -1;
	while (tr->err_fd >= 0)
		tr_drain_err(tr, 100);
	return 0;
}

static int parse_unixcap(const struct tr_run *tr, struct tr_result *res)
{
	const char *b = strstr(tr->errbuf, "unixcap: backend ");
	if (b)
		sscanf(b, "unixcap: backend %15[^;]", res->backend);
	for (const char *p = tr->errbuf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long long c, d;
		if (sscanf(p, "%llu messages captured, %llu dropped", &c, &d) == 2) {
			res->captured = c;
			res->dropped = d;
			return 0;
		}
	}
	return -1;
}

/* Each traced send is a line "PID NAME(...) = RET" or "PID <... NAME resumed>...) = RET". */
static int parse_strace(const char *path, struct tr_result *res)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		char *p = line;
		while (*p == ' ' || (*p >= '0' && *p <= '9'))
			p++;
		if (!strncmp(p, "<... ", 5))
			p += 5;
		if (strncmp(p, "write", 5) && strncmp(p, "sendmsg", 7) && strncmp(p, "sendto", 6))
			continue;
		char *eq = NULL;
		for (char *q = line + len - 1; q > line + 2; q--) {
			if (q[0] == ' ' && q[-1] == '=' && q[-2] == ' ') {
				eq = q + 1;
				break;
			}
		}
		if (!eq || *eq == '?' || *eq == '-')
			continue;
		res->captured++;
		res->captured_bytes += strtoull(eq, NULL, 10);
	}
	free(line);
	fclose(f);
	return 0;
}

/* socat -x: "> DATE TIME  length=N from=A to=B" and then the hex, per chunk relayed. */
static int parse_socat(const char *path, struct tr_result *res)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		char *l = strstr(line, "length=");
		if ((line[0] == '>' || line[0] == '<') && l) {
			res->captured++;
			res->captured_bytes += strtoull(l + 7, NULL, 10);
		}
	}
	free(line);
	fclose(f);
	res->bytes_only = true;
	return 0;
}

int tr_finish(struct tr_run *tr, struct tr_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	if (tr->pid <= 0)
		return 0;
	struct rusage ru;
	int status = 0, rc = 0;
	const struct tr_spec *t = tr->t;
	if (t->kind == TR_SOCAT) {
		/* Its per-connection children must be reaped by it, or their CPU time is lost. */
		pid_t kids[8];
		for (int i = 0; i < 500 && ub_children(tr->pid, kids, 8) > 0; i++)
			ub_sleep_ms(2);
		rc = reap_tracer(tr, SIGTERM, 0, 10, 0, &ru, &status);
	} else if (t->kind == TR_STRACE) {
		/* strace ends by itself once its tracees have; it may still be writing. */
		rc = reap_tracer(tr, 0, 0, 120, 0, &ru, &status);
	} else if (t->kind == TR_UNIXCAP) {
		rc = reap_tracer(tr, SIGINT, 0, 120, 0, &ru, &status);
	} else {
		/* The peers stop reading on SIGINT: let them print what is queued first. Both
		 * can miss a SIGINT (bpftrace outside epoll_wait, bcc inside its Python event
		 * callback): it is sent every second, and SIGTERM after 10 s. */
		tr_peer_settle(tr);
		rc = reap_tracer(tr, SIGINT, 1000, 10, SIGTERM, &ru, &status);
	}
	if (rc) {
		snprintf(err, errlen, "%s did not exit", t->label);
		return -1;
	}
	uint64_t cpu = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
		       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
	res->cpu_ns = cpu > tr->cpu0_ns ? cpu - tr->cpu0_ns : 0;
	struct stat st;
	if (tr->outfile[0] && stat(tr->outfile, &st) == 0)
		res->out_bytes = (uint64_t)st.st_size;
	if (t->kind == TR_UNIXCAP)
		rc = parse_unixcap(tr, res);
	else if (t->kind == TR_STRACE)
		rc = parse_strace(tr->outfile, res);
	else if (t->kind == TR_SOCAT)
		rc = parse_socat(tr->outfile, res);
	else
		rc = tr_parse_peer(tr, res);
	if (rc)
		snprintf(err, errlen, "%s: no summary (exit status %d): %.300s", t->label, status,
			 tr->errbuf);
	if (tr->outfile[0])
		unlink(tr->outfile);
	if (tr->proxy_path[0])
		unlink(tr->proxy_path);
	return rc;
}

void tr_abort(struct tr_run *tr)
{
	if (tr->pid > 0) {
		kill(tr->pid, SIGKILL);
		waitpid(tr->pid, NULL, 0);
		tr->pid = -1;
	}
	if (tr->err_fd >= 0)
		close(tr->err_fd);
	tr->err_fd = -1;
	if (tr->outfile[0])
		unlink(tr->outfile);
	if (tr->proxy_path[0])
		unlink(tr->proxy_path);
}
