/* Strict parsing of the numbers command lines take (counts, pids, inodes, addresses). */
#ifndef UNIXCAP_NUMBERS_H
#define UNIXCAP_NUMBERS_H

#include <stdint.h>

#define PID_MAX_LIMIT 4194304 /* the kernel's ceiling for pid_max */

/* Digits only (base 0: a 0x prefix is hex), no sign or space, within [min, max]: 0 or -errno. */
int uc_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/*
 * "PID[,PID...]" appended to pids[*n] (at most max in all), each 1..PID_MAX_LIMIT; an empty
 * item ("1,,2") is an error. 0, -EINVAL or -E2BIG.
 */
int uc_parse_pid_list(const char *s, uint32_t *pids, unsigned *n, unsigned max);

/*
 * A kernel socket address (--sock, for capture and for -L): 1 to 16 hex digits, with or
 * without 0x (/proc/net/unix prints it bare, ss and lsof with 0x). 0, -EINVAL for
 * anything else, or -ERANGE for zero, which is no socket's address.
 */
int uc_parse_sock_addr(const char *s, uint64_t *out);

#endif
