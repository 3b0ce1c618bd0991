/* The syscall tracepoints are found through tracefs; make sure it is there. */
#ifndef UNIXCAP_TRACEFS_H
#define UNIXCAP_TRACEFS_H
#include <stdbool.h>
#include <stddef.h>
/* Returns 0 when tracefs is usable (mounting it, as perf does, if needed). */
int uc_ensure_tracefs(char *err, size_t errlen);
/* Whether kprobes can be attached here (false only when that is known not to be so): the
 * kprobe backend is not loaded, and its programs not verified, for nothing. */
bool uc_kprobes_available(void);
#endif
