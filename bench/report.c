/* The tables unixbench prints (Markdown, so they paste into docs/performance.md as-is). */
#include "report.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

void report_machine(const struct tr_env *env, const char *backend, double duration, int runs)
{
	struct utsname u;
	uname(&u);
	char cpu[256] = "", strace_v[128], socat_v[128];
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[256];
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "model name", 10)) {
				char *c = strchr(line, ':');
				snprintf(cpu, sizeof(cpu), "%s", c ? c + 2 : line);
				cpu[strcspn(cpu, "\n")] = 0;
				break;
			}
		fclose(f);
	}
	ub_first_line("strace -V 2>/dev/null", strace_v, sizeof(strace_v));
	ub_first_line("socat -V 2>/dev/null | grep 'socat version'", socat_v, sizeof(socat_v));
	printf("machine: %s, %ld CPUs online (%s)\n", u.machine, sysconf(_SC_NPROCESSORS_ONLN), cpu);
	printf("kernel: %s %s\n", u.sysname, u.release);
	printf("unixcap: %s, backend %s\n", env->unixcap, backend && *backend ? backend : "?");
	char kpeers[256];
	tr_peer_versions(env, kpeers, sizeof(kpeers));
	printf("peers: %s; %s; %s%s\n", strace_v[0] ? strace_v : "no strace",
	       socat_v[0] ? socat_v : "no socat", kpeers,
	       env->peer_wrap ? " (in the chroot of the peer wrapper)" : "");
	printf("each cell: median of %d runs of %.2f s, runs interleaved across tracers\n\n", runs,
	       duration);
}

static void fmt_rate(double v, char *out, size_t len)
{
	if (v >= 1e6)
		snprintf(out, len, "%.2fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(out, len, "%.1fk", v / 1e3);
	else
		snprintf(out, len, "%.0f", v);
}

void report_table_header(void)
{
	printf("| workload | tracer | msgs/s | MB/s | vs untraced | captured/sent | drops (max) | "
	       "tracer CPU s/M msgs | tracer CPU %% |\n");
	printf("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
}

void report_row(const struct cell *c, const struct cell *base)
{
	if (c->skip) {
		printf("| %s | %s | %s | | | | | | |\n", c->w->label, c->t->label, c->skip);
		return;
	}
	if (c->n == 0) {
		printf("| %s | %s | failed: %.80s | | | | | | |\n", c->w->label, c->t->label,
		       c->error ? c->error : "?");
		return;
	}
	struct cell_summary s, b;
	cell_summarize(c, &s);
	char rate[32], ratio[32] = "1.00", capt[32] = "", drops[32] = "", cpu[32] = "", share[32] = "";
	fmt_rate(s.msgs_per_s, rate, sizeof(rate));
	if (c->t->kind != TR_NONE) {
		ratio[0] = 0;
		if (base && base->n) {
			cell_summarize(base, &b);
			snprintf(ratio, sizeof(ratio), "%.3f", s.msgs_per_s / b.msgs_per_s);
		}
		snprintf(capt, sizeof(capt), "%.4f%s", s.captured_ratio, s.bytes_only ? " (bytes)" : "");
		if (tr_reports_drops(c->t))
			snprintf(drops, sizeof(drops), "%llu", (unsigned long long)s.dropped_max);
		else
			snprintf(drops, sizeof(drops), "n/a");
		snprintf(cpu, sizeof(cpu), "%.2f", s.cpu_us_per_msg);
		snprintf(share, sizeof(share), "%.0f%%", s.cpu_share * 100);
	}
	printf("| %s | %s | %s | %.1f | %s | %s | %s | %s | %s |\n", c->w->label, c->t->label, rate,
	       s.bytes_per_s / 1e6, ratio, capt, drops, cpu, share);
}
