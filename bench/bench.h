/* unixbench: AF_UNIX workloads, and the harness that runs them untraced and traced. */
#ifndef UNIXBENCH_H
#define UNIXBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UB_PATH_MAX 108

/* ---- workloads (workload.c, workload_loops.c) ------------------------------------------ */

enum wl_kind {
	WL_PINGPONG, /* stream: client writes SIZE, server answers SIZE, one in flight */
	WL_BULK,     /* stream: client writes SIZE per write, server only reads */
	WL_DGRAM,    /* datagrams of SIZE in bursts of 256, each burst acknowledged */
	WL_FANIN,    /* CLIENTS connections (threads) to one epoll server, request/response */
	WL_FDPASS,   /* stream: an fd passed back and forth with SCM_RIGHTS, 8 B each way */
	WL_RATE,     /* stream: client writes SIZE at RATE msgs/s, server only reads */
};

struct wl_spec {
	char label[40];
	enum wl_kind kind;
	uint32_t size;
	unsigned clients; /* WL_FANIN */
	double rate;      /* WL_RATE: msgs/s, 0 = as fast as possible */
};

/* Counters the workload processes fill in (shared memory, updated once per process/thread). */
struct wl_shared {
	uint64_t msgs;  /* successful send calls, every process and thread */
	uint64_t bytes; /* bytes those calls moved */
	uint64_t fd_recvs; /* receives that installed passed fds (unixcap records those too) */
	uint64_t t_go;  /* CLOCK_MONOTONIC ns when the clients were released */
	uint64_t t_end; /* when the last client stopped sending */
	int failed;
	char err[200];
};

struct wl_opts {
	double duration;          /* seconds the clients send */
	uint64_t count;           /* or: send calls the clients make (0 = use duration) */
	const char *dir;          /* where the sockets go */
	const char *connect_path; /* clients connect here instead (a proxy), or NULL */
	int cpu;                  /* server and clients run on this CPU only; -1 = anywhere */
};

struct wl_run {
	pid_t server, client;
	int go_wr;    /* closing it releases the clients */
	int ready_rd; /* one byte per process once it is set up */
	char listen_path[UB_PATH_MAX];
	struct wl_shared *sh;
};

bool wl_parse(const char *name, struct wl_spec *w);
/* A socat proxy can sit in front of it (path-based stream without fd passing). */
bool wl_proxyable(const struct wl_spec *w);
int wl_start_server(const struct wl_spec *w, const struct wl_opts *o, struct wl_run *r,
		    char *err, size_t errlen);
/* Returns once every client connection is made; the clients then wait for wl_go(). */
int wl_start_client(const struct wl_spec *w, const struct wl_opts *o, struct wl_run *r,
		    char *err, size_t errlen);
void wl_go(struct wl_run *r);
/* Waits for both processes; kills them after timeout_s. 0 = clean finish. */
int wl_wait(struct wl_run *r, double timeout_s, char *err, size_t errlen);
void wl_kill(struct wl_run *r);
void wl_free(struct wl_run *r);

/* The loops the forked processes run (workload_loops.c); they return an exit status. */
int wl_server_main(const struct wl_spec *w, int lfd, struct wl_shared *sh);
int wl_client_main(const struct wl_spec *w, const struct wl_opts *o, const char *path,
		   int ready_wr, int go_rd, struct wl_shared *sh);

/* ---- tracers (tracer.c) ---------------------------------------------------------------- */

enum tr_kind { TR_NONE, TR_UNIXCAP, TR_STRACE, TR_SOCAT, TR_BPFTRACE, TR_SOFDSNOOP };
enum tr_out { TR_OUT_CONSOLE, TR_OUT_PCAPNG, TR_OUT_ZSTD };

struct tr_spec {
	char name[32];  /* as given on the command line */
	char label[80]; /* as the table shows it */
	enum tr_kind kind;
	enum tr_out out;
	unsigned ring_kib; /* -B; 0 = unixcap's default */
	unsigned snaplen;  /* -s; 0 = unixcap's default */
	char backend[16];  /* --backend for this tracer only ("" = the run's --backend) */
	char unixcap[200]; /* this tracer's unixcap binary ("" = the run's --unixcap) */
};

struct tr_env {
	const char *unixcap;
	const char *backend; /* --backend for unixcap, or NULL */
	const char *dir;
	double ready_timeout;
	int avoid_cpu; /* the workload's CPU: tracers run on the others; -1 = anywhere */
	const char *peer_wrap; /* bpftrace/sofdsnoop run as "PEER_WRAP CMD ARGS" (a chroot), or NULL */
};

struct tr_result {
	uint64_t captured;       /* messages (unixcap, strace) or dumped chunks (socat) */
	uint64_t captured_bytes; /* strace: return values; socat: length= */
	uint64_t dropped;
	uint64_t cpu_ns;         /* tracer CPU time from go until it exited */
	uint64_t out_bytes;      /* size of what it wrote (-w file, strace -o, socat dump) */
	bool bytes_only;         /* completeness is measured in bytes (socat) */
	char backend[16];        /* unixcap's own report */
};

/* Completeness counts the receives that install passed fds too (unixcap, sofdsnoop). */
bool tr_counts_fd_recvs(const struct tr_spec *t);
/* Drops are reported by the tracer itself (unixcap; bpftrace and bcc: lost events). */
bool tr_reports_drops(const struct tr_spec *t);

struct tr_run {
	pid_t pid;
	int err_fd;
	char errbuf[4096];
	size_t errlen;
	char outfile[512];
	char proxy_path[UB_PATH_MAX];
	uint64_t cpu0_ns;
	const struct tr_spec *t;
};

bool tr_parse(const char *name, struct tr_spec *t);
/* Why a tracer cannot run this workload here (NULL when it can). */
const char *tr_unavailable(const struct tr_spec *t, const struct tr_env *env,
			   const struct wl_spec *w);
/* socat goes up before the clients connect, and gives them the path to connect to. */
int tr_start_proxy(const struct tr_spec *t, const struct tr_env *env, struct wl_run *wr,
		   struct tr_run *tr, char *err, size_t errlen);
/* unixcap and strace attach to the workload's pids once its connections are made. */
int tr_start(const struct tr_spec *t, const struct tr_env *env, struct wl_run *wr,
	     struct tr_run *tr, char *err, size_t errlen);
void tr_mark_go(struct tr_run *tr);
int tr_finish(struct tr_run *tr, struct tr_result *res, char *err, size_t errlen);
void tr_abort(struct tr_run *tr);

/* Shared by the tracer starters (tracer.c) and the Debian peers (tracer_peers.c). */
pid_t tr_spawn(char *const argv[], const char *out_path, const char *err_path, int *err_fd,
	       int avoid_cpu);
void tr_drain_err(struct tr_run *tr, int timeout_ms);
bool tr_in_path(const char *prog);
/* bpftrace and sofdsnoop-bpfcc: started like strace, against the workload's pids. */
const char *tr_peer_unavailable(const struct tr_spec *t, const struct tr_env *env,
				const struct wl_spec *w);
int tr_start_peer(const struct tr_spec *t, const struct tr_env *env, struct wl_run *wr,
		  struct tr_run *tr, char *err, size_t errlen);
int tr_parse_peer(const struct tr_run *tr, struct tr_result *res);
/* Returns once the peer's output has stopped growing (it has printed what it had queued). */
void tr_peer_settle(const struct tr_run *tr);
/* "bpftrace v0.17.0; bcc 0.26.0" as far as they are there. */
void tr_peer_versions(const struct tr_env *env, char *out, size_t len);

/* ---- helpers (util.c) ------------------------------------------------------------------ */

uint64_t ub_now_ns(void);
void ub_sleep_ms(unsigned ms);
/* CPU time (ns) of pid and of its live children. */
uint64_t ub_tree_cpu(pid_t pid);
int ub_children(pid_t pid, pid_t *out, int max);
/* Pins the calling process to cpu, or (except) to every other online CPU; cpu < 0: no-op. */
int ub_pin(int cpu, bool except);
/* Every thread of pid is ptrace-attached. */
bool ub_all_traced(pid_t pid);
/* A socket bound to path is listening (from /proc/net/unix). */
bool ub_listening(const char *path);
int ub_write_all(int fd, const void *buf, size_t n);
int ub_read_all(int fd, void *buf, size_t n);
int ub_cmp_double(const void *a, const void *b);
double ub_median(double *v, int n);
/* First line a shell command prints ("" if none). */
void ub_first_line(const char *cmd, char *out, size_t len);

#endif
