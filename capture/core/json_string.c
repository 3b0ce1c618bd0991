/* JSON string escaping (json_string.h): one rule, for a buffer and for a stream. */
#include "capture/core/json_string.h"

static const char hexdigits[] = "0123456789abcdef";

/* The JSON form of one byte inside a string; returns its length (1, 2 or 6). */
static size_t escape(unsigned char c, char out[6])
{
	if (c == '"' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (c < 0x20 || c >= 0x7f) {
		out[0] = '\\';
		out[1] = 'u';
		out[2] = '0';
		out[3] = '0';
		out[4] = hexdigits[c >> 4];
		out[5] = hexdigits[c & 15];
		return 6;
	}
	out[0] = (char)c;
	return 1;
}

void uc_json_string(struct uc_strbuf *b, const char *s, size_t len)
{
	char esc[6];

	uc_strbuf_put(b, "\"", 1);
	for (size_t i = 0; i < len; i++)
		uc_strbuf_put(b, esc, escape((unsigned char)s[i], esc));
	uc_strbuf_put(b, "\"", 1);
}

void uc_json_fputs(FILE *out, const char *s, size_t len)
{
	char esc[6];

	fputc('"', out);
	for (size_t i = 0; i < len; i++)
		fwrite(esc, 1, escape((unsigned char)s[i], esc), out);
	fputc('"', out);
}
