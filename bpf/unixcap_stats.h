/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Counters every backend keeps, one slot per CPU; userspace sums them for the status line
 * and the exit summary. The slots live in an mmapable array that userspace reads as plain
 * memory: a bpf() lookup would hold the CPU's BPF-active guard for its duration and, on a
 * fully preemptible kernel (7.x), keep it held while unixcap is preempted, so that every
 * tracepoint and kprobe program the traced programs hit on that CPU meanwhile is skipped.
 */
#ifndef UNIXCAP_STATS_H
#define UNIXCAP_STATS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum uc_stat {
	UC_STAT_MSGS = 0,        /* messages whose first record reached the ring */
	UC_STAT_DROP_MSGS,       /* messages lost whole: the ring had no room for the first record */
	UC_STAT_DROP_CHUNKS,     /* messages cut short: a later record found the ring full */
	UC_STAT_DROP_PENDING,    /* sends missed: their in-flight state could not be stored */
	UC_STAT_READ_FAULTS,     /* payload copies that faulted (bytes reported as missing) */
	UC_STAT_PEER_UNKNOWN,    /* datagrams whose receiving socket was not seen (peer-unknown),
				  * counted before --sock/--inode, which cannot select them */
	/* The counters below are losses too: each is a message that never reached the ring.
	 * The kernel's own counts of program runs it skipped are read by userspace
	 * (capture/live/misses.c), not kept here. */
	UC_STAT_NO_EXIT,         /* sends (or recvmsg calls) whose exit program never ran:
				  * the thread's next one found their entry still there */
	UC_STAT_NO_ENTRY,        /* sends whose exit found no in-flight entry although the
				  * thread passes the filters (hook backends, no --type):
				  * the entry program did not run */
	UC_STAT_UNREADABLE,      /* sends and receives given up: their msghdr or mmsghdr
				  * could not be read */
	/* Not a loss: a program run the kernel skipped whose work its backstop did (the
	 * syscall tracepoints': bpf/syscall_backstop.bpf.h; fentry/fexit:
	 * bpf/sendmsg_hooks.bpf.c). */
	UC_STAT_RESCUED,
	UC_STAT_MAX,
};

/* One CPU's counters, padded to two cache lines so CPUs never share one. */
#define UC_STAT_SLOT 16
struct uc_stat_slot {
	__u64 n[UC_STAT_SLOT];
};
_Static_assert(UC_STAT_MAX <= UC_STAT_SLOT, "a CPU's slot holds every counter");

#endif
