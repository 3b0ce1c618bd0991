/*
 * The process harness of capture_check: verdicts, the signal safety net, and one capture
 * run (the generator scenarios in a child, unixcap in another, their output collected and
 * parsed). It knows how to run a capture, not what a check expects of it: that is the
 * business of the matchers (check_match.h) and the check table (checks.h).
 */
#ifndef CAPTURE_CHECK_HARNESS_H
#define CAPTURE_CHECK_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "jsonl.h"

#define DISP_MAX 512
#define MAX_SOCKS 64

/* ---- options (parsed in one place: parse_args in capture_check.c) ----------------------- */

struct opts {
	const char *unixcap;
	const char *backend;
	const char *expect_backend;
	uint32_t snaplen;
	const char *checks;
	int timeout;
	bool debug;
	char **extra;
	int nextra;
};

/* ---- verdicts: one per reported check name ---------------------------------------------- */

struct verdict {
	const char *name;
	int n;
	char first[600];
};

void verdict_init(struct verdict *v, const char *name);
/* Adds a problem: the first few go to stderr as they come, the first one to the verdict line. */
__attribute__((format(printf, 2, 3)))
void problem(struct verdict *v, const char *fmt, ...);
/* Prints "ok NAME" or "FAIL NAME: first problem" and counts it. */
void verdict_report(const struct verdict *v);
int checks_passed(void);
int checks_failed(void);

/* ---- safety net: children killed, kptr_restrict restored, totals printed ---------------- */

/* SIGALRM (the overall --timeout), SIGINT, SIGTERM, SIGHUP end the run with a FAIL line. */
void harness_signals(unsigned timeout_s);
/* Remembers the value to put back into kernel.kptr_restrict when the run ends. */
void harness_kptr_saved(int old);
void restore_kptr(void);
/* CLOCK_MONOTONIC in ms. */
int64_t now_ms(void);

/* ---- one run: generator + unixcap ------------------------------------------------------- */

struct buf {
	int fd; /* -1 once at EOF */
	char *p;
	size_t len, cap;
};

const char *buf_str(const struct buf *b);

/* A socket of the generator's socket table ("kind":"socket"). */
struct gsock {
	char scenario[32], role[24], type[12];
	uint64_t inode, sock;
	char path[DISP_MAX];
};

/* A send of the generator's log ("kind":"send"). */
struct grec {
	char scenario[32], comm[20], call[16], type[12], error[24];
	int pid, tid, fd, err;
	uint64_t inode, sock, peer_inode, peer_sock;
	char path[DISP_MAX], peer_path[DISP_MAX];
	bool dest;
	int64_t len, ret, snap_len;
	uint64_t hash, snap_hash;
	bool used;
};

/* One line of unixcap's --json output. */
struct cmsg {
	struct jl_obj o;
	int line;
	int64_t pid, tid;
	uint64_t sock;
	bool error;
	bool recv;        /* a receive of passed fds ("recv" flag), not a send */
	bool hash_ok;     /* data is valid hex */
	uint64_t dhash;   /* FNV-1a of the decoded data */
	int64_t len, err; /* "len", "errno" */
};

struct run;

/* unixcap's output option of a run. */
enum run_output {
	OUT_JSON, /* --json, parsed into run.msgs */
	OUT_HEX,  /* -X, kept as text in run.out */
	OUT_ARGS, /* none: the run's args choose the output (--fds), kept as text */
};

/*
 * What a run captures and how: the generator scenarios, and unixcap's options in the order
 * they are given: --backend [-v] OUTPUT -s SNAPLEN FILTER... ARGS... EXTRA...
 */
struct run_spec {
	const char *only;  /* generator scenarios (comma list), NULL = all */
	uint32_t snaplen;  /* unixcap -s; 0 = the --snaplen of capture_check */
	enum run_output out;
	/* Fills the filter options from the generator's socket table (known once it is ready)
	 * and returns their count; -1 when the socket to filter on is missing. */
	int (*filter)(struct run *r, char **argv);
	const char *args[3]; /* further unixcap options, NULL-terminated when fewer */
	bool self_exit;      /* unixcap ends by itself (-c): waited for, not an error */
	bool judge_partial;  /* judge a failed run that still printed messages */
	/* unixcap stopped (SIGSTOP) while the generator runs: it reads every record after the
	 * generator and its children are gone, as a busy capture would */
	bool pause_capture;
};

struct run {
	const struct run_spec *spec;
	const char *only;
	uint32_t snaplen;
	bool json;
	/* processes */
	pid_t gen, cap;
	int gen_status, cap_status;
	bool gen_exited, cap_exited, cap_self_exit;
	int gofd;
	struct buf glog, gerr, out, err;
	/* generator log */
	struct gsock socks[MAX_SOCKS];
	int nsocks;
	struct grec *recs;
	int nrecs;
	char **passes; /* the generator's "fds" lines (fd passes), raw */
	int npasses;
	bool gen_end;
	/* filter argument and its target, set by spec->filter for the predicates */
	char pidstr[16];
	char farg[DISP_MAX];
	uint64_t fval;
	/* unixcap output */
	char backend[32];
	bool have_summary;
	unsigned long long captured, dropped;
	unsigned long long peer_unknown; /* datagrams whose receiver unixcap did not see */
	struct cmsg *msgs;
	int nmsgs;
	double t0, t1;
};

void run_init(struct run *r, const struct run_spec *spec, const struct opts *op);
void run_free(struct run *r);
/*
 * Runs generator + unixcap for r and parses both sides into r. 0 when both ran and exited
 * as they should; otherwise -1 with the reason as problems of v (r may still hold output).
 */
int run_capture(const struct opts *op, struct run *r, struct verdict *v);

/* ---- reading the two sides (check_logs.c) ----------------------------------------------- */

/* The "unixcap: listening on" line, complete; NULL if not there (yet). */
const char *listening_line(const struct run *r, size_t *len);
void parse_backend(struct run *r);
/* The generator's log into r->socks, r->recs, r->passes, r->gen_end (replacing them). */
void parse_gen_log(struct run *r, struct verdict *v);
/* unixcap's --json lines into r->msgs. */
void parse_cap_json(struct run *r, struct verdict *v);
/* The "N messages captured, M dropped" line of unixcap's stderr. */
void parse_cap_summary(struct run *r);

/* JSON getters with defaults ("" and 0) for fields whose absence a later check reports. */
void cp_str(const struct jl_obj *o, const char *key, char *dst, size_t n);
int64_t get_i64(const struct jl_obj *o, const char *key);
uint64_t get_u64(const struct jl_obj *o, const char *key);

#endif
