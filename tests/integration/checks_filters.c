/*
 * The filter checks: for each of unixcap's filters, the options that select part of the
 * generator's traffic (built from its socket table, since socket addresses, inodes and the
 * temporary directory are only known once it is ready), and the predicate that says which
 * sends of the log the capture must then show: all of those and nothing else.
 */
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"

#define COMM_REGEX "^ugen-sen" /* stream_path's second thread (UG_SENDER_COMM) */
#define ABSTRACT_DGRAM_FMT "@unixgen-dgram-%d"

/* ---- options ---------------------------------------------------------------------------- */

static const char *find_sock_field(const struct run *r, const char *scen, const char *role,
				   uint64_t *sock, uint64_t *inode)
{
	for (int i = 0; i < r->nsocks; i++)
		if (!strcmp(r->socks[i].scenario, scen) && !strcmp(r->socks[i].role, role)) {
			if (sock)
				*sock = r->socks[i].sock;
			if (inode)
				*inode = r->socks[i].inode;
			return r->socks[i].path;
		}
	return NULL;
}

/* The generator's process: the unfiltered traffic of every other check. */
int filter_pid(struct run *r, char **argv)
{
	argv[0] = "-p";
	argv[1] = r->pidstr;
	return 2;
}

/* --sock with the address the generator logged for scenario's socket role. */
static int sock_filter(struct run *r, char **argv, const char *scenario, const char *role)
{
	uint64_t sock;

	if (!find_sock_field(r, scenario, role, &sock, NULL))
		return -1;
	r->fval = sock;
	snprintf(r->farg, sizeof(r->farg), "0x%" PRIx64, sock);
	argv[0] = "--sock";
	argv[1] = r->farg;
	return 2;
}

int filter_sock(struct run *r, char **argv)
{
	return sock_filter(r, argv, "stream_path", "server");
}

/* One of the three receivers of dgram_dests' sendmmsg: only its msg_name names it. */
int filter_sock_dests(struct run *r, char **argv)
{
	return sock_filter(r, argv, "dgram_dests", "receiver1");
}

int filter_inode(struct run *r, char **argv)
{
	uint64_t inode;

	if (!find_sock_field(r, "stream_pair", "a", NULL, &inode))
		return -1;
	r->fval = inode;
	snprintf(r->farg, sizeof(r->farg), "%" PRIu64, inode);
	argv[0] = "--inode";
	argv[1] = r->farg;
	return 2;
}

int filter_path(struct run *r, char **argv)
{
	const char *path = find_sock_field(r, "stream_path", "listener", NULL, NULL);

	if (!path || path[0] != '/')
		return -1;
	snprintf(r->farg, sizeof(r->farg), "%s", path);
	argv[0] = "--path";
	argv[1] = r->farg;
	return 2;
}

/* --path DIR/ *: the generator's mkdtemp directory, which only its sockets are bound in. */
int filter_path_prefix(struct run *r, char **argv)
{
	const char *path = find_sock_field(r, "stream_path", "listener", NULL, NULL);
	const char *slash = path ? strrchr(path, '/') : NULL;

	if (!slash || path[0] != '/')
		return -1;
	snprintf(r->farg, sizeof(r->farg), "%.*s/*", (int)(slash - path), path);
	argv[0] = "--path";
	argv[1] = r->farg;
	return 2;
}

/* An abstract name (leading NUL, shown '@'): the dgram scenario's bound sender. */
int filter_path_abstract(struct run *r, char **argv)
{
	const char *path = find_sock_field(r, "dgram", "sender_bound", NULL, NULL);

	snprintf(r->farg, sizeof(r->farg), ABSTRACT_DGRAM_FMT, (int)r->gen);
	if (!path || strcmp(path, r->farg))
		return -1;
	argv[0] = "--path";
	argv[1] = r->farg;
	return 2;
}

/* -t: the main thread, whose tid is the generator's pid. */
int filter_tid(struct run *r, char **argv)
{
	argv[0] = "-t";
	argv[1] = r->pidstr;
	return 2;
}

int filter_comm(struct run *r, char **argv)
{
	(void)r;
	argv[0] = "-n";
	argv[1] = COMM_REGEX;
	return 2;
}

/* ---- predicates: the sends each filter selects ------------------------------------------ */

/* A send selects a socket when either end is it. */
static bool pred_sock(const struct run *r, const struct grec *g, const void *arg)
{
	(void)arg;
	return g->sock == r->fval || g->peer_sock == r->fval;
}

static bool pred_inode(const struct run *r, const struct grec *g, const void *arg)
{
	(void)arg;
	return g->inode == r->fval || g->peer_inode == r->fval;
}

/* --path DIR/ *: every send with an end bound below the generator's directory. */
static bool pred_prefix(const struct run *r, const struct grec *g, const void *arg)
{
	size_t n = strlen(r->farg) - 1; /* without the '*' */

	(void)arg;
	return !strncmp(g->path, r->farg, n) || !strncmp(g->peer_path, r->farg, n);
}

static bool pred_path(const struct run *r, const struct grec *g, const void *arg)
{
	size_t n = strlen(r->farg);

	(void)arg;
	return disp_eq(g->path, strlen(g->path), r->farg, n) ||
	       disp_eq(g->peer_path, strlen(g->peer_path), r->farg, n);
}

static bool pred_dgram(const struct run *r, const struct grec *g, const void *arg)
{
	(void)r;
	(void)arg;
	return !strcmp(g->type, "dgram");
}

static bool pred_main_thread(const struct run *r, const struct grec *g, const void *arg)
{
	(void)arg;
	return g->tid == (int)r->gen;
}

static bool pred_comm(const struct run *r, const struct grec *g, const void *arg)
{
	(void)r;
	return regexec((const regex_t *)arg, g->comm, 0, NULL, 0) == 0;
}

/* ---- expectations ----------------------------------------------------------------------- */

static void expect_selected(struct judge *j, struct verdict *v, pred_fn pred)
{
	expect_captured(j, v, match(j->op, j->r, v, pred, NULL, false, false));
}

void expect_filter_sock(struct judge *j, struct verdict *v)
{
	expect_selected(j, v, pred_sock);
}

/*
 * --sock on a receiver that only msg_name names: every datagram to it, unless unixcap said
 * it could not see the receiving sockets (peer-unknown: the tracepoint backend before 6.3),
 * and then no more missing than the count it gave.
 */
void expect_filter_sock_dests(struct judge *j, struct verdict *v)
{
	unsigned long long unknown = j->r->peer_unknown;
	int matched = match(j->op, j->r, v, pred_sock, NULL, false, unknown > 0);
	unsigned long long missed = 0;

	if (!unknown) {
		expect_captured(j, v, matched);
		return;
	}
	for (int i = 0; i < j->r->nrecs; i++)
		missed += !j->r->recs[i].used && j->r->recs[i].ret >= 0 &&
			  pred_sock(j->r, &j->r->recs[i], NULL);
	if (missed > unknown)
		problem(v, "%llu datagrams to the socket not captured, unixcap counted %llu "
			   "peer-unknown", missed, unknown);
	check_summary(j->r, v, matched);
}

void expect_filter_inode(struct judge *j, struct verdict *v)
{
	expect_selected(j, v, pred_inode);
}

/* Filesystem and abstract names alike. */
void expect_filter_path(struct judge *j, struct verdict *v)
{
	expect_selected(j, v, pred_path);
}

void expect_filter_path_prefix(struct judge *j, struct verdict *v)
{
	expect_selected(j, v, pred_prefix);
}

void expect_filter_type(struct judge *j, struct verdict *v)
{
	expect_selected(j, v, pred_dgram);
}

void expect_filter_tid(struct judge *j, struct verdict *v)
{
	expect_selected(j, v, pred_main_thread);
}

/* The same regular expression as unixcap's -n, so that both select the same threads. */
void expect_filter_comm(struct judge *j, struct verdict *v)
{
	regex_t re;

	if (regcomp(&re, COMM_REGEX, REG_EXTENDED | REG_NOSUB) != 0) {
		problem(v, "regcomp failed");
		expect_captured(j, v, 0);
		return;
	}
	expect_captured(j, v, match(j->op, j->r, v, pred_comm, &re, false, false));
	regfree(&re);
}
