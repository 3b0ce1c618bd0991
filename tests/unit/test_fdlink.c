/* Linking receives of passed fds to their sends, holding receives that come first. */
#include "capture/live/fdlink.h"
#include "unit.h"

#include <stdlib.h>

#define A_SOCK 0xffff0000000000a0ull
#define B_SOCK 0xffff0000000000b0ull

struct out {
	struct uc_message msgs[8];
	struct uc_fd_info fds[8][4];
	int n;
};

static int collect(struct uc_message *m, void *ctx)
{
	struct out *o = ctx;
	if (o->n < 8) {
		o->msgs[o->n] = *m;
		memcpy(o->fds[o->n], m->fds, m->n_fds * sizeof(*m->fds));
		o->msgs[o->n].fds = o->fds[o->n];
		o->n++;
	}
	return 0;
}

/* A message of n fds whose files are files[]; a receive when recv. */
static struct uc_message msg(struct uc_fd_info *fds, const uint64_t *files, const int *nums,
			     int n, bool recv, uint32_t tid, uint64_t sock, uint64_t peer)
{
	struct uc_message m = { 0 };
	m.id = tid * 100u + (unsigned)n;
	m.m.pid = m.m.tid = tid;
	m.m.sock = sock;
	m.m.peer_sock = peer;
	m.m.n_fds = (uint16_t)n;
	m.m.flags = recv ? UC_MF_RECEIVE : 0;
	m.n_fds = (uint16_t)n;
	m.fds = fds;
	for (int i = 0; i < n; i++)
		fds[i] = (struct uc_fd_info){ .fd = nums[i], .peer_fd = -1, .file = files[i] };
	return m;
}

static void test_in_order(void)
{
	struct uc_fdlink *l = uc_fdlink_new();
	struct uc_fd_info sf[2], rf[2];
	uint64_t files[] = { 0x1000, 0x2000 };
	int sent[] = { 5, 6 }, got[] = { 20, 21 };
	struct uc_message s = msg(sf, files, sent, 2, false, 10, A_SOCK, B_SOCK);
	struct uc_message r = msg(rf, files, got, 2, true, 11, B_SOCK, A_SOCK);

	CHECK(uc_fdlink_update(l, &s, 0));
	CHECK(uc_fdlink_update(l, &r, 1));
	CHECK_INT(rf[0].peer_fd, 5);
	CHECK_INT(rf[1].peer_fd, 6);
	CHECK_INT((int)r.sender_pid, 10);
	/* The same files again: the first send is taken, nothing left to link. */
	struct uc_fd_info rf2[1];
	struct uc_message r2 = msg(rf2, files, got, 1, true, 11, B_SOCK, A_SOCK);
	CHECK(!uc_fdlink_update(l, &r2, 2)); /* held */
	struct out o = { .n = 0 };
	CHECK_INT(uc_fdlink_release(l, 3, false, collect, &o), 0);
	CHECK_INT(o.n, 0);
	CHECK_INT(uc_fdlink_release(l, 2 + UC_FDLINK_HOLD_NS, false, collect, &o), 0);
	CHECK_INT(o.n, 1);
	CHECK_INT(o.fds[0][0].peer_fd, -1);
	CHECK_INT((int)o.msgs[0].sender_pid, 0);
	uc_fdlink_free(l);
}

/* The receiver's syscall returned first: the receive waits for its send, then follows it. */
static void test_receive_first(void)
{
	struct uc_fdlink *l = uc_fdlink_new();
	struct uc_fd_info sf[1], rf[1], bf[1];
	uint64_t files[] = { 0x3000 };
	int sent[] = { 7 }, got[] = { 30 }, back[] = { 9 };
	struct uc_message r = msg(rf, files, got, 1, true, 11, B_SOCK, A_SOCK);
	struct uc_message s = msg(sf, files, sent, 1, false, 10, A_SOCK, B_SOCK);
	/* B sent the same file earlier the other way: must not be taken for A's send. */
	struct uc_message b = msg(bf, files, back, 1, false, 11, B_SOCK, A_SOCK);
	struct out o = { .n = 0 };

	CHECK(uc_fdlink_update(l, &b, 0));
	CHECK(!uc_fdlink_update(l, &r, 1));
	rf[0].peer_fd = 99; /* the held copy is independent of the caller's buffer */
	CHECK(uc_fdlink_update(l, &s, 2));
	CHECK_INT(uc_fdlink_release(l, 2, false, collect, &o), 0);
	CHECK_INT(o.n, 1);
	CHECK_INT(o.fds[0][0].fd, 30);
	CHECK_INT(o.fds[0][0].peer_fd, 7);
	CHECK_INT((int)o.msgs[0].sender_tid, 10);
	uc_fdlink_free(l);
}

/* At exit everything held comes out, linked or not. */
static void test_force(void)
{
	struct uc_fdlink *l = uc_fdlink_new();
	struct uc_fd_info rf[1];
	uint64_t files[] = { 0x4000 };
	int got[] = { 40 };
	struct uc_message r = msg(rf, files, got, 1, true, 11, B_SOCK, A_SOCK);
	struct out o = { .n = 0 };

	CHECK(!uc_fdlink_update(l, &r, 5));
	CHECK_INT(uc_fdlink_release(l, 0, true, collect, &o), 0);
	CHECK_INT(o.n, 1);
	uc_fdlink_free(l);
}

int main(void)
{
	test_in_order();
	test_receive_first();
	test_force();
	UNIT_DONE();
}
