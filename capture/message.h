/* A whole AF_UNIX message as userspace sees it after reassembly: what every writer gets. */
#ifndef UNIXCAP_MESSAGE_H
#define UNIXCAP_MESSAGE_H

#include <stdint.h>
#include <stddef.h>
#include "../bpf/unixcap_event.h"

/* Flags added in userspace on top of uc_meta.flags. */
enum uc_user_flags {
	UC_UF_TRUNCATED = 1 << 16, /* caplen < len (snaplen or a gap) */
	UC_UF_GAP = 1 << 17,       /* some records of this message were dropped in the ring */
};

struct uc_message {
	uint64_t id;          /* msg_id from the kernel side */
	struct uc_meta m;     /* metadata as the kernel recorded it */
	uint64_t ts_wall_ns;  /* m.ts_ns converted to CLOCK_REALTIME */
	uint32_t flags;       /* m.flags | enum uc_user_flags */
	uint32_t caplen;      /* bytes in data (<= m.caplen when records were lost) */
	const uint8_t *data;  /* payload; bytes never received from the kernel are zero */
	char peer_comm[UC_COMM_LEN]; /* resolved in userspace from m.peer_pid, "" if unknown */
};

#endif
