/* libbpf's print callback (libbpf_log.h). */
#include "capture/live/libbpf_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

static FILE *vlog;
static char vlog_path[64];
static bool vlog_stderr;

int uc_bpf_log_to_file(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list aq;
	if (level == LIBBPF_DEBUG)
		return 0;
	va_copy(aq, ap);
	if (vlog)
		vfprintf(vlog, fmt, aq);
	va_end(aq);
	return vlog_stderr ? vfprintf(stderr, fmt, ap) : 0;
}

void uc_bpf_log_open(bool also_stderr)
{
	vlog_stderr = also_stderr;
	snprintf(vlog_path, sizeof(vlog_path), "/tmp/unixcap-bpf-log.XXXXXX");
	int fd = mkstemp(vlog_path);
	vlog = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!vlog)
		vlog_path[0] = 0;
}

bool uc_bpf_log_active(void)
{
	return vlog != NULL;
}

const char *uc_bpf_log_close(bool keep)
{
	if (!vlog)
		return NULL;
	long n = ftell(vlog);
	fclose(vlog);
	vlog = NULL;
	if (keep && n > 0)
		return vlog_path;
	unlink(vlog_path);
	return NULL;
}
