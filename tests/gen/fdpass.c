/*
 * fdpass: SCM_RIGHTS and SCM_CREDENTIALS on a stream pair, received by a second thread
 * ("ugen-fdrecv"). Files of every kind unixcap names differently (memfd, eventfd, epoll,
 * pipe ends, sockets, a device, a regular file, directories), then the kernel's maximum
 * of 253 fds in one message (tools that stop at 10 fail here), then credentials alone.
 *
 * Each pass is logged as one line, after the send records:
 *   {"kind":"fds","scenario":"fdpass","pid":P,"send_tid":T,"send_inode":I,"hash":"0x..",
 *    "recv_tid":T,"recv_comm":C,"recv_inode":I,"recv_fd":F,
 *    ["creds":{"pid":P,"uid":U,"gid":G},] "fds":[{"fd":F,"recv_fd":F,"name":N},...]}
 * Names are what /proc/self/fd shows, read by the generator itself on both sides
 * ("/memfd:x (deleted)" written as "memfd:x").
 */
#include "gen_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define S "fdpass"
#define FDP_KINDS 12
#define FDP_MAX 253 /* SCM_MAX_FD */
#define FDP_NAME 300
#define FDP_MSGS 3

struct pass {
	int n;
	int fds[FDP_MAX];
	int recv_fds[FDP_MAX];
	char (*names)[FDP_NAME];      /* sender's view */
	char (*recv_names)[FDP_NAME]; /* receiver's view */
	bool creds;
	struct ucred cred;
	uint64_t hash;
	int recv_n;
	bool recv_ok;
};

struct fdp {
	struct ug_ctx *c;
	int sfd, rfd;
	pid_t recv_tid;
	sem_t sent, done;
	struct pass p[FDP_MSGS];
};

static void fd_display(int fd, char *out, size_t n)
{
	char link[64];
	ssize_t k;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	k = readlink(link, out, n - 1);
	if (k < 0)
		k = 0;
	out[k] = '\0';
	if (!strncmp(out, "/memfd:", 7))
		memmove(out, out + 1, strlen(out));
	size_t l = strlen(out);
	if (l > 10 && !strcmp(out + l - 10, " (deleted)"))
		out[l - 10] = '\0';
}

static void *receiver(void *arg)
{
	struct fdp *f = arg;
	size_t ctlsize = CMSG_SPACE(FDP_MAX * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred));
	char *ctl = malloc(ctlsize);
	char buf[256];

	prctl(PR_SET_NAME, "ugen-fdrecv", 0, 0, 0);
	f->recv_tid = gettid();
	for (int m = 0; m < FDP_MSGS; m++) {
		struct pass *p = &f->p[m];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				     .msg_controllen = ctl ? ctlsize : 0 };

		sem_wait(&f->sent);
		long r = ctl ? recvmsg(f->rfd, &mh, 0) : -1;
		if (r < 0 || (mh.msg_flags & MSG_CTRUNC)) {
			ug_fail(f->c, S, "recvmsg #%d: %s", m, r < 0 ? strerror(errno) : "MSG_CTRUNC");
			sem_post(&f->done);
			continue;
		}
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
			if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
				continue;
			int k = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int i = 0; i < k && p->recv_n < FDP_MAX; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
				p->recv_fds[p->recv_n] = fd;
				fd_display(fd, p->recv_names[p->recv_n], FDP_NAME);
				p->recv_n++;
			}
		}
		p->recv_ok = true;
		sem_post(&f->done);
	}
	free(ctl);
	return NULL;
}

/* Twelve files, each of a kind that is named differently. */
static int open_kinds(struct ug_ctx *c, int *fds)
{
	char path[256];
	int n = 0, pipefd[2], sv[2];

	fds[n++] = memfd_create("unixgen-fdpass", 0);
	fds[n++] = eventfd(0, 0);
	fds[n++] = epoll_create1(0);
	if (pipe(pipefd) == 0) {
		fds[n++] = pipefd[0];
		fds[n++] = pipefd[1];
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0) {
		fds[n++] = sv[0];
		fds[n++] = sv[1];
	}
	fds[n++] = open("/dev/null", O_RDWR);
	snprintf(path, sizeof(path), "%s/fdpass-file", c->dir);
	fds[n++] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fds[n++] = open(c->dir, O_RDONLY | O_DIRECTORY);
	fds[n++] = open("/", O_RDONLY | O_DIRECTORY);
	fds[n++] = open("/proc/self/status", O_RDONLY);
	for (int i = 0; i < n; i++)
		if (fds[i] < 0) {
			ug_fail(c, S, "opening file %d of %d: %s", i, FDP_KINDS, strerror(errno));
			return -1;
		}
	return n;
}

static void send_pass(struct fdp *f, int idx, const char *text)
{
	struct ug_ctx *c = f->c;
	struct pass *p = &f->p[idx];
	size_t ctlsize = CMSG_SPACE((size_t)p->n * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred));
	char *ctl = calloc(1, ctlsize);
	size_t used = 0;
	struct ug_msg m;

	if (!ctl || ug_msg_init1(&m, ug_seed(S, (unsigned)idx), text, true, 48 + (size_t)idx) < 0) {
		free(ctl);
		ug_fail(c, S, "out of memory");
		return;
	}
	if (p->n) {
		struct cmsghdr *h = (struct cmsghdr *)ctl;
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN((size_t)p->n * sizeof(int));
		memcpy(CMSG_DATA(h), p->fds, (size_t)p->n * sizeof(int));
		used += CMSG_SPACE((size_t)p->n * sizeof(int));
		for (int i = 0; i < p->n; i++)
			fd_display(p->fds[i], p->names[i], FDP_NAME);
	}
	if (p->creds) {
		struct cmsghdr *h = (struct cmsghdr *)(ctl + used);
		p->cred = (struct ucred){ getpid(), getuid(), getgid() };
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_CREDENTIALS;
		h->cmsg_len = CMSG_LEN(sizeof(struct ucred));
		memcpy(CMSG_DATA(h), &p->cred, sizeof(p->cred));
		used += CMSG_SPACE(sizeof(struct ucred));
	}
	p->hash = UG_FNV_OFFSET;
	for (int i = 0; i < m.n; i++)
		p->hash = ug_fnv1a(p->hash, m.iov[i].iov_base, m.iov[i].iov_len);
	long r = ug_sendmsg_ctl(c, S, f->sfd, f->rfd, &m, ctl, used);
	ug_expect(c, S, "sendmsg with control data", r, (long)m.len);
	ug_msg_free(&m);
	free(ctl);
}

static void put_json_str(char *out, size_t n, size_t *o, const char *s)
{
	if (*o + 1 < n)
		out[(*o)++] = '"';
	for (; *s && *o + 8 < n; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			*o += (size_t)snprintf(out + *o, n - *o, "\\%c", ch);
		else if (ch < 0x20)
			*o += (size_t)snprintf(out + *o, n - *o, "\\u%04x", ch);
		else
			out[(*o)++] = (char)ch;
	}
	if (*o + 1 < n)
		out[(*o)++] = '"';
	out[*o < n ? *o : n - 1] = '\0';
}

/* The log line of pass idx; both sides must agree on the count first. */
static void note_pass(struct fdp *f, int idx, pid_t send_tid)
{
	struct ug_ctx *c = f->c;
	struct pass *p = &f->p[idx];
	size_t n = 512 + (size_t)p->n * (2 * FDP_NAME + 64), o = 0;
	char *line = malloc(n);

	if (!line) {
		ug_fail(c, S, "out of memory");
		return;
	}
	if (!p->recv_ok || p->recv_n != p->n)
		ug_fail(c, S, "pass #%d: %d fds sent, %d received", idx, p->n, p->recv_n);
	o += (size_t)snprintf(line + o, n - o,
			      "{\"kind\":\"fds\",\"scenario\":\"%s\",\"pid\":%d,\"send_tid\":%d,"
			      "\"send_inode\":%" PRIu64 ",\"hash\":\"0x%016" PRIx64 "\",\"recv_tid\":%d,"
			      "\"recv_comm\":\"ugen-fdrecv\",\"recv_inode\":%" PRIu64 ",\"recv_fd\":%d",
			      S, (int)getpid(), (int)send_tid, ug_inode_of(f->sfd), p->hash,
			      (int)f->recv_tid, ug_inode_of(f->rfd), f->rfd);
	if (p->creds)
		o += (size_t)snprintf(line + o, n - o, ",\"creds\":{\"pid\":%d,\"uid\":%u,\"gid\":%u}",
				      (int)p->cred.pid, (unsigned)p->cred.uid, (unsigned)p->cred.gid);
	o += (size_t)snprintf(line + o, n - o, ",\"fds\":[");
	for (int i = 0; i < p->n && i < p->recv_n; i++) {
		o += (size_t)snprintf(line + o, n - o, "%s{\"fd\":%d,\"recv_fd\":%d,\"name\":",
				      i ? "," : "", p->fds[i], p->recv_fds[i]);
		put_json_str(line, n, &o, p->names[i]);
		if (strcmp(p->names[i], p->recv_names[i]))
			ug_fail(c, S, "pass #%d fd %d: \"%s\" sent, \"%s\" received", idx, i,
				p->names[i], p->recv_names[i]);
		o += (size_t)snprintf(line + o, n - o, "}");
	}
	snprintf(line + o, n - o, "]}");
	ug_note(c, line);
	free(line);
}

int ug_fdpass_setup(struct ug_ctx *c, void *st)
{
	struct st_fdpass *s = st;

	return ug_socketpair(c, S, SOCK_STREAM, s->sv);
}

int ug_fdpass_run(struct ug_ctx *c, void *st)
{
	struct st_fdpass *s = st;
	struct fdp *f = calloc(1, sizeof(*f));
	char (*names)[FDP_NAME] = calloc(2 * FDP_MSGS * FDP_MAX, FDP_NAME);
	int kinds[FDP_KINDS], nk, many = 0;
	pthread_t th;

	if (!f || !names) {
		ug_fail(c, S, "out of memory");
		goto out;
	}
	f->c = c;
	f->sfd = s->sv[0];
	f->rfd = s->sv[1];
	for (int m = 0; m < FDP_MSGS; m++) {
		f->p[m].names = names + 2 * m * FDP_MAX;
		f->p[m].recv_names = names + (2 * m + 1) * FDP_MAX;
	}
	nk = open_kinds(c, kinds);
	if (nk < 0)
		goto out;
	/* pass 0: the twelve kinds; pass 1: SCM_MAX_FD fds; pass 2: credentials only */
	f->p[0].n = nk;
	memcpy(f->p[0].fds, kinds, (size_t)nk * sizeof(int));
	for (; many < FDP_MAX; many++) {
		f->p[1].fds[many] = dup(kinds[many % nk]);
		if (f->p[1].fds[many] < 0) {
			ug_fail(c, S, "dup: %s", strerror(errno));
			break;
		}
	}
	f->p[1].n = many;
	f->p[2].creds = true;
	sem_init(&f->sent, 0, 0);
	sem_init(&f->done, 0, 0);
	if (pthread_create(&th, NULL, receiver, f) != 0) {
		ug_fail(c, S, "pthread_create failed");
		goto close_files;
	}
	static const char *const text[FDP_MSGS] = { "twelve kinds of file: ",
						      "SCM_MAX_FD files in one message: ",
						      "SCM_CREDENTIALS: " };
	for (int m = 0; m < FDP_MSGS; m++) {
		send_pass(f, m, text[m]);
		/* One message in flight: a stream receive never merges two passes. */
		sem_post(&f->sent);
		sem_wait(&f->done);
	}
	pthread_join(th, NULL);
	for (int m = 0; m < FDP_MSGS; m++)
		note_pass(f, m, gettid());
	for (int m = 0; m < FDP_MSGS; m++)
		for (int i = 0; i < f->p[m].recv_n; i++)
			close(f->p[m].recv_fds[i]);
	sem_destroy(&f->sent);
	sem_destroy(&f->done);
close_files:
	for (int i = 0; i < many; i++)
		close(f->p[1].fds[i]);
	for (int i = 0; i < nk; i++)
		close(kinds[i]);
out:
	free(names);
	free(f);
	return 0;
}
