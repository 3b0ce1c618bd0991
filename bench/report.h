/* Markdown tables for the tracer and message-size sections (the ladders: ladder.c). */
#ifndef UNIXBENCH_REPORT_H
#define UNIXBENCH_REPORT_H

#include "run.h"

void report_machine(const struct tr_env *env, const char *backend, double duration, int runs);
void report_table_header(void);
/* base: the untraced cell of the same workload (for the ratio), or NULL. */
void report_row(const struct cell *c, const struct cell *base);

#endif
