/* The command line: argv into struct uc_options, --help and its text. */
#ifndef UNIXCAP_APP_PARSE_OPTIONS_H
#define UNIXCAP_APP_PARSE_OPTIONS_H

#include <stddef.h>
#include <stdio.h>
#include "capture/core/options.h"

/* Parses argv into o. On UC_PARSE_ERROR, err holds one line without "unixcap: ". */
enum uc_parse_result uc_parse_options(int argc, char **argv, struct uc_options *o, char *err,
				      size_t errlen);
void uc_options_free(struct uc_options *o);
void uc_usage(FILE *f);

#endif
