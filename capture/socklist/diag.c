/* NETLINK_SOCK_DIAG dump of unix sockets (what ss -x reads). */
#include "capture/socklist/socklist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#define UC_DIAG_SHOW (UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | \
		      UDIAG_SHOW_UID)

size_t uc_sl_diag_request(void *buf, size_t size, uint32_t seq)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req;
	if (size < sizeof(req))
		return 0;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = seq;
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0u;
	req.r.udiag_show = UC_DIAG_SHOW;
	memcpy(buf, &req, sizeof(req));
	return sizeof(req);
}

static int parse_one(struct uc_socklist *l, const struct nlmsghdr *h)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -EBADMSG;
	if (m->udiag_family != AF_UNIX)
		return 0;

	/* Attributes first: an inode-less socket is matched by its peer. */
	const struct rtattr *name = NULL, *vfs = NULL, *peer = NULL, *rqlen = NULL, *uid = NULL;
	int alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (const struct rtattr *a = (const void *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		switch (a->rta_type) {
		case UNIX_DIAG_NAME:
			name = a;
			break;
		case UNIX_DIAG_VFS:
			vfs = RTA_PAYLOAD(a) >= sizeof(struct unix_diag_vfs) ? a : NULL;
			break;
		case UNIX_DIAG_PEER:
			peer = RTA_PAYLOAD(a) >= sizeof(uint32_t) ? a : NULL;
			break;
		case UNIX_DIAG_RQLEN:
			rqlen = RTA_PAYLOAD(a) >= sizeof(struct unix_diag_rqlen) ? a : NULL;
			break;
		case UNIX_DIAG_UID:
			uid = RTA_PAYLOAD(a) >= sizeof(uint32_t) ? a : NULL;
			break;
		}
	}
	uint32_t peer_ino = 0;
	if (peer)
		memcpy(&peer_ino, RTA_DATA(peer), sizeof(peer_ino));

	struct uc_sock *s = m->udiag_ino ? uc_socklist_get(l, m->udiag_ino)
					 : uc_socklist_anon_for_peer(l, peer_ino, m->udiag_type);
	if (!s)
		return -ENOMEM;
	s->seen |= UC_SL_DIAG;
	s->type = m->udiag_type;
	s->state = m->udiag_state;
	/* UDIAG_SHOW_PEER was asked for: the attribute is there iff the socket has a peer (its
	 * inode is 0 while the peer waits to be accepted). */
	s->has_peer = peer != NULL;
	s->peer_inode = peer_ino;
	if (name)
		uc_sock_set_path(s, RTA_DATA(name), RTA_PAYLOAD(name));
	if (vfs) {
		struct unix_diag_vfs v;
		memcpy(&v, RTA_DATA(vfs), sizeof(v));
		s->have_vfs = true;
		s->vfs_ino = v.udiag_vfs_ino;
		s->vfs_dev = v.udiag_vfs_dev;
	}
	if (rqlen) {
		struct unix_diag_rqlen q;
		memcpy(&q, RTA_DATA(rqlen), sizeof(q));
		s->rqueue = q.udiag_rqueue;
		s->wqueue = q.udiag_wqueue;
	}
	if (uid) {
		memcpy(&s->uid, RTA_DATA(uid), sizeof(s->uid));
		s->have_uid = true;
	}
	return 0;
}

int uc_sl_diag_parse(struct uc_socklist *l, const void *buf, size_t len)
{
	int left = len > (size_t)INT32_MAX ? INT32_MAX : (int)len; /* NLMSG_OK compares it signed */
	for (const struct nlmsghdr *h = buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			return e->error < 0 ? e->error : -EPROTO;
		}
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;
		int e = parse_one(l, h);
		if (e)
			return e;
	}
	return 0;
}

static int dump_once(struct uc_socklist *l)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	char req[64];
	size_t n = uc_sl_diag_request(req, sizeof(req), 1);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	if (sendto(fd, req, n, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	static char buf[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	int e = 0;
	while (!e) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			e = -errno;
			break;
		}
		if (got == 0) {
			e = -EPROTO;
			break;
		}
		e = uc_sl_diag_parse(l, buf, (size_t)got);
	}
	close(fd);
	if (e < 0)
		return e;
	l->sources |= UC_SL_DIAG;
	return 0;
}

/* modprobe unix_diag, quietly; 0 when it exited 0. */
static int run_modprobe(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp("modprobe", "modprobe", "-q", "unix_diag", (char *)NULL);
		execl("/sbin/modprobe", "modprobe", "-q", "unix_diag", (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ENOENT;
}

int uc_sl_diag_collect(struct uc_socklist *l, bool *loaded_module, char *err, size_t errlen)
{
	*loaded_module = false;
	int e = dump_once(l);
	if (e == -ENOENT) {
		/* The kernel asks for the module itself; this covers a missing or failing
		 * request_module (no modprobe in the kernel's path, a container). */
		if (run_modprobe() == 0) {
			*loaded_module = true;
			e = dump_once(l);
		}
		if (e == -ENOENT) {
			snprintf(err, errlen,
				 "sock_diag has no AF_UNIX handler (unix_diag module not loaded and "
				 "'modprobe unix_diag' failed)");
			return e;
		}
	}
	if (e)
		snprintf(err, errlen, "sock_diag dump: %s", strerror(-e));
	return e;
}
