/* The start-up section: how long unixcap takes from exec until it captures (its "listening
 * on" line on stderr), and how long `unixcap -L` takes from exec to exit. */
#include "startup.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_STEPS 12

/* The -v lines "unixcap: start-up: STEP: N ms", summed per step name over the runs. */
struct steps {
	char name[MAX_STEPS][64];
	double ms[MAX_STEPS][UB_MAX_RUNS];
	int n[MAX_STEPS], count;
};

static void note_steps(struct steps *st, const char *log)
{
	const char *tag = "unixcap: start-up: ";
	for (const char *p = log; (p = strstr(p, tag)); p++) {
		char name[64];
		unsigned ms;
		const char *s = p + strlen(tag), *colon = strstr(s, ": ");
		if (!colon || (size_t)(colon - s) >= sizeof(name) || sscanf(colon + 2, "%u ms", &ms) != 1)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(colon - s), s);
		int i = 0;
		while (i < st->count && strcmp(st->name[i], name))
			i++;
		if (i == st->count) {
			if (st->count == MAX_STEPS)
				continue;
			snprintf(st->name[st->count++], sizeof(st->name[0]), "%s", name);
		}
		if (st->n[i] < UB_MAX_RUNS)
			st->ms[i][st->n[i]++] = ms;
	}
}

/* SIGINT, then SIGKILL if it has not gone after 5 s. */
static void stop(pid_t pid)
{
	kill(pid, SIGINT);
	for (int i = 0; i < 500; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		ub_sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* One exec: seconds to the listening line (a capture) or to exit (-L); < 0 on failure. */
static double one_run(char *const argv[], bool capture, const struct tr_env *env,
		      struct steps *st)
{
	struct tr_run tr = { .pid = -1, .err_fd = -1 };
	uint64_t t0 = ub_now_ns(), deadline = t0 + (uint64_t)(env->ready_timeout * 1e9);
	double s = -1;

	tr.pid = tr_spawn(argv, NULL, NULL, &tr.err_fd, env->avoid_cpu);
	if (tr.pid < 0)
		return -1;
	if (capture) {
		while (!strstr(tr.errbuf, "unixcap: listening on") && tr.err_fd >= 0 &&
		       ub_now_ns() < deadline)
			tr_drain_err(&tr, 50);
		if (strstr(tr.errbuf, "unixcap: listening on"))
			s = (double)(ub_now_ns() - t0) / 1e9;
		stop(tr.pid);
	} else {
		int status = 0;
		waitpid(tr.pid, &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			s = (double)(ub_now_ns() - t0) / 1e9;
	}
	while (tr.err_fd >= 0)
		tr_drain_err(&tr, 100);
	if (st)
		note_steps(st, tr.errbuf);
	if (s < 0)
		fprintf(stderr, "unixbench: start-up of %s failed: %.300s\n", argv[0], tr.errbuf);
	return s;
}

struct row {
	const char *label;
	char *argv[12];
	bool capture;
	struct steps *steps;
	double v[UB_MAX_RUNS];
	int n;
};

static void print_row(const struct row *r)
{
	double v[UB_MAX_RUNS];
	memcpy(v, r->v, sizeof(v));
	if (!r->n) {
		printf("| %s | 0 | failed | | |\n", r->label);
		return;
	}
	qsort(v, (size_t)r->n, sizeof(double), ub_cmp_double);
	printf("| %s | %d | %.3f | %.3f | %.3f |\n", r->label, r->n, ub_median(v, r->n), v[0],
	       v[r->n - 1]);
}

int startup_section(const struct tr_env *env, int runs)
{
	char pid[16], file[512];
	const char *b = env->backend ? env->backend : "auto";
	snprintf(pid, sizeof(pid), "%d", (int)getpid()); /* a target that sends nothing */
	snprintf(file, sizeof(file), "%s/startup.pcapng", env->dir);
	static struct steps st;
	char *u = (char *)env->unixcap, *bk = (char *)b;
	struct row rows[] = {
		{ .label = "unixcap -p PID > /dev/null", .capture = true,
		  .argv = { u, "--backend", bk, "-p", pid, NULL } },
		{ .label = "unixcap -p PID -w FILE", .capture = true,
		  .argv = { u, "--backend", bk, "-p", pid, "-w", file, NULL } },
		{ .label = "unixcap -v -p PID > /dev/null", .capture = true, .steps = &st,
		  .argv = { u, "-v", "--backend", bk, "-p", pid, NULL } },
		{ .label = "unixcap -L > /dev/null (to exit)", .argv = { u, "-L", NULL } },
	};
	int nrows = (int)(sizeof(rows) / sizeof(rows[0])), failed = 0;

	memset(&st, 0, sizeof(st));
	for (int r = 0; r < runs; r++) {
		fprintf(stderr, "unixbench: start-up, run %d of %d\n", r + 1, runs);
		for (int i = 0; i < nrows; i++) {
			double s = one_run(rows[i].argv, rows[i].capture, env, rows[i].steps);
			if (s < 0)
				failed++;
			else
				rows[i].v[rows[i].n++] = s;
		}
	}
	printf("### Start-up: exec to the `listening on` line (capture), exec to exit (-L)\n\n");
	printf("| command (--backend %s) | runs | median s | min s | max s |\n", b);
	printf("|---|---:|---:|---:|---:|\n");
	for (int i = 0; i < nrows; i++)
		print_row(&rows[i]);
	printf("\nWhere the time goes (`-v`'s start-up lines, median ms of the runs):\n\n");
	/* "- PART" lines are parts of the step printed after them (they end first): each step,
	 * then its parts as a nested list. */
	for (int i = 0, first_part = 0; i < st.count; i++) {
		if (!strncmp(st.name[i], "- ", 2))
			continue;
		printf("- %s: %.0f ms\n", st.name[i], ub_median(st.ms[i], st.n[i]));
		for (; first_part < i; first_part++)
			printf("  - %s: %.0f ms\n", st.name[first_part] + 2,
			       ub_median(st.ms[first_part], st.n[first_part]));
		first_part = i + 1;
	}
	printf("\n");
	fflush(stdout);
	return failed;
}
