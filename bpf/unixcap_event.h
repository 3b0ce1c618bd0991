/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Ring-buffer record layout shared by every BPF backend and by userspace.
 *
 * A message becomes one UC_REC_MSG record (metadata + up to UC_INLINE_MAX bytes, so
 * small messages take one record) followed by
 * zero or more UC_REC_DATA records, all written by one program run on one task, in
 * offset order. The last record of a message carries UC_RF_LAST. Records are sized
 * from a few fixed classes because bpf_ringbuf_reserve() needs a constant size; a
 * record's bytes always come from one source segment, so the kernel never has to
 * prove offset arithmetic inside a record to the verifier.
 *
 * Every field has a fixed width and natural alignment so that the BPF target and
 * the host compiler agree on the layout without packing.
 */
#ifndef UNIXCAP_EVENT_H
#define UNIXCAP_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define UC_COMM_LEN 16
#define UC_PATH_MAX 108           /* sizeof(sockaddr_un.sun_path) */
#define UC_CHUNK_MAX 16384        /* largest payload of one DATA record */
#define UC_INLINE_MAX 128         /* payload carried in the MSG record itself */
#define UC_SNAPLEN_DEFAULT 262144 /* tcpdump's default */
#define UC_SNAPLEN_MAX_ANY (16u << 20) /* largest -s accepted */
#define UC_MAX_PIDS 64            /* -p list size */

enum uc_rec_kind {
	UC_REC_MSG = 1,
	UC_REC_DATA = 2,
	UC_REC_FD = 3, /* one passed file; written before the MSG record it belongs to */
};

/* Per-record flags. */
enum uc_rec_flags {
	UC_RF_LAST = 1 << 0, /* no more records follow for this msg_id */
	UC_RF_UNREADABLE = 1 << 1, /* DATA: the copy faulted, the bytes are not the message's
				    * (the message becomes UC_MF_UNREADABLE, the bytes zero) */
};

/* Per-message flags (uc_meta.flags), set by the kernel side. */
enum uc_msg_flags {
	UC_MF_ERROR = 1 << 0,      /* the send failed: err holds -errno, no payload */
	UC_MF_PAGES = 1 << 1,      /* payload lives in pages (splice/sendfile): not copied */
	UC_MF_UNREADABLE = 1 << 2, /* a copy faulted (page not resident): bytes missing */
	UC_MF_SEG_LIMIT = 1 << 3,  /* more iovec segments than the kernel side walks */
	UC_MF_KERNEL_MEM = 1 << 4, /* payload came from a kernel buffer (ITER_KVEC) */
	UC_MF_DEST_ADDR = 1 << 5,  /* peer_path came from the sender's msg_name */
	UC_MF_RECEIVE = 1 << 6,    /* a receive (recvmsg) event: fds installed in the receiver */
	UC_MF_CREDS = 1 << 7,      /* cred_pid/uid/gid hold SCM_CREDENTIALS */
	UC_MF_FDS_LOST = 1 << 8,   /* some passed fds could not be recorded (ring full) */
	UC_MF_PIDFD = 1 << 9,      /* an SCM_PIDFD was received (6.5+) */
	UC_MF_CTL_SKIPPED = 1 << 10, /* control data not decoded (older versions: sendmmsg, tracepoint) */
	UC_MF_PEER_UNKNOWN = 1 << 11, /* a datagram sent to an address whose receiving socket the
				       * backend did not see: peer_sock/peer_inode are 0 */
};

enum uc_backend {
	UC_BACKEND_NONE = 0,
	UC_BACKEND_FENTRY = 1,
	UC_BACKEND_KPROBE = 2,
	UC_BACKEND_TRACEPOINT = 3,
};

/* How the message entered the kernel, as far as the backend can tell. */
enum uc_call {
	UC_CALL_UNKNOWN = 0,
	UC_CALL_WRITE = 1,
	UC_CALL_WRITEV = 2,
	UC_CALL_SENDTO = 3,
	UC_CALL_SENDMSG = 4,
	UC_CALL_SENDMMSG = 5,
	UC_CALL_STREAM_SENDMSG = 6, /* unix_stream_sendmsg (fentry/kprobe) */
	UC_CALL_DGRAM_SENDMSG = 7,  /* unix_dgram_sendmsg (fentry/kprobe) */
	UC_CALL_RECVMSG = 8,
};

#define UC_MAX_FDS 253        /* SCM_MAX_FD: the most one message can pass */
#define UC_FD_NAME_MAX 256    /* name bytes kept per passed file */

/* What a passed file is, so its name can be shown the way /proc/PID/fd shows it. */
enum uc_fd_kind {
	UC_FDK_UNKNOWN = 0,
	UC_FDK_PATH = 1,   /* name: path components, leaf first, each NUL-terminated */
	UC_FDK_ANON = 2,   /* name: the anon inode's name, e.g. "[eventfd]" */
	UC_FDK_PIPE = 3,   /* pipe:[ino] */
	UC_FDK_SOCKET = 4, /* socket:[ino] */
};

/* Common prefix of every record. */
struct uc_rec_hdr {
	__u16 kind;     /* enum uc_rec_kind */
	__u16 rflags;   /* enum uc_rec_flags */
	__u32 data_len; /* payload bytes that follow this record's fixed part */
	__u64 msg_id;   /* unique per message for the life of the BPF object */
	__u32 offset;   /* where data starts within the message payload */
	__u32 tid;      /* sending thread, lets userspace close a message whose tail was lost */
};

struct uc_meta {
	__u64 ts_ns;     /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 cgroup_id;
	__u64 sock;      /* struct sock * of the sending socket (as /proc/net/unix shows it) */
	__u64 peer_sock; /* connected peer, or 0 */
	__u64 inode;
	__u64 peer_inode;
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 uid;
	__u32 gid;
	__u32 peer_pid; /* sk_peer_pid of the sending socket, 0 if none */
	__u32 len;      /* bytes the send moved (its return value); failed: bytes it tried */
	__u32 caplen;   /* bytes the kernel side will copy: min(len, snaplen) */
	__s32 err;      /* -errno of a failed send (UC_MF_ERROR) */
	__u32 flags;    /* enum uc_msg_flags */
	__u16 type;     /* SOCK_STREAM=1, SOCK_DGRAM=2, SOCK_SEQPACKET=5 */
	__u8 backend;   /* enum uc_backend */
	__u8 call;      /* enum uc_call */
	__u16 path_len; /* bytes of path used; abstract names start with NUL */
	__u16 peer_path_len;
	__u32 fd; /* the sender's fd, when the backend sees it (tracepoint), else -1 */
	char comm[UC_COMM_LEN];
	char peer_comm[UC_COMM_LEN]; /* name of peer_pid's process at send time; "" if it was gone */
	char path[UC_PATH_MAX];
	char peer_path[UC_PATH_MAX];
	__u16 n_fds; /* SCM_RIGHTS files passed (send) or installed (receive) */
	__u16 pad;
	__u32 cred_pid; /* SCM_CREDENTIALS, valid with UC_MF_CREDS */
	__u32 cred_uid;
	__u32 cred_gid;
};

struct uc_msg_rec {
	struct uc_rec_hdr h;
	struct uc_meta m;
	__u8 data[];
};

struct uc_data_rec {
	struct uc_rec_hdr h;
	__u8 data[];
};

/* h.offset holds the fd's index in its message. */
struct uc_fd_rec {
	struct uc_rec_hdr h;
	__u64 file;  /* struct file *: the same object on both ends of a pass */
	__u64 ino;
	__s32 fd;    /* the sender's fd, or the fd installed in the receiver */
	__u32 mode;  /* i_mode */
	__u16 count; /* fds in the message */
	__u16 name_len;
	__u8 kind;   /* enum uc_fd_kind */
	__u8 truncated; /* the name did not fit */
	__u16 pad;
	char name[2 * UC_FD_NAME_MAX]; /* only name_len bytes are used; the slack bounds copies */
};

/* Load-time configuration, placed in .rodata by each backend. */
struct uc_config {
	__u32 self_tgid;   /* never capture unixcap's own traffic */
	__u32 snaplen;
	__u32 filter_tid;  /* 0 = any */
	__u32 filter_type; /* 0 = any */
	__u64 filter_sock; /* 0 = any; matches either end */
	__u64 filter_inode;
	__u8 filter_pids;  /* pids map is in use */
	__u8 filter_path;  /* path filter in use */
	__u8 errors;       /* report failed sends */
	__u8 backend;      /* enum uc_backend this object was loaded as */
	__u16 path_len;    /* length of the path filter (abstract: leading NUL counted) */
	__u8 fds_only;     /* --fds: only messages passing fds, no payload */
	__u8 path_prefix;  /* --path ending in '*': path is a prefix */
	char path[UC_PATH_MAX];
	__u8 exclude_pids; /* filter_pids holds UC_PID_EXCLUDE entries (--exclude-pid) */
	__u8 pad3[3];
	__u32 wakeup_bytes; /* wake the reader only once this much is unread; 0 = every record */
	/* This architecture's numbers of the syscalls the tracepoint backend hooks (the
	 * backstops see every syscall by number; bpf/syscall_backstop.bpf.h). */
	struct {
		__s32 write, writev, sendto, sendmsg, sendmmsg, recvmsg;
	} nr;
};

/* Values of the filter_pids map: -p adds UC_PID_INCLUDE, --exclude-pid UC_PID_EXCLUDE. */
#define UC_PID_INCLUDE 1
#define UC_PID_EXCLUDE 2

#endif /* UNIXCAP_EVENT_H */
