/* The verifier's instruction counts per program (verifier_stats.h). */
#include "capture/live/verifier_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Log level 4 is the statistics alone, which 5.2+ fill in on success too; bpftool's
 * verified_insns would need 5.16+. */
#define UC_STATS_LOG (2u << 20) /* a call to a global function logs a line even at level 4 */
static char *stats_bufs[32];

void uc_verifier_stats_arm(struct bpf_object *obj)
{
	const char *e = getenv("UNIXCAP_VERIFIER_STATS");
	struct bpf_program *p;
	unsigned i = 0;
	if (!e || !*e || !strcmp(e, "0"))
		return;
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__autoload(p) || i >= sizeof(stats_bufs) / sizeof(stats_bufs[0]))
			continue;
		if (!stats_bufs[i])
			stats_bufs[i] = calloc(1, UC_STATS_LOG);
		if (!stats_bufs[i])
			return;
		stats_bufs[i][0] = 0;
		bpf_program__set_log_buf(p, stats_bufs[i], UC_STATS_LOG);
		bpf_program__set_log_level(p, 4);
		i++;
	}
}

void uc_verifier_stats_print(struct bpf_object *obj, bool loop, bool task_storage)
{
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		size_t n = 0;
		const char *log = bpf_program__log_buf(p, &n);
		const char *at = NULL;
		for (const char *q = log; q && (q = strstr(q, "processed ")); q++)
			at = q; /* the last one: the whole program's count */
		if (at)
			fprintf(stderr, "unixcap: verifier: %s %s%s %lu insns\n", bpf_program__name(p),
				loop ? "bpf_loop" : "no-bpf_loop", task_storage ? "+task_storage" : "",
				strtoul(at + 10, NULL, 10));
	}
}
