/* capture/core/strbuf: the three ways a builder runs out of room. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/core/strbuf.h"
#include "unit.h"

static void test_whole(void)
{
	char buf[8];
	struct uc_strbuf b;

	uc_strbuf_init(&b, buf, sizeof(buf), UC_STRBUF_WHOLE);
	CHECK_STR(buf, "");
	uc_strbuf_puts(&b, "abc");
	uc_strbuf_printf(&b, "%d", 42);
	CHECK_STR(buf, "abc42");
	CHECK_INT(b.len, 5);
	CHECK(!b.full);
	/* "\x41" would need 4 bytes, 2 are left (one is the NUL's): left out whole. */
	uc_strbuf_put(&b, "\\x41", 4);
	CHECK_STR(buf, "abc42");
	CHECK(b.full);
	/* Full stays full: a later piece that would fit is not added after a gap. */
	uc_strbuf_puts(&b, "z");
	uc_strbuf_printf(&b, "%c", 'y');
	CHECK_STR(buf, "abc42");
	CHECK_INT(b.len, 5);

	/* A printf that does not fit leaves no partial number behind. */
	uc_strbuf_init(&b, buf, sizeof(buf), UC_STRBUF_WHOLE);
	uc_strbuf_puts(&b, "n=");
	uc_strbuf_printf(&b, "%u", 123456u);
	CHECK_STR(buf, "n=");
	CHECK(b.full);

	/* Exactly size - 1 bytes fit. */
	uc_strbuf_init(&b, buf, sizeof(buf), UC_STRBUF_WHOLE);
	uc_strbuf_printf(&b, "%s", "1234567");
	CHECK_STR(buf, "1234567");
	CHECK(!b.full);
	uc_strbuf_clear(&b);
	CHECK_STR(buf, "");
	CHECK_INT(b.len, 0);
	uc_strbuf_puts(&b, "again");
	CHECK_STR(buf, "again");

	/* No storage: nothing is written, everything is left out. */
	uc_strbuf_init(&b, buf, 0, UC_STRBUF_WHOLE);
	uc_strbuf_puts(&b, "");
	CHECK(b.full);
}

static void test_cut(void)
{
	char buf[8];
	struct uc_strbuf b;

	uc_strbuf_init(&b, buf, sizeof(buf), UC_STRBUF_CUT);
	uc_strbuf_puts(&b, "abcd");
	uc_strbuf_puts(&b, "efghij");
	CHECK_STR(buf, "abcdefg");
	CHECK_INT(b.len, 7);
	CHECK(b.full);
	uc_strbuf_puts(&b, "x");
	CHECK_STR(buf, "abcdefg");

	uc_strbuf_init(&b, buf, sizeof(buf), UC_STRBUF_CUT);
	uc_strbuf_puts(&b, "ab");
	uc_strbuf_printf(&b, " %u", 1234567u);
	CHECK_STR(buf, "ab 1234");
	CHECK_INT(b.len, 7);

	/* What snprintf itself would give, piece by piece, for any size. */
	for (size_t size = 1; size <= 20; size++) {
		char got[20], want[32];
		uc_strbuf_init(&b, got, size, UC_STRBUF_CUT);
		uc_strbuf_printf(&b, "%s/%u", "pid", 4194304u);
		uc_strbuf_puts(&b, " comm");
		snprintf(want, size, "pid/4194304 comm");
		CHECK_STR(got, want);
		CHECK_INT(b.len, strlen(want));
	}
}

static void test_grow(void)
{
	struct uc_strbuf b;
	char *s;

	uc_strbuf_init(&b, NULL, 0, UC_STRBUF_GROW);
	s = uc_strbuf_take(&b);
	CHECK_STR(s, "");
	free(s);

	uc_strbuf_init(&b, NULL, 0, UC_STRBUF_GROW);
	for (int i = 0; i < 1000; i++)
		uc_strbuf_printf(&b, "%s%d", i ? "," : "", i);
	uc_strbuf_puts(&b, "!");
	CHECK(!b.full);
	CHECK_INT(b.len, strlen(b.buf));
	s = uc_strbuf_take(&b);
	CHECK(s && !strncmp(s, "0,1,2,3,", 8));
	CHECK(s && !strcmp(s + strlen(s) - 5, ",999!"));
	CHECK(b.buf == NULL && b.len == 0);
	free(s);

	/* One piece far larger than the first allocation. */
	char big[5000];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	uc_strbuf_init(&b, NULL, 0, UC_STRBUF_GROW);
	uc_strbuf_printf(&b, "<%s>", big);
	s = uc_strbuf_take(&b);
	CHECK(s && strlen(s) == sizeof(big) + 1 && s[0] == '<' && s[sizeof(big)] == '>');
	free(s);
}

/* uc_strbuf_format: snprintf's text, with the length of what landed. */
static void test_format(void)
{
	char buf[8];

	CHECK_INT(uc_strbuf_format(buf, sizeof(buf), "%s-%d", "ab", 7), 4);
	CHECK_STR(buf, "ab-7");
	CHECK_INT(uc_strbuf_format(buf, sizeof(buf), "%u", 123456789u), 7);
	CHECK_STR(buf, "1234567");
	buf[0] = 'x';
	CHECK_INT(uc_strbuf_format(buf, 0, "%u", 1u), 0);
	CHECK(buf[0] == 'x');
	CHECK_INT(uc_strbuf_format(buf, 1, "%u", 1u), 0);
	CHECK_STR(buf, "");
}

int main(void)
{
	test_format();
	test_whole();
	test_cut();
	test_grow();
	UNIT_DONE();
}
