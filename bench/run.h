/* One measured run (a workload under one tracer), and the runs of one table cell. */
#ifndef UNIXBENCH_RUN_H
#define UNIXBENCH_RUN_H

#include "bench.h"

#define UB_MAX_RUNS 32

struct sample {
	double msgs_per_s, bytes_per_s;
	double captured_ratio; /* captured / expected (bytes for socat) */
	double cpu_us_per_msg; /* tracer CPU time / messages sent: = seconds per million */
	double cpu_share;      /* tracer CPU time / workload wall time */
	uint64_t msgs, expected, captured, dropped, out_bytes;
	char backend[16];
};

struct cell {
	const struct wl_spec *w;
	const struct tr_spec *t;
	const char *skip; /* why it does not run here */
	const char *error;
	int n;
	struct sample s[UB_MAX_RUNS];
};

struct cell_summary {
	double msgs_per_s, bytes_per_s, captured_ratio, cpu_us_per_msg, cpu_share;
	uint64_t dropped_max, dropped_total;
	bool bytes_only;
	char backend[16];
};

int run_one(const struct wl_spec *w, const struct tr_spec *t, const struct tr_env *env,
	    const struct wl_opts *o, struct sample *out, char *err, size_t errlen);
/* Runs it once more into c; records the first error. */
void cell_run(struct cell *c, const struct tr_env *env, const struct wl_opts *o, bool verbose);
void cell_summarize(const struct cell *c, struct cell_summary *s);

#endif
