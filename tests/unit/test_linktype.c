/* The link-type header: the offsets docs/linktype.md promises, round trips, hostile packets. */
#include <errno.h>
#include <stdlib.h>

#include "writers/capfile/linktype.h"
#include "unit.h"

static uint8_t payload[300];
static struct uc_fd_info fds_in[2];

/* A send that passed two files and credentials, on a connected stream socket. */
static struct uc_message sample(void)
{
	struct uc_message m;

	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	m.id = 0x1122334455667788ull;
	m.m.pid = 1234;
	m.m.tid = 1235;
	m.m.uid = 1000;
	m.m.gid = 100;
	m.m.cgroup_id = 0xabcdefull;
	m.m.sock = 0xffff888102249e88ull;
	m.m.peer_sock = 0xffff888102249f60ull;
	m.m.inode = 4242;
	m.m.peer_inode = 4243;
	m.m.peer_pid = 999;
	m.m.len = 300;
	m.m.caplen = 300;
	m.m.err = 0;
	m.m.fd = 5;
	m.m.type = 1;
	m.m.backend = UC_BACKEND_TRACEPOINT;
	m.m.call = UC_CALL_SENDMSG;
	memcpy(m.m.comm, "sender", 7);
	memcpy(m.m.path, "\0abstract", 9);
	m.m.path_len = 9;
	memcpy(m.m.peer_path, "/run/x.sock", 11);
	m.m.peer_path_len = 11;
	m.m.n_fds = 2;
	m.m.cred_pid = 1234;
	m.m.cred_uid = 1000;
	m.m.cred_gid = 100;
	m.m.flags = UC_MF_CREDS;
	m.flags = UC_MF_CREDS;
	memcpy(m.peer_comm, "receiver", 9);
	m.ts_wall_ns = 1763888592123456789ull;
	m.caplen = 300;
	m.data = payload;
	fds_in[0] = (struct uc_fd_info){ .fd = 7, .peer_fd = -1, .file = 0xffff8881aaaa0000ull,
					 .ino = 77, .mode = 0100644, .kind = UC_FDK_PATH };
	strcpy(fds_in[0].name, "/etc/hostname");
	fds_in[1] = (struct uc_fd_info){ .fd = 8, .peer_fd = 12, .file = 0xffff8881bbbb0000ull,
					 .ino = 78, .mode = 0010600, .kind = UC_FDK_PIPE };
	strcpy(fds_in[1].name, "pipe:[78]");
	m.fds = fds_in;
	m.n_fds = 2;
	m.sender_pid = 0;
	return m;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t *build(const struct uc_message *m, uint32_t max, uint32_t *caplen,
		      uint32_t *orig, uint32_t *head_len)
{
	uint8_t *pkt = calloc(1, UC_LT_HEADER_LEN + UC_LT_FD_AREA_MAX + 262144);
	uint32_t pl;

	uc_lt_build(pkt, m, max, head_len, &pl, orig);
	memcpy(pkt + *head_len, m->data, pl);
	*caplen = *head_len + pl;
	return pkt;
}

/* Offsets are the contract with other tools: pin them, not just the round trip. */
static void test_layout(void)
{
	struct uc_message m = sample();
	uint32_t caplen, orig, head_len;
	uint8_t *p = build(&m, UC_LT_MAX_PACKET, &caplen, &orig, &head_len);

	size_t e0 = 32 + 16, e1 = 32 + 12; /* "/etc/hostname" 13 -> 16, "pipe:[78]" 9 -> 12 */
	CHECK_INT(head_len, 392 + e0 + e1);
	CHECK_INT(caplen, head_len + 300);
	CHECK_INT(orig, head_len + 300);
	CHECK_INT(p[0], 1);
	CHECK_INT(p[1], UC_BACKEND_TRACEPOINT);
	CHECK_INT(le32(p + 2) & 0xffff, 392);
	CHECK_INT(le32(p + 4), UC_MF_CREDS);
	CHECK(le64(p + 8) == 0x1122334455667788ull);
	CHECK_INT(le32(p + 16), 1234);
	CHECK_INT(le32(p + 20), 1235);
	CHECK_INT(le32(p + 24), 1000);
	CHECK_INT(le32(p + 28), 100);
	CHECK(le64(p + 32) == 0xabcdefull);
	CHECK(le64(p + 40) == 0xffff888102249e88ull);
	CHECK(le64(p + 48) == 4242);
	CHECK(le64(p + 56) == 0xffff888102249f60ull);
	CHECK(le64(p + 64) == 4243);
	CHECK_INT(le32(p + 72), 999);
	CHECK_INT(le32(p + 76), 300);
	CHECK_INT(le32(p + 80), 0);
	CHECK_INT(le32(p + 84), 5);
	CHECK_INT(le32(p + 88) & 0xffff, 1);
	CHECK_INT(p[90], UC_CALL_SENDMSG);
	CHECK_INT(le32(p + 92) & 0xffff, 9);
	CHECK_INT(le32(p + 94) & 0xffff, 11);
	CHECK(!memcmp(p + 96, "sender\0\0\0\0\0\0\0\0\0\0", 16));
	CHECK(!memcmp(p + 112, "receiver\0\0\0\0\0\0\0\0", 16));
	CHECK(!memcmp(p + 128, "\0abstract", 9) && p[137] == 0);
	CHECK(!memcmp(p + 236, "/run/x.sock", 11) && p[247] == 0);
	CHECK_INT(le32(p + 344), 1234);
	CHECK_INT(le32(p + 348), 1000);
	CHECK_INT(le32(p + 352), 100);
	CHECK_INT(le32(p + 356), 0);
	CHECK_INT(le32(p + 360), e0 + e1);
	CHECK_INT(le32(p + 364) & 0xffff, 2);
	CHECK_INT(le32(p + 366) & 0xffff, 2);
	CHECK(le64(p + 368) == 1763888592123456789ull);
	const uint8_t *e = p + 392;
	CHECK_INT((int32_t)le32(e), 7);
	CHECK_INT((int32_t)le32(e + 4), -1);
	CHECK(le64(e + 8) == 0xffff8881aaaa0000ull);
	CHECK(le64(e + 16) == 77);
	CHECK_INT(le32(e + 24), 0100644);
	CHECK_INT(e[28], UC_FDK_PATH);
	CHECK_INT(le32(e + 30) & 0xffff, 13);
	CHECK(!memcmp(e + 32, "/etc/hostname\0\0\0", 16));
	CHECK_INT((int32_t)le32(e + e0 + 4), 12);
	CHECK(!memcmp(p + head_len, payload, 300));
	free(p);
}

static void test_round_trip(void)
{
	struct uc_message m = sample(), back;
	static struct uc_fd_info fds[UC_MAX_FDS];
	struct uc_lt_packet pkt;
	const char *why = NULL;
	uint32_t caplen, orig, head_len;

	m.m.flags |= UC_MF_RECEIVE;
	m.flags |= UC_MF_RECEIVE;
	m.sender_pid = 77;
	m.sender_tid = 78;
	m.sender_id = 0x99;
	uint8_t *p = build(&m, UC_LT_MAX_PACKET, &caplen, &orig, &head_len);
	CHECK_INT(uc_lt_decode(p, caplen, &pkt, &why), 0);
	uc_lt_to_message(&pkt, &back, fds);
	CHECK(back.id == m.id);
	CHECK(back.ts_wall_ns == m.ts_wall_ns);
	CHECK_INT(back.flags, m.flags);
	CHECK_INT(back.m.flags, m.m.flags);
	CHECK_INT(back.m.pid, 1234);
	CHECK_INT(back.m.tid, 1235);
	CHECK(back.m.cgroup_id == m.m.cgroup_id && back.m.sock == m.m.sock);
	CHECK(back.m.peer_sock == m.m.peer_sock && back.m.peer_inode == m.m.peer_inode);
	CHECK_INT(back.m.path_len, 9);
	CHECK(!memcmp(back.m.path, m.m.path, 9));
	CHECK(!memcmp(back.m.peer_path, m.m.peer_path, 11));
	CHECK_STR(back.peer_comm, "receiver");
	CHECK_INT(back.m.cred_pid, 1234);
	CHECK_INT(back.m.cred_gid, 100);
	CHECK_INT(back.m.n_fds, 2);
	CHECK_INT(back.n_fds, 2);
	CHECK_INT((int32_t)back.m.fd, 5);
	CHECK_INT(back.sender_pid, 77);
	CHECK_INT(back.sender_tid, 78);
	CHECK(back.sender_id == 0x99);
	CHECK_INT(back.caplen, 300);
	CHECK(back.data && !memcmp(back.data, payload, 300));
	CHECK(back.fds == fds);
	CHECK_STR(fds[0].name, "/etc/hostname");
	CHECK_STR(fds[1].name, "pipe:[78]");
	CHECK_INT(fds[1].peer_fd, 12);
	CHECK_INT(fds[1].kind, UC_FDK_PIPE);
	CHECK_INT(fds[1].mode, 0010600);
	CHECK(fds[0].file == 0xffff8881aaaa0000ull && fds[0].ino == 77);
	free(p);
}

/* Without UC_MF_CREDS the credential slots are zero whatever the meta held. */
static void test_no_stale_creds(void)
{
	struct uc_message m = sample();
	uint32_t caplen, orig, head_len;

	m.m.flags = m.flags = 0;
	uint8_t *p = build(&m, UC_LT_MAX_PACKET, &caplen, &orig, &head_len);
	CHECK_INT(le32(p + 344) | le32(p + 348) | le32(p + 352), 0);
	free(p);
}

/* The packet limit cuts the payload, never the header or fd area, and says so. */
static void test_cut(void)
{
	struct uc_message m = sample();
	struct uc_lt_packet pkt;
	uint32_t caplen, orig, head_len;

	uint8_t *p = build(&m, 392 + 92 + 100, &caplen, &orig, &head_len);
	CHECK_INT(caplen, 392 + 92 + 100);
	CHECK_INT(orig, 392 + 92 + 300);
	CHECK(le32(p + 4) & UC_UF_TRUNCATED);
	CHECK_INT(uc_lt_decode(p, caplen, &pkt, NULL), 0);
	CHECK_INT(pkt.payload_len, 100);
	CHECK_INT(pkt.h.len, 300);
	free(p);
}

static void expect_bad(const uint8_t *p, size_t n, const char *what)
{
	struct uc_lt_packet pkt;
	const char *why = NULL;
	int rc = uc_lt_decode(p, n, &pkt, &why);

	CHECK_INT(rc, -EINVAL);
	CHECK(why != NULL);
	if (rc != -EINVAL)
		fprintf(stderr, "  accepted: %s\n", what);
}

static void test_hostile(void)
{
	struct uc_message m = sample();
	uint32_t caplen, orig, head_len;
	uint8_t *p = build(&m, UC_LT_MAX_PACKET, &caplen, &orig, &head_len);
	uint8_t *q = malloc(caplen);

	/* Every cut inside the header or the fd area is refused; inside the payload it is fine. */
	for (uint32_t n = 0; n < head_len; n++)
		expect_bad(p, n, "cut packet");
	struct uc_lt_packet pkt;
	CHECK_INT(uc_lt_decode(p, head_len, &pkt, NULL), 0);

#define MUTATE(off, val, what)                                                       \
	do {                                                                         \
		memcpy(q, p, caplen);                                                \
		q[off] = (uint8_t)(val);                                             \
		expect_bad(q, caplen, what);                                         \
	} while (0)
	MUTATE(0, 2, "version 2");
	MUTATE(2, 0, "header_len below 392");
	MUTATE(3, 0x10, "header_len past the packet");
	MUTATE(92, 109, "path_len 109");
	MUTATE(94, 200, "peer_path_len 200");
	MUTATE(360, 0xff, "fd area longer");
	MUTATE(363, 0x80, "fd area of 2 GiB");
	MUTATE(364, 3, "n_fds 3 for 2 entries");
	MUTATE(364, 1, "n_fds 1 for 2 entries");
	MUTATE(365, 1, "n_fds 258");
	MUTATE(392 + 30, 0xff, "fd name past the area");
	MUTATE(392 + 31, 0xff, "fd name of 65 KiB");
	MUTATE(76, 10, "payload longer than len");
#undef MUTATE

	/* Random damage: whatever the verdict, nothing outside the packet is read (ASan). */
	srand(1);
	for (int i = 0; i < 20000; i++) {
		memcpy(q, p, caplen);
		for (int k = 0; k < 4; k++)
			q[rand() % (int)head_len] = (uint8_t)rand();
		size_t n = (size_t)rand() % (caplen + 1);
		uint8_t *exact = malloc(n ? n : 1);
		memcpy(exact, q, n);
		if (uc_lt_decode(exact, n, &pkt, NULL) == 0) {
			static struct uc_fd_info fds[UC_MAX_FDS];
			struct uc_message back;
			uc_lt_to_message(&pkt, &back, fds);
			CHECK(back.n_fds <= UC_MAX_FDS);
		}
		free(exact);
	}
	free(q);
	free(p);
}

int main(void)
{
	test_layout();
	test_round_trip();
	test_no_stale_creds();
	test_cut();
	test_hostile();
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed != 0;
}
