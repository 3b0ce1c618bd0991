/*
 * capture_check - capture real generator traffic with unixcap and check every message.
 *
 * Usage: capture_check --unixcap PATH [--backend B] [--snaplen N] [--expect-backend B]
 *                      [--checks NAME,...] [--timeout SECONDS] [--debug]
 *                      [--] [extra unixcap args...]
 *
 * Every check is one or more real runs: a child process (the generator scenarios of
 * tests/gen, linked in) creates its sockets and waits; unixcap is started, filtered as the
 * check needs; once unixcap says "unixcap: listening on" the child sends its traffic and
 * exits; 300 ms later unixcap gets SIGINT. The generator's log and unixcap's output are
 * then compared. kernel.kptr_restrict is set to 1 for the whole run (and restored) so that
 * /proc/net/unix shows the real socket addresses that unixcap reports.
 *
 *   --unixcap PATH      the unixcap binary (required)
 *   --backend B         auto|fentry|kprobe|tracepoint (default auto)
 *   --snaplen N         snaplen of every run but snaplen.small (default 262144)
 *   --expect-backend B  run unixcap with --backend auto -v and check that it picks B
 *   --checks LIST       only these checks (a name, or a prefix before '.': "filter")
 *   --timeout SECONDS   overall limit (default 170); the run is failed when it is hit
 *   --debug             print every unixcap command line and its stderr
 *   anything else (or everything after --) is passed to every unixcap run
 *
 * Prints "ok NAME" or "FAIL NAME: reason" per check, then "N passed, M failed".
 * Details of failures go to stderr. Exit 0 iff no check failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gen.h"
#include "jsonl.h"

#define DISP_MAX 512
#define MAX_SOCKS 64
#define MAX_PROBLEMS_SHOWN 20
#define COMM_REGEX "^ugen-sen"
#define ABSTRACT_DGRAM_FMT "@unixgen-dgram-%d"
#define SMALL_SNAPLEN 37

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

/* ---- options and global state ----------------------------------------------------------- */

struct opts {
	const char *unixcap;
	const char *backend;
	const char *expect_backend;
	uint32_t snaplen;
	const char *checks;
	int timeout;
	bool debug;
	char **extra;
	int nextra;
};

/* For the signal handlers: children to kill, kptr_restrict to restore, counts to print. */
static volatile pid_t g_pids[2];
static volatile int g_kptr_old = -1;
static volatile int g_passed, g_failed;

/* ---- verdicts --------------------------------------------------------------------------- */

struct verdict {
	const char *name;
	int n;
	char first[600];
};

static void verdict_init(struct verdict *v, const char *name)
{
	memset(v, 0, sizeof(*v));
	v->name = name;
}

__attribute__((format(printf, 2, 3)))
static void problem(struct verdict *v, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	v->n++;
	if (v->n <= MAX_PROBLEMS_SHOWN)
		fprintf(stderr, "capture_check: %s: %s\n", v->name, buf);
	else if (v->n == MAX_PROBLEMS_SHOWN + 1)
		fprintf(stderr, "capture_check: %s: (further problems not shown)\n", v->name);
	if (v->n == 1)
		snprintf(v->first, sizeof(v->first), "%s", buf);
}

static void verdict_report(const struct verdict *v)
{
	if (!v->n) {
		printf("ok %s\n", v->name);
		g_passed++;
	} else {
		if (v->n > 1)
			printf("FAIL %s: %s (+%d more)\n", v->name, v->first, v->n - 1);
		else
			printf("FAIL %s: %s\n", v->name, v->first);
		g_failed++;
	}
	fflush(stdout);
}

/* ---- signal safety net ------------------------------------------------------------------ */

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

static void restore_kptr(void)
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
	put_u((unsigned)g_passed);
	put_s(" passed, ");
	put_u((unsigned)g_failed + 1);
	put_s(" failed\n");
	_exit(1);
}

/* ---- buffers and processes -------------------------------------------------------------- */

struct buf {
	int fd; /* -1 once at EOF */
	char *p;
	size_t len, cap;
};

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

static const char *buf_str(const struct buf *b)
{
	return b->p ? b->p : "";
}

static int64_t now_ms(void)
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

/* ---- generator log ---------------------------------------------------------------------- */

struct gsock {
	char scenario[32], role[24], type[12];
	uint64_t inode, sock;
	char path[DISP_MAX];
};

struct grec {
	char scenario[32], comm[20], call[16], type[12], error[24];
	int pid, tid, fd, err;
	uint64_t inode, sock, peer_inode, peer_sock;
	char path[DISP_MAX], peer_path[DISP_MAX];
	bool dest;
	int64_t len, ret, snap_len;
	uint64_t hash, snap_hash;
	bool used;
};

/* One line of unixcap's --json output. */
struct cmsg {
	struct jl_obj o;
	int line;
	int64_t pid, tid;
	uint64_t sock;
	bool error;
	bool recv;        /* a receive of passed fds ("recv" flag), not a send */
	bool hash_ok;     /* data is valid hex */
	uint64_t dhash;   /* FNV-1a of the decoded data */
	int64_t len, err; /* "len", "errno" */
};

enum run_kind {
	RK_MAIN,
	RK_ERRORS,
	RK_SOCK,
	RK_INODE,
	RK_PATH,
	RK_PATH_ABS,
	RK_TYPE,
	RK_TID,
	RK_COMM,
	RK_COUNT,
	RK_HEX,
	RK_SNAPLEN,
	RK_FDS,
	RK_PATH_PREFIX,
};

struct run {
	enum run_kind kind;
	const char *only; /* scenarios, NULL = all */
	uint32_t snaplen;
	bool json;
	/* processes */
	pid_t gen, cap;
	int gen_status, cap_status;
	bool gen_exited, cap_exited, cap_self_exit;
	int gofd;
	struct buf glog, gerr, out, err;
	/* generator log */
	struct gsock socks[MAX_SOCKS];
	int nsocks;
	struct grec *recs;
	int nrecs;
	char **passes; /* the generator's "fds" lines (fd passes), raw */
	int npasses;
	bool gen_end;
	/* filter argument and its target */
	char farg[DISP_MAX];
	uint64_t fval;
	/* unixcap output */
	char backend[32];
	bool have_summary;
	unsigned long long captured, dropped;
	struct cmsg *msgs;
	int nmsgs;
	double t0, t1;
};

static void run_free(struct run *r)
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

/* The "unixcap: listening on" line, complete; NULL if not there (yet). */
static const char *listening_line(const struct run *r, size_t *len)
{
	const char *s = buf_str(&r->err), *p = s;
	static const char key[] = "unixcap: listening on";

	while ((p = strstr(p, key))) {
		if (p == s || p[-1] == '\n') {
			const char *nl = strchr(p, '\n');

			if (!nl)
				return NULL;
			*len = (size_t)(nl - p);
			return p;
		}
		p += sizeof(key) - 1;
	}
	return NULL;
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

/* ---- parsing ---------------------------------------------------------------------------- */

static void cp_str(const struct jl_obj *o, const char *key, char *dst, size_t n)
{
	const char *s = "";

	if (jl_str(o, key, &s, NULL) != 0)
		s = "";
	snprintf(dst, n, "%s", s);
}

static int64_t get_i64(const struct jl_obj *o, const char *key)
{
	int64_t v = 0;

	jl_i64(o, key, &v);
	return v;
}

static uint64_t get_u64(const struct jl_obj *o, const char *key)
{
	uint64_t v = 0;

	jl_u64(o, key, &v);
	return v;
}

/* Splits a buffer into lines; calls fn for each non-empty one. */
static void each_line(const struct buf *b, void (*fn)(void *, const char *, size_t, int), void *arg)
{
	const char *s = buf_str(b);
	int line = 0;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		line++;
		if (len)
			fn(arg, s, len, line);
		s += len + (nl ? 1 : 0);
	}
}

struct parse_ctx {
	struct run *r;
	struct verdict *v;
	int cap;
};

static void gen_line(void *arg, const char *s, size_t len, int line)
{
	struct parse_ctx *pc = arg;
	struct run *r = pc->r;
	struct jl_obj o;
	char err[200], kind[16];

	if (jl_parse(s, len, &o, err, sizeof(err)) < 0) {
		problem(pc->v, "generator log line %d: %s", line, err);
		return;
	}
	cp_str(&o, "kind", kind, sizeof(kind));
	if (!strcmp(kind, "socket") && r->nsocks < MAX_SOCKS) {
		struct gsock *g = &r->socks[r->nsocks++];

		cp_str(&o, "scenario", g->scenario, sizeof(g->scenario));
		cp_str(&o, "role", g->role, sizeof(g->role));
		cp_str(&o, "type", g->type, sizeof(g->type));
		cp_str(&o, "path", g->path, sizeof(g->path));
		g->inode = get_u64(&o, "inode");
		g->sock = get_u64(&o, "sock");
	} else if (!strcmp(kind, "send")) {
		struct grec *g;

		if (r->nrecs == pc->cap) {
			int ncap = pc->cap ? 2 * pc->cap : 64;
			struct grec *p = realloc(r->recs, (size_t)ncap * sizeof(*p));

			if (!p) {
				jl_free(&o);
				return;
			}
			r->recs = p;
			pc->cap = ncap;
		}
		g = &r->recs[r->nrecs++];
		memset(g, 0, sizeof(*g));
		cp_str(&o, "scenario", g->scenario, sizeof(g->scenario));
		cp_str(&o, "comm", g->comm, sizeof(g->comm));
		cp_str(&o, "call", g->call, sizeof(g->call));
		cp_str(&o, "type", g->type, sizeof(g->type));
		cp_str(&o, "error", g->error, sizeof(g->error));
		cp_str(&o, "path", g->path, sizeof(g->path));
		cp_str(&o, "peer_path", g->peer_path, sizeof(g->peer_path));
		g->pid = (int)get_i64(&o, "pid");
		g->tid = (int)get_i64(&o, "tid");
		g->fd = (int)get_i64(&o, "fd");
		g->err = (int)get_i64(&o, "errno");
		g->inode = get_u64(&o, "inode");
		g->sock = get_u64(&o, "sock");
		g->peer_inode = get_u64(&o, "peer_inode");
		g->peer_sock = get_u64(&o, "peer_sock");
		g->dest = get_i64(&o, "dest") != 0;
		g->len = get_i64(&o, "len");
		g->ret = get_i64(&o, "ret");
		g->snap_len = get_i64(&o, "snap_len");
		g->hash = get_u64(&o, "hash");
		g->snap_hash = get_u64(&o, "snap_hash");
	} else if (!strcmp(kind, "fds")) {
		char **p = realloc(r->passes, (size_t)(r->npasses + 1) * sizeof(*p));
		char *copy = strndup(s, len);

		if (p && copy) {
			r->passes = p;
			r->passes[r->npasses++] = copy;
		} else {
			if (p)
				r->passes = p;
			free(copy);
			problem(pc->v, "out of memory");
		}
	} else if (!strcmp(kind, "end")) {
		r->gen_end = true;
	}
	jl_free(&o);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* FNV-1a of the bytes in the hex string "data"; false when it is missing or malformed. */
static bool hex_fnv(const struct jl_obj *o, uint64_t *hash)
{
	const char *s;
	size_t len;
	uint64_t h = UG_FNV_OFFSET;

	if (jl_str(o, "data", &s, &len) != 0 || len % 2)
		return false;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		unsigned char byte;

		if (hi < 0 || lo < 0)
			return false;
		byte = (unsigned char)(hi << 4 | lo);
		h = ug_fnv1a(h, &byte, 1);
	}
	*hash = h;
	return true;
}

static void cap_line(void *arg, const char *s, size_t len, int line)
{
	struct parse_ctx *pc = arg;
	struct run *r = pc->r;
	struct cmsg *m;
	char err[200];

	if (r->nmsgs == pc->cap) {
		int ncap = pc->cap ? 2 * pc->cap : 64;
		struct cmsg *p = realloc(r->msgs, (size_t)ncap * sizeof(*p));

		if (!p)
			return;
		r->msgs = p;
		pc->cap = ncap;
	}
	m = &r->msgs[r->nmsgs];
	memset(m, 0, sizeof(*m));
	if (jl_parse(s, len, &m->o, err, sizeof(err)) < 0) {
		problem(pc->v, "unixcap output line %d is not a JSON object: %s: %.80s", line, err, s);
		return;
	}
	m->line = line;
	m->pid = get_i64(&m->o, "pid");
	m->tid = get_i64(&m->o, "tid");
	m->sock = get_u64(&m->o, "sock");
	m->error = jl_has_item(&m->o, "flags", "error");
	m->recv = jl_has_item(&m->o, "flags", "recv");
	m->len = get_i64(&m->o, "len");
	m->err = get_i64(&m->o, "errno");
	m->hash_ok = hex_fnv(&m->o, &m->dhash);
	r->nmsgs++;
}

static void err_line(void *arg, const char *s, size_t len, int line)
{
	struct run *r = arg;
	char tmp[256];
	unsigned long long n, d;
	const char *p = tmp;

	(void)line;
	snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < 255 ? len : 255), s);
	if (!strncmp(p, "unixcap: ", 9))
		p += 9;
	if (sscanf(p, "%llu messages captured, %llu dropped", &n, &d) == 2) {
		r->have_summary = true;
		r->captured = n;
		r->dropped = d;
	}
}

static void parse_backend(struct run *r)
{
	size_t len;
	const char *l = listening_line(r, &len), *p;
	size_t k = 0;

	r->backend[0] = '\0';
	if (!l)
		return;
	p = strstr(l, "backend ");
	if (!p || p > l + len)
		return;
	p += 8;
	while (k + 1 < sizeof(r->backend) && p[k] >= 'a' && p[k] <= 'z') {
		r->backend[k] = p[k];
		k++;
	}
	r->backend[k] = '\0';
}

/* ---- running one capture ---------------------------------------------------------------- */

static const char *find_sock_field(const struct run *r, const char *scen, const char *role,
				   uint64_t *sock, uint64_t *inode)
{
	for (int i = 0; i < r->nsocks; i++)
		if (!strcmp(r->socks[i].scenario, scen) && !strcmp(r->socks[i].role, role)) {
			if (sock)
				*sock = r->socks[i].sock;
			if (inode)
				*inode = r->socks[i].inode;
			return r->socks[i].path;
		}
	return NULL;
}

/* Fills argv with the filter arguments of the run; returns the count or -1. */
static int filter_args(struct run *r, char **argv, char *pidstr, struct verdict *v)
{
	int n = 0;
	const char *path;
	uint64_t sock, inode;

	snprintf(pidstr, 16, "%d", (int)r->gen);
	switch (r->kind) {
	case RK_MAIN:
	case RK_ERRORS:
	case RK_TYPE:
	case RK_COUNT:
	case RK_HEX:
	case RK_SNAPLEN:
	case RK_FDS:
		argv[n++] = "-p";
		argv[n++] = pidstr;
		break;
	case RK_SOCK:
		if (!find_sock_field(r, "stream_path", "server", &sock, NULL))
			goto missing;
		r->fval = sock;
		snprintf(r->farg, sizeof(r->farg), "0x%" PRIx64, sock);
		argv[n++] = "--sock";
		argv[n++] = r->farg;
		break;
	case RK_INODE:
		if (!find_sock_field(r, "stream_pair", "a", NULL, &inode))
			goto missing;
		r->fval = inode;
		snprintf(r->farg, sizeof(r->farg), "%" PRIu64, inode);
		argv[n++] = "--inode";
		argv[n++] = r->farg;
		break;
	case RK_PATH:
		path = find_sock_field(r, "stream_path", "listener", NULL, NULL);
		if (!path || path[0] != '/')
			goto missing;
		snprintf(r->farg, sizeof(r->farg), "%s", path);
		argv[n++] = "--path";
		argv[n++] = r->farg;
		break;
	case RK_PATH_PREFIX: {
		path = find_sock_field(r, "stream_path", "listener", NULL, NULL);
		const char *slash = path ? strrchr(path, '/') : NULL;
		if (!slash || path[0] != '/')
			goto missing;
		snprintf(r->farg, sizeof(r->farg), "%.*s/*", (int)(slash - path), path);
		argv[n++] = "--path";
		argv[n++] = r->farg;
		break;
	}
	case RK_PATH_ABS:
		path = find_sock_field(r, "dgram", "sender_bound", NULL, NULL);
		snprintf(r->farg, sizeof(r->farg), ABSTRACT_DGRAM_FMT, (int)r->gen);
		if (!path || strcmp(path, r->farg))
			goto missing;
		argv[n++] = "--path";
		argv[n++] = r->farg;
		break;
	case RK_TID:
		argv[n++] = "-t";
		argv[n++] = pidstr; /* the main thread */
		break;
	case RK_COMM:
		argv[n++] = "-n";
		argv[n++] = COMM_REGEX;
		break;
	}
	if (r->kind == RK_ERRORS)
		argv[n++] = "--errors";
	if (r->kind == RK_TYPE) {
		argv[n++] = "--type";
		argv[n++] = "dgram";
	}
	if (r->kind == RK_COUNT) {
		argv[n++] = "-c";
		argv[n++] = "3";
	}
	if (r->kind == RK_FDS) {
		argv[n++] = "--fds";
		argv[n++] = "-T";
	}
	return n;
missing:
	problem(v, "the generator's socket table lacks the socket this check filters on");
	return -1;
}

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

/* Runs generator + unixcap for r. 0 when both ran and exited as they should. */
static int run_capture(const struct opts *op, struct run *r, struct verdict *v)
{
	char *argv[64], pidstr[16], snap[16], st[128];
	int argc = 0, nf, rc = 0;
	struct parse_ctx pc = { r, v, 0 };

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
	each_line(&r->glog, gen_line, &pc);

	argv[argc++] = (char *)op->unixcap;
	argv[argc++] = "--backend";
	argv[argc++] = (char *)(op->expect_backend ? "auto" : op->backend);
	if (op->expect_backend)
		argv[argc++] = "-v";
	if (r->kind != RK_FDS) /* --fds is an output mode of its own */
		argv[argc++] = r->json ? "--json" : "-X";
	snprintf(snap, sizeof(snap), "%u", r->snaplen);
	argv[argc++] = "-s";
	argv[argc++] = snap;
	nf = filter_args(r, argv + argc, pidstr, v);
	if (nf < 0)
		goto kill;
	argc += nf;
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
	pump(r, T_SETTLE_MS, NULL);
	if (r->kind == RK_COUNT)
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
	if (r->cap_self_exit && r->kind != RK_COUNT)
		problem(v, "unixcap exited by itself before SIGINT");
	if (op->debug)
		dump_tail("unixcap stderr", &r->err, 1000);

	r->nsocks = 0;
	r->nrecs = 0;
	pc.cap = 0;
	free(r->recs);
	r->recs = NULL;
	each_line(&r->glog, gen_line, &pc);
	if (!r->gen_end) {
		problem(v, "the generator log is incomplete");
		rc = -1;
	}
	for (int i = 0; i < r->nrecs; i++)
		if ((r->recs[i].sock >> 48) != 0xffff) {
			problem(v, "the generator saw no kernel address for inode %" PRIu64
				   " (0x%" PRIx64 "): is kernel.kptr_restrict 1?",
				r->recs[i].inode, r->recs[i].sock);
			rc = -1;
			break;
		}
	if (r->json) {
		pc.cap = 0;
		each_line(&r->out, cap_line, &pc);
	}
	each_line(&r->err, err_line, r);
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

/* ---- comparing -------------------------------------------------------------------------- */

static bool disp_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char da[256], db[256];
	long na = ug_display_decode(a, alen, da, sizeof(da));
	long nb = ug_display_decode(b, blen, db, sizeof(db));

	return na >= 0 && na == nb && !memcmp(da, db, (size_t)na);
}

static const char *backend_of(const struct opts *op, const struct run *r)
{
	if (r->backend[0])
		return r->backend;
	if (op->expect_backend)
		return op->expect_backend;
	return op->backend;
}

static bool is_tracepoint(const struct opts *op, const struct run *r)
{
	return !strcmp(backend_of(op, r), "tracepoint");
}

struct mctx {
	const struct opts *op;
	struct run *r;
	struct verdict *v;
	const char *desc;
	const struct cmsg *m;
};

static void want_i64(struct mctx *x, const char *key, int64_t want)
{
	int64_t got;
	int rc = jl_i64(&x->m->o, key, &got);

	if (rc == -1)
		problem(x->v, "%s: \"%s\" missing", x->desc, key);
	else if (rc < 0)
		problem(x->v, "%s: \"%s\" is not an integer", x->desc, key);
	else if (got != want)
		problem(x->v, "%s: %s %" PRId64 ", expected %" PRId64, x->desc, key, got, want);
}

static void want_u64(struct mctx *x, const char *key, uint64_t want, bool hex)
{
	uint64_t got;
	int rc = jl_u64(&x->m->o, key, &got);

	if (rc == -1)
		problem(x->v, "%s: \"%s\" missing", x->desc, key);
	else if (rc < 0)
		problem(x->v, "%s: \"%s\" malformed", x->desc, key);
	else if (got != want)
		problem(x->v, hex ? "%s: %s 0x%" PRIx64 ", expected 0x%" PRIx64
				  : "%s: %s %" PRIu64 ", expected %" PRIu64,
			x->desc, key, got, want);
}

static void want_str(struct mctx *x, const char *key, const char *want)
{
	const char *got;
	int rc = jl_str(&x->m->o, key, &got, NULL);

	if (rc == -1)
		problem(x->v, "%s: \"%s\" missing", x->desc, key);
	else if (rc < 0)
		problem(x->v, "%s: \"%s\" is not a string", x->desc, key);
	else if (strcmp(got, want))
		problem(x->v, "%s: %s \"%s\", expected \"%s\"", x->desc, key, got, want);
}

static void want_path(struct mctx *x, const char *key, const char *want)
{
	const char *got;
	size_t len;
	int rc = jl_str(&x->m->o, key, &got, &len);

	if (rc == -1)
		problem(x->v, "%s: \"%s\" missing", x->desc, key);
	else if (rc < 0)
		problem(x->v, "%s: \"%s\" is not a string", x->desc, key);
	else if (!disp_eq(got, len, want, strlen(want)))
		problem(x->v, "%s: %s \"%s\", expected \"%s\"", x->desc, key, got, want);
}

static void want_data(struct mctx *x, int64_t caplen, uint64_t hash)
{
	const char *s;
	size_t len;
	int rc = jl_str(&x->m->o, "data", &s, &len);

	if (rc == -1) {
		problem(x->v, "%s: \"data\" missing", x->desc);
		return;
	}
	if (rc < 0 || !x->m->hash_ok) {
		problem(x->v, "%s: \"data\" is not a hex string", x->desc);
		return;
	}
	if ((int64_t)len / 2 != caplen) {
		problem(x->v, "%s: data holds %zu bytes, expected %" PRId64, x->desc, len / 2,
			caplen);
		return;
	}
	if (x->m->dhash != hash)
		problem(x->v, "%s: data differs from what was sent (FNV 0x%016" PRIx64
			      ", expected 0x%016" PRIx64 ")",
			x->desc, x->m->dhash, hash);
}

static void cmp_common(struct mctx *x, const struct grec *g)
{
	double ts;

	want_i64(x, "pid", g->pid);
	want_i64(x, "tid", g->tid);
	want_i64(x, "uid", (int64_t)getuid());
	want_i64(x, "gid", (int64_t)getgid());
	want_str(x, "comm", g->comm);
	want_str(x, "type", g->type);
	want_u64(x, "inode", g->inode, false);
	want_u64(x, "sock", g->sock, true);
	if (is_tracepoint(x->op, x->r)) {
		want_i64(x, "fd", g->fd);
		want_str(x, "call", g->call);
	} else {
		want_i64(x, "fd", -1);
	}
	if (jl_f64(&x->m->o, "ts", &ts) != 0)
		problem(x->v, "%s: \"ts\" missing or not a number", x->desc);
	else if (ts < x->r->t0 - 5 || ts > x->r->t1 + 5)
		problem(x->v, "%s: ts %.6f outside the run (%.3f..%.3f)", x->desc, ts, x->r->t0,
			x->r->t1);
}

static void cmp_data(struct mctx *x, const struct grec *g)
{
	uint64_t ps = 0, pi = 0;
	bool trunc = g->snap_len < g->ret;

	cmp_common(x, g);
	want_path(x, "path", g->path);
	want_path(x, "peer_path", g->peer_path);
	if (g->peer_inode) {
		jl_u64(&x->m->o, "peer_sock", &ps);
		jl_u64(&x->m->o, "peer_inode", &pi);
		/*
		 * An unconnected datagram names its peer only in msg_name; the tracepoint
		 * backend sees the syscall, not the socket the kernel looks up, so it may
		 * report no peer socket there. Every other case must name the peer.
		 */
		if (!(g->dest && is_tracepoint(x->op, x->r) && ps == 0 && pi == 0)) {
			want_u64(x, "peer_sock", g->peer_sock, true);
			want_u64(x, "peer_inode", g->peer_inode, false);
		}
	}
	want_i64(x, "len", g->ret);
	want_i64(x, "caplen", g->snap_len);
	if (jl_has_item(&x->m->o, "flags", "truncated") != trunc)
		problem(x->v, "%s: flags %s \"truncated\" with caplen %" PRId64 " of %" PRId64,
			x->desc, trunc ? "lack" : "hold", g->snap_len, g->ret);
	want_data(x, g->snap_len, g->snap_hash);
}

static void cmp_error(struct mctx *x, const struct grec *g)
{
	const char *data;
	size_t dlen;

	cmp_common(x, g);
	want_i64(x, "errno", g->err);
	if (g->error[0])
		want_str(x, "error", g->error);
	else if (jl_str(&x->m->o, "error", NULL, NULL) != 0)
		problem(x->v, "%s: \"error\" missing", x->desc);
	want_i64(x, "len", 0);
	if (jl_get(&x->m->o, "caplen"))
		want_i64(x, "caplen", 0);
	if (jl_str(&x->m->o, "data", &data, &dlen) == 0 && dlen)
		problem(x->v, "%s: a failed send carries data", x->desc);
}

typedef bool (*pred_fn)(const struct run *r, const struct grec *g, const void *arg);

static bool pred_all(const struct run *r, const struct grec *g, const void *arg)
{
	(void)r;
	(void)g;
	(void)arg;
	return true;
}

static bool pred_sock(const struct run *r, const struct grec *g, const void *arg)
{
	(void)arg;
	return g->sock == r->fval || g->peer_sock == r->fval;
}

static bool pred_inode(const struct run *r, const struct grec *g, const void *arg)
{
	(void)arg;
	return g->inode == r->fval || g->peer_inode == r->fval;
}

/* --path DIR/ *: every send with an end bound below the generator's directory. */
static bool pred_prefix(const struct run *r, const struct grec *g, const void *arg)
{
	size_t n = strlen(r->farg) - 1; /* without the '*' */

	(void)arg;
	return !strncmp(g->path, r->farg, n) || !strncmp(g->peer_path, r->farg, n);
}

static bool pred_path(const struct run *r, const struct grec *g, const void *arg)
{
	size_t n = strlen(r->farg);

	(void)arg;
	return disp_eq(g->path, strlen(g->path), r->farg, n) ||
	       disp_eq(g->peer_path, strlen(g->peer_path), r->farg, n);
}

static bool pred_dgram(const struct run *r, const struct grec *g, const void *arg)
{
	(void)r;
	(void)arg;
	return !strcmp(g->type, "dgram");
}

static bool pred_main_thread(const struct run *r, const struct grec *g, const void *arg)
{
	(void)arg;
	return g->tid == (int)r->gen;
}

static bool pred_comm(const struct run *r, const struct grec *g, const void *arg)
{
	(void)r;
	return regexec((const regex_t *)arg, g->comm, 0, NULL, 0) == 0;
}

static const char *msg_desc(const struct cmsg *m, char *buf, size_t n)
{
	char call[24], type[16];

	cp_str(&m->o, "call", call, sizeof(call));
	cp_str(&m->o, "type", type, sizeof(type));
	snprintf(buf, n, "line %d (tid %" PRId64 " sock 0x%" PRIx64 " inode %" PRIu64
			 " %s %s len %" PRId64 ")",
		 m->line, m->tid, m->sock, get_u64(&m->o, "inode"), type, call,
		 get_i64(&m->o, "len"));
	return buf;
}

/*
 * Matches every captured message to the log: records selected by pred (successful sends,
 * and failed ones when errors), per (tid, sock) in order. prefix: records may be left over
 * (the capture stopped early). Returns the number of matched messages.
 */
static int match(const struct opts *op, struct run *r, struct verdict *v, pred_fn pred,
		 const void *arg, bool errors, bool prefix)
{
	int matched = 0;
	char d[200];

	for (int i = 0; i < r->nrecs; i++)
		r->recs[i].used = false;
	for (int k = 0; k < r->nmsgs; k++) {
		const struct cmsg *m = &r->msgs[k];
		struct grec *g = NULL;
		struct mctx x = { op, r, v, d, m };
		bool found = false;

		if (m->recv)
			continue; /* receives are checked against the fd passes (check_fds) */
		if (m->pid != r->gen) {
			char comm[20];

			cp_str(&m->o, "comm", comm, sizeof(comm));
			problem(v, "message from another process (pid %" PRId64 " comm \"%s\"): %s",
				m->pid, comm, msg_desc(m, d, sizeof(d)));
			continue;
		}
		if (m->error && !errors) {
			problem(v, "a failed send shown without --errors: %s",
				msg_desc(m, d, sizeof(d)));
			continue;
		}
		/*
		 * The next unmatched send of the same thread on the same socket; but when a
		 * later one has exactly this content, that one (a lost or extra message
		 * then costs one problem, not a cascade).
		 */
		for (int i = 0; i < r->nrecs; i++) {
			struct grec *c = &r->recs[i];
			bool same;

			if (c->used || (c->ret < 0) != m->error || c->tid != m->tid ||
			    c->sock != m->sock || !pred(r, c, arg))
				continue;
			same = m->error ? m->err == c->err
					: m->len == c->ret && m->hash_ok && m->dhash == c->snap_hash;
			if (!g)
				g = c;
			if (same) {
				g = c;
				found = true;
				break;
			}
		}
		if (!found) {
			/* Nothing unmatched has this content: is it a second copy of a send? */
			int dup = -1;

			for (int i = 0; i < r->nrecs && dup < 0; i++) {
				struct grec *c = &r->recs[i];

				if (c->used && (c->ret < 0) == m->error && c->tid == m->tid &&
				    c->sock == m->sock &&
				    (m->error ? m->err == c->err
					      : m->len == c->ret && m->hash_ok &&
							m->dhash == c->snap_hash))
					dup = i;
			}
			if (dup >= 0) {
				problem(v, "captured twice: %s %s #%d: %s", r->recs[dup].scenario,
					r->recs[dup].call, dup, msg_desc(m, d, sizeof(d)));
				continue;
			}
		}
		if (g) {
			for (int i = (int)(g - r->recs) + 1; i < r->nrecs; i++)
				if (r->recs[i].used && r->recs[i].tid == g->tid &&
				    r->recs[i].sock == g->sock) {
					problem(v, "%s %s #%d captured after #%d of the same thread "
						   "and socket",
						g->scenario, g->call, (int)(g - r->recs), i);
					break;
				}
		}
		if (!g) {
			const char *hint = "";

			for (int i = 0; i < r->nrecs; i++) {
				const struct grec *c = &r->recs[i];

				if (c->tid != m->tid || c->inode != get_u64(&m->o, "inode"))
					continue;
				if (c->sock != m->sock)
					hint = " (the socket's address differs from /proc/net/unix)";
				else if (!c->used && (c->ret < 0) != m->error)
					hint = m->error ? " (a successful send flagged \"error\"?)"
							: " (a failed send shown without the \"error\" flag?)";
				else
					hint = " (more messages than sends on this socket)";
				if (c->sock != m->sock || !c->used)
					break;
			}
			problem(v, "captured message matches no send%s: %s", hint,
				msg_desc(m, d, sizeof(d)));
			continue;
		}
		g->used = true;
		matched++;
		snprintf(d, sizeof(d), "%s %s #%d (line %d)", g->scenario, g->call,
			 (int)(g - r->recs), m->line);
		if (m->error)
			cmp_error(&x, g);
		else
			cmp_data(&x, g);
	}
	if (!prefix)
		for (int i = 0; i < r->nrecs; i++) {
			const struct grec *g = &r->recs[i];

			if (g->used || !pred(r, g, arg) || (g->ret < 0 && !errors))
				continue;
			problem(v, "send not captured: %s %s #%d tid %d sock 0x%" PRIx64 " %s len %" PRId64
				   " ret %" PRId64 "%s%s",
				g->scenario, g->call, i, g->tid, g->sock, g->type, g->len, g->ret,
				g->ret < 0 ? " " : "", g->ret < 0 ? g->error : "");
		}
	return matched;
}

static void check_summary(struct run *r, struct verdict *v, int matched)
{
	if (!r->have_summary) {
		problem(v, "no \"N messages captured, M dropped\" line on unixcap's stderr");
		return;
	}
	if (r->dropped)
		problem(v, "unixcap dropped %llu messages", r->dropped);
	if (r->captured < (unsigned long long)matched)
		problem(v, "unixcap says %llu messages captured, %d were matched", r->captured,
			matched);
}

static void check_format(struct run *r, struct verdict *v, bool errors)
{
	static const char *const data_keys[] = {
		"ts",	    "pid",	"tid",	     "uid",	  "gid",       "comm",
		"cgroup",   "sock",	"inode",     "type",	  "path",      "peer_sock",
		"peer_inode", "peer_pid", "peer_comm", "peer_path", "len",	   "caplen",
		"call",	    "fd",	"flags",     "data",
	};
	static const char *const err_keys[] = {
		"ts",	    "pid",	"tid",	     "uid",	  "gid",       "comm",
		"cgroup",   "sock",	"inode",     "type",	  "path",      "peer_sock",
		"peer_inode", "peer_pid", "peer_comm", "peer_path", "len",	   "caplen",
		"call",	    "fd",	"flags",     "errno",	  "error",     "data",
	};

	for (int k = 0; k < r->nmsgs; k++) {
		const struct jl_obj *o = &r->msgs[k].o;
		bool err = r->msgs[k].error;
		const char *const *keys = err ? err_keys : data_keys;
		size_t nkeys = err ? sizeof(err_keys) / sizeof(err_keys[0])
				   : sizeof(data_keys) / sizeof(data_keys[0]);
		int line = r->msgs[k].line;
		size_t i;

		size_t n = 0, at_flags = 0;
		const struct jl_value *present[64];

		if (err != errors)
			continue;
		/* The fd-passing keys come, when present, between "flags" and "data". */
		for (size_t j = 0; j < o->n && n < 64; j++) {
			const char *key = o->v[j].key;
			if (!strcmp(key, "flags"))
				at_flags = n;
			if (strcmp(key, "creds") && strcmp(key, "sender") && strcmp(key, "fds")) {
				present[n++] = &o->v[j];
				continue;
			}
			if (!at_flags || (j + 1 < o->n && strcmp(o->v[j + 1].key, "data") &&
					  strcmp(o->v[j + 1].key, "sender") &&
					  strcmp(o->v[j + 1].key, "fds")))
				problem(v, "line %d: \"%s\" out of place", line, key);
			if (!strcmp(key, "fds") ? o->v[j].type != JL_ARRAY : o->v[j].type != JL_OBJECT)
				problem(v, "line %d: \"%s\" has the wrong type", line, key);
		}
		for (i = 0; i < n && i < nkeys; i++)
			if (strcmp(present[i]->key, keys[i]))
				break;
		if (i < n && i < nkeys) {
			problem(v, "line %d: key %zu is \"%s\", expected \"%s\"", line, i,
				present[i]->key, keys[i]);
			continue;
		}
		if (n > nkeys) {
			problem(v, "line %d: unexpected key \"%s\"", line, present[nkeys]->key);
			continue;
		}
		/* "data" may be left out of a failed send. */
		if (n < nkeys && !(err && n == nkeys - 1)) {
			problem(v, "line %d: key \"%s\" missing", line, keys[n]);
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			const struct jl_value *jv = present[j];
			bool str = !strcmp(jv->key, "comm") || !strcmp(jv->key, "sock") ||
				   !strcmp(jv->key, "type") || !strcmp(jv->key, "path") ||
				   !strcmp(jv->key, "peer_sock") || !strcmp(jv->key, "peer_comm") ||
				   !strcmp(jv->key, "peer_path") || !strcmp(jv->key, "call") ||
				   !strcmp(jv->key, "error") || !strcmp(jv->key, "data");

			if (!strcmp(jv->key, "flags")) {
				if (jv->type != JL_ARRAY)
					problem(v, "line %d: \"flags\" is not an array", line);
			} else if (str ? jv->type != JL_STRING : jv->type != JL_NUMBER) {
				problem(v, "line %d: \"%s\" has the wrong type", line, jv->key);
			} else if ((!strcmp(jv->key, "sock") || !strcmp(jv->key, "peer_sock")) &&
				   strncmp(jv->s, "0x", 2)) {
				problem(v, "line %d: \"%s\" is not 0x-prefixed hex", line, jv->key);
			}
		}
	}
}

/* ---- fd passing ------------------------------------------------------------------------- */

/* The i-th item of array key of o, parsed; false (and a problem) when it is not an object. */
static bool item_obj(const struct jl_obj *o, const char *key, size_t i, struct jl_obj *out)
{
	const struct jl_value *a = jl_get(o, key);

	return a && a->type == JL_ARRAY && i < a->nitems &&
	       jl_parse(a->items[i], a->item_lens[i], out, NULL, 0) == 0;
}

static size_t n_items(const struct jl_obj *o, const char *key)
{
	const struct jl_value *a = jl_get(o, key);

	return a && a->type == JL_ARRAY ? a->nitems : 0;
}

/* Compares "fds" of a captured message with the pass: fd numbers (fd_key of the pass: "fd"
 * on the send side, "recv_fd" on the receive side), names, and on a receive the sender's fd. */
static void cmp_fd_list(struct verdict *v, const char *desc, const struct jl_obj *m,
			const struct jl_obj *pass, bool recv)
{
	size_t want = n_items(pass, "fds"), got = n_items(m, "fds");
	int bad = 0;

	if (got != want) {
		problem(v, "%s: %zu fds, expected %zu", desc, got, want);
		return;
	}
	for (size_t i = 0; i < want && bad < 3; i++) {
		struct jl_obj g, w;
		int64_t gfd = -2, wfd = -3, sent = -2, wsent = -3;
		const char *gname = "", *wname = "";

		if (!item_obj(m, "fds", i, &g)) {
			problem(v, "%s: fds[%zu] is not an object", desc, i);
			bad++;
			continue;
		}
		if (!item_obj(pass, "fds", i, &w)) {
			jl_free(&g);
			continue;
		}
		jl_i64(&g, "fd", &gfd);
		jl_i64(&w, recv ? "recv_fd" : "fd", &wfd);
		jl_str(&g, "name", &gname, NULL);
		jl_str(&w, "name", &wname, NULL);
		if (gfd != wfd || strcmp(gname, wname)) {
			problem(v, "%s: fds[%zu] is fd %" PRId64 " \"%s\", expected fd %" PRId64
				   " \"%s\"", desc, i, gfd, gname, wfd, wname);
			bad++;
		}
		if (recv) {
			jl_i64(&w, "fd", &wsent);
			if (jl_i64(&g, "sent_fd", &sent) != 0 || sent != wsent) {
				problem(v, "%s: fds[%zu] sent_fd %" PRId64 ", expected %" PRId64,
					desc, i, sent, wsent);
				bad++;
			}
		}
		jl_free(&g);
		jl_free(&w);
	}
}

static void cmp_sub_i64(struct verdict *v, const char *desc, const struct jl_obj *m,
			const char *obj, const char *key, int64_t want)
{
	const struct jl_value *o = jl_get(m, obj);
	struct jl_obj sub;
	int64_t got = -1;

	if (!o || o->type != JL_OBJECT || jl_parse(o->s, o->slen, &sub, NULL, 0) != 0) {
		problem(v, "%s: \"%s\" missing", desc, obj);
		return;
	}
	if (jl_i64(&sub, key, &got) != 0 || got != want)
		problem(v, "%s: %s.%s %" PRId64 ", expected %" PRId64, desc, obj, key, got, want);
	jl_free(&sub);
}

/*
 * Every fd pass of the generator: the send shows the sender's fds and names (resolved in
 * the kernel at send time), credentials when sent, and a receive event in the receiving
 * thread shows the fds it really got, linked back to the sender's fds.
 */
static void check_fds(struct run *r, struct verdict *v)
{
	bool *used = calloc((size_t)r->nmsgs + 1, sizeof(bool));
	int checked = 0;

	if (!r->npasses)
		problem(v, "the generator logged no fd passes");
	for (int k = 0; k < r->npasses && used; k++) {
		struct jl_obj p;
		char desc[96];
		int64_t send_tid = 0, recv_tid = 0;
		uint64_t send_inode = 0, recv_inode = 0, hash = 0;
		const struct cmsg *send = NULL, *recv = NULL;

		if (jl_parse(r->passes[k], strlen(r->passes[k]), &p, NULL, 0) != 0) {
			problem(v, "generator fd pass %d: bad line", k);
			continue;
		}
		jl_i64(&p, "send_tid", &send_tid);
		jl_i64(&p, "recv_tid", &recv_tid);
		jl_u64(&p, "send_inode", &send_inode);
		jl_u64(&p, "recv_inode", &recv_inode);
		jl_u64(&p, "hash", &hash);
		for (int i = 0; i < r->nmsgs && !send; i++) {
			const struct cmsg *m = &r->msgs[i];
			if (!used[i] && !m->recv && m->tid == send_tid && m->hash_ok &&
			    m->dhash == hash && get_u64(&m->o, "inode") == send_inode) {
				send = m;
				used[i] = true;
			}
		}
		snprintf(desc, sizeof(desc), "fd pass %d (%zu fds) send", k, n_items(&p, "fds"));
		if (!send) {
			problem(v, "%s: not captured", desc);
			jl_free(&p);
			continue;
		}
		checked++;
		cmp_fd_list(v, desc, &send->o, &p, false);
		if (jl_get(&p, "creds")) {
			const struct jl_value *c = jl_get(&p, "creds");
			struct jl_obj want;
			int64_t x;
			if (c->type == JL_OBJECT && jl_parse(c->s, c->slen, &want, NULL, 0) == 0) {
				if (jl_i64(&want, "pid", &x) == 0)
					cmp_sub_i64(v, desc, &send->o, "creds", "pid", x);
				if (jl_i64(&want, "uid", &x) == 0)
					cmp_sub_i64(v, desc, &send->o, "creds", "uid", x);
				if (jl_i64(&want, "gid", &x) == 0)
					cmp_sub_i64(v, desc, &send->o, "creds", "gid", x);
				jl_free(&want);
			}
			if (!jl_has_item(&send->o, "flags", "creds"))
				problem(v, "%s: no \"creds\" flag", desc);
		} else if (jl_get(&send->o, "creds")) {
			problem(v, "%s: credentials shown, none were sent", desc);
		}
		if (!n_items(&p, "fds")) {
			jl_free(&p);
			continue;
		}
		for (int i = 0; i < r->nmsgs && !recv; i++) {
			const struct cmsg *m = &r->msgs[i];
			if (!used[i] && m->recv && m->tid == recv_tid &&
			    get_u64(&m->o, "inode") == recv_inode) {
				recv = m;
				used[i] = true;
			}
		}
		snprintf(desc, sizeof(desc), "fd pass %d (%zu fds) receive", k, n_items(&p, "fds"));
		if (!recv) {
			problem(v, "%s: no receive event in tid %" PRId64, desc, recv_tid);
			jl_free(&p);
			continue;
		}
		int64_t fd = -2, pid = 0;
		jl_i64(&p, "pid", &pid);
		if (recv->pid != pid)
			problem(v, "%s: pid %" PRId64 ", expected %" PRId64, desc, recv->pid, pid);
		{
			const char *gc = "", *wc = "";
			jl_str(&recv->o, "comm", &gc, NULL);
			jl_str(&p, "recv_comm", &wc, NULL);
			if (strcmp(gc, wc))
				problem(v, "%s: comm \"%s\", expected \"%s\"", desc, gc, wc);
		}
		if (jl_i64(&recv->o, "fd", &fd) == 0 && fd >= 0) {
			int64_t want_fd = -1;
			jl_i64(&p, "recv_fd", &want_fd);
			if (fd != want_fd)
				problem(v, "%s: socket fd %" PRId64 ", expected %" PRId64, desc, fd,
					want_fd);
		}
		cmp_fd_list(v, desc, &recv->o, &p, true);
		cmp_sub_i64(v, desc, &recv->o, "sender", "pid", pid);
		cmp_sub_i64(v, desc, &recv->o, "sender", "tid", send_tid);
		jl_free(&p);
	}
	for (int i = 0; i < r->nmsgs && used; i++)
		if (r->msgs[i].recv && !used[i])
			problem(v, "receive event matches no fd pass (line %d)", r->msgs[i].line);
	if (used && !checked && r->npasses)
		problem(v, "no fd pass was checked");
	free(used);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * --fds -T: sofdsnoop's columns, one line per passed fd on each side, nothing else. Lines
 * are reduced to "ACTION TID inode FD NAME" and compared as sets with what the generator
 * logged (the same fd passes check_fds checks in JSON). Returns 1 when any line matched.
 */
static int check_fd_table(struct run *r, struct verdict *v)
{
	static const char header[] = "TIME(s)        ACTION TID     COMM             SOCKET       "
				     "             FD    PEER                   NAME";
	const char *out = buf_str(&r->out);
	const char *nl = strchr(out, '\n');
	char **want = NULL, **got = NULL;
	size_t nw = 0, ng = 0, cap = 0;
	int matched = 0;

	if (!nl || (size_t)(nl - out) != strlen(header) || strncmp(out, header, strlen(header))) {
		problem(v, "first line is not the column header: %.*s", nl ? (int)(nl - out) : 80,
			out);
		return 0;
	}
	for (int k = 0; k < r->npasses; k++) {
		struct jl_obj p;
		int64_t st = 0, rt = 0, rfd = 0;
		uint64_t si = 0, ri = 0;
		if (jl_parse(r->passes[k], strlen(r->passes[k]), &p, NULL, 0) != 0)
			continue;
		jl_i64(&p, "send_tid", &st);
		jl_i64(&p, "recv_tid", &rt);
		jl_i64(&p, "recv_fd", &rfd);
		jl_u64(&p, "send_inode", &si);
		jl_u64(&p, "recv_inode", &ri);
		for (size_t i = 0; i < n_items(&p, "fds"); i++) {
			struct jl_obj f;
			int64_t fd = 0, recv_fd = 0;
			const char *name = "";
			if (!item_obj(&p, "fds", i, &f))
				continue;
			jl_i64(&f, "fd", &fd);
			jl_i64(&f, "recv_fd", &recv_fd);
			jl_str(&f, "name", &name, NULL);
			if (nw + 2 > cap) {
				cap = cap ? 2 * cap : 64;
				char **nwant = realloc(want, cap * sizeof(*want));
				if (!nwant) {
					jl_free(&f);
					break;
				}
				want = nwant;
			}
			if (asprintf(&want[nw], "SEND %" PRId64 " %" PRIu64 " %" PRId64 " %s", st, si,
				     fd, name) > 0)
				nw++;
			if (asprintf(&want[nw], "RECV %" PRId64 " %" PRId64 ":socket:[%" PRIu64
						"] %" PRId64 " %s",
				     rt, rfd, ri, recv_fd, name) > 0)
				nw++;
			jl_free(&f);
		}
		jl_free(&p);
	}
	got = calloc(nw + 1, sizeof(*got));
	for (const char *l = nl + 1; *l && got;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char line[1024], time[32], action[8], comm[32], sock[64], peer[64];
		long tid, fd;
		int name_at = 0;
		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		l += len + (e ? 1 : 0);
		if (sscanf(line, "%31s %7s %ld %31s %63s %ld %63s %n", time, action, &tid, comm, sock,
			   &fd, peer, &name_at) < 7 || !name_at) {
			problem(v, "not a table line: %s", line);
			continue;
		}
		if (ng >= nw) {
			problem(v, "more lines than fds passed: %s", line);
			continue;
		}
		/* SEND lines: the socket's inode (its fd is -1 with the kernel-hook backends). */
		const char *ino = strstr(sock, ":socket:[");
		if (!strcmp(action, "SEND") && ino)
			asprintf(&got[ng++], "SEND %ld %.*s %ld %s", tid,
				 (int)strcspn(ino + 9, "]"), ino + 9, fd, line + name_at);
		else
			asprintf(&got[ng++], "%s %ld %s %ld %s", action, tid, sock, fd, line + name_at);
	}
	if (got) {
		qsort(want, nw, sizeof(*want), cmp_str);
		qsort(got, ng, sizeof(*got), cmp_str);
		for (size_t i = 0, j = 0; i < nw || j < ng;) {
			int c = i >= nw ? 1 : j >= ng ? -1 : strcmp(want[i], got[j]);
			if (c == 0) {
				matched++;
				i++, j++;
			} else if (c < 0) {
				problem(v, "no line for: %s", want[i++]);
			} else {
				problem(v, "unexpected line: %s", got[j++]);
			}
		}
		if (nw < 2 * 12)
			problem(v, "the generator passed only %zu fds", nw / 2);
	}
	for (size_t i = 0; i < nw; i++)
		free(want[i]);
	for (size_t i = 0; i < ng && got; i++)
		free(got[i]);
	free(want);
	free(got);
	return matched ? 1 : 0; /* lines, not messages: check_summary counts messages */
}

/* ---- checks ----------------------------------------------------------------------------- */

static bool selected(const struct opts *op, const char *name)
{
	const char *l = op->checks;

	if (!l || !*l)
		return true;
	while (*l) {
		const char *e = strchr(l, ',');
		size_t n = e ? (size_t)(e - l) : strlen(l);

		if (n && !strncmp(name, l, n) && (name[n] == '\0' || name[n] == '.'))
			return true;
		l += n + (e ? 1 : 0);
	}
	return false;
}

static void run_init(struct run *r, enum run_kind kind, const struct opts *op)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->snaplen = op->snaplen;
	r->json = true;
	r->gofd = -1;
	r->glog.fd = r->gerr.fd = r->out.fd = r->err.fd = -1;
}

static bool has_failed_records(const struct run *r)
{
	int n = 0;

	for (int i = 0; i < r->nrecs; i++)
		n += r->recs[i].ret < 0;
	return n >= 3;
}

/* The full run: several named checks come out of it. */
static void check_main(const struct opts *op)
{
	struct verdict vb, vc, vh, vf, vs, vd;
	struct run r;
	int matched = 0, rc;
	bool want_b = op->expect_backend != NULL;

	if (!selected(op, "capture") && !selected(op, "failed-hidden") &&
	    !selected(op, "json-format") && !selected(op, "summary") && !selected(op, "fds") &&
	    !(want_b && selected(op, "backend")))
		return;
	verdict_init(&vb, "backend");
	verdict_init(&vc, "capture");
	verdict_init(&vh, "failed-hidden");
	verdict_init(&vf, "json-format");
	verdict_init(&vs, "summary");
	verdict_init(&vd, "fds");
	run_init(&r, RK_MAIN, op);
	rc = run_capture(op, &r, &vc);
	if (rc == 0 || r.nmsgs) {
		size_t len;
		const char *l = listening_line(&r, &len);

		if (want_b) {
			if (!l)
				problem(&vb, "no listening line");
			else if (strcmp(r.backend, op->expect_backend))
				problem(&vb, "unixcap picked backend \"%s\", expected \"%s\": %.*s",
					r.backend, op->expect_backend, (int)len, l);
		}
		matched = match(op, &r, &vc, pred_all, NULL, false, false);
		for (int k = 0; k < r.nmsgs; k++)
			if (r.msgs[k].error)
				problem(&vh, "a failed send was shown without --errors (line %d)",
					r.msgs[k].line);
		if (!has_failed_records(&r))
			problem(&vh, "the generator logged fewer than 3 failed sends");
		check_format(&r, &vf, false);
		check_summary(&r, &vs, matched);
		check_fds(&r, &vd);
		if (!r.nmsgs)
			problem(&vf, "no messages to check");
	} else {
		const char *why = vc.first;

		if (want_b)
			problem(&vb, "the capture run failed: %s", why);
		problem(&vh, "the capture run failed: %s", why);
		problem(&vf, "the capture run failed: %s", why);
		problem(&vs, "the capture run failed: %s", why);
		problem(&vd, "the capture run failed: %s", why);
	}
	if (rc == 0 && !r.nrecs)
		problem(&vc, "the generator logged no sends");
	if (want_b && selected(op, "backend"))
		verdict_report(&vb);
	if (selected(op, "capture"))
		verdict_report(&vc);
	if (selected(op, "failed-hidden"))
		verdict_report(&vh);
	if (selected(op, "json-format"))
		verdict_report(&vf);
	if (selected(op, "summary"))
		verdict_report(&vs);
	if (selected(op, "fds"))
		verdict_report(&vd);
	run_free(&r);
}

/* One run, one check. */
static void check_run(const struct opts *op, const char *name, enum run_kind kind)
{
	struct verdict v;
	struct run r;
	regex_t re;
	bool have_re = false;
	int matched = 0;

	if (!selected(op, name))
		return;
	verdict_init(&v, name);
	run_init(&r, kind, op);
	if (kind == RK_HEX) {
		r.json = false;
		r.only = "stream_pair";
	}
	if (kind == RK_SNAPLEN)
		r.snaplen = SMALL_SNAPLEN;
	if (kind == RK_FDS) {
		r.json = false;
		r.only = "fdpass";
	}
	if (run_capture(op, &r, &v) == 0) {
		switch (kind) {
		case RK_ERRORS:
			if (!has_failed_records(&r))
				problem(&v, "the generator logged fewer than 3 failed sends");
			matched = match(op, &r, &v, pred_all, NULL, true, false);
			check_format(&r, &v, true);
			break;
		case RK_SOCK:
			matched = match(op, &r, &v, pred_sock, NULL, false, false);
			break;
		case RK_INODE:
			matched = match(op, &r, &v, pred_inode, NULL, false, false);
			break;
		case RK_PATH:
		case RK_PATH_ABS:
			matched = match(op, &r, &v, pred_path, NULL, false, false);
			break;
		case RK_PATH_PREFIX:
			matched = match(op, &r, &v, pred_prefix, NULL, false, false);
			break;
		case RK_TYPE:
			matched = match(op, &r, &v, pred_dgram, NULL, false, false);
			break;
		case RK_TID:
			matched = match(op, &r, &v, pred_main_thread, NULL, false, false);
			break;
		case RK_COMM:
			if (regcomp(&re, COMM_REGEX, REG_EXTENDED | REG_NOSUB) != 0) {
				problem(&v, "regcomp failed");
				break;
			}
			have_re = true;
			matched = match(op, &r, &v, pred_comm, &re, false, false);
			break;
		case RK_COUNT:
			matched = match(op, &r, &v, pred_all, NULL, false, true);
			if (r.nmsgs != 3)
				problem(&v, "%d messages printed, expected 3", r.nmsgs);
			if (!r.cap_self_exit)
				problem(&v, "unixcap did not exit by itself after 3 messages");
			break;
		case RK_HEX: {
			const char *out = buf_str(&r.out);
			static const char want[] = "\t0x0000:  4745 5420";

			if (!(strncmp(out, want, sizeof(want) - 1) == 0 ||
			      strstr(out, "\n\t0x0000:  4745 5420")))
				problem(&v, "no line starting with \"\\t0x0000:  4745 5420\" "
					    "(the \"GET / HTTP/1.1\" message) in the -X output");
			matched = 1;
			break;
		}
		case RK_SNAPLEN:
			matched = match(op, &r, &v, pred_all, NULL, false, false);
			break;
		case RK_FDS:
			matched = check_fd_table(&r, &v);
			break;
		case RK_MAIN:
			break;
		}
		if (kind != RK_HEX && matched == 0)
			problem(&v, "nothing was captured");
		check_summary(&r, &v, matched);
	}
	if (have_re)
		regfree(&re);
	verdict_report(&v);
	run_free(&r);
}

/* ---- main ------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: capture_check --unixcap PATH [--backend B] [--snaplen N]\n"
		   "                     [--expect-backend B] [--checks NAME,...] [--timeout S]\n"
		   "                     [--debug] [--] [extra unixcap args...]\n"
		   "checks: backend capture failed-hidden json-format summary fds errors filter.sock\n"
		   "        filter.inode filter.path filter.path-abstract filter.path-prefix\n"
		   "        filter.type filter.tid\n"
		   "        filter.comm count hexdump snaplen.small fds-table\n");
}

static bool valid_backend(const char *b)
{
	return !strcmp(b, "auto") || !strcmp(b, "fentry") || !strcmp(b, "kprobe") ||
	       !strcmp(b, "tracepoint");
}

static int parse_args(int argc, char **argv, struct opts *op)
{
	static char *extra[64];

	memset(op, 0, sizeof(*op));
	op->backend = "auto";
	op->snaplen = UG_SNAPLEN_DEFAULT;
	op->timeout = 170;
	op->extra = extra;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		if (!strcmp(a, "--")) {
			while (++i < argc && op->nextra < 60)
				extra[op->nextra++] = argv[i];
			break;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--unixcap") && has_val) {
			op->unixcap = argv[++i];
		} else if (!strcmp(a, "--backend") && has_val) {
			op->backend = argv[++i];
		} else if (!strcmp(a, "--expect-backend") && has_val) {
			op->expect_backend = argv[++i];
		} else if (!strcmp(a, "--checks") && has_val) {
			op->checks = argv[++i];
		} else if (!strcmp(a, "--debug")) {
			op->debug = true;
		} else if ((!strcmp(a, "--snaplen") || !strcmp(a, "--timeout")) && has_val) {
			char *end;
			unsigned long v = strtoul(argv[++i], &end, 10);

			if (*end || !v || v > 0x7fffffffUL) {
				fprintf(stderr, "capture_check: bad %s '%s'\n", a, argv[i]);
				return -1;
			}
			if (!strcmp(a, "--snaplen"))
				op->snaplen = (uint32_t)v;
			else
				op->timeout = (int)v;
		} else if (op->nextra < 60) {
			extra[op->nextra++] = argv[i];
		}
	}
	if (!op->unixcap) {
		fprintf(stderr, "capture_check: --unixcap is required\n");
		return -1;
	}
	if (!valid_backend(op->backend) ||
	    (op->expect_backend && !valid_backend(op->expect_backend))) {
		fprintf(stderr, "capture_check: unknown backend\n");
		return -1;
	}
	return 0;
}

static void setup_fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL setup: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n%d passed, %d failed\n", g_passed, g_failed + 1);
	fflush(stdout);
	restore_kptr();
	exit(1);
}

int main(int argc, char **argv)
{
	struct opts op;
	struct sigaction sa;
	int old, rc;
	int64_t t0 = now_ms();

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &op) < 0) {
		usage(stderr);
		return 2;
	}
	if (op.expect_backend && strcmp(op.backend, "auto"))
		fprintf(stderr, "capture_check: --expect-backend given: running --backend auto\n");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	alarm((unsigned)op.timeout);

	if (geteuid() != 0)
		setup_fail("must run as root (BPF, and real kernel addresses in /proc/net/unix)");
	if (access(op.unixcap, X_OK) != 0)
		setup_fail("%s: %s", op.unixcap, strerror(errno));
	rc = ug_kptr_restrict_set(1, &old);
	if (rc < 0)
		setup_fail("cannot set kernel.kptr_restrict to 1: %s", strerror(-rc));
	g_kptr_old = old;
	atexit(restore_kptr);

	check_main(&op);
	check_run(&op, "errors", RK_ERRORS);
	check_run(&op, "filter.sock", RK_SOCK);
	check_run(&op, "filter.inode", RK_INODE);
	check_run(&op, "filter.path", RK_PATH);
	check_run(&op, "filter.path-abstract", RK_PATH_ABS);
	check_run(&op, "filter.path-prefix", RK_PATH_PREFIX);
	check_run(&op, "filter.type", RK_TYPE);
	check_run(&op, "filter.tid", RK_TID);
	check_run(&op, "filter.comm", RK_COMM);
	check_run(&op, "count", RK_COUNT);
	check_run(&op, "hexdump", RK_HEX);
	check_run(&op, "snaplen.small", RK_SNAPLEN);
	check_run(&op, "fds-table", RK_FDS);

	alarm(0);
	restore_kptr();
	fprintf(stderr, "capture_check: %.1f s\n", (double)(now_ms() - t0) / 1000);
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}
