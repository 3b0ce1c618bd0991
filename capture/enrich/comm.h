/* Process names for peer pids, cached: a busy socket asks for the same peer at every message. */
#ifndef UNIXCAP_PROC_NAMES_H
#define UNIXCAP_PROC_NAMES_H
#include <stdint.h>
#include "bpf/unixcap_event.h"
/* Copies the comm of pid into out (NUL-terminated, "" if unknown). */
void uc_comm_of_pid(uint32_t pid, uint64_t now_ns, char out[UC_COMM_LEN]);
#endif
