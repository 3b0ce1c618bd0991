/*
 * `unixcap conversations`: one line (or JSON object) per conversation with its ends,
 * message and byte counts per direction, first and last time, and the name it was reached
 * by, like `tshark -z conv`.
 */
#ifndef UNIXCAP_FOLLOW_LIST_H
#define UNIXCAP_FOLLOW_LIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "writers/conv/conversation.h"

/* Conversations without counted messages (all filtered out) are left out. rel_base_ns:
 * times are printed relative to it (-T) unless 0. */
void uc_follow_list_print(FILE *out, const struct uc_conv_table *t, bool json,
			  uint64_t rel_base_ns);

#endif
