/* The capture file's writes on a thread of their own (file_queue.h). */
#include "writers/capfile/file_queue.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct node {
	struct node *next;
	struct uc_buf bytes;
	struct uc_fq_mark *marks;
	size_t n_marks, cap_marks;
	uint64_t packets;
	int fd;
	bool plain, trim, new_file;
	uint64_t start;
	enum uc_zw_mode zmode;
};

struct uc_fq {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a batch was queued or written, or the end was asked */
	pthread_t thread;
	bool running, stop, busy;
	struct node *head, *tail;
	struct node *spare; /* one written batch kept, its buffers reused */
	size_t queued, max_queued;
	int error;        /* sticky: after a failed write the file's end is unknown */
	uint64_t on_disk; /* whole packets written, every file */
	uint64_t out_bytes; /* bytes written, every file */
	/* Compression, the thread's own once it runs (before: the pushing thread's). */
	struct uc_zw *zw;
	struct uc_buf zout;
	uint64_t z_off;     /* compressed bytes in the current file */
	uint64_t z_safe;    /* where its last flush or frame end is */
	uint64_t z_pending; /* packets given to zstd since then */
};

/* Packets among the marks that end at or before off; *kept: where the last of them ends. */
static uint64_t settle(const struct node *n, size_t off, size_t *kept)
{
	uint64_t p = 0;
	*kept = 0;
	for (size_t i = 0; i < n->n_marks && n->marks[i].end <= off; i++) {
		p += n->marks[i].packet;
		*kept = n->marks[i].end;
	}
	return p;
}

/* write() of len bytes; *off: how many of them reached the file. */
static int write_bytes(int fd, const uint8_t *p, size_t len, size_t *off)
{
	*off = 0;
	while (*off < len) {
		ssize_t w = write(fd, p + *off, len - *off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		*off += (size_t)w;
	}
	return 0;
}

/* A plain batch; *packets: the whole packets that reached the file. */
static int write_plain(const struct node *n, uint64_t *packets, uint64_t *bytes)
{
	size_t off, kept = 0;
	int e = write_bytes(n->fd, n->bytes.data, n->bytes.len, &off);
	*packets = settle(n, off, &kept);
	*bytes = off;
	/* A batch is whole blocks but may end up half written, e.g. on a full disk: cut it
	 * after the last whole block that made it, so the file stays readable and loses only
	 * what did not fit. */
	if (e && off > kept && n->trim)
		(void)!ftruncate(n->fd, (off_t)(n->start + kept));
	return e;
}

/*
 * A batch to compress, then write. Its packets count once a flush or a frame's end after
 * them is on disk: until then part of them may still be inside zstd. A failure cuts the
 * file back to that point, where everything before decodes (a frame without its end, as a
 * killed capture leaves it).
 */
static int write_compressed(struct uc_fq *q, const struct node *n, uint64_t *packets,
			    uint64_t *bytes)
{
	size_t off = 0;
	if (n->new_file)
		q->z_off = q->z_safe = q->z_pending = 0;
	q->zout.len = 0;
	int e = q->zw ? uc_zw_compress(q->zw, n->bytes.data, n->bytes.len, n->zmode, &q->zout)
		      : -EINVAL;
	if (!e)
		e = write_bytes(n->fd, q->zout.data, q->zout.len, &off);
	*bytes = off;
	*packets = 0;
	q->z_off += off;
	q->z_pending += n->packets;
	if (!e && n->zmode != UC_ZW_CONTINUE) {
		*packets = q->z_pending;
		q->z_pending = 0;
		q->z_safe = q->z_off;
	}
	if (e && n->trim && q->z_off > q->z_safe)
		(void)!ftruncate(n->fd, (off_t)q->z_safe);
	return e;
}

static int write_node(struct uc_fq *q, const struct node *n, uint64_t *packets, uint64_t *bytes)
{
	return n->plain ? write_plain(n, packets, bytes) : write_compressed(q, n, packets, bytes);
}

static void *run(void *arg)
{
	struct uc_fq *q = arg;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->changed, &q->lock);
		if (!q->head)
			break;
		struct node *n = q->head;
		int e = q->error; /* after a failure nothing more is written */
		q->busy = true;
		pthread_mutex_unlock(&q->lock);
		uint64_t packets = 0, bytes = 0;
		if (!e)
			e = write_node(q, n, &packets, &bytes);
		pthread_mutex_lock(&q->lock);
		q->head = n->next;
		if (!q->head)
			q->tail = NULL;
		q->busy = false;
		q->queued -= n->bytes.len;
		q->on_disk += packets;
		q->out_bytes += bytes;
		if (e && !q->error)
			q->error = e;
		n->bytes.len = n->n_marks = 0;
		if (!q->spare) {
			q->spare = n;
		} else {
			uc_buf_free(&n->bytes);
			free(n->marks);
			free(n);
		}
		pthread_cond_broadcast(&q->changed);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct uc_fq *uc_fq_new(size_t max_queued, struct uc_zw *zw)
{
	struct uc_fq *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->changed, NULL);
	q->max_queued = max_queued;
	q->zw = zw;
	return q;
}

/* Signals stay with the main thread, whose poll they interrupt. */
static void start(struct uc_fq *q)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	q->running = pthread_create(&q->thread, NULL, run, q) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Moves the batch's bytes and marks into a node (the spare one, whose buffers go back). */
static struct node *take(struct uc_fq *q, const struct uc_fq_batch *b)
{
	struct node *n = q->spare;
	q->spare = NULL;
	if (!n && !(n = calloc(1, sizeof(*n))))
		return NULL;
	struct uc_buf old = n->bytes;
	struct uc_fq_mark *old_marks = n->marks;
	size_t old_cap = n->cap_marks;
	n->bytes = *b->bytes;
	n->marks = *b->marks;
	n->n_marks = *b->n_marks;
	n->cap_marks = *b->cap_marks;
	*b->bytes = (struct uc_buf){ .data = old.data, .cap = old.cap };
	*b->marks = old_marks;
	*b->n_marks = 0;
	*b->cap_marks = old_cap;
	n->next = NULL;
	n->packets = b->packets;
	n->fd = b->fd;
	n->plain = b->plain;
	n->trim = b->trim;
	n->start = b->start;
	n->zmode = b->zmode;
	n->new_file = b->new_file;
	return n;
}

/* Before the thread: the batch written here and now. */
static int push_now(struct uc_fq *q, const struct uc_fq_batch *b)
{
	struct node n = { .bytes = *b->bytes, .marks = *b->marks, .n_marks = *b->n_marks,
			  .packets = b->packets, .fd = b->fd, .plain = b->plain, .trim = b->trim,
			  .start = b->start, .zmode = b->zmode, .new_file = b->new_file };
	uint64_t packets = 0, bytes = 0;
	int e = write_node(q, &n, &packets, &bytes);
	q->on_disk += packets;
	q->out_bytes += bytes;
	b->bytes->len = 0;
	*b->n_marks = 0;
	return q->error = e;
}

int uc_fq_push(struct uc_fq *q, const struct uc_fq_batch *b)
{
	if (!q->running && q->error)
		return q->error;
	bool has_packet = b->packets > 0;
	for (size_t i = 0; !has_packet && i < *b->n_marks; i++)
		has_packet = (*b->marks)[i].packet;
	if (!q->running && has_packet)
		start(q);
	if (!q->running)
		return push_now(q, b);
	pthread_mutex_lock(&q->lock);
	while (q->queued > q->max_queued && !q->error)
		pthread_cond_wait(&q->changed, &q->lock);
	int e = q->error;
	struct node *n = e ? NULL : take(q, b);
	if (!e && !n)
		e = -ENOMEM;
	if (n) {
		if (q->tail)
			q->tail->next = n;
		else
			q->head = n;
		q->tail = n;
		q->queued += n->bytes.len;
		pthread_cond_broadcast(&q->changed);
	}
	pthread_mutex_unlock(&q->lock);
	return e;
}

int uc_fq_wait(struct uc_fq *q)
{
	pthread_mutex_lock(&q->lock);
	while (q->head || q->busy)
		pthread_cond_wait(&q->changed, &q->lock);
	int e = q->error;
	pthread_mutex_unlock(&q->lock);
	return e;
}

uint64_t uc_fq_bytes(struct uc_fq *q)
{
	pthread_mutex_lock(&q->lock);
	uint64_t n = q->out_bytes;
	pthread_mutex_unlock(&q->lock);
	return n;
}

uint64_t uc_fq_packets(struct uc_fq *q)
{
	pthread_mutex_lock(&q->lock);
	uint64_t n = q->on_disk;
	pthread_mutex_unlock(&q->lock);
	return n;
}

void uc_fq_free(struct uc_fq *q)
{
	if (!q)
		return;
	if (q->running) {
		pthread_mutex_lock(&q->lock);
		q->stop = true;
		pthread_cond_broadcast(&q->changed);
		pthread_mutex_unlock(&q->lock);
		pthread_join(q->thread, NULL);
	}
	for (struct node *n = q->head, *next; n; n = next) {
		next = n->next;
		uc_buf_free(&n->bytes);
		free(n->marks);
		free(n);
	}
	if (q->spare) {
		uc_buf_free(&q->spare->bytes);
		free(q->spare->marks);
		free(q->spare);
	}
	uc_buf_free(&q->zout);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->changed);
	free(q);
}
