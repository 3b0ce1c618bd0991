/*
 * The generator's send wrappers: each does one system call as a scenario asks and records
 * it (thread, socket, addresses, lengths, result, hashes of what went out) for the log that
 * a capture is checked against. The record is taken right after the call, from the same
 * thread, so that tid, comm and the socket's names are those the kernel saw; errno is kept
 * for the caller. Also the log's extra lines (fd passes) and the expectations on results.
 */
#include "gen_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* ---- the record of a send --------------------------------------------------------------- */

static void hash_iov(const struct iovec *iov, int n, size_t count, size_t snap, uint64_t *h,
		     uint64_t *hs)
{
	uint64_t a = UG_FNV_OFFSET, b = UG_FNV_OFFSET;
	size_t done = 0;

	for (int i = 0; i < n && done < count; i++) {
		size_t k = iov[i].iov_len;

		if (k > count - done)
			k = count - done;
		a = ug_fnv1a(a, iov[i].iov_base, k);
		if (done < snap)
			b = ug_fnv1a(b, iov[i].iov_base, k < snap - done ? k : snap - done);
		done += k;
	}
	*h = a;
	*hs = b;
}

static void ug_log(struct ug_ctx *c, const char *scen, const char *call, int fd, int peer_fd,
		   const struct sockaddr_un *dest, socklen_t destlen, const struct iovec *iov,
		   int n, size_t len, long ret, int err)
{
	struct ug_rec r;
	size_t sent = ret > 0 ? (size_t)ret : 0;

	memset(&r, 0, sizeof(r));
	r.scenario = scen;
	r.call = call;
	r.pid = getpid();
	r.tid = gettid();
	prctl(PR_GET_NAME, r.comm, 0, 0, 0);
	r.type = ug_sock_type(fd);
	r.fd = fd;
	r.inode = ug_inode_of(fd);
	r.peer_inode = ug_inode_of(peer_fd);
	ug_fd_name(fd, false, r.path, sizeof(r.path));
	if (dest) {
		r.dest = true;
		if (destlen > offsetof(struct sockaddr_un, sun_path))
			ug_display_path(dest->sun_path,
					destlen - offsetof(struct sockaddr_un, sun_path),
					r.peer_path, sizeof(r.peer_path));
	} else {
		ug_fd_name(fd, true, r.peer_path, sizeof(r.peer_path));
	}
	r.len = len;
	r.ret = ret;
	r.err = ret < 0 ? err : 0;
	r.snap_len = (uint32_t)(sent < c->snaplen ? sent : c->snaplen);
	hash_iov(iov, n, sent, r.snap_len, &r.hash, &r.snap_hash);

	pthread_mutex_lock(&c->mu);
	if (c->nrecs == c->caprecs) {
		size_t cap = c->caprecs ? 2 * c->caprecs : 64;
		struct ug_rec *p = realloc(c->recs, cap * sizeof(*p));

		if (!p) {
			pthread_mutex_unlock(&c->mu);
			ug_fail(c, scen, "out of memory");
			return;
		}
		c->recs = p;
		c->caprecs = cap;
	}
	c->recs[c->nrecs++] = r;
	pthread_mutex_unlock(&c->mu);
}

/* ---- send wrappers ---------------------------------------------------------------------- */

long ug_write(struct ug_ctx *c, const char *scen, int fd, int peer_fd, const struct ug_msg *m)
{
	long r = write(fd, m->iov[0].iov_base, m->iov[0].iov_len);
	int e = errno;

	ug_log(c, scen, "write", fd, peer_fd, NULL, 0, m->iov, 1, m->iov[0].iov_len, r, e);
	errno = e;
	return r;
}

long ug_writev(struct ug_ctx *c, const char *scen, int fd, int peer_fd, const struct ug_msg *m)
{
	long r = writev(fd, m->iov, m->n);
	int e = errno;

	ug_log(c, scen, "writev", fd, peer_fd, NULL, 0, m->iov, m->n, m->len, r, e);
	errno = e;
	return r;
}

long ug_send(struct ug_ctx *c, const char *scen, int fd, int peer_fd, const struct ug_msg *m,
	     int flags)
{
	/* send() is the sendto system call with no address. */
	long r = send(fd, m->iov[0].iov_base, m->iov[0].iov_len, flags);
	int e = errno;

	ug_log(c, scen, "sendto", fd, peer_fd, NULL, 0, m->iov, 1, m->iov[0].iov_len, r, e);
	errno = e;
	return r;
}

long ug_sendto(struct ug_ctx *c, const char *scen, int fd, int peer_fd, const struct ug_msg *m,
	       int flags, const struct sockaddr_un *dest, socklen_t destlen)
{
	long r = sendto(fd, m->iov[0].iov_base, m->iov[0].iov_len, flags,
			(const struct sockaddr *)dest, dest ? destlen : 0);
	int e = errno;

	ug_log(c, scen, "sendto", fd, peer_fd, dest, destlen, m->iov, 1, m->iov[0].iov_len, r, e);
	errno = e;
	return r;
}

long ug_sendmsg(struct ug_ctx *c, const char *scen, int fd, int peer_fd, const struct ug_msg *m,
		const struct sockaddr_un *dest, socklen_t destlen)
{
	struct msghdr mh;
	long r;
	int e;

	memset(&mh, 0, sizeof(mh));
	mh.msg_name = (void *)dest;
	mh.msg_namelen = dest ? destlen : 0;
	mh.msg_iov = (struct iovec *)m->iov;
	mh.msg_iovlen = (size_t)m->n;
	r = sendmsg(fd, &mh, 0);
	e = errno;
	ug_log(c, scen, "sendmsg", fd, peer_fd, dest, destlen, m->iov, m->n, m->len, r, e);
	errno = e;
	return r;
}

long ug_sendmsg_ctl(struct ug_ctx *c, const char *scen, int fd, int peer_fd,
		    const struct ug_msg *m, const void *ctl, size_t ctllen)
{
	struct msghdr mh;
	long r;
	int e;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = (struct iovec *)m->iov;
	mh.msg_iovlen = (size_t)m->n;
	mh.msg_control = (void *)ctl;
	mh.msg_controllen = ctllen;
	r = sendmsg(fd, &mh, 0);
	e = errno;
	ug_log(c, scen, "sendmsg", fd, peer_fd, NULL, 0, m->iov, m->n, m->len, r, e);
	errno = e;
	return r;
}

/* ---- extra log lines and expectations --------------------------------------------------- */

void ug_note(struct ug_ctx *c, const char *line)
{
	char *copy = strdup(line);

	pthread_mutex_lock(&c->mu);
	char **p = copy ? realloc(c->notes, (c->nnotes + 1) * sizeof(*p)) : NULL;
	if (p) {
		c->notes = p;
		c->notes[c->nnotes++] = copy;
	}
	pthread_mutex_unlock(&c->mu);
	if (!p) {
		free(copy);
		ug_fail(c, "log", "out of memory");
	}
}

/* sendmmsg of n messages; dest[i] (when dest is given) is the i-th one's destination. */
static long sendmmsg_log(struct ug_ctx *c, const char *scen, int fd, int peer_fd,
			 const struct ug_msg *m, int n, const struct ug_dest *dest)
{
	struct mmsghdr *mm;
	long r;
	int e;

	if (n > UG_MAX_MMSG)
		n = UG_MAX_MMSG;
	mm = calloc((size_t)n, sizeof(*mm));
	if (!mm) {
		ug_fail(c, scen, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	for (int i = 0; i < n; i++) {
		mm[i].msg_hdr.msg_iov = (struct iovec *)m[i].iov;
		mm[i].msg_hdr.msg_iovlen = (size_t)m[i].n;
		if (dest) {
			mm[i].msg_hdr.msg_name = (void *)dest[i].sa;
			mm[i].msg_hdr.msg_namelen = dest[i].len;
		}
	}
	r = sendmmsg(fd, mm, (unsigned)n, 0);
	e = errno;
	if (r < 0)
		ug_log(c, scen, "sendmmsg", fd, dest ? dest[0].fd : peer_fd,
		       dest ? dest[0].sa : NULL, dest ? dest[0].len : 0, m[0].iov, m[0].n,
		       m[0].len, r, e);
	for (long i = 0; i < r; i++)
		ug_log(c, scen, "sendmmsg", fd, dest ? dest[i].fd : peer_fd,
		       dest ? dest[i].sa : NULL, dest ? dest[i].len : 0, m[i].iov, m[i].n,
		       m[i].len, (long)mm[i].msg_len, 0);
	free(mm);
	errno = e;
	return r;
}

long ug_sendmmsg(struct ug_ctx *c, const char *scen, int fd, int peer_fd,
		 const struct ug_msg *m, int n)
{
	return sendmmsg_log(c, scen, fd, peer_fd, m, n, NULL);
}

long ug_sendmmsg_to(struct ug_ctx *c, const char *scen, int fd, const struct ug_msg *m, int n,
		    const struct ug_dest *dest)
{
	return sendmmsg_log(c, scen, fd, -1, m, n, dest);
}

void ug_expect(struct ug_ctx *c, const char *scen, const char *what, long ret, long want)
{
	if (ret != want)
		ug_fail(c, scen, "%s returned %ld (%s), expected %ld", what, ret,
			ret < 0 ? strerror(errno) : "ok", want);
}

void ug_expect_err(struct ug_ctx *c, const char *scen, const char *what, long ret, int err,
		   int e1, int e2)
{
	if (ret != -1 || (err != e1 && err != e2))
		ug_fail(c, scen, "%s returned %ld (errno %d), expected -1 with %s", what, ret,
			ret < 0 ? err : 0, ug_errno_name(e1));
}
