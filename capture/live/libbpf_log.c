/* libbpf's print callback (libbpf_log.h). */
#include "capture/live/libbpf_log.h"

#include <stdarg.h>
#include <stdio.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

libbpf_print_fn_t uc_libbpf_log(int verbose)
{
	return verbose > 1 ? warnings : quiet;
}
