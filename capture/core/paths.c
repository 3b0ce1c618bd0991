/* --path filters matched in userspace, with the kernel's rule (bpf/capture.bpf.h). */
#include "capture/core/paths.h"

#include <string.h>

bool uc_path_filter_match(const struct uc_path_filter *f, const char *path, unsigned len)
{
	unsigned want = f->len;

	if (len < want)
		return false;
	/* As in the kernel: a filesystem name may be stored with its trailing NUL, and a prefix
	 * (--path ending in *) needs only its own bytes to match. */
	if (len > want && !f->prefix && !(path[0] != 0 && path[want] == 0))
		return false;
	return memcmp(path, f->path, want) == 0;
}

bool uc_paths_match(const struct uc_options *o, const struct uc_message *msg)
{
	const struct uc_meta *m = &msg->m;

	if (o->n_paths == 0)
		return true;
	for (unsigned i = 0; i < o->n_paths; i++)
		if (uc_path_filter_match(&o->paths[i], m->path, m->path_len) ||
		    uc_path_filter_match(&o->paths[i], m->peer_path, m->peer_path_len))
			return true;
	return false;
}
