/*
 * `unixcap follow` on the console: a conversation's bytes in order, one block per send,
 * each marked by direction and process, as ASCII or as a hex dump whose offsets count
 * the bytes of that direction (so they match the --raw files).
 */
#ifndef UNIXCAP_FOLLOW_TEXT_H
#define UNIXCAP_FOLLOW_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "writers/conv/conversation.h"

/* One line per end: "client 1234/curl 0xffff888102249e80 inode 5678 (unnamed)". */
size_t uc_follow_format_end(char *buf, size_t size, const struct uc_conv *c, int which);

void uc_follow_print_head(FILE *out, const struct uc_conv *c);
/*
 * One send: a "---" line (direction, time, process, length), the captured bytes, and a
 * bracketed line for every byte the capture lacks. offset is where the send starts in
 * its direction's byte stream.
 */
void uc_follow_print_msg(FILE *out, const struct uc_message *m, int from, bool hex,
			 uint64_t offset, const char *time_text);
void uc_follow_print_tail(FILE *out, const struct uc_conv *c);

/* Why a send lacks bytes: "beyond the snaplen", "lost in the ring buffer"... */
const char *uc_follow_missing_reason(const struct uc_message *m);

#endif
