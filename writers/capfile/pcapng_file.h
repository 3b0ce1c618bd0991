/*
 * What a unixcap pcapng file holds, block by block: SHB + IDB at the start of every file,
 * one EPB per message (link-type header + payload, the summary line as its comment), and an
 * ISB with the capture's counters at the end. Pure encoding into a buffer: no I/O here.
 */
#ifndef UNIXCAP_PCAPNG_FILE_H
#define UNIXCAP_PCAPNG_FILE_H

#include <stdint.h>
#include "writers/capfile/pcapng.h"
#include "capture/core/message.h"
#include "capture/core/summary_line.h"

struct uc_capfile_info {
	uint16_t linktype;
	uint32_t snaplen;        /* packet bytes (header included), at most UC_LT_MAX_PACKET */
	const char *description; /* if_description */
	const char *os;          /* shb_os, NULL = omitted */
	const char *hardware;    /* shb_hardware, NULL = omitted */
};

struct uc_capfile_stats {
	uint64_t start_ns, end_ns; /* wall clock */
	uint64_t received;         /* messages the kernel side reported, dropped ones included */
	uint64_t dropped;          /* lost in the kernel before any byte reached userspace */
};

/* The shb_userappl every file carries. */
#define UC_PCAPNG_USERAPPL "unixcap " UNIXCAP_VERSION
#define UC_PCAPNG_IFNAME "unixcap"

int uc_pcapng_file_begin(struct uc_buf *b, const struct uc_capfile_info *info);
/*
 * One EPB; payload beyond info->snaplen (header included) is cut and flagged truncated.
 * names, if not NULL, keeps the comment's escaped socket text from one packet to the next.
 */
int uc_pcapng_file_packet(struct uc_buf *b, const struct uc_capfile_info *info,
			  struct uc_summary_cache *names, const struct uc_message *m);
int uc_pcapng_file_end(struct uc_buf *b, const struct uc_capfile_stats *s);

#endif
