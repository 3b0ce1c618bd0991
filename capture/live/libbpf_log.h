/* What libbpf may print: the loaders of the capture and of -L set the same rule. */
#ifndef UNIXCAP_LIVE_LIBBPF_LOG_H
#define UNIXCAP_LIVE_LIBBPF_LOG_H

#include <bpf/libbpf.h>

/*
 * The print function for libbpf_set_print(): silent unless verbose > 1 (-vv), then its
 * warnings and info on stderr but not its debug lines. unixcap reports failures in its
 * own words; libbpf's are for finding out why.
 */
libbpf_print_fn_t uc_libbpf_log(int verbose);

#endif
