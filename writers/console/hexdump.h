/*
 * Payload dumps written straight to a stream (-x, -X, -A). They report nothing: a failed
 * write stays in ferror(out) (with errno) for the caller to collect once.
 */
#ifndef UNIXCAP_CONSOLE_HEXDUMP_H
#define UNIXCAP_CONSOLE_HEXDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

void uc_print_hex(FILE *out, const uint8_t *data, size_t len, bool with_ascii); /* -x, -X */
void uc_print_ascii(FILE *out, const uint8_t *data, size_t len);                /* -A */

#endif
