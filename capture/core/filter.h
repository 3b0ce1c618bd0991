/*
 * The one filter description of a run: what -p --exclude-pid -t --type --sock --inode
 * --path --fds (the kernel's half), -n (the comm regex) and --cgroup ask for, made from the
 * options once. The kernel half is a struct uc_config, the very one a live capture loads
 * into the BPF programs, and userspace evaluates it with the predicates the BPF programs
 * are compiled from (bpf/filter.h), so a file read with -r is filtered as the kernel would
 * have filtered the live capture. The halves only userspace can apply (-n, --cgroup) are
 * matched by capture/enrich/match.h, which needs the cgroup cache.
 */
#ifndef UNIXCAP_CORE_FILTER_H
#define UNIXCAP_CORE_FILTER_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include "bpf/unixcap_event.h"
#include "capture/core/message.h"
#include "capture/core/options.h"

struct uc_filter {
	/* The kernel half: the filter fields of the BPF programs' configuration (the
	 * capture's own fields, snaplen, backend, self_tgid, wakeup, stay zero). */
	struct uc_config cfg;
	/* Entries of the filter_pids map: -p as UC_PID_INCLUDE, --exclude-pid as EXCLUDE. */
	const uint32_t *pids, *exclude_pids;
	unsigned n_pids, n_exclude_pids;
	/* The userspace half. */
	const regex_t *comm; /* -n, NULL = any */
	const char *cgroup;  /* --cgroup PATH as given, NULL = any */
};

/* The description of what o asks for; it points into o, which must outlive it. */
void uc_filter_init(struct uc_filter *f, const struct uc_options *o);

/* Copies the filter fields into a kernel configuration, leaving the others as they are. */
void uc_filter_kernel_config(const struct uc_filter *f, struct uc_config *cfg);

/* The pid lists as the filter_pids map holds them: 0, UC_PID_INCLUDE or UC_PID_EXCLUDE. */
uint8_t uc_filter_pid_entry(const struct uc_filter *f, uint32_t pid);

/* The kernel half applied to a message in userspace (-r): what the BPF programs decide. */
bool uc_filter_kernel_match(const struct uc_filter *f, const struct uc_message *m);

/* -n against a sender's comm (UC_COMM_LEN bytes, NUL-padded). */
bool uc_filter_comm_match(const struct uc_filter *f, const char *comm);

#endif
