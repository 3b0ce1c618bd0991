/*
 * The output forms a run can ask for. They live here, below the writers, because the
 * options (capture/core/options.h) name them and every layer reads the options.
 */
#ifndef UNIXCAP_CORE_MODES_H
#define UNIXCAP_CORE_MODES_H

enum uc_console_mode {
	UC_OUT_SUMMARY = 0, /* default */
	UC_OUT_HEX,         /* -x: summary + hex only */
	UC_OUT_HEXASCII,    /* -X: summary + hex and ASCII, like tcpdump -X */
	UC_OUT_ASCII,       /* -A: summary + printable bytes, others as '.' */
	UC_OUT_JSON,        /* --json: one object per line */
	UC_OUT_FDS,         /* --fds: one line per passed fd, sofdsnoop's columns */
};

enum uc_file_format {
	UC_FMT_PCAPNG = 0,
	UC_FMT_PCAP,
};

/* --view: how -w files show messages (docs/wireshark.md). */
enum uc_view {
	UC_VIEW_UNIX = 0, /* default: one packet per message in the unixcap link type */
	UC_VIEW_TCP,      /* each conversation as a TCP connection (datagrams as UDP) */
};

#endif
