/* The -w status line (status.h). */
#include "writers/console/status.h"

#include <unistd.h>

#define REFRESH_NS 1000000000ull

/* Bytes with a binary unit, one decimal from KiB up. */
static int human(char *buf, size_t size, double v, const char *suffix)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	return u ? snprintf(buf, size, "%.1f %s%s", v, units[u], suffix)
		 : snprintf(buf, size, "%.0f %s%s", v, units[u], suffix);
}

size_t uc_status_format(char *buf, size_t size, uint64_t msgs, uint64_t bytes, uint64_t drops,
			double msg_rate, double byte_rate)
{
	char b[32], r[32];

	if (size == 0)
		return 0;
	human(b, sizeof(b), (double)bytes, "");
	human(r, sizeof(r), byte_rate, "/s");
	int n = snprintf(buf, size, "%llu messages, %s, %llu dropped, %.0f msg/s, %s",
			 (unsigned long long)msgs, b, (unsigned long long)drops, msg_rate, r);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n < size ? (size_t)n : size - 1;
}

void uc_status_init(struct uc_status *s, FILE *out, bool want, uint64_t now_ns)
{
	*s = (struct uc_status){ .out = out, .last_ns = now_ns };
	s->on = want && out && isatty(fileno(out));
}

bool uc_status_due(const struct uc_status *s, uint64_t now_ns)
{
	return s->on && now_ns - s->last_ns >= REFRESH_NS;
}

void uc_status_tick(struct uc_status *s, uint64_t now_ns, uint64_t msgs, uint64_t bytes,
		    uint64_t drops)
{
	char line[160];

	if (!s->on || now_ns - s->last_ns < REFRESH_NS)
		return;
	double dt = (double)(now_ns - s->last_ns) / 1e9;
	uc_status_format(line, sizeof(line), msgs, bytes, drops,
			 (double)(msgs - s->last_msgs) / dt, (double)(bytes - s->last_bytes) / dt);
	/* \r and erase-to-end-of-line: the line is rewritten in place, never scrolls. */
	fprintf(s->out, "\r\033[Kunixcap: %s", line);
	fflush(s->out);
	s->shown = true;
	s->last_ns = now_ns;
	s->last_msgs = msgs;
	s->last_bytes = bytes;
}

void uc_status_clear(struct uc_status *s)
{
	if (!s->on || !s->shown)
		return;
	fputs("\r\033[K", s->out);
	fflush(s->out);
	s->shown = false;
}
