/*
 * The ring consumer of a live capture: the backend loaded and attached, the ring buffer
 * it writes, and the reassembly that turns its records into messages for a callback.
 * main.c's loop polls it, and flushes what stays incomplete.
 */
#ifndef UNIXCAP_LIVE_CONSUMER_H
#define UNIXCAP_LIVE_CONSUMER_H

#include <stdint.h>
#include "capture/core/filter.h"
#include "capture/core/options.h"
#include "capture/live/backend.h"
#include "capture/live/reassembly.h"

struct ring_buffer;

struct uc_consumer {
	struct uc_capture cap;
	struct uc_reasm *reasm;
	struct ring_buffer *rb;
	bool cap_open;
};

/*
 * Loads the backend o chooses with the filter f, and reads its ring into messages for cb.
 * 0, or -errno with one line in err (uc_consumer_close is still needed).
 */
int uc_consumer_open(struct uc_consumer *c, const struct uc_options *o,
		     const struct uc_filter *f, uc_message_cb cb, void *ctx, char *err,
		     size_t errlen);
void uc_consumer_close(struct uc_consumer *c);

/*
 * Waits up to timeout_ms for records and hands over what came. The kernel side wakes the
 * reader only for a batch, so on a timeout whatever is there is read all the same. Returns
 * the number of records, or -errno (-EINTR for a signal).
 */
int uc_consumer_poll(struct uc_consumer *c, int timeout_ms);

/* Whatever the kernel already wrote, without waiting. */
void uc_consumer_consume(struct uc_consumer *c);

/* Messages whose tail did not come by before_mono_ns (ring full) go out, marked;
 * UINT64_MAX: all that stayed incomplete, at the end. */
void uc_consumer_expire(struct uc_consumer *c, uint64_t before_mono_ns);

/* Messages lost in the kernel, by cause: what the programs counted (bpf/unixcap_stats.h)
 * and the program runs the kernel skipped (misses.h). */
struct uc_losses {
	uint64_t ring_full;  /* no room for a message's first record */
	uint64_t state;      /* in-flight state not stored, or not found */
	uint64_t no_exit;    /* the exit program never ran */
	uint64_t no_entry;   /* the entry program never ran */
	uint64_t unreadable; /* msghdr or mmsghdr unreadable */
	uint64_t probe;      /* kprobe/kretprobe misses the kernel counted */
	uint64_t recursion;  /* program runs the kernel skipped */
	uint64_t rescued;    /* not lost: skipped runs whose work a backstop did */
	char kernel_detail[192]; /* which programs the kernel skipped (misses.h) */
};
void uc_consumer_losses(const struct uc_consumer *c, struct uc_losses *l);

/* The sends the programs know they lost ("N dropped"): a message each unless the send
 * failed, which a send whose exit never ran cannot tell. The kernel's skipped runs are
 * not added in: a skipped run may not have been a message (a write to a pipe), and a
 * skipped kretprobe is also counted by the programs (exit not run), so the summary shows
 * them beside the sum. */
uint64_t uc_losses_dropped(const struct uc_losses *l);
uint64_t uc_consumer_drops(const struct uc_consumer *c);

#endif
