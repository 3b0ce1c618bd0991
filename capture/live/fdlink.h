/*
 * Links each receive of passed fds to the send that passed them.
 *
 * Both ends of an SCM_RIGHTS pass see the same struct file objects, so the kernel
 * address of each file (uc_fd_info.file) identifies it on both sides; on a connected
 * socket the send also came from the receiving socket's peer. Sends are kept in arrival
 * order and a receive takes, per file, the oldest matching send not yet received, which
 * is the send order on the socket.
 *
 * The receiver's syscall can return before the sender's does (they run on different
 * CPUs), so a receive can reach userspace before its send. Such a receive is held
 * (copied) until its send shows up or UC_FDLINK_HOLD_NS passes, then delivered: output
 * keeps send before receive. Memory is bounded by UC_FDLINK_MAX remembered files.
 */
#ifndef UNIXCAP_FDLINK_H
#define UNIXCAP_FDLINK_H

#include <stdbool.h>
#include "capture/core/message.h"

#define UC_FDLINK_MAX 8192           /* remembered passed files not yet received */
#define UC_FDLINK_HELD_MAX 256       /* receives waiting for their send */
#define UC_FDLINK_HOLD_NS 200000000u /* how long a receive waits for its send */

struct uc_fdlink;
typedef int (*uc_fdlink_cb)(struct uc_message *msg, void *ctx);

struct uc_fdlink *uc_fdlink_new(void);
void uc_fdlink_free(struct uc_fdlink *l);
/*
 * A send remembers its files; a receive gets peer_fd and sender_* filled in. Returns
 * true when msg is to be delivered now, false when the link took a copy to hold (now_ns:
 * any monotonic clock, the same for uc_fdlink_release).
 */
bool uc_fdlink_update(struct uc_fdlink *l, struct uc_message *msg, uint64_t now_ns);
/*
 * Delivers held receives that are now linked, or older than UC_FDLINK_HOLD_NS (all of
 * them when force), oldest first. Stops at and returns the first non-zero cb result.
 */
int uc_fdlink_release(struct uc_fdlink *l, uint64_t now_ns, bool force, uc_fdlink_cb cb,
		      void *ctx);

#endif
