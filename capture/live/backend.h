/* Loads and attaches one capture backend: fentry, kprobe or syscall tracepoints. */
#ifndef UNIXCAP_BACKEND_H
#define UNIXCAP_BACKEND_H

#include <stdint.h>
#include "capture/core/filter.h"
#include "capture/core/options.h"
#include "bpf/unixcap_stats.h"

#define UC_MAX_LINKS 24

struct uc_capture {
	enum uc_backend backend;
	struct sendmsg_hooks_bpf *hooks;
	struct syscalls_bpf *sys;
	struct bpf_link *links[UC_MAX_LINKS];
	int prog_fds[UC_MAX_LINKS]; /* the program of each link (misses.c reads its counts); -1
				     * for a backstop, whose skipped runs are not counted */
	unsigned n_links;
	int ringbuf_fd;
	/* The counters' slots, mapped read-only (bpf/unixcap_stats.h: no bpf() per read). */
	const volatile struct uc_stat_slot *stats;
	size_t stats_len;
	int stats_slots;
	char notes[256]; /* what the chosen backend cannot see on this kernel */
};

/* Opens the backend chosen in o (trying each in turn for auto), its programs configured
 * with the filter f. On failure returns -errno and writes one line to err. */
int uc_capture_open(struct uc_capture *c, const struct uc_options *o, const struct uc_filter *f,
		    char *err, size_t errlen);
void uc_capture_close(struct uc_capture *c);
/* Sums the counters of every CPU's slot. */
int uc_capture_stats(const struct uc_capture *c, uint64_t out[UC_STAT_MAX]);
const char *uc_backend_name(enum uc_backend b);

#endif
