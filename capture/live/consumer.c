/* The ring consumer of a live capture (consumer.h). */
#include "capture/core/clock.h"
#include "capture/live/consumer.h"
#include "capture/live/misses.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

static int on_record(void *ctx, void *data, size_t size)
{
	return uc_reasm_feed(ctx, data, size);
}

int uc_consumer_open(struct uc_consumer *c, const struct uc_options *o,
		     const struct uc_filter *f, uc_message_cb cb, void *ctx, char *err,
		     size_t errlen)
{
	memset(c, 0, sizeof(*c));
	int e = uc_capture_open(&c->cap, o, f, err, errlen);
	if (e)
		return e;
	c->cap_open = true;
	c->reasm = uc_reasm_new(o->snaplen, cb, ctx);
	c->rb = c->reasm ? ring_buffer__new(c->cap.ringbuf_fd, on_record, c->reasm, NULL) : NULL;
	if (!c->rb) {
		e = errno ? errno : ENOMEM;
		snprintf(err, errlen, "ring buffer: %s", strerror(e));
		return -e;
	}
	uc_reasm_set_clock_offset(c->reasm,
				  (int64_t)(uc_now_ns(CLOCK_REALTIME) - uc_now_ns(CLOCK_MONOTONIC)));
	return 0;
}

void uc_consumer_close(struct uc_consumer *c)
{
	ring_buffer__free(c->rb);
	uc_reasm_free(c->reasm);
	if (c->cap_open)
		uc_capture_close(&c->cap);
	memset(c, 0, sizeof(*c));
}

int uc_consumer_poll(struct uc_consumer *c, int timeout_ms)
{
	int n = ring_buffer__poll(c->rb, timeout_ms);
	if (n == 0)
		n = ring_buffer__consume(c->rb);
	return n;
}

void uc_consumer_consume(struct uc_consumer *c)
{
	ring_buffer__consume(c->rb);
}

void uc_consumer_expire(struct uc_consumer *c, uint64_t before_mono_ns)
{
	uc_reasm_flush(c->reasm, before_mono_ns);
}

/* The kernel side's own counters of messages lost (bpf/unixcap_stats.h). */
static void losses_from_stats(const struct uc_consumer *c, struct uc_losses *l)
{
	uint64_t st[UC_STAT_MAX] = { 0 };

	uc_capture_stats(&c->cap, st);
	*l = (struct uc_losses){
		.ring_full = st[UC_STAT_DROP_MSGS],
		.state = st[UC_STAT_DROP_PENDING],
		.no_exit = st[UC_STAT_NO_EXIT],
		.no_entry = st[UC_STAT_NO_ENTRY],
		.unreadable = st[UC_STAT_UNREADABLE],
		.rescued = st[UC_STAT_RESCUED],
	};
}

void uc_consumer_losses(const struct uc_consumer *c, struct uc_losses *l)
{
	struct uc_kernel_misses km;

	losses_from_stats(c, l);
	uc_kernel_misses(&c->cap, &km);
	l->probe = km.probe;
	l->recursion = km.recursion;
	memcpy(l->kernel_detail, km.detail, sizeof(l->kernel_detail));
}

uint64_t uc_losses_dropped(const struct uc_losses *l)
{
	return l->ring_full + l->state + l->no_exit + l->no_entry + l->unreadable;
}

uint64_t uc_consumer_drops(const struct uc_consumer *c)
{
	struct uc_losses l;

	/* Without the kernel's counts: this runs on every status tick. */
	losses_from_stats(c, &l);
	return uc_losses_dropped(&l);
}
