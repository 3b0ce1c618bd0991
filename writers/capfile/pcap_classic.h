/*
 * Classic pcap output (-F pcap) through libpcap's own dumper, nanosecond timestamps, the
 * same link-type header as pcapng. libpcap writes to a FILE* that appends to the output
 * buffer, so rotation, zstd and batching work the same as for pcapng.
 */
#ifndef UNIXCAP_PCAP_CLASSIC_H
#define UNIXCAP_PCAP_CLASSIC_H

#include <stdint.h>
#include "writers/capfile/pcapng.h"
#include "capture/core/message.h"

struct uc_pcap_classic;

/* Writes the file header into out. NULL on failure, with a line in err. */
struct uc_pcap_classic *uc_pcap_classic_begin(struct uc_buf *out, uint16_t linktype,
					      uint32_t snaplen, char *err, size_t errlen);
int uc_pcap_classic_packet(struct uc_pcap_classic *p, const struct uc_message *m);
/* Finishes and frees p (classic pcap has no trailer). */
int uc_pcap_classic_end(struct uc_pcap_classic *p);
/* True when this build has libpcap (static builds do not). */
int uc_pcap_classic_available(void);

#endif
