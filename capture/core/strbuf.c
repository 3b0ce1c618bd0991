/* The string builder of strbuf.h. */
#include "capture/core/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void uc_strbuf_init(struct uc_strbuf *b, char *buf, size_t size, enum uc_strbuf_fit fit)
{
	b->buf = buf;
	b->size = buf ? size : 0;
	b->len = 0;
	b->full = false;
	b->fit = fit;
	if (b->size)
		b->buf[0] = '\0';
}

void uc_strbuf_clear(struct uc_strbuf *b)
{
	b->len = 0;
	b->full = false;
	if (b->size)
		b->buf[0] = '\0';
}

/* Room for n more bytes and the NUL; false when there is none (and cannot be made). */
static bool room_for(struct uc_strbuf *b, size_t n)
{
	if (b->size && n < b->size - b->len)
		return true;
	if (b->fit != UC_STRBUF_GROW)
		return false;
	size_t cap = b->size ? b->size * 2 : 64;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *s = realloc(b->buf, cap);
	if (!s)
		return false;
	b->buf = s;
	b->size = cap;
	return true;
}

void uc_strbuf_put(struct uc_strbuf *b, const void *s, size_t n)
{
	if (b->full)
		return;
	if (!room_for(b, n)) {
		if (b->fit != UC_STRBUF_CUT || !b->size) {
			b->full = true;
			return;
		}
		n = b->size - 1 - b->len;
		b->full = true;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

/* Digits of v in base (10 or 16, lowercase), as printf's %llu and %llx write them, without
 * printf: the summary line of every message is built from these (a third of unixcap's CPU
 * per 64 B message went to printf's machinery). */
static void put_base(struct uc_strbuf *b, uint64_t v, unsigned base)
{
	char digits[20];
	size_t i = sizeof(digits);
	do {
		digits[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	uc_strbuf_put(b, digits + i, sizeof(digits) - i);
}

void uc_strbuf_put_uint(struct uc_strbuf *b, uint64_t v)
{
	put_base(b, v, 10);
}

void uc_strbuf_put_hex(struct uc_strbuf *b, uint64_t v)
{
	put_base(b, v, 16);
}

void uc_strbuf_printf(struct uc_strbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	uc_strbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

size_t uc_strbuf_format(char *buf, size_t size, const char *fmt, ...)
{
	struct uc_strbuf b;
	va_list ap;

	uc_strbuf_init(&b, buf, size, UC_STRBUF_CUT);
	va_start(ap, fmt);
	uc_strbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	return b.len;
}

void uc_strbuf_vprintf(struct uc_strbuf *b, const char *fmt, va_list ap)
{
	va_list again;
	size_t room;
	int n;

	if (b->full)
		return;
	/* Straight into the buffer; only a piece that did not fit is dealt with again. */
	room = b->size - b->len;
	va_copy(again, ap);
	n = vsnprintf(b->size ? b->buf + b->len : NULL, room, fmt, ap);
	if (n >= 0 && (size_t)n < room) {
		b->len += (size_t)n;
		va_end(again);
		return;
	}
	if (n >= 0 && b->fit == UC_STRBUF_CUT && b->size) {
		b->len = b->size - 1; /* vsnprintf cut it there */
		b->full = true;
		va_end(again);
		return;
	}
	if (n >= 0 && b->fit == UC_STRBUF_GROW && room_for(b, (size_t)n)) {
		vsnprintf(b->buf + b->len, b->size - b->len, fmt, again);
		b->len += (size_t)n;
		va_end(again);
		return;
	}
	if (b->size)
		b->buf[b->len] = '\0'; /* take back what vsnprintf wrote of the piece */
	b->full = true;
	va_end(again);
}

char *uc_strbuf_take(struct uc_strbuf *b)
{
	char *s = b->buf;

	if (b->full) {
		free(s);
		s = NULL;
	} else if (!s) {
		s = strdup("");
	}
	uc_strbuf_init(b, NULL, 0, b->fit);
	return s;
}
