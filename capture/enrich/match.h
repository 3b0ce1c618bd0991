/*
 * The userspace matcher of the filter description (capture/core/filter.h): -n and --cgroup
 * for every capture, and for a file read with -r also the kernel half, which a live capture
 * has already applied in the BPF programs.
 */
#ifndef UNIXCAP_ENRICH_MATCH_H
#define UNIXCAP_ENRICH_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include "capture/core/filter.h"
#include "capture/enrich/cgroup.h"

struct uc_match {
	const struct uc_filter *filter;
	bool kernel_half;           /* -r: nothing filtered the messages before */
	struct uc_cgroups *cgroups; /* --cgroup: the cache that names senders' cgroups */
	char cgroup_top[4096];      /* --cgroup's normalized path */
};

/*
 * With kernel_half (-r), the kernel's filters too. With must_exist (a live capture), a
 * --cgroup that names no directory is an error. 0, or -1 with one line in err.
 */
int uc_match_init(struct uc_match *m, const struct uc_filter *f, bool kernel_half,
		  bool must_exist, char *err, size_t errlen);
void uc_match_free(struct uc_match *m);

/* Whether the message passes the filters left to userspace. */
bool uc_match(struct uc_match *m, const struct uc_message *msg);

/* The cgroup cache --cgroup made, NULL without --cgroup (-v lines share it). */
struct uc_cgroups *uc_match_cgroups(const struct uc_match *m);

#endif
