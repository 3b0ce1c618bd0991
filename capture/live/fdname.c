#include "capture/live/fdname.h"

#include <stdio.h>
#include <string.h>

/* Components arrive leaf first, each NUL-terminated: "null\0dev\0" is /dev/null. */
static void join_path(char *out, size_t size, const char *comps, size_t len, int truncated)
{
	const char *starts[64];
	size_t n = 0, o = 0;
	for (size_t i = 0; i < len && n < 64;) {
		starts[n++] = comps + i;
		size_t l = strnlen(comps + i, len - i);
		i += l + 1;
	}
	out[0] = 0;
	/* A single component named memfd:* sits at the root of the internal shmem mount. */
	if (n == 1 && !truncated && !strncmp(starts[0], "memfd:", 6)) {
		snprintf(out, size, "%.*s", (int)strnlen(starts[0], len), starts[0]);
		return;
	}
	if (truncated && o + 4 < size)
		o += snprintf(out + o, size - o, "...");
	for (size_t k = n; k-- > 0 && o + 1 < size;) {
		size_t room = (size_t)(comps + len - starts[k]);
		int w = snprintf(out + o, size - o, "/%.*s", (int)strnlen(starts[k], room), starts[k]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	if (!out[0])
		snprintf(out, size, "/");
}

void uc_fd_info_from_rec(struct uc_fd_info *info, const struct uc_fd_rec *r)
{
	size_t len = r->name_len < sizeof(r->name) ? r->name_len : sizeof(r->name);
	memset(info, 0, sizeof(*info));
	info->fd = r->fd;
	info->peer_fd = -1;
	info->file = r->file;
	info->ino = r->ino;
	info->mode = r->mode;
	info->kind = r->kind;
	switch (r->kind) {
	case UC_FDK_PATH:
		join_path(info->name, sizeof(info->name), r->name, len, r->truncated);
		break;
	case UC_FDK_ANON:
		snprintf(info->name, sizeof(info->name), "anon_inode:%.*s", (int)strnlen(r->name, len),
			 r->name);
		break;
	case UC_FDK_PIPE:
		snprintf(info->name, sizeof(info->name), "pipe:[%llu]", (unsigned long long)r->ino);
		break;
	case UC_FDK_SOCKET:
		snprintf(info->name, sizeof(info->name), "socket:[%llu]", (unsigned long long)r->ino);
		break;
	default:
		snprintf(info->name, sizeof(info->name), "?");
		break;
	}
}
