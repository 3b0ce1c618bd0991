/* unixbench: runs AF_UNIX workloads untraced and under each tracer in one invocation, and
 * prints the comparison tables. */
#include "ladder.h"
#include "report.h"
#include "startup.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef UNIXBENCH_UNIXCAP
#define UNIXBENCH_UNIXCAP "unixcap"
#endif

#define MAX_LIST 32

struct cfg {
	struct tr_env env;
	struct wl_opts wo;
	int runs, rate_runs, startup_runs;
	double size_duration;
	bool main_sec, sizes_sec, rates_sec, bw_sec, startup_sec, check, verbose;
	char *workloads, *tracers, *sizes, *rates, *rings, *rate_tracers;
	char *bw, *bw_size, *bw_tracers, *bw_rings;
};

static int split(char *list, char **out, int max)
{
	int n = 0;
	char *save, *tok;
	for (tok = strtok_r(list, ",;", &save); tok && n < max; tok = strtok_r(NULL, ",;", &save))
		out[n++] = tok;
	return n;
}

/* Tracer lists separate with ';' since a tracer's own options use ','. */
static int parse_tracers(char *list, struct tr_spec *t, int max)
{
	int n = 0;
	char *save, *tok;
	for (tok = strtok_r(list, ";", &save); tok && n < max; tok = strtok_r(NULL, ";", &save)) {
		if (!tr_parse(tok, &t[n])) {
			fprintf(stderr, "unixbench: unknown tracer '%s'\n", tok);
			exit(2);
		}
		n++;
	}
	return n;
}

static int parse_workloads(char *list, struct wl_spec *w, int max)
{
	char *names[MAX_LIST];
	int n = split(list, names, max < MAX_LIST ? max : MAX_LIST);
	for (int i = 0; i < n; i++)
		if (!wl_parse(names[i], &w[i])) {
			fprintf(stderr, "unixbench: unknown workload '%s'\n", names[i]);
			exit(2);
		}
	return n;
}

static int failures;
static char seen_backend[64]; /* every backend unixcap reported, comma-separated */

static void note_backend(const char *b)
{
	size_t bl = strlen(b), l = strlen(seen_backend);
	for (const char *p = seen_backend; (p = strstr(p, b)); p += bl)
		if ((p == seen_backend || p[-1] == ',') && (p[bl] == ',' || !p[bl]))
			return;
	snprintf(seen_backend + l, sizeof(seen_backend) - l, "%s%s", l ? "," : "", b);
}

/* Every unixcap run without drops must have captured exactly what was sent. */
static void check_cell(const struct cell *c, const struct cfg *cf)
{
	if (c->error && !c->skip)
		failures++;
	for (int i = 0; i < c->n; i++) {
		const struct sample *s = &c->s[i];
		if (s->backend[0])
			note_backend(s->backend);
		/* The server's first recvmsg is already in the kernel when unixcap attaches: a
		 * syscall tracepoint never saw it enter, so that one receive goes unrecorded. */
		uint64_t slack = c->w->kind == WL_FDPASS ? 1 : 0;
		if (cf->check && c->t->kind == TR_UNIXCAP && s->dropped == 0 &&
		    (s->captured > s->expected || s->captured + slack < s->expected)) {
			fprintf(stderr, "unixbench: %s under %s: captured %llu of %llu, 0 dropped\n",
				c->w->label, c->t->label, (unsigned long long)s->captured,
				(unsigned long long)s->expected);
			failures++;
		}
	}
}

/* Rows: workloads; columns: tracers; runs interleaved so drift hits every tracer alike. */
static void matrix(struct cfg *cf, struct wl_spec *w, int nw, struct tr_spec *t, int nt,
		   int runs, const char *title)
{
	struct cell *cells = calloc((size_t)(nw * nt), sizeof(*cells));
	for (int i = 0; i < nw; i++)
		for (int j = 0; j < nt; j++) {
			struct cell *c = &cells[i * nt + j];
			c->w = &w[i];
			c->t = &t[j];
			c->skip = tr_unavailable(&t[j], &cf->env, &w[i]);
		}
	for (int r = 0; r < runs; r++) {
		fprintf(stderr, "unixbench: %s, run %d of %d\n", title, r + 1, runs);
		for (int k = 0; k < nw * nt; k++)
			cell_run(&cells[k], &cf->env, &cf->wo, cf->verbose);
	}
	printf("### %s\n\n", title);
	report_table_header();
	for (int i = 0; i < nw; i++) {
		const struct cell *base = NULL;
		for (int j = 0; j < nt; j++)
			if (t[j].kind == TR_NONE)
				base = &cells[i * nt + j];
		for (int j = 0; j < nt; j++) {
			report_row(&cells[i * nt + j], base);
			check_cell(&cells[i * nt + j], cf);
		}
	}
	printf("\n");
	fflush(stdout);
	free(cells);
}

static void ladder_check(const struct cell *c, void *ctx)
{
	check_cell(c, ctx);
}

static void usage(FILE *f)
{
	fputs("Usage: unixbench [options]\n"
	      "  --unixcap PATH   unixcap binary (default: the one built alongside)\n"
	      "  --backend B      unixcap --backend (default: unixcap's auto)\n"
	      "  -d SECONDS       duration of each run (default 0.5)\n"
	      "  -n RUNS          runs per cell, median reported (default 5)\n"
	      "  -w LIST          workloads: pp:SIZE, bulk:SIZE, dgram:SIZE, fanin:N, fdpass,\n"
	      "                   rate:SIZE:RATE (default pp:64,pp:1k,bulk:64k,dgram:64,fanin:16,fdpass)\n"
	      "  -t LIST          tracers, ';'-separated: none, console, pcapng, zstd, strace, socat,\n"
	      "                   bpftrace, sofdsnoop; unixcap options as console,B=KiB,s=SNAPLEN,\n"
	      "                   b=BACKEND (this tracer's --backend), u=PATH (its binary)\n"
	      "  --sections LIST  main,sizes,rates,bandwidth,startup (default all five)\n"
	      "  --sizes LIST     message sizes for the size section (default 64,1k,16k,64k,256k,1m)\n"
	      "  --size-duration S  duration of each size run (default: -d)\n"
	      "  --rates LIST     rate ladder in msgs/s, 0 = unpaced (default 100k,250k,500k,750k,1M,0)\n"
	      "  --rings LIST     ring sizes in KiB (default 4096,16384,65536)\n"
	      "  --rate-tracers LIST  unixcap tracers that climb the rate ladder side by side\n"
	      "                   (default console;pcapng)\n"
	      "  --rate-runs N    runs per ladder step and tracer, interleaved (default 3)\n"
	      "  --bw LIST        bandwidth ladder in GB/s, 0 = unpaced (default 0.5,1,2,4,0)\n"
	      "  --bw-size SIZE   message size of the bandwidth ladder (default 64k)\n"
	      "  --bw-tracers LIST  unixcap tracers of the bandwidth ladder (default pcapng)\n"
	      "  --bw-rings LIST  larger rings (KiB) for the unpaced step, run where MemAvailable\n"
	      "                   is at least twice the ring (default 262144; '' = none)\n"
	      "  --startup-runs N  runs of each start-up row (default 10)\n"
	      "  --cpu N          run the workload on CPU N and the tracers on the others, so a\n"
	      "                   ping-pong does not swing with where the scheduler puts its two\n"
	      "                   ends (default 0; -1 = no pinning)\n"
	      "  --dir DIR        where sockets and capture files go (default a new /tmp dir)\n"
	      "  --peer-wrap PATH run bpftrace and sofdsnoop-bpfcc as \"PATH CMD ARGS\" (the VM's\n"
	      "                   Debian chroot, bench/vm/peers-rootfs.sh)\n"
	      "  --ready-timeout S  how long a tracer may take to attach (default 20)\n"
	      "  --check          exit 1 unless every run worked and unixcap's count is exact\n"
	      "  -v               one line per run on stderr\n",
	      f);
}

int main(int argc, char **argv)
{
	struct cfg cf = {
		.env = { .unixcap = UNIXBENCH_UNIXCAP, .ready_timeout = 20, .avoid_cpu = 0 },
		.wo = { .duration = 0.5, .cpu = 0 },
		.runs = 5,
		.rate_runs = 3,
		.startup_runs = 10,
		.main_sec = true, .sizes_sec = true, .rates_sec = true, .bw_sec = true,
		.startup_sec = true,
		.workloads = strdup("pp:64,pp:1k,bulk:64k,dgram:64,fanin:16,fdpass"),
		.tracers = strdup("none;console;pcapng;zstd;strace;socat"),
		.sizes = strdup("64,1k,16k,64k,256k,1m"),
		.rates = strdup("100k,250k,500k,750k,1M,0"),
		.rings = strdup("4096,16384,65536"),
		.rate_tracers = strdup("console;pcapng"),
		.bw = strdup("0.5,1,2,4,0"),
		.bw_size = strdup("64k"),
		.bw_tracers = strdup("pcapng"),
		.bw_rings = strdup("262144"),
	};
	char *dir = NULL;
	enum { O_UNIXCAP = 256, O_BACKEND, O_SECTIONS, O_SIZES, O_RATES, O_RINGS, O_RATE_RUNS,
	       O_DIR, O_CHECK, O_SIZE_DUR, O_CPU, O_PEER_WRAP, O_READY, O_STARTUP_RUNS,
	       O_RATE_TRACERS, O_BW, O_BW_SIZE, O_BW_TRACERS, O_BW_RINGS };
	static const struct option lo[] = {
		{ "unixcap", required_argument, NULL, O_UNIXCAP },
		{ "backend", required_argument, NULL, O_BACKEND },
		{ "sections", required_argument, NULL, O_SECTIONS },
		{ "sizes", required_argument, NULL, O_SIZES },
		{ "size-duration", required_argument, NULL, O_SIZE_DUR },
		{ "rates", required_argument, NULL, O_RATES },
		{ "rings", required_argument, NULL, O_RINGS },
		{ "rate-runs", required_argument, NULL, O_RATE_RUNS },
		{ "rate-tracers", required_argument, NULL, O_RATE_TRACERS },
		{ "bw", required_argument, NULL, O_BW },
		{ "bw-size", required_argument, NULL, O_BW_SIZE },
		{ "bw-tracers", required_argument, NULL, O_BW_TRACERS },
		{ "bw-rings", required_argument, NULL, O_BW_RINGS },
		{ "startup-runs", required_argument, NULL, O_STARTUP_RUNS },
		{ "dir", required_argument, NULL, O_DIR },
		{ "check", no_argument, NULL, O_CHECK },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "peer-wrap", required_argument, NULL, O_PEER_WRAP },
		{ "ready-timeout", required_argument, NULL, O_READY },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "d:n:w:t:vh", lo, NULL)) != -1) {
		switch (opt) {
		case O_UNIXCAP: cf.env.unixcap = optarg; break;
		case O_BACKEND: cf.env.backend = optarg; break;
		case O_SECTIONS:
			cf.main_sec = strstr(optarg, "main") != NULL;
			cf.sizes_sec = strstr(optarg, "sizes") != NULL;
			cf.rates_sec = strstr(optarg, "rates") != NULL;
			cf.bw_sec = strstr(optarg, "bandwidth") != NULL;
			cf.startup_sec = strstr(optarg, "startup") != NULL;
			break;
		case O_SIZES: cf.sizes = optarg; break;
		case O_SIZE_DUR: cf.size_duration = atof(optarg); break;
		case O_RATES: cf.rates = optarg; break;
		case O_RINGS: cf.rings = optarg; break;
		case O_RATE_RUNS: cf.rate_runs = atoi(optarg); break;
		case O_RATE_TRACERS: cf.rate_tracers = optarg; break;
		case O_BW: cf.bw = optarg; break;
		case O_BW_SIZE: cf.bw_size = optarg; break;
		case O_BW_TRACERS: cf.bw_tracers = optarg; break;
		case O_BW_RINGS: cf.bw_rings = optarg; break;
		case O_STARTUP_RUNS: cf.startup_runs = atoi(optarg); break;
		case O_DIR: dir = optarg; break;
		case O_CHECK: cf.check = true; break;
		case O_CPU: cf.wo.cpu = cf.env.avoid_cpu = atoi(optarg); break;
		case O_PEER_WRAP: cf.env.peer_wrap = optarg; break;
		case O_READY: cf.env.ready_timeout = atof(optarg); break;
		case 'd': cf.wo.duration = atof(optarg); break;
		case 'n': cf.runs = atoi(optarg); break;
		case 'w': cf.workloads = optarg; break;
		case 't': cf.tracers = optarg; break;
		case 'v': cf.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (cf.runs < 1 || cf.runs > UB_MAX_RUNS || cf.rate_runs < 1 ||
	    cf.rate_runs > UB_MAX_RUNS || cf.startup_runs < 1 || cf.startup_runs > UB_MAX_RUNS || cf.wo.duration <= 0 || cf.env.ready_timeout <= 0) {
		usage(stderr);
		return 2;
	}
	if (geteuid() != 0)
		fprintf(stderr, "unixbench: not root: unixcap and strace -p will likely fail\n");
	char tmpl[] = "/tmp/unixbench.XXXXXX";
	if (!dir && !(dir = mkdtemp(tmpl))) {
		perror("unixbench: mkdtemp");
		return 1;
	}
	cf.env.dir = cf.wo.dir = dir;
	ub_pin(cf.env.avoid_cpu, true);
	/* A tracer's pipe can close under us; that is reported, not fatal. */
	signal(SIGPIPE, SIG_IGN);
	/* The peers print payloads and events as they come: as much of each payload as
	 * bpftrace 0.17 allows, and no Python buffering between sofdsnoop and its file. */
	setenv("BPFTRACE_STRLEN", "200", 0);
	setenv("PYTHONUNBUFFERED", "1", 0);

	static struct wl_spec w[MAX_LIST];
	static struct tr_spec t[MAX_LIST];
	if (cf.main_sec) {
		int nw = parse_workloads(cf.workloads, w, MAX_LIST);
		int nt = parse_tracers(cf.tracers, t, MAX_LIST);
		matrix(&cf, w, nw, t, nt, cf.runs, "Workloads under each tracer");
	}
	if (cf.sizes_sec) {
		char *sz[MAX_LIST], names[MAX_LIST * 24];
		int ns = split(cf.sizes, sz, MAX_LIST), off = 0;
		for (int i = 0; i < ns; i++)
			off += snprintf(names + off, sizeof(names) - (size_t)off, "%sbulk:%s",
					i ? "," : "", sz[i]);
		int nw = parse_workloads(names, w, MAX_LIST);
		/* Snaplen of the largest message, so every size is captured whole. */
		char tl[] = "none;pcapng,s=1048576";
		int nt = parse_tracers(tl, t, MAX_LIST);
		double d = cf.wo.duration;
		if (cf.size_duration > 0)
			cf.wo.duration = cf.size_duration;
		matrix(&cf, w, nw, t, nt, cf.runs, "Cost by message size: stream bulk writes");
		cf.wo.duration = d;
	}
	struct ladder_cfg lc = { .env = &cf.env, .wo = &cf.wo, .runs = cf.rate_runs,
				 .verbose = cf.verbose, .check = ladder_check, .check_ctx = &cf };
	if (cf.rates_sec)
		ladder_rates(&lc, cf.rings, cf.rate_tracers, cf.rates);
	if (cf.bw_sec)
		ladder_bandwidth(&lc, cf.bw_tracers, cf.bw, cf.bw_size, cf.bw_rings);
	if (cf.startup_sec)
		failures += startup_section(&cf.env, cf.startup_runs);
	printf("## Environment\n\n");
	report_machine(&cf.env, seen_backend, cf.wo.duration, cf.runs);
	if (dir == tmpl)
		rmdir(dir);
	if (failures)
		fprintf(stderr, "unixbench: %d failure(s)\n", failures);
	return failures && cf.check ? 1 : 0;
}
