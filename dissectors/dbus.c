/* D-Bus wire format (the specification's "Message Protocol"), bounds-checked throughout. */
#include "dissectors/dbus.h"
#include "dissectors/dec_out.h"

#include <stdbool.h>
#include <string.h>

#define DBUS_MAX_LINES 16  /* messages shown per write; the rest are counted */
#define DBUS_NAME_MAX 160  /* bytes of a path or name shown before "..." */

enum { F_PATH = 1, F_INTERFACE, F_MEMBER, F_ERROR_NAME, F_REPLY_SERIAL, F_DESTINATION,
       F_SENDER, F_SIGNATURE, F_UNIX_FDS };

static const char *const type_names[] = { "invalid", "method_call", "method_return", "error",
					  "signal" };

/* A message: bounds are its own bytes within this write (end may cut it short). */
struct msg {
	const uint8_t *p; /* message start: alignment is relative to it */
	size_t end;       /* bytes of it present */
	bool little;
};

struct str {
	const uint8_t *p;
	size_t n;
	bool set;
};

struct fields {
	struct str s[F_UNIX_FDS + 1];
	uint32_t reply_serial, unix_fds;
	bool have_reply_serial, have_unix_fds;
	bool cut;      /* the field array ran past the bytes present */
	bool unknown;  /* a field of a type this decoder does not walk: stopped there */
};

static uint32_t u32_at(const struct msg *m, size_t off)
{
	const uint8_t *q = m->p + off;
	return m->little ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
				   (uint32_t)q[3] << 24
			 : (uint32_t)q[3] | (uint32_t)q[2] << 8 | (uint32_t)q[1] << 16 |
				   (uint32_t)q[0] << 24;
}

static size_t align(size_t off, size_t a)
{
	return (off + a - 1) & ~(a - 1);
}

/* Header starts the spec allows: endianness, a known type, protocol version 1. */
static bool binary_at(const uint8_t *p, size_t n)
{
	return n >= 16 && (p[0] == 'l' || p[0] == 'B') && p[1] >= 1 && p[1] <= 4 && p[3] == 1;
}

/* One basic value of type t at *off (aligned first); strings also fill s. 0, or -1. */
static int walk_value(const struct msg *m, size_t lim, char t, size_t *off, struct str *s,
		      uint32_t *u)
{
	size_t o = *off, len;

	switch (t) {
	case 's':
	case 'o':
		o = align(o, 4);
		if (o + 4 > lim)
			return -1;
		len = u32_at(m, o);
		o += 4;
		if (len >= lim - o) /* the string, and its NUL */
			return -1;
		s->p = m->p + o;
		s->n = len;
		s->set = true;
		o += len + 1;
		break;
	case 'g':
		if (o + 1 > lim)
			return -1;
		len = m->p[o++];
		if (len >= lim - o)
			return -1;
		s->p = m->p + o;
		s->n = len;
		s->set = true;
		o += len + 1;
		break;
	case 'u': case 'i': case 'h': case 'b':
		o = align(o, 4);
		if (o + 4 > lim)
			return -1;
		*u = u32_at(m, o);
		o += 4;
		break;
	case 'y':
		if (o + 1 > lim)
			return -1;
		o += 1;
		break;
	case 'n': case 'q':
		o = align(o, 2);
		if (o + 2 > lim)
			return -1;
		o += 2;
		break;
	case 'x': case 't': case 'd':
		o = align(o, 8);
		if (o + 8 > lim)
			return -1;
		o += 8;
		break;
	default:
		return -2;
	}
	*off = o;
	return 0;
}

/* The header field array: (BYTE code, VARIANT value) structs, each 8-aligned. */
static void walk_fields(const struct msg *m, uint32_t fields_len, struct fields *f)
{
	size_t lim = 16 + (size_t)fields_len, off = 16;

	if (lim > m->end) {
		lim = m->end;
		f->cut = true;
	}
	while (align(off, 8) < lim) {
		off = align(off, 8);
		uint8_t code = m->p[off++];
		if (off + 3 > lim) { /* signature length, one type, NUL */
			f->cut = true;
			return;
		}
		if (m->p[off] != 1 || m->p[off + 2] != 0) {
			f->unknown = true; /* containers would need a full type walker */
			return;
		}
		char t = (char)m->p[off + 1];
		off += 3;
		struct str s = { 0 };
		uint32_t u = 0;
		int rc = walk_value(m, lim, t, &off, &s, &u);
		if (rc == -2) {
			f->unknown = true;
			return;
		}
		if (rc) {
			f->cut = true;
			return;
		}
		if (code < sizeof(f->s) / sizeof(f->s[0]) && s.set)
			f->s[code] = s;
		if (code == F_REPLY_SERIAL) {
			f->reply_serial = u;
			f->have_reply_serial = true;
		} else if (code == F_UNIX_FDS) {
			f->unix_fds = u;
			f->have_unix_fds = true;
		}
	}
}

static void put_field(struct uc_dec_out *o, const char *name, const struct str *s)
{
	if (!s->set)
		return;
	uc_dec_printf(o, " %s ", name);
	uc_dec_text(o, s->p, s->n, DBUS_NAME_MAX);
}

/* One message line; returns the message's total size (which may exceed what is here). */
static uint64_t message_line(struct uc_dec_out *o, const uint8_t *p, size_t n)
{
	struct msg m = { .p = p, .end = n, .little = p[0] == 'l' };
	uint32_t body = u32_at(&m, 4), serial = u32_at(&m, 8), fields_len = u32_at(&m, 12);
	uint64_t total = align(16 + (uint64_t)fields_len, 8) + body;
	struct fields f;

	memset(&f, 0, sizeof(f));
	walk_fields(&m, fields_len, &f);
	uc_dec_line(o);
	uc_dec_printf(o, "dbus %s serial %u", type_names[p[1]], serial);
	if (f.have_reply_serial)
		uc_dec_printf(o, " reply_serial %u", f.reply_serial);
	put_field(o, "path", &f.s[F_PATH]);
	put_field(o, "interface", &f.s[F_INTERFACE]);
	put_field(o, "member", &f.s[F_MEMBER]);
	put_field(o, "error", &f.s[F_ERROR_NAME]);
	/* No SIGNATURE field means an empty body signature. */
	uc_dec_puts(o, " signature ");
	if (f.s[F_SIGNATURE].set)
		uc_dec_quoted(o, f.s[F_SIGNATURE].p, f.s[F_SIGNATURE].n, DBUS_NAME_MAX);
	else if (!f.cut && !f.unknown)
		uc_dec_puts(o, "\"\"");
	else
		uc_dec_puts(o, "?");
	put_field(o, "sender", &f.s[F_SENDER]);
	put_field(o, "dest", &f.s[F_DESTINATION]);
	if (f.have_unix_fds)
		uc_dec_printf(o, " unix_fds %u", f.unix_fds);
	if (p[2] & 1)
		uc_dec_puts(o, " no_reply");
	uc_dec_printf(o, " body %u", body);
	if (f.unknown)
		uc_dec_puts(o, " (header fields not all decoded)");
	if (total > n)
		uc_dec_printf(o, " (continues: %zu of %llu bytes here)", n,
			      (unsigned long long)total);
	return total;
}

/* A SASL line starts with one of the protocol's commands. */
static bool auth_at(const uint8_t *p, size_t n)
{
	static const char *const cmds[] = { "AUTH", "CANCEL", "BEGIN", "DATA", "ERROR", "OK",
					    "REJECTED", "NEGOTIATE_UNIX_FD", "AGREE_UNIX_FD" };
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		size_t k = strlen(cmds[i]);
		if (n >= k && !memcmp(p, cmds[i], k) &&
		    (n == k || p[k] == ' ' || p[k] == '\r'))
			return true;
	}
	return false;
}

int uc_decode_dbus(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	struct uc_dec_out o;
	size_t off = 0;
	int shown = 0, hidden = 0;

	if (!uc_dec_start(&o, out, outlen, p, n))
		return 0;
	if (p[0] == 0) {
		uc_dec_line(&o);
		uc_dec_puts(&o, "dbus credentials byte");
		off = 1;
	} else if (!binary_at(p, n) && !auth_at(p, n)) {
		uc_dec_puts(&o, "not a D-Bus message or authentication line");
		return 0;
	}
	while (off < n && !binary_at(p + off, n - off)) {
		const uint8_t *q = p + off;
		size_t rest = n - off, len = 0;

		if (!auth_at(q, rest)) {
			uc_dec_line(&o);
			uc_dec_printf(&o, "dbus %zu bytes that are neither authentication nor a message",
				      rest);
			return o.lines;
		}
		while (len + 1 < rest && !(q[len] == '\r' && q[len + 1] == '\n'))
			len++;
		bool eol = len + 1 < rest;
		if (!eol)
			len = rest;
		uc_dec_line(&o);
		uc_dec_puts(&o, "dbus auth ");
		uc_dec_text(&o, q, len, DBUS_NAME_MAX);
		if (!eol)
			uc_dec_puts(&o, " (no CRLF yet)");
		off += eol ? len + 2 : len;
	}
	while (off < n) {
		if (!binary_at(p + off, n - off)) {
			uc_dec_line(&o);
			uc_dec_printf(&o, "dbus %zu bytes that do not start a message", n - off);
			break;
		}
		if (shown >= DBUS_MAX_LINES) {
			hidden++;
			/* Counting the rest still needs their sizes, but not their fields. */
			struct msg m = { .p = p + off, .end = n - off, .little = p[off] == 'l' };
			uint64_t total = align(16 + (uint64_t)u32_at(&m, 12), 8) + u32_at(&m, 4);
			if (total >= n - off)
				break;
			off += (size_t)total;
			continue;
		}
		uint64_t total = message_line(&o, p + off, n - off);
		shown++;
		if (total >= n - off)
			break;
		off += (size_t)total;
	}
	if (hidden) {
		uc_dec_line(&o);
		uc_dec_printf(&o, "dbus ... %d more messages", hidden);
	}
	return o.lines;
}
