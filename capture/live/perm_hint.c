#include "capture/live/perm_hint.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/capability.h>

static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0)
		return true; /* cannot tell: no hint rather than a wrong one */
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

/* Before 5.11 the kernel charges BPF maps and programs to RLIMIT_MEMLOCK (64 KiB by
 * default there); libbpf raises the limit, which takes CAP_SYS_RESOURCE. */
static bool memlock_charged(void)
{
	struct utsname u;
	int major = 0, minor = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major < 5 || (major == 5 && minor < 11);
}

int uc_load_denied_hint(int e, char *err, size_t errlen)
{
	struct rlimit r;
	if (e != -EPERM || !memlock_charged() || has_cap(CAP_SYS_RESOURCE) ||
	    getrlimit(RLIMIT_MEMLOCK, &r) != 0 || r.rlim_cur == RLIM_INFINITY)
		return 0;
	snprintf(err, errlen,
		 "load: %s: this kernel (before 5.11) counts BPF memory against RLIMIT_MEMLOCK "
		 "(%llu KiB here): missing CAP_SYS_RESOURCE to raise it (setcap "
		 "cap_bpf,cap_perfmon,cap_dac_read_search,cap_sys_resource+ep unixcap, or run it "
		 "with ulimit -l unlimited)",
		 strerror(-e), (unsigned long long)r.rlim_cur / 1024);
	return -EACCES;
}

int uc_attach_denied_hint(int e, const char *prog, char *err, size_t errlen)
{
	int paranoid = 0;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	if (f) {
		if (fscanf(f, "%d", &paranoid) != 1)
			paranoid = 0;
		fclose(f);
	}
	/* 3 is Debian's (and Android's) addition: perf events for CAP_SYS_ADMIN only, whatever
	 * CAP_PERFMON says. */
	if ((e != -EACCES && e != -EPERM) || paranoid < 3 || has_cap(CAP_SYS_ADMIN))
		return 0;
	snprintf(err, errlen,
		 "attach %s: %s: kernel.perf_event_paranoid is %d (Debian's default), which gives "
		 "kprobe and tracepoint events to CAP_SYS_ADMIN only: use --backend fentry, or "
		 "sysctl kernel.perf_event_paranoid=2 (then CAP_PERFMON is enough)",
		 prog, strerror(-e), paranoid);
	return -EACCES;
}
