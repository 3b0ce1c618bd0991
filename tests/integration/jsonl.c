/* Minimal flat-object JSON line parser (see jsonl.h). */
#include "jsonl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *p, *end;
	char *err;
	size_t errlen;
	const char *start;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	char msg[200];

	if (!ps->err || !ps->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "at offset %zu: %s", (size_t)(ps->p - ps->start), msg);
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int hex4(struct parser *ps, unsigned *out)
{
	unsigned v = 0;

	if (ps->end - ps->p < 4)
		return fail(ps, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = ps->p[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return fail(ps, "bad hex digit in \\u escape");
		v = v << 4 | d;
	}
	ps->p += 4;
	*out = v;
	return 0;
}

static size_t utf8_put(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Parses a string at ps->p (which points at the opening quote). */
static int parse_string(struct parser *ps, char **out, size_t *outlen)
{
	const char *q;
	char *buf, *o;

	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, "expected a string");
	ps->p++;
	/* The decoded string is never longer than the escaped one. */
	for (q = ps->p; q < ps->end && *q != '"'; q++)
		if (*q == '\\')
			q++;
	if (q >= ps->end)
		return fail(ps, "unterminated string");
	buf = malloc((size_t)(q - ps->p) + 1);
	if (!buf)
		return fail(ps, "out of memory");
	o = buf;
	while (*ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;

		if (c < 0x20) {
			free(buf);
			return fail(ps, "control character in a string");
		}
		if (c != '\\') {
			*o++ = (char)c;
			ps->p++;
			continue;
		}
		ps->p++;
		c = (unsigned char)*ps->p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*o++ = (char)c;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u': {
			unsigned cp, lo;

			if (hex4(ps, &cp) < 0) {
				free(buf);
				return -1;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				free(buf);
				return fail(ps, "lone low surrogate");
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u') {
					free(buf);
					return fail(ps, "lone high surrogate");
				}
				ps->p += 2;
				if (hex4(ps, &lo) < 0) {
					free(buf);
					return -1;
				}
				if (lo < 0xdc00 || lo > 0xdfff) {
					free(buf);
					return fail(ps, "bad low surrogate");
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			o += utf8_put(o, cp);
			break;
		}
		default:
			free(buf);
			ps->p--;
			return fail(ps, "bad escape \\%c", c);
		}
	}
	ps->p++; /* closing quote */
	*o = '\0';
	*out = buf;
	*outlen = (size_t)(o - buf);
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct parser *ps, char **out, size_t *outlen)
{
	const char *s = ps->p;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || !is_digit(*ps->p))
		return fail(ps, "bad number");
	if (*ps->p == '0')
		ps->p++;
	else
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || !is_digit(*ps->p))
			return fail(ps, "bad fraction");
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || !is_digit(*ps->p))
			return fail(ps, "bad exponent");
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	}
	*outlen = (size_t)(ps->p - s);
	*out = strndup(s, *outlen);
	return *out ? 0 : fail(ps, "out of memory");
}

static void value_free(struct jl_value *v)
{
	free(v->key);
	free(v->s);
	for (size_t i = 0; i < v->nitems; i++)
		free(v->items[i]);
	free(v->items);
	free(v->item_lens);
	memset(v, 0, sizeof(*v));
}

/*
 * A nested object is kept as its raw text (parse it again with jl_parse): the checks
 * need only the flat objects of "fds" and "creds".
 */
static int raw_object(struct parser *ps, char **out, size_t *outlen)
{
	const char *start = ps->p;
	int depth = 0;
	bool in_str = false;

	for (; ps->p < ps->end; ps->p++) {
		char ch = *ps->p;
		if (in_str) {
			if (ch == '\\')
				ps->p++;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"')
			in_str = true;
		else if (ch == '{' || ch == '[')
			depth++;
		else if ((ch == '}' || ch == ']') && --depth == 0)
			break;
	}
	if (ps->p >= ps->end)
		return fail(ps, "unterminated object");
	ps->p++;
	*outlen = (size_t)(ps->p - start);
	*out = malloc(*outlen + 1);
	if (!*out)
		return fail(ps, "out of memory");
	memcpy(*out, start, *outlen);
	(*out)[*outlen] = '\0';
	return 0;
}

static int parse_array(struct parser *ps, struct jl_value *v)
{
	ps->p++; /* '[' */
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		char *s;
		size_t slen;
		char **ni;
		size_t *nl;

		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == '{') {
			if (raw_object(ps, &s, &slen) < 0)
				return -1;
		} else if (ps->p >= ps->end || *ps->p != '"') {
			return fail(ps, "arrays may only hold strings and objects");
		} else if (parse_string(ps, &s, &slen) < 0) {
			return -1;
		}
		ni = realloc(v->items, (v->nitems + 1) * sizeof(*ni));
		if (ni)
			v->items = ni;
		nl = realloc(v->item_lens, (v->nitems + 1) * sizeof(*nl));
		if (nl)
			v->item_lens = nl;
		if (!ni || !nl) {
			free(s);
			return fail(ps, "out of memory");
		}
		v->items[v->nitems] = s;
		v->item_lens[v->nitems] = slen;
		v->nitems++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return 0;
		}
		return fail(ps, "expected ',' or ']' in an array");
	}
}

static int match_word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n))
		return fail(ps, "bad literal");
	ps->p += n;
	return 0;
}

static int parse_value(struct parser *ps, struct jl_value *v)
{
	if (ps->p >= ps->end)
		return fail(ps, "expected a value");
	switch (*ps->p) {
	case '"':
		v->type = JL_STRING;
		return parse_string(ps, &v->s, &v->slen);
	case '[':
		v->type = JL_ARRAY;
		return parse_array(ps, v);
	case 't':
		v->type = JL_TRUE;
		return match_word(ps, "true");
	case 'f':
		v->type = JL_FALSE;
		return match_word(ps, "false");
	case 'n':
		v->type = JL_NULL;
		return match_word(ps, "null");
	case '{':
		v->type = JL_OBJECT;
		return raw_object(ps, &v->s, &v->slen);
	default:
		v->type = JL_NUMBER;
		return parse_number(ps, &v->s, &v->slen);
	}
}

void jl_free(struct jl_obj *o)
{
	for (size_t i = 0; i < o->n; i++)
		value_free(&o->v[i]);
	free(o->v);
	o->v = NULL;
	o->n = 0;
}

int jl_parse(const char *text, size_t len, struct jl_obj *o, char *err, size_t errlen)
{
	struct parser ps = { text, text + len, err, errlen, text };
	size_t cap = 0;

	o->v = NULL;
	o->n = 0;
	if (err && errlen)
		err[0] = '\0';
	skip_ws(&ps);
	if (ps.p >= ps.end || *ps.p != '{') {
		fail(&ps, "expected '{'");
		return -1;
	}
	ps.p++;
	skip_ws(&ps);
	if (ps.p < ps.end && *ps.p == '}') {
		ps.p++;
		goto tail;
	}
	for (;;) {
		struct jl_value v;
		size_t klen;

		memset(&v, 0, sizeof(v));
		skip_ws(&ps);
		if (parse_string(&ps, &v.key, &klen) < 0)
			goto bad;
		if (strlen(v.key) != klen) {
			fail(&ps, "NUL in a key");
			value_free(&v);
			goto bad;
		}
		if (jl_get(o, v.key)) {
			fail(&ps, "duplicate key \"%s\"", v.key);
			value_free(&v);
			goto bad;
		}
		skip_ws(&ps);
		if (ps.p >= ps.end || *ps.p != ':') {
			fail(&ps, "expected ':'");
			value_free(&v);
			goto bad;
		}
		ps.p++;
		skip_ws(&ps);
		if (parse_value(&ps, &v) < 0) {
			value_free(&v);
			goto bad;
		}
		if (o->n == cap) {
			size_t ncap = cap ? 2 * cap : 32;
			struct jl_value *nv = realloc(o->v, ncap * sizeof(*nv));

			if (!nv) {
				fail(&ps, "out of memory");
				value_free(&v);
				goto bad;
			}
			o->v = nv;
			cap = ncap;
		}
		o->v[o->n++] = v;
		skip_ws(&ps);
		if (ps.p < ps.end && *ps.p == ',') {
			ps.p++;
			continue;
		}
		if (ps.p < ps.end && *ps.p == '}') {
			ps.p++;
			break;
		}
		fail(&ps, "expected ',' or '}'");
		goto bad;
	}
tail:
	skip_ws(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "trailing characters after the object");
		goto bad;
	}
	return 0;
bad:
	jl_free(o);
	return -1;
}

const struct jl_value *jl_get(const struct jl_obj *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].key, key))
			return &o->v[i];
	return NULL;
}

int jl_str(const struct jl_obj *o, const char *key, const char **s, size_t *len)
{
	const struct jl_value *v = jl_get(o, key);

	if (!v)
		return -1;
	if (v->type != JL_STRING)
		return -2;
	if (s)
		*s = v->s;
	if (len)
		*len = v->slen;
	return 0;
}

int jl_i64(const struct jl_obj *o, const char *key, int64_t *out)
{
	const struct jl_value *v = jl_get(o, key);
	char *end;
	long long x;

	if (!v)
		return -1;
	if (v->type != JL_NUMBER || strpbrk(v->s, ".eE"))
		return -2;
	errno = 0;
	x = strtoll(v->s, &end, 10);
	if (errno || *end)
		return -2;
	*out = x;
	return 0;
}

int jl_f64(const struct jl_obj *o, const char *key, double *out)
{
	const struct jl_value *v = jl_get(o, key);
	char *end;

	if (!v)
		return -1;
	if (v->type != JL_NUMBER)
		return -2;
	*out = strtod(v->s, &end);
	return *end ? -2 : 0;
}

int jl_u64(const struct jl_obj *o, const char *key, uint64_t *out)
{
	const struct jl_value *v = jl_get(o, key);
	const char *s;
	char *end;
	int base = 10;
	unsigned long long x;

	if (!v)
		return -1;
	if (v->type == JL_NUMBER) {
		if (v->s[0] == '-' || strpbrk(v->s, ".eE"))
			return -2;
		s = v->s;
	} else if (v->type == JL_STRING) {
		s = v->s;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			s += 2;
			base = 16;
		}
		if (!*s || strlen(s) != v->slen - (size_t)(s - v->s))
			return -2;
		for (const char *q = s; *q; q++)
			if (!(is_digit(*q) || (base == 16 && strchr("abcdefABCDEF", *q))))
				return -2;
	} else {
		return -2;
	}
	errno = 0;
	x = strtoull(s, &end, base);
	if (errno || *end)
		return -2;
	*out = x;
	return 0;
}

bool jl_has_item(const struct jl_obj *o, const char *key, const char *item)
{
	const struct jl_value *v = jl_get(o, key);

	if (!v || v->type != JL_ARRAY)
		return false;
	for (size_t i = 0; i < v->nitems; i++)
		if (!strcmp(v->items[i], item))
			return true;
	return false;
}
