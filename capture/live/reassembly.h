/*
 * Turns ring-buffer records back into whole messages. The kernel side writes a
 * message as one MSG record and then DATA records, in order, from one task; records
 * of different messages interleave. A message whose tail was lost to a full ring is
 * still delivered, marked UC_UF_GAP, as soon as its task starts another message, when
 * it goes stale, or at the end: nothing is held back or dropped without a mark.
 */
#ifndef UNIXCAP_REASSEMBLY_H
#define UNIXCAP_REASSEMBLY_H

#include <stddef.h>
#include <stdint.h>
#include "capture/core/message.h"

/* Returns 0 to go on, non-zero to stop feeding (the value is passed back). */
typedef int (*uc_message_cb)(const struct uc_message *msg, void *ctx);

struct uc_reasm_stats {
	uint64_t messages;  /* delivered */
	uint64_t gaps;      /* delivered with missing bytes */
	uint64_t malformed; /* records that made no sense and were skipped */
	uint64_t orphans;   /* DATA records whose MSG record never arrived */
};

struct uc_reasm;

struct uc_reasm *uc_reasm_new(uint32_t snaplen, uc_message_cb cb, void *ctx);
void uc_reasm_free(struct uc_reasm *r);
/* Offset added to kernel CLOCK_MONOTONIC stamps to make wall-clock time. */
void uc_reasm_set_clock_offset(struct uc_reasm *r, int64_t mono_to_wall_ns);
/* Feeds one record; returns what the callback returned, or 0. */
int uc_reasm_feed(struct uc_reasm *r, const void *rec, size_t size);
/* Delivers messages still open whose first record is older than `before_mono_ns`
 * (UINT64_MAX: all of them). */
int uc_reasm_flush(struct uc_reasm *r, uint64_t before_mono_ns);
const struct uc_reasm_stats *uc_reasm_stats(const struct uc_reasm *r);

#endif
