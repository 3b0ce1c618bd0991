/* Console writers: one summary line per message, optionally followed by a dump, or JSON lines. */
#ifndef UNIXCAP_CONSOLE_H
#define UNIXCAP_CONSOLE_H

#include <stdbool.h>
#include <stdio.h>
#include "capture/core/message.h"
#include "capture/core/modes.h"
#include "capture/core/output.h"

struct uc_console {
	FILE *out;
	enum uc_console_mode mode;
	bool relative_ts;      /* -T: seconds since the first message */
	bool have_first;       /* state for relative_ts */
	bool header_done;      /* UC_OUT_FDS prints its column header once */
	uint64_t first_ts_ns;
	/* -v: extra lines under each summary (writers/console/detail.h); NULL for none */
	void (*detail)(FILE *out, const struct uc_message *msg, void *ctx);
	void *detail_ctx;
	int error;             /* -errno of the failure error() describes */
	char error_line[96];
};

/* Writes one message. Returns 0, or -errno when the stream failed (EPIPE, ENOSPC...). */
int uc_console_write(struct uc_console *c, const struct uc_message *msg);

/* The console as an output (capture/core/output.h); self is a struct uc_console. */
extern const struct uc_output_ops uc_console_output;

#endif
