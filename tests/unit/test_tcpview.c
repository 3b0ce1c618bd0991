/* --view tcp (writers/tcpview): addresses, server ports, and the packets of a conversation. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "writers/tcpview/tcpview.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The packets (EPB data) of a buffer, and how many NRBs it holds. */
struct pkt {
	const uint8_t *ip;
	uint32_t caplen, origlen;
};

static size_t packets(const struct uc_buf *b, struct pkt *out, size_t max, int *nrbs)
{
	size_t n = 0;
	*nrbs = 0;
	for (size_t off = 0; off + 12 <= b->len;) {
		uint32_t type = le32(b->data + off), len = le32(b->data + off + 4);
		if (type == UC_PCAPNG_NRB)
			(*nrbs)++;
		if (type == UC_PCAPNG_EPB && n < max)
			out[n++] = (struct pkt){ b->data + off + 28, le32(b->data + off + 20),
						 le32(b->data + off + 24) };
		off += len;
	}
	return n;
}

static struct uc_message msg(uint64_t id, uint64_t sock, uint64_t peer, const char *path,
			     const char *peer_path, const void *data, uint32_t caplen, uint32_t len)
{
	struct uc_message m = { .id = id, .caplen = caplen, .data = data };
	m.m.sock = sock;
	m.m.peer_sock = peer;
	m.m.inode = sock & 0xffff;
	m.m.peer_inode = peer & 0xffff;
	m.m.len = len;
	m.m.type = 1;
	m.m.pid = 100 + (uint32_t)(sock & 0xff);
	memcpy(m.m.comm, "test", 4);
	m.m.path_len = (uint16_t)strlen(path);
	memcpy(m.m.path, path, m.m.path_len);
	m.m.peer_path_len = (uint16_t)strlen(peer_path);
	memcpy(m.m.peer_path, peer_path, m.m.peer_path_len);
	m.ts_wall_ns = 1000000000ull * id;
	m.flags = caplen < len ? UC_UF_TRUNCATED : 0;
	return m;
}

static void test_addresses(void)
{
	uint32_t c, s;
	uint16_t p;
	uc_tcpview_addresses(0, &c, &s, &p);
	CHECK(c == 0x7f000001 && s == 0x7f800001 && p == 49152);
	uc_tcpview_addresses(255, &c, &s, &p);
	CHECK(c == 0x7f000100 && s == 0x7f800100 && p == 49152 + 255);
}

static void test_ports(void)
{
	struct uc_options o = { 0 };
	const char *pg[] = { "/run/postgresql/.s.PGSQL.5433", "" };
	const char *redis[] = { "/run/redis/redis-server.sock" };
	const char *dbus[] = { "/run/dbus/system_bus_socket" };
	const char *plain[] = { "/tmp/x.sock" };
	CHECK_INT(uc_tcpview_server_port(&o, pg, 2, NULL, 0), 5432);
	CHECK_INT(uc_tcpview_server_port(&o, redis, 1, NULL, 0), 6379);
	CHECK_INT(uc_tcpview_server_port(&o, dbus, 1, NULL, 0), UC_PORT_DBUS);
	CHECK_INT(uc_tcpview_server_port(&o, plain, 1, NULL, 0), UC_PORT_OTHER);
	const uint8_t h2[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	CHECK_INT(uc_tcpview_server_port(&o, plain, 1, h2, sizeof(h2) - 1), 80);
	const uint8_t startup[] = { 0, 0, 0, 8, 0, 3, 0, 0 };
	CHECK_INT(uc_tcpview_server_port(&o, plain, 1, startup, 8), 5432);
	char err[256];
	CHECK(uc_tcpview_parse_port_rule("/tmp/*.sock=grpc", &o.port_rules[0], err, sizeof(err)) == 0);
	o.n_port_rules = 1;
	CHECK_INT(uc_tcpview_server_port(&o, plain, 1, NULL, 0), 80);
	CHECK(uc_tcpview_parse_port_rule("/tmp/x=99999", &o.port_rules[1], err, sizeof(err)) < 0);
	CHECK(uc_tcpview_parse_port_rule("=80", &o.port_rules[1], err, sizeof(err)) < 0);
	enum uc_view v;
	CHECK(uc_tcpview_parse_view("tcp", &v) == 0 && v == UC_VIEW_TCP);
	CHECK(uc_tcpview_parse_view("udp", &v) < 0);
}

static void test_stream(void)
{
	struct uc_options o = { .view = UC_VIEW_TCP };
	struct uc_encoder *e = uc_tcpview_encoder(&o);
	struct uc_buf b = { 0 };
	static uint8_t big[200000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	CHECK(e && e->packet && e->linktype == 101);
	e->file_begins(e->ctx);
	/* client (unnamed, sock 0x10) sends 10 bytes to the server bound at a redis path */
	struct uc_message m1 = msg(1, 0x10, 0x20, "", "/run/redis.sock", "*1\r\n$4\r\nPING", 10, 10);
	/* server answers 200000 bytes of which 100000 were captured */
	struct uc_message m2 = msg(2, 0x20, 0x10, "/run/redis.sock", "", big, 100000, 200000);
	/* client sends 5 more */
	struct uc_message m3 = msg(3, 0x10, 0x20, "", "/run/redis.sock", "abcde", 5, 5);
	/* server sends 3 more: after the hole */
	struct uc_message m4 = msg(4, 0x20, 0x10, "/run/redis.sock", "", "xyz", 3, 3);
	CHECK(e->packet(e->ctx, &b, &m1) == 0);
	CHECK(e->packet(e->ctx, &b, &m2) == 0);
	CHECK(e->packet(e->ctx, &b, &m3) == 0);
	CHECK(e->packet(e->ctx, &b, &m4) == 0);
	struct pkt p[16];
	int nrbs;
	size_t n = packets(&b, p, 16, &nrbs);
	/* SYN, SYN-ACK, ACK, m1, m2 as 2 segments + the empty one after the hole, m3, m4 */
	CHECK_INT(n, 9);
	CHECK(nrbs >= 1);
	if (n == 9) {
		CHECK(p[0].ip[0] == 0x45 && p[0].ip[9] == 6);
		CHECK(be32(p[0].ip + 12) == 0x7f000001 && be32(p[0].ip + 16) == 0x7f800001);
		CHECK(be16(p[0].ip + 22) == 6379 && p[0].ip[33] == 0x02);
		CHECK(p[1].ip[33] == 0x12 && be32(p[1].ip + 28) == 1);
		CHECK(be32(p[3].ip + 24) == 1 && p[3].caplen == 40 + 10);     /* m1 at seq 1 */
		CHECK(be32(p[4].ip + 24) == 1 && p[4].caplen == 40 + UC_TCPVIEW_MSS);
		CHECK(be32(p[5].ip + 24) == 1 + UC_TCPVIEW_MSS &&
		      p[5].caplen == 40 + 100000 - UC_TCPVIEW_MSS);
		CHECK(be32(p[6].ip + 24) == 1 + 200000 && p[6].caplen == 40); /* after the hole */
		CHECK(be32(p[7].ip + 24) == 11 && be32(p[7].ip + 28) == 200001); /* m3 acks all */
		CHECK(be32(p[8].ip + 24) == 200001 && p[8].caplen == 43);      /* m4 */
		/* IPv4 header checksum folds to zero */
		uint32_t s = 0;
		for (int i = 0; i < 20; i += 2)
			s += be16(p[8].ip + i);
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		CHECK(s == 0xffff);
	}
	uc_buf_free(&b);
	e->free(e);
}

static void test_dgram(void)
{
	struct uc_options o = { .view = UC_VIEW_TCP };
	struct uc_encoder *e = uc_tcpview_encoder(&o);
	struct uc_buf b = { 0 };
	struct uc_message m = msg(1, 0x30, 0x40, "", "/dev/log", "<13>hi", 6, 6);
	m.m.type = 2;
	CHECK(e->packet(e->ctx, &b, &m) == 0);
	struct pkt p[4];
	int nrbs;
	size_t n = packets(&b, p, 4, &nrbs);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK(p[0].ip[9] == 17 && be16(p[0].ip + 24) == 8 + 6 && p[0].caplen == 34);
	uc_buf_free(&b);
	e->free(e);
	o.view = UC_VIEW_UNIX;
	CHECK(uc_tcpview_encoder(&o) == NULL);
}

/* D-Bus: SASL lines on server port 40000, messages from BEGIN on 40001. */
static void test_dbus_auth(void)
{
	struct uc_options o = { .view = UC_VIEW_TCP };
	struct uc_encoder *e = uc_tcpview_encoder(&o);
	struct uc_buf b = { 0 };
	const char *bus = "/run/user/0/bus";
	static const char hello[] = "BEGIN\r\nl\1\0\1"; /* BEGIN and a message's first bytes */
	struct uc_message m1 = msg(1, 0x10, 0x20, "", bus, "\0AUTH EXTERNAL 30\r\n", 20, 20);
	struct uc_message m2 = msg(2, 0x20, 0x10, bus, "", "OK 1234\r\n", 9, 9);
	struct uc_message m3 = msg(3, 0x10, 0x20, "", bus, hello, 11, 11);
	CHECK(e->packet(e->ctx, &b, &m1) == 0);
	CHECK(e->packet(e->ctx, &b, &m2) == 0);
	CHECK(e->packet(e->ctx, &b, &m3) == 0);
	struct pkt p[16];
	int nrbs;
	size_t n = packets(&b, p, 16, &nrbs);
	/* 3 handshake, AUTH, OK, BEGIN; 3 handshake, the message's 4 bytes */
	CHECK_INT(n, 10);
	if (n == 10) {
		CHECK(be16(p[3].ip + 22) == UC_PORT_OTHER && p[3].caplen == 40 + 20);
		CHECK(be16(p[5].ip + 22) == UC_PORT_OTHER && p[5].caplen == 40 + 7);
		CHECK(be16(p[6].ip + 22) == UC_PORT_DBUS && p[6].ip[33] == 0x02);
		CHECK(be16(p[9].ip + 22) == UC_PORT_DBUS && p[9].caplen == 40 + 4 &&
		      be32(p[9].ip + 24) == 1 && p[9].ip[40] == 'l');
	}
	uc_buf_free(&b);
	e->free(e);
}

int main(void)
{
	test_dbus_auth();
	test_addresses();
	test_ports();
	test_stream();
	test_dgram();
	UNIT_DONE();
}
