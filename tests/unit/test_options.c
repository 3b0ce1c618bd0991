/* Option parsing: every accepted form, and one clear error for every bad value. */
#include <stdarg.h>
#include <string.h>

#include "capture/app/parse_options.h"
#include "unit.h"

static struct uc_options o;
static char err[512];

static enum uc_parse_result parse(const char *first, ...)
{
	char *argv[32] = { "unixcap" };
	int argc = 1;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	err[0] = 0;
	uc_options_free(&o);
	return uc_parse_options(argc, argv, &o, err, sizeof(err));
}

#define REJECTS(expect_in_msg, ...)                                                         \
	do {                                                                                \
		CHECK_INT(parse(__VA_ARGS__, NULL), UC_PARSE_ERROR);                        \
		CHECK(strstr(err, expect_in_msg) != NULL);                                  \
		CHECK(strchr(err, '\n') == NULL);                                           \
	} while (0)

static void test_defaults(void)
{
	CHECK_INT(parse(NULL), UC_PARSE_RUN);
	CHECK_INT(o.snaplen, 262144);
	CHECK_INT(o.ring_kib, UC_RING_KIB_DEFAULT);
	CHECK_INT(o.backend, UC_CHOOSE_AUTO);
	CHECK_INT(o.mode, UC_OUT_SUMMARY);
	CHECK_INT(o.n_pids, 0);
}

static void test_accepted(void)
{
	CHECK_INT(parse("--backend", "tracepoint", "-p", "1,22,333", "-t", "7", "--type", "dgram",
			"-X", "-T", "-c", "5", "-d", "1.5", "-s", "100", "-B", "4096", "--errors", "-v",
			"-v", "-q", NULL),
		  UC_PARSE_RUN);
	CHECK_INT(o.backend, UC_CHOOSE_TRACEPOINT);
	CHECK_INT(o.n_pids, 3);
	CHECK_INT(o.pids[2], 333);
	CHECK_INT(o.tid, 7);
	CHECK_INT(o.type, 2);
	CHECK_INT(o.mode, UC_OUT_HEXASCII);
	CHECK(o.relative_ts);
	CHECK_INT(o.count, 5);
	CHECK(o.duration > 1.49 && o.duration < 1.51);
	CHECK_INT(o.snaplen, 100);
	CHECK_INT(o.ring_kib, 4096);
	CHECK(o.errors);
	CHECK_INT(o.verbose, 2);
	CHECK(o.quiet);

	CHECK_INT(parse("--sock", "0xffff888102249e88", NULL), UC_PARSE_RUN);
	CHECK(o.sock == 0xffff888102249e88ull);
	CHECK_INT(parse("--sock", "ffff888102249e88", NULL), UC_PARSE_RUN); /* /proc/net/unix form */
	CHECK(o.sock == 0xffff888102249e88ull);
	CHECK_INT(parse("--inode", "12345", NULL), UC_PARSE_RUN);
	CHECK_INT(o.inode, 12345);
	CHECK_INT(parse("--path", "/run/dbus/system_bus_socket", NULL), UC_PARSE_RUN);
	CHECK_INT(o.path_len, strlen("/run/dbus/system_bus_socket"));
	CHECK_INT(parse("--path", "@my\\x00key", NULL), UC_PARSE_RUN);
	CHECK_INT(o.path_len, 7);
	CHECK(memcmp(o.path, "\0my\0key", 7) == 0);
	CHECK_INT(parse("-n", "^(curl|nginx)$", NULL), UC_PARSE_RUN);
	CHECK(o.have_comm_regex);
	CHECK_INT(parse("-s", "0", NULL), UC_PARSE_RUN);
	CHECK_INT(o.snaplen, 262144);
	CHECK_INT(parse("--json", "--json", NULL), UC_PARSE_RUN);
	CHECK_INT(o.mode, UC_OUT_JSON);
}

static void test_rejected(void)
{
	REJECTS("unknown backend", "--backend", "ebpf");
	REJECTS("bad pid list", "-p", "abc");
	REJECTS("bad pid list", "-p", "-5");
	REJECTS("bad pid list", "-p", "0");
	REJECTS("bad pid list", "-p", "1,,");
	REJECTS("bad pid list", "-p", "99999999");
	REJECTS("bad thread id", "-t", "x");
	REJECTS("bad socket address", "--sock", "0xzz");
	REJECTS("bad socket address", "--sock", "0x");
	REJECTS("bad socket address", "--sock", "0x11112222333344445");
	REJECTS("bad socket address", "--sock", "0");
	REJECTS("bad inode", "--inode", "-1");
	REJECTS("bad path", "--path", "@bad\\xZZ");
	REJECTS("bad path", "--path", "");
	REJECTS("unknown socket type", "--type", "raw");
	REJECTS("bad regex", "-n", "(");
	REJECTS("choose one of", "-X", "--json");
	REJECTS("bad count", "-c", "0");
	REJECTS("bad count", "-c", "-3");
	REJECTS("bad duration", "-d", "-1");
	REJECTS("bad duration", "-d", "abc");
	REJECTS("bad snaplen", "-s", "-1");
	REJECTS("bad snaplen", "-s", "99999999999");
	REJECTS("bad buffer size", "-B", "3000");
	REJECTS("bad buffer size", "-B", "2");
	REJECTS("bad buffer size", "-B", "4294967296");
	REJECTS("unknown option", "--bogus");
	REJECTS("unknown option", "-Y");
	REJECTS("needs a value", "-Z");
	REJECTS("needs a value", "-p");
	REJECTS("unexpected argument", "extra");
	char long_path[300];
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = 0;
	REJECTS("bad path", "--path", long_path);
}

/* Issue 18 (3): tcpdump's habits do not filter; sofdsnoop's meanings stay. */
static void test_tcpdump_habits(void)
{
	CHECK_INT(parse("-nn", NULL), UC_PARSE_RUN);
	CHECK(!o.have_comm_regex);
	CHECK_INT(parse("-n", "-X", "-p", "1", NULL), UC_PARSE_RUN);
	CHECK(!o.have_comm_regex);
	CHECK_INT(o.mode, UC_OUT_HEXASCII);
	CHECK_INT(o.n_pids, 1);
	CHECK_INT(parse("-c", "1", "-n", NULL), UC_PARSE_RUN);
	CHECK(!o.have_comm_regex);
	CHECK_INT(parse("-n", "dbus", "-t", "5", "-T", "-p", "1", NULL), UC_PARSE_RUN);
	CHECK(o.have_comm_regex);
	CHECK_INT(o.tid, 5);
	CHECK(o.relative_ts);
	CHECK_INT(parse("--name", "dbus", "--tid", "5", NULL), UC_PARSE_RUN);
	CHECK(o.have_comm_regex);
	CHECK_INT(o.tid, 5);
	CHECK_INT(parse("-l", "-U", "-e", "--immediate-mode", "-i", "any", NULL), UC_PARSE_RUN);
	CHECK_INT(o.mode, UC_OUT_SUMMARY);
	CHECK_INT(parse("-i", "unixcap", NULL), UC_PARSE_RUN);
	REJECTS("no interface 'eth0'", "-i", "eth0");
}

/* Issue 18 (13): -F without -w was ignored silently. */
static void test_format_needs_file(void)
{
	REJECTS("-F needs -w", "-F", "pcap");
	CHECK_INT(parse("-F", "pcap", "-w", "x.pcap", NULL), UC_PARSE_RUN);
	CHECK_INT(o.format, UC_FMT_PCAP);
}

int main(void)
{
	test_tcpdump_habits();
	test_format_needs_file();
	test_defaults();
	test_accepted();
	test_rejected();
	uc_options_free(&o);
	UNIT_DONE();
}
