/* Generic line protocol: text commands and replies (SMTP-like, Redis inline, custom IPC). */
#ifndef UNIXCAP_DISSECT_LINE_H
#define UNIXCAP_DISSECT_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One output line per payload line (LF or CR LF ends one): `line "text"`, at most 8 of
 * them and then "line ... N more lines"; a last line without its newline is marked.
 * Returns the number of output lines, 0 for an empty payload. Pure, bounds-checked.
 */
int uc_decode_line(const uint8_t *p, size_t n, char *out, size_t outlen);

/* Text worth showing as lines: printable ASCII, tab, CR, LF and well-formed UTF-8; at
 * least one LF. */
bool uc_line_text(const uint8_t *p, size_t n);

#endif
