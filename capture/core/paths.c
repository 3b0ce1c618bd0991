/* --path filters matched in userspace, with the kernel's rule (bpf/capture.bpf.h). */
#include "capture/core/paths.h"
#include "bpf/filter.h"

#include <string.h>

bool uc_path_filter_match(const struct uc_path_filter *f, const char *path, unsigned len)
{
	/* The kernel's own predicate (bpf/filter.h), so that a name matches here exactly when
	 * the kernel's single path filter would match it. */
	struct uc_config c = { .filter_path = 1, .path_len = (uint16_t)f->len,
			       .path_prefix = f->prefix };

	memcpy(c.path, f->path, f->len < sizeof(c.path) ? f->len : sizeof(c.path));
	return uc_cfg_path_matches(&c, path, (uint16_t)len);
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
