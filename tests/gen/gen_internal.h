/*
 * Internals shared by the generator core (gen_core.c), its send wrappers (gen_send.c) and
 * the scenarios (scenarios.c, fdpass.c).
 */
#ifndef UNIXGEN_GEN_INTERNAL_H
#define UNIXGEN_GEN_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include "gen.h"

#define UG_MAX_SOCKS 64
#define UG_MAX_IOV 16
#define UG_MAX_MMSG 1024 /* UIO_MAXIOV: the most one sendmmsg sends */
#define UG_DISP_MAX (4 * sizeof(((struct sockaddr_un *)0)->sun_path) + 2)

struct ug_sock {
	int fd;             /* -1 once closed */
	int type;
	uint64_t inode;
	uint64_t addr;      /* from /proc/net/unix, 0 until resolved */
	const char *scenario;
	char role[24];
	char path[UG_DISP_MAX];
};

struct ug_rec {
	const char *scenario;
	const char *call;
	pid_t pid, tid;
	char comm[16];
	int type;
	int fd;
	uint64_t inode, peer_inode;
	uint64_t sock, peer_sock; /* filled from the inode cache at the end */
	char path[UG_DISP_MAX];
	char peer_path[UG_DISP_MAX];
	bool dest;
	size_t len;
	long ret;
	int err;
	uint64_t hash;
	uint32_t snap_len;
	uint64_t snap_hash;
};

struct ug_inode_addr {
	uint64_t inode, addr;
};

struct ug_ctx {
	const struct ug_options *o;
	uint32_t snaplen;
	pid_t pid;
	char dir[128];           /* mkdtemp directory, "" if none */
	pthread_mutex_t mu;      /* guards recs and failures */
	struct ug_rec *recs;
	size_t nrecs, caprecs;
	struct ug_sock socks[UG_MAX_SOCKS];
	size_t nsocks;
	struct ug_inode_addr *cache;
	size_t ncache, capcache;
	int failures;
	char **notes;            /* extra log lines (fd passes), written after the sends */
	size_t nnotes;
};

/* A message: the payload split over separately allocated segments. */
struct ug_msg {
	int n;
	size_t len;
	struct iovec iov[UG_MAX_IOV];
};

/* Scenario table entry. */
struct ug_scenario {
	const char *name;
	size_t state_size;
	int (*setup)(struct ug_ctx *c, void *st); /* create sockets; 0 or -1 */
	int (*run)(struct ug_ctx *c, void *st);   /* send; 0, failures are counted with ug_fail */
};
extern const struct ug_scenario ug_scenarios[];

/* ---- core helpers (gen_core.c) ---------------------------------------------------------- */
__attribute__((format(printf, 3, 4)))
void ug_fail(struct ug_ctx *c, const char *scen, const char *fmt, ...);

/* SO_TYPE of fd, 0 on error. */
int ug_sock_type(int fd);
/* The inode of fd (socket or not), 0 on error. */
uint64_t ug_inode_of(int fd);
/* Display form of the socket's own (peer=false) or peer's address; "" when none. */
void ug_fd_name(int fd, bool peer, char *out, size_t outlen);

/* Registers fd under scenario/role; returns fd, or -1 (fd closed) on error. */
int ug_reg(struct ug_ctx *c, const char *scen, const char *role, int fd);
/* Closes a registered fd (and marks it closed). */
void ug_close(struct ug_ctx *c, int fd);

int ug_socketpair(struct ug_ctx *c, const char *scen, int type, int sv[2]);
/* Fills *sa with dir/name (filesystem) and returns its length. */
socklen_t ug_addr_fs(struct ug_ctx *c, struct sockaddr_un *sa, const char *name);
/* Fills *sa with an abstract name (name[0] must be the leading NUL). */
socklen_t ug_addr_abstract(struct sockaddr_un *sa, const void *name, size_t n);
int ug_bound(struct ug_ctx *c, const char *scen, const char *role, int type,
	     const struct sockaddr_un *sa, socklen_t len);
int ug_listener(struct ug_ctx *c, const char *scen, int type, const struct sockaddr_un *sa,
		socklen_t len);
/* Connects a new client of type to sa and accepts it on lfd: fills *cli, *srv. */
int ug_connect_accept(struct ug_ctx *c, const char *scen, int type, int lfd,
		      const struct sockaddr_un *sa, socklen_t len, int *cli, int *srv);

uint64_t ug_seed(const char *scen, unsigned idx);
/* Builds a message of n segments of the given sizes. text (may be NULL) starts the payload,
 * printable==true fills the rest with printable text, else with PRNG bytes. */
int ug_msg_init(struct ug_msg *m, uint64_t seed, const char *text, bool printable,
		const size_t *sizes, int n);
int ug_msg_init1(struct ug_msg *m, uint64_t seed, const char *text, bool printable, size_t len);
void ug_msg_free(struct ug_msg *m);

/* ---- send wrappers (gen_send.c) --------------------------------------------------------- */
/*
 * Send wrappers: do the call, log it, return its result with errno preserved. peer_fd is
 * the other end (or the destination socket for dest sends), -1 if unknown.
 */
long ug_write(struct ug_ctx *c, const char *scen, int fd, int peer_fd, const struct ug_msg *m);
long ug_writev(struct ug_ctx *c, const char *scen, int fd, int peer_fd, const struct ug_msg *m);
long ug_send(struct ug_ctx *c, const char *scen, int fd, int peer_fd, const struct ug_msg *m,
	     int flags);
long ug_sendto(struct ug_ctx *c, const char *scen, int fd, int peer_fd, const struct ug_msg *m,
	       int flags, const struct sockaddr_un *dest, socklen_t destlen);
long ug_sendmsg(struct ug_ctx *c, const char *scen, int fd, int peer_fd, const struct ug_msg *m,
		const struct sockaddr_un *dest, socklen_t destlen);
/* Sends n messages (at most UG_MAX_MMSG) with one sendmmsg (connected: no msg_name).
 * Returns its result. */
long ug_sendmmsg(struct ug_ctx *c, const char *scen, int fd, int peer_fd,
		 const struct ug_msg *m, int n);
/* The destination of one datagram: its address, and the receiving socket for the log. */
struct ug_dest {
	int fd;
	const struct sockaddr_un *sa;
	socklen_t len;
};
/* The same, each datagram to its own destination dest[i]. */
long ug_sendmmsg_to(struct ug_ctx *c, const char *scen, int fd, const struct ug_msg *m, int n,
		    const struct ug_dest *dest);

/* sendmsg with a control buffer (SCM_RIGHTS, SCM_CREDENTIALS); logged as "sendmsg". */
long ug_sendmsg_ctl(struct ug_ctx *c, const char *scen, int fd, int peer_fd,
		    const struct ug_msg *m, const void *ctl, size_t ctllen);
/* Queues one log line (a JSON object, no newline) for after the send records. */
void ug_note(struct ug_ctx *c, const char *line);

/* Adds a failure unless ret == want. */
void ug_expect(struct ug_ctx *c, const char *scen, const char *what, long ret, long want);
/* Adds a failure unless ret == -1 with errno one of e1/e2 (pass e2 = e1 for one). */
void ug_expect_err(struct ug_ctx *c, const char *scen, const char *what, long ret, int err,
		   int e1, int e2);

/* ---- more of the core (gen_core.c) ------------------------------------------------------ */
/* Background reader: drains fds until stopped, so that senders never block for good. */
struct ug_drainer {
	pthread_t th;
	int fds[8];
	int n;
	int stop[2];
	bool running;
};
int ug_drain_start(struct ug_drainer *d, const int *fds, int n);
void ug_drain_stop(struct ug_drainer *d);

const char *ug_errno_name(int e);

/* fd passing (fdpass.c): a stream pair, sv[1] read by a receiving thread */
struct st_fdpass {
	int sv[2];
};
int ug_fdpass_setup(struct ug_ctx *c, void *st);
int ug_fdpass_run(struct ug_ctx *c, void *st);

#endif
