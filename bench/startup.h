/* The start-up section (startup.c): exec to listening, and -L, median of N runs. */
#ifndef UNIXBENCH_STARTUP_H
#define UNIXBENCH_STARTUP_H

#include "run.h"

/* Prints its table; returns the number of runs that failed. */
int startup_section(const struct tr_env *env, int runs);

#endif
