/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The send (or receive) each thread has in flight: saved by its entry program, taken by its
 * exit program. It lives in task-local storage where the kernel lets these program types
 * use it (5.11+), else in a hash map keyed by thread id (5.10): userspace probes the kernel
 * and sets pending_in_task before load, and the verifier drops the other path as dead code.
 * The task's slot is found from the task and kept between messages; the hash map took a
 * lookup, a copy into a new element and a delete per message, a fifth of the programs' time
 * per 64 B write (docs/performance.md, step 5).
 */
#ifndef UNIXCAP_PENDING_BPF_H
#define UNIXCAP_PENDING_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf/ring.bpf.h"
#include "bpf/unixcap_stats.h"

/* A send in flight, saved at entry and completed at exit. */
struct uc_pending {
	__u64 sk;        /* struct sock * of the sender */
	__u64 base;      /* buffer, iovec array, or mmsghdr array */
	__u64 nr_segs;
	__u64 skip;      /* bytes already consumed in the first segment (iov_offset) */
	__u64 dest_name; /* sockaddr_un of an unconnected send, or 0 */
	__u64 other;     /* the first receiving sock seen during the send (sendmmsg datagrams:
			  * each its own, in the tracepoint backend's mmsg_dests) */
	__u64 control;   /* msg_control: kernel copy at unix_*_sendmsg, user memory at syscalls */
	__u64 mmsg_vec;  /* sendmmsg: the user's mmsghdr array */
	__u64 want_len;  /* bytes the call asked to send: the length shown for a failed send */
	/* sendmmsg (tracepoint): the user's mmsghdr of the datagram being emitted and its key
	 * in mmsg_dests, here rather than on the stack: the emit chain under the datagram loop
	 * is near 6.1's limit of 512 bytes of stack for all frames together. */
	__u64 mmsg_hdr[8];
	__u64 mmsg_key;
	__u32 control_len;
	__u32 dest_len;
	__u32 fd;
	__u32 n_others;  /* receiving socks seen during the send */
	__u16 type;
	__u8 src_kind;
	__u8 call;
	__u8 dest_user; /* dest_name points to user memory */
	__u8 backend;
	__u8 control_user;
	__u8 control_skipped; /* there was control data, not decoded */
	__u8 live; /* task storage: the entry is in use (a hash entry is deleted instead) */
};

/* Set by userspace (capture/live/backend.c): the map it does not pick is never created. */
const volatile bool pending_in_task = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* tid */
	__type(value, struct uc_pending);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct uc_pending);
} pending_task SEC(".maps");

/* This thread's entry in flight, or NULL. */
static __always_inline struct uc_pending *pending_get(void)
{
	if (pending_in_task) {
		struct uc_pending *p =
			bpf_task_storage_get(&pending_task, bpf_get_current_task_btf(), 0, 0);
		return p && p->live ? p : NULL;
	}
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	return bpf_map_lookup_elem(&pending, &tid);
}

/* Ends this thread's entry p (from pending_get()). */
static __always_inline void pending_drop(struct uc_pending *p)
{
	if (pending_in_task) {
		p->live = 0;
		return;
	}
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_delete_elem(&pending, &tid);
}

static __always_inline void save_pending(struct uc_pending *p)
{
	p->live = 1;
	/* An entry already there is a send (or receive) whose exit program never ran: it is
	 * counted before this one replaces it, so that a missed exit is never silent. (Only
	 * this thread writes its entry, so the check and the write cannot race.) */
	if (pending_in_task) {
		struct uc_pending *t = bpf_task_storage_get(&pending_task, bpf_get_current_task_btf(),
							    0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!t) {
			stat_inc(UC_STAT_DROP_PENDING);
			return;
		}
		if (t->live)
			stat_inc(UC_STAT_NO_EXIT);
		*t = *p;
		return;
	}
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	if (bpf_map_lookup_elem(&pending, &tid))
		stat_inc(UC_STAT_NO_EXIT);
	if (bpf_map_update_elem(&pending, &tid, p, BPF_ANY))
		stat_inc(UC_STAT_DROP_PENDING);
}

#endif
