/*
 * Test helper: lets an unprivileged tshark run unixcap as its extcap with real uid 0.
 * Wireshark honours WIRESHARK_EXTCAP_DIR only for non-root users, and unixcap's tracefs
 * check uses access(), which ignores file capabilities when the real uid is not 0; so the
 * test installs this wrapper setuid-root in a private extcap directory, and it executes
 * real/unixcap next to it as root.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char self[PATH_MAX], real[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)argc;
	if (n <= 0) {
		perror("extcap_root: /proc/self/exe");
		return 1;
	}
	self[n] = '\0';
	snprintf(real, sizeof(real), "%s/real/unixcap", dirname(self));
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0)) {
		perror("extcap_root: setresuid (not installed setuid root?)");
		return 1;
	}
	argv[0] = real;
	execv(real, argv);
	perror(real);
	return 1;
}
