/* --path filters: every name given, matched as the kernel matches one (bpf/capture.bpf.h). */
#ifndef UNIXCAP_CORE_PATHS_H
#define UNIXCAP_CORE_PATHS_H

#include <stdbool.h>
#include "capture/core/message.h"
#include "capture/core/options.h"

/* A bound name (path bytes, len as the kernel keeps it) against one filter. */
bool uc_path_filter_match(const struct uc_path_filter *f, const char *path, unsigned len);
/*
 * Several --path names (or one and the forms it resolves to) cannot all go to the kernel's
 * one path filter: the message matches when either end's name matches any of them. True
 * without --path. (With one name the kernel has checked it already; -r checks it here.)
 */
bool uc_paths_match(const struct uc_options *o, const struct uc_message *m);

#endif
