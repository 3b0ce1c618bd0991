/* capexec - run a program as another user holding exactly the capabilities given, so that a
 * test can measure which set a feature needs. The capabilities are made ambient: they survive
 * the exec of an ordinary file (no file capabilities needed), as they would for a setcap copy.
 * Busybox (the VM guests) has no setpriv with --reuid, hence this helper.
 *
 * Usage (as root): capexec UID CAPS PROG [ARG]...
 *   CAPS: a comma-separated list of names (cap_bpf,cap_perfmon,...) or "none".
 * Exit: PROG's, or 126 with one line on stderr when the switch fails, 127 when PROG does not
 * run. */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

static const struct {
	const char *name;
	int cap;
} caps[] = {
	{ "cap_dac_override", 1 }, { "cap_dac_read_search", 2 }, { "cap_setgid", 6 },
	{ "cap_setuid", 7 },	   { "cap_sys_ptrace", 19 },	 { "cap_sys_admin", 21 },
	{ "cap_sys_resource", 24 }, { "cap_syslog", 34 },	 { "cap_perfmon", 38 },
	{ "cap_bpf", 39 },
};

static int cap_of(const char *name)
{
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (strcmp(caps[i].name, name) == 0)
			return caps[i].cap;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: capexec UID CAPS PROG [ARG]...\n");
		return 126;
	}
	char *end;
	unsigned long uid = strtoul(argv[1], &end, 10);
	if (*end || end == argv[1]) {
		fprintf(stderr, "capexec: not a uid: '%s'\n", argv[1]);
		return 126;
	}
	uint64_t want = 0;
	char *list = strdup(argv[2]), *save = NULL;
	for (char *n = strtok_r(list, ",", &save); n && strcmp(argv[2], "none") != 0;
	     n = strtok_r(NULL, ",", &save)) {
		int c = cap_of(n);
		if (c < 0) {
			fprintf(stderr, "capexec: unknown capability '%s'\n", n);
			return 126;
		}
		want |= 1ULL << c;
	}
	/* Keep the permitted set across the uid change (setuid would empty it), then narrow it. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 || setgroups(0, NULL) != 0 ||
	    setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0) {
		fprintf(stderr, "capexec: switching to uid %lu: %s\n", uid, strerror(errno));
		return 126;
	}
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	for (int i = 0; i < 2; i++)
		d[i].effective = d[i].permitted = d[i].inheritable = (uint32_t)(want >> (32 * i));
	if (syscall(SYS_capset, &h, d) != 0) {
		fprintf(stderr, "capexec: capset %s: %s\n", argv[2], strerror(errno));
		return 126;
	}
	/* Ambient needs each one permitted and inheritable (set just above). */
	for (int c = 0; c < 64; c++)
		if (want >> c & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) != 0) {
			fprintf(stderr, "capexec: ambient capability %d: %s\n", c, strerror(errno));
			return 126;
		}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "capexec: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
