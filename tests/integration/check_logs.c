/*
 * Reading the two sides of a run: the generator's JSON log (its socket table, every send
 * and fd pass it made) and unixcap's output (--json lines, the listening line with the
 * backend, the closing "N messages captured, M dropped"). Parsing only: what the fields
 * must hold is checked by the matchers.
 */
#include <stdlib.h>
#include <string.h>

#include "check_harness.h"
#include "gen.h"

void cp_str(const struct jl_obj *o, const char *key, char *dst, size_t n)
{
	const char *s = "";

	if (jl_str(o, key, &s, NULL) != 0)
		s = "";
	snprintf(dst, n, "%s", s);
}

int64_t get_i64(const struct jl_obj *o, const char *key)
{
	int64_t v = 0;

	jl_i64(o, key, &v);
	return v;
}

uint64_t get_u64(const struct jl_obj *o, const char *key)
{
	uint64_t v = 0;

	jl_u64(o, key, &v);
	return v;
}

/* Splits a buffer into lines; calls fn for each non-empty one. */
static void each_line(const struct buf *b, void (*fn)(void *, const char *, size_t, int), void *arg)
{
	const char *s = buf_str(b);
	int line = 0;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		line++;
		if (len)
			fn(arg, s, len, line);
		s += len + (nl ? 1 : 0);
	}
}

struct parse_ctx {
	struct run *r;
	struct verdict *v;
	int cap;
};

static void gen_line(void *arg, const char *s, size_t len, int line)
{
	struct parse_ctx *pc = arg;
	struct run *r = pc->r;
	struct jl_obj o;
	char err[200], kind[16];

	if (jl_parse(s, len, &o, err, sizeof(err)) < 0) {
		problem(pc->v, "generator log line %d: %s", line, err);
		return;
	}
	cp_str(&o, "kind", kind, sizeof(kind));
	if (!strcmp(kind, "socket") && r->nsocks < MAX_SOCKS) {
		struct gsock *g = &r->socks[r->nsocks++];

		cp_str(&o, "scenario", g->scenario, sizeof(g->scenario));
		cp_str(&o, "role", g->role, sizeof(g->role));
		cp_str(&o, "type", g->type, sizeof(g->type));
		cp_str(&o, "path", g->path, sizeof(g->path));
		g->inode = get_u64(&o, "inode");
		g->sock = get_u64(&o, "sock");
	} else if (!strcmp(kind, "send")) {
		struct grec *g;

		if (r->nrecs == pc->cap) {
			int ncap = pc->cap ? 2 * pc->cap : 64;
			struct grec *p = realloc(r->recs, (size_t)ncap * sizeof(*p));

			if (!p) {
				jl_free(&o);
				return;
			}
			r->recs = p;
			pc->cap = ncap;
		}
		g = &r->recs[r->nrecs++];
		memset(g, 0, sizeof(*g));
		cp_str(&o, "scenario", g->scenario, sizeof(g->scenario));
		cp_str(&o, "comm", g->comm, sizeof(g->comm));
		cp_str(&o, "call", g->call, sizeof(g->call));
		cp_str(&o, "type", g->type, sizeof(g->type));
		cp_str(&o, "error", g->error, sizeof(g->error));
		cp_str(&o, "path", g->path, sizeof(g->path));
		cp_str(&o, "peer_path", g->peer_path, sizeof(g->peer_path));
		g->pid = (int)get_i64(&o, "pid");
		g->tid = (int)get_i64(&o, "tid");
		g->fd = (int)get_i64(&o, "fd");
		g->err = (int)get_i64(&o, "errno");
		g->inode = get_u64(&o, "inode");
		g->sock = get_u64(&o, "sock");
		g->peer_inode = get_u64(&o, "peer_inode");
		g->peer_sock = get_u64(&o, "peer_sock");
		g->dest = get_i64(&o, "dest") != 0;
		g->len = get_i64(&o, "len");
		g->ret = get_i64(&o, "ret");
		g->snap_len = get_i64(&o, "snap_len");
		g->hash = get_u64(&o, "hash");
		g->snap_hash = get_u64(&o, "snap_hash");
	} else if (!strcmp(kind, "fds")) {
		char **p = realloc(r->passes, (size_t)(r->npasses + 1) * sizeof(*p));
		char *copy = strndup(s, len);

		if (p && copy) {
			r->passes = p;
			r->passes[r->npasses++] = copy;
		} else {
			if (p)
				r->passes = p;
			free(copy);
			problem(pc->v, "out of memory");
		}
	} else if (!strcmp(kind, "end")) {
		r->gen_end = true;
	}
	jl_free(&o);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* FNV-1a of the bytes in the hex string "data"; false when it is missing or malformed. */
static bool hex_fnv(const struct jl_obj *o, uint64_t *hash)
{
	const char *s;
	size_t len;
	uint64_t h = UG_FNV_OFFSET;

	if (jl_str(o, "data", &s, &len) != 0 || len % 2)
		return false;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		unsigned char byte;

		if (hi < 0 || lo < 0)
			return false;
		byte = (unsigned char)(hi << 4 | lo);
		h = ug_fnv1a(h, &byte, 1);
	}
	*hash = h;
	return true;
}

static void cap_line(void *arg, const char *s, size_t len, int line)
{
	struct parse_ctx *pc = arg;
	struct run *r = pc->r;
	struct cmsg *m;
	char err[200];

	if (r->nmsgs == pc->cap) {
		int ncap = pc->cap ? 2 * pc->cap : 64;
		struct cmsg *p = realloc(r->msgs, (size_t)ncap * sizeof(*p));

		if (!p)
			return;
		r->msgs = p;
		pc->cap = ncap;
	}
	m = &r->msgs[r->nmsgs];
	memset(m, 0, sizeof(*m));
	if (jl_parse(s, len, &m->o, err, sizeof(err)) < 0) {
		problem(pc->v, "unixcap output line %d is not a JSON object: %s: %.80s", line, err, s);
		return;
	}
	m->line = line;
	m->pid = get_i64(&m->o, "pid");
	m->tid = get_i64(&m->o, "tid");
	m->sock = get_u64(&m->o, "sock");
	m->error = jl_has_item(&m->o, "flags", "error");
	m->recv = jl_has_item(&m->o, "flags", "recv");
	m->len = get_i64(&m->o, "len");
	m->err = get_i64(&m->o, "errno");
	m->hash_ok = hex_fnv(&m->o, &m->dhash);
	r->nmsgs++;
}

static void err_line(void *arg, const char *s, size_t len, int line)
{
	struct run *r = arg;
	char tmp[256];
	unsigned long long n, d;
	const char *p = tmp;

	(void)line;
	snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < 255 ? len : 255), s);
	if (!strncmp(p, "unixcap: ", 9))
		p += 9;
	if (sscanf(p, "%llu messages captured, %llu dropped", &n, &d) == 2) {
		r->have_summary = true;
		r->captured = n;
		r->dropped = d;
	}
	int end = 0;
	/* %n only counts once the whole text matched (sscanf returns 1 at the number alone). */
	if (sscanf(p, "%llu datagrams sent to an address whose receiving socket was not seen%n",
		   &n, &end) == 1 && end)
		r->peer_unknown = n;
}

const char *listening_line(const struct run *r, size_t *len)
{
	const char *s = buf_str(&r->err), *p = s;
	static const char key[] = "unixcap: listening on";

	while ((p = strstr(p, key))) {
		if (p == s || p[-1] == '\n') {
			const char *nl = strchr(p, '\n');

			if (!nl)
				return NULL;
			*len = (size_t)(nl - p);
			return p;
		}
		p += sizeof(key) - 1;
	}
	return NULL;
}

void parse_backend(struct run *r)
{
	size_t len;
	const char *l = listening_line(r, &len), *p;
	size_t k = 0;

	r->backend[0] = '\0';
	if (!l)
		return;
	p = strstr(l, "backend ");
	if (!p || p > l + len)
		return;
	p += 8;
	while (k + 1 < sizeof(r->backend) && p[k] >= 'a' && p[k] <= 'z') {
		r->backend[k] = p[k];
		k++;
	}
	r->backend[k] = '\0';
}

void parse_gen_log(struct run *r, struct verdict *v)
{
	struct parse_ctx pc = { r, v, 0 };

	/* Read twice: the socket table once the generator is ready, everything at its end. */
	r->nsocks = 0;
	r->nrecs = 0;
	free(r->recs);
	r->recs = NULL;
	for (int i = 0; i < r->npasses; i++)
		free(r->passes[i]);
	free(r->passes);
	r->passes = NULL;
	r->npasses = 0;
	each_line(&r->glog, gen_line, &pc);
}

void parse_cap_json(struct run *r, struct verdict *v)
{
	struct parse_ctx pc = { r, v, 0 };

	each_line(&r->out, cap_line, &pc);
}

void parse_cap_summary(struct run *r)
{
	each_line(&r->err, err_line, r);
}
