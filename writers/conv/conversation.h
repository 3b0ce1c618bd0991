/*
 * Conversations: the two sockets of one connection (stream, seqpacket), or a sending socket
 * and the socket its datagrams went to. Each end is a socket known by its kernel address;
 * its inode is filled in once seen (a socket still in the accept queue has none yet), and
 * a different inode at a known address means the kernel reused the address for a new
 * socket: a new conversation. Numbered 0, 1, 2... in order of their first message.
 *
 * Which end is the client is decided once, at the first message: the end without a bound
 * name when the other end has one (it must have connected or sent to that name), else the
 * end that sent first. docs/conversations.md has the rule and its limits.
 */
#ifndef UNIXCAP_CONVERSATION_H
#define UNIXCAP_CONVERSATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "capture/core/message.h"

enum { UC_CLIENT = 0, UC_SERVER = 1 };

struct uc_conv_end {
	uint64_t sock, inode;     /* sock 0: the peer was not known (unconnected datagram) */
	uint32_t pid;             /* first process that sent on it, else its peer credentials */
	bool sent;                /* pid/comm come from a send on this end */
	char comm[UC_COMM_LEN];
	char path[UC_PATH_MAX];   /* bound name, as uc_meta holds it */
	uint16_t path_len;
};

struct uc_conv_dir {
	uint64_t msgs, bytes;   /* successful sends and the bytes they moved */
	uint64_t missing;       /* bytes of those sends not in the capture */
	uint64_t gap_msgs;      /* sends with bytes missing */
};

struct uc_conv {
	uint64_t id;
	uint16_t type;
	struct uc_conv_end end[2];    /* UC_CLIENT, UC_SERVER */
	/* Counted by uc_conv_count_msg only: what passed the filters. */
	struct uc_conv_dir dir[2];    /* [UC_CLIENT]: client to server; [UC_SERVER]: back */
	uint64_t seen;                /* messages counted, failed sends and receives included */
	uint64_t errors;              /* failed sends (--errors) */
	uint64_t first_ns, last_ns;   /* wall clock of the first and last counted message */
};

struct uc_conv_table;

struct uc_conv_table *uc_conv_table_new(void);
void uc_conv_table_free(struct uc_conv_table *t);

/*
 * The conversation a message belongs to, created (and numbered) at its first message;
 * NULL only without memory. *from gets the end that sent it (for a receive event: the
 * end that received). Fills in an end's process once it is seen sending.
 */
struct uc_conv *uc_conv_add(struct uc_conv_table *t, const struct uc_message *m, int *from);
/* Adds a message to the counts of its conversation; from as uc_conv_add gave it. */
void uc_conv_count_msg(struct uc_conv *c, const struct uc_message *m, int from);
size_t uc_conv_count(const struct uc_conv_table *t);
struct uc_conv *uc_conv_get(const struct uc_conv_table *t, size_t id);

/* Does either end have this kernel address / inode? */
bool uc_conv_has_sock(const struct uc_conv *c, uint64_t sock);
bool uc_conv_has_inode(const struct uc_conv *c, uint64_t inode);

/* Does this message carry bytes of the conversation (a send that did not fail)? */
bool uc_conv_is_data(const struct uc_message *m);
/* Bytes of such a send that are not in the capture: snaplen, lost ring records, pages. */
uint64_t uc_conv_missing(const struct uc_message *m);

#endif
