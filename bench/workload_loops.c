/* What the forked server and client processes do: the message loops of each workload. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DGRAM_BURST 256
/* First payload byte of a datagram: the last of a burst wants an ack; the last one ends. */
enum { DG_DATA = 0, DG_ACK_ME = 1, DG_END = 2 };

struct counts {
	uint64_t msgs, bytes, fd_recvs;
};

static void publish(struct wl_shared *sh, const struct counts *c)
{
	__atomic_add_fetch(&sh->msgs, c->msgs, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&sh->bytes, c->bytes, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&sh->fd_recvs, c->fd_recvs, __ATOMIC_SEQ_CST);
}

static int sent(struct counts *c, ssize_t n)
{
	if (n < 0)
		return -1;
	c->msgs++;
	c->bytes += (uint64_t)n;
	return 0;
}

/* ---- server --------------------------------------------------------------------------- */

static int serve_pingpong(int fd, uint32_t size, struct counts *c)
{
	char *buf = malloc(size);
	while (buf && ub_read_all(fd, buf, size) == 0)
		if (sent(c, write(fd, buf, size)))
			break;
	free(buf);
	return 0;
}

static int serve_sink(int fd)
{
	static char buf[1 << 20];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		;
	return n < 0 ? -1 : 0;
}

static int recv_fd(int fd, char *data, int *got)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = 8 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return (int)n;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(got, CMSG_DATA(cm), sizeof(int));
	return (int)n;
}

static ssize_t send_fd(int fd, const char *data, int pass)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = { .iov_base = (void *)data, .iov_len = 8 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pass, sizeof(int));
	return sendmsg(fd, &mh, 0);
}

static int serve_fdpass(int fd, struct counts *c)
{
	char data[8];
	int got, n;
	while ((n = recv_fd(fd, data, &got)) > 0) {
		c->fd_recvs++;
		ssize_t k = send_fd(fd, data, got);
		close(got);
		if (sent(c, k))
			return -1;
	}
	return n;
}

static int serve_dgram(int fd, uint32_t size, struct counts *c)
{
	char *buf = malloc(size);
	if (!buf)
		return -1;
	for (;;) {
		struct sockaddr_un from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, size, 0, (struct sockaddr *)&from, &fl);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || buf[0] == DG_END)
			break;
		if (buf[0] == DG_ACK_ME && sent(c, sendto(fd, "a", 1, 0, (struct sockaddr *)&from, fl)))
			break;
	}
	free(buf);
	return 0;
}

struct conn {
	int fd;
	uint32_t have;
	char *buf;
};

/* One thread, every client: what a typical event-loop daemon behind a socket does. */
static int serve_fanin(int lfd, const struct wl_spec *w, struct counts *c)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev))
		return -1;
	unsigned accepted = 0, open = 0;
	while (accepted < w->clients || open > 0) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			struct conn *k = evs[i].data.ptr;
			if (!k) {
				int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
				if (fd < 0)
					return -1;
				k = calloc(1, sizeof(*k));
				k->fd = fd;
				k->buf = malloc(w->size);
				struct epoll_event e2 = { .events = EPOLLIN, .data.ptr = k };
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e2);
				accepted++;
				open++;
				continue;
			}
			ssize_t r = read(k->fd, k->buf + k->have, w->size - k->have);
			if (r <= 0) {
				close(k->fd);
				free(k->buf);
				free(k);
				open--;
				continue;
			}
			k->have += (uint32_t)r;
			if (k->have == w->size) {
				k->have = 0;
				if (sent(c, write(k->fd, k->buf, w->size)))
					return -1;
			}
		}
	}
	close(ep);
	return 0;
}

int wl_server_main(const struct wl_spec *w, int lfd, struct wl_shared *sh)
{
	prctl(PR_SET_NAME, "ub-server");
	struct counts c = { 0 };
	int rc;
	if (w->kind == WL_DGRAM) {
		rc = serve_dgram(lfd, w->size, &c);
	} else if (w->kind == WL_FANIN) {
		rc = serve_fanin(lfd, w, &c);
	} else {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			return -1;
		if (w->kind == WL_PINGPONG)
			rc = serve_pingpong(fd, w->size, &c);
		else if (w->kind == WL_FDPASS)
			rc = serve_fdpass(fd, &c);
		else
			rc = serve_sink(fd);
		close(fd);
	}
	publish(sh, &c);
	return rc;
}

/* ---- client --------------------------------------------------------------------------- */

struct client_ctx {
	const struct wl_spec *w;
	uint64_t deadline; /* 0 = until count */
	uint64_t count;
	int fd;
	struct wl_shared *sh;
	pthread_barrier_t *go;
	int rc;
};

static bool more(const struct client_ctx *x, const struct counts *c)
{
	if (x->count)
		return c->msgs < x->count;
	return ub_now_ns() < x->deadline;
}

static int run_pingpong(struct client_ctx *x, struct counts *c)
{
	char *buf = calloc(1, x->w->size);
	int rc = buf ? 0 : -1;
	while (!rc && more(x, c)) {
		if (sent(c, write(x->fd, buf, x->w->size)) || ub_read_all(x->fd, buf, x->w->size))
			rc = -1;
	}
	free(buf);
	return rc;
}

static int run_bulk(struct client_ctx *x, struct counts *c)
{
	char *buf = calloc(1, x->w->size);
	int rc = buf ? 0 : -1;
	uint64_t t0 = ub_now_ns();
	while (!rc && more(x, c)) {
		if (x->w->rate > 0) {
			/* Sends fall due on a fixed schedule; when ahead, sleep a little. */
			uint64_t due = (uint64_t)((double)(ub_now_ns() - t0) * x->w->rate / 1e9);
			if (c->msgs >= due) {
				struct timespec ts = { 0, 20000 };
				nanosleep(&ts, NULL);
				continue;
			}
		}
		rc = sent(c, write(x->fd, buf, x->w->size));
	}
	free(buf);
	return rc;
}

static int run_dgram(struct client_ctx *x, struct counts *c)
{
	char *buf = calloc(1, x->w->size);
	int rc = buf ? 0 : -1;
	while (!rc && more(x, c)) {
		for (int i = 0; i < DGRAM_BURST && !rc; i++) {
			buf[0] = i == DGRAM_BURST - 1 ? DG_ACK_ME : DG_DATA;
			rc = sent(c, send(x->fd, buf, x->w->size, 0));
		}
		char ack;
		if (!rc && recv(x->fd, &ack, 1, 0) != 1)
			rc = -1;
	}
	buf[0] = DG_END;
	if (!rc)
		rc = sent(c, send(x->fd, buf, x->w->size, 0));
	free(buf);
	return rc;
}

static int run_fdpass(struct client_ctx *x, struct counts *c)
{
	int pass = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char data[8] = "fdpass!";
	int rc = pass < 0 ? -1 : 0;
	while (!rc && more(x, c)) {
		int got;
		if (sent(c, send_fd(x->fd, data, pass)) || recv_fd(x->fd, data, &got) != 8)
			rc = -1;
		else
			close(got), c->fd_recvs++;
	}
	if (pass >= 0)
		close(pass);
	return rc;
}

static void *client_thread(void *arg)
{
	struct client_ctx *x = arg;
	struct counts c = { 0 };
	if (x->go)
		pthread_barrier_wait(x->go);
	switch (x->w->kind) {
	case WL_PINGPONG:
	case WL_FANIN: x->rc = run_pingpong(x, &c); break;
	case WL_BULK:
	case WL_RATE: x->rc = run_bulk(x, &c); break;
	case WL_DGRAM: x->rc = run_dgram(x, &c); break;
	case WL_FDPASS: x->rc = run_fdpass(x, &c); break;
	}
	if (x->rc)
		x->rc = errno ? errno : EIO;
	/* Closing here lets the server see EOF while the other threads finish. */
	shutdown(x->fd, SHUT_WR);
	publish(x->sh, &c);
	return NULL;
}

static int connect_to(const char *path, int type, const char *bind_path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* A proxy may be a moment behind its listening socket; retry for a second. */
	for (int tries = 0; tries < 500; tries++) {
		int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (bind_path) {
			struct sockaddr_un ba = { .sun_family = AF_UNIX };
			snprintf(ba.sun_path, sizeof(ba.sun_path), "%s", bind_path);
			unlink(bind_path);
			if (bind(fd, (struct sockaddr *)&ba, sizeof(ba))) {
				close(fd);
				return -1;
			}
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		int e = errno;
		close(fd);
		if (e != ECONNREFUSED && e != ENOENT && e != EAGAIN)
			return -1;
		ub_sleep_ms(2);
	}
	return -1;
}

int wl_client_main(const struct wl_spec *w, const struct wl_opts *o, const char *path,
		   int ready_wr, int go_rd, struct wl_shared *sh)
{
	prctl(PR_SET_NAME, "ub-client");
	unsigned n = w->kind == WL_FANIN ? w->clients : 1;
	struct client_ctx *x = calloc(n, sizeof(*x));
	pthread_t *th = calloc(n, sizeof(*th));
	pthread_barrier_t go;
	char bind_path[UB_PATH_MAX];
	snprintf(bind_path, sizeof(bind_path), "%s/cli.sock", o->dir);
	if (!x || !th)
		return -1;
	pthread_barrier_init(&go, NULL, n + 1);
	for (unsigned i = 0; i < n; i++) {
		x[i].w = w;
		x[i].sh = sh;
		x[i].go = &go;
		x[i].count = o->count ? (o->count + n - 1) / n : 0;
		x[i].fd = connect_to(path, w->kind == WL_DGRAM ? SOCK_DGRAM : SOCK_STREAM,
				     w->kind == WL_DGRAM ? bind_path : NULL);
		if (x[i].fd < 0)
			return -1;
	}
	/* The threads exist before the tracers attach, so strace -p sees every one. */
	for (unsigned i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, client_thread, &x[i]))
			return -1;
	if (write(ready_wr, "r", 1) != 1)
		return -1;
	char c;
	while (read(go_rd, &c, 1) < 0 && errno == EINTR)
		;
	uint64_t t_go = ub_now_ns();
	for (unsigned i = 0; i < n; i++)
		x[i].deadline = t_go + (uint64_t)(o->duration * 1e9);
	sh->t_go = t_go;
	pthread_barrier_wait(&go);
	int rc = 0;
	for (unsigned i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		if (x[i].rc && !rc) {
			rc = -1;
			errno = x[i].rc;
		}
		close(x[i].fd);
	}
	sh->t_end = ub_now_ns();
	if (w->kind == WL_DGRAM)
		unlink(bind_path);
	return rc;
}
