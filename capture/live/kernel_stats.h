/* The counters every backend's programs keep (bpf/unixcap_stats.h): one slot per CPU in an
 * mmapable array map, read as plain memory so that reading them never enters the bpf()
 * syscall (which would hold the CPU's BPF-active guard: unixcap_stats.h says why that
 * matters). */
#ifndef UNIXCAP_KERNEL_STATS_H
#define UNIXCAP_KERNEL_STATS_H

#include "capture/live/backend.h"

struct bpf_map;

/* Maps the loaded stats map read-only into c. */
int uc_stats_map(struct uc_capture *c, const struct bpf_map *stats);
void uc_stats_unmap(struct uc_capture *c);

#endif
