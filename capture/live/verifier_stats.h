/* The verifier's instruction counts per program, for watching the margin to its limit. */
#ifndef UNIXCAP_LIVE_VERIFIER_STATS_H
#define UNIXCAP_LIVE_VERIFIER_STATS_H

#include <stdbool.h>
#include <bpf/libbpf.h>

/*
 * UNIXCAP_VERIFIER_STATS=1 (for the kernel matrix, docs/kernels.md): before the load, every
 * program to be loaded gets a log buffer at the verifier's statistics level; after it,
 * "verifier: NAME VARIANT N insns" goes to stderr (VARIANT: with or without bpf_loop, and
 * "+task_storage" when the send in flight is kept in task-local storage).
 * Without the variable both do nothing.
 */
void uc_verifier_stats_arm(struct bpf_object *obj);
void uc_verifier_stats_print(struct bpf_object *obj, bool loop, bool task_storage);

#endif
