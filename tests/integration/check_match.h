/*
 * The matchers: captured output against the generator's log of a finished run. Each adds
 * what does not match as problems of a verdict; none of them runs anything.
 */
#ifndef CAPTURE_CHECK_MATCH_H
#define CAPTURE_CHECK_MATCH_H

#include "check_harness.h"

/* ---- sends (check_match.c) -------------------------------------------------------------- */

/* Which sends of the log a capture must show (the check's filter, seen from the log). */
typedef bool (*pred_fn)(const struct run *r, const struct grec *g, const void *arg);

/* Every send. */
bool pred_all(const struct run *r, const struct grec *g, const void *arg);

/* Two display forms ("@name\x01", "/a\\b") of the same address. */
bool disp_eq(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Matches every captured message to the log: records selected by pred (successful sends,
 * and failed ones when errors), per (tid, sock) in order, each then compared field by
 * field. prefix: records may be left over (the capture stopped early). Returns the number
 * of matched messages.
 */
int match(const struct opts *op, struct run *r, struct verdict *v, pred_fn pred,
	  const void *arg, bool errors, bool prefix);

/* unixcap's "N messages captured, M dropped": present, no drops, at least matched. */
void check_summary(struct run *r, struct verdict *v, int matched);

/* Key order and value types of the --json lines of failed sends (errors) or of data. */
void check_format(struct run *r, struct verdict *v, bool errors);

/* ---- fd passing (check_fds.c) ----------------------------------------------------------- */

/* Every fd pass of the generator in the --json output: the send and the receive event. */
void check_fds(struct run *r, struct verdict *v);

/* The --fds -T table against the fd passes; 1 when any line matched, else 0. */
int check_fd_table(struct run *r, struct verdict *v);

#endif
