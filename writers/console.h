/* Console writers: one summary line per message, optionally followed by a dump, or JSON lines. */
#ifndef UNIXCAP_CONSOLE_H
#define UNIXCAP_CONSOLE_H

#include <stdbool.h>
#include <stdio.h>
#include "../capture/message.h"

enum uc_console_mode {
	UC_OUT_SUMMARY = 0, /* default */
	UC_OUT_HEX,         /* -x: summary + hex only */
	UC_OUT_HEXASCII,    /* -X: summary + hex and ASCII, like tcpdump -X */
	UC_OUT_ASCII,       /* -A: summary + printable bytes, others as '.' */
	UC_OUT_JSON,        /* --json: one object per line */
	UC_OUT_FDS,         /* --fds: one line per passed fd, sofdsnoop's columns */
};

struct uc_console {
	FILE *out;
	enum uc_console_mode mode;
	bool relative_ts;      /* -T: seconds since the first message */
	bool have_first;       /* state for relative_ts */
	bool header_done;      /* UC_OUT_FDS prints its column header once */
	uint64_t first_ts_ns;
	/* -v: extra lines under each summary (writers/decode.h); NULL for none */
	void (*detail)(FILE *out, const struct uc_message *msg, void *ctx);
	void *detail_ctx;
};

/* Writes one message. Returns 0, or -errno when the stream failed (EPIPE, ENOSPC...). */
int uc_console_write(struct uc_console *c, const struct uc_message *msg);

#endif
