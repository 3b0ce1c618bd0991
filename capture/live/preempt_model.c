/* The kernel's preemption model from what it reports (preempt_model.h). */
#include "capture/live/preempt_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static int mode_preemptible(const char *m, size_t n)
{
	if ((n == 4 && !strncmp(m, "none", 4)) || (n == 9 && !strncmp(m, "voluntary", 9)))
		return 0;
	if ((n == 4 && (!strncmp(m, "full", 4) || !strncmp(m, "lazy", 4))) ||
	    (n == 2 && !strncmp(m, "rt", 2)))
		return 1;
	return -1;
}

int uc_preempt_from_debugfs(const char *text)
{
	const char *open = strchr(text, '('), *close = open ? strchr(open, ')') : NULL;
	return close ? mode_preemptible(open + 1, (size_t)(close - open - 1)) : -1;
}

int uc_preempt_from_cmdline(const char *cmdline)
{
	for (const char *p = strstr(cmdline, "preempt="); p; p = strstr(p + 1, "preempt=")) {
		if (p != cmdline && p[-1] != ' ')
			continue; /* another option ending in preempt= */
		p += strlen("preempt=");
		return mode_preemptible(p, strcspn(p, " \n"));
	}
	return -1;
}

int uc_preempt_from_config(const char *config)
{
	static const struct {
		const char *line;
		int preemptible;
	} lines[] = {
		{ "\nCONFIG_PREEMPT_RT=y", 1 },    { "\nCONFIG_PREEMPT_LAZY=y", 1 },
		{ "\nCONFIG_PREEMPT=y", 1 },       { "\nCONFIG_PREEMPT_VOLUNTARY=y", 0 },
		{ "\nCONFIG_PREEMPT_NONE=y", 0 },
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (strstr(config, lines[i].line) || !strncmp(config, lines[i].line + 1,
								strlen(lines[i].line + 1)))
			return lines[i].preemptible;
	return -1;
}

int uc_preempt_from_version(const char *version)
{
	if (strstr(version, "PREEMPT_RT"))
		return 1;
	if (strstr(version, "PREEMPT_DYNAMIC"))
		return -1;
	const char *p = strstr(version, "PREEMPT");
	return p && (p[7] == ' ' || p[7] == 0) ? 1 : 0;
}

/* A small text file whole, or NULL. */
static char *slurp(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

static int from_file(const char *path, size_t max, int (*parse)(const char *))
{
	char *text = slurp(path, max);
	int r = text ? parse(text) : -1;
	free(text);
	return r;
}

bool uc_kernel_preemptible(void)
{
	struct utsname u;
	char config[128];
	int r = from_file("/sys/kernel/debug/sched/preempt", 256, uc_preempt_from_debugfs);
	if (r < 0)
		r = from_file("/proc/cmdline", 4096, uc_preempt_from_cmdline);
	if (r < 0 && uname(&u) == 0) {
		r = uc_preempt_from_version(u.version);
		snprintf(config, sizeof(config), "/boot/config-%s", u.release);
		if (r < 0) /* PREEMPT_DYNAMIC without the two above: the build's default */
			r = from_file(config, 1u << 20, uc_preempt_from_config);
	}
	return r != 0;
}
