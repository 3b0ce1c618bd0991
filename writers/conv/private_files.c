/* Private output files: a capture holds other processes' data (see rotate.c's open_file). */
#include "writers/conv/private_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int uc_make_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	int e = errno;
	if (e == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (e == EEXIST)
		e = ENOTDIR;
	snprintf(err, errlen, "%s: %s", dir, strerror(e));
	return -e;
}

int uc_open_private(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[4096];
	const int base = O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
	struct stat st;
	const char *why = NULL;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s/%s: %s", dir, name, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	int fd = open(path, base | O_CREAT | O_EXCL, 0600);
	if (fd >= 0)
		return fd;
	if (errno == EEXIST)
		fd = open(path, base);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path,
			 e == ELOOP ? "is a symbolic link; not following it" : strerror(e));
		return -e;
	}
	/* A planted hard link or someone else's file must not be truncated by root. */
	if (fstat(fd, &st) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_uid != geteuid())
		why = "exists and belongs to another user";
	else if (st.st_nlink > 1)
		why = "exists with more than one link";
	else if (fchmod(fd, 0600) != 0 || ftruncate(fd, 0) != 0)
		why = strerror(errno);
	if (why) {
		snprintf(err, errlen, "%s: %s; not writing into it", path, why);
		close(fd);
		return -EPERM;
	}
	return fd;
}
