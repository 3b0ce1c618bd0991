/* --view tcp: conversations as synthetic IPv4 TCP/UDP packets in pcapng (tcpview.h). */
#include "writers/tcpview/tcpview.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/core/clock.h"
#include "capture/core/numbers.h"
#include "capture/core/summary_line.h"
#include "capture/core/text.h"
#include "dissectors/route.h"
#include "writers/capfile/pcapng.h"
#include "writers/conv/conversation.h"

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define UDP_MAX_PAYLOAD (65535 - 20 - 8)

enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08, TH_ACK = 0x10 };

/* What the view keeps per conversation, beside the table's own record. */
struct tv_conv {
	bool started;        /* handshake (TCP) or first packet (UDP) written */
	bool tcp;
	bool closed[2];      /* FIN or RST sent by that end */
	uint16_t client_port, server_port;
	uint32_t addr[2];    /* [UC_CLIENT], [UC_SERVER] */
	uint32_t seq[2];     /* next sequence number of each end */
	uint16_t ip_id[2];
	uint64_t named_file; /* file number in which the names were last written, 0 = never */
	uint32_t named_pid[2];
	/* D-Bus: the SASL lines before the client's BEGIN go on a connection of their own
	 * (server port UC_PORT_OTHER), as Wireshark's D-Bus dissector reads binary messages
	 * from the first byte on; the messages' connection opens at the first byte after. */
	bool auth;           /* still before BEGIN */
	bool main_open;      /* handshake of the messages' connection written */
	uint16_t other_port; /* server port of the connection not in c->server_port */
	uint32_t other_seq[2];
};

/* Makes the other connection of a D-Bus conversation the current one (and back). */
static void swap_stream(struct tv_conv *c)
{
	uint16_t p = c->server_port;
	c->server_port = c->other_port;
	c->other_port = p;
	for (int i = 0; i < 2; i++) {
		uint32_t q = c->seq[i];
		c->seq[i] = c->other_seq[i];
		c->other_seq[i] = q;
	}
}

struct uc_tcpview {
	struct uc_encoder enc;
	const struct uc_options *o;
	struct uc_conv_table *table;
	struct tv_conv *convs;
	size_t n_convs;
	uint64_t file; /* files begun, from 1 */
	uint8_t head[20 + 24];
};

int uc_tcpview_parse_view(const char *name, enum uc_view *view)
{
	if (!strcmp(name, "unix"))
		*view = UC_VIEW_UNIX;
	else if (!strcmp(name, "tcp"))
		*view = UC_VIEW_TCP;
	else
		return -1;
	return 0;
}

static const struct {
	const char *name;
	uint16_t port;
} port_names[] = {
	{ "http", UC_PORT_HTTP },   { "http2", UC_PORT_HTTP }, { "grpc", UC_PORT_HTTP },
	{ "pgsql", UC_PORT_PGSQL }, { "postgresql", UC_PORT_PGSQL },
	{ "redis", UC_PORT_REDIS }, { "resp", UC_PORT_REDIS }, { "mysql", UC_PORT_MYSQL },
	{ "dbus", UC_PORT_DBUS },   { "other", UC_PORT_OTHER }, { "none", UC_PORT_OTHER },
};

int uc_tcpview_parse_port_rule(const char *text, struct uc_port_rule *r, char *err,
			       size_t errlen)
{
	const char *eq = strrchr(text, '=');
	uint64_t v;
	if (!eq || eq == text || !eq[1]) {
		snprintf(err, errlen, "bad --tcp-port '%s' (PATTERN=PORT, e.g. '/run/app/*.sock=5432')",
			 text);
		return -1;
	}
	if ((size_t)(eq - text) >= sizeof(r->pattern)) {
		snprintf(err, errlen, "--tcp-port pattern too long (at most %zu bytes)",
			 sizeof(r->pattern) - 1);
		return -1;
	}
	memcpy(r->pattern, text, (size_t)(eq - text));
	r->pattern[eq - text] = 0;
	for (size_t i = 0; i < sizeof(port_names) / sizeof(port_names[0]); i++) {
		if (!strcmp(eq + 1, port_names[i].name)) {
			r->port = port_names[i].port;
			return 0;
		}
	}
	if (uc_parse_u64(eq + 1, 1, 48000, &v)) {
		snprintf(err, errlen,
			 "bad port '%s' in --tcp-port (1..48000, or http, http2, grpc, pgsql, redis, "
			 "mysql, dbus, other)",
			 eq + 1);
		return -1;
	}
	r->port = (uint16_t)v;
	return 0;
}

static bool has(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

static bool starts(const uint8_t *p, size_t n, const char *s)
{
	size_t k = strlen(s);
	return n >= k && !memcmp(p, s, k);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t port_of_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strncmp(base, ".s.PGSQL.", 9))
		return UC_PORT_PGSQL;
	if (has(path, "redis") || has(path, "valkey"))
		return UC_PORT_REDIS;
	if (has(path, "mysql") || has(path, "mariadb"))
		return UC_PORT_MYSQL;
	if (uc_is_dbus_path(path))
		return UC_PORT_DBUS;
	/* gRPC (containerd, CRI, kubelet plugins) and Docker's HTTP API: the http dissector
	 * hands HTTP/2 prefaces on to http2, which finds gRPC by its content type. */
	if (has(path, "docker.sock") || has(path, "containerd") || has(path, "grpc") ||
	    has(path, "kubelet") || has(path, "cri-o") || has(path, "crio.sock") ||
	    has(path, "podman"))
		return UC_PORT_HTTP;
	return 0;
}

static uint16_t port_of_bytes(const uint8_t *p, size_t n)
{
	static const char *const methods[] = { "GET ", "POST ", "PUT ", "DELETE ", "HEAD ",
					       "OPTIONS ", "PATCH ", "CONNECT ", "PRI * HTTP/2.0" };
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (starts(p, n, methods[i]))
			return UC_PORT_HTTP;
	/* D-Bus: the credentials byte (alone, or with the first SASL line). */
	if (n == 1 && p[0] == 0)
		return UC_PORT_DBUS;
	if (n >= 6 && p[0] == 0 && !memcmp(p + 1, "AUTH ", 5))
		return UC_PORT_DBUS;
	/* PostgreSQL: a StartupMessage (protocol 3.0) or SSLRequest/GSSENCRequest. */
	if (n >= 8 && be32(p) >= 8 && be32(p) <= 10000 &&
	    (be32(p + 4) == 0x00030000 || be32(p + 4) == 80877103 || be32(p + 4) == 80877104))
		return UC_PORT_PGSQL;
	/* Redis: a RESP array of bulk strings. */
	if (n >= 4 && p[0] == '*' && p[1] >= '0' && p[1] <= '9' && memchr(p, '\n', n) &&
	    memchr(p, '$', n))
		return UC_PORT_REDIS;
	return 0;
}

uint16_t uc_tcpview_server_port(const struct uc_options *o, const char *const *paths,
				size_t npaths, const uint8_t *p, size_t n)
{
	uint16_t port;
	for (size_t i = 0; i < npaths; i++)
		for (unsigned r = 0; r < o->n_port_rules && paths[i][0]; r++)
			if (uc_glob_match(o->port_rules[r].pattern, paths[i]))
				return o->port_rules[r].port;
	for (size_t i = 0; i < npaths; i++)
		for (unsigned r = 0; r < o->n_decode && paths[i][0]; r++)
			if (uc_glob_match(o->decode[r].pattern, paths[i]))
				return o->decode[r].proto == UC_PROTO_DBUS   ? UC_PORT_DBUS
				       : o->decode[r].proto == UC_PROTO_HTTP ? UC_PORT_HTTP
									     : UC_PORT_OTHER;
	for (size_t i = 0; i < npaths; i++)
		if (paths[i][0] && (port = port_of_path(paths[i])))
			return port;
	if (p && (port = port_of_bytes(p, n)))
		return port;
	return UC_PORT_OTHER;
}

void uc_tcpview_addresses(uint64_t id, uint32_t *client, uint32_t *server, uint16_t *client_port)
{
	uint32_t k = (uint32_t)((id % 0x7fffff) + 1); /* 1..2^23-1: never .0.0.0 */
	*client = 0x7f000000u | k;
	*server = 0x7f800000u | k;
	*client_port = (uint16_t)(UC_PORT_CLIENT_BASE + id % UC_PORT_CLIENT_SPAN);
}

/* ---- packets -------------------------------------------------------------------------- */

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		s += (uint32_t)p[0] << 8 | p[1];
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)(v >> 16));
	w16(p + 2, (uint16_t)v);
}

struct seg {
	int from;              /* UC_CLIENT or UC_SERVER */
	uint8_t flags;         /* TCP flags; UDP when the conversation is not TCP */
	const uint8_t *data;   /* captured payload of this packet */
	uint32_t len;          /* bytes of data */
	uint32_t wire_len;     /* payload bytes the packet had (UDP: the datagram's length) */
	uint64_t ts;
	const char *comment;
	bool has_id;
	uint64_t id;
	bool outbound;
};

/* Writes one IPv4 packet of conversation c as an EPB. */
static int put_packet(struct uc_tcpview *v, struct uc_buf *b, struct tv_conv *c,
		      const struct seg *s)
{
	uint8_t *h = v->head;
	int to = !s->from;
	bool syn = s->flags & TH_SYN;
	size_t l4 = c->tcp ? (syn ? 24 : 20) : 8;
	uint32_t wire = s->wire_len;
	if (20 + l4 + wire > 65535)
		wire = (uint32_t)(65535 - 20 - l4);
	uint16_t total = (uint16_t)(20 + l4 + wire);
	uint16_t sport = s->from == UC_CLIENT ? c->client_port : c->server_port;
	uint16_t dport = s->from == UC_CLIENT ? c->server_port : c->client_port;

	memset(h, 0, 20 + l4);
	h[0] = 0x45;
	w16(h + 2, total);
	w16(h + 4, c->ip_id[s->from]++);
	w16(h + 6, 0x4000); /* don't fragment */
	h[8] = 64;
	h[9] = c->tcp ? IPPROTO_TCP_ : IPPROTO_UDP_;
	w32(h + 12, c->addr[s->from]);
	w32(h + 16, c->addr[to]);
	w16(h + 10, fold(sum16(0, h, 20)));

	uint8_t *t = h + 20;
	w16(t, sport);
	w16(t + 2, dport);
	if (c->tcp) {
		w32(t + 4, c->seq[s->from]);
		bool ack = !(syn && s->from == UC_CLIENT);
		w32(t + 8, ack ? c->seq[to] : 0);
		t[12] = (uint8_t)((l4 / 4) << 4);
		t[13] = (uint8_t)(s->flags | (ack ? TH_ACK : 0));
		w16(t + 14, 0xffff); /* scaled by 2^14 (SYN option): 1 GiB, never "window full" */
		if (syn) {
			t[20] = 1;  /* NOP */
			t[21] = 3;  /* window scale */
			t[22] = 3;
			t[23] = 14;
		}
	} else {
		w16(t + 4, (uint16_t)(8 + wire));
	}
	/* Checksum over the pseudo-header, the header and the captured payload (a packet cut
	 * short cannot be checked anyway; Wireshark does not by default). */
	uint32_t sum = sum16(0, h + 12, 8);
	sum += h[9];
	sum += (uint32_t)(l4 + wire);
	sum = sum16(sum, t, l4);
	sum = sum16(sum, s->data, s->len);
	uint16_t ck = fold(sum);
	if (!c->tcp && !ck)
		ck = 0xffff;
	w16(t + (c->tcp ? 16 : 6), ck);

	struct uc_pcapng_epb epb = {
		.if_id = 0,
		.ts = s->ts,
		.head = h,
		.head_len = (uint32_t)(20 + l4),
		.data = s->data,
		.data_len = s->len,
		.orig_len = (uint32_t)(20 + l4 + s->wire_len),
		.comment = s->comment,
		.flags = s->outbound ? UC_PCAPNG_DIR_OUTBOUND : 0,
		.packet_id = s->id,
		.has_packet_id = s->has_id,
	};
	if (!uc_pcapng_epb(b, &epb))
		return b->err ? b->err : -EINVAL;
	if (c->tcp)
		c->seq[s->from] += s->len + ((s->flags & (TH_SYN | TH_FIN)) ? 1 : 0);
	return 0;
}

/* Wireshark keeps names of at most 63 bytes (MAXNAMELEN): the process first, then the path,
 * shortened to ".../" + its last part when the whole would not fit. */
#define NAME_SHOWN_MAX 63

/* "COMM[PID] PATH", "COMM[PID]", or "PATH" when the process is not known. */
static void end_name(char *out, size_t size, const struct uc_conv_end *e, int side)
{
	char path[4 * UC_PATH_MAX + 2], comm[UC_COMM_LEN + 1], proc[UC_COMM_LEN + 24] = "";
	uc_format_path(path, sizeof(path), e->path, e->path_len);
	memcpy(comm, e->comm, UC_COMM_LEN);
	comm[UC_COMM_LEN] = 0;
	for (char *q = comm; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	if (e->pid && comm[0])
		snprintf(proc, sizeof(proc), "%s[%u]", comm, e->pid);
	else if (e->pid)
		snprintf(proc, sizeof(proc), "pid %u", e->pid);
	const char *shown = path, *slash = strrchr(path, '/');
	char cut[4 * UC_PATH_MAX + 8];
	if (strlen(proc) + 1 + strlen(path) > NAME_SHOWN_MAX && slash && slash != path) {
		snprintf(cut, sizeof(cut), "...%s", slash);
		shown = cut;
	}
	if (proc[0] && shown[0])
		snprintf(out, size, "%s %s", proc, shown);
	else if (proc[0] || shown[0])
		snprintf(out, size, "%s", proc[0] ? proc : shown);
	else
		snprintf(out, size, "%s", side == UC_CLIENT ? "unnamed client" : "unknown peer");
}

/* An NRB for both ends when they were never named in this file or their process changed. */
static int put_names(struct uc_tcpview *v, struct uc_buf *b, const struct uc_conv *conv,
		     struct tv_conv *c)
{
	if (c->named_file == v->file && c->named_pid[0] == conv->end[0].pid &&
	    c->named_pid[1] == conv->end[1].pid)
		return 0;
	char names[2][4 * UC_PATH_MAX + UC_COMM_LEN + 48];
	struct uc_pcapng_name rec[2];
	for (int i = 0; i < 2; i++) {
		end_name(names[i], sizeof(names[i]), &conv->end[i], i);
		rec[i] = (struct uc_pcapng_name){ .ipv4 = c->addr[i], .name = names[i] };
		c->named_pid[i] = conv->end[i].pid;
	}
	c->named_file = v->file;
	if (!uc_pcapng_nrb(b, rec, 2))
		return b->err ? b->err : -EINVAL;
	return 0;
}

static struct tv_conv *state_of(struct uc_tcpview *v, uint64_t id)
{
	if (id >= v->n_convs) {
		size_t n = v->n_convs ? v->n_convs : 64;
		while (n <= id)
			n *= 2;
		struct tv_conv *grown = realloc(v->convs, n * sizeof(*grown));
		if (!grown)
			return NULL;
		memset(grown + v->n_convs, 0, (n - v->n_convs) * sizeof(*grown));
		v->convs = grown;
		v->n_convs = n;
	}
	return &v->convs[id];
}

static void start(struct uc_tcpview *v, const struct uc_conv *conv, struct tv_conv *c,
		  const struct uc_message *m)
{
	char sp[4 * UC_PATH_MAX + 2], cp[4 * UC_PATH_MAX + 2];
	const char *paths[2] = { sp, cp };
	uc_format_path(sp, sizeof(sp), conv->end[UC_SERVER].path, conv->end[UC_SERVER].path_len);
	uc_format_path(cp, sizeof(cp), conv->end[UC_CLIENT].path, conv->end[UC_CLIENT].path_len);
	bool data = uc_conv_is_data(m) && m->data;
	c->tcp = conv->type != 2; /* stream and seqpacket as TCP, datagrams as UDP */
	c->server_port = uc_tcpview_server_port(v->o, paths, 2, data ? m->data : NULL,
						data ? m->caplen : 0);
	uc_tcpview_addresses(conv->id, &c->addr[UC_CLIENT], &c->addr[UC_SERVER], &c->client_port);
	c->seq[0] = c->seq[1] = 0;
	c->started = true;
	c->main_open = true;
	if (c->tcp && c->server_port == UC_PORT_DBUS && data && m->caplen &&
	    (m->data[0] == 0 || (m->caplen >= 5 && !memcmp(m->data, "AUTH ", 5)))) {
		/* the SASL connection is current until BEGIN */
		c->auth = true;
		c->main_open = false;
		c->other_port = UC_PORT_DBUS;
		c->server_port = UC_PORT_OTHER;
	}
}

static int handshake(struct uc_tcpview *v, struct uc_buf *b, struct tv_conv *c,
		     const struct uc_conv *conv, uint64_t ts)
{
	char note[160];
	snprintf(note, sizeof(note),
		 "unixcap conversation %llu (%s): handshake made up at its first message",
		 (unsigned long long)conv->id, uc_type_name(conv->type));
	struct seg s = { .from = UC_CLIENT, .flags = TH_SYN, .ts = ts, .comment = note };
	int e = put_packet(v, b, c, &s);
	s = (struct seg){ .from = UC_SERVER, .flags = TH_SYN, .ts = ts };
	if (!e)
		e = put_packet(v, b, c, &s);
	s = (struct seg){ .from = UC_CLIENT, .flags = 0, .ts = ts };
	if (!e)
		e = put_packet(v, b, c, &s);
	return e;
}

static int put_bytes(struct uc_tcpview *v, struct uc_buf *b, struct tv_conv *c,
		     const struct uc_message *m, int from, const uint8_t *data, uint64_t have,
		     uint64_t len, const char *line);

static int encode(void *ctx, struct uc_buf *b, const struct uc_message *m)
{
	struct uc_tcpview *v = ctx;
	int from;
	struct uc_conv *conv = uc_conv_add(v->table, m, &from);
	struct tv_conv *c = conv ? state_of(v, conv->id) : NULL;
	if (!c)
		return -ENOMEM;
	bool first = !c->started;
	if (first)
		start(v, conv, c, m);
	int e = put_names(v, b, conv, c);
	if (!e && first && c->tcp)
		e = handshake(v, b, c, conv, m->ts_wall_ns);
	if (e)
		return e;

	char ts[48], line[UC_SUMMARY_MAX + 64];
	uc_format_time(ts, sizeof(ts), m->ts_wall_ns);
	size_t k = uc_format_summary(line, sizeof(line), m, ts);
	snprintf(line + k, sizeof(line) - k, " [conversation %llu]", (unsigned long long)conv->id);

	if (!uc_conv_is_data(m)) {
		/* A failed send says how the peer left: EPIPE after a close, ECONNRESET after a
		 * close with unread data: the peer's FIN or RST. Receive events (--fds) and other
		 * failures move no bytes and are left out (docs/wireshark.md, limits). */
		int peer = !from;
		if (!c->tcp || !(m->m.flags & UC_MF_ERROR) || c->closed[peer] ||
		    (m->m.err != -32 /* EPIPE */ && m->m.err != -104 /* ECONNRESET */))
			return 0;
		struct seg s = { .from = peer, .flags = m->m.err == -32 ? TH_FIN : TH_RST,
				 .ts = m->ts_wall_ns, .comment = line, .has_id = true, .id = m->id };
		c->closed[peer] = true;
		return put_packet(v, b, c, &s);
	}

	uint64_t have = m->data ? m->caplen : 0;
	if (have > m->m.len)
		have = m->m.len;
	if (!c->tcp) {
		uint32_t n = have > UDP_MAX_PAYLOAD ? UDP_MAX_PAYLOAD : (uint32_t)have;
		uint32_t wire = m->m.len > UDP_MAX_PAYLOAD ? UDP_MAX_PAYLOAD : m->m.len;
		struct seg s = { .from = from, .data = m->data, .len = n, .wire_len = wire,
				 .ts = m->ts_wall_ns, .comment = line, .has_id = true, .id = m->id,
				 .outbound = true };
		return put_packet(v, b, c, &s);
	}
	if (!c->auth)
		return put_bytes(v, b, c, m, from, m->data, have, m->m.len, line);
	/* D-Bus before BEGIN: the client's lines up to BEGIN, and the server's answers, on the
	 * SASL connection; what follows BEGIN opens the messages' connection. */
	uint64_t n_auth = m->m.len;
	bool begin = false;
	for (uint64_t i = 0; from == UC_CLIENT && i + 7 <= have; i++) {
		if (!memcmp(m->data + i, "BEGIN\r\n", 7) && (i == 0 || m->data[i - 1] == '\n')) {
			n_auth = i + 7;
			begin = true;
			break;
		}
	}
	e = put_bytes(v, b, c, m, from, m->data, have < n_auth ? have : n_auth, n_auth, line);
	if (e || !begin)
		return e;
	c->auth = false;
	swap_stream(c);
	e = handshake(v, b, c, conv, m->ts_wall_ns);
	c->main_open = true;
	if (e || n_auth >= m->m.len)
		return e;
	return put_bytes(v, b, c, m, from, m->data + n_auth, have > n_auth ? have - n_auth : 0,
			 m->m.len - n_auth, line);
}

/* Bytes of one send on the current connection: the captured ones as segments of at most one
 * MSS, then a jump of the sequence over those the capture lacks, so the hole shows. */
static int put_bytes(struct uc_tcpview *v, struct uc_buf *b, struct tv_conv *c,
		     const struct uc_message *m, int from, const uint8_t *data, uint64_t have,
		     uint64_t len, const char *line)
{
	int e;
	uint32_t start_seq = c->seq[from];
	uint64_t off = 0;
	int part = 0;
	do {
		uint32_t n = have - off > UC_TCPVIEW_MSS ? UC_TCPVIEW_MSS : (uint32_t)(have - off);
		bool last = off + n >= have;
		char more[96];
		if (part)
			snprintf(more, sizeof(more), "message %llu continued: bytes %llu..%llu of %u",
				 (unsigned long long)m->id, (unsigned long long)off,
				 (unsigned long long)(off + n), m->m.len);
		struct seg s = { .from = from, .flags = last ? TH_PSH : 0, .data = data + off,
				 .len = n, .wire_len = n, .ts = m->ts_wall_ns,
				 .comment = part ? more : line, .has_id = true, .id = m->id,
				 .outbound = true };
		if (n == 0 && have == 0 && len == 0)
			return 0; /* a zero-length send: nothing on the wire */
		if (n == 0)
			break; /* nothing captured at all: only the jump below */
		e = put_packet(v, b, c, &s);
		if (e)
			return e;
		off += n;
		part++;
	} while (off < have);
	c->seq[from] = start_seq + (uint32_t)len;
	if (have < len) {
		/* An empty segment at the sequence number after the hole, so that Wireshark
		 * marks the hole ("previous segment not captured") even when nothing follows. */
		char note[128];
		snprintf(note, sizeof(note), "message %llu: %llu bytes not captured before this point",
			 (unsigned long long)m->id, (unsigned long long)(len - have));
		struct seg s = { .from = from, .ts = m->ts_wall_ns, .comment = note, .has_id = true,
				 .id = m->id, .outbound = true };
		return put_packet(v, b, c, &s);
	}
	return 0;
}

static void file_begins(void *ctx)
{
	struct uc_tcpview *v = ctx;
	v->file++; /* names again in every file, so each one reads on its own */
}

static void tcpview_free(struct uc_encoder *e)
{
	struct uc_tcpview *v = e->ctx;
	if (!v)
		return;
	uc_conv_table_free(v->table);
	free(v->convs);
	free(v);
}

struct uc_encoder *uc_tcpview_encoder(const struct uc_options *o)
{
	static struct uc_encoder no_memory; /* packet NULL: uc_writer_open fails */
	if (o->view != UC_VIEW_TCP)
		return NULL;
	struct uc_tcpview *v = calloc(1, sizeof(*v));
	if (!v)
		return &no_memory;
	v->table = uc_conv_table_new();
	if (!v->table) {
		free(v);
		return &no_memory;
	}
	v->o = o;
	v->enc = (struct uc_encoder){
		.linktype = UC_TCPVIEW_LINKTYPE,
		.snaplen = UC_TCPVIEW_SNAPLEN,
		.packet = encode,
		.file_begins = file_begins,
		.free = tcpview_free,
		.ctx = v,
	};
	return &v->enc;
}
