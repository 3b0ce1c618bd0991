/*
 * The edges of a capture's life that the user sees without output: what start-up is doing
 * (the kernel may take seconds to load and attach the programs), and a reader of stdout
 * that went away while nothing was being written.
 */
#ifndef UNIXCAP_APP_LIFECYCLE_H
#define UNIXCAP_APP_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "capture/core/options.h"

struct uc_startup {
	FILE *log;
	bool tty;        /* log is a terminal: say what each step does as it starts */
	bool timings;    /* -v: how long each step took */
	const char *step;
	uint64_t step_ns, start_ns;
};

/* now: CLOCK_MONOTONIC in ns, from the caller (which owns the clock helpers). */
void uc_startup_init(struct uc_startup *s, const struct uc_options *o, FILE *log, uint64_t now);
/* Ends the current step (-v: its time) and starts what. */
void uc_startup_step(struct uc_startup *s, const char *what, uint64_t now);
/* Ends the last step; -v: the whole start-up's time. */
void uc_startup_done(struct uc_startup *s, uint64_t now);

/* True once stdout is a pipe or socket whose reader has gone (POLLERR/POLLHUP): a quiet
 * capture learns it without waiting for the next message to fail with EPIPE. */
bool uc_stdout_gone(void);

#endif
