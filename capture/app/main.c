/* unixcap: capture AF_UNIX messages with eBPF. This file picks the mode of the command line
 * (the mode table), wires filters, ring consumer and outputs together and owns the process
 * lifecycle: each mode sets up what it needs and one teardown ends every run. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/core/argv.h"
#include "capture/core/clock.h"
#include "capture/app/extcap.h"
#include "capture/app/parse_options.h"
#include "capture/app/privileges.h"
#include "capture/app/summary.h"
#include "capture/app/lifecycle.h"
#include "capture/core/filter.h"
#include "capture/core/output.h"
#include "capture/enrich/comm.h"
#include "capture/enrich/match.h"
#include "capture/enrich/socktable.h"
#include "capture/live/consumer.h"
#include "capture/live/fdlink.h"
#include "capture/socklist/command.h"
#include "writers/capfile/reader.h"
#include "writers/capfile/writer.h"
#include "writers/tcpview/tcpview.h"
#include "writers/console/console.h"
#include "writers/console/detail.h"
#include "writers/console/fdtable.h"
#include "writers/console/status.h"
#include "writers/conv/sink.h"

#define UC_POLL_MS 50 /* longest delay between a message and its output */
/* The loop's upkeep (outputs flushed, the kernel's drop counters read, the status line) runs
 * at most this often: a reader that keeps up wakes for a few dozen records at a time, and a
 * write() plus five map reads for each such batch cost more than the records themselves. */
#define UC_UPKEEP_NS 10000000ull
#define UC_MAX_OUTPUTS 3 /* -w file, conversation sink, console */

static volatile sig_atomic_t stop_signal;
/* SIGHUP with -w FILE starts a new file (logrotate's move-then-HUP) instead of stopping. */
static volatile sig_atomic_t hup_reopens, reopen_signal;

static void on_signal(int sig)
{
	if (sig == SIGHUP && hup_reopens) {
		reopen_signal = 1;
		return;
	}
	stop_signal = sig;
}

/* One run of the command line, whatever its mode. */
struct app {
	int argc;
	char **argv;
	bool extcap;              /* capturing for Wireshark: no summary on stderr */
	struct uc_options o;
	bool have_options;
	struct uc_sink *sink;     /* follow, conversations, --split (writers/conv/sink.h) */
	char err[512];
};

/* A capture, read from a file (-r) or live from the kernel. */
struct run {
	struct uc_options *o;
	bool live;                 /* from the kernel, not from -r */
	struct uc_filter filter;   /* the one filter description (capture/core/filter.h) */
	struct uc_match match;     /* what of it userspace applies */
	struct uc_console console;
	bool print;                /* console output on stdout */
	struct uc_writer *writer;  /* -w */
	bool writer_begun;         /* uc_writer_start called: the file is no more abandoned */
	struct uc_sink *sink;
	struct uc_output out[UC_MAX_OUTPUTS]; /* the active outputs, in delivery order */
	unsigned n_out;
	const struct uc_output *failed; /* the output whose failure is out_error */
	struct uc_consumer *consumer; /* live */
	struct uc_socktable *holders; /* live: peer pid from the peer socket's holder */
	uint64_t seen;             /* -r: messages read, for the file's counters */
	uint64_t captured;
	uint64_t file_packets;     /* -w: messages that reached the file(s) */
	int out_error; /* -errno of the first failed output */
	bool done;     /* -c reached, or -G/-W wrote its last file */
	struct uc_fdlink *fdlink; /* receives of passed fds, linked to their sends */
	struct uc_detail detail;  /* -v lines under the summary */
	struct uc_status status;  /* -w on a terminal: counters refreshed on stderr */
	uint64_t bytes;           /* payload bytes delivered, for the status line */
};

/* ---- the capture: filters, then every output -------------------------------------------- */

/* sk_peer_pid is empty for datagram sockets (nothing records credentials there): the
 * process holding the peer socket names the peer instead, from a cache that costs a hash
 * lookup per message and at most one /proc scan per second (capture/enrich/socktable.h).
 * A peer pid the kernel gave is never looked up here: the kernel read its name at send
 * time, and an empty name means that process had exited (its pid may be another's now). */
static void peer_from_holder(struct run *r, struct uc_message *m)
{
	uint32_t pid;
	if (m->m.peer_pid || !m->m.peer_inode || !r->holders)
		return;
	if (uc_socktable_owner(r->holders, m->m.peer_inode, &pid, m->peer_comm) == 0) {
		m->m.peer_pid = pid;
		if (!m->peer_comm[0])
			uc_comm_of_pid(pid, m->m.ts_ns, m->peer_comm);
	} else {
		m->peer_comm[0] = 0;
	}
}

static void output_failed(struct run *r, const struct uc_output *out, int e)
{
	r->out_error = e;
	r->failed = out;
}

/* Hands one message to every output in turn; 1 stops the capture. */
static int deliver(struct uc_message *msg, void *ctx)
{
	struct run *r = ctx;

	if (r->done || r->out_error)
		return 1;
	for (unsigned i = 0; i < r->n_out; i++) {
		int e = r->out[i].ops->write(r->out[i].self, msg);
		if (e > 0)
			r->done = true;
		if (e < 0)
			output_failed(r, &r->out[i], e);
		if (e)
			return 1;
	}
	r->captured++;
	if (!(msg->m.flags & UC_MF_ERROR))
		r->bytes += msg->m.len; /* a failed send's len was only tried */
	if (r->o->count && r->captured >= r->o->count) {
		r->done = true;
		return 1;
	}
	return 0;
}

static int on_message(const struct uc_message *msg, void *ctx)
{
	struct run *r = ctx;
	if (r->done || r->out_error)
		return 1;
	if (!uc_match(&r->match, msg))
		return 0;
	struct uc_message m = *msg;
	if (r->live)
		peer_from_holder(r, &m);
	uint64_t t = m.n_fds ? uc_now_ns(CLOCK_MONOTONIC) : 0;
	if (!uc_fdlink_update(r->fdlink, &m, t))
		return 0; /* a receive held until its send shows up */
	int rc = deliver(&m, r);
	/* This send may be what a held receive waits for. */
	if (!rc && m.n_fds && !(m.m.flags & UC_MF_RECEIVE))
		rc = uc_fdlink_release(r->fdlink, t, false, deliver, r);
	return rc;
}

/* -r: every message of the file numbers the conversations, before the filters. */
static int on_read(const struct uc_message *msg, void *ctx)
{
	struct run *r = ctx;
	if (stop_signal)
		return 1;
	r->seen++;
	if (r->sink)
		uc_sink_number(r->sink, msg);
	return on_message(msg, ctx);
}

static int flush_outputs(struct run *r)
{
	for (unsigned i = 0; i < r->n_out && !r->out_error; i++) {
		int e = r->out[i].ops->flush(r->out[i].self);
		if (e)
			output_failed(r, &r->out[i], e);
	}
	return r->out_error;
}

/*
 * Ends the outputs: the streams (console, -w file) while all is well, then, when the input
 * was read to its end, those that sum it up (capture/core/output.h). A reader that went
 * away (EPIPE) is a normal end. Returns the exit status it implies.
 */
static int finish_outputs(struct run *r, bool input_read)
{
	int rc = 0;

	flush_outputs(r);
	for (unsigned i = 0; i < r->n_out && !r->out_error; i++) {
		if (r->out[i].ops->sums_up_input)
			continue;
		int e = r->out[i].ops->finish(r->out[i].self);
		if (e)
			output_failed(r, &r->out[i], e);
	}
	if (r->out_error && r->out_error != -EPIPE) {
		fprintf(stderr, "unixcap: %s\n", r->failed->ops->error(r->failed->self));
		rc = 1;
	}
	for (unsigned i = 0; i < r->n_out && input_read; i++) {
		const struct uc_output *out = &r->out[i];
		if (!out->ops->sums_up_input || !out->ops->finish(out->self))
			continue;
		const char *why = out->ops->error(out->self);
		if (why[0])
			fprintf(stderr, "unixcap: %s\n", why);
		rc = 1;
	}
	if (r->writer)
		r->file_packets = uc_writer_packets_written(r->writer);
	uc_writer_free(r->writer);
	r->writer = NULL;
	r->n_out = 0;
	return rc;
}

/* ---- setting a capture up and tearing it down ------------------------------------------ */

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A closed reader shows up as EPIPE on write, which ends the capture cleanly. */
	signal(SIGPIPE, SIG_IGN);
}

/* The counters each capture file ends with (pcapng ISB). */
static void file_stats(void *ctx, struct uc_capfile_stats *s)
{
	const struct run *r = ctx;
	if (r->live) {
		s->dropped = uc_consumer_drops(r->consumer);
		s->received = uc_reasm_stats(r->consumer->reasm)->messages + s->dropped;
	} else {
		s->dropped = 0;
		s->received = r->seen;
	}
}

static struct uc_writer_cfg writer_cfg(const struct uc_options *o, struct run *r)
{
	return (struct uc_writer_cfg){
		.file = { .path = o->write_file,
			  .max_bytes = o->rotate_bytes,
			  .seconds = o->rotate_seconds,
			  .count = o->rotate_count,
			  .zstd = o->zstd,
			  .zstd_level = 3 },
		.format = o->format,
		.linktype = (uint16_t)o->linktype,
		.snaplen = o->snaplen,
		.stats = file_stats,
		.stats_ctx = r,
		.encoder = uc_tcpview_encoder(o), /* --view tcp; NULL: the unixcap link type */
	};
}

static void add_output(struct run *r, const struct uc_output_ops *ops, void *self)
{
	r->out[r->n_out++] = (struct uc_output){ .ops = ops, .self = self };
}

/*
 * What -r and a live capture set up alike: the filters, the console with its -v lines, the
 * -w file (opened, not started: nothing is written yet), and the list of outputs. Returns
 * 0 or the exit status, the reason on stderr.
 */
static int setup_run(struct run *r, struct app *a, bool live)
{
	struct uc_options *o = &a->o;

	*r = (struct run){ .o = o, .live = live, .sink = a->sink,
			   .print = (!o->write_file || o->print) && !uc_sink_quiet(a->sink, o) };
	r->console = (struct uc_console){ .out = stdout, .mode = o->mode,
					  .relative_ts = o->relative_ts };
	uc_filter_init(&r->filter, o);
	/* -r applies in userspace the filters a live capture runs in the kernel. */
	if (uc_match_init(&r->match, &r->filter, !live, live, a->err, sizeof(a->err)) ||
	    uc_detail_init(&r->detail, o, uc_match_cgroups(&r->match), a->err, sizeof(a->err))) {
		fprintf(stderr, "unixcap: %s\n", a->err);
		return 2;
	}
	if (o->verbose) {
		r->console.detail = uc_detail_print;
		r->console.detail_ctx = &r->detail;
	}
	/* The output must be writable before anything is loaded into the kernel. */
	if (o->write_file) {
		struct uc_writer_cfg cfg = writer_cfg(o, r);
		if (uc_writer_open(&r->writer, &cfg, a->err, sizeof(a->err))) {
			fprintf(stderr, "unixcap: %s\n", a->err);
			return 1;
		}
		add_output(r, &uc_writer_output, r->writer);
	}
	if (r->sink) {
		add_output(r, &uc_sink_output, r->sink);
		uc_sink_set_stats(r->sink, file_stats, r);
	}
	if (r->print)
		add_output(r, &uc_console_output, &r->console);
	r->fdlink = uc_fdlink_new();
	return 0;
}

/* The -w file's headers, which name where its messages come from. 0 or 1. */
static int start_writer(struct run *r, const char *description)
{
	if (!r->writer)
		return 0;
	r->writer_begun = true;
	if (uc_writer_start(r->writer, description, uc_now_ns(CLOCK_REALTIME))) {
		fprintf(stderr, "unixcap: writing %s\n", uc_writer_error(r->writer));
		return 1;
	}
	return 0;
}

/* Everything a run may hold, at any point of its set-up. */
static void teardown_run(struct run *r)
{
	if (r->writer && !r->writer_begun)
		uc_writer_abort(r->writer); /* an unused file this run created goes */
	uc_writer_free(r->writer);
	uc_detail_free(&r->detail);
	uc_match_free(&r->match);
	uc_fdlink_free(r->fdlink);
	uc_socktable_free(r->holders);
	if (r->consumer)
		uc_consumer_close(r->consumer);
	*r = (struct run){ 0 };
}

/* ---- the modes -------------------------------------------------------------------------- */

/* The value of a mode's run: an exit status, or going on down the mode table. */
#define UC_MODE_NEXT (-1)

/* -r: no BPF, no privileges; the file's messages go through the same filters and outputs. */
static int run_read(struct app *a)
{
	struct uc_options *o = &a->o;
	struct run r;
	char desc[256];
	int rc = setup_run(&r, a, false);

	snprintf(desc, sizeof(desc), "AF_UNIX messages, read from %s", o->read_file);
	if (!rc)
		rc = start_writer(&r, desc);
	if (!rc) {
		int e = uc_readback(o->read_file, o->linktype_set ? o->linktype : 0, on_read, &r,
				    a->err, sizeof(a->err));
		rc = finish_outputs(&r, e >= 0);
		if (e < 0) {
			fprintf(stderr, "unixcap: %s\n", a->err);
			rc = 2;
		}
	}
	teardown_run(&r);
	return rc;
}

static int check_targets(const struct uc_options *o)
{
	char path[64];
	for (unsigned i = 0; i < o->n_pids; i++) {
		if (kill((pid_t)o->pids[i], 0) != 0 && errno == ESRCH) {
			fprintf(stderr, "unixcap: -p %u: no such process\n", o->pids[i]);
			return -ESRCH;
		}
	}
	if (o->tid) {
		snprintf(path, sizeof(path), "/proc/%u", o->tid);
		if (access(path, F_OK) != 0) {
			fprintf(stderr, "unixcap: -t %u: no such thread\n", o->tid);
			return -ESRCH;
		}
	}
	return 0;
}

/* What a live capture needs before anything: -Z's user, the targets, privileges. */
static int live_preflight(struct app *a, struct uc_user *run_as)
{
	if (a->o.run_as && uc_lookup_user(a->o.run_as, run_as, a->err, sizeof(a->err))) {
		fprintf(stderr, "unixcap: %s\n", a->err);
		return 2;
	}
	if (check_targets(&a->o))
		return 2;
	if (uc_check_privileges(a->err, sizeof(a->err))) {
		fprintf(stderr, "unixcap: %s\n", a->err);
		return 1;
	}
	return 0;
}

/* The kernel side attached and the outputs started: announces the capture. */
static void live_started(struct run *r)
{
	const struct uc_options *o = r->o;
	const struct uc_capture *cap = &r->consumer->cap;

	if (!o->quiet)
		fprintf(stderr, "unixcap: listening on AF_UNIX, backend %s, snaplen %u, buffer %u KiB\n",
			uc_backend_name(cap->backend), o->snaplen, o->ring_kib);
	if (r->print && o->mode == UC_OUT_FDS) {
		uc_print_fd_header(stdout, o->relative_ts);
		r->console.header_done = true;
		flush_outputs(r);
	}
	if (o->verbose && cap->notes[0])
		fprintf(stderr, "unixcap: %s backend: %s\n", uc_backend_name(cap->backend), cap->notes);
	uc_status_init(&r->status, stderr, o->write_file && !o->quiet, uc_now_ns(CLOCK_MONOTONIC));
}

/* The ring consumer's loop, until a signal, -c, -d, or a failure. 0 or 1. */
static int capture_loop(struct run *r)
{
	struct uc_consumer *c = r->consumer;
	const struct uc_options *o = r->o;
	uint64_t deadline = o->duration > 0 ? uc_now_ns(CLOCK_MONOTONIC) + (uint64_t)(o->duration * 1e9)
					    : 0;
	int rc = 0;
	uint64_t upkept = 0;

	hup_reopens = o->write_file && strcmp(o->write_file, "-") != 0;
	while (!stop_signal && !r->done && !r->out_error) {
		if (reopen_signal) {
			reopen_signal = 0;
			int e = uc_writer_reopen(r->writer);
			if (e) {
				output_failed(r, &r->out[0], e); /* the writer comes first */
				break;
			}
		}
		int n = uc_consumer_poll(c, UC_POLL_MS);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "unixcap: ring buffer poll: %s\n", strerror(-n));
			rc = 1;
			break;
		}
		uint64_t now = uc_now_ns(CLOCK_MONOTONIC);
		if (deadline && now >= deadline)
			break;
		if (n > 0 && now - upkept < UC_UPKEEP_NS)
			continue;
		upkept = now;
		/* A message whose tail never came (ring full) is shown after a second, marked. */
		uc_consumer_expire(c, now - 1000000000ull);
		uc_fdlink_release(r->fdlink, now, false, deliver, r);
		flush_outputs(r);
		if (uc_status_due(&r->status, now))
			uc_status_tick(&r->status, now, r->captured, r->bytes, uc_consumer_drops(c));
		if ((r->print || (o->write_file && !strcmp(o->write_file, "-"))) && uc_stdout_gone())
			r->out_error = -EPIPE; /* the reader left: the normal end, as for EPIPE */
	}
	/* Whatever the kernel already wrote is still shown, then what stayed incomplete. */
	if (!r->done && !r->out_error)
		uc_consumer_consume(c);
	if (!r->done && !r->out_error)
		uc_consumer_expire(c, UINT64_MAX);
	uc_fdlink_release(r->fdlink, 0, true, deliver, r);
	uc_status_clear(&r->status);
	return rc;
}

/* Live from the kernel: load and attach, then the loop; -Z once nothing needs root. */
static int run_live(struct app *a)
{
	struct uc_options *o = &a->o;
	struct uc_consumer consumer;
	struct uc_user run_as;
	struct run r = { 0 };
	struct uc_startup startup;
	char desc[128];
	int rc = live_preflight(a, &run_as);

	uc_startup_init(&startup, o, stderr, uc_now_ns(CLOCK_MONOTONIC));
	if (o->write_file)
		uc_startup_step(&startup, "opening the output file", uc_now_ns(CLOCK_MONOTONIC));
	if (!rc)
		rc = setup_run(&r, a, true);
	if (!rc) {
		uc_startup_step(&startup, "loading and attaching the BPF programs",
				uc_now_ns(CLOCK_MONOTONIC));
		r.consumer = &consumer;
		if (uc_consumer_open(&consumer, o, &r.filter, on_message, &r, a->err,
				     sizeof(a->err))) {
			fprintf(stderr, "unixcap: %s\n", a->err);
			rc = 1;
		}
	}
	if (!rc) {
		snprintf(desc, sizeof(desc), "AF_UNIX messages, %s backend",
			 uc_backend_name(consumer.cap.backend));
		rc = start_writer(&r, desc);
	}
	if (rc) {
		teardown_run(&r);
		return rc;
	}
	uc_startup_step(&startup, "starting the socket table", uc_now_ns(CLOCK_MONOTONIC));
	r.holders = uc_socktable_new(); /* NULL: peers stay as the kernel gave them */
	/* -Z, as tcpdump: probes attached, output open; nothing after needs privileges. The file
	 * becomes the user's, who creates the next ones and may reuse it in a -W ring. */
	if (o->run_as && (uc_writer_chown(r.writer, run_as.uid, run_as.gid, a->err, sizeof(a->err)) ||
			  uc_drop_privileges(&run_as, a->err, sizeof(a->err)))) {
		fprintf(stderr, "unixcap: %s\n", a->err);
		rc = 1;
		r.done = true; /* the normal end: file completed, probes detached */
	}
	uc_startup_done(&startup, uc_now_ns(CLOCK_MONOTONIC));
	live_started(&r);
	if (capture_loop(&r))
		rc = 1;
	if (finish_outputs(&r, true))
		rc = 1;
	/* Wireshark reports anything an extcap writes on stderr as an error. */
	if (!a->extcap)
		uc_print_exit_summary(stderr, r.consumer, r.o, r.captured, r.file_packets);
	teardown_run(&r);
	return rc;
}

/* Run by Wireshark as its extcap helper: answer its query, or capture into its FIFO. */
static int run_extcap(struct app *a)
{
	/* Replaces argv for the whole run, as argv itself lives: static, so never a leak. */
	static char **extcap_argv;
	int rc = 0;

	switch (uc_extcap(a->argc, a->argv, stdout, stderr, &rc, &a->argc, &extcap_argv)) {
	case UC_EXTCAP_DONE:
		return rc;
	case UC_EXTCAP_CAPTURE:
		a->argv = extcap_argv;
		a->extcap = true;
		break;
	case UC_EXTCAP_NO:
		break;
	}
	return UC_MODE_NEXT;
}

/* -L is a mode of its own with its own options (docs/socket-listing.md). */
static bool wants_list(const struct app *a)
{
	for (int i = 1; i < a->argc && strcmp(a->argv[i], "--"); i++)
		if (!strcmp(a->argv[i], "-L"))
			return true;
	return false;
}

static int run_list(struct app *a)
{
	for (int i = 1; i < a->argc; i++) {
		if (!strcmp(a->argv[i], "-L")) {
			uc_argv_remove(&a->argc, a->argv, i, 1);
			break;
		}
	}
	return uc_socklist_main(a->argc, a->argv);
}

/* follow and conversations are captures read by conversation (docs/conversations.md). */
static bool wants_conversations(const struct app *a)
{
	return a->argc > 1 && uc_sink_is_command(a->argv[1]);
}

static int run_conversations(struct app *a)
{
	switch (uc_sink_parse_command(&a->argc, a->argv, &a->sink, a->err, sizeof(a->err))) {
	case UC_PARSE_RUN:
		return UC_MODE_NEXT;
	case UC_PARSE_EXIT:
		return 0;
	default:
		fprintf(stderr, "unixcap: %s\n", a->err);
		return 2;
	}
}

/* The capture options, and the --split sink or the subcommand's checks. */
static int run_options(struct app *a)
{
	switch (uc_parse_options(a->argc, a->argv, &a->o, a->err, sizeof(a->err))) {
	case UC_PARSE_EXIT:
		return 0;
	case UC_PARSE_ERROR:
		fprintf(stderr, "unixcap: %s\n", a->err);
		return 2;
	case UC_PARSE_RUN:
		break;
	}
	a->have_options = true;
	if (uc_sink_setup(&a->sink, &a->o, a->err, sizeof(a->err)) != UC_PARSE_RUN) {
		fprintf(stderr, "unixcap: %s\n", a->err);
		return 2;
	}
	return UC_MODE_NEXT;
}

static bool always(const struct app *a)
{
	(void)a;
	return true;
}

static bool wants_read(const struct app *a)
{
	return a->o.read_file != NULL;
}

/*
 * The modes, as bpftool's command table: tried in order, the first that wants the command
 * line runs. A mode that only prepares (extcap's command line, a conversation subcommand,
 * the options) says UC_MODE_NEXT and the table goes on; any other value is the exit status.
 */
static const struct mode {
	const char *name;
	bool (*wanted)(const struct app *a);
	int (*run)(struct app *a);
} modes[] = {
	{ "extcap", always, run_extcap },                       /* --extcap-*, --capture */
	{ "list", wants_list, run_list },                       /* -L */
	{ "conversations", wants_conversations, run_conversations }, /* follow, conversations */
	{ "options", always, run_options },
	{ "read", wants_read, run_read },                       /* -r FILE */
	{ "live", always, run_live },
};

int main(int argc, char **argv)
{
	struct app a = { .argc = argc, .argv = argv };
	int rc = 0;

	install_signals(); /* first: a signal at any point of start-up ends it cleanly */

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!modes[i].wanted(&a))
			continue;
		rc = modes[i].run(&a);
		if (rc != UC_MODE_NEXT)
			break;
	}
	uc_sink_free(a.sink);
	if (a.have_options)
		uc_options_free(&a.o);
	return rc;
}
