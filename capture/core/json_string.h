/*
 * JSON strings as every JSON output writes them (--json, -L --json, conversations --json):
 * between double quotes, '"' and '\\' behind a backslash, every other byte below 0x20 or
 * from 0x7f up as \u00xx (lowercase hex). The output is pure ASCII whatever the bytes:
 * comm and socket names can hold anything, and a byte from 0x80 up is read as the code
 * point U+0080..U+00FF rather than guessed to be UTF-8.
 */
#ifndef UNIXCAP_CORE_JSON_STRING_H
#define UNIXCAP_CORE_JSON_STRING_H

#include <stddef.h>
#include <stdio.h>
#include "capture/core/strbuf.h"

/* len bytes of s as a JSON string, appended escape by escape (a cut never splits one). */
void uc_json_string(struct uc_strbuf *b, const char *s, size_t len);

/* The same, written to out; errors stay in ferror(out). */
void uc_json_fputs(FILE *out, const char *s, size_t len);

#endif
