/* --split: a capture writer per conversation, indexed by conversation number. */
#include "writers/conv/split.h"
#include "writers/conv/private_files.h"
#include "capture/core/clock.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

struct uc_split {
	char *dir;
	struct uc_writer_cfg tmpl;
	struct uc_writer **w; /* by conversation id; NULL until its first message */
	char **names;         /* the name each file was created with */
	const struct uc_conv **convs;
	size_t n_w;
	unsigned files;
	char err[600];
};

int uc_split_open(struct uc_split **out, const char *dir, const struct uc_writer_cfg *tmpl,
		  char *err, size_t errlen)
{
	struct uc_split *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s || !(s->dir = strdup(dir))) {
		free(s);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	int e = uc_make_dir(dir, err, errlen);
	if (e) {
		free(s->dir);
		free(s);
		return e;
	}
	s->tmpl = *tmpl;
	s->tmpl.file = (struct uc_rotate_cfg){ .zstd_level = 3 };
	/* One open file per conversation: as many as the hard limit allows. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	*out = s;
	return 0;
}

void uc_split_set_stats(struct uc_split *s, uc_stats_fn fn, void *ctx)
{
	s->tmpl.stats = fn;
	s->tmpl.stats_ctx = ctx;
}

static void put_comm(char *buf, size_t size, const struct uc_conv_end *e)
{
	size_t o = 0;
	for (size_t i = 0; i < UC_COMM_LEN && e->comm[i] && o + 1 < size; i++) {
		char c = e->comm[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '_' || c == '-';
		buf[o++] = ok ? c : '_';
	}
	if (!o)
		o = (size_t)snprintf(buf, size, "unknown");
	buf[o] = 0;
}

int uc_split_name(char *buf, size_t size, const struct uc_conv *c)
{
	char cc[32], sc[32];
	put_comm(cc, sizeof(cc), &c->end[UC_CLIENT]);
	put_comm(sc, sizeof(sc), &c->end[UC_SERVER]);
	int n = snprintf(buf, size,
			 "c%04" PRIu64 "-%" PRIu32 "-%s-%" PRIu64 "_%" PRIu32 "-%s-%" PRIu64 ".pcapng",
			 c->id, c->end[UC_CLIENT].pid, cc, c->end[UC_CLIENT].inode,
			 c->end[UC_SERVER].pid, sc, c->end[UC_SERVER].inode);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int open_conv(struct uc_split *s, const struct uc_conv *c)
{
	char name[256], path[4096], desc[160];
	if (c->id >= s->n_w) {
		size_t n = s->n_w ? s->n_w : 64;
		while (n <= c->id)
			n *= 2;
		struct uc_writer **grown = realloc(s->w, n * sizeof(*grown));
		if (grown)
			s->w = grown;
		char **names = grown ? realloc(s->names, n * sizeof(*names)) : NULL;
		if (names)
			s->names = names;
		const struct uc_conv **convs = names ? realloc(s->convs, n * sizeof(*convs)) : NULL;
		if (!convs)
			return -ENOMEM;
		s->convs = convs;
		memset(s->w + s->n_w, 0, (n - s->n_w) * sizeof(*s->w));
		memset(s->names + s->n_w, 0, (n - s->n_w) * sizeof(*s->names));
		memset(s->convs + s->n_w, 0, (n - s->n_w) * sizeof(*s->convs));
		s->n_w = n;
	}
	int e = uc_split_name(name, sizeof(name), c);
	if (!e && snprintf(path, sizeof(path), "%s/%s", s->dir, name) >= (int)sizeof(path))
		e = -ENAMETOOLONG;
	if (e) {
		snprintf(s->err, sizeof(s->err), "%s/%s: %s", s->dir, name, strerror(-e));
		return e;
	}
	struct uc_writer_cfg cfg = s->tmpl;
	cfg.file.path = path;
	e = uc_writer_open(&s->w[c->id], &cfg, s->err, sizeof(s->err));
	if (e)
		return e;
	s->names[c->id] = strdup(name);
	s->convs[c->id] = c;
	snprintf(desc, sizeof(desc), "AF_UNIX conversation %" PRIu64, c->id);
	e = uc_writer_start(s->w[c->id], desc, uc_now_ns(CLOCK_REALTIME));
	if (e) {
		snprintf(s->err, sizeof(s->err), "%s", uc_writer_error(s->w[c->id]));
		return e;
	}
	s->files++;
	return 0;
}

int uc_split_write(struct uc_split *s, const struct uc_conv *c, const struct uc_message *m)
{
	if (c->id >= s->n_w || !s->w[c->id]) {
		int e = open_conv(s, c);
		if (e)
			return e;
	}
	int e = uc_writer_write(s->w[c->id], m);
	if (e < 0)
		snprintf(s->err, sizeof(s->err), "%s", uc_writer_error(s->w[c->id]));
	return e < 0 ? e : 0;
}

int uc_split_flush(struct uc_split *s)
{
	for (size_t i = 0; i < s->n_w; i++) {
		if (s->w[i] && uc_writer_flush(s->w[i])) {
			snprintf(s->err, sizeof(s->err), "%s", uc_writer_error(s->w[i]));
			return -EIO;
		}
	}
	return 0;
}

/*
 * A file is named at its conversation's first message, when the inode of a socket still in
 * the accept queue is not known yet: once everything is known it gets its final name,
 * unless a file of that name is already there.
 */
static void final_name(struct uc_split *s, size_t i)
{
	char name[256], from[4096], to[4096];
	if (!s->names[i] || uc_split_name(name, sizeof(name), s->convs[i]) ||
	    !strcmp(name, s->names[i]))
		return;
	snprintf(from, sizeof(from), "%s/%s", s->dir, s->names[i]);
	snprintf(to, sizeof(to), "%s/%s", s->dir, name);
	if (access(to, F_OK) != 0 && errno == ENOENT)
		rename(from, to);
}

int uc_split_close(struct uc_split *s)
{
	int first = 0;
	for (size_t i = 0; i < s->n_w; i++) {
		if (!s->w[i])
			continue;
		int e = uc_writer_close(s->w[i]);
		if (e && !first) {
			first = e;
			snprintf(s->err, sizeof(s->err), "%s", uc_writer_error(s->w[i]));
		}
		uc_writer_free(s->w[i]);
		s->w[i] = NULL;
		if (!e)
			final_name(s, i);
	}
	return first;
}

const char *uc_split_error(const struct uc_split *s)
{
	return s->err;
}

unsigned uc_split_files(const struct uc_split *s)
{
	return s->files;
}

void uc_split_free(struct uc_split *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_w; i++) {
		uc_writer_free(s->w[i]);
		free(s->names[i]);
	}
	free(s->w);
	free(s->names);
	free(s->convs);
	free(s->dir);
	free(s);
}
