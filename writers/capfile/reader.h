/*
 * -r: reads a capture file (pcapng or pcap, plain or zstd-compressed, or "-" for stdin)
 * through libpcap and turns each packet back into the message it was written from.
 * No BPF and no privileges are involved.
 */
#ifndef UNIXCAP_READBACK_H
#define UNIXCAP_READBACK_H

#include <stddef.h>
#include "capture/core/options.h"
#include "capture/live/reassembly.h"

/*
 * Calls cb for every packet, in file order. linktype 0 accepts any of 147..162.
 * Returns 0 at the end of the file, the callback's value when it returned non-zero, or
 * -EINVAL/-ENOENT/... when the file is unusable (err holds one line; packets before the
 * problem were delivered).
 */
int uc_readback(const char *path, unsigned linktype, uc_message_cb cb, void *ctx, char *err,
		size_t errlen);

/* The filters of a read file are the live capture's, applied in userspace:
 * capture/enrich/match.h. */

#endif
