/* What the kernel's bare EPERM/EACCES meant, for a run without root: which capability or
 * setting is missing, so that the one error line names it. */
#ifndef UNIXCAP_PERM_HINT_H
#define UNIXCAP_PERM_HINT_H
#include <stddef.h>
/* A failed program load (e < 0): when it is the memlock limit of kernels before 5.11, writes
 * the line into err and returns -EACCES; otherwise 0 and err is left alone. */
int uc_load_denied_hint(int e, char *err, size_t errlen);
/* A failed attach of PROG through a perf event (kprobe, tracepoint): when
 * kernel.perf_event_paranoid refuses it, writes the line and returns -EACCES; otherwise 0. */
int uc_attach_denied_hint(int e, const char *prog, char *err, size_t errlen);
#endif
