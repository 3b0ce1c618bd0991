/* The syscall tracepoints are found through tracefs; make sure it is there. */
#ifndef UNIXCAP_TRACEFS_H
#define UNIXCAP_TRACEFS_H
#include <stddef.h>
/* Returns 0 when tracefs is usable (mounting it, as perf does, if needed). */
int uc_ensure_tracefs(char *err, size_t errlen);
#endif
