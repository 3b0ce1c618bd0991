/* Markdown tables for the three sections: tracers, message sizes, rates and rings. */
#ifndef UNIXBENCH_REPORT_H
#define UNIXBENCH_REPORT_H

#include "run.h"

void report_machine(const struct tr_env *env, const char *backend, double duration, int runs);
void report_table_header(void);
/* base: the untraced cell of the same workload (for the ratio), or NULL. */
void report_row(const struct cell *c, const struct cell *base);
void report_rates_header(void);
void report_rate_row(const struct cell *c, unsigned ring_kib);

#endif
