/*
 * Socket owner cache for the capture loop: which process holds a socket, by inode.
 *
 * A message's peer pid comes from the sending socket's peer credentials (sk_peer_pid).
 * Those are empty for unconnected datagrams and stale for sockets that were accepted or
 * inherited by another process. The socket's current holder answers better: this table
 * maps socket inodes to the process holding them, built from one pass over /proc/PID/fd
 * (the pass unixcap -L makes), and rebuilt when a lookup misses.
 *
 * Refresh policy: the first lookup builds the table. A lookup that misses, or that finds
 * the table older than UC_SOCKTABLE_MAX_AGE_NS, rebuilds it, but never sooner than
 * UC_SOCKTABLE_MIN_INTERVAL_NS after the previous build: a socket nobody holds (kernel
 * sockets, sockets already closed) costs one scan per interval, not one per message.
 * When a socket has several holders (shared after fork) the lowest pid is returned.
 *
 * Not thread-safe: one table per thread.
 *
 *   struct uc_socktable *t = uc_socktable_new();
 *   uint32_t pid; char comm[16];
 *   if (msg.m.peer_pid == 0 && msg.m.peer_inode &&
 *       uc_socktable_owner(t, msg.m.peer_inode, &pid, comm) == 0) { ...use pid, comm... }
 *   uc_socktable_free(t);
 */
#ifndef UNIXCAP_SOCKLIST_TABLE_H
#define UNIXCAP_SOCKLIST_TABLE_H

#include <stdint.h>
#include "bpf/unixcap_event.h"

#define UC_SOCKTABLE_MIN_INTERVAL_NS 1000000000ull /* at most one rebuild per second */
#define UC_SOCKTABLE_MAX_AGE_NS 10000000000ull     /* hits older than 10 s rebuild first */

struct uc_socktable;

/* A table over /proc (nothing is read until the first lookup). NULL on ENOMEM. */
struct uc_socktable *uc_socktable_new(void);
/* The same over another proc tree and with other intervals (for tests). */
struct uc_socktable *uc_socktable_new_at(const char *proc_root, uint64_t min_interval_ns,
					 uint64_t max_age_ns);
void uc_socktable_free(struct uc_socktable *t);

/*
 * The process holding the socket with this inode: *pid and comm (NUL-terminated) set and
 * 0 returned; -ENOENT if no process holds it (as of the latest allowed rebuild), -EINVAL
 * for inode 0, or -errno if /proc could not be read.
 */
int uc_socktable_owner(struct uc_socktable *t, uint64_t inode, uint32_t *pid,
		       char comm[UC_COMM_LEN]);

/* Lets the next lookup rebuild regardless of the interval. */
void uc_socktable_invalidate(struct uc_socktable *t);
/* How many times the table was built (for tests and -v statistics). */
unsigned long uc_socktable_builds(const struct uc_socktable *t);

#endif
