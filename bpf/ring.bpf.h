/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ring buffer every kernel program writes its records into, the counters of what it
 * could not write, and the run's configuration (it says when to wake the reader). Its own
 * header so that each part that emits records (the capture core, SCM_RIGHTS and
 * credentials) includes it rather than relying on the order of another header's text.
 */
#ifndef UNIXCAP_RING_BPF_H
#define UNIXCAP_RING_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf/unixcap_event.h"
#include "bpf/unixcap_stats.h"

/* Filled in by userspace before load (capture/live/backend.c). */
const volatile struct uc_config cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized from -B before load */
} events SEC(".maps");

/* Indexed by CPU; sized to the possible CPUs before load (bpf/unixcap_stats.h says why it
 * is not a per-CPU map). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uc_stat_slot);
} stats SEC(".maps");

/* Always 0, but the verifier cannot know it (writable .bss). Loop state seeded through
 * uc_opaque() is a range, not a constant, so bpf_loop's callback converges in a few
 * passes instead of being walked once per iteration (1024 segments x 16 chunks). */
__u64 opaque_zero = 0;

static __always_inline __u64 uc_opaque(__u64 v)
{
	return v + opaque_zero;
}

/*
 * Two builds of every object: with bpf_loop (5.17+), and with -DUC_NO_BPF_LOOP for kernels
 * without it (5.10, 5.15), chosen at load time by probing the helper. Without bpf_loop a
 * loop is a bounded loop, which the verifier walks once per iteration: so every loop that
 * runs long has a body that is a global function (verified once, on its own, taking only
 * scalars: 5.10 allows nothing else) and keeps its state in a map keyed by thread id, and the walk
 * costs a call per iteration instead of the body. The bounds are the real maxima (1024
 * segments, 16 MiB of chunks, 253 fds), so the old kernels get the same records.
 */
#ifdef UC_NO_BPF_LOOP
#define UC_LOOP(n, max, cb, ctx)                                                               \
	do {                                                                                   \
		for (__u32 _i = 0; _i < (max); _i++) {                                         \
			if (_i >= (n) || cb(_i, ctx))                                          \
				break;                                                         \
		}                                                                              \
	} while (0)
#else
#define UC_LOOP(n, max, cb, ctx) bpf_loop(n, cb, ctx, 0)
#endif
/* Global functions: verified once each, not at every call site. */
#define UC_GLOBAL __attribute__((noinline))

/* Atomic: a fentry program can be preempted by another run of the same CPU's programs. */
static __always_inline void stat_inc(__u32 which)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct uc_stat_slot *s = bpf_map_lookup_elem(&stats, &cpu);
	if (s)
		__sync_fetch_and_add(&s->n[which & (UC_STAT_SLOT - 1)], 1);
}

/*
 * A wakeup per record costs the sender an IPI and the reader a context switch per message.
 * The reader polls on a short timeout anyway, so it is woken only when the unread data
 * crosses wakeup_bytes: records submitted while it lies in [mark, mark + UC_WAKE_BAND)
 * force the wakeup (the band is wider than any record, so a crossing always lands in it);
 * beyond the band the reader is already awake and behind, and more wakeups only slow the
 * sender. The kernel's default rule cannot be used past the mark: it wakes only a reader
 * that had read everything, which records held back by NO_WAKEUP never let happen.
 */
#define UC_WAKE_BAND (32u << 10)

static __always_inline void uc_submit(void *rec)
{
	__u64 flags = 0;
	if (cfg.wakeup_bytes) {
		__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
		flags = avail >= cfg.wakeup_bytes && avail < cfg.wakeup_bytes + UC_WAKE_BAND
				? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	}
	bpf_ringbuf_submit(rec, flags);
}

#endif
