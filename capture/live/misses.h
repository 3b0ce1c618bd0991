/*
 * What the kernel itself counts of the capture programs' runs it skipped: a kprobe or
 * kretprobe that could not fire (kretprobe instances exhausted, a probe hit inside another
 * probe), and a program not run because another BPF program was running on that CPU
 * (recursion). Each skipped run may have been a message, so the summary counts them with
 * the losses the programs count themselves.
 */
#ifndef UNIXCAP_LIVE_MISSES_H
#define UNIXCAP_LIVE_MISSES_H

#include <stdint.h>
#include "capture/live/backend.h"

struct uc_kernel_misses {
	uint64_t probe;     /* kprobe/kretprobe misses (bpf_link_info, Linux 6.7+) */
	uint64_t recursion; /* program runs skipped (bpf_prog_info recursion_misses: fentry
			     * from 5.12, kprobe and tracepoint programs from 6.7) */
	char detail[192];   /* "PROGRAM=N ..." for each program or probe with a count */
};

/* Sums the counts over the capture's links and programs; kernels that do not report a
 * count leave it at 0. */
void uc_kernel_misses(const struct uc_capture *c, struct uc_kernel_misses *out);

#endif
