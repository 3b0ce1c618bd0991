/* Console output: picks the layout for the mode and turns stream failures into -errno. */
#include "writers/console/console.h"
#include "capture/core/clock.h"
#include "capture/core/text.h"
#include "capture/core/summary_line.h"
#include "writers/console/hexdump.h"
#include "writers/console/json.h"
#include "writers/console/fdtable.h"

#include <errno.h>
#include <string.h>

/* Seconds since the first message. */
static void relative_time(struct uc_console *c, char *buf, size_t size, uint64_t ts)
{
	if (!c->have_first) {
		c->have_first = true;
		c->first_ts_ns = ts;
	}
	/* The wall clock can step back; show that rather than a huge unsigned wrap. */
	uc_format_since(buf, size, ts, c->first_ts_ns, true);
}

/* Passed files under the summary line: what each fd number refers to. */
static void print_fds(FILE *out, const struct uc_message *msg)
{
	char name[sizeof(msg->fds[0].name) * 4 + 1];
	bool recv = msg->flags & UC_MF_RECEIVE;

	for (unsigned i = 0; i < msg->n_fds; i++) {
		const struct uc_fd_info *f = &msg->fds[i];
		uc_format_bytes(name, sizeof(name), f->name, strnlen(f->name, sizeof(f->name)));
		if (recv && f->peer_fd >= 0)
			fprintf(out, "\tfd %d (sent as fd %d by %u) %s\n", f->fd, f->peer_fd,
				msg->sender_pid, name);
		else
			fprintf(out, "\tfd %d %s\n", f->fd, name);
	}
}

static void write_text(struct uc_console *c, const struct uc_message *msg, const char *ts)
{
	const uint8_t *data = msg->data;
	size_t len = data ? msg->caplen : 0;
	char line[UC_SUMMARY_MAX];
	size_t n = uc_format_summary(line, sizeof(line) - 1, msg, ts);

	line[n++] = '\n';
	fwrite(line, 1, n, c->out);
	print_fds(c->out, msg);
	if (c->detail)
		c->detail(c->out, msg, c->detail_ctx);
	switch (c->mode) {
	case UC_OUT_HEX:
		uc_print_hex(c->out, data, len, false);
		break;
	case UC_OUT_HEXASCII:
		uc_print_hex(c->out, data, len, true);
		break;
	case UC_OUT_ASCII:
		uc_print_ascii(c->out, data, len);
		break;
	default:
		break;
	}
}

int uc_console_write(struct uc_console *c, const struct uc_message *msg)
{
	char ts[48];
	int err = 0;

	if (c->mode != UC_OUT_JSON) {
		if (c->relative_ts)
			relative_time(c, ts, sizeof(ts), msg->ts_wall_ns);
		else
			uc_format_time(ts, sizeof(ts), msg->ts_wall_ns);
	}

	/* One lock for the whole message keeps its lines together if another thread writes. */
	flockfile(c->out);
	errno = 0;
	if (c->mode == UC_OUT_JSON) {
		uc_print_json(c->out, msg);
	} else if (c->mode == UC_OUT_FDS) {
		if (!c->header_done)
			uc_print_fd_header(c->out, c->relative_ts);
		c->header_done = true;
		uc_print_fd_lines(c->out, msg, c->relative_ts ? ts : NULL);
	} else {
		write_text(c, msg, ts);
	}
	/*
	 * No fflush here: the caller flushes once per batch. Errors of an unbuffered or
	 * overflowing stream show up now; those of a buffered one at the caller's fflush.
	 */
	if (ferror(c->out))
		err = errno ? errno : EIO;
	funlockfile(c->out);
	return -err;
}

static int console_write(void *self, const struct uc_message *m)
{
	struct uc_console *c = self;
	int e = uc_console_write(c, m);
	if (e)
		c->error = e;
	return e;
}

static int console_flush(void *self)
{
	struct uc_console *c = self;
	if (fflush(c->out) != 0) {
		c->error = errno ? -errno : -EIO;
		return c->error;
	}
	return 0;
}

static const char *console_error(void *self)
{
	struct uc_console *c = self;
	snprintf(c->error_line, sizeof(c->error_line), "writing output: %s", strerror(-c->error));
	return c->error_line;
}

const struct uc_output_ops uc_console_output = {
	.name = "console",
	.write = console_write,
	.flush = console_flush,
	.finish = console_flush,
	.error = console_error,
};
