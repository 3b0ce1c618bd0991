/* A whole AF_UNIX message as userspace sees it after reassembly: what every writer gets. */
#ifndef UNIXCAP_MESSAGE_H
#define UNIXCAP_MESSAGE_H

#include <stdint.h>
#include <stddef.h>
#include "bpf/unixcap_event.h"

/* Flags added in userspace on top of uc_meta.flags. */
enum uc_user_flags {
	UC_UF_TRUNCATED = 1 << 16, /* caplen < len (snaplen or a gap) */
	UC_UF_GAP = 1 << 17,       /* some records of this message were dropped in the ring */
};

/* One passed file of an SCM_RIGHTS message, named as /proc/PID/fd would name it. */
struct uc_fd_info {
	int32_t fd;      /* the sender's fd (send) or the receiver's new fd (receive) */
	int32_t peer_fd; /* on a receive: the sender's fd for the same file, -1 if unknown */
	uint64_t file;   /* struct file *: links a receive to its send */
	uint64_t ino;
	uint32_t mode;
	uint32_t kind;   /* enum uc_fd_kind */
	char name[UC_FD_NAME_MAX + 64];
};

struct uc_message {
	uint64_t id;          /* msg_id from the kernel side */
	struct uc_meta m;     /* metadata as the kernel recorded it */
	uint64_t ts_wall_ns;  /* m.ts_ns converted to CLOCK_REALTIME */
	uint32_t flags;       /* m.flags | enum uc_user_flags */
	uint32_t caplen;      /* bytes in data (<= m.caplen when records were lost) */
	const uint8_t *data;  /* payload; bytes never received from the kernel are zero */
	/* The name of m.peer_pid's process: m.peer_comm (read by the kernel at send time), or for
	 * a datagram's peer the holder of its socket (capture/enrich); "" if unknown. */
	char peer_comm[UC_COMM_LEN];
	/* m.n_fds entries (fewer if records were lost); the consumer may fill in peer_fd */
	struct uc_fd_info *fds;
	uint16_t n_fds;
	/* A receive linked to the send that passed its files (fdlink.h): who sent them. */
	uint32_t sender_pid, sender_tid; /* 0 = not linked */
	uint64_t sender_id;              /* that send's id */
};

#endif
