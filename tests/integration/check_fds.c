/*
 * fd passing: what the generator logged of each SCM_RIGHTS / SCM_CREDENTIALS pass, checked
 * against unixcap's send and receive events (--json), and against the sofdsnoop-style
 * table of --fds -T.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check_match.h"

/* The i-th item of array key of o, parsed; false (and a problem) when it is not an object. */
static bool item_obj(const struct jl_obj *o, const char *key, size_t i, struct jl_obj *out)
{
	const struct jl_value *a = jl_get(o, key);

	return a && a->type == JL_ARRAY && i < a->nitems &&
	       jl_parse(a->items[i], a->item_lens[i], out, NULL, 0) == 0;
}

static size_t n_items(const struct jl_obj *o, const char *key)
{
	const struct jl_value *a = jl_get(o, key);

	return a && a->type == JL_ARRAY ? a->nitems : 0;
}

/* Compares "fds" of a captured message with the pass: fd numbers (fd_key of the pass: "fd"
 * on the send side, "recv_fd" on the receive side), names, and on a receive the sender's fd. */
static void cmp_fd_list(struct verdict *v, const char *desc, const struct jl_obj *m,
			const struct jl_obj *pass, bool recv)
{
	size_t want = n_items(pass, "fds"), got = n_items(m, "fds");
	int bad = 0;

	if (got != want) {
		problem(v, "%s: %zu fds, expected %zu", desc, got, want);
		return;
	}
	for (size_t i = 0; i < want && bad < 3; i++) {
		struct jl_obj g, w;
		int64_t gfd = -2, wfd = -3, sent = -2, wsent = -3;
		const char *gname = "", *wname = "";

		if (!item_obj(m, "fds", i, &g)) {
			problem(v, "%s: fds[%zu] is not an object", desc, i);
			bad++;
			continue;
		}
		if (!item_obj(pass, "fds", i, &w)) {
			jl_free(&g);
			continue;
		}
		jl_i64(&g, "fd", &gfd);
		jl_i64(&w, recv ? "recv_fd" : "fd", &wfd);
		jl_str(&g, "name", &gname, NULL);
		jl_str(&w, "name", &wname, NULL);
		if (gfd != wfd || strcmp(gname, wname)) {
			problem(v, "%s: fds[%zu] is fd %" PRId64 " \"%s\", expected fd %" PRId64
				   " \"%s\"", desc, i, gfd, gname, wfd, wname);
			bad++;
		}
		if (recv) {
			jl_i64(&w, "fd", &wsent);
			if (jl_i64(&g, "sent_fd", &sent) != 0 || sent != wsent) {
				problem(v, "%s: fds[%zu] sent_fd %" PRId64 ", expected %" PRId64,
					desc, i, sent, wsent);
				bad++;
			}
		}
		jl_free(&g);
		jl_free(&w);
	}
}

static void cmp_sub_i64(struct verdict *v, const char *desc, const struct jl_obj *m,
			const char *obj, const char *key, int64_t want)
{
	const struct jl_value *o = jl_get(m, obj);
	struct jl_obj sub;
	int64_t got = -1;

	if (!o || o->type != JL_OBJECT || jl_parse(o->s, o->slen, &sub, NULL, 0) != 0) {
		problem(v, "%s: \"%s\" missing", desc, obj);
		return;
	}
	if (jl_i64(&sub, key, &got) != 0 || got != want)
		problem(v, "%s: %s.%s %" PRId64 ", expected %" PRId64, desc, obj, key, got, want);
	jl_free(&sub);
}

/*
 * Every fd pass of the generator: the send shows the sender's fds and names (resolved in
 * the kernel at send time), credentials when sent, and a receive event in the receiving
 * thread shows the fds it really got, linked back to the sender's fds.
 */
void check_fds(struct run *r, struct verdict *v)
{
	bool *used = calloc((size_t)r->nmsgs + 1, sizeof(bool));
	int checked = 0;

	if (!r->npasses)
		problem(v, "the generator logged no fd passes");
	for (int k = 0; k < r->npasses && used; k++) {
		struct jl_obj p;
		char desc[96];
		int64_t send_tid = 0, recv_tid = 0;
		uint64_t send_inode = 0, recv_inode = 0, hash = 0;
		const struct cmsg *send = NULL, *recv = NULL;

		if (jl_parse(r->passes[k], strlen(r->passes[k]), &p, NULL, 0) != 0) {
			problem(v, "generator fd pass %d: bad line", k);
			continue;
		}
		jl_i64(&p, "send_tid", &send_tid);
		jl_i64(&p, "recv_tid", &recv_tid);
		jl_u64(&p, "send_inode", &send_inode);
		jl_u64(&p, "recv_inode", &recv_inode);
		jl_u64(&p, "hash", &hash);
		for (int i = 0; i < r->nmsgs && !send; i++) {
			const struct cmsg *m = &r->msgs[i];
			if (!used[i] && !m->recv && m->tid == send_tid && m->hash_ok &&
			    m->dhash == hash && get_u64(&m->o, "inode") == send_inode) {
				send = m;
				used[i] = true;
			}
		}
		snprintf(desc, sizeof(desc), "fd pass %d (%zu fds) send", k, n_items(&p, "fds"));
		if (!send) {
			problem(v, "%s: not captured", desc);
			jl_free(&p);
			continue;
		}
		checked++;
		cmp_fd_list(v, desc, &send->o, &p, false);
		if (jl_get(&p, "creds")) {
			const struct jl_value *c = jl_get(&p, "creds");
			struct jl_obj want;
			int64_t x;
			if (c->type == JL_OBJECT && jl_parse(c->s, c->slen, &want, NULL, 0) == 0) {
				if (jl_i64(&want, "pid", &x) == 0)
					cmp_sub_i64(v, desc, &send->o, "creds", "pid", x);
				if (jl_i64(&want, "uid", &x) == 0)
					cmp_sub_i64(v, desc, &send->o, "creds", "uid", x);
				if (jl_i64(&want, "gid", &x) == 0)
					cmp_sub_i64(v, desc, &send->o, "creds", "gid", x);
				jl_free(&want);
			}
			if (!jl_has_item(&send->o, "flags", "creds"))
				problem(v, "%s: no \"creds\" flag", desc);
		} else if (jl_get(&send->o, "creds")) {
			problem(v, "%s: credentials shown, none were sent", desc);
		}
		if (!n_items(&p, "fds")) {
			jl_free(&p);
			continue;
		}
		for (int i = 0; i < r->nmsgs && !recv; i++) {
			const struct cmsg *m = &r->msgs[i];
			if (!used[i] && m->recv && m->tid == recv_tid &&
			    get_u64(&m->o, "inode") == recv_inode) {
				recv = m;
				used[i] = true;
			}
		}
		snprintf(desc, sizeof(desc), "fd pass %d (%zu fds) receive", k, n_items(&p, "fds"));
		if (!recv) {
			problem(v, "%s: no receive event in tid %" PRId64, desc, recv_tid);
			jl_free(&p);
			continue;
		}
		int64_t fd = -2, pid = 0;
		jl_i64(&p, "pid", &pid);
		if (recv->pid != pid)
			problem(v, "%s: pid %" PRId64 ", expected %" PRId64, desc, recv->pid, pid);
		{
			const char *gc = "", *wc = "";
			jl_str(&recv->o, "comm", &gc, NULL);
			jl_str(&p, "recv_comm", &wc, NULL);
			if (strcmp(gc, wc))
				problem(v, "%s: comm \"%s\", expected \"%s\"", desc, gc, wc);
		}
		if (jl_i64(&recv->o, "fd", &fd) == 0 && fd >= 0) {
			int64_t want_fd = -1;
			jl_i64(&p, "recv_fd", &want_fd);
			if (fd != want_fd)
				problem(v, "%s: socket fd %" PRId64 ", expected %" PRId64, desc, fd,
					want_fd);
		}
		cmp_fd_list(v, desc, &recv->o, &p, true);
		cmp_sub_i64(v, desc, &recv->o, "sender", "pid", pid);
		cmp_sub_i64(v, desc, &recv->o, "sender", "tid", send_tid);
		jl_free(&p);
	}
	for (int i = 0; i < r->nmsgs && used; i++)
		if (r->msgs[i].recv && !used[i])
			problem(v, "receive event matches no fd pass (line %d)", r->msgs[i].line);
	if (used && !checked && r->npasses)
		problem(v, "no fd pass was checked");
	free(used);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * --fds -T: sofdsnoop's columns, one line per passed fd on each side, nothing else. Lines
 * are reduced to "ACTION TID inode FD NAME" and compared as sets with what the generator
 * logged (the same fd passes check_fds checks in JSON). Returns 1 when any line matched.
 */
int check_fd_table(struct run *r, struct verdict *v)
{
	static const char header[] = "TIME(s)        ACTION TID     COMM             SOCKET       "
				     "             FD    PEER                   NAME";
	const char *out = buf_str(&r->out);
	const char *nl = strchr(out, '\n');
	char **want = NULL, **got = NULL;
	size_t nw = 0, ng = 0, cap = 0;
	int matched = 0;

	if (!nl || (size_t)(nl - out) != strlen(header) || strncmp(out, header, strlen(header))) {
		problem(v, "first line is not the column header: %.*s", nl ? (int)(nl - out) : 80,
			out);
		return 0;
	}
	for (int k = 0; k < r->npasses; k++) {
		struct jl_obj p;
		int64_t st = 0, rt = 0, rfd = 0;
		uint64_t si = 0, ri = 0;
		if (jl_parse(r->passes[k], strlen(r->passes[k]), &p, NULL, 0) != 0)
			continue;
		jl_i64(&p, "send_tid", &st);
		jl_i64(&p, "recv_tid", &rt);
		jl_i64(&p, "recv_fd", &rfd);
		jl_u64(&p, "send_inode", &si);
		jl_u64(&p, "recv_inode", &ri);
		for (size_t i = 0; i < n_items(&p, "fds"); i++) {
			struct jl_obj f;
			int64_t fd = 0, recv_fd = 0;
			const char *name = "";
			if (!item_obj(&p, "fds", i, &f))
				continue;
			jl_i64(&f, "fd", &fd);
			jl_i64(&f, "recv_fd", &recv_fd);
			jl_str(&f, "name", &name, NULL);
			if (nw + 2 > cap) {
				cap = cap ? 2 * cap : 64;
				char **nwant = realloc(want, cap * sizeof(*want));
				if (!nwant) {
					jl_free(&f);
					break;
				}
				want = nwant;
			}
			if (asprintf(&want[nw], "SEND %" PRId64 " %" PRIu64 " %" PRId64 " %s", st, si,
				     fd, name) > 0)
				nw++;
			if (asprintf(&want[nw], "RECV %" PRId64 " %" PRId64 ":socket:[%" PRIu64
						"] %" PRId64 " %s",
				     rt, rfd, ri, recv_fd, name) > 0)
				nw++;
			jl_free(&f);
		}
		jl_free(&p);
	}
	got = calloc(nw + 1, sizeof(*got));
	for (const char *l = nl + 1; *l && got;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char line[1024], time[32], action[8], comm[32], sock[64], peer[64];
		long tid, fd;
		int name_at = 0;
		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		l += len + (e ? 1 : 0);
		if (sscanf(line, "%31s %7s %ld %31s %63s %ld %63s %n", time, action, &tid, comm, sock,
			   &fd, peer, &name_at) < 7 || !name_at) {
			problem(v, "not a table line: %s", line);
			continue;
		}
		if (ng >= nw) {
			problem(v, "more lines than fds passed: %s", line);
			continue;
		}
		/* SEND lines: the socket's inode (its fd is -1 with the kernel-hook backends). */
		const char *ino = strstr(sock, ":socket:[");
		if (!strcmp(action, "SEND") && ino)
			asprintf(&got[ng++], "SEND %ld %.*s %ld %s", tid,
				 (int)strcspn(ino + 9, "]"), ino + 9, fd, line + name_at);
		else
			asprintf(&got[ng++], "%s %ld %s %ld %s", action, tid, sock, fd, line + name_at);
	}
	if (got) {
		qsort(want, nw, sizeof(*want), cmp_str);
		qsort(got, ng, sizeof(*got), cmp_str);
		for (size_t i = 0, j = 0; i < nw || j < ng;) {
			int c = i >= nw ? 1 : j >= ng ? -1 : strcmp(want[i], got[j]);
			if (c == 0) {
				matched++;
				i++, j++;
			} else if (c < 0) {
				problem(v, "no line for: %s", want[i++]);
			} else {
				problem(v, "unexpected line: %s", got[j++]);
			}
		}
		if (nw < 2 * 12)
			problem(v, "the generator passed only %zu fds", nw / 2);
	}
	for (size_t i = 0; i < nw; i++)
		free(want[i]);
	for (size_t i = 0; i < ng && got; i++)
		free(got[i]);
	free(want);
	free(got);
	return matched ? 1 : 0; /* lines, not messages: check_summary counts messages */
}

