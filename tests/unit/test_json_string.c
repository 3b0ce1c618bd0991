/* capture/core/json_string: one escaping rule for every JSON output. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/core/json_string.h"
#include "capture/core/text.h"
#include "unit.h"

/* The escaper -L --json had (capture/socklist/print.c), kept here as the reference. */
static void reference_fputs(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* The one conversations --json had: display text, so only '\\' and '"' were escaped. */
static void reference_display(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static char *to_string(void (*write)(FILE *, const char *, size_t), const char *s, size_t len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	write(f, s, len);
	fclose(f);
	return text;
}

static void display(FILE *out, const char *s, size_t len)
{
	(void)len;
	reference_display(out, s);
}

/* s/len as a JSON string in buf/size (UC_STRBUF_WHOLE); *full says whether it was cut. */
static const char *json_of(char *buf, size_t size, const char *s, size_t len, bool *full)
{
	struct uc_strbuf b;

	uc_strbuf_init(&b, buf, size, UC_STRBUF_WHOLE);
	uc_json_string(&b, s, len);
	*full = b.full;
	return buf;
}

static void test_escapes(void)
{
	char buf[64];
	bool full;

	CHECK_STR(json_of(buf, sizeof(buf), "a\"b\\c\n\x01\x7f\xff", 9, &full),
		  "\"a\\\"b\\\\c\\u000a\\u0001\\u007f\\u00ff\"");
	CHECK_STR(json_of(buf, sizeof(buf), "x\0y", 3, &full), "\"x\\u0000y\"");
	CHECK_STR(json_of(buf, sizeof(buf), "", 0, &full), "\"\"");
	CHECK(!full);
	/* A cut never leaves half an escape: the line is marked full instead. */
	CHECK_STR(json_of(buf, 6, "ab\x01", 3, &full), "\"ab");
	CHECK(full);
}

/* Every byte value, through the buffer and the stream, as the old -L escaper wrote it. */
static void test_all_bytes(void)
{
	char all[256], line[256 * 6 + 3];
	struct uc_strbuf b;

	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	char *want = to_string(reference_fputs, all, sizeof(all));
	char *got = to_string(uc_json_fputs, all, sizeof(all));
	CHECK_STR(got, want);
	uc_strbuf_init(&b, line, sizeof(line), UC_STRBUF_WHOLE);
	uc_json_string(&b, all, sizeof(all));
	CHECK(!b.full);
	CHECK_STR(line, want);
	free(want);
	free(got);
}

/* The display text in text/len, written by the old conversations escaper and by the rule. */
static void check_display(const char *text, size_t len)
{
	char *want = to_string(display, text, len);
	char *got = to_string(uc_json_fputs, text, len);

	CHECK_STR(got, want);
	free(want);
	free(got);
}

/*
 * conversations --json escaped only '\\' and '"' because its strings are display text
 * (uc_format_bytes, uc_format_path): printable ASCII only, so the full rule writes the
 * same bytes. Checked for every byte value as comm and as an abstract and a file path.
 */
static void test_display_text(void)
{
	char text[UC_PATH_MAX * 4 + 3];

	for (int i = 0; i < 256; i++) {
		char raw[3] = { 'a', (char)i, '"' }, path[4] = { '\0', (char)i, '\\', 'z' };

		check_display(text, uc_format_bytes(text, sizeof(text), raw, sizeof(raw)));
		check_display(text, uc_format_path(text, sizeof(text), path, sizeof(path)));
		path[0] = '/';
		check_display(text, uc_format_path(text, sizeof(text), path, sizeof(path)));
	}
}

int main(void)
{
	test_escapes();
	test_all_bytes();
	test_display_text();
	UNIT_DONE();
}
