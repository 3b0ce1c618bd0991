/*
 * The one-line summary of a message: what the console prints and what a pcapng packet
 * comment carries, so that Wireshark shows the same line as the terminal.
 */
#ifndef UNIXCAP_CORE_SUMMARY_LINE_H
#define UNIXCAP_CORE_SUMMARY_LINE_H

#include <stddef.h>
#include <stdint.h>
#include "capture/core/message.h"

/* Large enough for any summary line: two fully escaped sun_paths fit with room to spare. */
#define UC_SUMMARY_MAX 2048

/*
 * Without a newline, same truncation contract as the uc_format_* functions of text.h:
 * TIME PID/TID COMM → PEER SOCK TYPE PATHS len LEN[ caplen CAPLEN][ [FLAGS]][ errno NAME]
 */
size_t uc_format_summary(char *buf, size_t size, const struct uc_message *m,
			 const char *time_text);

/* The escaped text of recently seen sockets, reused while their names and paths stay. */
struct uc_summary_cache;
struct uc_summary_cache *uc_summary_cache_new(void);
void uc_summary_cache_free(struct uc_summary_cache *c);

/*
 * The same line, with flags and caplen in place of m's own (a packet's cut shown as the
 * file holds it), and the socket's part from cache when it has it (NULL: none).
 */
size_t uc_format_summary_as(char *buf, size_t size, const struct uc_message *m,
			    uint32_t flags, uint32_t caplen, const char *time_text,
			    struct uc_summary_cache *cache);

#endif
