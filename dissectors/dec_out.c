/* Bounded line buffer for the payload decoders (dec_out.h). */
#include "dissectors/dec_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void uc_dec_init(struct uc_dec_out *o, char *buf, size_t size)
{
	o->buf = buf;
	o->size = buf ? size : 0;
	o->len = 0;
	o->lines = 0;
	o->full = 0;
	if (o->size)
		buf[0] = '\0';
}

bool uc_dec_start(struct uc_dec_out *o, char *buf, size_t size, const uint8_t *p, size_t n)
{
	uc_dec_init(o, buf, size);
	if (!p || n == 0) {
		uc_dec_puts(o, "no bytes");
		return false;
	}
	return true;
}

/* Appends n bytes whole or not at all, so a cut never leaves half an escape. */
static void put_unit(struct uc_dec_out *o, const char *s, size_t n)
{
	if (o->full || o->size == 0 || n > o->size - 1 - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

void uc_dec_line(struct uc_dec_out *o)
{
	if (o->lines)
		put_unit(o, "\n", 1);
	if (!o->full)
		o->lines++;
}

void uc_dec_puts(struct uc_dec_out *o, const char *s)
{
	put_unit(o, s, strlen(s));
}

void uc_dec_printf(struct uc_dec_out *o, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put_unit(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void uc_dec_text(struct uc_dec_out *o, const uint8_t *p, size_t n, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t end = n < max ? n : max;

	for (size_t i = 0; i < end && !o->full; i++) {
		unsigned char c = p[i];
		char esc[4] = { '\\', (char)c, 0, 0 };

		if (c == '\\' || c == '"')
			put_unit(o, esc, 2);
		else if (c >= 0x20 && c <= 0x7e)
			put_unit(o, (const char *)&c, 1);
		else {
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			put_unit(o, esc, 4);
		}
	}
	if (n > max)
		put_unit(o, "...", 3);
}

void uc_dec_quoted(struct uc_dec_out *o, const uint8_t *p, size_t n, size_t max)
{
	put_unit(o, "\"", 1);
	uc_dec_text(o, p, n, max);
	put_unit(o, "\"", 1);
}
