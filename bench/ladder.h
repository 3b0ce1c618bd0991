/* The ladder sections: a workload paced at rising rates under a few tracers, each tracer
 * climbing until a run drops, so one invocation gives each tracer's first drop side by side. */
#ifndef UNIXBENCH_LADDER_H
#define UNIXBENCH_LADDER_H

#include "run.h"

/* Called for every finished cell (the --check of exact counts). */
typedef void ladder_check_fn(const struct cell *c, void *ctx);

struct ladder_cfg {
	const struct tr_env *env;
	const struct wl_opts *wo;
	int runs; /* per step and tracer, interleaved across tracers */
	bool verbose;
	ladder_check_fn *check;
	void *check_ctx;
};

/* 64 B stream writes: for each ring (KiB) every tracer (';'-separated specs) climbs rates
 * (msgs/s, ',' separated, 0 = unpaced). */
void ladder_rates(const struct ladder_cfg *lc, char *rings, char *tracers, char *rates);
/* SIZE-byte stream writes paced in GB/s (0 = unpaced): the full ladder with the default
 * ring, then the unpaced step with each of the larger rings (KiB) where memory allows. */
void ladder_bandwidth(const struct ladder_cfg *lc, char *tracers, char *gbps, const char *size,
		      char *big_rings);

#endif
