/* Rate and bandwidth ladders (ladder.h). */
#include "ladder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_STEPS 16
#define MAX_TRACERS 8

struct rung {
	struct wl_spec w;
	char target[32]; /* as the table shows it */
};

static int split(char *list, const char *sep, char **out, int max)
{
	int n = 0;
	char *save, *tok;
	for (tok = strtok_r(list, sep, &save); tok && n < max; tok = strtok_r(NULL, sep, &save))
		out[n++] = tok;
	return n;
}

/* The tracers of one ring: each spec with ",B=ring" (0 = unixcap's default ring). */
static int tracers_for(char **specs, int n, unsigned ring, struct tr_spec *t, char labels[][80])
{
	for (int i = 0; i < n; i++) {
		char name[64];
		if (!tr_parse(specs[i], &t[i]) || t[i].kind != TR_UNIXCAP) {
			fprintf(stderr, "unixbench: ladder tracer '%s' is not a unixcap tracer\n",
				specs[i]);
			exit(2);
		}
		/* The ring has its own column: the label stays the tracer's. */
		snprintf(labels[i], 80, "%s", t[i].label);
		if (ring) {
			snprintf(name, sizeof(name), "%s,B=%u", specs[i], ring);
			tr_parse(name, &t[i]);
		}
	}
	return n;
}

static void row(const struct cell *c, const char *ring, const char *label, const char *target,
		bool gb)
{
	if (c->n == 0) {
		printf("| %s | %s | %s | failed: %.80s | | | | | |\n", ring, label, target,
		       c->error ? c->error : "?");
		return;
	}
	struct cell_summary s;
	cell_summarize(c, &s);
	char got[32];
	if (gb)
		snprintf(got, sizeof(got), "%.2f", s.bytes_per_s / 1e9);
	else if (s.msgs_per_s >= 1e3)
		snprintf(got, sizeof(got), "%.1fk", s.msgs_per_s / 1e3);
	else
		snprintf(got, sizeof(got), "%.0f", s.msgs_per_s);
	printf("| %s | %s | %s | %s | %llu | %.4f | %.0f%% | %.2f |\n", ring, label, target, got,
	       (unsigned long long)s.dropped_max, s.captured_ratio, s.cpu_share * 100,
	       s.cpu_us_per_msg);
}

static void header(bool gb)
{
	const char *unit = gb ? "GB/s" : "msgs/s";
	printf("| ring | tracer | target %s | achieved %s | drops (max) | captured/sent | "
	       "unixcap CPU %% | unixcap CPU µs/msg |\n", unit, unit);
	printf("|---:|---|---:|---:|---:|---:|---:|---:|\n");
}

/*
 * Climbs the rungs for every tracer at once: at each rung the tracers that have not dropped
 * yet run interleaved (run 1 of each, then run 2, ...); a tracer leaves the ladder at its
 * first rung with a drop in any run. first[i] says where that was.
 */
static void climb(const struct ladder_cfg *lc, struct rung *r, int nr, struct tr_spec *t,
		  char labels[][80], int nt, const char *ring, bool gb, char first[][128])
{
	bool out[MAX_TRACERS] = { 0 };
	for (int i = 0; i < nt; i++)
		snprintf(first[i], 128, "no drop up to the highest rate reached");
	for (int j = 0; j < nr; j++) {
		struct cell c[MAX_TRACERS] = { 0 };
		int left = 0;
		for (int i = 0; i < nt; i++) {
			c[i] = (struct cell){ .w = &r[j].w, .t = &t[i],
					      .skip = tr_unavailable(&t[i], lc->env, &r[j].w) };
			left += !out[i];
		}
		if (!left)
			break;
		fprintf(stderr, "unixbench: ladder, ring %s, %s\n", ring, r[j].w.label);
		for (int k = 0; k < lc->runs; k++)
			for (int i = 0; i < nt; i++)
				if (!out[i])
					cell_run(&c[i], lc->env, lc->wo, lc->verbose);
		for (int i = 0; i < nt; i++) {
			if (out[i])
				continue;
			row(&c[i], ring, labels[i], r[j].target, gb);
			if (lc->check)
				lc->check(&c[i], lc->check_ctx);
			struct cell_summary s;
			cell_summarize(&c[i], &s);
			if (c[i].n && s.dropped_max > 0) {
				out[i] = true;
				if (gb)
					snprintf(first[i], 128, "first drop at %s GB/s (%.2f achieved)",
						 r[j].target, s.bytes_per_s / 1e9);
				else
					snprintf(first[i], 128, "first drop at target %s msgs/s (%.0f achieved)",
						 r[j].target, s.msgs_per_s);
			}
		}
		fflush(stdout);
	}
}

void ladder_rates(const struct ladder_cfg *lc, char *rings, char *tracers, char *rates)
{
	char *ring_s[MAX_STEPS], *step_s[MAX_STEPS], *spec_s[MAX_TRACERS];
	int nrings = split(rings, ",", ring_s, MAX_STEPS);
	int nsteps = split(rates, ",", step_s, MAX_STEPS);
	int nt = split(tracers, ";", spec_s, MAX_TRACERS);
	struct rung r[MAX_STEPS];
	for (int j = 0; j < nsteps; j++) {
		char name[40];
		snprintf(name, sizeof(name), "rate:64:%s", step_s[j]);
		if (!wl_parse(name, &r[j].w)) {
			fprintf(stderr, "unixbench: bad rate '%s'\n", step_s[j]);
			exit(2);
		}
		snprintf(r[j].target, sizeof(r[j].target), "%s",
			 r[j].w.rate > 0 ? step_s[j] : "max");
	}
	printf("### First drop: 64 B stream writes at a fixed rate\n\n");
	header(false);
	char first[MAX_STEPS][MAX_TRACERS][128], labels[MAX_TRACERS][80];
	for (int g = 0; g < nrings; g++) {
		struct tr_spec t[MAX_TRACERS];
		unsigned kib = (unsigned)atoi(ring_s[g]);
		char ring[32];
		snprintf(ring, sizeof(ring), "%u MiB", kib / 1024);
		tracers_for(spec_s, nt, kib, t, labels);
		climb(lc, r, nsteps, t, labels, nt, ring, false, first[g]);
	}
	printf("\n");
	for (int g = 0; g < nrings; g++)
		for (int i = 0; i < nt; i++)
			printf("- ring %d MiB, %s: %s\n", atoi(ring_s[g]) / 1024, labels[i], first[g][i]);
	printf("\n");
}

/* MemAvailable in KiB (0 if unknown). */
static unsigned long long mem_available_kib(void)
{
	unsigned long long kib = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static int bw_rungs(char *gbps, const char *size, struct rung *r)
{
	char *step_s[MAX_STEPS], name[40];
	int n = split(gbps, ",", step_s, MAX_STEPS);
	struct wl_spec probe;
	snprintf(name, sizeof(name), "bulk:%s", size);
	if (!wl_parse(name, &probe)) {
		fprintf(stderr, "unixbench: bad size '%s'\n", size);
		exit(2);
	}
	for (int j = 0; j < n; j++) {
		double gb = atof(step_s[j]);
		snprintf(name, sizeof(name), "rate:%s:%.0f", size, gb * 1e9 / probe.size);
		if (!wl_parse(name, &r[j].w)) {
			fprintf(stderr, "unixbench: bad rate '%s' GB/s\n", step_s[j]);
			exit(2);
		}
		snprintf(r[j].target, sizeof(r[j].target), "%s", gb > 0 ? step_s[j] : "max");
	}
	return n;
}

void ladder_bandwidth(const struct ladder_cfg *lc, char *tracers, char *gbps, const char *size,
		      char *big_rings)
{
	char *spec_s[MAX_TRACERS], *ring_s[MAX_STEPS], labels[MAX_TRACERS][80];
	char first[MAX_TRACERS][128];
	int nt = split(tracers, ";", spec_s, MAX_TRACERS);
	int nrings = big_rings ? split(big_rings, ",", ring_s, MAX_STEPS) : 0;
	struct rung r[MAX_STEPS];
	int nr = bw_rungs(gbps, size, r);
	struct tr_spec t[MAX_TRACERS];
	printf("### Bandwidth: %s stream writes at a fixed rate\n\n", size);
	header(true);
	tracers_for(spec_s, nt, 0, t, labels);
	climb(lc, r, nr, t, labels, nt, "default", true, first);
	/* Unpaced with larger rings: how much of a bulk load a bigger ring keeps. */
	struct rung max;
	char name[40];
	snprintf(name, sizeof(name), "rate:%s:0", size);
	wl_parse(name, &max.w);
	snprintf(max.target, sizeof(max.target), "max");
	char skipped[256] = "";
	for (int g = 0; g < nrings; g++) {
		unsigned kib = (unsigned)atoi(ring_s[g]);
		char ring[32], dummy[MAX_TRACERS][128];
		/* The ring is locked memory: leave the machine at least as much again. */
		if (mem_available_kib() < 2ull * kib) {
			size_t l = strlen(skipped);
			snprintf(skipped + l, sizeof(skipped) - l, " %u MiB", kib / 1024);
			continue;
		}
		snprintf(ring, sizeof(ring), "%u MiB", kib / 1024);
		struct tr_spec tb[MAX_TRACERS];
		tracers_for(spec_s, nt, kib, tb, labels);
		climb(lc, &max, 1, tb, labels, nt, ring, true, dummy);
	}
	printf("\n");
	for (int i = 0; i < nt; i++)
		printf("- default ring, %s: %s\n", labels[i], first[i]);
	if (skipped[0])
		printf("- not run for want of memory (MemAvailable < 2 x ring):%s\n", skipped);
	printf("\n");
}
