/* Checks, before anything is loaded, that the process may load and attach BPF programs. */
#ifndef UNIXCAP_PRIVILEGES_H
#define UNIXCAP_PRIVILEGES_H
#include <stddef.h>
/* Returns 0, or -EPERM with a line naming the missing capabilities. */
int uc_check_privileges(char *err, size_t errlen);
#endif
