/* Capture files: creation, naming, rotation, buffering and the optional zstd stage. */
#include "writers/capfile/rotate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "writers/capfile/file_queue.h"
#include "writers/capfile/zstd_stream.h"

/* Large enough to keep write() calls few, small enough to bound memory between batches. */
#define WRITE_THRESHOLD (1u << 20)
/* What the writer thread may have queued before the consumer waits for it: a few hundred
 * ms of the fastest capture, on top of the kernel's ring. */
#define QUEUE_MAX (32u << 20)

struct uc_rotate {
	struct uc_rotate_cfg cfg;
	char *template;
	const struct uc_rotate_ops *ops;
	void *ctx;
	int fd;
	bool is_stdout;
	bool created; /* the current file did not exist before */
	bool started;
	char name[PATH_MAX + 1];
	struct uc_buf plain; /* what the format appended, not yet handed to the file queue */
	struct uc_zw *zw;    /* -z: used by the file queue's thread, which compresses */
	/* Bytes of the current file handed to the queue (zstd: what is known written, after
	 * compression, as of the last wait for the queue). */
	uint64_t written;
	bool new_file; /* nothing of the current file handed to the queue yet */
	unsigned c_count, g_count, files;
	time_t g_time;
	/* Where each block committed to plain ends, and whether it is a packet: a failed write
	 * keeps the whole blocks that reached the file, and counts the packets among them. */
	struct uc_fq_mark *marks;
	size_t n_marks, cap_marks;
	uint64_t z_packets; /* zstd: packets in plain */
	uint64_t z_sent;    /* zstd: uncompressed bytes queued since written was learnt */
	uint64_t fq_base;   /* zstd: the queue's byte count when the current file began */
	struct uc_fq *fq;   /* the writes, their sticky error, the packets on disk */
};

static int digits_for(unsigned count)
{
	int n = 0;
	for (unsigned x = count ? count - 1 : 0; x; x /= 10)
		n++;
	return n;
}

int uc_rotate_make_name(const struct uc_rotate_cfg *cfg, unsigned cnt, time_t t, char *out,
			size_t size)
{
	char base[PATH_MAX + 1];
	int width = cfg->max_bytes ? digits_for(cfg->count) : 0;

	if (cfg->seconds) {
		struct tm tm;
		if (!localtime_r(&t, &tm))
			return -EINVAL;
		/* 0 means it did not fit, or expanded to nothing: neither names a file. */
		if (strftime(base, sizeof(base), cfg->path, &tm) == 0)
			return -ENAMETOOLONG;
	} else {
		if (strlen(cfg->path) >= sizeof(base))
			return -ENAMETOOLONG;
		strcpy(base, cfg->path);
	}
	/* A compressed file keeps its suffixes last, where zstd and file managers look:
	 * r.pcapng.zst, r1.pcapng.zst (the number goes before .pcapng.zst, .pcap.zst or .zst). */
	size_t stem = strlen(base);
	static const char *const exts[] = { ".pcapng.zst", ".pcap.zst", ".zst" };
	for (unsigned i = 0; cfg->zstd && i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t n = strlen(exts[i]);
		if (stem > n && !strcmp(base + stem - n, exts[i]) && base[stem - n - 1] != '/') {
			stem -= n;
			break;
		}
	}
	int n = (cnt == 0 && width == 0)
			? snprintf(out, size, "%s", base)
			: snprintf(out, size, "%.*s%0*u%s", (int)stem, base, width, cnt, base + stem);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * A capture holds other processes' private data. A new file is created 0600; an existing
 * one is reused only when it is ours and has no other links (a planted hard link must not
 * make us truncate someone else's file), and is then narrowed to 0600 before truncation.
 * O_NOFOLLOW: a planted symlink must not redirect a root-owned write.
 */
static int open_file(struct uc_rotate *r, char *err, size_t errlen)
{
	const int base = O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
	int fd = open(r->name, base | O_CREAT | O_EXCL, 0600);

	r->created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(r->name, base);
	if (fd < 0) {
		int e = errno;
		if (e == ELOOP)
			snprintf(err, errlen, "%s: is a symbolic link; not following it", r->name);
		else
			snprintf(err, errlen, "%s: %s", r->name, strerror(e));
		return -e;
	}
	if (!r->created) {
		struct stat st;
		const char *why = NULL;
		if (fstat(fd, &st) != 0)
			why = strerror(errno);
		else if (S_ISREG(st.st_mode) && st.st_uid != geteuid())
			why = "exists and belongs to another user";
		else if (S_ISREG(st.st_mode) && st.st_nlink > 1)
			why = "exists with more than one link";
		else if (S_ISREG(st.st_mode) &&
			 ((st.st_mode & 077) && fchmod(fd, 0600) != 0))
			why = strerror(errno);
		else if (S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0)
			why = strerror(errno);
		if (why) {
			snprintf(err, errlen, "%s: %s; not writing a capture into it", r->name, why);
			close(fd);
			return -EPERM;
		}
	}
	r->fd = fd;
	r->written = 0;
	r->new_file = true;
	/* The previous file is written whole (end_file waited), so this count is exact. */
	r->fq_base = uc_fq_bytes(r->fq);
	r->files++;
	return 0;
}

/* Hands plain to the file queue (zstd: to compress, ending with mode); written counts a
 * plain batch at once, for -C's size check. */
static int write_all(struct uc_rotate *r, enum uc_zw_mode mode)
{
	if (r->plain.err)
		return r->plain.err;
	size_t len = r->plain.len;
	struct uc_fq_batch batch = {
		.bytes = &r->plain,
		.marks = &r->marks,
		.n_marks = &r->n_marks,
		.cap_marks = &r->cap_marks,
		.packets = r->z_packets,
		.fd = r->fd,
		.plain = !r->zw,
		.trim = !r->is_stdout,
		.start = r->written,
		.zmode = mode,
		.new_file = r->new_file,
	};
	int e = uc_fq_push(r->fq, &batch);
	r->z_packets = 0;
	r->new_file = false;
	if (!e && r->zw)
		r->z_sent += len;
	else if (!e)
		r->written += len;
	return e;
}

static int commit_block(struct uc_rotate *r, bool packet);

/* Marks the end of the block just appended to plain (a packet or a file header). */
static int mark_block(struct uc_rotate *r, bool packet)
{
	if (r->zw) {
		r->z_packets += packet;
		return 0;
	}
	if (r->n_marks == r->cap_marks) {
		size_t c = r->cap_marks ? 2 * r->cap_marks : 256;
		struct uc_fq_mark *m = realloc(r->marks, c * sizeof(*m));
		if (!m)
			return -ENOMEM;
		r->marks = m;
		r->cap_marks = c;
	}
	r->marks[r->n_marks++] = (struct uc_fq_mark){ r->plain.len, packet };
	return 0;
}

/* zstd: flushes everything queued and learns the current file's compressed size. */
static int learn_size(struct uc_rotate *r)
{
	int e = write_all(r, UC_ZW_FLUSH);
	if (!e)
		e = uc_fq_wait(r->fq);
	if (e)
		return e;
	r->written = uc_fq_bytes(r->fq) - r->fq_base;
	r->z_sent = 0;
	return 0;
}

int uc_rotate_open(struct uc_rotate **out, const struct uc_rotate_cfg *cfg, time_t now,
		   char *err, size_t errlen)
{
	struct uc_rotate *r = calloc(1, sizeof(*r));
	int e = -ENOMEM;

	*out = NULL;
	if (!r || !(r->template = strdup(cfg->path)))
		goto fail;
	r->cfg = *cfg;
	r->cfg.path = r->template;
	r->fd = -1;
	r->g_time = now;
	if (cfg->zstd && !(r->zw = uc_zw_new(cfg->zstd_level)))
		goto fail;
	if (!(r->fq = uc_fq_new(QUEUE_MAX, r->zw)))
		goto fail;
	if (!strcmp(cfg->path, "-")) {
		if (isatty(STDOUT_FILENO)) {
			snprintf(err, errlen,
				 "not writing a binary capture to a terminal (redirect stdout, or -w FILE)");
			e = -EINVAL;
			goto out;
		}
		r->is_stdout = true;
		r->fd = STDOUT_FILENO;
		r->files = 1;
		strcpy(r->name, "-");
		*out = r;
		return 0;
	}
	e = uc_rotate_make_name(&r->cfg, 0, now, r->name, sizeof(r->name));
	if (e) {
		snprintf(err, errlen, "%s: file name too long after expansion", cfg->path);
		goto out;
	}
	e = open_file(r, err, errlen);
	if (e)
		goto out;
	*out = r;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", cfg->path, strerror(-e));
out:
	uc_rotate_free(r);
	return e;
}

int uc_rotate_start(struct uc_rotate *r, const struct uc_rotate_ops *ops, void *ctx)
{
	r->ops = ops;
	r->ctx = ctx;
	r->started = true;
	/* -G counts from when capturing starts, not from before the probes were loaded. */
	r->g_time = time(NULL);
	int e = r->ops->begin(r->ctx);
	return e ? e : commit_block(r, false);
}

/* Trailer, frame end, last bytes, close: the file is complete on its own. */
static int end_file(struct uc_rotate *r)
{
	int e = 0;
	if (r->fd < 0)
		return 0;
	if (r->started && r->ops->end)
		e = r->ops->end(r->ctx);
	if (!e)
		e = write_all(r, UC_ZW_END);
	/* The file is closed only once the thread has written all of it. */
	int w = uc_fq_wait(r->fq);
	if (!e)
		e = w;
	r->plain.len = 0;
	r->n_marks = 0;
	r->z_packets = r->z_sent = 0;
	if (!r->is_stdout && close(r->fd) != 0 && !e)
		e = -errno;
	r->fd = -1;
	return e;
}

static int next_file(struct uc_rotate *r, unsigned cnt, time_t now, char *err, size_t errlen)
{
	int e = end_file(r);
	if (e) {
		snprintf(err, errlen, "%s: %s", r->name, strerror(-e));
		return e;
	}
	e = uc_rotate_make_name(&r->cfg, cnt, now, r->name, sizeof(r->name));
	if (e) {
		snprintf(err, errlen, "%s: file name too long after expansion", r->cfg.path);
		return e;
	}
	e = open_file(r, err, errlen);
	if (!e)
		e = r->ops->begin(r->ctx);
	if (!e)
		e = commit_block(r, false);
	if (e && !err[0])
		snprintf(err, errlen, "%s: %s", r->name, strerror(-e));
	return e;
}

int uc_rotate_next(struct uc_rotate *r, time_t now, char *err, size_t errlen)
{
	err[0] = 0;
	if (r->is_stdout)
		return 0;
	if (r->fd < 0)
		return 1;
	/* tcpdump's order: a time rotation first, then the size check on the new file. */
	if (r->cfg.seconds && now - r->g_time >= (time_t)r->cfg.seconds) {
		r->g_time = now;
		r->g_count++;
		if (!r->cfg.max_bytes && r->cfg.count && r->g_count >= r->cfg.count) {
			int e = end_file(r);
			if (e)
				snprintf(err, errlen, "%s: %s", r->name, strerror(-e));
			return e ? e : 1;
		}
		r->c_count = 0;
		int e = next_file(r, 0, now, err, errlen);
		if (e)
			return e;
	}
	/* zstd's size is known only once the thread has compressed and written: once the
	 * uncompressed bytes since could pass the limit, flush and wait for it, so that the file
	 * is at most one message over. Only the last messages of a file wait like this. */
	if (r->cfg.max_bytes && r->zw && r->z_sent + r->plain.len &&
	    r->written + r->z_sent + r->plain.len > r->cfg.max_bytes) {
		int e = learn_size(r);
		if (e) {
			snprintf(err, errlen, "%s: %s", r->name, strerror(-e));
			return e;
		}
	}
	if (r->cfg.max_bytes && r->written + (r->zw ? 0 : r->plain.len) > r->cfg.max_bytes) {
		r->c_count++;
		if (r->cfg.count && r->c_count >= r->cfg.count)
			r->c_count = 0;
		return next_file(r, r->c_count, now, err, errlen);
	}
	return 0;
}

struct uc_buf *uc_rotate_buf(struct uc_rotate *r)
{
	return &r->plain;
}

static int commit_block(struct uc_rotate *r, bool packet)
{
	int e = r->plain.err ? r->plain.err : mark_block(r, packet);
	if (!e && r->plain.len >= WRITE_THRESHOLD)
		e = write_all(r, UC_ZW_CONTINUE);
	return e;
}

int uc_rotate_commit(struct uc_rotate *r)
{
	return commit_block(r, true);
}

uint64_t uc_rotate_packets_written(const struct uc_rotate *r)
{
	return uc_fq_packets(r->fq);
}

int uc_rotate_flush(struct uc_rotate *r)
{
	if (r->fd < 0)
		return 0;
	return write_all(r, UC_ZW_FLUSH);
}

int uc_rotate_close(struct uc_rotate *r)
{
	return end_file(r);
}

void uc_rotate_abort(struct uc_rotate *r)
{
	uc_fq_wait(r->fq);
	if (r->fd >= 0 && !r->is_stdout) {
		close(r->fd);
		if (r->created && !r->started)
			unlink(r->name);
	}
	r->fd = -1;
}

void uc_rotate_free(struct uc_rotate *r)
{
	if (!r)
		return;
	uc_fq_free(r->fq); /* writes what is queued: the fd below is still open */
	if (r->fd >= 0 && !r->is_stdout)
		close(r->fd);
	uc_buf_free(&r->plain);
	free(r->marks);
	uc_zw_free(r->zw);
	free(r->template);
	free(r);
}

int uc_rotate_reopen(struct uc_rotate *r, time_t now, char *err, size_t errlen)
{
	char next[PATH_MAX + 1];
	struct stat cur, named;
	unsigned cnt = r->c_count;

	err[0] = 0;
	if (r->is_stdout || r->fd < 0)
		return 0;
	if (r->cfg.max_bytes) {
		cnt++;
		if (r->cfg.count && cnt >= r->cfg.count)
			cnt = 0;
	}
	if (uc_rotate_make_name(&r->cfg, cnt, now, next, sizeof(next)) == 0 &&
	    fstat(r->fd, &cur) == 0 && stat(next, &named) == 0 && cur.st_dev == named.st_dev &&
	    cur.st_ino == named.st_ino)
		return 0;
	r->c_count = cnt;
	if (r->cfg.seconds)
		r->g_time = now;
	return next_file(r, cnt, now, err, errlen);
}

int uc_rotate_chown(struct uc_rotate *r, uid_t uid, gid_t gid)
{
	if (r->is_stdout || r->fd < 0)
		return 0;
	return fchown(r->fd, uid, gid) == 0 ? 0 : -errno;
}

const char *uc_rotate_name(const struct uc_rotate *r)
{
	return r->name;
}

unsigned uc_rotate_files(const struct uc_rotate *r)
{
	return r->files;
}
