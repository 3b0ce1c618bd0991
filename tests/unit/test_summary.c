/* Summary lines, timestamps, and stream failures reported by uc_console_write. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "writers/console/console.h"
#include "capture/core/summary_line.h"
#include "unit.h"

#define TS 1763888592123456789ull /* 09:03:12 UTC */

/* A connected stream: curl writing to nginx on /run/a.sock. */
static struct uc_message base(void)
{
	static const uint8_t payload[128];
	struct uc_message m;

	memset(&m, 0, sizeof(m));
	m.m.pid = 1234;
	m.m.tid = 1235;
	memcpy(m.m.comm, "curl", 5);
	m.m.peer_pid = 999;
	memcpy(m.peer_comm, "nginx", 6);
	m.m.sock = 0xffff888102249e88ull;
	m.m.peer_sock = 0xffff888102249f60ull;
	m.m.type = 1;
	memcpy(m.m.path, "/run/a.sock", 12);
	m.m.path_len = 12;
	m.m.len = 128;
	m.m.caplen = 128;
	m.caplen = 128;
	m.data = payload;
	m.m.fd = 3;
	m.m.call = UC_CALL_WRITE;
	m.ts_wall_ns = TS;
	return m;
}

static const char *summary(const struct uc_message *m)
{
	static char buf[UC_SUMMARY_MAX];

	uc_format_summary(buf, sizeof(buf), m, "T");
	return buf;
}

static void test_lines(void)
{
	struct uc_message m = base();
	char buf[UC_SUMMARY_MAX];

	CHECK_INT(uc_format_summary(buf, sizeof(buf), &m, "09:03:12.123456789"), strlen(buf));
	CHECK_STR(buf, "09:03:12.123456789 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 "
		       "stream /run/a.sock len 128");

	/* socketpair: neither end has a name. */
	m = base();
	m.m.path_len = 0;
	m.m.len = m.caplen = 5;
	CHECK_STR(summary(&m), "T 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 stream - len 5");

	/* A client of an abstract listener: only the peer is named. */
	m = base();
	m.m.path_len = 0;
	memcpy(m.m.peer_path, "\0my.sock", 8);
	m.m.peer_path_len = 8;
	m.m.type = 5;
	CHECK_STR(summary(&m),
		  "T 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 seqpacket @my.sock len 128");

	/* The listener side of it, answering: only the sender is named. */
	m = base();
	memcpy(m.m.path, "\0my.sock", 8);
	m.m.path_len = 8;
	CHECK_STR(summary(&m),
		  "T 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 stream @my.sock len 128");

	/* Both ends bound to different names. */
	m = base();
	m.m.type = 2;
	memcpy(m.m.path, "/tmp/client.sock", 17);
	m.m.path_len = 17;
	memcpy(m.m.peer_path, "/tmp/server.sock", 17);
	m.m.peer_path_len = 17;
	CHECK_STR(summary(&m), "T 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 dgram "
			       "/tmp/client.sock \u2192 /tmp/server.sock len 128");

	/* The same name on both sides is shown once. */
	memcpy(m.m.peer_path, "/tmp/client.sock", 17);
	CHECK_STR(summary(&m), "T 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 dgram "
			       "/tmp/client.sock len 128");

	/* Binary abstract name with a backslash. */
	m = base();
	memcpy(m.m.path, "\0a\\b\x01", 5);
	m.m.path_len = 5;
	CHECK_STR(summary(&m), "T 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 stream "
			       "@a\\\\b\\x01 len 128");

	/* Snaplen cut. */
	m = base();
	m.m.len = 300000;
	m.m.caplen = 262144;
	m.caplen = 262144;
	m.flags = UC_UF_TRUNCATED;
	CHECK_STR(summary(&m), "T 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 stream "
			       "/run/a.sock len 300000 caplen 262144 [truncated]");

	/* Lost records and a sendto with a destination address. */
	m.flags = UC_UF_TRUNCATED | UC_UF_GAP | UC_MF_DEST_ADDR;
	m.m.len = 10;
	m.caplen = 4;
	CHECK_STR(summary(&m), "T 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 stream "
			       "/run/a.sock len 10 caplen 4 [dest-addr truncated gap]");

	/* A failed send: len is what it tried to send, nothing was copied, nothing is cut. */
	m = base();
	m.m.len = 100;
	m.caplen = 0;
	m.m.err = -EAGAIN;
	m.flags = UC_MF_ERROR;
	CHECK_STR(summary(&m), "T 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 stream "
			       "/run/a.sock len 100 [error] errno EAGAIN");
	m.m.len = 0;
	m.m.err = -ECONNREFUSED;
	m.m.peer_pid = 0;
	m.m.path_len = 0;
	memcpy(m.m.peer_path, "/run/gone.sock", 15);
	m.m.peer_path_len = 15;
	m.flags = UC_MF_ERROR | UC_MF_DEST_ADDR;
	CHECK_STR(summary(&m), "T 1234/1235 curl \u2192 ? 0xffff888102249e88 stream "
			       "/run/gone.sock len 0 [error dest-addr] errno ECONNREFUSED");
	m.m.err = -200;
	m.flags = UC_MF_ERROR;
	CHECK(strstr(summary(&m), " [error] errno 200") != NULL);

	/* Peer pid without a resolved name. */
	m = base();
	m.peer_comm[0] = '\0';
	CHECK_STR(summary(&m), "T 1234/1235 curl \u2192 999 0xffff888102249e88 stream "
			       "/run/a.sock len 128");

	/* comm fills all 16 bytes with no terminator; control bytes are escaped. */
	m = base();
	memcpy(m.m.comm, "abcdefghijklmnop", 16);
	memcpy(m.peer_comm, "x\x1b[31m", 7);
	CHECK_STR(summary(&m), "T 1234/1235 abcdefghijklmnop \u2192 999/x\\x1b[31m "
			       "0xffff888102249e88 stream /run/a.sock len 128");

	/* Small buffers truncate and stay terminated. */
	m = base();
	CHECK_INT(uc_format_summary(buf, 10, &m, "09:03:12.123456789"), 9);
	CHECK_STR(buf, "09:03:12.");
	CHECK_INT(uc_format_summary(buf, 1, &m, "x"), 0);
	CHECK_STR(buf, "");
}

static char *out_text;
static size_t out_size;

static FILE *mem(void)
{
	free(out_text);
	out_text = NULL;
	return open_memstream(&out_text, &out_size);
}

static void test_console(void)
{
	struct uc_message m = base();
	struct uc_console c = { .mode = UC_OUT_SUMMARY };

	setenv("TZ", "UTC", 1);
	tzset();
	c.out = mem();
	CHECK_INT(uc_console_write(&c, &m), 0);
	CHECK(!c.have_first);
	fclose(c.out);
	CHECK_STR(out_text, "09:03:12.123456789 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 "
			    "stream /run/a.sock len 128\n");

	/* -T: seconds since the first message, nanoseconds intact. */
	c.out = mem();
	c.relative_ts = true;
	m.m.len = m.caplen = 1;
	CHECK_INT(uc_console_write(&c, &m), 0);
	CHECK(c.have_first && c.first_ts_ns == TS);
	m.ts_wall_ns = TS + 1250000001ull;
	CHECK_INT(uc_console_write(&c, &m), 0);
	m.ts_wall_ns = TS + 86400ull * 1000000000ull;
	CHECK_INT(uc_console_write(&c, &m), 0);
	m.ts_wall_ns = TS - 2;
	CHECK_INT(uc_console_write(&c, &m), 0);
	fclose(c.out);
	CHECK_STR(out_text,
		  "0.000000000 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 stream /run/a.sock len 1\n"
		  "1.250000001 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 stream /run/a.sock len 1\n"
		  "86400.000000000 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 stream /run/a.sock len 1\n"
		  "-0.000000002 1234/1235 curl \u2192 999/nginx 0xffff888102249e88 stream /run/a.sock len 1\n");
}

/* Writes must surface the stream's errno, not be swallowed. */
static void test_failures(void)
{
	static const int modes[] = { UC_OUT_SUMMARY, UC_OUT_HEX, UC_OUT_HEXASCII, UC_OUT_ASCII,
				     UC_OUT_JSON };
	struct uc_message m = base();
	int fds[2];

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct uc_console c = { .mode = modes[i] };

		c.out = fopen("/dev/full", "w");
		CHECK(c.out != NULL);
		if (!c.out)
			continue;
		setvbuf(c.out, NULL, _IONBF, 0);
		CHECK_INT(uc_console_write(&c, &m), -ENOSPC);
		fclose(c.out);
	}

	/* A buffered stream fails at the caller's fflush, as documented; then it sticks. */
	{
		struct uc_console c = { .mode = UC_OUT_SUMMARY };

		c.out = fopen("/dev/full", "w");
		CHECK(c.out != NULL);
		if (c.out) {
			CHECK_INT(uc_console_write(&c, &m), 0);
			CHECK(fflush(c.out) != 0 && errno == ENOSPC);
			CHECK(uc_console_write(&c, &m) < 0);
			fclose(c.out);
		}
	}

	/* A reader that went away: EPIPE once SIGPIPE is ignored, as the tool does. */
	signal(SIGPIPE, SIG_IGN);
	CHECK(pipe(fds) == 0);
	close(fds[0]);
	{
		struct uc_console c = { .mode = UC_OUT_JSON };

		c.out = fdopen(fds[1], "w");
		setvbuf(c.out, NULL, _IONBF, 0);
		CHECK_INT(uc_console_write(&c, &m), -EPIPE);
		fclose(c.out);
	}
}

/*
 * The cached socket text gives the lines built without it, whatever changes between
 * messages (a slot reused by another socket, a renamed process, a new peer) and however
 * short the buffer cuts the line.
 */
static void test_cache(void)
{
	struct uc_summary_cache *c = uc_summary_cache_new();
	char with[UC_SUMMARY_MAX], without[UC_SUMMARY_MAX];
	unsigned seed = 1;

	CHECK(c != NULL);
	for (int i = 0; i < 20000; i++) {
		struct uc_message m = base();
		seed = seed * 1103515245u + 12345u;
		unsigned r = seed >> 8;

		m.m.sock = 0xffff888100000000ull + ((r & 7) << 10); /* few sockets, shared slots */
		if (r & 8)
			memcpy(m.m.comm, "a b\x7f\xc3\xa9xxxxxxxxxx", UC_COMM_LEN); /* no NUL */
		if (r & 16)
			m.m.peer_pid = 0;
		if (r & 32)
			m.peer_comm[0] = 0;
		if (r & 64) {
			m.m.path[0] = 0;
			memcpy(m.m.path + 1, "abs name", 8);
			m.m.path_len = 9;
		}
		if (r & 128) {
			memcpy(m.m.peer_path, "/run/other sock", 15);
			m.m.peer_path_len = (r & 256) ? 15 : 9;
		}
		if (r & 512)
			m.m.type = 2 + (r >> 20) % 7;
		if (r & 1024) {
			memset(m.m.path, 'p', UC_PATH_MAX);
			m.m.path_len = UC_PATH_MAX;
		}
		uint32_t flags = (r & 2048) ? UC_MF_RECEIVE | UC_UF_TRUNCATED : 0;
		uint32_t caplen = (r >> 12) & 255;
		size_t size = (r & 4096) ? 1 + (r >> 14) % 200 : sizeof(with);

		size_t a = uc_format_summary_as(with, size, &m, flags, caplen, "T", c);
		size_t b = uc_format_summary_as(without, size, &m, flags, caplen, "T", NULL);
		CHECK_INT(a, b);
		CHECK_STR(with, without);
	}
	uc_summary_cache_free(c);
}

int main(void)
{
	test_lines();
	test_cache();
	test_console();
	test_failures();
	free(out_text);
	UNIT_DONE();
}
