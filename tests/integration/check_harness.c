/*
 * The process harness: one capture run is a child running the generator scenarios (linked
 * in, since the VMs have no shell) and a child running unixcap, both read through pipes
 * with poll so that neither can block the other. Every wait has a time limit, and a
 * failed run kills and reaps both children and removes the generator's socket files, so
 * that the next check starts clean. The signal safety net does the same for the whole
 * program when the overall --timeout is hit or it is interrupted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_harness.h"
#include "gen.h"

/* Time limits of the phases of a run (ms). */
#define T_GEN_READY_MS 10000
/* How long unixcap may take to load and attach: 30 s, or CAPTURE_CHECK_READY_S (the VM
 * cells: BPF verification under TCG on a loaded 2-core host can take longer). */
static int cap_ready_ms(void)
{
	const char *e = getenv("CAPTURE_CHECK_READY_S");
	int s = e ? atoi(e) : 0;
	return s > 0 ? s * 1000 : 30000;
}
#define T_CAP_READY_MS cap_ready_ms()
#define T_GEN_DONE_MS 30000
#define T_SETTLE_MS 300
#define T_SELF_EXIT_MS 5000
#define T_EXIT_MS 10000

/* For the signal handlers: children to kill, kptr_restrict to restore, counts to print. */
static volatile pid_t g_pids[2];
static volatile int g_kptr_old = -1;

/* ---- signal safety net ------------------------------------------------------------------ */

/* on_fatal runs in a signal handler: it and what it calls use async-signal-safe calls only. */
static void put_s(const char *s)
{
	ssize_t r = write(1, s, strlen(s));

	(void)r;
}

static void put_u(unsigned v)
{
	char b[16];
	int i = sizeof(b);

	b[--i] = '\0';
	do
		b[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	put_s(b + i);
}

void restore_kptr(void)
{
	int old = g_kptr_old;

	if (old >= 0 && old != 1) {
		int fd = open("/proc/sys/kernel/kptr_restrict", O_WRONLY | O_CLOEXEC);
		char b[4] = { (char)('0' + old), '\n', 0, 0 };

		if (fd >= 0) {
			ssize_t r = write(fd, b, 2);

			(void)r;
			close(fd);
		}
	}
	g_kptr_old = -1;
}

static void kill_children(void)
{
	for (int i = 0; i < 2; i++)
		if (g_pids[i] > 0)
			kill(g_pids[i], SIGKILL);
}

static void on_fatal(int sig)
{
	kill_children();
	restore_kptr();
	put_s(sig == SIGALRM ? "FAIL timeout: the overall time limit was hit\n"
			     : "FAIL interrupted: killed by a signal\n");
	put_u((unsigned)checks_passed());
	put_s(" passed, ");
	put_u((unsigned)checks_failed() + 1);
	put_s(" failed\n");
	_exit(1);
}

void harness_signals(unsigned timeout_s)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	alarm(timeout_s);
}

void harness_kptr_saved(int old)
{
	g_kptr_old = old;
}

/* ---- buffers and processes -------------------------------------------------------------- */

static int buf_grow(struct buf *b, size_t more)
{
	if (b->len + more + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		char *p;

		while (cap < b->len + more + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
		/* A read that then finds end of file leaves an empty buffer: a string still. */
		b->p[b->len] = '\0';
	}
	return 0;
}

static void buf_free(struct buf *b)
{
	if (b->fd >= 0)
		close(b->fd);
	free(b->p);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

const char *buf_str(const struct buf *b)
{
	return b->p ? b->p : "";
}

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void run_free(struct run *r)
{
	buf_free(&r->glog);
	buf_free(&r->gerr);
	buf_free(&r->out);
	buf_free(&r->err);
	if (r->gofd >= 0)
		close(r->gofd);
	r->gofd = -1;
	free(r->recs);
	for (int i = 0; i < r->npasses; i++)
		free(r->passes[i]);
	free(r->passes);
	r->passes = NULL;
	r->npasses = 0;
	for (int i = 0; i < r->nmsgs; i++)
		jl_free(&r->msgs[i].o);
	free(r->msgs);
	r->recs = NULL;
	r->msgs = NULL;
	r->nrecs = r->nmsgs = 0;
}

static void reap(struct run *r)
{
	int st;

	if (r->gen > 0 && !r->gen_exited && waitpid(r->gen, &st, WNOHANG) == r->gen) {
		r->gen_exited = true;
		r->gen_status = st;
		g_pids[0] = 0;
	}
	if (r->cap > 0 && !r->cap_exited && waitpid(r->cap, &st, WNOHANG) == r->cap) {
		r->cap_exited = true;
		r->cap_status = st;
		g_pids[1] = 0;
	}
}

/* Reads whatever the children wrote, reaps them, until done(r) or ms have passed. */
static bool pump(struct run *r, int ms, bool (*done)(struct run *))
{
	int64_t deadline = now_ms() + ms;
	struct buf *bufs[4] = { &r->glog, &r->gerr, &r->out, &r->err };

	for (;;) {
		struct pollfd p[4];
		int n = 0, idx[4];
		int64_t left;

		reap(r);
		if (done && done(r))
			return true;
		left = deadline - now_ms();
		if (left <= 0)
			return !done;
		for (int i = 0; i < 4; i++) {
			if (bufs[i]->fd < 0)
				continue;
			p[n].fd = bufs[i]->fd;
			p[n].events = POLLIN;
			idx[n++] = i;
		}
		if (poll(p, (nfds_t)n, left < 20 ? (int)left : 20) < 0 && errno != EINTR)
			return false;
		for (int k = 0; k < n; k++) {
			struct buf *b = bufs[idx[k]];
			ssize_t got;

			if (!p[k].revents)
				continue;
			if (buf_grow(b, 65536) < 0)
				return false;
			got = read(b->fd, b->p + b->len, 65536);
			if (got > 0) {
				b->len += (size_t)got;
				b->p[b->len] = '\0';
			} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(b->fd);
				b->fd = -1;
			}
		}
	}
}

static bool gen_ready(struct run *r)
{
	const char *p = strstr(buf_str(&r->glog), "{\"kind\":\"ready\"");

	return r->gen_exited || (p && strchr(p, '\n'));
}

static bool cap_ready(struct run *r)
{
	size_t len;

	return r->cap_exited || listening_line(r, &len);
}

static bool gen_done(struct run *r)
{
	return r->gen_exited && r->glog.fd < 0 && r->gerr.fd < 0;
}

static bool cap_done(struct run *r)
{
	return r->cap_exited && r->out.fd < 0 && r->err.fd < 0;
}

static bool all_done(struct run *r)
{
	return (r->gen <= 0 || gen_done(r)) && (r->cap <= 0 || cap_done(r));
}

static bool cap_exited(struct run *r)
{
	return r->cap_exited;
}

static int go_wait(void *arg)
{
	int fd = *(int *)arg;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;
	int r;

	do
		r = poll(&p, 1, 60000);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	return read(fd, &c, 1) == 1 ? 0 : -1;
}

static void child_signals(void)
{
	sigset_t all;

	signal(SIGALRM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

static __attribute__((noreturn)) void gen_child(int gofd, int logfd, int errfd,
						const char *only, uint32_t snaplen)
{
	struct ug_options o;
	FILE *log;
	int rc;

	child_signals();
	if (dup2(errfd, 2) < 0)
		_exit(3);
	log = fdopen(logfd, "w");
	if (!log)
		_exit(3);
	memset(&o, 0, sizeof(o));
	o.only = only;
	o.snaplen = snaplen;
	o.log = log;
	o.wait_go = go_wait;
	o.wait_arg = &gofd;
	o.main_comm = "ugen-main";
	rc = ug_run(&o);
	if (fclose(log) != 0)
		rc = -1;
	_exit(rc == 0 ? 0 : rc == 1 ? 1 : 3);
}

static int start_gen(struct run *r, struct verdict *v)
{
	int go[2], lg[2], er[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(lg, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0) {
		problem(v, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		problem(v, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(go[1]);
		close(lg[0]);
		close(er[0]);
		gen_child(go[0], lg[1], er[1], r->only, r->snaplen);
	}
	r->gen = pid;
	g_pids[0] = pid;
	close(go[0]);
	close(lg[1]);
	close(er[1]);
	r->gofd = go[1];
	r->glog.fd = lg[0];
	r->gerr.fd = er[0];
	return 0;
}

static int start_cap(struct run *r, char **argv, struct verdict *v)
{
	int o[2], e[2];
	pid_t pid;

	if (pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0) {
		problem(v, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		problem(v, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		child_signals();
		if (null >= 0)
			dup2(null, 0);
		if (dup2(o[1], 1) < 0 || dup2(e[1], 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		dprintf(2, "capture_check: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	r->cap = pid;
	g_pids[1] = pid;
	close(o[1]);
	close(e[1]);
	r->out.fd = o[0];
	r->err.fd = e[0];
	return 0;
}

static void describe_status(char *out, size_t n, int st)
{
	if (WIFSIGNALED(st))
		snprintf(out, n, "killed by signal %d (%s)%s", WTERMSIG(st), strsignal(WTERMSIG(st)),
			 WCOREDUMP(st) ? ", core dumped" : "");
	else if (WIFEXITED(st))
		snprintf(out, n, "exit status %d", WEXITSTATUS(st));
	else
		snprintf(out, n, "status 0x%x", st);
}

/* Last lines of a buffer, for failure context. */
static void dump_tail(const char *what, const struct buf *b, int lines)
{
	const char *s = buf_str(b), *p = s + strlen(s);
	int n = 0;

	while (p > s && n <= lines) {
		p--;
		if (*p == '\n' && p[1])
			n++;
	}
	if (*p == '\n')
		p++;
	if (*p)
		fprintf(stderr, "capture_check: --- %s (tail) ---\n%s%s", what, p,
			p[strlen(p) - 1] == '\n' ? "" : "\n");
}

/* ---- running one capture ---------------------------------------------------------------- */

static void print_argv(char **argv)
{
	fprintf(stderr, "capture_check: running:");
	for (int i = 0; argv[i]; i++)
		fprintf(stderr, " %s", argv[i]);
	fprintf(stderr, "\n");
}

/* Removes the generator's mkdtemp directory, after the generator was killed. */
static void remove_gen_dir(const struct run *r)
{
	char dir[DISP_MAX], *slash, *base;
	DIR *d;
	struct dirent *e;

	for (int i = 0; i < r->nsocks; i++) {
		if (r->socks[i].path[0] != '/')
			continue;
		snprintf(dir, sizeof(dir), "%s", r->socks[i].path);
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return;
		*slash = '\0';
		base = strrchr(dir, '/');
		if (!base || strncmp(base + 1, "unixgen.", 8))
			return;
		d = opendir(dir);
		if (!d)
			return;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
		rmdir(dir);
		return;
	}
}

void run_init(struct run *r, const struct run_spec *spec, const struct opts *op)
{
	memset(r, 0, sizeof(*r));
	r->spec = spec;
	r->only = spec->only;
	r->snaplen = spec->snaplen ? spec->snaplen : op->snaplen;
	r->json = spec->out == OUT_JSON;
	r->gofd = -1;
	r->glog.fd = r->gerr.fd = r->out.fd = r->err.fd = -1;
}

/* Runs generator + unixcap for r. 0 when both ran and exited as they should. */
int run_capture(const struct opts *op, struct run *r, struct verdict *v)
{
	char *argv[64], snap[16], st[128];
	int argc = 0, nf, rc = 0;

	r->gofd = -1;
	r->glog.fd = r->gerr.fd = r->out.fd = r->err.fd = -1;
	r->t0 = now_real();
	if (start_gen(r, v) < 0)
		return -1;
	if (!pump(r, T_GEN_READY_MS, gen_ready) || r->gen_exited) {
		pump(r, 1000, gen_done);
		describe_status(st, sizeof(st), r->gen_status);
		problem(v, "the generator did not get ready (%s)",
			r->gen_exited ? st : "timeout");
		dump_tail("generator stderr", &r->gerr, 10);
		goto kill;
	}
	parse_gen_log(r, v); /* the socket table, which the filter options name */

	argv[argc++] = (char *)op->unixcap;
	argv[argc++] = "--backend";
	argv[argc++] = (char *)(op->expect_backend ? "auto" : op->backend);
	if (op->expect_backend)
		argv[argc++] = "-v";
	if (r->spec->out != OUT_ARGS)
		argv[argc++] = r->spec->out == OUT_JSON ? "--json" : "-X";
	snprintf(snap, sizeof(snap), "%u", r->snaplen);
	argv[argc++] = "-s";
	argv[argc++] = snap;
	snprintf(r->pidstr, sizeof(r->pidstr), "%d", (int)r->gen);
	nf = r->spec->filter(r, argv + argc);
	if (nf < 0) {
		problem(v, "the generator's socket table lacks the socket this check filters on");
		goto kill;
	}
	argc += nf;
	for (int i = 0; i < 3 && r->spec->args[i]; i++)
		argv[argc++] = (char *)r->spec->args[i];
	for (int i = 0; i < op->nextra && argc < 62; i++)
		argv[argc++] = op->extra[i];
	argv[argc] = NULL;
	if (op->debug)
		print_argv(argv);
	if (start_cap(r, argv, v) < 0)
		goto kill;
	if (!pump(r, T_CAP_READY_MS, cap_ready) || r->cap_exited) {
		pump(r, 1000, cap_done);
		if (r->cap_exited) {
			describe_status(st, sizeof(st), r->cap_status);
			problem(v, "unixcap exited before it was listening (%s)", st);
		} else {
			problem(v, "unixcap did not print \"unixcap: listening on\" within %d s",
				T_CAP_READY_MS / 1000);
		}
		dump_tail("unixcap stderr", &r->err, 10);
		goto kill;
	}
	parse_backend(r);

	if (r->spec->pause_capture)
		kill(r->cap, SIGSTOP);
	if (write(r->gofd, "g", 1) != 1) {
		problem(v, "cannot start the generator: %s", strerror(errno));
		goto kill;
	}
	close(r->gofd);
	r->gofd = -1;
	if (!pump(r, T_GEN_DONE_MS, gen_done)) {
		problem(v, "the generator did not finish within %d s", T_GEN_DONE_MS / 1000);
		goto kill;
	}
	if (r->spec->pause_capture)
		kill(r->cap, SIGCONT);
	pump(r, T_SETTLE_MS, NULL);
	if (r->spec->self_exit)
		pump(r, T_SELF_EXIT_MS, cap_exited);
	if (r->cap_exited) {
		r->cap_self_exit = true;
	} else {
		kill(r->cap, SIGINT);
	}
	if (!pump(r, T_EXIT_MS, cap_done)) {
		problem(v, "unixcap did not exit within %d s of SIGINT", T_EXIT_MS / 1000);
		dump_tail("unixcap stderr", &r->err, 10);
		goto kill;
	}
	r->t1 = now_real();

	describe_status(st, sizeof(st), r->gen_status);
	if (!WIFEXITED(r->gen_status) || WEXITSTATUS(r->gen_status) != 0) {
		problem(v, "the generator failed (%s): a send did not go as its scenario expects",
			st);
		dump_tail("generator stderr", &r->gerr, 10);
		rc = -1;
	}
	describe_status(st, sizeof(st), r->cap_status);
	if (!WIFEXITED(r->cap_status) || WEXITSTATUS(r->cap_status) != 0) {
		problem(v, "unixcap %s", st);
		dump_tail("unixcap stderr", &r->err, 10);
		rc = -1;
	}
	if (r->cap_self_exit && !r->spec->self_exit)
		problem(v, "unixcap exited by itself before SIGINT");
	if (op->debug)
		dump_tail("unixcap stderr", &r->err, 1000);

	parse_gen_log(r, v); /* again: the sends and fd passes are written at the end */
	if (!r->gen_end) {
		problem(v, "the generator log is incomplete");
		rc = -1;
	}
	/* Hashed addresses (kptr_restrict not 1) would make every sock comparison fail. */
	for (int i = 0; i < r->nrecs; i++)
		if ((r->recs[i].sock >> 48) != 0xffff) {
			problem(v, "the generator saw no kernel address for inode %" PRIu64
				   " (0x%" PRIx64 "): is kernel.kptr_restrict 1?",
				r->recs[i].inode, r->recs[i].sock);
			rc = -1;
			break;
		}
	if (r->json)
		parse_cap_json(r, v);
	parse_cap_summary(r);
	return rc;
kill:
	if (r->cap > 0 && !r->cap_exited)
		kill(r->cap, SIGKILL);
	/* Refusing the go signal makes the generator clean up (its socket files) and exit. */
	if (r->gofd >= 0) {
		close(r->gofd);
		r->gofd = -1;
		pump(r, 2000, gen_done);
	}
	if (r->gen > 0 && !r->gen_exited) {
		kill(r->gen, SIGKILL);
		pump(r, 2000, gen_done);
		remove_gen_dir(r);
	}
	pump(r, 2000, all_done);
	while (!r->gen_exited || (r->cap > 0 && !r->cap_exited)) {
		reap(r);
		if (!r->gen_exited || (r->cap > 0 && !r->cap_exited))
			usleep(10000);
	}
	return -1;
}
