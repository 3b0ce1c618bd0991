/*
 * The capture file's writes, done by a thread of their own so that a write() that blocks
 * (page cache, journal, a slow disk, a reader on the far end of -w - that lags) never stops
 * the ring consumer: the ring is drained into batches meanwhile, and the kernel counts what
 * it could not keep if even the queue's bound is reached. Batches are whole blocks, written
 * in order; a batch cut short (full disk) is trimmed to its last whole block, and only
 * whole packets on disk are counted, as before the thread existed.
 */
#ifndef UNIXCAP_CAPFILE_FILE_QUEUE_H
#define UNIXCAP_CAPFILE_FILE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "writers/capfile/pcapng.h"
#include "writers/capfile/zstd_stream.h"

/* Where a block ends in a batch, and whether it is a packet (or a file header/trailer). */
struct uc_fq_mark {
	size_t end;
	bool packet;
};

/* Blocks for one file: the bytes and where each ends (plain batches), or how many packets
 * are in them (compressed: they count once a flush or a frame's end that follows them is
 * written). uc_fq_push takes the bytes and the marks, leaving *bytes and *marks empty for
 * the next batch. */
struct uc_fq_batch {
	struct uc_buf *bytes;
	struct uc_fq_mark **marks;
	size_t *n_marks, *cap_marks;
	uint64_t packets;
	int fd;
	bool plain, trim; /* trim: a regular file, cut back after a short write */
	uint64_t start;   /* plain: the file's size before this batch (where a trim cuts from) */
	/* Not plain: the bytes are uncompressed and zstd on the writer thread compresses them
	 * (its CPU time off the ring consumer's), ending with this mode. */
	enum uc_zw_mode zmode;
	bool new_file; /* the first batch of a file: its compressed bytes start at 0 */
};

struct uc_fq;

/* zw: the compressor of batches that are not plain (NULL: none); the queue borrows it, and
 * only the thread uses it once started. */
struct uc_fq *uc_fq_new(size_t max_queued, struct uc_zw *zw);
void uc_fq_free(struct uc_fq *q);
/*
 * Writes the batch: on the thread, at once while it has not started. The thread starts with
 * the first batch that holds a packet: by then a live capture has dropped its privileges
 * (-Z), and a thread made later holds no more than the process does. Waits while more than
 * max_queued bytes are queued. 0, or the first write error (-errno), sticky.
 */
int uc_fq_push(struct uc_fq *q, const struct uc_fq_batch *b);
/* Returns once every pushed batch is written; 0 or the sticky error. */
int uc_fq_wait(struct uc_fq *q);
uint64_t uc_fq_packets(struct uc_fq *q); /* whole packets on disk, every file */
uint64_t uc_fq_bytes(struct uc_fq *q);   /* bytes written, every file (after compression) */

#endif
