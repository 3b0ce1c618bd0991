/*
 * `unixcap follow --raw DIR`: DIR/client.bin holds every byte the client sent, in order,
 * DIR/server.bin every byte the server sent. Bytes the capture lacks are written as zeros
 * so that offsets stay those of the real byte stream, and each such range is a line of
 * DIR/gaps.txt ("client OFFSET LENGTH reason"); without gaps there is no gaps.txt.
 * Files are created mode 0600 in a directory created mode 0700 when missing.
 */
#ifndef UNIXCAP_FOLLOW_RAW_H
#define UNIXCAP_FOLLOW_RAW_H

#include <stddef.h>
#include <stdint.h>
#include "capture/core/message.h"

struct uc_follow_raw;

/* Creates DIR if needed and both files (truncated). -errno and one line in err. */
int uc_follow_raw_open(struct uc_follow_raw **out, const char *dir, char *err, size_t errlen);
/* Appends one send of `from` (UC_CLIENT, UC_SERVER). 0 or -errno (err filled). */
int uc_follow_raw_write(struct uc_follow_raw *r, const struct uc_message *m, int from, char *err,
			size_t errlen);
/* Flushes, writes gaps.txt (or removes a stale one), closes. 0 or -errno (err filled). */
int uc_follow_raw_close(struct uc_follow_raw *r, char *err, size_t errlen);
/* Gap ranges written so far. */
uint64_t uc_follow_raw_gaps(const struct uc_follow_raw *r);
void uc_follow_raw_free(struct uc_follow_raw *r);

#endif
