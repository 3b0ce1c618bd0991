/* A process's name from /proc/PID/comm, for the pids the kernel side could not name. */
#ifndef UNIXCAP_CORE_PROC_COMM_H
#define UNIXCAP_CORE_PROC_COMM_H

#include <stdbool.h>
#include <stdint.h>
#include "bpf/unixcap_event.h"

/*
 * Reads PROC_ROOT/PID/comm (proc_root "/proc", or a fake tree in tests) into comm,
 * NUL-terminated; "" when it cannot be read. The kernel ends the name with a newline,
 * which is dropped. A name can itself hold a newline (prctl(PR_SET_NAME) takes any byte):
 * first_line keeps only what comes before it, as the peer names of a capture always
 * have; otherwise the name is kept whole, as -L shows it (escaped), like the comm the
 * kernel side records for a sender.
 */
void uc_read_comm(const char *proc_root, uint32_t pid, char comm[UC_COMM_LEN], bool first_line);

#endif
