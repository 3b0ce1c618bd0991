/* Output directories and files of --raw and --split: they hold other processes' data. */
#ifndef UNIXCAP_FOLLOW_FILES_H
#define UNIXCAP_FOLLOW_FILES_H

#include <stddef.h>

/* mkdir DIR 0700 unless it already is a directory. 0 or -errno, one line in err. */
int uc_make_dir(const char *dir, char *err, size_t errlen);

/*
 * Opens DIR/name for writing, mode 0600: a new file, or an existing regular file of ours
 * with a single link (then truncated); never through a symbolic link. fd or -errno.
 */
int uc_open_private(const char *dir, const char *name, char *err, size_t errlen);

#endif
