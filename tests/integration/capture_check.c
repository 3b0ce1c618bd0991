/*
 * capture_check - capture real generator traffic with unixcap and check every message.
 *
 * Usage: capture_check --unixcap PATH [--backend B] [--snaplen N] [--expect-backend B]
 *                      [--checks NAME,...] [--timeout SECONDS] [--debug]
 *                      [--] [extra unixcap args...]
 *
 * Every check is one or more real runs: a child process (the generator scenarios of
 * tests/gen, linked in) creates its sockets and waits; unixcap is started, filtered as the
 * check needs; once unixcap says "unixcap: listening on" the child sends its traffic and
 * exits; 300 ms later unixcap gets SIGINT. The generator's log and unixcap's output are
 * then compared. kernel.kptr_restrict is set to 1 for the whole run (and restored) so that
 * /proc/net/unix shows the real socket addresses that unixcap reports.
 *
 *   --unixcap PATH      the unixcap binary (required)
 *   --backend B         auto|fentry|kprobe|tracepoint (default auto)
 *   --snaplen N         snaplen of every run but snaplen.small (default 262144)
 *   --expect-backend B  run unixcap with --backend auto -v and check that it picks B
 *   --checks LIST       only these checks (a name, or a prefix before '.': "filter")
 *   --timeout SECONDS   overall limit (default 170); the run is failed when it is hit
 *   --debug             print every unixcap command line and its stderr
 *   anything else (or everything after --) is passed to every unixcap run
 *
 * Prints "ok NAME" or "FAIL NAME: reason" per check, then "N passed, M failed".
 * Details of failures go to stderr. Exit 0 iff no check failed.
 *
 * This file is the command line and the program's frame (setup, totals). The parts:
 *   check_harness.c  verdicts, signal safety net, running generator + unixcap (one run)
 *   check_logs.c     parsing the generator's log and unixcap's output
 *   check_match.c    the send matcher, JSON key order, the summary line
 *   check_fds.c      fd passes in --json and in the --fds -T table
 *   check_table.c    the table of checks (name, run, expectation) and its driver
 *   checks_filters.c the filter options and the sends each must select
 * A new option goes into struct opts (check_harness.h), parse_args and usage below.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "gen.h"

/* ---- command line ----------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: capture_check --unixcap PATH [--backend B] [--snaplen N]\n"
		   "                     [--expect-backend B] [--checks NAME,...] [--timeout S]\n"
		   "                     [--debug] [--] [extra unixcap args...]\n"
		   "checks: backend capture failed-hidden json-format summary fds errors filter.sock\n"
		   "        filter.sock-dests filter.inode filter.path filter.path-abstract\n"
		   "        filter.path-prefix filter.type filter.tid\n"
		   "        filter.comm count hexdump snaplen.small fds-table peer-comm\n");
}

static bool valid_backend(const char *b)
{
	return !strcmp(b, "auto") || !strcmp(b, "fentry") || !strcmp(b, "kprobe") ||
	       !strcmp(b, "tracepoint");
}

static int parse_args(int argc, char **argv, struct opts *op)
{
	static char *extra[64];

	memset(op, 0, sizeof(*op));
	op->backend = "auto";
	op->snaplen = UG_SNAPLEN_DEFAULT;
	op->timeout = 170;
	op->extra = extra;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		if (!strcmp(a, "--")) {
			while (++i < argc && op->nextra < 60)
				extra[op->nextra++] = argv[i];
			break;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--unixcap") && has_val) {
			op->unixcap = argv[++i];
		} else if (!strcmp(a, "--backend") && has_val) {
			op->backend = argv[++i];
		} else if (!strcmp(a, "--expect-backend") && has_val) {
			op->expect_backend = argv[++i];
		} else if (!strcmp(a, "--checks") && has_val) {
			op->checks = argv[++i];
		} else if (!strcmp(a, "--debug")) {
			op->debug = true;
		} else if ((!strcmp(a, "--snaplen") || !strcmp(a, "--timeout")) && has_val) {
			char *end;
			unsigned long v = strtoul(argv[++i], &end, 10);

			if (*end || !v || v > 0x7fffffffUL) {
				fprintf(stderr, "capture_check: bad %s '%s'\n", a, argv[i]);
				return -1;
			}
			if (!strcmp(a, "--snaplen"))
				op->snaplen = (uint32_t)v;
			else
				op->timeout = (int)v;
		} else if (op->nextra < 60) {
			extra[op->nextra++] = argv[i];
		}
	}
	if (!op->unixcap) {
		fprintf(stderr, "capture_check: --unixcap is required\n");
		return -1;
	}
	if (!valid_backend(op->backend) ||
	    (op->expect_backend && !valid_backend(op->expect_backend))) {
		fprintf(stderr, "capture_check: unknown backend\n");
		return -1;
	}
	return 0;
}

static void setup_fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL setup: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n%d passed, %d failed\n", checks_passed(), checks_failed() + 1);
	fflush(stdout);
	restore_kptr();
	exit(1);
}

int main(int argc, char **argv)
{
	struct opts op;
	int old, rc;
	int64_t t0 = now_ms();

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &op) < 0) {
		usage(stderr);
		return 2;
	}
	if (op.expect_backend && strcmp(op.backend, "auto"))
		fprintf(stderr, "capture_check: --expect-backend given: running --backend auto\n");

	harness_signals((unsigned)op.timeout);

	if (geteuid() != 0)
		setup_fail("must run as root (BPF, and real kernel addresses in /proc/net/unix)");
	if (access(op.unixcap, X_OK) != 0)
		setup_fail("%s: %s", op.unixcap, strerror(errno));
	rc = ug_kptr_restrict_set(1, &old);
	if (rc < 0)
		setup_fail("cannot set kernel.kptr_restrict to 1: %s", strerror(-rc));
	harness_kptr_saved(old);
	atexit(restore_kptr);

	run_checks(&op);

	alarm(0);
	restore_kptr();
	fprintf(stderr, "capture_check: %.1f s\n", (double)(now_ms() - t0) / 1000);
	printf("%d passed, %d failed\n", checks_passed(), checks_failed());
	return checks_failed() ? 1 : 0;
}
