/*
 * The one-line summary of a message: what the console prints and what a pcapng packet
 * comment carries, so that Wireshark shows the same line as the terminal.
 */
#ifndef UNIXCAP_CORE_SUMMARY_LINE_H
#define UNIXCAP_CORE_SUMMARY_LINE_H

#include <stddef.h>
#include "capture/core/message.h"

/* Large enough for any summary line: two fully escaped sun_paths fit with room to spare. */
#define UC_SUMMARY_MAX 2048

/*
 * Without a newline, same truncation contract as the uc_format_* functions of text.h:
 * TIME PID/TID COMM → PEER SOCK TYPE PATHS len LEN[ caplen CAPLEN][ [FLAGS]][ errno NAME]
 */
size_t uc_format_summary(char *buf, size_t size, const struct uc_message *m,
			 const char *time_text);

#endif
