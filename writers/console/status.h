/*
 * Live status for long captures to a file (-w): one line on stderr, rewritten in place
 * each second, only when stderr is a terminal; cleared before anything else is printed.
 */
#ifndef UNIXCAP_STATUS_H
#define UNIXCAP_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct uc_status {
	FILE *out;
	bool on;
	bool shown;        /* a line is on screen and must be cleared */
	uint64_t last_ns;  /* when the line was last written */
	uint64_t last_msgs, last_bytes;
};

/* Enabled only when want and out is a terminal. */
void uc_status_init(struct uc_status *s, FILE *out, bool want, uint64_t now_ns);

/* Whether a tick now would rewrite the line (its counters are worth reading). */
bool uc_status_due(const struct uc_status *s, uint64_t now_ns);
/* Rewrites the line when a second has passed since the last one. */
void uc_status_tick(struct uc_status *s, uint64_t now_ns, uint64_t msgs, uint64_t bytes,
		    uint64_t drops);

/* Erases the line, so the exit summary starts on a clean one. */
void uc_status_clear(struct uc_status *s);

/* "12345 messages, 4.2 MiB, 0 dropped, 120 msg/s, 35.1 KiB/s"; returns its length. */
size_t uc_status_format(char *buf, size_t size, uint64_t msgs, uint64_t bytes, uint64_t drops,
			double msg_rate, double byte_rate);

#endif
