/*
 * The check table, and the expectations of every check that is not a filter
 * (checks_filters.c). A check's name is what "ok NAME" / "FAIL NAME" print and what
 * --checks selects; the order of the table is the order of the output.
 */
#include <inttypes.h>
#include <string.h>

#include "checks.h"
#include "gen.h"

#define SMALL_SNAPLEN 37
#define CHECK_GROUP_MAX 8

/* ---- the full run: every scenario, the generator's pid, --json -------------------------- */

static bool has_failed_records(const struct run *r)
{
	int n = 0;

	for (int i = 0; i < r->nrecs; i++)
		n += r->recs[i].ret < 0;
	return n >= 3;
}

/* With --backend auto -v, the listening line names the backend unixcap picked. */
static void expect_backend(struct judge *j, struct verdict *v)
{
	size_t len;
	const char *l = listening_line(j->r, &len);

	if (!l)
		problem(v, "no listening line");
	else if (strcmp(j->r->backend, j->op->expect_backend))
		problem(v, "unixcap picked backend \"%s\", expected \"%s\": %.*s", j->r->backend,
			j->op->expect_backend, (int)len, l);
}

/* Every send captured once, exactly as sent, and nothing else. */
static void expect_capture(struct judge *j, struct verdict *v)
{
	j->matched = match(j->op, j->r, v, pred_all, NULL, false, false);
	if (j->run_ok && !j->r->nrecs)
		problem(v, "the generator logged no sends");
}

/* Failed sends are there to be hidden: they only show with --errors. */
static void expect_failed_hidden(struct judge *j, struct verdict *v)
{
	for (int k = 0; k < j->r->nmsgs; k++)
		if (j->r->msgs[k].error)
			problem(v, "a failed send was shown without --errors (line %d)",
				j->r->msgs[k].line);
	if (!has_failed_records(j->r))
		problem(v, "the generator logged fewer than 3 failed sends");
}

static void expect_json_format(struct judge *j, struct verdict *v)
{
	check_format(j->r, v, false);
	if (!j->r->nmsgs)
		problem(v, "no messages to check");
}

static void expect_summary(struct judge *j, struct verdict *v)
{
	check_summary(j->r, v, j->matched);
}

static void expect_fds(struct judge *j, struct verdict *v)
{
	check_fds(j->r, v);
}

/* ---- runs of their own ------------------------------------------------------------------ */

void expect_captured(struct judge *j, struct verdict *v, int matched)
{
	if (matched == 0)
		problem(v, "nothing was captured");
	check_summary(j->r, v, matched);
}

static void expect_all_sends(struct judge *j, struct verdict *v)
{
	expect_captured(j, v, match(j->op, j->r, v, pred_all, NULL, false, false));
}

/* --errors: failed sends too, with errno and error name, and their own key order. */
static void expect_errors(struct judge *j, struct verdict *v)
{
	int matched;

	if (!has_failed_records(j->r))
		problem(v, "the generator logged fewer than 3 failed sends");
	matched = match(j->op, j->r, v, pred_all, NULL, true, false);
	check_format(j->r, v, true);
	expect_captured(j, v, matched);
}

/* -c 3: the first three messages, then unixcap ends by itself. */
static void expect_count(struct judge *j, struct verdict *v)
{
	int matched = match(j->op, j->r, v, pred_all, NULL, false, true);

	if (j->r->nmsgs != 3)
		problem(v, "%d messages printed, expected 3", j->r->nmsgs);
	if (!j->r->cap_self_exit)
		problem(v, "unixcap did not exit by itself after 3 messages");
	expect_captured(j, v, matched);
}

/* -X: stream_pair's first message is "GET / HTTP/1.1", its first hex line is known. */
static void expect_hexdump(struct judge *j, struct verdict *v)
{
	const char *out = buf_str(&j->r->out);
	static const char want[] = "\t0x0000:  4745 5420";

	if (!(strncmp(out, want, sizeof(want) - 1) == 0 || strstr(out, "\n\t0x0000:  4745 5420")))
		problem(v, "no line starting with \"\\t0x0000:  4745 5420\" "
			   "(the \"GET / HTTP/1.1\" message) in the -X output");
	/* Text output is not matched message by message: the summary must count one at least. */
	check_summary(j->r, v, 1);
}

/*
 * peer_gone, read by unixcap only once the peer process is gone: the peer's name must be the
 * one it had when the message was sent, and a peer pid is never followed by an empty name.
 */
static void expect_peer_comm(struct judge *j, struct verdict *v)
{
	int n = 0;

	for (int k = 0; k < j->r->nmsgs; k++) {
		const struct cmsg *m = &j->r->msgs[k];
		int64_t peer = get_i64(&m->o, "peer_pid");
		char comm[20];

		if (m->recv || !peer)
			continue;
		n++;
		cp_str(&m->o, "peer_comm", comm, sizeof(comm));
		if (peer == j->r->gen)
			problem(v, "line %d: peer_pid is the generator's, not its child's", m->line);
		else if (strcmp(comm, UG_PEER_COMM))
			problem(v, "line %d: peer %" PRId64 " has peer_comm \"%s\", expected \"%s\" "
				   "(the name it had when the message was sent)",
				m->line, peer, comm, UG_PEER_COMM);
	}
	if (!n)
		problem(v, "no message with a peer pid");
	expect_all_sends(j, v);
}

static void expect_fd_table(struct judge *j, struct verdict *v)
{
	expect_captured(j, v, check_fd_table(j->r, v));
}

/* ---- the table -------------------------------------------------------------------------- */

/* One run, six verdicts: loading the BPF programs is the slow part of a run (TCG: seconds). */
static const struct run_spec full_run = { .filter = filter_pid, .judge_partial = true };

#define RUN(...) (&(const struct run_spec){ __VA_ARGS__ })

const struct check check_table[] = {
	/* name                  expectation                flags, run (scenarios, options) */
	{ "backend",             expect_backend,            CK_EXPECT_BACKEND, &full_run },
	{ "capture",             expect_capture,            CK_RUN_VERDICT, &full_run },
	{ "failed-hidden",       expect_failed_hidden,      0, &full_run },
	{ "json-format",         expect_json_format,        0, &full_run },
	{ "summary",             expect_summary,            0, &full_run },
	{ "fds",                 expect_fds,                0, &full_run },
	{ "errors",              expect_errors,             0,
	  RUN(.filter = filter_pid, .args = { "--errors" }) },
	{ "filter.sock",         expect_filter_sock,        0, RUN(.filter = filter_sock) },
	{ "filter.sock-dests",   expect_filter_sock_dests,  0,
	  RUN(.only = "dgram_dests", .filter = filter_sock_dests) },
	{ "filter.inode",        expect_filter_inode,       0, RUN(.filter = filter_inode) },
	{ "filter.path",         expect_filter_path,        0, RUN(.filter = filter_path) },
	{ "filter.path-abstract", expect_filter_path,       0,
	  RUN(.filter = filter_path_abstract) },
	{ "filter.path-prefix",  expect_filter_path_prefix, 0,
	  RUN(.filter = filter_path_prefix) },
	{ "filter.type",         expect_filter_type,        0,
	  RUN(.filter = filter_pid, .args = { "--type", "dgram" }) },
	{ "filter.tid",          expect_filter_tid,         0, RUN(.filter = filter_tid) },
	{ "filter.comm",         expect_filter_comm,        0, RUN(.filter = filter_comm) },
	{ "count",               expect_count,              0,
	  RUN(.filter = filter_pid, .args = { "-c", "3" }, .self_exit = true) },
	{ "hexdump",             expect_hexdump,            0,
	  RUN(.only = "stream_pair", .out = OUT_HEX, .filter = filter_pid) },
	{ "snaplen.small",       expect_all_sends,          0,
	  RUN(.snaplen = SMALL_SNAPLEN, .filter = filter_pid) },
	{ "fds-table",           expect_fd_table,           0,
	  RUN(.only = "fdpass", .out = OUT_ARGS, .filter = filter_pid, .args = { "--fds", "-T" }) },
	{ "peer-comm",           expect_peer_comm,          0,
	  RUN(.only = "peer_gone", .filter = filter_pid, .pause_capture = true) },
};
const size_t check_count = sizeof(check_table) / sizeof(check_table[0]);

/* ---- running the table ------------------------------------------------------------------ */

/* --checks LIST: a name, or a prefix before '.' ("filter" selects every filter.*). */
static bool selected(const struct opts *op, const char *name)
{
	const char *l = op->checks;

	if (!l || !*l)
		return true;
	while (*l) {
		const char *e = strchr(l, ',');
		size_t n = e ? (size_t)(e - l) : strlen(l);

		if (n && !strncmp(name, l, n) && (name[n] == '\0' || name[n] == '.'))
			return true;
		l += n + (e ? 1 : 0);
	}
	return false;
}

static bool applies(const struct opts *op, const struct check *c)
{
	return !(c->flags & CK_EXPECT_BACKEND) || op->expect_backend;
}

/*
 * One run for rows c[0..n) (which share it). Every row that applies is judged, selected or
 * not, so that a row can rely on what an earlier one found (summary on capture's count);
 * only selected rows are reported. When the run failed outright, the other rows say so.
 */
static void run_group(const struct opts *op, const struct check *c, size_t n)
{
	struct verdict v[CHECK_GROUP_MAX];
	struct run r;
	struct judge j;
	size_t owner = 0;
	bool any = false;
	int rc;

	for (size_t k = 0; k < n; k++) {
		any |= applies(op, &c[k]) && selected(op, c[k].name);
		if (c[k].flags & CK_RUN_VERDICT)
			owner = k;
		verdict_init(&v[k], c[k].name);
	}
	if (!any)
		return;
	run_init(&r, c[0].run, op);
	rc = run_capture(op, &r, &v[owner]);
	j = (struct judge){ .op = op, .r = &r, .run_ok = rc == 0 };
	if (rc == 0 || (c[0].run->judge_partial && r.nmsgs)) {
		for (size_t k = 0; k < n; k++)
			if (applies(op, &c[k]))
				c[k].expect(&j, &v[k]);
	} else {
		for (size_t k = 0; k < n; k++)
			if (k != owner && applies(op, &c[k]))
				problem(&v[k], "the capture run failed: %s", v[owner].first);
	}
	for (size_t k = 0; k < n; k++)
		if (applies(op, &c[k]) && selected(op, c[k].name))
			verdict_report(&v[k]);
	run_free(&r);
}

void run_checks(const struct opts *op)
{
	size_t i = 0;

	while (i < check_count) {
		size_t n = 1;

		while (i + n < check_count && check_table[i + n].run == check_table[i].run &&
		       n < CHECK_GROUP_MAX)
			n++;
		run_group(op, &check_table[i], n);
		i += n;
	}
}
