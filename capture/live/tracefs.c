#include "capture/live/tracefs.h"

#include <fcntl.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"

int uc_ensure_tracefs(char *err, size_t errlen)
{
	/* libbpf looks in either place for tracepoint ids. */
	if (faccessat(AT_FDCWD, TRACEFS "/events/syscalls", F_OK, AT_EACCESS) == 0 ||
	    faccessat(AT_FDCWD, DEBUGFS_TRACING "/events/syscalls", F_OK, AT_EACCESS) == 0)
		return 0;
	/* Mounted but closed (tracefs is mode 0700, root's): a capability-granted
	 * (setcap) run lacks the right to look inside, which mounting again would not mend. */
	if (faccessat(AT_FDCWD, TRACEFS "/events", F_OK, AT_EACCESS) != 0 && errno == EACCES) {
		snprintf(err, errlen,
			 "cannot read " TRACEFS " (root's only): missing CAP_DAC_READ_SEARCH (setcap "
			 "cap_bpf,cap_perfmon,cap_dac_read_search+ep unixcap, or run as root)");
		return -EACCES;
	}
	if (faccessat(AT_FDCWD, TRACEFS "/events", F_OK, AT_EACCESS) != 0 &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL) != 0) {
		int e = errno;
		snprintf(err, errlen,
			 "tracefs is not mounted and mounting it failed (%s): run 'mount -t tracefs "
			 "tracefs " TRACEFS "'",
			 strerror(e));
		return -e;
	}
	if (faccessat(AT_FDCWD, TRACEFS "/events/syscalls", F_OK, AT_EACCESS) != 0) {
		snprintf(err, errlen,
			 "no syscall tracepoints in " TRACEFS "/events (kernel built without "
			 "CONFIG_FTRACE_SYSCALLS)");
		return -ENOENT;
	}
	return 0;
}

bool uc_kprobes_available(void)
{
	/* libbpf attaches through the kprobe PMU, or else tracefs' kprobe_events: a kernel
	 * with neither (CONFIG_KPROBE_EVENTS off) refuses every kprobe. Unknown (tracefs not
	 * mounted) counts as available, so that attach still decides. */
	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0)
		return true;
	bool mounted = access(TRACEFS "/events", F_OK) == 0,
	     debug_mounted = access(DEBUGFS_TRACING "/events", F_OK) == 0;
	if (!mounted && !debug_mounted)
		return true;
	return (mounted && access(TRACEFS "/kprobe_events", F_OK) == 0) ||
	       (debug_mounted && access(DEBUGFS_TRACING "/kprobe_events", F_OK) == 0);
}
