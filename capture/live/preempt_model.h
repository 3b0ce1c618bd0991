/*
 * Whether the running kernel can preempt a task in the middle of kernel code, and so in the
 * middle of a BPF program that holds a recursion guard (the backstops' reason to exist:
 * bpf/syscall_backstop.bpf.h). Only the cheap sources are read; when none says, the answer
 * is yes, since loading a backstop that is not needed costs a little time and a wrong no
 * costs messages.
 */
#ifndef UNIXCAP_PREEMPT_MODEL_H
#define UNIXCAP_PREEMPT_MODEL_H

#include <stdbool.h>

bool uc_kernel_preemptible(void);

/* The steps, apart for the unit test. Each returns 1 (preemptible), 0 (not) or -1 (says
 * nothing). */
/* /sys/kernel/debug/sched/preempt: "none voluntary (full) lazy", the mode in brackets. */
int uc_preempt_from_debugfs(const char *text);
/* The kernel command line's preempt= (PREEMPT_DYNAMIC kernels). */
int uc_preempt_from_cmdline(const char *cmdline);
/* The build's default: its config file's CONFIG_PREEMPT* lines. */
int uc_preempt_from_config(const char *config);
/* uname's version string: "PREEMPT_RT", "PREEMPT_DYNAMIC" (mode chosen at boot: says
 * nothing), "PREEMPT" (full), or none of them (voluntary or none). */
int uc_preempt_from_version(const char *version);

#endif
