/*
 * The unixcap link-type header (version 1), as written into pcapng/pcap packets and read back.
 * docs/linktype.md is the byte-by-byte specification; this is its one implementation in C.
 *
 * A packet is: a fixed little-endian header of header_len bytes (392 in version 1), then an
 * fd area of fd_area_len bytes (n_fds entries), then the payload bytes that were captured.
 */
#ifndef UNIXCAP_LINKTYPE_H
#define UNIXCAP_LINKTYPE_H

#include <stddef.h>
#include <stdint.h>
#include "capture/core/message.h"

#define UC_LT_VERSION 1
#define UC_LT_HEADER_LEN 392
#define UC_LT_DEFAULT 147 /* LINKTYPE_USER0 */
#define UC_LT_MIN 147     /* LINKTYPE_USER0 .. LINKTYPE_USER15 */
#define UC_LT_MAX 162
/* Wireshark and libpcap reject a packet with more captured bytes than this (header included). */
#define UC_LT_MAX_PACKET 262144

#define UC_LT_FD_ENTRY_FIXED 32
/* Longest fd name an entry carries: what struct uc_fd_info holds, less its NUL. */
#define UC_LT_FD_NAME_MAX (sizeof(((struct uc_fd_info *)0)->name) - 1)
/* The largest fd area: every fd of a message with the longest name. */
#define UC_LT_FD_AREA_MAX (UC_MAX_FDS * (UC_LT_FD_ENTRY_FIXED + ((UC_LT_FD_NAME_MAX + 3) & ~3u)))

struct uc_lt_header {
	uint8_t version;
	uint8_t backend;
	uint16_t header_len;
	uint32_t flags; /* enum uc_msg_flags | enum uc_user_flags */
	uint64_t msg_id;
	uint32_t pid, tid, uid, gid;
	uint64_t cgroup_id;
	uint64_t sock, inode, peer_sock, peer_inode;
	uint32_t peer_pid;
	uint32_t len;
	int32_t err;
	int32_t fd;
	uint16_t type;
	uint8_t call;
	uint16_t path_len, peer_path_len;
	char comm[UC_COMM_LEN], peer_comm[UC_COMM_LEN];
	char path[UC_PATH_MAX], peer_path[UC_PATH_MAX];
	uint32_t cred_pid, cred_uid, cred_gid;
	uint32_t sender_pid, sender_tid; /* a receive linked to its send; 0 = not linked */
	uint64_t sender_id;
	uint32_t fd_area_len;
	uint16_t n_fds;      /* entries in the fd area */
	uint16_t fds_passed; /* files the message passed (more than n_fds if some were lost) */
	uint64_t ts_ns;      /* CLOCK_REALTIME */
};

struct uc_lt_fd {
	int32_t fd;      /* in the process of this event */
	int32_t peer_fd; /* at the other end of the pass, -1 unknown */
	uint64_t file, ino;
	uint32_t mode;
	uint8_t kind; /* enum uc_fd_kind */
	uint16_t name_len;
	const uint8_t *name; /* name_len bytes, no NUL (decoding: points into the packet) */
};

/* A decoded packet: the header, and the fd area and payload as views into the packet. */
struct uc_lt_packet {
	struct uc_lt_header h;
	const uint8_t *fd_area;
	const uint8_t *payload;
	uint32_t payload_len; /* bytes present; h.len is the original length */
};

/* Bytes one fd entry with a name of name_len bytes takes in the fd area. */
size_t uc_lt_fd_entry_size(uint16_t name_len);

/* Appends one fd entry at out (room bytes); returns its size, or 0 if it does not fit. */
size_t uc_lt_encode_fd(uint8_t *out, size_t room, const struct uc_lt_fd *e);

/*
 * The packet head of a message (header, then the fd area of its passed files) into out,
 * which must hold UC_LT_HEADER_LEN + UC_LT_FD_AREA_MAX bytes. Sets *head_len, and says how
 * many payload bytes follow so that the packet stays within max_packet (cutting the payload
 * sets the truncated flag), and the original length the packet stands for.
 */
void uc_lt_build(uint8_t *out, const struct uc_message *m, uint32_t max_packet,
		 uint32_t *head_len, uint32_t *payload_len, uint32_t *orig_len);

/*
 * Decodes and validates a packet of caplen bytes. Every length is checked against what is
 * present; nothing outside pkt[0..caplen) is read. Returns 0, or -EINVAL with *why set to a
 * short reason.
 */
int uc_lt_decode(const uint8_t *pkt, size_t caplen, struct uc_lt_packet *out, const char **why);

/* Iterates the fd entries of a packet that uc_lt_decode accepted: 1 = *e filled, 0 = done. */
int uc_lt_fd_next(const struct uc_lt_packet *p, size_t *pos, struct uc_lt_fd *e);

/*
 * The message a decoded packet describes; data points into the packet, fds into fds, which
 * must hold UC_MAX_FDS entries (uc_lt_decode accepts no more).
 */
void uc_lt_to_message(const struct uc_lt_packet *p, struct uc_message *m, struct uc_fd_info *fds);

#endif
