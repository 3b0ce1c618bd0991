/* HTTP/1.x start line and header section (RFC 9112), bounds-checked. */
#include "dissectors/http.h"
#include "dissectors/dec_out.h"

#include <string.h>

#define HTTP_MAX_MESSAGES 8
#define HTTP_TEXT_MAX 200 /* bytes of a request target or reason shown */

static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH",
				       "OPTIONS", "CONNECT", "TRACE" };

/* Length of the line at p (without CR LF or LF), and where the next one starts. */
static bool line_at(const uint8_t *p, size_t n, size_t *len, size_t *next)
{
	const uint8_t *nl = memchr(p, '\n', n);
	if (!nl)
		return false;
	*len = (size_t)(nl - p);
	*next = *len + 1;
	if (*len && p[*len - 1] == '\r')
		(*len)--;
	return true;
}

static bool starts(const uint8_t *p, size_t n, const char *s)
{
	size_t k = strlen(s);
	return n >= k && memcmp(p, s, k) == 0;
}

static size_t method_len(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t k = strlen(methods[i]);
		if (n > k && memcmp(p, methods[i], k) == 0 && p[k] == ' ')
			return k;
	}
	return 0;
}

bool uc_http_start(const uint8_t *p, size_t n)
{
	return p && (method_len(p, n) || starts(p, n, "HTTP/1."));
}

static bool header_is(const uint8_t *h, size_t n, const char *name, size_t *value)
{
	size_t k = strlen(name);
	if (n <= k || h[k] != ':')
		return false;
	for (size_t i = 0; i < k; i++) {
		uint8_t c = h[i];
		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c + 32);
		if (c != (uint8_t)name[i])
			return false;
	}
	size_t v = k + 1;
	while (v < n && (h[v] == ' ' || h[v] == '\t'))
		v++;
	*value = v;
	return true;
}

/* Content-Length: digits only; -1 when absent or not a number. */
static long long parse_length(const uint8_t *v, size_t n)
{
	long long x = 0;
	size_t i = 0;
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
		if (x > (1ll << 50))
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	return i && i == n ? x : -1;
}

/* One message from p; returns the bytes it spans when known and present, else 0. */
static size_t message(struct uc_dec_out *o, const uint8_t *p, size_t n)
{
	size_t len, next, off;
	unsigned headers = 0;
	long long clen = -1;
	bool chunked = false, complete = false;

	uc_dec_line(o);
	uc_dec_puts(o, "http ");
	if (!line_at(p, n, &len, &next)) {
		uc_dec_text(o, p, n, HTTP_TEXT_MAX);
		uc_dec_puts(o, " (start line continues)");
		return 0;
	}
	uc_dec_text(o, p, len, HTTP_TEXT_MAX);
	off = next;
	while (off < n) {
		const uint8_t *h = p + off;
		if (!line_at(h, n - off, &len, &next))
			break;
		off += next;
		if (len == 0) {
			complete = true;
			break;
		}
		size_t v;
		headers++;
		if (header_is(h, len, "content-length", &v))
			clen = parse_length(h + v, len - v);
		else if (header_is(h, len, "transfer-encoding", &v) && len - v >= 7 &&
			 !memcmp(h + len - 7, "chunked", 7))
			chunked = true;
	}
	size_t body = complete ? n - off : 0;
	uc_dec_printf(o, " headers %u%s", headers, complete ? "" : "+ (header section continues)");
	if (clen >= 0)
		uc_dec_printf(o, " content-length %lld", clen);
	if (chunked)
		uc_dec_puts(o, " chunked");
	if (!complete)
		return 0;
	/* A body longer than Content-Length here is the next pipelined message. */
	if (clen >= 0 && (unsigned long long)clen < body) {
		uc_dec_printf(o, " body %lld", clen);
		return off + (size_t)clen;
	}
	if (clen < 0 && !chunked && method_len(p, n)) {
		/* A request without a length has no body (RFC 9112 6.3). */
		uc_dec_puts(o, " body 0");
		return body ? off : 0;
	}
	uc_dec_printf(o, " body %zu", body);
	if (clen > (long long)body)
		uc_dec_printf(o, " (continues: %lld more)", clen - (long long)body);
	return 0;
}

int uc_decode_http(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	struct uc_dec_out o;
	size_t off = 0;

	uc_dec_init(&o, out, outlen);
	if (!uc_http_start(p, n)) {
		uc_dec_puts(&o, "no request or status line");
		return 0;
	}
	for (int k = 0; off < n && k < HTTP_MAX_MESSAGES; k++) {
		if (!uc_http_start(p + off, n - off)) {
			uc_dec_line(&o);
			uc_dec_printf(&o, "http %zu more bytes, not a new message", n - off);
			break;
		}
		size_t used = message(&o, p + off, n - off);
		if (!used)
			break;
		off += used;
	}
	return o.lines;
}
