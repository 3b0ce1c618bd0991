/* Line-oriented text payloads, split at LF. */
#include "dissectors/line.h"
#include "dissectors/dec_out.h"

#include <string.h>

#define LINE_MAX_SHOWN 8
#define LINE_TEXT_MAX 160

/* Length of the well-formed UTF-8 sequence at p (2..4 bytes), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
	size_t k = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
	if (!k || k > n || p[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return k;
}

bool uc_line_text(const uint8_t *p, size_t n)
{
	if (!p || n == 0 || !memchr(p, '\n', n))
		return false;
	for (size_t i = 0; i < n;) {
		uint8_t c = p[i];
		if (c >= 0x80) {
			size_t k = utf8_seq(p + i, n - i);
			if (!k)
				return false;
			i += k;
			continue;
		}
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return false;
		i++;
	}
	return true;
}

int uc_decode_line(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	struct uc_dec_out o;
	size_t off = 0;
	int shown = 0, more = 0;

	if (!uc_dec_start(&o, out, outlen, p, n))
		return 0;
	while (off < n) {
		const uint8_t *q = p + off, *nl = memchr(q, '\n', n - off);
		size_t len = nl ? (size_t)(nl - q) : n - off;
		size_t shown_len = len && q[len - 1] == '\r' ? len - 1 : len;

		off += nl ? len + 1 : len;
		if (shown >= LINE_MAX_SHOWN) {
			more++;
			continue;
		}
		uc_dec_line(&o);
		uc_dec_puts(&o, "line ");
		uc_dec_quoted(&o, q, nl ? shown_len : len, LINE_TEXT_MAX);
		if (!nl)
			uc_dec_puts(&o, " (no newline)");
		shown++;
	}
	if (more) {
		uc_dec_line(&o);
		uc_dec_printf(&o, "line ... %d more lines", more);
	}
	return o.lines;
}
