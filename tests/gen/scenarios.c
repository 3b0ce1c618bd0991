/*
 * The traffic scenarios. setup() creates and connects every socket; run() only sends (and
 * starts the threads that drain the receiving ends), so that a capture started between the
 * two can be told the sockets' addresses.
 */
#include "gen_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define HTTP_GET "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
#define ARRAY_LEN(a) (int)(sizeof(a) / sizeof((a)[0]))

/* One message of one segment, sent with send_fn and checked for a full send. */
#define SEND1(c, scen, idx, text, printable, size, call_expr)                                \
	do {                                                                               \
		struct ug_msg m_;                                                          \
		long r_;                                                                   \
		if (ug_msg_init1(&m_, ug_seed(scen, idx), text, printable, size) < 0) {   \
			ug_fail(c, scen, "out of memory");                                \
			break;                                                             \
		}                                                                          \
		r_ = (call_expr);                                                          \
		ug_expect(c, scen, #call_expr, r_, (long)m_.len);                          \
		ug_msg_free(&m_);                                                          \
	} while (0)

/* One message of several segments. */
#define SENDV(c, scen, idx, text, printable, sizes, call_expr)                             \
	do {                                                                               \
		struct ug_msg m_;                                                          \
		long r_;                                                                   \
		if (ug_msg_init(&m_, ug_seed(scen, idx), text, printable, sizes,          \
				ARRAY_LEN(sizes)) < 0) {                                   \
			ug_fail(c, scen, "out of memory");                                \
			break;                                                             \
		}                                                                          \
		r_ = (call_expr);                                                          \
		ug_expect(c, scen, #call_expr, r_, (long)m_.len);                          \
		ug_msg_free(&m_);                                                          \
	} while (0)

/* sendmmsg of n messages, each of the same segment sizes. */
static void send_mmsg(struct ug_ctx *c, const char *scen, unsigned idx, int fd, int peer_fd,
		      int n, const size_t *const *sizes, const int *nsizes, const char *text)
{
	struct ug_msg m[8];
	long r;
	int ok = 0;

	for (int i = 0; i < n; i++, ok++)
		if (ug_msg_init(&m[i], ug_seed(scen, idx + (unsigned)i), i == 0 ? text : NULL,
				text != NULL, sizes[i], nsizes[i]) < 0)
			break;
	if (ok < n) {
		ug_fail(c, scen, "out of memory");
	} else {
		r = ug_sendmmsg(c, scen, fd, peer_fd, m, n);
		ug_expect(c, scen, "sendmmsg", r, n);
	}
	for (int i = 0; i < ok; i++)
		ug_msg_free(&m[i]);
}

static int start_drain(struct ug_ctx *c, const char *scen, struct ug_drainer *d, const int *fds,
		       int n)
{
	if (ug_drain_start(d, fds, n) < 0) {
		ug_fail(c, scen, "cannot start the reader thread");
		return -1;
	}
	return 0;
}

/* ---- stream_pair: every send call on a stream socketpair --------------------------------- */

struct st_pair {
	int sv[2];
};

static int pair_setup(struct ug_ctx *c, void *p)
{
	struct st_pair *st = p;

	return ug_socketpair(c, "stream_pair", SOCK_STREAM, st->sv);
}

static int pair_run(struct ug_ctx *c, void *p)
{
	static const char *S = "stream_pair";
	struct st_pair *st = p;
	struct ug_drainer d;
	int a = st->sv[0], b = st->sv[1];
	static const size_t v9[] = { 5, 0, 17, 1, 0, 100, 33, 0, 7 };
	static const size_t v12[] = { 1, 2, 3, 0, 5, 8, 13, 21, 34, 55, 89, 144 };
	static const size_t m1[] = { 10, 20 }, m2[] = { 5 }, m3[] = { 7, 0, 9 };
	static const size_t *const mm[] = { m1, m2, m3 };
	static const int nmm[] = { 2, 1, 3 };

	if (start_drain(c, S, &d, st->sv, 2) < 0)
		return 0;
	SEND1(c, S, 0, HTTP_GET, false, 64, ug_write(c, S, a, b, &m_));
	SEND1(c, S, 1, NULL, false, 100, ug_send(c, S, a, b, &m_, 0));
	SEND1(c, S, 2, NULL, true, 77, ug_sendto(c, S, a, b, &m_, 0, NULL, 0));
	SENDV(c, S, 3, "writev with nine segments: ", true, v9, ug_writev(c, S, a, b, &m_));
	SENDV(c, S, 4, NULL, false, v12, ug_sendmsg(c, S, a, b, &m_, NULL, 0));
	send_mmsg(c, S, 5, a, b, 3, mm, nmm, NULL);
	SEND1(c, S, 8, "pong", true, 10, ug_write(c, S, b, a, &m_));
	ug_drain_stop(&d);
	return 0;
}

/* ---- stream_path: a filesystem listener, both directions, a second sending thread -------- */

struct st_path {
	int l, cli, srv;
};

static int path_setup(struct ug_ctx *c, void *p)
{
	struct st_path *st = p;
	struct sockaddr_un sa;
	socklen_t len = ug_addr_fs(c, &sa, "stream.sock");

	st->l = ug_listener(c, "stream_path", SOCK_STREAM, &sa, len);
	if (st->l < 0)
		return -1;
	return ug_connect_accept(c, "stream_path", SOCK_STREAM, st->l, &sa, len, &st->cli,
				 &st->srv);
}

struct path_thread {
	struct ug_ctx *c;
	struct st_path *st;
};

static void *path_sender(void *arg)
{
	static const char *S = "stream_path";
	struct path_thread *t = arg;
	struct ug_ctx *c = t->c;
	static const size_t v3[] = { 11, 22, 33 };

	prctl(PR_SET_NAME, UG_SENDER_COMM, 0, 0, 0);
	SEND1(c, S, 10, "from the second thread ", true, 300,
	      ug_send(c, S, t->st->cli, t->st->srv, &m_, 0));
	SENDV(c, S, 11, NULL, false, v3, ug_writev(c, S, t->st->cli, t->st->srv, &m_));
	return NULL;
}

static int path_run(struct ug_ctx *c, void *p)
{
	static const char *S = "stream_path";
	struct st_path *st = p;
	struct ug_drainer d;
	int fds[2] = { st->cli, st->srv };
	struct path_thread t = { c, st };
	pthread_t th;
	static const size_t v2[] = { 17, 4000 };

	if (start_drain(c, S, &d, fds, 2) < 0)
		return 0;
	SEND1(c, S, 0, "POST /api HTTP/1.1\r\nHost: unix\r\nContent-Length: 160\r\n\r\n", true, 200,
	      ug_write(c, S, st->cli, st->srv, &m_));
	SEND1(c, S, 1, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", true, 150,
	      ug_write(c, S, st->srv, st->cli, &m_));
	if (pthread_create(&th, NULL, path_sender, &t) != 0)
		ug_fail(c, S, "cannot start the sending thread");
	else
		pthread_join(th, NULL);
	SENDV(c, S, 2, NULL, false, v2, ug_sendmsg(c, S, st->srv, st->cli, &m_, NULL, 0));
	ug_drain_stop(&d);
	return 0;
}

/* ---- stream_abstract: a listener whose abstract name holds binary bytes ------------------ */

struct st_abs {
	int l, cli, srv;
};

static int abs_setup(struct ug_ctx *c, void *p)
{
	struct st_abs *st = p;
	struct sockaddr_un sa;
	char name[64];
	int n = snprintf(name, sizeof(name), "%cunixgen%c%c\\-%d", '\0', 0x01, 0xff, (int)c->pid);
	socklen_t len = ug_addr_abstract(&sa, name, (size_t)n);

	st->l = ug_listener(c, "stream_abstract", SOCK_STREAM, &sa, len);
	if (st->l < 0)
		return -1;
	return ug_connect_accept(c, "stream_abstract", SOCK_STREAM, st->l, &sa, len, &st->cli,
				 &st->srv);
}

static int abs_run(struct ug_ctx *c, void *p)
{
	static const char *S = "stream_abstract";
	struct st_abs *st = p;
	struct ug_drainer d;
	int fds[2] = { st->cli, st->srv };
	static const size_t v3[] = { 1, 200, 3 };

	if (start_drain(c, S, &d, fds, 2) < 0)
		return 0;
	SEND1(c, S, 0, "hello abstract", true, 33, ug_write(c, S, st->cli, st->srv, &m_));
	SEND1(c, S, 1, NULL, false, 44, ug_sendto(c, S, st->srv, st->cli, &m_, 0, NULL, 0));
	SENDV(c, S, 2, NULL, false, v3, ug_sendmsg(c, S, st->cli, st->srv, &m_, NULL, 0));
	ug_drain_stop(&d);
	return 0;
}

/* ---- dgram: unconnected sendto/sendmsg to a path, a connected abstract sender ------------ */

struct st_dgram {
	int rcv, uns, bnd;
	struct sockaddr_un sa;
	socklen_t len;
};

static int dgram_setup(struct ug_ctx *c, void *p)
{
	static const char *S = "dgram";
	struct st_dgram *st = p;
	struct sockaddr_un ab;
	char name[64];
	int n = snprintf(name, sizeof(name), "%cunixgen-dgram-%d", '\0', (int)c->pid);
	socklen_t ablen = ug_addr_abstract(&ab, name, (size_t)n);

	st->len = ug_addr_fs(c, &st->sa, "dgram.sock");
	st->rcv = ug_bound(c, S, "receiver", SOCK_DGRAM, &st->sa, st->len);
	st->uns = ug_bound(c, S, "sender", SOCK_DGRAM, NULL, 0);
	st->bnd = ug_bound(c, S, "sender_bound", SOCK_DGRAM, &ab, ablen);
	if (st->rcv < 0 || st->uns < 0 || st->bnd < 0)
		return -1;
	if (connect(st->bnd, (struct sockaddr *)&st->sa, st->len) < 0) {
		ug_fail(c, S, "connect: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int dgram_run(struct ug_ctx *c, void *p)
{
	static const char *S = "dgram";
	struct st_dgram *st = p;
	struct ug_drainer d;
	static const size_t v3[] = { 8, 0, 64 };
	static const size_t s2[] = { 13, 29 };
	static const size_t *const mm[] = { s2, s2, s2, s2 };
	static const int nmm[] = { 2, 2, 2, 2 };

	if (start_drain(c, S, &d, &st->rcv, 1) < 0)
		return 0;
	SEND1(c, S, 0, "unconnected datagram ", true, 120,
	      ug_sendto(c, S, st->uns, st->rcv, &m_, 0, &st->sa, st->len));
	SENDV(c, S, 1, NULL, false, v3,
	      ug_sendmsg(c, S, st->uns, st->rcv, &m_, &st->sa, st->len));
	SEND1(c, S, 2, "connected datagram ", true, 90, ug_send(c, S, st->bnd, st->rcv, &m_, 0));
	send_mmsg(c, S, 3, st->bnd, st->rcv, 4, mm, nmm, NULL);
	SEND1(c, S, 7, NULL, false, 50, ug_write(c, S, st->bnd, st->rcv, &m_));
	ug_drain_stop(&d);
	return 0;
}

/* ---- dgram_dests: one sendmmsg of UIO_MAXIOV datagrams, round robin to three receivers --- */

#define DESTS 3

struct st_dests {
	int rcv[DESTS], snd;
	struct sockaddr_un sa[DESTS];
	socklen_t len[DESTS];
};

static int dests_setup(struct ug_ctx *c, void *p)
{
	static const char *S = "dgram_dests";
	struct st_dests *st = p;
	char name[32], role[16];

	for (int i = 0; i < DESTS; i++) {
		snprintf(name, sizeof(name), "dests%d.sock", i);
		snprintf(role, sizeof(role), "receiver%d", i);
		st->len[i] = ug_addr_fs(c, &st->sa[i], name);
		st->rcv[i] = ug_bound(c, S, role, SOCK_DGRAM, &st->sa[i], st->len[i]);
		if (st->rcv[i] < 0)
			return -1;
	}
	st->snd = ug_bound(c, S, "sender", SOCK_DGRAM, NULL, 0);
	return st->snd < 0 ? -1 : 0;
}

/* Every datagram names its receiver only in its own msg_name: the capture must still give
 * each one its receiving socket, the last as well as the first. */
static int dests_run(struct ug_ctx *c, void *p)
{
	static const char *S = "dgram_dests";
	struct st_dests *st = p;
	struct ug_msg *m = calloc(UG_MAX_MMSG, sizeof(*m));
	struct ug_dest *to = calloc(UG_MAX_MMSG, sizeof(*to));
	struct ug_drainer d;
	int ok = 0;

	for (; m && to && ok < UG_MAX_MMSG; ok++) {
		int k = ok % DESTS;

		if (ug_msg_init1(&m[ok], ug_seed(S, (unsigned)ok), NULL, false,
				 1 + (size_t)ok % 61) < 0)
			break;
		to[ok] = (struct ug_dest){ st->rcv[k], &st->sa[k], st->len[k] };
	}
	if (ok < UG_MAX_MMSG) {
		ug_fail(c, S, "out of memory");
	} else if (start_drain(c, S, &d, st->rcv, DESTS) == 0) {
		long r = ug_sendmmsg_to(c, S, st->snd, m, UG_MAX_MMSG, to);

		ug_expect(c, S, "sendmmsg to three receivers", r, UG_MAX_MMSG);
		ug_drain_stop(&d);
	}
	for (int i = 0; i < ok; i++)
		ug_msg_free(&m[i]);
	free(m);
	free(to);
	return 0;
}

/* ---- seqpacket: a socketpair and a filesystem listener ---------------------------------- */

struct st_seq {
	int sv[2];
	int l, cli, srv;
};

static int seq_setup(struct ug_ctx *c, void *p)
{
	static const char *S = "seqpacket";
	struct st_seq *st = p;
	struct sockaddr_un sa;
	socklen_t len = ug_addr_fs(c, &sa, "seq.sock");

	if (ug_socketpair(c, S, SOCK_SEQPACKET, st->sv) < 0)
		return -1;
	st->l = ug_listener(c, S, SOCK_SEQPACKET, &sa, len);
	if (st->l < 0)
		return -1;
	return ug_connect_accept(c, S, SOCK_SEQPACKET, st->l, &sa, len, &st->cli, &st->srv);
}

static int seq_run(struct ug_ctx *c, void *p)
{
	static const char *S = "seqpacket";
	struct st_seq *st = p;
	struct ug_drainer d;
	int fds[4] = { st->sv[0], st->sv[1], st->cli, st->srv };
	static const size_t v4[] = { 3, 30, 0, 300 };
	static const size_t v3[] = { 50, 60, 70 };
	static const size_t v5[] = { 1, 1, 2, 3, 5 };

	if (start_drain(c, S, &d, fds, 4) < 0)
		return 0;
	SENDV(c, S, 0, "seqpacket record ", true, v4,
	      ug_sendmsg(c, S, st->sv[0], st->sv[1], &m_, NULL, 0));
	SEND1(c, S, 1, NULL, false, 40, ug_write(c, S, st->sv[1], st->sv[0], &m_));
	SENDV(c, S, 2, NULL, false, v3, ug_sendmsg(c, S, st->cli, st->srv, &m_, NULL, 0));
	SENDV(c, S, 3, NULL, true, v5, ug_sendmsg(c, S, st->srv, st->cli, &m_, NULL, 0));
	ug_drain_stop(&d);
	return 0;
}

/* ---- big: one 1 MiB write on a blocking stream while another thread reads --------------- */

struct st_big {
	int sv[2];
};

static int big_setup(struct ug_ctx *c, void *p)
{
	struct st_big *st = p;

	return ug_socketpair(c, "big", SOCK_STREAM, st->sv);
}

static int big_run(struct ug_ctx *c, void *p)
{
	static const char *S = "big";
	struct st_big *st = p;
	struct ug_drainer d;

	if (start_drain(c, S, &d, &st->sv[1], 1) < 0)
		return 0;
	SEND1(c, S, 0, "one mebibyte ", false, 1 << 20,
	      ug_write(c, S, st->sv[0], st->sv[1], &m_));
	ug_drain_stop(&d);
	return 0;
}

/* ---- partial: a non-blocking stream filled up: a short write, then EAGAIN --------------- */

struct st_partial {
	int sv[2];
};

static int partial_setup(struct ug_ctx *c, void *p)
{
	struct st_partial *st = p;

	if (ug_socketpair(c, "partial", SOCK_STREAM, st->sv) < 0)
		return -1;
	return fcntl(st->sv[0], F_SETFL, O_NONBLOCK);
}

static int partial_run(struct ug_ctx *c, void *p)
{
	static const char *S = "partial";
	struct st_partial *st = p;
	struct ug_msg m;
	bool partial = false;
	long r;
	int e;

	for (unsigned i = 0; i < 32 && !partial; i++) {
		if (ug_msg_init1(&m, ug_seed(S, i), NULL, false, 1 << 20) < 0) {
			ug_fail(c, S, "out of memory");
			return 0;
		}
		r = ug_write(c, S, st->sv[0], st->sv[1], &m);
		e = errno;
		ug_msg_free(&m);
		if (r > 0 && (size_t)r < (size_t)1 << 20) {
			partial = true;
		} else if (r < 0) {
			ug_fail(c, S, "write failed before a short write: %s", strerror(e));
			return 0;
		}
	}
	if (!partial) {
		ug_fail(c, S, "no short write after 32 MiB");
		return 0;
	}
	if (ug_msg_init1(&m, ug_seed(S, 100), NULL, false, 100) < 0)
		return 0;
	r = ug_write(c, S, st->sv[0], st->sv[1], &m);
	ug_expect_err(c, S, "write on a full socket", r, errno, EAGAIN, EWOULDBLOCK);
	ug_msg_free(&m);
	return 0;
}

/* ---- failed: EPIPE, ENOENT, ECONNREFUSED, ENOTCONN --------------------------------------- */

struct st_failed {
	int sv[2];
	int uns;
	struct sockaddr_un missing, stale;
	socklen_t missing_len, stale_len;
};

static int failed_setup(struct ug_ctx *c, void *p)
{
	static const char *S = "failed";
	struct st_failed *st = p;
	int fd;

	if (ug_socketpair(c, S, SOCK_STREAM, st->sv) < 0)
		return -1;
	st->uns = ug_bound(c, S, "sender", SOCK_DGRAM, NULL, 0);
	if (st->uns < 0)
		return -1;
	st->missing_len = ug_addr_fs(c, &st->missing, "missing.sock");
	/* A socket file whose socket is gone: connecting to it is refused. */
	st->stale_len = ug_addr_fs(c, &st->stale, "stale.sock");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&st->stale, st->stale_len) < 0) {
		ug_fail(c, S, "stale socket: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Failed sends of several segments: the length they tried to send is the iovecs' sum, which
 * a capture at the system call has to add up itself. The failed sendmmsg fails on its first
 * datagram (one after the first would make it return the count sent). */
static void failed_iov(struct ug_ctx *c, struct st_failed *st, const struct ug_msg *one)
{
	static const char *S = "failed";
	static const size_t v3[] = { 7, 0, 30 };
	struct ug_msg m[2];
	long r;

	if (ug_msg_init(&m[0], ug_seed(S, 1), NULL, false, v3, ARRAY_LEN(v3)) < 0)
		return;
	m[1] = *one;
	r = ug_sendmsg(c, S, st->uns, -1, &m[0], &st->missing, st->missing_len);
	ug_expect_err(c, S, "sendmsg of three segments to a missing path", r, errno, ENOENT,
		      ECONNREFUSED);
	r = ug_sendmmsg(c, S, st->uns, -1, m, 2);
	ug_expect_err(c, S, "sendmmsg without an address", r, errno, ENOTCONN, ENOTCONN);
	ug_msg_free(&m[0]);
}

static int failed_run(struct ug_ctx *c, void *p)
{
	static const char *S = "failed";
	struct st_failed *st = p;
	struct ug_msg m;
	long r;

	if (ug_msg_init1(&m, ug_seed(S, 0), "nobody listens", true, 25) < 0)
		return 0;
	ug_close(c, st->sv[1]);
	r = ug_send(c, S, st->sv[0], -1, &m, MSG_NOSIGNAL);
	ug_expect_err(c, S, "send to a closed peer", r, errno, EPIPE, EPIPE);
	r = ug_sendto(c, S, st->uns, -1, &m, 0, &st->missing, st->missing_len);
	ug_expect_err(c, S, "sendto a missing path", r, errno, ENOENT, ECONNREFUSED);
	r = ug_sendto(c, S, st->uns, -1, &m, 0, &st->stale, st->stale_len);
	ug_expect_err(c, S, "sendto a stale path", r, errno, ECONNREFUSED, ENOENT);
	failed_iov(c, st, &m);
	ug_msg_free(&m);
	return 0;
}

/* ---- peer_gone: a peer process that exits right after it received ----------------------- */

struct st_gone {
	int l;
	struct sockaddr_un sa;
	socklen_t len;
};

static int gone_setup(struct ug_ctx *c, void *p)
{
	struct st_gone *st = p;

	st->len = ug_addr_fs(c, &st->sa, "gone.sock");
	st->l = ug_listener(c, "peer_gone", SOCK_STREAM, &st->sa, st->len);
	return st->l < 0 ? -1 : 0;
}

/* The peer: named UG_PEER_COMM, it connects, reads, and exits. */
static void gone_child(const struct st_gone *st)
{
	char buf[256];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	prctl(PR_SET_NAME, UG_PEER_COMM, 0, 0, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&st->sa, st->len) < 0)
		_exit(1);
	_exit(read(fd, buf, sizeof(buf)) > 0 ? 0 : 1);
}

/* The accepted socket's sk_peer_pid is the child's pid; the child is reaped before this
 * returns, so its name is only known to whoever read it while the message was sent. */
static int gone_run(struct ug_ctx *c, void *p)
{
	static const char *S = "peer_gone";
	struct st_gone *st = p;
	int status = 0, srv;
	pid_t child = fork();

	if (child < 0) {
		ug_fail(c, S, "fork: %s", strerror(errno));
		return 0;
	}
	if (child == 0)
		gone_child(st);
	srv = ug_reg(c, S, "server", accept4(st->l, NULL, NULL, SOCK_CLOEXEC));
	if (srv < 0) {
		ug_fail(c, S, "accept: %s", strerror(errno));
		kill(child, SIGKILL);
	} else {
		SEND1(c, S, 0, "to a peer about to exit ", true, 40, ug_write(c, S, srv, -1, &m_));
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		ug_fail(c, S, "the peer process did not read and exit");
	return 0;
}

/* ---- table ------------------------------------------------------------------------------ */

const struct ug_scenario ug_scenarios[] = {
	{ "stream_pair", sizeof(struct st_pair), pair_setup, pair_run },
	{ "stream_path", sizeof(struct st_path), path_setup, path_run },
	{ "stream_abstract", sizeof(struct st_abs), abs_setup, abs_run },
	{ "dgram", sizeof(struct st_dgram), dgram_setup, dgram_run },
	{ "dgram_dests", sizeof(struct st_dests), dests_setup, dests_run },
	{ "seqpacket", sizeof(struct st_seq), seq_setup, seq_run },
	{ "big", sizeof(struct st_big), big_setup, big_run },
	{ "partial", sizeof(struct st_partial), partial_setup, partial_run },
	{ "failed", sizeof(struct st_failed), failed_setup, failed_run },
	{ "fdpass", sizeof(struct st_fdpass), ug_fdpass_setup, ug_fdpass_run },
	{ "peer_gone", sizeof(struct st_gone), gone_setup, gone_run },
	{ NULL, 0, NULL, NULL },
};

const char *const ug_scenario_names[] = {
	"stream_pair", "stream_path", "stream_abstract", "dgram",
	"dgram_dests", "seqpacket",   "big",             "partial",
	"failed",      "fdpass",      "peer_gone",       NULL,
};
