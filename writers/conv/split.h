/*
 * --split DIR: one pcapng file per conversation, opened at its first message and named
 * cID-CLIENTPID-COMM-INODE_SERVERPID-COMM-INODE.pcapng (comm reduced to [A-Za-z0-9._-]),
 * written through the same writer as -w. Every file stays open to the end of the capture,
 * and is renamed then if an inode was not known yet at its first message.
 */
#ifndef UNIXCAP_SPLIT_H
#define UNIXCAP_SPLIT_H

#include <stddef.h>
#include "writers/capfile/writer.h"
#include "writers/conv/conversation.h"

struct uc_split;

/* tmpl: format, link type, snaplen and counters of every file (file.path is ignored). */
int uc_split_open(struct uc_split **out, const char *dir, const struct uc_writer_cfg *tmpl,
		  char *err, size_t errlen);
void uc_split_set_stats(struct uc_split *s, uc_stats_fn fn, void *ctx);
/* 0 or -errno (uc_split_error). */
int uc_split_write(struct uc_split *s, const struct uc_conv *c, const struct uc_message *m);
int uc_split_flush(struct uc_split *s);
/* Closes every file (trailers). 0 or the first -errno. */
int uc_split_close(struct uc_split *s);
const char *uc_split_error(const struct uc_split *s);
unsigned uc_split_files(const struct uc_split *s);
void uc_split_free(struct uc_split *s);

/* The file name of a conversation (exposed for tests). */
int uc_split_name(char *buf, size_t size, const struct uc_conv *c);

#endif
