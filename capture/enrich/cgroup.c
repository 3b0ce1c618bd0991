/* Cgroup id → path cache and container-id patterns (cgroup.h). */
#include "capture/enrich/cgroup.h"
#include "capture/core/grow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WALK_DEPTH_MAX 32
#define REWALK_NS 1000000000ull

struct entry {
	uint64_t id;
	char *path;
};

struct uc_cgroups {
	char root[512];
	struct entry *e;
	size_t n, cap;
	uint64_t last_walk_ns;
	bool walked;
};

/*
 * Where cgroup2 is mounted: /sys/fs/cgroup on unified systems, /sys/fs/cgroup/unified on
 * hybrid ones (whose v1 hierarchies have their own, unrelated inode numbers).
 */
static void find_root(char *out, size_t outlen)
{
	char line[1024];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	snprintf(out, outlen, "%s", UC_CGROUP_ROOT);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char mnt[512], fstype[64];
		const char *sep = strstr(line, " - ");
		/* id parent major:minor root mountpoint ... - fstype source options */
		if (!sep || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s", fstype) != 1 || strcmp(fstype, "cgroup2"))
			continue;
		if (!strchr(mnt, '\\')) { /* octal escapes: such a mount point is not worth it */
			snprintf(out, outlen, "%s", mnt);
			break;
		}
	}
	fclose(f);
}

struct uc_cgroups *uc_cgroups_new(const char *root)
{
	struct uc_cgroups *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (root)
		snprintf(c->root, sizeof(c->root), "%s", root);
	else
		find_root(c->root, sizeof(c->root));
	return c;
}

const char *uc_cgroups_root(const struct uc_cgroups *c)
{
	return c->root;
}

static void clear(struct uc_cgroups *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].path);
	c->n = 0;
}

void uc_cgroups_free(struct uc_cgroups *c)
{
	if (!c)
		return;
	clear(c);
	free(c->e);
	free(c);
}

static void add(struct uc_cgroups *c, uint64_t id, const char *rel)
{
	if (uc_grow(&c->e, &c->cap, c->n, sizeof(*c->e), 256))
		return;
	char *p = strdup(rel[0] ? rel : "/");
	if (!p)
		return;
	c->e[c->n++] = (struct entry){ id, p };
}

/* Directories only, by fd, so a cgroup removed mid-walk just ends its branch. dirfd is
 * owned by the DIR stream once opened, and stays usable for openat until closedir. */
static void walk(struct uc_cgroups *c, int dirfd, dev_t dev, char *rel, size_t rlen,
		 int depth)
{
	struct stat st;
	/* Another file system mounted below (a v1 hierarchy) has unrelated inode numbers. */
	if (fstat(dirfd, &st) != 0 || st.st_dev != dev) {
		close(dirfd);
		return;
	}
	add(c, (uint64_t)st.st_ino, rel);
	if (depth >= WALK_DEPTH_MAX) {
		close(dirfd);
		return;
	}
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		size_t k = strlen(de->d_name);
		if (rlen + 1 + k >= 4096)
			continue;
		int fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		rel[rlen] = '/';
		memcpy(rel + rlen + 1, de->d_name, k + 1);
		walk(c, fd, dev, rel, rlen + 1 + k, depth + 1);
		rel[rlen] = '\0';
	}
	closedir(d);
}

static int by_id(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void rewalk(struct uc_cgroups *c)
{
	char rel[4096] = "";
	int fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	struct stat st;

	clear(c);
	if (fd >= 0 && fstat(fd, &st) == 0)
		walk(c, fd, st.st_dev, rel, 0, 0);
	else if (fd >= 0)
		close(fd);
	qsort(c->e, c->n, sizeof(*c->e), by_id);
}

static const char *lookup(const struct uc_cgroups *c, uint64_t id)
{
	struct entry key = { .id = id };
	struct entry *e = c->n ? bsearch(&key, c->e, c->n, sizeof(*c->e), by_id) : NULL;
	return e ? e->path : NULL;
}

const char *uc_cgroups_path(struct uc_cgroups *c, uint64_t id, uint64_t now_ns)
{
	const char *p;

	if (!c || !id)
		return NULL;
	p = lookup(c, id);
	if (p)
		return p;
	if (c->walked && now_ns - c->last_walk_ns < REWALK_NS)
		return NULL;
	c->walked = true;
	c->last_walk_ns = now_ns;
	rewalk(c);
	return lookup(c, id);
}

static const char *strip(const char *in, const char *mount)
{
	size_t k = strlen(mount);
	if (k > 1 && !strncmp(in, mount, k) && (in[k] == '/' || in[k] == '\0'))
		return in + k;
	return in;
}

int uc_cgroup_normalize(const char *in, const char *mount, char *out, size_t outlen)
{
	size_t n;

	if (in[0] != '/')
		return -1;
	in = strip(in, mount ? mount : UC_CGROUP_ROOT);
	if (mount)
		in = strip(in, UC_CGROUP_ROOT);
	n = strlen(in);
	while (n > 1 && in[n - 1] == '/')
		n--;
	if (n == 0) { /* the mount point itself */
		in = "/";
		n = 1;
	}
	if (n >= outlen)
		return -1;
	memcpy(out, in, n);
	out[n] = '\0';
	return 0;
}

bool uc_cgroup_under(const char *path, const char *top)
{
	size_t k = strlen(top);
	if (!strcmp(top, "/"))
		return path[0] == '/';
	return !strncmp(path, top, k) && (path[k] == '\0' || path[k] == '/');
}

static bool is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

/* A run of exactly 64 lowercase hex digits in s[0..n): its offset, or -1. */
static long hex64(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && is_hex(s[j]))
			j++;
		if (j - i == 64)
			return (long)i;
		i = j > i ? j : i + 1;
	}
	return -1;
}

static bool prefixed(const char *comp, long at, const char *prefix)
{
	size_t k = strlen(prefix);
	return (size_t)at >= k && !strncmp(comp + at - k, prefix, k);
}

bool uc_container_id(const char *cgpath, char *id, size_t idlen, const char **runtime)
{
	const char *end = cgpath + strlen(cgpath);

	while (end > cgpath) {
		const char *start = end;
		while (start > cgpath && start[-1] != '/')
			start--;
		long at = hex64(start, (size_t)(end - start));
		if (at >= 0) {
			const char *rt = "container";
			if (prefixed(start, at, "docker-") ||
			    (start - cgpath >= 8 && !strncmp(start - 8, "/docker/", 8)))
				rt = "docker";
			else if (prefixed(start, at, "cri-containerd-") || prefixed(start, at, "containerd-"))
				rt = "containerd";
			else if (prefixed(start, at, "crio-") || prefixed(start, at, "crio-conmon-"))
				rt = "cri-o";
			else if (prefixed(start, at, "libpod-") || prefixed(start, at, "libpod-conmon-"))
				rt = "podman";
			else if (strstr(cgpath, "kubepods"))
				rt = "kubernetes";
			if (idlen > 64) {
				memcpy(id, start + at, 64);
				id[64] = '\0';
			} else if (idlen) {
				id[0] = '\0';
			}
			if (runtime)
				*runtime = rt;
			return true;
		}
		end = start > cgpath ? start - 1 : cgpath;
	}
	return false;
}
