/* The lines unixcap prints when a live capture ends: what was captured, written and lost. */
#ifndef UNIXCAP_APP_SUMMARY_H
#define UNIXCAP_APP_SUMMARY_H

#include <stdint.h>
#include <stdio.h>
#include "capture/core/options.h"
#include "capture/live/consumer.h"

void uc_print_exit_summary(FILE *out, const struct uc_consumer *c, const struct uc_options *o,
			   uint64_t captured, uint64_t file_packets);

#endif
