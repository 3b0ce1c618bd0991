#include "capture/app/privileges.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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
		 "missing %s%s%s: run as root, or as a member of the unixcap group (the package's "
		 "setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep; unixcap(8))",
		 bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
	return -EPERM;
}

int uc_lookup_user(const char *user, struct uc_user *out, char *err, size_t errlen)
{
	struct passwd *pw;
	char *end;

	errno = 0;
	pw = getpwnam(user);
	if (!pw && *user >= '0' && *user <= '9') {
		unsigned long v = strtoul(user, &end, 10);
		if (!*end && v < UINT_MAX)
			pw = getpwuid((uid_t)v);
	}
	if (!pw) {
		snprintf(err, errlen, "-Z: unknown user '%s'", user);
		return -ENOENT;
	}
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	snprintf(out->name, sizeof(out->name), "%s", pw->pw_name);
	return 0;
}

static int clear_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return (int)syscall(SYS_capset, &h, d);
}

int uc_drop_privileges(const struct uc_user *u, char *err, size_t errlen)
{
	const char *step;

	/* -Z naming the user already running a capability-granted binary (a unixcap-group
	 * member): nothing to switch, nor CAP_SETGID to do it with; only the capabilities go. */
	if (u->uid != 0 && getuid() == u->uid && geteuid() == u->uid)
		goto caps;
	/* Supplementary groups first: root's would otherwise survive the uid change. */
	if (initgroups(u->name, u->gid) != 0 && setgroups(1, &u->gid) != 0) {
		step = "setgroups";
		goto fail;
	}
	if (setresgid(u->gid, u->gid, u->gid) != 0) {
		step = "setgid";
		goto fail;
	}
	if (setresuid(u->uid, u->uid, u->uid) != 0) {
		step = "setuid";
		goto fail;
	}
caps:
	/* A capability-granted (setcap) run keeps its caps across setuid: clear them too. */
	if (clear_caps() != 0) {
		step = "clearing capabilities";
		goto fail;
	}
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "-Z %s: could regain root after dropping privileges", u->name);
		return -EPERM;
	}
	return 0;
fail:;
	int e = errno;
	snprintf(err, errlen, "-Z %s: %s: %s", u->name, step, strerror(e));
	return -e;
}
