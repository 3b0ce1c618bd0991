/* The userspace matcher: -n, --cgroup, and the kernel's filters for -r (match.h). */
#include "capture/core/clock.h"
#include "capture/enrich/match.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int cgroup_exists(const struct uc_match *m, const char *mount, char *err, size_t errlen)
{
	char dir[sizeof(m->cgroup_top) + 512];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s%s", mount, m->cgroup_top);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--cgroup %s: no such cgroup (no directory %s)",
			 m->filter->cgroup, dir);
		return -1;
	}
	return 0;
}

int uc_match_init(struct uc_match *m, const struct uc_filter *f, bool kernel_half,
		  bool must_exist, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->filter = f;
	m->kernel_half = kernel_half;
	if (!f->cgroup)
		return 0;
	m->cgroups = uc_cgroups_new(NULL);
	if (!m->cgroups) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *mount = uc_cgroups_root(m->cgroups);
	if (uc_cgroup_normalize(f->cgroup, mount, m->cgroup_top, sizeof(m->cgroup_top))) {
		snprintf(err, errlen, "bad cgroup '%s' (an absolute path)", f->cgroup);
		uc_match_free(m);
		return -1;
	}
	if (must_exist && cgroup_exists(m, mount, err, errlen)) {
		uc_match_free(m);
		return -1;
	}
	return 0;
}

void uc_match_free(struct uc_match *m)
{
	uc_cgroups_free(m->cgroups);
	m->cgroups = NULL;
}

bool uc_match(struct uc_match *m, const struct uc_message *msg)
{
	if (m->kernel_half && !uc_filter_kernel_match(m->filter, msg))
		return false;
	if (!uc_filter_comm_match(m->filter, msg->m.comm))
		return false;
	if (!m->cgroups)
		return true;
	const char *path = uc_cgroups_path(m->cgroups, msg->m.cgroup_id, uc_now_ns(CLOCK_MONOTONIC));
	return path && uc_cgroup_under(path, m->cgroup_top);
}

struct uc_cgroups *uc_match_cgroups(const struct uc_match *m)
{
	return m->cgroups;
}
