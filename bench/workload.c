/* Workload names, and the server/client processes' lifecycle: fork, ready, go, wait. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static bool parse_size(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (end == s)
		return false;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || v == 0 || v > (64u << 20))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* pp:SIZE, bulk:SIZE, dgram:SIZE, fanin:CLIENTS[:SIZE], fdpass, rate:SIZE:RATE (0 = max). */
bool wl_parse(const char *name, struct wl_spec *w)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->label, sizeof(w->label), "%s", name);
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", name);
	char *arg = strchr(buf, ':');
	if (arg)
		*arg++ = 0;
	if (!strcmp(buf, "fdpass")) {
		w->kind = WL_FDPASS;
		w->size = 8;
		return !arg;
	}
	if (!arg)
		return false;
	if (!strcmp(buf, "fanin")) {
		char *sz = strchr(arg, ':');
		if (sz)
			*sz++ = 0;
		w->kind = WL_FANIN;
		w->clients = (unsigned)atoi(arg);
		w->size = 64;
		return w->clients >= 1 && w->clients <= 256 && (!sz || parse_size(sz, &w->size));
	}
	if (!strcmp(buf, "rate")) {
		char *r = strchr(arg, ':');
		if (!r)
			return false;
		*r++ = 0;
		w->kind = WL_RATE;
		char *end;
		w->rate = strtod(r, &end);
		if (*end == 'k')
			w->rate *= 1e3, end++;
		else if (*end == 'M')
			w->rate *= 1e6, end++;
		return !*end && w->rate >= 0 && parse_size(arg, &w->size);
	}
	if (!strcmp(buf, "pp"))
		w->kind = WL_PINGPONG;
	else if (!strcmp(buf, "bulk"))
		w->kind = WL_BULK;
	else if (!strcmp(buf, "dgram"))
		w->kind = WL_DGRAM;
	else
		return false;
	return parse_size(arg, &w->size) && (w->kind != WL_DGRAM || w->size <= 65536);
}

bool wl_proxyable(const struct wl_spec *w)
{
	return w->kind != WL_DGRAM && w->kind != WL_FDPASS;
}

static void fail_child(struct wl_shared *sh, const char *what)
{
	if (!__atomic_exchange_n(&sh->failed, 1, __ATOMIC_SEQ_CST))
		snprintf(sh->err, sizeof(sh->err), "%s: %s", what, strerror(errno));
	_exit(1);
}

int wl_start_server(const struct wl_spec *w, const struct wl_opts *o, struct wl_run *r,
		    char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->server = r->client = -1;
	r->go_wr = r->ready_rd = -1;
	r->sh = mmap(NULL, sizeof(*r->sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	if (r->sh == MAP_FAILED) {
		r->sh = NULL;
		snprintf(err, errlen, "mmap: %s", strerror(errno));
		return -1;
	}
	memset(r->sh, 0, sizeof(*r->sh));
	snprintf(r->listen_path, sizeof(r->listen_path), "%s/srv.sock", o->dir);
	unlink(r->listen_path);

	int type = w->kind == WL_DGRAM ? SOCK_DGRAM : SOCK_STREAM;
	int lfd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", r->listen_path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (type == SOCK_STREAM && listen(lfd, 512))) {
		snprintf(err, errlen, "server socket %s: %s", r->listen_path, strerror(errno));
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	r->server = fork();
	if (r->server < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(lfd);
		return -1;
	}
	if (r->server == 0) {
		if (ub_pin(o->cpu, false))
			fail_child(r->sh, "sched_setaffinity");
		int rc = wl_server_main(w, lfd, r->sh);
		if (rc)
			fail_child(r->sh, "server");
		_exit(0);
	}
	close(lfd);
	return 0;
}

int wl_start_client(const struct wl_spec *w, const struct wl_opts *o, struct wl_run *r,
		    char *err, size_t errlen)
{
	int ready[2], go[2];
	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	const char *path = o->connect_path ? o->connect_path : r->listen_path;
	r->client = fork();
	if (r->client < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (r->client == 0) {
		close(ready[0]);
		close(go[1]);
		if (ub_pin(o->cpu, false))
			fail_child(r->sh, "sched_setaffinity");
		int rc = wl_client_main(w, o, path, ready[1], go[0], r->sh);
		if (rc)
			fail_child(r->sh, "client");
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	r->go_wr = go[1];
	r->ready_rd = ready[0];
	char c;
	ssize_t n;
	while ((n = read(r->ready_rd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1) {
		snprintf(err, errlen, "client did not connect: %s",
			 r->sh->failed ? r->sh->err : "exited");
		return -1;
	}
	return 0;
}

void wl_go(struct wl_run *r)
{
	if (r->go_wr >= 0)
		close(r->go_wr);
	r->go_wr = -1;
}

static int reap(pid_t *pid, int *status, bool block)
{
	if (*pid <= 0)
		return 1;
	pid_t p = waitpid(*pid, status, block ? 0 : WNOHANG);
	if (p == *pid) {
		*pid = -1;
		return 1;
	}
	return 0;
}

int wl_wait(struct wl_run *r, double timeout_s, char *err, size_t errlen)
{
	uint64_t deadline = ub_now_ns() + (uint64_t)(timeout_s * 1e9);
	int st_c = 0, st_s = 0;
	for (;;) {
		int c = reap(&r->client, &st_c, false), s = reap(&r->server, &st_s, false);
		if (c && s)
			break;
		if (ub_now_ns() > deadline) {
			snprintf(err, errlen, "workload still running after %.0f s", timeout_s);
			wl_kill(r);
			return -1;
		}
		ub_sleep_ms(2);
	}
	if (r->sh->failed || !WIFEXITED(st_c) || WEXITSTATUS(st_c) || !WIFEXITED(st_s) ||
	    WEXITSTATUS(st_s)) {
		snprintf(err, errlen, "workload failed: %s", r->sh->failed ? r->sh->err : "killed");
		return -1;
	}
	return 0;
}

void wl_kill(struct wl_run *r)
{
	int st;
	if (r->client > 0) {
		kill(r->client, SIGKILL);
		reap(&r->client, &st, true);
	}
	if (r->server > 0) {
		kill(r->server, SIGKILL);
		reap(&r->server, &st, true);
	}
}

void wl_free(struct wl_run *r)
{
	wl_kill(r);
	wl_go(r);
	if (r->ready_rd >= 0)
		close(r->ready_rd);
	r->ready_rd = -1;
	if (r->listen_path[0])
		unlink(r->listen_path);
	if (r->sh)
		munmap(r->sh, sizeof(*r->sh));
	r->sh = NULL;
}
