/* Path display/parse, name tables, time and flag formatting. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "capture/core/clock.h"
#include "capture/core/text.h"
#include "unit.h"

static const char *path_text(const char *path, unsigned len)
{
	static char buf[UC_PATH_MAX * 4 + 2];

	uc_format_path(buf, sizeof(buf), path, len);
	return buf;
}

static void test_format_path(void)
{
	char small[16];

	CHECK_STR(path_text("", 0), "");
	CHECK_STR(path_text("/run/a.sock", 12), "/run/a.sock");
	CHECK_STR(path_text("/tmp/x", 6), "/tmp/x"); /* no NUL within len */
	CHECK_STR(path_text("/a\0junk", 7), "/a");   /* filesystem paths stop at NUL */
	CHECK_STR(path_text("/with space", 11), "/with space");
	CHECK_STR(path_text("\0", 1), "@");
	CHECK_STR(path_text("\0my.sock", 8), "@my.sock");
	/* Abstract names keep NULs, including trailing padding. */
	CHECK_STR(path_text("\0foo\0bar\0\0", 10), "@foo\\x00bar\\x00\\x00");
	CHECK_STR(path_text("\0a\\b", 4), "@a\\\\b");
	CHECK_STR(path_text("\0\x01\x1f\x7f\x80\xff~ ", 8), "@\\x01\\x1f\\x7f\\x80\\xff~ ");
	CHECK_STR(path_text("/tmp/\xc3\xa9", 7), "/tmp/\\xc3\\xa9");
	CHECK_STR(path_text("/back\\slash", 11), "/back\\\\slash");

	/* Truncation keeps whole escapes and always terminates. */
	CHECK_INT(uc_format_path(small, 6, "\0abc\x01", 5), 4);
	CHECK_STR(small, "@abc");
	CHECK_INT(uc_format_path(small, 8, "\0abc\x01", 5), 4);
	CHECK_INT(uc_format_path(small, 9, "\0abc\x01", 5), 8);
	CHECK_INT(uc_format_path(small, 1, "/x", 2), 0);
	CHECK_STR(small, "");
	CHECK_INT(uc_format_path(small, 3, "/ab\\", 4), 2);
	CHECK_STR(small, "/a");

	/* len beyond sun_path is clamped. */
	{
		char p[UC_PATH_MAX + 50];
		memset(p, 'a', sizeof(p));
		p[0] = '\0';
		CHECK_INT(strlen(path_text(p, sizeof(p))), UC_PATH_MAX);
	}
}

static void test_parse_path(void)
{
	char out[UC_PATH_MAX + 1];
	char text[UC_PATH_MAX * 4 + 8];
	unsigned len = 99;

	CHECK_INT(uc_parse_path("@foo", out, &len), 0);
	CHECK_INT(len, 4);
	CHECK(memcmp(out, "\0foo", 4) == 0);

	CHECK_INT(uc_parse_path("/tmp/x", out, &len), 0);
	CHECK_INT(len, 6);
	CHECK_STR(out, "/tmp/x");

	CHECK_INT(uc_parse_path("@a\\x00b\\\\", out, &len), 0);
	CHECK_INT(len, 5);
	CHECK(memcmp(out, "\0a\0b\\", 5) == 0);

	CHECK_INT(uc_parse_path("@\\xFF\\xaB", out, &len), 0);
	CHECK_INT(len, 3);
	CHECK(memcmp(out, "\0\xff\xab", 3) == 0);

	CHECK_INT(uc_parse_path("@", out, &len), 0);
	CHECK_INT(len, 1);
	CHECK_INT(uc_parse_path("", out, &len), 0);
	CHECK_INT(len, 0);

	CHECK_INT(uc_parse_path("/a\\q", out, &len), -EINVAL);
	CHECK_INT(uc_parse_path("/a\\", out, &len), -EINVAL);
	CHECK_INT(uc_parse_path("@\\x", out, &len), -EINVAL);
	CHECK_INT(uc_parse_path("@\\x1", out, &len), -EINVAL);
	CHECK_INT(uc_parse_path("@\\xzz", out, &len), -EINVAL);
	CHECK_INT(uc_parse_path("@\\X41", out, &len), -EINVAL);
	CHECK_INT(uc_parse_path("/a\\x00b", out, &len), -EINVAL); /* NUL in a filesystem path */

	/* 108 bytes is the limit, whether written plainly or escaped. */
	memset(out, 0x55, sizeof(out));
	memset(text, 'a', UC_PATH_MAX);
	text[UC_PATH_MAX] = '\0';
	CHECK_INT(uc_parse_path(text, out, &len), 0);
	CHECK_INT(len, UC_PATH_MAX);
	CHECK_INT((unsigned char)out[UC_PATH_MAX], 0x55); /* no terminator past sun_path */
	text[UC_PATH_MAX] = 'a';
	text[UC_PATH_MAX + 1] = '\0';
	CHECK_INT(uc_parse_path(text, out, &len), -EINVAL);

	text[0] = '@';
	text[UC_PATH_MAX] = '\0';
	CHECK_INT(uc_parse_path(text, out, &len), 0);
	CHECK_INT(len, UC_PATH_MAX);
	text[UC_PATH_MAX] = 'a';
	text[UC_PATH_MAX + 1] = '\0';
	CHECK_INT(uc_parse_path(text, out, &len), -EINVAL);

	text[0] = '@';
	text[1] = '\0';
	for (int i = 0; i < UC_PATH_MAX - 1; i++)
		strcat(text, "\\x01");
	CHECK_INT(uc_parse_path(text, out, &len), 0);
	CHECK_INT(len, UC_PATH_MAX);
	strcat(text, "\\x01");
	CHECK_INT(uc_parse_path(text, out, &len), -EINVAL);
}

/* parse(format(x)) == x for random abstract names and NUL-free filesystem paths. */
static void test_round_trip(void)
{
	char in[UC_PATH_MAX], out[UC_PATH_MAX], text[UC_PATH_MAX * 4 + 2];
	int bad = 0;

	srand(12345);
	for (int iter = 0; iter < 20000; iter++) {
		bool abstract = iter % 2 == 0;
		unsigned len = 1 + (unsigned)rand() % UC_PATH_MAX, got = 0;

		for (unsigned i = 0; i < len; i++)
			in[i] = (char)(rand() & 0xff);
		/* Mostly printable bytes so escapes and plain text mix. */
		if (iter % 4 < 2)
			for (unsigned i = 0; i < len; i++)
				in[i] = (char)(0x20 + (unsigned char)in[i] % 0x60);
		if (abstract) {
			in[0] = '\0';
		} else {
			for (unsigned i = 0; i < len; i++)
				if (in[i] == '\0')
					in[i] = 'z';
			if (in[0] == '@') /* displays like an abstract name by design */
				in[0] = '/';
		}
		uc_format_path(text, sizeof(text), in, len);
		if (uc_parse_path(text, out, &got) != 0 || got != len || memcmp(in, out, len) != 0)
			bad++;
	}
	CHECK_INT(bad, 0);
}

static void test_names(void)
{
	CHECK_STR(uc_type_name(1), "stream");
	CHECK_STR(uc_type_name(2), "dgram");
	CHECK_STR(uc_type_name(5), "seqpacket");
	CHECK_STR(uc_type_name(3), "type3");
	CHECK_STR(uc_type_name(0), "type0");

	CHECK_STR(uc_call_name(UC_CALL_UNKNOWN), "unknown");
	CHECK_STR(uc_call_name(UC_CALL_WRITE), "write");
	CHECK_STR(uc_call_name(UC_CALL_WRITEV), "writev");
	CHECK_STR(uc_call_name(UC_CALL_SENDTO), "sendto");
	CHECK_STR(uc_call_name(UC_CALL_SENDMSG), "sendmsg");
	CHECK_STR(uc_call_name(UC_CALL_SENDMMSG), "sendmmsg");
	CHECK_STR(uc_call_name(UC_CALL_STREAM_SENDMSG), "unix_stream_sendmsg");
	CHECK_STR(uc_call_name(UC_CALL_DGRAM_SENDMSG), "unix_dgram_sendmsg");
	CHECK_STR(uc_call_name(UC_CALL_RECVMSG), "recvmsg");
	CHECK_STR(uc_call_name(9), "unknown");
	CHECK_STR(uc_call_name(255), "unknown");

	CHECK_STR(uc_errno_name(EAGAIN), "EAGAIN");
	CHECK_STR(uc_errno_name(EPIPE), "EPIPE");
	CHECK_STR(uc_errno_name(ECONNREFUSED), "ECONNREFUSED");
	CHECK_STR(uc_errno_name(EDESTADDRREQ), "EDESTADDRREQ");
	CHECK_STR(uc_errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	CHECK(uc_errno_name(0) == NULL);
	CHECK(uc_errno_name(4000) == NULL);
}

static void test_time(void)
{
	char buf[64];

	setenv("TZ", "UTC", 1);
	tzset();
	CHECK_INT(uc_format_time(buf, sizeof(buf), 1763888592123456789ull), 18);
	CHECK_STR(buf, "09:03:12.123456789");
	uc_format_time(buf, sizeof(buf), 1763888592000000007ull);
	CHECK_STR(buf, "09:03:12.000000007");
	uc_format_time(buf, sizeof(buf), 0);
	CHECK_STR(buf, "00:00:00.000000000");

	/* POSIX TZ sign is inverted: "XYZ-2" is two hours ahead of UTC. */
	setenv("TZ", "XYZ-2", 1);
	tzset();
	uc_format_time(buf, sizeof(buf), 1763888592123456789ull);
	CHECK_STR(buf, "11:03:12.123456789");
	setenv("TZ", "UTC", 1);
	tzset();

	CHECK_INT(uc_format_time(buf, 9, 1763888592123456789ull), 8);
	CHECK_STR(buf, "09:03:12");
}

static void test_flags(void)
{
	char buf[128];

	CHECK_INT(uc_format_flags(buf, sizeof(buf), 0), 0);
	CHECK_STR(buf, "");
	uc_format_flags(buf, sizeof(buf), UC_UF_TRUNCATED | UC_UF_GAP);
	CHECK_STR(buf, "truncated gap");
	uc_format_flags(buf, sizeof(buf), 0xffffffffu);
	CHECK_STR(buf, "error pages unreadable seg-limit kernel-mem dest-addr recv creds fds-lost pidfd "
		       "ctl-skipped peer-unknown "
		       "truncated gap");
	uc_format_flags(buf, sizeof(buf), UC_MF_DEST_ADDR | UC_MF_ERROR);
	CHECK_STR(buf, "error dest-addr");
	CHECK_INT(uc_format_flags(buf, sizeof(buf), 1u << 30), 0);
	CHECK_INT(uc_format_flags(buf, 10, UC_UF_TRUNCATED | UC_UF_GAP), 9);
	CHECK_STR(buf, "truncated");
}

/* The error text of the summary line and of --json "error", for any int32 from a file. */
static void test_errno_text(void)
{
	char buf[24];

	CHECK_INT(uc_format_errno(buf, sizeof(buf), -EAGAIN), 6);
	CHECK_STR(buf, "EAGAIN");
	uc_format_errno(buf, sizeof(buf), -EOPNOTSUPP);
	CHECK_STR(buf, "EOPNOTSUPP");
	uc_format_errno(buf, sizeof(buf), -4000);
	CHECK_STR(buf, "4000");
	uc_format_errno(buf, sizeof(buf), 0);
	CHECK_STR(buf, "0");
	uc_format_errno(buf, sizeof(buf), 5);
	CHECK_STR(buf, "-5");
	uc_format_errno(buf, sizeof(buf), INT32_MIN);
	CHECK_STR(buf, "2147483648");
	uc_format_errno(buf, sizeof(buf), -INT32_MAX);
	CHECK_STR(buf, "2147483647");
	CHECK_INT(uc_format_errno(buf, 4, -EAGAIN), 3);
	CHECK_STR(buf, "EAG");
}

static void test_sock_text(void)
{
	char buf[24];

	CHECK_INT(uc_format_sock(buf, sizeof(buf), 0xffff888102249e88ull, false), 18);
	CHECK_STR(buf, "0xffff888102249e88");
	uc_format_sock(buf, sizeof(buf), 0x9e88, false);
	CHECK_STR(buf, "0x9e88");
	CHECK_INT(uc_format_sock(buf, sizeof(buf), 0x9e88, true), 18);
	CHECK_STR(buf, "0x0000000000009e88");
	uc_format_sock(buf, sizeof(buf), 0, false);
	CHECK_STR(buf, "0x0");
}

/* -L's words: uc_format_bytes with a space and the --dump separators escaped as well. */
static void test_bytes_escaping(void)
{
	char buf[64];

	CHECK_INT(uc_format_bytes_escaping(buf, sizeof(buf), "a b,c/d:e\\f", 11, " ,/:"), 24);
	CHECK_STR(buf, "a\\x20b\\x2cc\\x2fd\\x3ae\\\\f");
	uc_format_bytes_escaping(buf, sizeof(buf), "a b,c", 5, "");
	CHECK_STR(buf, "a b,c");
	uc_format_bytes(buf, sizeof(buf), "a b,c", 5);
	CHECK_STR(buf, "a b,c");
	/* Every byte: with no extra, exactly uc_format_bytes. */
	for (int c = 0; c < 256; c++) {
		char one = (char)c, want[8];
		uc_format_bytes(want, sizeof(want), &one, 1);
		uc_format_bytes_escaping(buf, sizeof(buf), &one, 1, "");
		CHECK_STR(buf, want);
	}
	/* A cut never splits an escape. */
	CHECK_INT(uc_format_bytes_escaping(buf, 5, "ab c", 4, " "), 2);
	CHECK_STR(buf, "ab");
}

int main(void)
{
	test_bytes_escaping();
	test_errno_text();
	test_sock_text();
	test_format_path();
	test_parse_path();
	test_round_trip();
	test_names();
	test_time();
	test_flags();
	UNIT_DONE();
}
