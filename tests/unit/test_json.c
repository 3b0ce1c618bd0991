/* --json lines: exact text, escaping, and validity checked by a small strict parser. */
#include <errno.h>
#include <stdlib.h>

#include "writers/console/console.h"
#include "writers/console/json.h"
#include "unit.h"

/* ---- a strict RFC 8259 validator, enough to catch any malformed output ---- */

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *value(const char *p, int depth);

static const char *string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 5;
				continue;
			}
			if (!*p || !strchr("\"\\/bfnrt", *p))
				return NULL;
		}
		p++;
	}
	return p + 1;
}

static const char *digits(const char *p)
{
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

static const char *number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (!(p = digits(p)))
		return NULL;
	if (*p == '.' && !(p = digits(p + 1)))
		return NULL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = digits(p);
	}
	return p;
}

static const char *container(const char *p, int depth, char close, bool object)
{
	p = ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if (!(p = string(ws(p))))
				return NULL;
			p = ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if (!(p = value(p, depth + 1)))
			return NULL;
		p = ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *value(const char *p, int depth)
{
	if (depth > 32)
		return NULL;
	p = ws(p);
	switch (*p) {
	case '{':
		return container(p, depth, '}', true);
	case '[':
		return container(p, depth, ']', false);
	case '"':
		return string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return number(p);
	}
}

/* One object, one trailing newline, nothing else, and 7-bit clean. */
static bool valid_line(const char *s)
{
	const char *end;

	for (const char *p = s; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return false;
	if (*s != '{')
		return false;
	end = value(s, 0);
	return end && end[0] == '\n' && end[1] == '\0';
}

/* ---- the writer ---- */

static char *out_text;

static const char *json(const struct uc_message *m)
{
	size_t size = 0;
	FILE *f;
	struct uc_console c = { .mode = UC_OUT_JSON, .relative_ts = true };

	free(out_text);
	out_text = NULL;
	f = open_memstream(&out_text, &size);
	c.out = f;
	CHECK_INT(uc_console_write(&c, m), 0);
	CHECK(!c.have_first); /* JSON always carries absolute time */
	fclose(f);
	CHECK(valid_line(out_text));
	return out_text;
}

static struct uc_message base(void)
{
	struct uc_message m;

	memset(&m, 0, sizeof(m));
	m.ts_wall_ns = 1763888592123456789ull;
	m.m.pid = 1234;
	m.m.tid = 1235;
	memcpy(m.m.comm, "curl", 5);
	m.m.cgroup_id = 4321;
	m.m.sock = 0xffff888102249e88ull;
	m.m.inode = 1656;
	m.m.type = 1;
	memcpy(m.m.path, "/run/a.sock", 12);
	m.m.path_len = 12;
	m.m.peer_sock = 0xffff888102249f60ull;
	m.m.peer_inode = 1655;
	m.m.peer_pid = 999;
	memcpy(m.peer_comm, "nginx", 6);
	m.m.len = m.m.caplen = m.caplen = 5;
	m.m.call = UC_CALL_WRITE;
	m.m.fd = 3;
	m.data = (const uint8_t *)"Hello";
	return m;
}

static void test_exact(void)
{
	struct uc_message m = base();

	CHECK_STR(json(&m),
		  "{\"ts\":1763888592.123456789,\"pid\":1234,\"tid\":1235,\"uid\":0,\"gid\":0,"
		  "\"comm\":\"curl\",\"cgroup\":4321,\"sock\":\"0xffff888102249e88\",\"inode\":1656,"
		  "\"type\":\"stream\",\"path\":\"/run/a.sock\",\"peer_sock\":\"0xffff888102249f60\","
		  "\"peer_inode\":1655,\"peer_pid\":999,\"peer_comm\":\"nginx\",\"peer_path\":\"\","
		  "\"len\":5,\"caplen\":5,\"call\":\"write\",\"fd\":3,\"flags\":[],"
		  "\"data\":\"48656c6c6f\"}\n");

	/* A failed sendto on an unconnected dgram socket, fd unknown, no payload. */
	m = base();
	m.ts_wall_ns = 1000000005ull;
	m.m.uid = 1000;
	m.m.gid = 100;
	m.m.type = 2;
	m.m.path_len = 0;
	m.m.peer_sock = 0;
	m.m.peer_inode = 0;
	m.m.peer_pid = 0;
	m.peer_comm[0] = '\0';
	memcpy(m.m.peer_path, "\0gone", 5);
	m.m.peer_path_len = 5;
	m.m.len = m.m.caplen = m.caplen = 0;
	m.data = NULL;
	m.m.call = UC_CALL_SENDTO;
	m.m.fd = 0xffffffffu;
	m.m.err = -EAGAIN;
	m.flags = UC_MF_ERROR | UC_MF_DEST_ADDR;
	CHECK_STR(json(&m),
		  "{\"ts\":1.000000005,\"pid\":1234,\"tid\":1235,\"uid\":1000,\"gid\":100,"
		  "\"comm\":\"curl\",\"cgroup\":4321,\"sock\":\"0xffff888102249e88\",\"inode\":1656,"
		  "\"type\":\"dgram\",\"path\":\"\",\"peer_sock\":\"0x0\",\"peer_inode\":0,"
		  "\"peer_pid\":0,\"peer_comm\":\"\",\"peer_path\":\"@gone\",\"len\":0,\"caplen\":0,"
		  "\"call\":\"sendto\",\"fd\":-1,\"flags\":[\"error\",\"dest-addr\"],"
		  "\"errno\":11,\"error\":\"EAGAIN\",\"data\":\"\"}\n");

	/* An errno outside the table keeps its number as the name. */
	m.m.err = -200;
	m.flags = UC_MF_ERROR;
	CHECK(strstr(json(&m), ",\"flags\":[\"error\"],\"errno\":200,\"error\":\"200\",\"data\":\"\"}\n")
	      != NULL);

	/* Truncated, with a gap; caplen is what is present, len what was sent. */
	m = base();
	m.m.len = 1000;
	m.m.caplen = 5;
	m.flags = UC_UF_TRUNCATED | UC_UF_GAP;
	m.m.call = UC_CALL_STREAM_SENDMSG;
	CHECK(strstr(json(&m), ",\"len\":1000,\"caplen\":5,\"call\":\"unix_stream_sendmsg\","
			       "\"fd\":3,\"flags\":[\"truncated\",\"gap\"],\"data\":\"48656c6c6f\"}\n")
	      != NULL);
	/* Ids as large as a file can hold: each piece is formatted straight into the line
	 * (the old 64-byte scratch buffer dropped this whole line without a word). */
	m = base();
	m.m.pid = m.m.tid = m.m.uid = m.m.gid = UINT32_MAX;
	CHECK(strstr(json(&m), "\"pid\":4294967295,\"tid\":4294967295,\"uid\":4294967295,"
			       "\"gid\":4294967295,\"comm\"") != NULL);
}

static void test_escaping(void)
{
	struct uc_message m = base();

	/* comm is raw bytes: quote, backslash, control and high bytes all escaped. */
	memcpy(m.m.comm, "a\"b\\c\n\x01\x7f\xc3\xa9z", 11);
	/* Non-terminated 16-byte peer comm. */
	memcpy(m.peer_comm, "0123456789abcdef", 16);
	/* Display form first (\x00, \\), then JSON escaping doubles every backslash. */
	memcpy(m.m.path, "\0a\0\\\"\xff", 6);
	m.m.path_len = 6;
	memcpy(m.m.peer_path, "/tmp/q\"uote", 12);
	m.m.peer_path_len = 12;
	m.m.type = 9;
	m.m.call = 77;
	json(&m);
	CHECK(strstr(out_text, "\"comm\":\"a\\\"b\\\\c\\u000a\\u0001\\u007f\\u00c3\\u00a9z\",") != NULL);
	CHECK(strstr(out_text, "\"peer_comm\":\"0123456789abcdef\",") != NULL);
	CHECK(strstr(out_text, "\"path\":\"@a\\\\x00\\\\\\\\\\\"\\\\xff\",") != NULL);
	CHECK(strstr(out_text, "\"peer_path\":\"/tmp/q\\\"uote\",") != NULL);
	CHECK(strstr(out_text, "\"type\":\"type9\",") != NULL);
	CHECK(strstr(out_text, "\"call\":\"unknown\",") != NULL);

	/* Every byte value in comm still gives valid ASCII JSON. */
	for (int b = 0; b < 256; b += 15) {
		for (int i = 0; i < UC_COMM_LEN; i++)
			m.m.comm[i] = (char)(b + i);
		json(&m);
	}
}

/* Big payloads take the chunked path; the hex must still be complete and exact. */
static void test_large(void)
{
	static const char hex[] = "0123456789abcdef";
	struct uc_message m = base();
	size_t len = 262144;
	uint8_t *p = malloc(len);
	char *want = malloc(len * 2 + 1);
	const char *d;
	int bad = 0;

	for (size_t i = 0; i < len; i++) {
		p[i] = (uint8_t)(i * 7 + (i >> 8));
		want[2 * i] = hex[p[i] >> 4];
		want[2 * i + 1] = hex[p[i] & 15];
	}
	want[len * 2] = '\0';
	m.m.len = m.m.caplen = m.caplen = (uint32_t)len;
	m.data = p;
	json(&m);
	d = strstr(out_text, ",\"data\":\"");
	CHECK(d != NULL);
	if (d) {
		d += strlen(",\"data\":\"");
		CHECK(strncmp(d, want, len * 2) == 0);
		CHECK_STR(d + len * 2, "\"}\n");
	}

	/* Sizes around the point where the payload stops fitting the line buffer. */
	for (size_t n = 3000; n < 4400; n += 7) {
		m.m.len = m.caplen = (uint32_t)n;
		json(&m);
		d = strstr(out_text, ",\"data\":\"");
		if (!d || strncmp(d + 9, want, n * 2) != 0 || strcmp(d + 9 + n * 2, "\"}\n") != 0)
			bad++;
	}
	CHECK_INT(bad, 0);
	free(p);
	free(want);
}

static void test_validator(void)
{
	/* The checker itself must reject broken output, or the tests above prove nothing. */
	CHECK(valid_line("{\"a\":[1,-2.5e3,\"x\\u00ff\",true,null,{}]}\n"));
	CHECK(!valid_line("{\"a\":1}"));
	CHECK(!valid_line("{\"a\":1,}\n"));
	CHECK(!valid_line("{\"a\":\"\\x00\"}\n"));
	CHECK(!valid_line("{\"a\":\"\x01\"}\n"));
	CHECK(!valid_line("{\"a\":01}\n"));
	CHECK(!valid_line("{\"a\":\"\xc3\xa9\"}\n"));
	CHECK(!valid_line("{\"a\":1}\n{}\n"));
}

/* Many messages in a row: one line each, no flush needed between them. */
static void test_stream(void)
{
	struct uc_message m = base();
	size_t size = 0, lines = 0;
	char *text = NULL;
	FILE *f = open_memstream(&text, &size);
	struct uc_console c = { .out = f, .mode = UC_OUT_JSON };
	int rc = 0;

	for (int i = 0; i < 1000; i++) {
		m.m.pid = (uint32_t)i;
		rc |= uc_console_write(&c, &m);
	}
	fclose(f);
	CHECK_INT(rc, 0);
	for (char *s = text, *nl; (nl = strchr(s, '\n')); s = nl + 1) {
		char save = nl[1];

		nl[1] = '\0';
		if (valid_line(s))
			lines++;
		nl[1] = save;
	}
	CHECK_INT(lines, 1000);
	free(text);
}

int main(void)
{
	test_validator();
	test_exact();
	test_escaping();
	test_large();
	test_stream();
	free(out_text);
	UNIT_DONE();
}
