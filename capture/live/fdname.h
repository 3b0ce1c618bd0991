/* Turns a passed-file record into the name /proc/PID/fd would show for it. */
#ifndef UNIXCAP_FDNAME_H
#define UNIXCAP_FDNAME_H
#include <stddef.h>
#include "capture/core/message.h"
/* Fills info from the kernel record (bounds-checked: a record from a file may be hostile). */
void uc_fd_info_from_rec(struct uc_fd_info *info, const struct uc_fd_rec *r);
#endif
