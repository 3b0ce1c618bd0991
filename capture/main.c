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

#include "backend.h"
#include "options.h"
#include "privileges.h"
#include "proc_names.h"
#include "reassembly.h"
#include "../writers/console.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct run {
	struct uc_options *o;
	struct uc_console console;
	uint64_t captured;
	int out_error; /* -errno of the first failed write to stdout */
	bool done;     /* -c reached */
};

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

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
	struct uc_message m = *msg;
	uc_comm_of_pid(m.m.peer_pid, m.m.ts_ns, m.peer_comm);
	int e = uc_console_write(&r->console, &m);
	if (e) {
		r->out_error = e;
		return 1;
	}
	r->captured++;
	if (r->o->count && r->captured >= r->o->count) {
		r->done = true;
		return 1;
	}
	return 0;
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

static void print_summary(const struct run *r, const struct uc_capture *cap,
			  const struct uc_reasm *reasm)
{
	uint64_t st[UC_STAT_MAX] = { 0 };
	uc_capture_stats(cap, st);
	const struct uc_reasm_stats *rs = uc_reasm_stats(reasm);
	uint64_t dropped = st[UC_STAT_DROP_MSGS] + st[UC_STAT_DROP_PENDING];

	fprintf(stderr, "unixcap: backend %s; %llu cut short (ring full mid-message), %llu copy "
			"faults, %llu malformed records\n",
		uc_backend_name(cap->backend), (unsigned long long)rs->gaps,
		(unsigned long long)st[UC_STAT_READ_FAULTS],
		(unsigned long long)rs->malformed);
	fprintf(stderr, "%llu messages captured, %llu dropped\n", (unsigned long long)r->captured,
		(unsigned long long)dropped);
}

static int flush_output(struct run *r)
{
	if (!r->out_error && fflush(stdout) != 0)
		r->out_error = -errno;
	return r->out_error;
}

int main(int argc, char **argv)
{
	struct uc_options o;
	char err[512] = "";
	int rc = 0;

	switch (uc_parse_options(argc, argv, &o, err, sizeof(err))) {
	case UC_PARSE_EXIT:
		return 0;
	case UC_PARSE_ERROR:
		fprintf(stderr, "unixcap: %s\n", err);
		return 2;
	case UC_PARSE_RUN:
		break;
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

	struct uc_capture cap;
	if (uc_capture_open(&cap, &o, err, sizeof(err))) {
		fprintf(stderr, "unixcap: %s\n", err);
		uc_options_free(&o);
		return 1;
	}

	struct run r = { .o = &o };
	r.console = (struct uc_console){ .out = stdout, .mode = o.mode, .relative_ts = o.relative_ts };
	struct uc_reasm *reasm = uc_reasm_new(o.snaplen, on_message, &r);
	struct ring_buffer *rb = reasm ? ring_buffer__new(cap.ringbuf_fd, on_record, reasm, NULL)
				       : NULL;
	if (!rb) {
		fprintf(stderr, "unixcap: ring buffer: %s\n", strerror(errno ? errno : ENOMEM));
		uc_reasm_free(reasm);
		uc_capture_close(&cap);
		uc_options_free(&o);
		return 1;
	}
	uc_reasm_set_clock_offset(reasm, (int64_t)(now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC)));
	install_signals();

	if (!o.quiet)
		fprintf(stderr, "unixcap: listening on AF_UNIX, backend %s, snaplen %u, buffer %u KiB\n",
			uc_backend_name(cap.backend), o.snaplen, o.ring_kib);
	if (o.verbose && cap.notes[0])
		fprintf(stderr, "unixcap: %s backend: %s\n", uc_backend_name(cap.backend), cap.notes);

	uint64_t deadline = o.duration > 0 ? now_ns(CLOCK_MONOTONIC) + (uint64_t)(o.duration * 1e9)
					   : 0;
	while (!stop_signal && !r.done && !r.out_error) {
		int n = ring_buffer__poll(rb, 100);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "unixcap: ring buffer poll: %s\n", strerror(-n));
			rc = 1;
			break;
		}
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		/* A message whose tail never came (ring full) is shown after a second, marked. */
		uc_reasm_flush(reasm, now - 1000000000ull);
		flush_output(&r);
		if (deadline && now >= deadline)
			break;
	}
	/* Whatever the kernel already wrote is still shown, then what stayed incomplete. */
	if (!r.done && !r.out_error)
		ring_buffer__consume(rb);
	if (!r.done && !r.out_error)
		uc_reasm_flush(reasm, UINT64_MAX);
	flush_output(&r);
	if (r.out_error && r.out_error != -EPIPE) {
		fprintf(stderr, "unixcap: writing output: %s\n", strerror(-r.out_error));
		rc = 1;
	}
	print_summary(&r, &cap, reasm);

	ring_buffer__free(rb);
	uc_reasm_free(reasm);
	uc_capture_close(&cap);
	uc_options_free(&o);
	return rc;
}
