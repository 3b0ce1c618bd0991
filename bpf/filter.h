/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The capture filters a struct uc_config describes (-p --exclude-pid -t --type --sock
 * --inode --path --fds), as predicates compiled twice: into the BPF programs, which decide
 * what a live capture records, and into userspace, which applies the same decision to the
 * messages of a file read with -r (capture/core/filter.h). One text, so the two agree.
 *
 * Each predicate looks at one field of the message, as the kernel knows it before copying
 * anything; a message is wanted when all of them say so. The configuration is read through a
 * const volatile pointer because the kernel's is the read-only global `cfg`, whose values
 * libbpf sets at load time.
 */
#ifndef UNIXCAP_FILTER_H
#define UNIXCAP_FILTER_H

#include "bpf/unixcap_event.h"

#ifdef __VMLINUX_H__
#define UC_FILTER_FN static __always_inline
#else
#include <stdbool.h>
#define UC_FILTER_FN static inline
#endif

typedef const volatile struct uc_config uc_filter_cfg;

/*
 * -p and --exclude-pid: `listed` is the pid's entry in the pid lists (the filter_pids map in
 * the kernel): 0 when it is in neither, else UC_PID_INCLUDE or UC_PID_EXCLUDE.
 */
UC_FILTER_FN bool uc_cfg_pid_wanted(uc_filter_cfg *c, __u8 listed)
{
	if (!c->filter_pids && !c->exclude_pids)
		return true;
	/* One entry serves both lists: options refuse a pid that is in both. */
	return listed ? listed != UC_PID_EXCLUDE : !c->filter_pids;
}

/* -t */
UC_FILTER_FN bool uc_cfg_tid_wanted(uc_filter_cfg *c, __u32 tid)
{
	return !c->filter_tid || tid == c->filter_tid;
}

/* --type */
UC_FILTER_FN bool uc_cfg_type_wanted(uc_filter_cfg *c, __u16 type)
{
	return !c->filter_type || c->filter_type == type;
}

/* --fds: only messages passing files */
UC_FILTER_FN bool uc_cfg_fds_wanted(uc_filter_cfg *c, unsigned n_fds)
{
	return !c->fds_only || n_fds;
}

/* --sock: either end */
UC_FILTER_FN bool uc_cfg_sock_wanted(uc_filter_cfg *c, __u64 sock, __u64 peer_sock)
{
	return !c->filter_sock || sock == c->filter_sock || peer_sock == c->filter_sock;
}

/* --inode: either end */
UC_FILTER_FN bool uc_cfg_inode_wanted(uc_filter_cfg *c, __u64 inode, __u64 peer_inode)
{
	return !c->filter_inode || inode == c->filter_inode || peer_inode == c->filter_inode;
}

/*
 * --path, against one end's name of len bytes (path holds UC_PATH_MAX). A filesystem name
 * may be stored with its trailing NUL; an abstract one never is. A prefix (--path ending in
 * '*') only needs its own bytes to match.
 */
UC_FILTER_FN bool uc_cfg_path_matches(uc_filter_cfg *c, const char *path, __u16 len)
{
	if (len < c->path_len)
		return false;
	if (len > c->path_len && !c->path_prefix && !(path[0] != 0 && path[c->path_len & 0x7f] == 0))
		return false;
	for (int i = 0; i < UC_PATH_MAX; i++) {
		if (i >= c->path_len)
			break;
		if (path[i] != c->path[i])
			return false;
	}
	return true;
}

#endif /* UNIXCAP_FILTER_H */
