/* Socket owners: one pass over /proc/PID/fd, as ss -p and lsof do. */
#include "capture/socklist/socklist.h"
#include "capture/core/proc_comm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* "socket:[12345]" -> 12345; 0 for anything else. */
static uint64_t socket_inode(const char *link)
{
	if (strncmp(link, "socket:[", 8) != 0)
		return 0;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(link + 8, &end, 10);
	if (errno || end == link + 8 || strcmp(end, "]") != 0)
		return 0;
	return v;
}

/* Returns fn's nonzero result to stop, else 0. */
static int scan_pid(int root_fd, const char *proc_root, const char *name, uc_sl_fd_fn fn,
		    void *ctx)
{
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/fd", name);
	int dfd = openat(root_fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0; /* gone, or not ours to read */
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	uint32_t pid = (uint32_t)strtoul(name, NULL, 10);
	char comm[UC_COMM_LEN];
	bool have_comm = false;
	int stop = 0;
	struct dirent *e;
	while (!stop && (e = readdir(d)) != NULL) {
		if (!all_digits(e->d_name))
			continue;
		char link[64];
		ssize_t n = readlinkat(dfd, e->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		uint64_t ino = socket_inode(link);
		if (!ino)
			continue;
		if (!have_comm) {
			uc_read_comm(proc_root, pid, comm, false);
			have_comm = true;
		}
		stop = fn(ino, pid, (int32_t)strtol(e->d_name, NULL, 10), comm, ctx);
	}
	closedir(d);
	return stop;
}

int uc_sl_proc_scan(const char *proc_root, uc_sl_fd_fn fn, void *ctx)
{
	int root_fd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return -errno;
	DIR *d = fdopendir(root_fd);
	if (!d) {
		int e = -errno;
		close(root_fd);
		return e;
	}
	int procs = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!all_digits(e->d_name))
			continue;
		procs++;
		if (scan_pid(root_fd, proc_root, e->d_name, fn, ctx))
			break;
	}
	closedir(d);
	return procs;
}

static int add_owner(uint64_t inode, uint32_t pid, int32_t fd, const char *comm, void *ctx)
{
	return uc_socklist_add_owner(ctx, inode, pid, fd, comm) ? 1 : 0;
}

int uc_sl_proc_owners(struct uc_socklist *l, const char *proc_root)
{
	int n = uc_sl_proc_scan(proc_root, add_owner, l);
	if (n >= 0)
		l->sources |= UC_SL_PROCFD;
	return n;
}
