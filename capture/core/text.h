/* Text forms of message fields, shared by every output (console, packet comments, -L). */
#ifndef UNIXCAP_CORE_TEXT_H
#define UNIXCAP_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "capture/core/message.h"

/*
 * Every uc_format_* function below writes into buf/size, always NUL-terminates when
 * size > 0, never splits an escape sequence when it has to truncate, and returns the
 * strlen() of what it wrote.
 */

/*
 * Bytes as a terminal-safe string: printable ASCII except backslash is copied,
 * backslash becomes "\\", anything else "\xNN" (lowercase). No NUL handling: len is all.
 */
size_t uc_format_bytes(char *buf, size_t size, const void *data, size_t len);

/*
 * The same, with each byte of extra escaped as "\xNN" too: -L's columns are words, so a
 * space cannot stay, nor ',', '/' and ':' in the --dump format's fields. uc_parse_path
 * reads every form back.
 */
size_t uc_format_bytes_escaping(char *buf, size_t size, const void *data, size_t len,
				const char *extra);

/*
 * Display form of a sun_path of len bytes (clamped to UC_PATH_MAX): "" when len is 0,
 * '@' + the escaped rest for an abstract name, else the escaped bytes up to the first NUL.
 */
size_t uc_format_path(char *buf, size_t size, const char *path, unsigned len);

/*
 * Inverse of uc_format_path, for --path: "@name" gives a leading NUL + name; "\xNN" and
 * "\\" are decoded, any other byte is taken literally. out needs UC_PATH_MAX bytes and is
 * NUL-terminated only when the result is shorter than that. Returns 0, or -EINVAL for a
 * bad escape, a NUL inside a filesystem path, or a result longer than UC_PATH_MAX.
 * Note that a filesystem path that itself starts with '@' displays like an abstract name.
 */
int uc_parse_path(const char *text, char *out, unsigned *out_len);

/* "stream", "dgram", "seqpacket", else "type%u" from a static buffer (not reentrant). */
const char *uc_type_name(unsigned type);

/* Name of an enum uc_call value; "unknown" for anything out of range. */
const char *uc_call_name(unsigned call);

/* Symbolic name of a positive errno value ("EAGAIN"), or NULL if it is not in the table. */
const char *uc_errno_name(int err);

/*
 * What a failed send's error reads as: the errno name of -err ("EAGAIN"), else -err in
 * decimal. err is the record's -errno, and from a file any int32: INT32_MIN has no
 * negation in int, and a positive err gives a negative number ("-5").
 */
size_t uc_format_errno(char *buf, size_t size, int32_t err);

/*
 * A kernel socket address: "0x" and lowercase hex. padded gives all 16 digits, as the
 * conversation list's JSON has always written it; message JSON, -L and the summary line
 * write it without leading zeros. Both spellings stay: scripts already read them.
 */
size_t uc_format_sock(char *buf, size_t size, uint64_t sock, bool padded);

/* Space-separated names of the set message flags (UC_MF_* and UC_UF_*); "" when none. */
size_t uc_format_flags(char *buf, size_t size, uint32_t flags);

#endif
