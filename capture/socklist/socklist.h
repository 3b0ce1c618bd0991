/*
 * Socket listing (unixcap -L): every AF_UNIX socket of the current network namespace
 * with its kernel address, inode, type, state, queues, bound name, owning processes
 * and peer.
 *
 * A listing is assembled from several sources, each optional, merged by inode:
 *
 *   sock_diag   NETLINK_SOCK_DIAG/unix_diag: the socket set, type, state, name, peer
 *               inode, queue lengths, uid (socklist_diag.c)
 *   /proc       /proc/PID/fd: which processes hold which sockets, with fd numbers
 *               (socklist_proc.c)
 *   addresses   struct sock addresses, from the first source that gives real ones:
 *               a BPF iterator, /proc/net/unix, or fds copied with pidfd_getfd() and
 *               read by a BPF program (socklist_addr.c)
 *
 * Nothing here is cached between listings; see capture/enrich/socktable.h for the cache the
 * capture loop uses.
 */
#ifndef UNIXCAP_SOCKLIST_H
#define UNIXCAP_SOCKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "bpf/unixcap_event.h"
#include "bpf/unix_iter.h"

/* Where an address came from. */
enum uc_addr_src {
	UC_ADDR_NONE = 0, /* unknown: printed as "-" */
	UC_ADDR_ITER,     /* BPF iterator over the kernel's socket table */
	UC_ADDR_PROC,     /* /proc/net/unix, when it shows real (unhashed) addresses */
	UC_ADDR_FD,       /* a holder's fd, copied with pidfd_getfd() and read in BPF */
	UC_ADDR_FD_PEER,  /* the peer pointer of a socket read that way */
	UC_ADDR_SRC_MAX,
};

/* Which sources contributed to a listing or to one socket (bits). */
enum uc_sl_source {
	UC_SL_DIAG = 1 << 0,
	UC_SL_ITER = 1 << 1,
	UC_SL_PROCNET = 1 << 2,
	UC_SL_PROCFD = 1 << 3,
	UC_SL_FDBPF = 1 << 4,
};

/* sk_state values a unix socket takes (the TCP_* numbers sock_diag reports). */
#define UC_SL_ESTABLISHED 1
#define UC_SL_CLOSE 7
#define UC_SL_LISTEN 10

struct uc_sock {
	uint64_t inode;      /* 0: a socket no process can hold yet (not accepted) */
	uint64_t addr;       /* struct sock *, 0 when unknown */
	uint64_t peer_inode; /* 0: none, or a peer without an inode */
	uint64_t peer_addr;  /* 0: none or unknown */
	uint32_t rqueue;     /* as ss: listener: pending connections; else unread bytes */
	uint32_t wqueue;     /* as ss: listener: backlog; else bytes sent, not yet read */
	uint32_t uid;
	uint32_t cred_pid;   /* sk_peer_pid (peer credentials), 0 when unknown */
	uint32_t vfs_dev;    /* bound filesystem name: the socket file's device and inode */
	uint32_t vfs_ino;
	uint16_t type;       /* SOCK_STREAM=1, SOCK_DGRAM=2, SOCK_SEQPACKET=5, 0 unknown */
	uint8_t state;       /* UC_SL_ESTABLISHED/CLOSE/LISTEN..., 0 unknown */
	uint8_t addr_src;    /* enum uc_addr_src of addr */
	uint8_t peer_src;    /* enum uc_addr_src of peer_addr */
	uint8_t seen;        /* enum uc_sl_source bits */
	bool have_uid;
	bool have_vfs;
	bool has_peer;       /* connected: a peer exists (peer_inode may still be 0) */
	bool want;           /* passes the filter (set by uc_socklist_filter) */
	uint16_t path_len;   /* abstract: leading NUL counted; filesystem: no trailing NUL */
	char path[UC_PATH_MAX];
	uint32_t first_owner; /* owners[first_owner .. +n_owners), after uc_socklist_finish */
	uint32_t n_owners;
};

struct uc_sock_owner {
	uint64_t inode;
	uint32_t pid;
	int32_t fd;
	char comm[UC_COMM_LEN];
};

struct uc_socklist {
	struct uc_sock *socks;
	size_t n, cap;
	struct uc_sock_owner *owners;
	size_t n_owners, cap_owners;
	uint32_t *index; /* open addressing on inode: index+1 into socks, 0 = empty */
	size_t index_cap;
	unsigned sources; /* enum uc_sl_source: what contributed */
	bool finished;
};

struct uc_sl_filter {
	uint32_t pids[UC_MAX_PIDS]; /* sockets held by any of these */
	unsigned n_pids;
	uint64_t inode; /* socket or peer */
	uint64_t sock;  /* socket or peer address */
	unsigned type;  /* 0 any */
	bool have_path; /* socket's or peer's bound name */
	uint16_t path_len;
	char path[UC_PATH_MAX];
};

void uc_socklist_init(struct uc_socklist *l);
void uc_socklist_free(struct uc_socklist *l);

/* The socket with this inode (inode != 0), created empty if new; NULL on ENOMEM. */
struct uc_sock *uc_socklist_get(struct uc_socklist *l, uint64_t inode);
/* A new entry for a socket without inode; NULL on ENOMEM. */
struct uc_sock *uc_socklist_add_anon(struct uc_socklist *l);
struct uc_sock *uc_socklist_find(const struct uc_socklist *l, uint64_t inode);
/* An inode-less entry whose peer is peer_inode (and of that type), or a new one; this is
 * how the sources agree on a socket that is not accepted yet. NULL on ENOMEM. */
struct uc_sock *uc_socklist_anon_for_peer(struct uc_socklist *l, uint64_t peer_inode,
					  uint16_t type);
/* Linear: by address. */
struct uc_sock *uc_socklist_find_addr(const struct uc_socklist *l, uint64_t addr);
/* Records that pid holds inode as fd (comm copied). -ENOMEM or 0. */
int uc_socklist_add_owner(struct uc_socklist *l, uint64_t inode, uint32_t pid, int32_t fd,
			  const char *comm);
/* Stores a sun_path of len bytes normalized: filesystem names cut at the first NUL. */
void uc_sock_set_path(struct uc_sock *s, const char *path, size_t len);
/* Sets addr (and peer) from src unless a better source set it already; the order of
 * preference is the enum order (iterator first). */
void uc_sock_set_addr(struct uc_sock *s, uint64_t addr, enum uc_addr_src src);
void uc_sock_set_peer_addr(struct uc_sock *s, uint64_t addr, enum uc_addr_src src);

/*
 * Sorts sockets by inode (those without one last, by address), groups owners per
 * socket (by pid, then fd; owners of inodes not listed are kept but belong to no socket,
 * so finishing again after another source attaches them), and fills peer addresses known
 * from the peer's own entry. May run any number of times.
 */
void uc_socklist_finish(struct uc_socklist *l);

/* The peer's entry, by inode or by address; NULL if none/unknown. After finish. */
const struct uc_sock *uc_socklist_peer(const struct uc_socklist *l, const struct uc_sock *s);

/* Sets want on every socket passing f (all when f is NULL); returns how many. */
size_t uc_socklist_filter(struct uc_socklist *l, const struct uc_sl_filter *f);

/* Names: "stream", "dgram", "seqpacket"; ss's state names ("ESTAB", "LISTEN", "UNCONN"). */
const char *uc_sl_state_name(unsigned state);
const char *uc_addr_src_name(enum uc_addr_src src);

/* ---- sources ---------------------------------------------------------------------------- */

/*
 * sock_diag dump of every unix socket (UDIAG_SHOW_NAME|VFS|PEER|RQLEN|UID) into l.
 * If the kernel answers ENOENT (unix_diag is a module not loaded), runs
 * "modprobe unix_diag" once and retries; *loaded_module tells whether it did.
 * Returns 0 or -errno with one line in err.
 */
int uc_sl_diag_collect(struct uc_socklist *l, bool *loaded_module, char *err, size_t errlen);
/* Builds the dump request into buf (>= 64 bytes); returns its length. */
size_t uc_sl_diag_request(void *buf, size_t size, uint32_t seq);
/*
 * Parses a buffer of netlink messages of a dump reply into l. Returns 1 at NLMSG_DONE,
 * 0 when more messages are expected, or -errno (an NLMSG_ERROR's error, or -EBADMSG).
 */
int uc_sl_diag_parse(struct uc_socklist *l, const void *buf, size_t len);

/*
 * One pass over PROC/[pid]/fd (proc_root is "/proc" except in tests): calls fn for every
 * fd that is a socket ("socket:[N]"), with the process's comm. Processes that vanish or
 * cannot be read are skipped. Returns the number of processes read, or -errno when
 * proc_root itself cannot be opened. fn returning nonzero stops the scan.
 */
typedef int (*uc_sl_fd_fn)(uint64_t inode, uint32_t pid, int32_t fd, const char *comm,
			   void *ctx);
int uc_sl_proc_scan(const char *proc_root, uc_sl_fd_fn fn, void *ctx);
/* uc_sl_proc_scan adding owners to l (every socket inode: finish drops non-unix ones). */
int uc_sl_proc_owners(struct uc_socklist *l, const char *proc_root);

/*
 * /proc/net/unix (file: path, normally "/proc/net/unix"): adds every socket it lists
 * (inode, type, state, name) and, when the addresses it shows are real, their addresses
 * (UC_ADDR_PROC). *real says whether they were: with kptr_restrict 0 they are hashed
 * (32-bit values), with 2 zeros; real ones need kptr_restrict 1 and CAP_SYSLOG. Returns
 * the number of sockets read or -errno.
 */
int uc_sl_procnet_collect(struct uc_socklist *l, const char *file, bool *real);
/* True for a value that can be a kernel pointer (top 16 bits set), not a %pK hash. */
bool uc_sl_addr_is_real(uint64_t v);

/* Merges one BPF record (iterator or fd lookup) into l with the given address source. */
void uc_sl_merge_rec(struct uc_socklist *l, const struct uc_sl_rec *r, enum uc_addr_src src);

/* How uc_sl_addresses may find addresses. */
enum uc_addr_mode {
	UC_ADDR_MODE_AUTO = 0, /* iterator, then /proc/net/unix if real, then fd lookups */
	UC_ADDR_MODE_ITER,
	UC_ADDR_MODE_PROC,
	UC_ADDR_MODE_FD,
	UC_ADDR_MODE_NONE,
};

/*
 * Fills addresses into l (after the socket set and owners are in, before finish).
 * With only_wanted, fd lookups are limited to sockets marked want and their peers.
 * Each source tried is reported on log (NULL: silent) with why it failed, if it did.
 * Returns the source that provided addresses (UC_ADDR_NONE if none could).
 */
enum uc_addr_src uc_sl_addresses(struct uc_socklist *l, enum uc_addr_mode mode,
				 bool only_wanted, FILE *log);
/* Individual sources: 0 or -errno with one line in err. */
int uc_sl_iter_collect(struct uc_socklist *l, char *err, size_t errlen);
int uc_sl_fd_collect(struct uc_socklist *l, bool only_wanted, char *err, size_t errlen);

/* ---- output ----------------------------------------------------------------------------- */

enum uc_sl_format {
	UC_SL_TABLE = 0,
	UC_SL_JSON,
	UC_SL_DUMP,
};

/*
 * Writes the sockets marked want. TABLE: aligned columns with a header
 * (ADDRESS INODE TYPE STATE RECVQ SENDQ PATH PEER-INODE PEER-ADDRESS PROCESS PEER-PROCESS,
 * plus ADDR-SOURCE when show_source); JSON: one object per socket and line; DUMP:
 * name:pid:socket:peer_socket:peer_pid:peer_name per socket and owner.
 * Returns 0 or -errno of a failed write.
 */
int uc_sl_print(FILE *out, const struct uc_socklist *l, enum uc_sl_format fmt, bool show_source);

/* Text of one field in the table's escaping: '-' when empty; spaces, ',', '/' in comm
 * and spaces in paths as \xNN, so that every column is one whitespace-free word. */
size_t uc_sl_format_path_word(char *buf, size_t size, const char *path, unsigned len);
size_t uc_sl_format_comm_word(char *buf, size_t size, const char *comm);

#endif /* UNIXCAP_SOCKLIST_H */
