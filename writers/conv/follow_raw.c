/* --raw DIR: each direction's byte stream in its own file, gaps zero-filled and listed. */
#include "writers/conv/follow_raw.h"
#include "capture/core/grow.h"
#include "writers/conv/private_files.h"
#include "writers/conv/follow_text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "writers/conv/conversation.h"

struct gap {
	int from;
	uint64_t offset, len;
	const char *reason;
};

struct uc_follow_raw {
	char *dir;
	FILE *f[2];
	uint64_t written[2];
	struct gap *gaps;
	size_t n_gaps, cap_gaps;
};

static const char *const file_names[2] = { "client.bin", "server.bin" };

void uc_follow_raw_free(struct uc_follow_raw *r)
{
	if (!r)
		return;
	for (int i = 0; i < 2; i++)
		if (r->f[i])
			fclose(r->f[i]);
	free(r->gaps);
	free(r->dir);
	free(r);
}

int uc_follow_raw_open(struct uc_follow_raw **out, const char *dir, char *err, size_t errlen)
{
	struct uc_follow_raw *r = calloc(1, sizeof(*r));
	int e = 0;

	*out = NULL;
	if (!r || !(r->dir = strdup(dir))) {
		free(r);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	e = uc_make_dir(dir, err, errlen);
	for (int i = 0; !e && i < 2; i++) {
		int fd = uc_open_private(dir, file_names[i], err, errlen);
		if (fd < 0) {
			e = fd;
			break;
		}
		r->f[i] = fdopen(fd, "wb");
		if (!r->f[i]) {
			e = -errno;
			close(fd);
			snprintf(err, errlen, "%s/%s: %s", dir, file_names[i], strerror(-e));
		}
	}
	if (e) {
		uc_follow_raw_free(r);
		return e;
	}
	*out = r;
	return 0;
}

static int add_gap(struct uc_follow_raw *r, int from, uint64_t off, uint64_t len,
		   const char *reason)
{
	if (uc_grow(&r->gaps, &r->cap_gaps, r->n_gaps, sizeof(*r->gaps), 16))
		return -ENOMEM;
	r->gaps[r->n_gaps++] = (struct gap){ from, off, len, reason };
	return 0;
}

static int put_zeros(FILE *f, uint64_t n)
{
	static const uint8_t zeros[4096];
	while (n) {
		size_t k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);
		if (fwrite(zeros, 1, k, f) != k)
			return -1;
		n -= k;
	}
	return 0;
}

int uc_follow_raw_write(struct uc_follow_raw *r, const struct uc_message *m, int from, char *err,
			size_t errlen)
{
	uint64_t have = m->data ? m->caplen : 0, off = r->written[from];
	FILE *f = r->f[from];
	int e = 0;

	if (have > m->m.len)
		have = m->m.len;
	errno = 0;
	if ((have && fwrite(m->data, 1, have, f) != have) || put_zeros(f, m->m.len - have))
		e = -(errno ? errno : EIO);
	else if (have < m->m.len)
		e = add_gap(r, from, off + have, m->m.len - have, uc_follow_missing_reason(m));
	/* A faulted copy left zeros somewhere in what was captured: the whole send is suspect. */
	if (!e && (m->m.flags & UC_MF_UNREADABLE) && have)
		e = add_gap(r, from, off, have, "damaged (a copy faulted; some bytes read as zero)");
	if (e) {
		snprintf(err, errlen, "%s/%s: %s", r->dir, file_names[from], strerror(-e));
		return e;
	}
	r->written[from] += m->m.len;
	return 0;
}

uint64_t uc_follow_raw_gaps(const struct uc_follow_raw *r)
{
	return r->n_gaps;
}

static int write_gaps(struct uc_follow_raw *r, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/gaps.txt", r->dir);
	if (!r->n_gaps) {
		/* A gaps.txt from an earlier run would describe other files. */
		if (unlink(path) != 0 && errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -errno;
		}
		return 0;
	}
	int fd = uc_open_private(r->dir, "gaps.txt", err, errlen);
	if (fd < 0)
		return fd;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < r->n_gaps; i++) {
		const struct gap *g = &r->gaps[i];
		fprintf(f, "%s %" PRIu64 " %" PRIu64 " %s\n", g->from ? "server" : "client", g->offset,
			g->len, g->reason);
	}
	int e = ferror(f) ? EIO : 0;
	if (fclose(f) != 0 && !e)
		e = errno;
	if (e) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

int uc_follow_raw_close(struct uc_follow_raw *r, char *err, size_t errlen)
{
	int e = 0;
	for (int i = 0; i < 2; i++) {
		FILE *f = r->f[i];
		r->f[i] = NULL;
		if (!f)
			continue;
		int bad = ferror(f);
		if ((fclose(f) != 0 || bad) && !e) {
			e = -(errno ? errno : EIO);
			snprintf(err, errlen, "%s/%s: %s", r->dir, file_names[i], strerror(-e));
		}
	}
	if (!e)
		e = write_gaps(r, err, errlen);
	return e;
}
