#include "privileges.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

int uc_check_privileges(char *err, size_t errlen)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0)
		return 0; /* cannot tell: let the load say what is wrong */
	if (has_cap(d, CAP_SYS_ADMIN))
		return 0;
	int bpf = has_cap(d, CAP_BPF), perfmon = has_cap(d, CAP_PERFMON);
	if (bpf && perfmon)
		return 0;
	snprintf(err, errlen,
		 "missing %s%s%s: run as root, or grant CAP_BPF and CAP_PERFMON (e.g. setcap "
		 "cap_bpf,cap_perfmon+ep unixcap)",
		 bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
	return -EPERM;
}
