/*
 * The send matcher: every message unixcap printed is paired with the send of the
 * generator's log it shows, and compared field by field; every send the check's predicate
 * selects must have been captured. Also the shape of the JSON lines (key order and types)
 * and unixcap's closing summary line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_match.h"
#include "gen.h"

bool disp_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char da[256], db[256];
	long na = ug_display_decode(a, alen, da, sizeof(da));
	long nb = ug_display_decode(b, blen, db, sizeof(db));

	return na >= 0 && na == nb && !memcmp(da, db, (size_t)na);
}

static const char *backend_of(const struct opts *op, const struct run *r)
{
	if (r->backend[0])
		return r->backend;
	if (op->expect_backend)
		return op->expect_backend;
	return op->backend;
}

static bool is_tracepoint(const struct opts *op, const struct run *r)
{
	return !strcmp(backend_of(op, r), "tracepoint");
}

struct mctx {
	const struct opts *op;
	struct run *r;
	struct verdict *v;
	const char *desc;
	const struct cmsg *m;
};

static void want_i64(struct mctx *x, const char *key, int64_t want)
{
	int64_t got;
	int rc = jl_i64(&x->m->o, key, &got);

	if (rc == -1)
		problem(x->v, "%s: \"%s\" missing", x->desc, key);
	else if (rc < 0)
		problem(x->v, "%s: \"%s\" is not an integer", x->desc, key);
	else if (got != want)
		problem(x->v, "%s: %s %" PRId64 ", expected %" PRId64, x->desc, key, got, want);
}

static void want_u64(struct mctx *x, const char *key, uint64_t want, bool hex)
{
	uint64_t got;
	int rc = jl_u64(&x->m->o, key, &got);

	if (rc == -1)
		problem(x->v, "%s: \"%s\" missing", x->desc, key);
	else if (rc < 0)
		problem(x->v, "%s: \"%s\" malformed", x->desc, key);
	else if (got != want)
		problem(x->v, hex ? "%s: %s 0x%" PRIx64 ", expected 0x%" PRIx64
				  : "%s: %s %" PRIu64 ", expected %" PRIu64,
			x->desc, key, got, want);
}

static void want_str(struct mctx *x, const char *key, const char *want)
{
	const char *got;
	int rc = jl_str(&x->m->o, key, &got, NULL);

	if (rc == -1)
		problem(x->v, "%s: \"%s\" missing", x->desc, key);
	else if (rc < 0)
		problem(x->v, "%s: \"%s\" is not a string", x->desc, key);
	else if (strcmp(got, want))
		problem(x->v, "%s: %s \"%s\", expected \"%s\"", x->desc, key, got, want);
}

static void want_path(struct mctx *x, const char *key, const char *want)
{
	const char *got;
	size_t len;
	int rc = jl_str(&x->m->o, key, &got, &len);

	if (rc == -1)
		problem(x->v, "%s: \"%s\" missing", x->desc, key);
	else if (rc < 0)
		problem(x->v, "%s: \"%s\" is not a string", x->desc, key);
	else if (!disp_eq(got, len, want, strlen(want)))
		problem(x->v, "%s: %s \"%s\", expected \"%s\"", x->desc, key, got, want);
}

static void want_data(struct mctx *x, int64_t caplen, uint64_t hash)
{
	const char *s;
	size_t len;
	int rc = jl_str(&x->m->o, "data", &s, &len);

	if (rc == -1) {
		problem(x->v, "%s: \"data\" missing", x->desc);
		return;
	}
	if (rc < 0 || !x->m->hash_ok) {
		problem(x->v, "%s: \"data\" is not a hex string", x->desc);
		return;
	}
	if ((int64_t)len / 2 != caplen) {
		problem(x->v, "%s: data holds %zu bytes, expected %" PRId64, x->desc, len / 2,
			caplen);
		return;
	}
	if (x->m->dhash != hash)
		problem(x->v, "%s: data differs from what was sent (FNV 0x%016" PRIx64
			      ", expected 0x%016" PRIx64 ")",
			x->desc, x->m->dhash, hash);
}

static void cmp_common(struct mctx *x, const struct grec *g)
{
	double ts;

	want_i64(x, "pid", g->pid);
	want_i64(x, "tid", g->tid);
	want_i64(x, "uid", (int64_t)getuid());
	want_i64(x, "gid", (int64_t)getgid());
	want_str(x, "comm", g->comm);
	want_str(x, "type", g->type);
	want_u64(x, "inode", g->inode, false);
	want_u64(x, "sock", g->sock, true);
	if (is_tracepoint(x->op, x->r)) {
		want_i64(x, "fd", g->fd);
		want_str(x, "call", g->call);
	} else {
		want_i64(x, "fd", -1);
	}
	if (jl_f64(&x->m->o, "ts", &ts) != 0)
		problem(x->v, "%s: \"ts\" missing or not a number", x->desc);
	else if (ts < x->r->t0 - 5 || ts > x->r->t1 + 5)
		problem(x->v, "%s: ts %.6f outside the run (%.3f..%.3f)", x->desc, ts, x->r->t0,
			x->r->t1);
}

static void cmp_data(struct mctx *x, const struct grec *g)
{
	uint64_t ps = 0, pi = 0;
	bool trunc = g->snap_len < g->ret;

	cmp_common(x, g);
	want_path(x, "path", g->path);
	want_path(x, "peer_path", g->peer_path);
	if (g->peer_inode) {
		jl_u64(&x->m->o, "peer_sock", &ps);
		jl_u64(&x->m->o, "peer_inode", &pi);
		/*
		 * An unconnected datagram names its peer only in msg_name. A backend that
		 * did not see the socket the kernel looked up (the tracepoint backend before
		 * 6.3) must say so with the peer-unknown flag; without the flag, every
		 * datagram, sendmmsg's 1024th as well as its first, must name its peer.
		 */
		if (!(g->dest && ps == 0 && pi == 0 && jl_has_item(&x->m->o, "flags", "peer-unknown"))) {
			want_u64(x, "peer_sock", g->peer_sock, true);
			want_u64(x, "peer_inode", g->peer_inode, false);
		}
	}
	want_i64(x, "len", g->ret);
	want_i64(x, "caplen", g->snap_len);
	if (jl_has_item(&x->m->o, "flags", "truncated") != trunc)
		problem(x->v, "%s: flags %s \"truncated\" with caplen %" PRId64 " of %" PRId64,
			x->desc, trunc ? "lack" : "hold", g->snap_len, g->ret);
	want_data(x, g->snap_len, g->snap_hash);
}

static void cmp_error(struct mctx *x, const struct grec *g)
{
	const char *data;
	size_t dlen;

	cmp_common(x, g);
	want_i64(x, "errno", g->err);
	if (g->error[0])
		want_str(x, "error", g->error);
	else if (jl_str(&x->m->o, "error", NULL, NULL) != 0)
		problem(x->v, "%s: \"error\" missing", x->desc);
	want_i64(x, "len", g->len); /* what the call tried to send */
	if (jl_get(&x->m->o, "caplen"))
		want_i64(x, "caplen", 0);
	if (jl_str(&x->m->o, "data", &data, &dlen) == 0 && dlen)
		problem(x->v, "%s: a failed send carries data", x->desc);
}

bool pred_all(const struct run *r, const struct grec *g, const void *arg)
{
	(void)r;
	(void)g;
	(void)arg;
	return true;
}

static const char *msg_desc(const struct cmsg *m, char *buf, size_t n)
{
	char call[24], type[16];

	cp_str(&m->o, "call", call, sizeof(call));
	cp_str(&m->o, "type", type, sizeof(type));
	snprintf(buf, n, "line %d (tid %" PRId64 " sock 0x%" PRIx64 " inode %" PRIu64
			 " %s %s len %" PRId64 ")",
		 m->line, m->tid, m->sock, get_u64(&m->o, "inode"), type, call,
		 get_i64(&m->o, "len"));
	return buf;
}

/*
 * Matches every captured message to the log: records selected by pred (successful sends,
 * and failed ones when errors), per (tid, sock) in order. prefix: records may be left over
 * (the capture stopped early). Returns the number of matched messages.
 */
int match(const struct opts *op, struct run *r, struct verdict *v, pred_fn pred,
	  const void *arg, bool errors, bool prefix)
{
	int matched = 0;
	char d[200];

	for (int i = 0; i < r->nrecs; i++)
		r->recs[i].used = false;
	for (int k = 0; k < r->nmsgs; k++) {
		const struct cmsg *m = &r->msgs[k];
		struct grec *g = NULL;
		struct mctx x = { op, r, v, d, m };
		bool found = false;

		if (m->recv)
			continue; /* receives are checked against the fd passes (check_fds) */
		if (m->pid != r->gen) {
			char comm[20];

			cp_str(&m->o, "comm", comm, sizeof(comm));
			problem(v, "message from another process (pid %" PRId64 " comm \"%s\"): %s",
				m->pid, comm, msg_desc(m, d, sizeof(d)));
			continue;
		}
		if (m->error && !errors) {
			problem(v, "a failed send shown without --errors: %s",
				msg_desc(m, d, sizeof(d)));
			continue;
		}
		/*
		 * The next unmatched send of the same thread on the same socket; but when a
		 * later one has exactly this content, that one (a lost or extra message
		 * then costs one problem, not a cascade).
		 */
		for (int i = 0; i < r->nrecs; i++) {
			struct grec *c = &r->recs[i];
			bool same;

			if (c->used || (c->ret < 0) != m->error || c->tid != m->tid ||
			    c->sock != m->sock || !pred(r, c, arg))
				continue;
			same = m->error ? m->err == c->err
					: m->len == c->ret && m->hash_ok && m->dhash == c->snap_hash;
			if (!g)
				g = c;
			if (same) {
				g = c;
				found = true;
				break;
			}
		}
		if (!found) {
			/* Nothing unmatched has this content: is it a second copy of a send? */
			int dup = -1;

			for (int i = 0; i < r->nrecs && dup < 0; i++) {
				struct grec *c = &r->recs[i];

				if (c->used && (c->ret < 0) == m->error && c->tid == m->tid &&
				    c->sock == m->sock &&
				    (m->error ? m->err == c->err
					      : m->len == c->ret && m->hash_ok &&
							m->dhash == c->snap_hash))
					dup = i;
			}
			if (dup >= 0) {
				problem(v, "captured twice: %s %s #%d: %s", r->recs[dup].scenario,
					r->recs[dup].call, dup, msg_desc(m, d, sizeof(d)));
				continue;
			}
		}
		if (g) {
			for (int i = (int)(g - r->recs) + 1; i < r->nrecs; i++)
				if (r->recs[i].used && r->recs[i].tid == g->tid &&
				    r->recs[i].sock == g->sock) {
					problem(v, "%s %s #%d captured after #%d of the same thread "
						   "and socket",
						g->scenario, g->call, (int)(g - r->recs), i);
					break;
				}
		}
		if (!g) {
			const char *hint = "";

			for (int i = 0; i < r->nrecs; i++) {
				const struct grec *c = &r->recs[i];

				if (c->tid != m->tid || c->inode != get_u64(&m->o, "inode"))
					continue;
				if (c->sock != m->sock)
					hint = " (the socket's address differs from /proc/net/unix)";
				else if (!c->used && (c->ret < 0) != m->error)
					hint = m->error ? " (a successful send flagged \"error\"?)"
							: " (a failed send shown without the \"error\" flag?)";
				else
					hint = " (more messages than sends on this socket)";
				if (c->sock != m->sock || !c->used)
					break;
			}
			problem(v, "captured message matches no send%s: %s", hint,
				msg_desc(m, d, sizeof(d)));
			continue;
		}
		g->used = true;
		matched++;
		snprintf(d, sizeof(d), "%s %s #%d (line %d)", g->scenario, g->call,
			 (int)(g - r->recs), m->line);
		if (m->error)
			cmp_error(&x, g);
		else
			cmp_data(&x, g);
	}
	if (!prefix)
		for (int i = 0; i < r->nrecs; i++) {
			const struct grec *g = &r->recs[i];

			if (g->used || !pred(r, g, arg) || (g->ret < 0 && !errors))
				continue;
			problem(v, "send not captured: %s %s #%d tid %d sock 0x%" PRIx64 " %s len %" PRId64
				   " ret %" PRId64 "%s%s",
				g->scenario, g->call, i, g->tid, g->sock, g->type, g->len, g->ret,
				g->ret < 0 ? " " : "", g->ret < 0 ? g->error : "");
		}
	return matched;
}

void check_summary(struct run *r, struct verdict *v, int matched)
{
	if (!r->have_summary) {
		problem(v, "no \"N messages captured, M dropped\" line on unixcap's stderr");
		return;
	}
	if (r->dropped)
		problem(v, "unixcap dropped %llu messages", r->dropped);
	/* Whenever this check failed: the kernel side's counts, so that a loss on a kernel
	 * nobody is watching can be told apart (skipped runs, exits not run, ring full). */
	const char *why = strstr(buf_str(&r->err), "unixcap: kernel side: ");
	if (why && (v->n || r->dropped))
		fprintf(stderr, "capture_check: %s: %.*s\n", v->name, (int)strcspn(why, "\n"), why);
	if (r->captured < (unsigned long long)matched)
		problem(v, "unixcap says %llu messages captured, %d were matched", r->captured,
			matched);
}

void check_format(struct run *r, struct verdict *v, bool errors)
{
	static const char *const data_keys[] = {
		"ts",	    "ts_ns",	"pid",	     "tid",	  "uid",       "gid",       "comm",
		"cgroup",   "sock",	"inode",     "type",	  "path",      "peer_sock",
		"peer_inode", "peer_pid", "peer_comm", "peer_path", "len",	   "caplen",
		"call",	    "fd",	"flags",     "data",
	};
	static const char *const err_keys[] = {
		"ts",	    "ts_ns",	"pid",	     "tid",	  "uid",       "gid",       "comm",
		"cgroup",   "sock",	"inode",     "type",	  "path",      "peer_sock",
		"peer_inode", "peer_pid", "peer_comm", "peer_path", "len",	   "caplen",
		"call",	    "fd",	"flags",     "errno",	  "error",     "data",
	};

	for (int k = 0; k < r->nmsgs; k++) {
		const struct jl_obj *o = &r->msgs[k].o;
		bool err = r->msgs[k].error;
		const char *const *keys = err ? err_keys : data_keys;
		size_t nkeys = err ? sizeof(err_keys) / sizeof(err_keys[0])
				   : sizeof(data_keys) / sizeof(data_keys[0]);
		int line = r->msgs[k].line;
		size_t i;

		size_t n = 0, at_flags = 0;
		const struct jl_value *present[64];

		if (err != errors)
			continue;
		/* The fd-passing keys come, when present, between "flags" and "data". */
		for (size_t j = 0; j < o->n && n < 64; j++) {
			const char *key = o->v[j].key;
			if (!strcmp(key, "flags"))
				at_flags = n;
			if (strcmp(key, "creds") && strcmp(key, "sender") && strcmp(key, "fds")) {
				present[n++] = &o->v[j];
				continue;
			}
			if (!at_flags || (j + 1 < o->n && strcmp(o->v[j + 1].key, "data") &&
					  strcmp(o->v[j + 1].key, "sender") &&
					  strcmp(o->v[j + 1].key, "fds")))
				problem(v, "line %d: \"%s\" out of place", line, key);
			if (!strcmp(key, "fds") ? o->v[j].type != JL_ARRAY : o->v[j].type != JL_OBJECT)
				problem(v, "line %d: \"%s\" has the wrong type", line, key);
		}
		for (i = 0; i < n && i < nkeys; i++)
			if (strcmp(present[i]->key, keys[i]))
				break;
		if (i < n && i < nkeys) {
			problem(v, "line %d: key %zu is \"%s\", expected \"%s\"", line, i,
				present[i]->key, keys[i]);
			continue;
		}
		if (n > nkeys) {
			problem(v, "line %d: unexpected key \"%s\"", line, present[nkeys]->key);
			continue;
		}
		/* "data" may be left out of a failed send. */
		if (n < nkeys && !(err && n == nkeys - 1)) {
			problem(v, "line %d: key \"%s\" missing", line, keys[n]);
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			const struct jl_value *jv = present[j];
			bool str = !strcmp(jv->key, "comm") || !strcmp(jv->key, "sock") ||
				   !strcmp(jv->key, "type") || !strcmp(jv->key, "path") ||
				   !strcmp(jv->key, "peer_sock") || !strcmp(jv->key, "peer_comm") ||
				   !strcmp(jv->key, "peer_path") || !strcmp(jv->key, "call") ||
				   !strcmp(jv->key, "error") || !strcmp(jv->key, "data");

			if (!strcmp(jv->key, "flags")) {
				if (jv->type != JL_ARRAY)
					problem(v, "line %d: \"flags\" is not an array", line);
			} else if (str ? jv->type != JL_STRING : jv->type != JL_NUMBER) {
				problem(v, "line %d: \"%s\" has the wrong type", line, jv->key);
			} else if ((!strcmp(jv->key, "sock") || !strcmp(jv->key, "peer_sock")) &&
				   strncmp(jv->s, "0x", 2)) {
				problem(v, "line %d: \"%s\" is not 0x-prefixed hex", line, jv->key);
			}
		}
	}
}
