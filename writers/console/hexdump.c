/* Payload dumps in tcpdump's -x, -X and -A layouts. */
#include "writers/console/hexdump.h"

#include <string.h>

#define BYTES_PER_LINE 16
#define HEX_AREA 40 /* 8 groups of " xxxx": where tcpdump pads the hex before the ASCII */

static const char hexdigits[] = "0123456789abcdef";

/* Lines are batched so a 256 KiB payload costs a few dozen fwrite calls, not 16k. */
struct batch {
	FILE *out;
	size_t len;
	char buf[8192];
};

static void drain(struct batch *b)
{
	if (b->len)
		fwrite(b->buf, 1, b->len, b->out);
	b->len = 0;
}

/* tcpdump prints offsets with %04x and lets them grow past 0xffff. */
static size_t put_offset(char *p, size_t off)
{
	char digits[sizeof(size_t) * 2];
	size_t n = 0, o = 0;

	do {
		digits[n++] = hexdigits[off & 15];
		off >>= 4;
	} while (off);
	while (n < 4)
		digits[n++] = '0';
	p[o++] = '\t';
	p[o++] = '0';
	p[o++] = 'x';
	while (n)
		p[o++] = digits[--n];
	p[o++] = ':';
	p[o++] = ' ';
	return o;
}

void uc_print_hex(FILE *out, const uint8_t *data, size_t len, bool with_ascii)
{
	struct batch b = { .out = out };

	for (size_t off = 0; off < len; off += BYTES_PER_LINE) {
		size_t n = len - off < BYTES_PER_LINE ? len - off : BYTES_PER_LINE;
		char *p;
		size_t o, hex_start;

		if (sizeof(b.buf) - b.len < 128)
			drain(&b);
		p = b.buf + b.len;
		o = put_offset(p, off);
		hex_start = o;
		for (size_t i = 0; i < n; i++) {
			uint8_t c = data[off + i];

			if (i % 2 == 0)
				p[o++] = ' ';
			p[o++] = hexdigits[c >> 4];
			p[o++] = hexdigits[c & 15];
		}
		if (with_ascii) {
			while (o < hex_start + HEX_AREA + 2)
				p[o++] = ' ';
			for (size_t i = 0; i < n; i++) {
				uint8_t c = data[off + i];

				p[o++] = c > 0x20 && c <= 0x7e ? (char)c : '.';
			}
		}
		p[o++] = '\n';
		b.len += o;
	}
	drain(&b);
}

void uc_print_ascii(FILE *out, const uint8_t *data, size_t len)
{
	struct batch b = { .out = out };
	char last = '\n';

	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];

		/* CRs only make terminals redraw lines; tcpdump -A drops them too. */
		if (c == '\r')
			continue;
		if (!(c >= 0x20 && c <= 0x7e) && c != '\n' && c != '\t')
			c = '.';
		if (b.len == sizeof(b.buf))
			drain(&b);
		b.buf[b.len++] = (char)c;
		last = (char)c;
	}
	/* Keep the next summary line at the start of a line. */
	if (last != '\n') {
		if (b.len == sizeof(b.buf))
			drain(&b);
		b.buf[b.len++] = '\n';
	}
	drain(&b);
}
