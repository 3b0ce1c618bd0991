/*
 * The checks: a table with one row per reported check (like tcpdump's TESTLIST): its name,
 * the run it judges (generator scenarios and unixcap options, struct run_spec) and its
 * expectation. Rows next to each other that name the same run_spec share one capture run
 * (the full run gives six verdicts); every other row has a run of its own.
 */
#ifndef CAPTURE_CHECK_CHECKS_H
#define CAPTURE_CHECK_CHECKS_H

#include "check_match.h"

/* What an expectation sees: the finished run, and what the rows before it found. */
struct judge {
	const struct opts *op;
	struct run *r;
	bool run_ok;  /* run_capture succeeded (else the run is judged partially) */
	int matched;  /* messages matched by "capture", for "summary" of the same run */
};

typedef void (*expect_fn)(struct judge *j, struct verdict *v);

enum {
	CK_RUN_VERDICT = 1,     /* the run's own problems go to this row (default: the first) */
	CK_EXPECT_BACKEND = 2,  /* only with --expect-backend */
};

struct check {
	const char *name;
	expect_fn expect;
	unsigned flags;
	const struct run_spec *run;
};

extern const struct check check_table[];
extern const size_t check_count;

/* Runs the checks that --checks selects, in table order, and reports each. */
void run_checks(const struct opts *op);

/* ---- filters (checks_filters.c): unixcap's filter options and the sends they select ----- */

int filter_pid(struct run *r, char **argv);
int filter_sock(struct run *r, char **argv);
int filter_sock_dests(struct run *r, char **argv);
int filter_inode(struct run *r, char **argv);
int filter_path(struct run *r, char **argv);
int filter_path_prefix(struct run *r, char **argv);
int filter_path_abstract(struct run *r, char **argv);
int filter_tid(struct run *r, char **argv);
int filter_comm(struct run *r, char **argv);

void expect_filter_sock(struct judge *j, struct verdict *v);
void expect_filter_sock_dests(struct judge *j, struct verdict *v);
void expect_filter_inode(struct judge *j, struct verdict *v);
void expect_filter_path(struct judge *j, struct verdict *v);
void expect_filter_path_prefix(struct judge *j, struct verdict *v);
void expect_filter_type(struct judge *j, struct verdict *v);
void expect_filter_tid(struct judge *j, struct verdict *v);
void expect_filter_comm(struct judge *j, struct verdict *v);

/* The end of every single-run expectation: something was captured, and the summary agrees. */
void expect_captured(struct judge *j, struct verdict *v, int matched);

#endif
