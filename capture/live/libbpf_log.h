/* What libbpf may print: the loaders of the capture and of -L set the same rule; with -v the
 * capture keeps it in a file. */
#ifndef UNIXCAP_LIVE_LIBBPF_LOG_H
#define UNIXCAP_LIVE_LIBBPF_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <bpf/libbpf.h>

/*
 * The print function for libbpf_set_print(): silent unless verbose > 1 (-vv), then its
 * warnings and info on stderr but not its debug lines. unixcap reports failures in its
 * own words; libbpf's are for finding out why.
 */
libbpf_print_fn_t uc_libbpf_log(int verbose);

/*
 * -v: libbpf's messages, the verifier's log of a refused program among them, go to a file
 * (they run to megabytes) so that the error line can name it; -vv: to stderr as well.
 * uc_bpf_log_open() makes the file (/tmp/unixcap-bpf-log.XXXXXX); while it is open,
 * uc_bpf_log_to_file is the print function to give libbpf. uc_bpf_log_close() closes it and
 * keeps it, returning its path, only when keep is set and it holds something.
 */
void uc_bpf_log_open(bool also_stderr);
bool uc_bpf_log_active(void);
int uc_bpf_log_to_file(enum libbpf_print_level level, const char *fmt, va_list ap);
const char *uc_bpf_log_close(bool keep);

#endif
