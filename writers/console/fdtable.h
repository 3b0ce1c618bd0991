/* --fds: one line per passed fd, with sofdsnoop's columns. Write errors stay in ferror(out). */
#ifndef UNIXCAP_CONSOLE_FDTABLE_H
#define UNIXCAP_CONSOLE_FDTABLE_H

#include <stdbool.h>
#include <stdio.h>
#include "capture/core/message.h"

/* The column header, and one line per passed fd of msg. */
void uc_print_fd_header(FILE *out, bool with_time);
void uc_print_fd_lines(FILE *out, const struct uc_message *msg, const char *time_text);

#endif
