/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Per-CPU counters every backend keeps; userspace sums them for the exit summary. */
#ifndef UNIXCAP_STATS_H
#define UNIXCAP_STATS_H

enum uc_stat {
	UC_STAT_MSGS = 0,        /* messages whose first record reached the ring */
	UC_STAT_DROP_MSGS,       /* messages lost whole: the ring had no room for the first record */
	UC_STAT_DROP_CHUNKS,     /* messages cut short: a later record found the ring full */
	UC_STAT_DROP_PENDING,    /* sends missed because the in-flight table was full */
	UC_STAT_READ_FAULTS,     /* payload copies that faulted (bytes reported as missing) */
	UC_STAT_PEER_UNKNOWN,    /* datagrams whose receiving socket was not seen (peer-unknown),
				  * counted before --sock/--inode, which cannot select them */
	UC_STAT_MAX,
};

#endif
