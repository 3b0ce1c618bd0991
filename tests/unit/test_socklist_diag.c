/* Socket listing: the sock_diag request unixcap sends and its parsing of the kernel's
 * answers, from netlink messages built here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "capture/socklist/socklist.h"
#include "unit.h"

/* ---- netlink messages -------------------------------------------------------------------- */

struct nlbuf {
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t len;
	struct nlmsghdr *cur;
};

static void nl_begin(struct nlbuf *b, uint16_t type)
{
	b->cur = (struct nlmsghdr *)(b->buf + b->len);
	memset(b->cur, 0, NLMSG_HDRLEN);
	b->cur->nlmsg_type = type;
	b->cur->nlmsg_len = NLMSG_HDRLEN;
}

static void nl_put(struct nlbuf *b, const void *data, size_t n)
{
	memcpy((char *)b->cur + b->cur->nlmsg_len, data, n);
	b->cur->nlmsg_len += (uint32_t)NLMSG_ALIGN(n);
}

static void nl_attr(struct nlbuf *b, uint16_t type, const void *data, size_t n)
{
	struct rtattr *a = (struct rtattr *)((char *)b->cur + b->cur->nlmsg_len);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(n);
	memcpy(RTA_DATA(a), data, n);
	b->cur->nlmsg_len += (uint32_t)RTA_ALIGN(a->rta_len);
}

static void nl_end(struct nlbuf *b)
{
	b->len += NLMSG_ALIGN(b->cur->nlmsg_len);
}

static void diag_sock(struct nlbuf *b, uint32_t ino, uint8_t type, uint8_t state, const char *name,
		      size_t name_len, const uint32_t *peer, uint32_t rq, uint32_t wq)
{
	struct unix_diag_msg m = { .udiag_family = AF_UNIX,
				   .udiag_type = type,
				   .udiag_state = state,
				   .udiag_ino = ino };
	nl_begin(b, SOCK_DIAG_BY_FAMILY);
	nl_put(b, &m, sizeof(m));
	if (name)
		nl_attr(b, UNIX_DIAG_NAME, name, name_len);
	if (peer)
		nl_attr(b, UNIX_DIAG_PEER, peer, sizeof(*peer));
	struct unix_diag_rqlen q = { rq, wq };
	nl_attr(b, UNIX_DIAG_RQLEN, &q, sizeof(q));
	nl_end(b);
}

/* ---- sock_diag --------------------------------------------------------------------------- */

static void test_diag_request(void)
{
	char buf[64];
	size_t n = uc_sl_diag_request(buf, sizeof(buf), 7);
	const struct nlmsghdr *h = (const void *)buf;
	const struct unix_diag_req *r = NLMSG_DATA(h);

	CHECK_INT(n, NLMSG_LENGTH(sizeof(*r)));
	CHECK_INT(h->nlmsg_type, SOCK_DIAG_BY_FAMILY);
	CHECK_INT(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	CHECK_INT(h->nlmsg_seq, 7);
	CHECK_INT(r->sdiag_family, AF_UNIX);
	CHECK_INT(r->udiag_states, 0xffffffffu);
	CHECK(r->udiag_show & UDIAG_SHOW_NAME);
	CHECK(r->udiag_show & UDIAG_SHOW_PEER);
	CHECK(r->udiag_show & UDIAG_SHOW_RQLEN);
	CHECK(r->udiag_show & UDIAG_SHOW_VFS);
	CHECK_INT(uc_sl_diag_request(buf, 8, 1), 0);
}

static void test_diag_parse(void)
{
	static struct nlbuf b;
	struct uc_socklist l;
	uint32_t p100 = 101, p101 = 100, p0 = 0, p200 = 200;

	memset(&b, 0, sizeof(b));
	uc_socklist_init(&l);
	/* A pair, a listener with a filesystem name (stored with its NUL), an abstract name
	 * with a NUL inside, a client whose peer waits for accept (peer inode 0) and that
	 * waiting socket (inode 0), an unconnected datagram socket. */
	diag_sock(&b, 100, SOCK_STREAM, 1, NULL, 0, &p100, 0, 0);
	diag_sock(&b, 101, SOCK_STREAM, 1, NULL, 0, &p101, 3, 0);
	diag_sock(&b, 102, SOCK_STREAM, 10, "/run/x.sock", 12, NULL, 1, 128);
	diag_sock(&b, 103, SOCK_DGRAM, 7, "\0ab\0c", 5, NULL, 0, 0);
	diag_sock(&b, 200, SOCK_STREAM, 1, NULL, 0, &p0, 0, 0);
	diag_sock(&b, 0, SOCK_STREAM, 1, "/run/x.sock", 12, &p200, 0, 0);
	CHECK_INT(uc_sl_diag_parse(&l, b.buf, b.len), 0);
	CHECK_INT(l.n, 6);

	struct uc_sock *s = uc_socklist_find(&l, 101);
	CHECK(s != NULL);
	if (s) {
		CHECK_INT(s->peer_inode, 100);
		CHECK(s->has_peer);
		CHECK_INT(s->rqueue, 3);
		CHECK_INT(s->type, SOCK_STREAM);
		CHECK_INT(s->state, UC_SL_ESTABLISHED);
		CHECK_INT(s->seen, UC_SL_DIAG);
	}
	s = uc_socklist_find(&l, 102);
	if (s) {
		CHECK_INT(s->path_len, 11); /* the trailing NUL is not kept */
		CHECK_STR(s->path, "/run/x.sock");
		CHECK(!s->has_peer);
		CHECK_INT(s->state, UC_SL_LISTEN);
		CHECK_INT(s->wqueue, 128);
	}
	s = uc_socklist_find(&l, 103);
	if (s) {
		CHECK_INT(s->path_len, 5);
		CHECK(!memcmp(s->path, "\0ab\0c", 5));
	}
	s = uc_socklist_find(&l, 200);
	if (s) {
		CHECK(s->has_peer); /* connected, to a socket without inode */
		CHECK_INT(s->peer_inode, 0);
	}

	/* The same inode-less socket reported again merges with the first report. */
	memset(&b, 0, sizeof(b));
	diag_sock(&b, 0, SOCK_STREAM, 1, "/run/x.sock", 12, &p200, 5, 0);
	nl_begin(&b, NLMSG_DONE);
	int zero = 0;
	nl_put(&b, &zero, sizeof(zero));
	nl_end(&b);
	CHECK_INT(uc_sl_diag_parse(&l, b.buf, b.len), 1);
	CHECK_INT(l.n, 6);

	/* Errors come back as -errno. */
	memset(&b, 0, sizeof(b));
	nl_begin(&b, NLMSG_ERROR);
	struct nlmsgerr err = { .error = -ENOENT };
	nl_put(&b, &err, sizeof(err));
	nl_end(&b);
	CHECK_INT(uc_sl_diag_parse(&l, b.buf, b.len), -ENOENT);

	/* A truncated message is refused, not read past its end. */
	memset(&b, 0, sizeof(b));
	nl_begin(&b, SOCK_DIAG_BY_FAMILY);
	nl_put(&b, "\x01\x01", 2);
	nl_end(&b);
	CHECK_INT(uc_sl_diag_parse(&l, b.buf, b.len), -EBADMSG);
	uc_socklist_free(&l);
}

int main(void)
{
	test_diag_request();
	test_diag_parse();
	UNIT_DONE();
}
