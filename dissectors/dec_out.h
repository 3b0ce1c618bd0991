/*
 * Text output shared by the payload decoders: a bounded buffer of '\n'-separated lines.
 * Nothing here allocates or touches global state, so the decoders stay pure functions
 * that a fuzzer can call on any bytes.
 */
#ifndef UNIXCAP_DEC_OUT_H
#define UNIXCAP_DEC_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uc_dec_out {
	char *buf;
	size_t size;
	size_t len;
	int lines;    /* lines started so far */
	int full;     /* something did not fit: the text ends early, never mid-escape */
};

/* buf may be NULL only with size 0; it is always NUL-terminated when size > 0. */
void uc_dec_init(struct uc_dec_out *o, char *buf, size_t size);

/*
 * uc_dec_init, then for a decoder's payload p/n: false, with "no bytes" written, when
 * there is none (every decoder answers an empty payload alike), else true.
 */
bool uc_dec_start(struct uc_dec_out *o, char *buf, size_t size, const uint8_t *p, size_t n);

/* Starts a new line ('\n' before it unless it is the first). */
void uc_dec_line(struct uc_dec_out *o);

void uc_dec_puts(struct uc_dec_out *o, const char *s);

__attribute__((format(printf, 2, 3)))
void uc_dec_printf(struct uc_dec_out *o, const char *fmt, ...);

/*
 * At most max bytes of p in terminal-safe form: printable ASCII as is, '\\' and '"'
 * escaped, anything else \xNN; "..." when the input was longer than max.
 */
void uc_dec_text(struct uc_dec_out *o, const uint8_t *p, size_t n, size_t max);

/* The same, between double quotes. */
void uc_dec_quoted(struct uc_dec_out *o, const uint8_t *p, size_t n, size_t max);

#endif
