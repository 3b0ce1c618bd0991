/*
 * The options of one run, as parsed from the command line (capture/app/parse_options.c):
 * like tcpdump's netdissect_options, one struct that every layer reads and none but the
 * parser writes. It lives in core so that the layers below the app can read it.
 */
#ifndef UNIXCAP_CORE_OPTIONS_H
#define UNIXCAP_CORE_OPTIONS_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include "bpf/unixcap_event.h"
#include "capture/core/modes.h"
#include "dissectors/route.h"

enum uc_backend_choice {
	UC_CHOOSE_AUTO = 0,
	UC_CHOOSE_FENTRY,
	UC_CHOOSE_KPROBE,
	UC_CHOOSE_TRACEPOINT,
};

#define UC_SNAPLEN_MAX UC_SNAPLEN_MAX_ANY
#define UC_RING_KIB_DEFAULT 16384 /* 16 MiB */
#define UC_RING_KIB_MAX (1u << 20) /* 1 GiB */
#define UC_MAX_PATHS 32 /* --path names, with the forms they resolve to */

struct uc_path_filter {
	char path[UC_PATH_MAX];
	unsigned len;
	bool prefix; /* --path ending in '*' */
};

/* --tcp-port PATTERN=PORT: the server port of matching conversations in the TCP view. */
#define UC_PORT_RULES_MAX 16
struct uc_port_rule {
	char pattern[UC_DECODE_PATTERN_MAX];
	uint16_t port;
};

struct uc_options {
	enum uc_backend_choice backend;
	uint32_t pids[UC_MAX_PIDS];
	unsigned n_pids;
	uint32_t exclude_pids[UC_MAX_PIDS]; /* --exclude-pid */
	unsigned n_exclude_pids;
	uint32_t tid;
	uint64_t sock;
	uint64_t inode;
	bool have_path;
	char path[UC_PATH_MAX];
	unsigned path_len;
	bool path_prefix;    /* --path ending in '*' */
	/* Every --path, and the absolute form of a relative or symlinked one: one goes to the
	 * kernel (have_path, path above); more are matched in userspace (capture/core/paths.h). */
	struct uc_path_filter paths[UC_MAX_PATHS];
	unsigned n_paths;
	unsigned type; /* 0 = any */
	bool have_comm_regex;
	regex_t comm_regex;
	enum uc_console_mode mode;
	bool relative_ts;
	uint64_t count;      /* 0 = unlimited */
	double duration;     /* seconds, 0 = unlimited */
	uint32_t snaplen;
	uint32_t ring_kib;
	bool errors;
	bool fds_only;       /* --fds: only messages passing fds (SEND/RECV table) */
	int verbose;
	bool quiet;
	const char *btf_file; /* --btf FILE: kernel BTF for a kernel without /sys/kernel/btf/vmlinux */
	/* Capture files */
	const char *write_file;  /* -w FILE, "-" = stdout; NULL = console output */
	const char *read_file;   /* -r FILE, "-" = stdin */
	enum uc_file_format format; /* -F */
	unsigned linktype;       /* --linktype, UC_LT_DEFAULT unless set */
	bool linktype_set;
	bool zstd;               /* -z, or -w FILE ending in .zst */
	uint64_t rotate_bytes;   /* -C, in bytes; 0 = off */
	unsigned rotate_seconds; /* -G; 0 = off */
	unsigned rotate_count;   /* -W; 0 = off */
	bool print;              /* --print: console output as well as -w */
	const char *run_as;      /* -Z USER: drop to USER once attached and the output is open */
	const char *split_dir;   /* --split DIR: one pcapng per conversation */
	/* -v detail: payload decoders by path (--decode), and the sender's cgroup filter */
	struct uc_decode_rule decode[UC_DECODE_RULES_MAX];
	unsigned n_decode;
	const char *cgroup;      /* --cgroup PATH (userspace filter), NULL = any */
	/* --view tcp: conversations as TCP/UDP; --tcp-port PATTERN=PORT picks server ports */
	enum uc_view view;
	struct uc_port_rule port_rules[UC_PORT_RULES_MAX];
	unsigned n_port_rules;
};

enum uc_parse_result {
	UC_PARSE_RUN = 0,  /* options are valid: capture */
	UC_PARSE_EXIT = 1, /* --help/--version printed: exit 0 */
	UC_PARSE_ERROR = 2, /* message written to err: exit 2 */
};

#endif
