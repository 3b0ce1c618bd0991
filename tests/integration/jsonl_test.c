/* Unit test of the JSON-lines parser used by capture_check. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jsonl.h"

static int failures;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                              \
			failures++;                                                  \
		}                                                                    \
	} while (0)

static int parse(const char *s, struct jl_obj *o)
{
	char err[256];
	int r = jl_parse(s, strlen(s), o, err, sizeof(err));

	if (r < 0)
		fprintf(stderr, "  (parse error for %s: %s)\n", s, err);
	return r;
}

static void test_unixcap_line(void)
{
	static const char line[] =
		"{\"ts\":1763888592.123456789,\"pid\":1234,\"tid\":1235,\"uid\":0,\"gid\":0,"
		"\"comm\":\"curl\",\"cgroup\":4321,\"sock\":\"0xffff888102249e80\",\"inode\":1656,"
		"\"type\":\"stream\",\"path\":\"/run/a.sock\",\"peer_sock\":\"0xffff888102249f600\","
		"\"peer_inode\":1655,\"peer_pid\":999,\"peer_comm\":\"nginx\",\"peer_path\":\"\","
		"\"len\":128,\"caplen\":128,\"call\":\"write\",\"fd\":3,\"flags\":[],"
		"\"data\":\"48656c6c6f\"}\n";
	static const char *keys[] = { "ts",	"pid",	     "tid",	  "uid",       "gid",
				      "comm",	"cgroup",    "sock",	  "inode",     "type",
				      "path",	"peer_sock", "peer_inode", "peer_pid", "peer_comm",
				      "peer_path", "len",    "caplen",	  "call",      "fd",
				      "flags",	"data" };
	struct jl_obj o;
	int64_t i;
	uint64_t u;
	double d;
	const char *s;
	size_t n;

	CHECK(parse(line, &o) == 0);
	CHECK(o.n == sizeof(keys) / sizeof(keys[0]));
	for (size_t k = 0; k < o.n && k < sizeof(keys) / sizeof(keys[0]); k++)
		CHECK(!strcmp(o.v[k].key, keys[k]));
	CHECK(jl_i64(&o, "pid", &i) == 0 && i == 1234);
	CHECK(jl_i64(&o, "ts", &i) == -2);
	CHECK(jl_f64(&o, "ts", &d) == 0 && d > 1763888592.12 && d < 1763888592.13);
	CHECK(jl_u64(&o, "sock", &u) == 0 && u == 0xffff888102249e80ULL);
	CHECK(jl_u64(&o, "peer_sock", &u) == -2); /* 17 hex digits do not fit */
	CHECK(jl_u64(&o, "inode", &u) == 0 && u == 1656);
	CHECK(jl_u64(&o, "comm", &u) == -2);
	CHECK(jl_str(&o, "comm", &s, &n) == 0 && n == 4 && !strcmp(s, "curl"));
	CHECK(jl_str(&o, "peer_path", &s, &n) == 0 && n == 0);
	CHECK(jl_str(&o, "nope", &s, &n) == -1);
	CHECK(jl_str(&o, "pid", &s, &n) == -2);
	CHECK(jl_get(&o, "flags")->type == JL_ARRAY && jl_get(&o, "flags")->nitems == 0);
	CHECK(!jl_has_item(&o, "flags", "truncated"));
	jl_free(&o);
}

static void test_error_line(void)
{
	struct jl_obj o;
	int64_t i;

	CHECK(parse("{\"len\":0,\"flags\":[\"error\", \"truncated\"],\"errno\":11,"
		    "\"error\":\"EAGAIN\",\"fd\":-1}",
		    &o) == 0);
	CHECK(jl_has_item(&o, "flags", "error"));
	CHECK(jl_has_item(&o, "flags", "truncated"));
	CHECK(!jl_has_item(&o, "flags", "gap"));
	CHECK(!jl_has_item(&o, "error", "EAGAIN"));
	CHECK(jl_i64(&o, "errno", &i) == 0 && i == 11);
	CHECK(jl_i64(&o, "fd", &i) == 0 && i == -1);
	jl_free(&o);
}

static void test_escapes(void)
{
	struct jl_obj o;
	const char *s;
	size_t n;

	CHECK(parse("{\"path\":\"@unixgen\\\\x01\\\\xff\\\\\\\\-1\",\"q\":\"a\\\"b\\/c\\n\\t\","
		    "\"u\":\"\\u00e9\\u20ac\\ud83d\\ude00\\u0000z\"}",
		    &o) == 0);
	CHECK(jl_str(&o, "path", &s, &n) == 0 && !strcmp(s, "@unixgen\\x01\\xff\\\\-1"));
	CHECK(jl_str(&o, "q", &s, &n) == 0 && !strcmp(s, "a\"b/c\n\t"));
	CHECK(jl_str(&o, "u", &s, &n) == 0 && n == 2 + 3 + 4 + 2 &&
	      !memcmp(s, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0z", n));
	jl_free(&o);
}

static void test_literals_numbers(void)
{
	struct jl_obj o;
	int64_t i;
	uint64_t u;
	double d;

	CHECK(parse("  { \"a\" : true , \"b\":false,\"c\":null,\"d\":-0.5e+3,\"e\":0,"
		    "\"f\":18446744073709551615,\"g\":\"123\"}\r\n",
		    &o) == 0);
	CHECK(jl_get(&o, "a")->type == JL_TRUE);
	CHECK(jl_get(&o, "b")->type == JL_FALSE);
	CHECK(jl_get(&o, "c")->type == JL_NULL);
	CHECK(jl_f64(&o, "d", &d) == 0 && d == -500.0);
	CHECK(jl_i64(&o, "e", &i) == 0 && i == 0);
	CHECK(jl_u64(&o, "f", &u) == 0 && u == UINT64_MAX);
	CHECK(jl_i64(&o, "f", &i) == -2);
	CHECK(jl_u64(&o, "g", &u) == 0 && u == 123);
	CHECK(jl_u64(&o, "d", &u) == -2);
	jl_free(&o);
	CHECK(parse("{}", &o) == 0 && o.n == 0);
	jl_free(&o);
}

static void test_nested(void)
{
	struct jl_obj o, inner;
	static const char text[] = "{\"creds\":{\"pid\":7,\"s\":\"}\\\"{\"},\"fds\":[{\"fd\":5,"
				   "\"name\":\"/dev/null\"},{\"fd\":6,\"x\":[\"]\"]}],\"n\":1}";

	CHECK(parse(text, &o) == 0);
	CHECK(jl_get(&o, "creds") && jl_get(&o, "creds")->type == JL_OBJECT);
	CHECK(jl_parse(jl_get(&o, "creds")->s, jl_get(&o, "creds")->slen, &inner, NULL, 0) == 0);
	int64_t i = 0;
	const char *s;
	size_t n;
	CHECK(jl_i64(&inner, "pid", &i) == 0 && i == 7);
	CHECK(jl_str(&inner, "s", &s, &n) == 0 && !strcmp(s, "}\"{"));
	jl_free(&inner);
	const struct jl_value *fds = jl_get(&o, "fds");
	CHECK(fds && fds->type == JL_ARRAY && fds->nitems == 2);
	if (fds && fds->nitems == 2) {
		CHECK(jl_parse(fds->items[1], fds->item_lens[1], &inner, NULL, 0) == 0);
		CHECK(jl_i64(&inner, "fd", &i) == 0 && i == 6);
		jl_free(&inner);
	}
	CHECK(jl_i64(&o, "n", &i) == 0 && i == 1);
	jl_free(&o);
}

static void test_errors(void)
{
	static const char *bad[] = {
		"",
		"[]",
		"{",
		"{\"a\":1,}",
		"{\"a\" 1}",
		"{\"a\":1} x",
		"{\"a\":01}",
		"{\"a\":1.}",
		"{\"a\":-}",
		"{\"a\":+1}",
		"{\"a\":\"x}",
		"{\"a\":\"\\q\"}",
		"{\"a\":\"\\u12\"}",
		"{\"a\":\"\\ud800\"}",
		"{\"a\":\"\\udc00\"}",
		"{\"a\":\"tab\there\"}",
		"{\"a\":{\"b\":1}",
		"{\"a\":[{\"b\":\"}\"]}",
		"{\"a\":[1]}",
		"{\"a\":[\"x\",]}",
		"{\"a\":tru}",
		"{\"a\":1,\"a\":2}",
		"{a:1}",
	};
	char err[256];

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct jl_obj o;

		err[0] = '\0';
		if (jl_parse(bad[k], strlen(bad[k]), &o, err, sizeof(err)) == 0) {
			fprintf(stderr, "accepted bad input: %s\n", bad[k]);
			failures++;
			jl_free(&o);
		} else {
			CHECK(err[0] != '\0');
			CHECK(o.n == 0 && o.v == NULL);
		}
	}
}

static void test_long_line(void)
{
	static char line[1 << 21];
	size_t n = 0, hex = 2 * 262144;
	struct jl_obj o;
	const char *s;
	size_t len;

	n += (size_t)snprintf(line, sizeof(line), "{\"len\":1048576,\"data\":\"");
	for (size_t k = 0; k < hex; k++)
		line[n++] = "0123456789abcdef"[k % 16];
	n += (size_t)snprintf(line + n, sizeof(line) - n, "\"}");
	CHECK(jl_parse(line, n, &o, NULL, 0) == 0);
	CHECK(jl_str(&o, "data", &s, &len) == 0 && len == hex);
	jl_free(&o);
}

int main(void)
{
	test_unixcap_line();
	test_error_line();
	test_escapes();
	test_literals_numbers();
	test_nested();
	test_errors();
	test_long_line();
	if (failures) {
		fprintf(stderr, "jsonl_test: %d check(s) failed\n", failures);
		return 1;
	}
	printf("jsonl_test: ok\n");
	return 0;
}
