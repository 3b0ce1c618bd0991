/*
 * unixgen - send real AF_UNIX traffic of every kind and log every send as JSON lines.
 *
 * Usage: unixgen [--log FILE] [--only SCENARIO,...] [--snaplen N] [--wait-start]
 *                [--kptr-restrict] [--list]
 *
 *   --log FILE       write the log to FILE instead of stdout
 *   --only LIST      run only these scenarios (comma-separated; see --list)
 *   --snaplen N      also hash the first N bytes of every send (snap_hash), default 262144
 *   --wait-start     once the sockets exist and the socket table is logged, print
 *                    "pid=<pid>" on stderr and wait for a line on stdin or SIGUSR1 before
 *                    sending anything (end of stdin alone does not start: only SIGUSR1 then)
 *   --kptr-restrict  set kernel.kptr_restrict to 1 for the run (root: real kernel addresses
 *                    in /proc/net/unix) and restore it afterwards
 *   --list           print the scenario names and exit
 *
 * The log format is described in gen.h. Exit: 0 every send went as expected, 1 some did
 * not (see stderr), 2 usage, 3 the run could not be set up.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen.h"

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static int wait_start(void *arg)
{
	sigset_t block, orig, during;
	struct sigaction sa;
	bool stdin_open = true;
	char buf[256];
	int rc = 0;

	(void)arg;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &orig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	during = orig;
	sigdelset(&during, SIGUSR1);

	fprintf(stderr, "pid=%d\n", (int)getpid());
	fflush(stderr);
	while (!got_usr1) {
		struct pollfd p = { .fd = 0, .events = POLLIN };
		int r = ppoll(stdin_open ? &p : NULL, stdin_open ? 1 : 0, NULL, &during);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		if (r > 0 && p.revents) {
			ssize_t n = read(0, buf, sizeof(buf));

			if (n <= 0)
				stdin_open = false;
			else if (memchr(buf, '\n', (size_t)n))
				break;
		}
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: unixgen [--log FILE] [--only SCENARIO,...] [--snaplen N] [--wait-start]\n"
		   "               [--kptr-restrict] [--list]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "only", required_argument, NULL, 'o' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "wait-start", no_argument, NULL, 'w' },
		{ "kptr-restrict", no_argument, NULL, 'k' },
		{ "list", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ug_options o;
	const char *logpath = NULL;
	bool kptr = false;
	int old_kptr = -1, opt, rc;
	char bad[64];

	memset(&o, 0, sizeof(o));
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			logpath = optarg;
			break;
		case 'o':
			o.only = optarg;
			break;
		case 's': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !v || v > 0xffffffffUL) {
				fprintf(stderr, "unixgen: bad --snaplen '%s'\n", optarg);
				return 2;
			}
			o.snaplen = (uint32_t)v;
			break;
		}
		case 'w':
			o.wait_go = wait_start;
			break;
		case 'k':
			kptr = true;
			break;
		case 'L':
			for (int i = 0; ug_scenario_names[i]; i++)
				printf("%s\n", ug_scenario_names[i]);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (o.only && ug_check_only(o.only, bad, sizeof(bad)) < 0) {
		fprintf(stderr, "unixgen: unknown scenario '%s' (see --list)\n", bad);
		return 2;
	}
	o.log = stdout;
	if (logpath) {
		o.log = fopen(logpath, "w");
		if (!o.log) {
			fprintf(stderr, "unixgen: %s: %s\n", logpath, strerror(errno));
			return 3;
		}
	}
	if (kptr) {
		int r = ug_kptr_restrict_set(1, &old_kptr);

		if (r < 0) {
			fprintf(stderr, "unixgen: kptr_restrict: %s\n", strerror(-r));
			return 3;
		}
	}
	rc = ug_run(&o);
	if (kptr && old_kptr >= 0)
		ug_kptr_restrict_set(old_kptr, NULL);
	if (o.log != stdout && fclose(o.log) != 0) {
		fprintf(stderr, "unixgen: %s: %s\n", logpath, strerror(errno));
		return 3;
	}
	fflush(stdout);
	return rc < 0 ? 3 : rc;
}
