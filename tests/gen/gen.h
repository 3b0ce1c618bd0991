/*
 * AF_UNIX traffic generator: scenarios that send real traffic of every kind and log every
 * send (one JSON line per send) so that a capture can be checked against the log.
 *
 * A run creates the sockets of every selected scenario first (setup), reads their kernel
 * addresses from /proc/net/unix, writes the socket table to the log, optionally waits for a
 * go signal, then sends (run), pauses, writes the send records and closes everything.
 *
 * Log lines (JSON, one object a line, keys in this order):
 *   {"kind":"socket","scenario":S,"role":R,"pid":P,"fd":F,"type":T,"inode":I,"sock":"0x..",
 *    "path":D}
 *   {"kind":"ready","pid":P}
 *   {"kind":"send","scenario":S,"pid":P,"tid":T,"comm":C,"call":K,"type":T,"fd":F,
 *    "inode":I,"sock":"0x..","peer_inode":I,"peer_sock":"0x..","path":D,"peer_path":D,
 *    "dest":0|1,"len":L,"ret":R,"errno":E,"error":"EAGAIN"|"","hash":"0x..",
 *    "snaplen":N,"snap_len":M,"snap_hash":"0x.."}
 *   {"kind":"end","pid":P,"sends":N,"failures":F}
 * D is the display form of an address: "" unnamed, "/fs/path", "@abstract"; bytes < 0x20 or
 * >= 0x7f are written \xNN and a backslash \\ (then JSON-escaped). "dest":1 marks a send
 * whose peer is the destination given in msg_name (unconnected dgram); peer_inode/peer_sock
 * are then the destination socket's, and 0 when there is none. "ret" is -1 for a failed send,
 * with "errno". "hash" is FNV-1a 64 of the ret bytes sent; "snap_hash" of the first
 * snap_len = min(ret, snaplen) of them.
 */
#ifndef UNIXGEN_GEN_H
#define UNIXGEN_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define UG_SNAPLEN_DEFAULT 262144u
#define UG_FNV_OFFSET 0xcbf29ce484222325ULL
#define UG_FNV_PRIME 0x100000001b3ULL

struct ug_options {
	const char *only;     /* comma-separated scenario names; NULL or "" = all */
	uint32_t snaplen;     /* for snap_hash; 0 = UG_SNAPLEN_DEFAULT */
	FILE *log;            /* where the JSON lines go; required */
	/* Called once every socket exists and the socket table and the "ready" line are written
	 * and flushed, before the first byte is sent. Returns 0 to go on, -1 to stop without
	 * sending. NULL: go at once. */
	int (*wait_go)(void *arg);
	void *wait_arg;
	unsigned pause_ms;    /* pause after the last send, before closing; 0 = 50 */
	const char *tmp_base; /* where the mkdtemp directory goes; NULL = "/tmp" */
	const char *main_comm;   /* if set, the calling thread's comm during the run */
};

/*
 * Runs the selected scenarios in the calling process (they start threads of their own).
 * Returns 0 when every send went as its scenario expects, 1 when some did not (details on
 * stderr; the log is complete all the same), -1 when the run could not be set up or the
 * go signal was refused (no traffic was sent).
 */
int ug_run(const struct ug_options *o);

/* Scenario names, NULL-terminated, in run order. */
extern const char *const ug_scenario_names[];

/* 0 when every name in the comma-separated list is a scenario; else -1 with the bad name. */
int ug_check_only(const char *list, char *bad, size_t badlen);

/* Name of the thread that sends from a second thread in the stream_path scenario. */
#define UG_SENDER_COMM "ugen-sender"
/* Name of the peer_gone scenario's peer process, which exits right after it received. */
#define UG_PEER_COMM "ugen-peer"

uint64_t ug_fnv1a(uint64_t h, const void *p, size_t n);

/*
 * Display form of a socket address given as the bytes of sun_path actually used (len may be
 * 0 for an unnamed socket): "" for unnamed, '@' + escaped name for abstract (leading NUL),
 * the escaped path up to its first NUL otherwise. Returns the length written (always
 * NUL-terminated; truncated when out is too small).
 */
size_t ug_display_path(const void *sun_path, size_t len, char *out, size_t outlen);

/*
 * The inverse of ug_display_path: turns "@name\x01" into "\0name\x01" and "/a\\b" into
 * "/a\b". Returns the number of bytes written to out, or -1 on a malformed escape or when
 * out is too small.
 */
long ug_display_decode(const char *disp, size_t displen, unsigned char *out, size_t outlen);

/* Reads /proc/sys/kernel/kptr_restrict into *old (if old) and writes value. 0 or -errno. */
int ug_kptr_restrict_set(int value, int *old);
/* Current value, or -errno. */
int ug_kptr_restrict_get(void);

#endif
