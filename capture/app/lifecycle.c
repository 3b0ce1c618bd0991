/* Start-up progress and the closed-stdout check (capture/app/lifecycle.h). */
#include "capture/app/lifecycle.h"

#include <poll.h>
#include <unistd.h>

void uc_startup_init(struct uc_startup *s, const struct uc_options *o, FILE *log, uint64_t now)
{
	*s = (struct uc_startup){
		.log = log,
		.tty = !o->quiet && isatty(fileno(log)),
		.timings = o->verbose > 0,
		.start_ns = now,
		.step_ns = now,
	};
}

static void end_step(struct uc_startup *s, uint64_t now)
{
	if (s->step && s->timings)
		fprintf(s->log, "unixcap: start-up: %s: %llu ms\n", s->step,
			(unsigned long long)((now - s->step_ns) / 1000000u));
	s->step = NULL;
}

void uc_startup_step(struct uc_startup *s, const char *what, uint64_t now)
{
	end_step(s, now);
	s->step = what;
	s->step_ns = now;
	if (s->tty)
		fprintf(s->log, "unixcap: %s...\n", what);
	fflush(s->log);
}

void uc_startup_done(struct uc_startup *s, uint64_t now)
{
	end_step(s, now);
	if (s->timings)
		fprintf(s->log, "unixcap: start-up: %llu ms in all\n",
			(unsigned long long)((now - s->start_ns) / 1000000u));
}

bool uc_stdout_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}
