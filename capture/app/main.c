/* unixcap: capture AF_UNIX messages with eBPF. This file wires options, backend,
 * ring-buffer consumer and writers together and owns the process lifecycle. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "capture/live/backend.h"
#include "capture/app/extcap.h"
#include "capture/live/fdlink.h"
#include "writers/conv/sink.h"
#include "capture/app/parse_options.h"
#include "capture/app/privileges.h"
#include "capture/app/lifecycle.h"
#include "capture/core/paths.h"
#include "capture/enrich/comm.h"
#include "writers/capfile/reader.h"
#include "capture/live/reassembly.h"
#include "capture/socklist/command.h"
#include "capture/enrich/socktable.h"
#include "writers/capfile/writer.h"
#include "writers/console/console.h"
#include "writers/console/detail.h"
#include "writers/console/status.h"
#include "writers/console/fdtable.h"

#define UC_POLL_MS 50 /* longest delay between a message and its output */

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

struct run {
	struct uc_options *o;
	struct uc_console console;
	bool print;                /* console output on stdout */
	bool live;                 /* from the kernel, not from -r */
	struct uc_writer *writer;  /* -w */
	const struct uc_capture *cap;
	const struct uc_reasm *reasm;
	struct uc_socktable *holders; /* live: peer pid from the peer socket's holder */
	uint64_t seen;             /* -r: messages read, for the file's counters */
	uint64_t captured;
	int out_error; /* -errno of the first failed write to stdout or the -w file */
	bool writer_failed;
	bool done;     /* -c reached, or -G/-W wrote its last file */
	struct uc_fdlink *fdlink; /* receives of passed fds, linked to their sends */
	struct uc_sink *sink;     /* follow, conversations, --split (writers/conv/sink.h) */
	struct uc_detail detail;  /* -v lines under the summary, --cgroup */
	struct uc_status status;  /* -w on a terminal: counters refreshed on stderr */
	uint64_t bytes;           /* payload bytes delivered, for the status line */
	uint64_t file_packets;    /* -w: messages that reached the file(s) */
};

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* sk_peer_pid is empty for datagram sockets (nothing records credentials there): the
 * process holding the peer socket names the peer instead, from a cache that costs a hash
 * lookup per message and at most one /proc scan per second (capture/enrich/socktable.h). */
static void peer_from_holder(struct run *r, struct uc_message *m)
{
	uint32_t pid;
	char comm[UC_COMM_LEN];
	if (m->m.peer_pid || !m->m.peer_inode || !r->holders)
		return;
	if (uc_socktable_owner(r->holders, m->m.peer_inode, &pid, comm) == 0)
		m->m.peer_pid = pid;
}

static int deliver(struct uc_message *msg, void *ctx);

static int on_message(const struct uc_message *msg, void *ctx)
{
	struct run *r = ctx;
	if (r->done || r->out_error)
		return 1;
	if (r->o->have_comm_regex) {
		char comm[UC_COMM_LEN + 1];
		memcpy(comm, msg->m.comm, UC_COMM_LEN);
		comm[UC_COMM_LEN] = 0;
		if (regexec(&r->o->comm_regex, comm, 0, NULL, 0) != 0)
			return 0;
	}
	if (!uc_detail_cgroup_match(&r->detail, msg->m.cgroup_id) || !uc_paths_match(r->o, msg))
		return 0;
	struct uc_message m = *msg;
	if (r->live) {
		peer_from_holder(r, &m);
		uc_comm_of_pid(m.m.peer_pid, m.m.ts_ns, m.peer_comm);
	}
	uint64_t t = m.n_fds ? now_ns(CLOCK_MONOTONIC) : 0;
	if (!uc_fdlink_update(r->fdlink, &m, t))
		return 0; /* a receive held until its send shows up */
	int rc = deliver(&m, r);
	/* This send may be what a held receive waits for. */
	if (!rc && m.n_fds && !(m.m.flags & UC_MF_RECEIVE))
		rc = uc_fdlink_release(r->fdlink, t, false, deliver, r);
	return rc;
}

/* Writes one message to the -w file and/or the console; 1 stops the capture. */
static int deliver(struct uc_message *msg, void *ctx)
{
	struct run *r = ctx;
	struct uc_message m = *msg;

	if (r->done || r->out_error)
		return 1;
	if (r->writer) {
		int e = uc_writer_write(r->writer, &m);
		if (e < 0) {
			r->out_error = e;
			r->writer_failed = true;
			return 1;
		}
		if (e > 0) {
			r->done = true;
			return 1;
		}
	}
	if (r->sink) {
		int e = uc_sink_write(r->sink, &m);
		if (e < 0) {
			r->out_error = e;
			return 1;
		}
	}
	if (r->print) {
		int e = uc_console_write(&r->console, &m);
		if (e) {
			r->out_error = e;
			return 1;
		}
	}
	r->captured++;
	r->bytes += m.m.len;
	if (r->o->count && r->captured >= r->o->count) {
		r->done = true;
		return 1;
	}
	return 0;
}

/* -r applies in userspace the filters a live capture runs in the kernel. */
static int on_read(const struct uc_message *msg, void *ctx)
{
	struct run *r = ctx;
	if (stop_signal)
		return 1;
	r->seen++;
	if (r->sink)
		uc_sink_number(r->sink, msg);
	if (!uc_readback_match(r->o, msg))
		return 0;
	return on_message(msg, ctx);
}

static int on_record(void *ctx, void *data, size_t size)
{
	return uc_reasm_feed(ctx, data, size);
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

static uint64_t kernel_drops(const struct uc_capture *cap)
{
	uint64_t st[UC_STAT_MAX] = { 0 };
	uc_capture_stats(cap, st);
	return st[UC_STAT_DROP_MSGS] + st[UC_STAT_DROP_PENDING];
}

/* The counters each capture file ends with (pcapng ISB). */
static void file_stats(void *ctx, struct uc_capfile_stats *s)
{
	const struct run *r = ctx;
	if (r->live) {
		s->dropped = kernel_drops(r->cap);
		s->received = uc_reasm_stats(r->reasm)->messages + s->dropped;
	} else {
		s->dropped = 0;
		s->received = r->seen;
	}
}

static void print_summary(const struct run *r, const struct uc_capture *cap,
			  const struct uc_reasm *reasm)
{
	uint64_t st[UC_STAT_MAX] = { 0 };
	uc_capture_stats(cap, st);
	const struct uc_reasm_stats *rs = uc_reasm_stats(reasm);
	uint64_t dropped = kernel_drops(cap);

	fprintf(stderr, "unixcap: backend %s; %llu cut short (ring full mid-message), %llu copy "
			"faults, %llu malformed records\n",
		uc_backend_name(cap->backend), (unsigned long long)rs->gaps,
		(unsigned long long)st[UC_STAT_READ_FAULTS],
		(unsigned long long)rs->malformed);
	fprintf(stderr, "%llu messages captured, %llu dropped\n", (unsigned long long)r->captured,
		(unsigned long long)dropped);
	if (r->o->write_file)
		fprintf(stderr, "%llu written to %s\n", (unsigned long long)r->file_packets,
			strcmp(r->o->write_file, "-") ? r->o->write_file : "stdout");
}

static int flush_output(struct run *r)
{
	if (!r->out_error && r->writer) {
		int e = uc_writer_flush(r->writer);
		if (e) {
			r->out_error = e;
			r->writer_failed = true;
		}
	}
	if (!r->out_error && r->print && fflush(stdout) != 0)
		r->out_error = -errno;
	return r->out_error;
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
	};
}

/*
 * Ends the -w output: the trailer (ISB) and the last bytes. A reader that went away (EPIPE)
 * is a normal end, like for the console. Returns the exit status it implies.
 */
static int finish_output(struct run *r)
{
	int rc = 0;
	flush_output(r);
	if (r->writer && !r->out_error) {
		int e = uc_writer_close(r->writer);
		if (e) {
			r->out_error = e;
			r->writer_failed = true;
		}
	}
	if (r->out_error && r->out_error != -EPIPE) {
		if (r->writer_failed)
			fprintf(stderr, "unixcap: writing %s\n", uc_writer_error(r->writer));
		else if (r->sink && uc_sink_error(r->sink)[0])
			fprintf(stderr, "unixcap: %s\n", uc_sink_error(r->sink));
		else
			fprintf(stderr, "unixcap: writing output: %s\n", strerror(-r->out_error));
		rc = 1;
	}
	if (r->writer)
		r->file_packets = uc_writer_packets_written(r->writer);
	uc_writer_free(r->writer);
	r->writer = NULL;
	return rc;
}

static uint64_t wall_now(void)
{
	return now_ns(CLOCK_REALTIME);
}

/* -r: no BPF, no privileges; the file's messages go through the same filters and writers. */
static int run_read(struct uc_options *o, struct uc_sink *sink)
{
	char err[512] = "";
	struct run r = { .o = o, .print = (!o->write_file || o->print) && !uc_sink_quiet(sink, o),
			 .sink = sink };
	r.console = (struct uc_console){ .out = stdout, .mode = o->mode, .relative_ts = o->relative_ts };
	uc_sink_set_stats(sink, file_stats, &r);

	if (o->write_file) {
		struct uc_writer_cfg cfg = writer_cfg(o, &r);
		char desc[256];
		if (uc_writer_open(&r.writer, &cfg, err, sizeof(err))) {
			fprintf(stderr, "unixcap: %s\n", err);
			return 1;
		}
		snprintf(desc, sizeof(desc), "AF_UNIX messages, read from %s", o->read_file);
		if (uc_writer_start(r.writer, desc, wall_now())) {
			fprintf(stderr, "unixcap: writing %s\n", uc_writer_error(r.writer));
			uc_writer_free(r.writer);
			return 1;
		}
	}
	if (uc_detail_init(&r.detail, o, false, err, sizeof(err))) {
		fprintf(stderr, "unixcap: %s\n", err);
		uc_writer_abort(r.writer);
		uc_writer_free(r.writer);
		return 2;
	}
	if (o->verbose) {
		r.console.detail = uc_detail_print;
		r.console.detail_ctx = &r.detail;
	}
	int e = uc_readback(o->read_file, o->linktype_set ? o->linktype : 0, on_read, &r, err,
			    sizeof(err));
	int rc = finish_output(&r);
	if (e >= 0 && uc_sink_finish(sink))
		rc = 1;
	uc_detail_free(&r.detail);
	if (e < 0) {
		fprintf(stderr, "unixcap: %s\n", err);
		return 2;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct uc_options o;
	char err[512] = "";
	int rc = 0;
	/* Replaces argv for the whole run, as argv itself lives: static, so never a leak. */
	static char **extcap_argv;
	bool extcap = false;

	install_signals(); /* first: a signal at any point of start-up ends it cleanly */

	/* Run by Wireshark as its extcap helper: answer its query, or capture into its FIFO. */
	switch (uc_extcap(argc, argv, stdout, stderr, &rc, &argc, &extcap_argv)) {
	case UC_EXTCAP_DONE:
		return rc;
	case UC_EXTCAP_CAPTURE:
		argv = extcap_argv;
		extcap = true;
		break;
	case UC_EXTCAP_NO:
		break;
	}

	/* -L is a mode of its own with its own options (docs/socket-listing.md). */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-L")) {
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(*argv));
			return uc_socklist_main(argc - 1, argv);
		}
	}

	/* follow and conversations are captures read by conversation (docs/conversations.md). */
	struct uc_sink *sink = NULL;
	if (argc > 1 && uc_sink_is_command(argv[1])) {
		int pr = uc_sink_parse_command(&argc, argv, &sink, err, sizeof(err));
		if (pr != UC_PARSE_RUN) {
			if (pr == UC_PARSE_ERROR)
				fprintf(stderr, "unixcap: %s\n", err);
			return pr == UC_PARSE_ERROR ? 2 : 0;
		}
	}

	switch (uc_parse_options(argc, argv, &o, err, sizeof(err))) {
	case UC_PARSE_EXIT:
		uc_sink_free(sink);
		return 0;
	case UC_PARSE_ERROR:
		fprintf(stderr, "unixcap: %s\n", err);
		uc_sink_free(sink);
		return 2;
	case UC_PARSE_RUN:
		break;
	}
	if (uc_sink_setup(&sink, &o, err, sizeof(err)) != UC_PARSE_RUN) {
		fprintf(stderr, "unixcap: %s\n", err);
		uc_sink_free(sink);
		uc_options_free(&o);
		return 2;
	}
	if (o.read_file) {
		rc = run_read(&o, sink);
		uc_sink_free(sink);
		uc_options_free(&o);
		return rc;
	}
	struct uc_user run_as;
	if (o.run_as && uc_lookup_user(o.run_as, &run_as, err, sizeof(err))) {
		fprintf(stderr, "unixcap: %s\n", err);
		uc_options_free(&o);
		return 2;
	}
	if (check_targets(&o)) {
		uc_options_free(&o);
		return 2;
	}
	if (uc_check_privileges(err, sizeof(err))) {
		fprintf(stderr, "unixcap: %s\n", err);
		uc_options_free(&o);
		return 1;
	}

	struct run r = { .o = &o, .live = true, .sink = sink,
			 .print = (!o.write_file || o.print) && !uc_sink_quiet(sink, &o) };
	r.console = (struct uc_console){ .out = stdout, .mode = o.mode, .relative_ts = o.relative_ts };
	if (uc_detail_init(&r.detail, &o, true, err, sizeof(err))) {
		fprintf(stderr, "unixcap: %s\n", err);
		uc_options_free(&o);
		return 2;
	}
	if (o.verbose) {
		r.console.detail = uc_detail_print;
		r.console.detail_ctx = &r.detail;
	}

	struct uc_startup startup;
	uc_startup_init(&startup, &o, stderr, now_ns(CLOCK_MONOTONIC));
	/* The output must be writable before anything is loaded into the kernel. */
	if (o.write_file) {
		uc_startup_step(&startup, "opening the output file", now_ns(CLOCK_MONOTONIC));
		struct uc_writer_cfg cfg = writer_cfg(&o, &r);
		if (uc_writer_open(&r.writer, &cfg, err, sizeof(err))) {
			fprintf(stderr, "unixcap: %s\n", err);
			uc_options_free(&o);
			return 1;
		}
	}

	struct uc_capture cap;
	uc_startup_step(&startup, "loading and attaching the BPF programs", now_ns(CLOCK_MONOTONIC));
	if (uc_capture_open(&cap, &o, err, sizeof(err))) {
		fprintf(stderr, "unixcap: %s\n", err);
		uc_writer_abort(r.writer);
		uc_writer_free(r.writer);
		uc_options_free(&o);
		return 1;
	}

	uc_startup_step(&startup, "starting the ring buffer and socket table", now_ns(CLOCK_MONOTONIC));
	struct uc_reasm *reasm = uc_reasm_new(o.snaplen, on_message, &r);
	struct ring_buffer *rb = reasm ? ring_buffer__new(cap.ringbuf_fd, on_record, reasm, NULL)
				       : NULL;
	if (!rb) {
		fprintf(stderr, "unixcap: ring buffer: %s\n", strerror(errno ? errno : ENOMEM));
		uc_writer_abort(r.writer);
		uc_writer_free(r.writer);
		uc_reasm_free(reasm);
		uc_capture_close(&cap);
		uc_options_free(&o);
		return 1;
	}
	r.cap = &cap;
	r.reasm = reasm;
	r.fdlink = uc_fdlink_new();
	uc_sink_set_stats(sink, file_stats, &r);
	if (r.writer) {
		char desc[128];
		snprintf(desc, sizeof(desc), "AF_UNIX messages, %s backend",
			 uc_backend_name(cap.backend));
		if (uc_writer_start(r.writer, desc, wall_now())) {
			fprintf(stderr, "unixcap: writing %s\n", uc_writer_error(r.writer));
			uc_writer_free(r.writer);
			ring_buffer__free(rb);
			uc_reasm_free(reasm);
			uc_capture_close(&cap);
			uc_options_free(&o);
			return 1;
		}
	}
	uc_reasm_set_clock_offset(reasm, (int64_t)(now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC)));
	r.holders = uc_socktable_new(); /* NULL: peers stay as the kernel gave them */
	/* -Z, as tcpdump: probes attached, output open; nothing after needs privileges. The file
	 * becomes the user's, who creates the next ones and may reuse it in a -W ring. */
	if (o.run_as && (uc_writer_chown(r.writer, run_as.uid, run_as.gid, err, sizeof(err)) ||
			 uc_drop_privileges(&run_as, err, sizeof(err)))) {
		fprintf(stderr, "unixcap: %s\n", err);
		rc = 1;
		r.done = true; /* the normal end: file completed, probes detached */
	}

	uc_startup_done(&startup, now_ns(CLOCK_MONOTONIC));
	if (!o.quiet)
		fprintf(stderr, "unixcap: listening on AF_UNIX, backend %s, snaplen %u, buffer %u KiB\n",
			uc_backend_name(cap.backend), o.snaplen, o.ring_kib);
	if (r.print && o.mode == UC_OUT_FDS) {
		uc_print_fd_header(stdout, o.relative_ts);
		r.console.header_done = true;
		flush_output(&r);
	}
	if (o.verbose && cap.notes[0])
		fprintf(stderr, "unixcap: %s backend: %s\n", uc_backend_name(cap.backend), cap.notes);
	uc_status_init(&r.status, stderr, o.write_file && !o.quiet, now_ns(CLOCK_MONOTONIC));

	uint64_t deadline = o.duration > 0 ? now_ns(CLOCK_MONOTONIC) + (uint64_t)(o.duration * 1e9)
					   : 0;
	hup_reopens = o.write_file && strcmp(o.write_file, "-") != 0;
	while (!stop_signal && !r.done && !r.out_error) {
		if (reopen_signal) {
			reopen_signal = 0;
			int e = uc_writer_reopen(r.writer);
			if (e) {
				r.out_error = e;
				r.writer_failed = true;
				break;
			}
		}
		int n = ring_buffer__poll(rb, UC_POLL_MS);
		/* The kernel side wakes us only for a batch (uc_submit): on a timeout, whatever
		 * is there is read all the same, so output lags by UC_POLL_MS at most. */
		if (n == 0)
			n = ring_buffer__consume(rb);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "unixcap: ring buffer poll: %s\n", strerror(-n));
			rc = 1;
			break;
		}
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		/* A message whose tail never came (ring full) is shown after a second, marked. */
		uc_reasm_flush(reasm, now - 1000000000ull);
		uc_fdlink_release(r.fdlink, now, false, deliver, &r);
		flush_output(&r);
		uc_status_tick(&r.status, now, r.captured, r.bytes, kernel_drops(&cap));
		if (deadline && now >= deadline)
			break;
		if ((r.print || (o.write_file && !strcmp(o.write_file, "-"))) && uc_stdout_gone())
			r.out_error = -EPIPE; /* the reader left: the normal end, as for EPIPE */
	}
	/* Whatever the kernel already wrote is still shown, then what stayed incomplete. */
	if (!r.done && !r.out_error)
		ring_buffer__consume(rb);
	if (!r.done && !r.out_error)
		uc_reasm_flush(reasm, UINT64_MAX);
	uc_fdlink_release(r.fdlink, 0, true, deliver, &r);
	uc_status_clear(&r.status);
	if (finish_output(&r))
		rc = 1;
	if (uc_sink_finish(sink))
		rc = 1;
	uc_sink_free(sink);
	/* Wireshark reports anything an extcap writes on stderr as an error. */
	if (!extcap)
		print_summary(&r, &cap, reasm);
	uc_detail_free(&r.detail);
	uc_fdlink_free(r.fdlink);

	uc_socktable_free(r.holders);
	ring_buffer__free(rb);
	uc_reasm_free(reasm);
	uc_capture_close(&cap);
	uc_options_free(&o);
	return rc;
}
