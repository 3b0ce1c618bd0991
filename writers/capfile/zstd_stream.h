/*
 * zstd streaming in both directions: a compressor that turns buffered file bytes into zstd
 * frames (flushed per batch so a live reader or a killed writer loses nothing already
 * flushed), and a reading FILE* that decompresses on the fly for libpcap.
 */
#ifndef UNIXCAP_ZSTD_STREAM_H
#define UNIXCAP_ZSTD_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "writers/capfile/pcapng.h"

#define UC_ZSTD_MAGIC "\x28\xb5\x2f\xfd"

enum uc_zw_mode {
	UC_ZW_CONTINUE = 0, /* compress; output may stay inside zstd */
	UC_ZW_FLUSH,        /* everything so far becomes decodable output */
	UC_ZW_END,          /* close the frame; the next input starts a new one */
};

struct uc_zw;

struct uc_zw *uc_zw_new(int level);
void uc_zw_free(struct uc_zw *z);
/* Compresses n bytes and appends the produced output to out. 0, or -ENOMEM/-EIO. */
int uc_zw_compress(struct uc_zw *z, const void *in, size_t n, enum uc_zw_mode mode,
		   struct uc_buf *out);

/* True when the n bytes at p begin with a zstd frame magic. */
bool uc_zstd_is_magic(const void *p, size_t n);

/*
 * A read-only FILE* over src that first returns the prefix bytes already read from it
 * (used to sniff the magic), then src's bytes, decompressed when zstd is set.
 * fclose() of the returned FILE does not close src or free the reader: call
 * uc_zr_free() afterwards (libpcap's pcap_close() fcloses the FILE it was given).
 */
struct uc_zr;

struct uc_zr *uc_zr_open(FILE *src, const void *prefix, size_t prefix_len, bool zstd);
FILE *uc_zr_file(struct uc_zr *r);
/* The decompression error that made a read fail, or NULL. */
const char *uc_zr_error(const struct uc_zr *r);
/* Frees the reader and fcloses src (unless it is stdin). The FILE must be closed already. */
void uc_zr_free(struct uc_zr *r);

#endif
