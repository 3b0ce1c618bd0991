/*
 * A string built piece by piece (JSON lines, the summary line, -L table cells). The three
 * ways of running out of room are what set the builders that used to be written apart:
 *
 *   UC_STRBUF_WHOLE  fixed buffer; a piece that does not fit is left out whole and the
 *                    buffer is full from then on, so the text never ends mid-escape or
 *                    mid-number and the caller can refuse to print a cut line.
 *   UC_STRBUF_CUT    fixed buffer; as much of the piece as fits, like snprintf: a summary
 *                    line too long for the terminal is still worth its first columns.
 *   UC_STRBUF_GROW   heap buffer that doubles as needed; full means memory ran out.
 *
 * The text is always NUL-terminated when there is a buffer, so len < size.
 */
#ifndef UNIXCAP_CORE_STRBUF_H
#define UNIXCAP_CORE_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum uc_strbuf_fit {
	UC_STRBUF_WHOLE,
	UC_STRBUF_CUT,
	UC_STRBUF_GROW,
};

struct uc_strbuf {
	char *buf;
	size_t size;
	size_t len;
	bool full; /* something was left out (or cut); nothing more is added */
	enum uc_strbuf_fit fit;
};

/* buf/size is the caller's storage; for UC_STRBUF_GROW pass NULL, 0. */
void uc_strbuf_init(struct uc_strbuf *b, char *buf, size_t size, enum uc_strbuf_fit fit);

/* Starts over on the same storage (a line written out in pieces). */
void uc_strbuf_clear(struct uc_strbuf *b);

void uc_strbuf_put(struct uc_strbuf *b, const void *s, size_t n);
/* Inline, so that the length of a literal is counted by the compiler, not per call. */
static inline void uc_strbuf_puts(struct uc_strbuf *b, const char *s)
{
	uc_strbuf_put(b, s, strlen(s));
}

/* v in decimal (%llu) or lowercase hex without 0x (%llx). */
void uc_strbuf_put_uint(struct uc_strbuf *b, uint64_t v);
void uc_strbuf_put_hex(struct uc_strbuf *b, uint64_t v);

__attribute__((format(printf, 2, 3)))
void uc_strbuf_printf(struct uc_strbuf *b, const char *fmt, ...);
__attribute__((format(printf, 2, 0)))
void uc_strbuf_vprintf(struct uc_strbuf *b, const char *fmt, va_list ap);

/*
 * snprintf for the uc_format_* functions: cut to size like snprintf, but returns the
 * strlen() of what landed in buf (0 and "" on an encoding error), never more than size - 1.
 */
__attribute__((format(printf, 3, 4)))
size_t uc_strbuf_format(char *buf, size_t size, const char *fmt, ...);

/* UC_STRBUF_GROW: the string, now the caller's to free ("" when nothing was added), or
 * NULL when memory ran out. The builder is empty afterwards. */
char *uc_strbuf_take(struct uc_strbuf *b);

#endif
