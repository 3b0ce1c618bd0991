/*
 * Output file manager: names, creates (mode 0600) and rotates capture files the way tcpdump's
 * -w/-C/-G/-W do, buffers what the format encoder appends, optionally compresses it with
 * zstd, and writes it out in whole batches.
 *
 * Names (tcpdump's rules): with -G the name is passed through strftime(3) at the time the
 * file is opened; with -C a number is appended to every file after the first ("cap",
 * "cap1", "cap2"...), and with -W every file gets one, zero-padded to the width of COUNT-1
 * ("cap0".."cap9" for -W 10), and the numbers wrap: a ring of COUNT files. With -G and -W
 * but no -C, the capture stops when COUNT files have been written.
 */
#ifndef UNIXCAP_ROTATE_H
#define UNIXCAP_ROTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>
#include "writers/capfile/pcapng.h"

struct uc_rotate_cfg {
	const char *path;   /* "-" = standard output */
	uint64_t max_bytes; /* -C: rotate before a packet once the file is larger; 0 = never */
	unsigned seconds;   /* -G: rotate before a packet once the file is this old; 0 = never */
	unsigned count;     /* -W */
	bool zstd;
	int zstd_level;
};

/* The format's hooks, called with each file opened (write its header) and closing. */
struct uc_rotate_ops {
	int (*begin)(void *ctx);
	int (*end)(void *ctx);
};

struct uc_rotate;

/*
 * Opens the first file (nothing is written to it yet). On failure returns -errno and puts
 * one line naming the file in err.
 */
int uc_rotate_open(struct uc_rotate **out, const struct uc_rotate_cfg *cfg, time_t now,
		   char *err, size_t errlen);
/* Calls ops->begin for the first file: from now on the file is a capture. */
int uc_rotate_start(struct uc_rotate *r, const struct uc_rotate_ops *ops, void *ctx);
/*
 * Before each packet: rotates if the size or time limit says so. Returns 0, 1 when -G/-W
 * says the capture is over (the last file is already complete), or -errno (err filled).
 */
int uc_rotate_next(struct uc_rotate *r, time_t now, char *err, size_t errlen);
/* Where the format appends whole blocks; uc_rotate_commit after each. */
struct uc_buf *uc_rotate_buf(struct uc_rotate *r);
int uc_rotate_commit(struct uc_rotate *r);
/* Packets whole in the files so far (a failed write counts only those that reached it). */
uint64_t uc_rotate_packets_written(const struct uc_rotate *r);
/* Makes everything appended so far reach the file (per batch). 0 or -errno. */
int uc_rotate_flush(struct uc_rotate *r);
/* Ends the current file (ops->end, zstd frame end), flushes and closes. 0 or -errno. */
int uc_rotate_close(struct uc_rotate *r);
/* Closes without a trailer; removes the first file if it was created and never started. */
void uc_rotate_abort(struct uc_rotate *r);
void uc_rotate_free(struct uc_rotate *r);
/*
 * SIGHUP: ends the current file and opens the next one: the next -C number, or the same
 * name again (a new file once logrotate has moved the old one away). Nothing happens when
 * that name is still the current file: reopening it would truncate what was just written.
 */
int uc_rotate_reopen(struct uc_rotate *r, time_t now, char *err, size_t errlen);
/* Gives the current file to uid:gid (nothing for stdout). 0 or -errno. */
int uc_rotate_chown(struct uc_rotate *r, uid_t uid, gid_t gid);

const char *uc_rotate_name(const struct uc_rotate *r); /* current file, "-" for stdout */
unsigned uc_rotate_files(const struct uc_rotate *r);   /* files opened so far */
/* The name file number cnt gets for a template opened at time t (exposed for tests). */
int uc_rotate_make_name(const struct uc_rotate_cfg *cfg, unsigned cnt, time_t t, char *out,
			size_t size);

#endif
