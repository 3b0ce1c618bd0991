/*
 * Writing messages to capture files (-w): the chosen format (pcapng or classic pcap) over
 * the file manager (naming, rotation, zstd). What main.c talks to.
 */
#ifndef UNIXCAP_CAPFILE_WRITER_H
#define UNIXCAP_CAPFILE_WRITER_H

#include <stdint.h>
#include "writers/capfile/pcapng_file.h"
#include "writers/capfile/rotate.h"
#include "capture/core/modes.h"
#include "capture/core/output.h"

/* Fills received/dropped at the moment a file is closed. */
typedef void (*uc_stats_fn)(void *ctx, struct uc_capfile_stats *out);

struct uc_writer_cfg {
	struct uc_rotate_cfg file;
	enum uc_file_format format;
	uint16_t linktype;
	uint32_t snaplen; /* payload bytes per message (-s) */
	uc_stats_fn stats;
	void *stats_ctx;
};

struct uc_writer;

/* Creates the first output file, writing nothing yet. -errno and one line in err. */
int uc_writer_open(struct uc_writer **out, const struct uc_writer_cfg *cfg, char *err,
		   size_t errlen);
/* Writes the file headers; description is the interface's (if_description). */
int uc_writer_start(struct uc_writer *w, const char *description, uint64_t start_ns);
/* 0, 1 when rotation ended the capture (-G with -W), or -errno (see uc_writer_error). */
int uc_writer_write(struct uc_writer *w, const struct uc_message *m);
int uc_writer_flush(struct uc_writer *w);
/* Trailer (ISB), last bytes, close. */
int uc_writer_close(struct uc_writer *w);
/* Gives up before uc_writer_start: the file is removed if this run created it. */
void uc_writer_abort(struct uc_writer *w);
void uc_writer_free(struct uc_writer *w);
/* SIGHUP: ends the current file and opens the next (uc_rotate_reopen). 0 or -errno. */
int uc_writer_reopen(struct uc_writer *w);
/* -Z: hands the current file to uid:gid (w may be NULL). 0, or -errno and a line in err. */
int uc_writer_chown(struct uc_writer *w, uid_t uid, gid_t gid, char *err, size_t errlen);
const char *uc_writer_error(const struct uc_writer *w);
uint64_t uc_writer_packets(const struct uc_writer *w);
/* The writer as an output (capture/core/output.h): write, flush, finish = close, and error
 * "writing FILE: reason". self is a struct uc_writer, started. */
extern const struct uc_output_ops uc_writer_output;
/* Bytes per packet the file header announces: header, largest fd area and -s, at most 262144. */
uint32_t uc_writer_snaplen(uint32_t payload_snaplen);

#endif
