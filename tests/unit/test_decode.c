/*
 * Payload decoders on bytes captured from real programs (tests/data, unixcap --json of
 * dbus-daemon + dbus-send and of curl --unix-socket against tests/extcap/http_unix_server.py),
 * plus the path rules that choose them.
 */
#include <stdint.h>
#include <stdlib.h>

#include "dissectors/dbus.h"
#include "dissectors/http.h"
#include "dissectors/line.h"
#include "dissectors/route.h"
#include "unit.h"

#ifndef UC_TEST_DATA
#define UC_TEST_DATA "tests/data"
#endif

struct vec {
	char comm[32];
	uint8_t *p;
	size_t n;
};

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The "comm" and "data" of each JSON line unixcap --json wrote (its own fixed layout). */
static size_t load(const char *name, struct vec *v, size_t max)
{
	char path[512], line[65536];
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/%s", UC_TEST_DATA, name);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 0;
	}
	while (n < max && fgets(line, sizeof(line), f)) {
		char *c = strstr(line, "\"comm\":\""), *d = strstr(line, "\"data\":\"");
		if (!c || !d)
			continue;
		c += 8;
		d += 8;
		snprintf(v[n].comm, sizeof(v[n].comm), "%.*s", (int)strcspn(c, "\""), c);
		size_t hex = strcspn(d, "\"");
		v[n].p = malloc(hex / 2 + 1);
		v[n].n = 0;
		for (size_t i = 0; i + 1 < hex; i += 2)
			v[n].p[v[n].n++] = (uint8_t)(hexval(d[i]) << 4 | hexval(d[i + 1]));
		n++;
	}
	fclose(f);
	return n;
}

static const struct vec *find(const struct vec *v, size_t n, const char *comm, const char *start,
			      size_t skip)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].comm, comm) && v[i].n >= strlen(start) &&
		    !memcmp(v[i].p, start, strlen(start)) && skip-- == 0)
			return &v[i];
	return NULL;
}

static void test_dbus(void)
{
	struct vec v[64];
	size_t n = load("dbus-send.jsonl", v, 64);
	char out[4096];
	CHECK(n >= 20);

	/* Connection start: the credentials byte, then SASL lines. */
	const struct vec *cred = find(v, n, "dbus-send", "\0", 0);
	CHECK(cred && cred->n == 1);
	if (cred) {
		CHECK_INT(uc_decode_dbus(cred->p, cred->n, out, sizeof(out)), 1);
		CHECK_STR(out, "dbus credentials byte");
	}
	const struct vec *auth = find(v, n, "dbus-send", "AUTH", 0);
	if (auth) {
		CHECK_INT(uc_decode_dbus(auth->p, auth->n, out, sizeof(out)), 1);
		CHECK_STR(out, "dbus auth AUTH EXTERNAL 30");
	}
	CHECK(auth != NULL);

	/* Hello is every client's first call; ListNames is what dbus-send asked for. */
	const struct vec *hello = find(v, n, "dbus-send", "l\x01", 0);
	const struct vec *list = find(v, n, "dbus-send", "l\x01", 1);
	CHECK(hello && list);
	if (hello) {
		CHECK_INT(uc_decode_dbus(hello->p, hello->n, out, sizeof(out)), 1);
		CHECK_STR(out, "dbus method_call serial 1 path /org/freedesktop/DBus interface "
			       "org.freedesktop.DBus member Hello signature \"\" dest "
			       "org.freedesktop.DBus body 0");
	}
	if (list) {
		CHECK_INT(uc_decode_dbus(list->p, list->n, out, sizeof(out)), 1);
		CHECK(strstr(out, "dbus method_call serial 2 ") == out);
		CHECK(strstr(out, " member ListNames signature \"\" ") != NULL);
	}
	/* The daemon's reply to ListNames: an array of strings, reply_serial 2. */
	const struct vec *reply = NULL;
	for (size_t k = 0; (reply = find(v, n, "dbus-daemon", "l\x02", k)); k++)
		if (reply->p[8] == 3)
			break;
	CHECK(reply != NULL);
	if (reply) {
		uint32_t body = reply->p[4] | reply->p[5] << 8;
		char want[64];
		CHECK_INT(uc_decode_dbus(reply->p, reply->n, out, sizeof(out)), 1);
		CHECK(strstr(out, "dbus method_return serial 3 reply_serial 2 signature \"as\" "
				  "sender org.freedesktop.DBus dest :1.") == out);
		snprintf(want, sizeof(want), " body %u", body);
		CHECK(strstr(out, want) != NULL);
	}
	/* The signal dbus-send emitted: string:hello int32:42. */
	const struct vec *sig = find(v, n, "dbus-send", "l\x04", 0);
	CHECK(sig != NULL);
	if (sig) {
		CHECK_INT(uc_decode_dbus(sig->p, sig->n, out, sizeof(out)), 1);
		CHECK(strstr(out, "dbus signal serial 2 path /org/example/Obj interface "
				  "org.example.Iface member Changed signature \"si\" ") == out);
		CHECK(strstr(out, " no_reply") != NULL);
	}
	/* Two messages in one write, the second cut short, as a reader may see them. */
	if (hello && list) {
		uint8_t two[512];
		memcpy(two, hello->p, hello->n);
		memcpy(two + hello->n, list->p, 40);
		CHECK_INT(uc_decode_dbus(two, hello->n + 40, out, sizeof(out)), 2);
		char *second = strchr(out, '\n');
		CHECK(second && strstr(second, "(continues: 40 of 136 bytes here)"));
		CHECK(second && strstr(second, "serial 2"));
	}
	/* A message cut inside its header fields still names what arrived. */
	if (hello) {
		CHECK_INT(uc_decode_dbus(hello->p, 60, out, sizeof(out)), 1);
		CHECK(strstr(out, "dbus method_call serial 1 path /org/freedesktop/DBus ") == out);
		CHECK(strstr(out, "signature ? ") != NULL);
	}
	/* A small output buffer truncates, never overflows, always terminates. */
	if (hello) {
		char small[24];
		memset(small, 'x', sizeof(small));
		uc_decode_dbus(hello->p, hello->n, small, 20);
		CHECK(strlen(small) < 20);
		CHECK(small[20] == 'x');
	}
	CHECK_INT(uc_decode_dbus((const uint8_t *)"GET / HTTP/1.1\r\n", 16, out, sizeof(out)), 0);
	CHECK_INT(uc_decode_dbus((const uint8_t *)"\x01\x02", 2, out, sizeof(out)), 0);
	CHECK_INT(uc_decode_dbus(NULL, 0, out, sizeof(out)), 0);
	for (size_t i = 0; i < n; i++)
		free(v[i].p);
}

/* A big-endian message built by hand: the byte order flag decides every integer. */
static void test_dbus_big_endian(void)
{
	static const uint8_t m[] = {
		'B', 4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 24,
		3, 1, 's', 0, 0, 0, 0, 4, 'P', 'i', 'n', 'g', 0, 0, 0, 0,
		5, 1, 'u', 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	char out[512];
	/* Fields: MEMBER "Ping" at 16..29, padding to 32, REPLY_SERIAL 9 at 32..40: 24 bytes. */
	CHECK_INT(uc_decode_dbus(m, 40, out, sizeof(out)), 1);
	CHECK_STR(out, "dbus signal serial 7 reply_serial 9 member Ping signature \"\" body 0");
}

static void test_http(void)
{
	struct vec v[16];
	size_t n = load("curl-http.jsonl", v, 16);
	char out[2048];
	CHECK(n >= 5);

	const struct vec *get = find(v, n, "curl", "GET ", 0);
	const struct vec *post = find(v, n, "curl", "POST ", 0);
	const struct vec *status = find(v, n, "python3", "HTTP/1.1 ", 0);
	CHECK(get && post && status);
	if (get) {
		CHECK_INT(uc_decode_http(get->p, get->n, out, sizeof(out)), 1);
		/* curl sends Host, User-Agent and Accept. */
		CHECK_STR(out, "http GET /info HTTP/1.1 headers 3 body 0");
	}
	if (post) {
		CHECK_INT(uc_decode_http(post->p, post->n, out, sizeof(out)), 1);
		CHECK_STR(out, "http POST /echo HTTP/1.1 headers 5 content-length 11 body 11");
	}
	if (status) {
		/* Python writes the header section and the body separately. */
		CHECK_INT(uc_decode_http(status->p, status->n, out, sizeof(out)), 1);
		CHECK(strstr(out, "http HTTP/1.1 200 OK headers 4 content-length ") == out);
		CHECK(strstr(out, " body 0 (continues: ") != NULL);
	}
	/* Pipelined requests in one write: each gets its line. */
	if (get && post) {
		uint8_t both[1024];
		memcpy(both, post->p, post->n);
		memcpy(both + post->n, get->p, get->n);
		CHECK_INT(uc_decode_http(both, post->n + get->n, out, sizeof(out)), 2);
		CHECK(strstr(out, "\nhttp GET /info HTTP/1.1 headers 3 body 0") != NULL);
	}
	/* Header section cut short. */
	if (get) {
		CHECK_INT(uc_decode_http(get->p, 40, out, sizeof(out)), 1);
		CHECK_STR(out, "http GET /info HTTP/1.1 headers 1+ (header section continues)");
	}
	static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
	CHECK_INT(uc_decode_http((const uint8_t *)chunked, sizeof(chunked) - 1, out, sizeof(out)), 1);
	CHECK_STR(out, "http HTTP/1.1 200 OK headers 1 chunked body 10");
	CHECK_INT(uc_decode_http((const uint8_t *)"hello=world", 11, out, sizeof(out)), 0);
	CHECK_STR(out, "no request or status line");
	CHECK_INT(uc_decode_http((const uint8_t *)"GETX / HTTP/1.1\r\n", 17, out, sizeof(out)), 0);
	for (size_t i = 0; i < n; i++)
		free(v[i].p);
}

static void test_line(void)
{
	char out[1024];
	static const char two[] = "PING\r\nSET a \"b\"\n";
	CHECK_INT(uc_decode_line((const uint8_t *)two, sizeof(two) - 1, out, sizeof(out)), 2);
	CHECK_STR(out, "line \"PING\"\nline \"SET a \\\"b\\\"\"");
	CHECK_INT(uc_decode_line((const uint8_t *)"a\nb", 3, out, sizeof(out)), 2);
	CHECK_STR(out, "line \"a\"\nline \"b\" (no newline)");
	CHECK_INT(uc_decode_line((const uint8_t *)"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 21, out,
				 sizeof(out)), 9);
	CHECK(strstr(out, "\nline ... 2 more lines") != NULL);
	CHECK(uc_line_text((const uint8_t *)"caf\xc3\xa9\n", 6));
	CHECK(!uc_line_text((const uint8_t *)"caf\xc3\n", 5));
	CHECK(!uc_line_text((const uint8_t *)"a\x01\n", 3));
	CHECK(!uc_line_text((const uint8_t *)"no newline", 10));
}

static void test_route(void)
{
	struct uc_decode_rule rules[2];
	char err[256];
	const uint8_t get[] = "GET / HTTP/1.1\r\n\r\n", bin[] = { 1, 2, 3 };
	const char *dbus_sys[] = { "", "/run/dbus/system_bus_socket" };
	const char *user_bus[] = { "/run/user/1000/bus" };
	const char *not_user_bus[] = { "/run/user/x/bus" };
	const char *docker[] = { "/var/run/docker.sock" };
	const char *app[] = { "/run/app.sock" };
	const char *abstract[] = { "@my-app-ctl" };

	CHECK_INT(uc_route(NULL, 0, dbus_sys, 2, bin, 3), UC_PROTO_DBUS);
	CHECK_INT(uc_route(NULL, 0, user_bus, 1, bin, 3), UC_PROTO_DBUS);
	CHECK_INT(uc_route(NULL, 0, not_user_bus, 1, bin, 3), UC_PROTO_NONE);
	CHECK_INT(uc_route(NULL, 0, docker, 1, bin, 3), UC_PROTO_HTTP);
	/* A .sock path is HTTP only when the bytes say so, as in the Lua dissector. */
	CHECK_INT(uc_route(NULL, 0, app, 1, get, sizeof(get) - 1), UC_PROTO_HTTP);
	CHECK_INT(uc_route(NULL, 0, app, 1, bin, 3), UC_PROTO_NONE);
	CHECK_INT(uc_route(NULL, 0, app, 1, (const uint8_t *)"OK\n", 3), UC_PROTO_LINE);

	CHECK_INT(uc_decode_rule_parse("@my-*=line", &rules[0], err, sizeof(err)), 0);
	CHECK_INT(uc_decode_rule_parse("/var/run/docker.sock=none", &rules[1], err, sizeof(err)), 0);
	CHECK_INT(uc_route(rules, 2, abstract, 1, bin, 3), UC_PROTO_LINE);
	CHECK_INT(uc_route(rules, 2, docker, 1, bin, 3), UC_PROTO_NONE);
	CHECK_INT(uc_decode_rule_parse("a=b=dbus", &rules[0], err, sizeof(err)), 0);
	CHECK_STR(rules[0].pattern, "a=b");
	CHECK_INT(uc_decode_rule_parse("/x=smtp", &rules[0], err, sizeof(err)), -1);
	CHECK(strstr(err, "dbus, http, line or none") != NULL);
	CHECK_INT(uc_decode_rule_parse("=http", &rules[0], err, sizeof(err)), -1);
	CHECK_INT(uc_decode_rule_parse("/x", &rules[0], err, sizeof(err)), -1);

	CHECK(uc_glob_match("/run/*/bus", "/run/user/1000/bus"));
	CHECK(uc_glob_match("*", ""));
	CHECK(uc_glob_match("a*b*c", "aXbYbZc"));
	CHECK(!uc_glob_match("a*b", "a"));
	CHECK(!uc_glob_match("/run/app", "/run/app.sock"));
}

int main(void)
{
	test_dbus();
	test_dbus_big_endian();
	test_http();
	test_line();
	test_route();
	UNIT_DONE();
}
