/* The filter description and its kernel half in userspace (filter.h). */
#include "capture/core/filter.h"
#include "bpf/filter.h"

#include <string.h>

void uc_filter_init(struct uc_filter *f, const struct uc_options *o)
{
	memset(f, 0, sizeof(*f));
	f->cfg.filter_tid = o->tid;
	f->cfg.filter_type = o->type;
	f->cfg.filter_sock = o->sock;
	f->cfg.filter_inode = o->inode;
	f->cfg.filter_pids = o->n_pids > 0;
	f->cfg.exclude_pids = o->n_exclude_pids > 0;
	f->cfg.fds_only = o->fds_only;
	if (o->have_path) {
		f->cfg.filter_path = 1;
		f->cfg.path_len = (uint16_t)o->path_len;
		f->cfg.path_prefix = o->path_prefix;
		memcpy(f->cfg.path, o->path, o->path_len);
	}
	f->pids = o->pids;
	f->n_pids = o->n_pids;
	f->exclude_pids = o->exclude_pids;
	f->n_exclude_pids = o->n_exclude_pids;
	f->comm = o->have_comm_regex ? &o->comm_regex : NULL;
	f->cgroup = o->cgroup;
}

void uc_filter_kernel_config(const struct uc_filter *f, struct uc_config *cfg)
{
	cfg->filter_tid = f->cfg.filter_tid;
	cfg->filter_type = f->cfg.filter_type;
	cfg->filter_sock = f->cfg.filter_sock;
	cfg->filter_inode = f->cfg.filter_inode;
	cfg->filter_pids = f->cfg.filter_pids;
	cfg->exclude_pids = f->cfg.exclude_pids;
	cfg->fds_only = f->cfg.fds_only;
	cfg->filter_path = f->cfg.filter_path;
	cfg->path_len = f->cfg.path_len;
	cfg->path_prefix = f->cfg.path_prefix;
	memcpy(cfg->path, f->cfg.path, sizeof(cfg->path));
}

uint8_t uc_filter_pid_entry(const struct uc_filter *f, uint32_t pid)
{
	for (unsigned i = 0; i < f->n_pids; i++)
		if (f->pids[i] == pid)
			return UC_PID_INCLUDE;
	for (unsigned i = 0; i < f->n_exclude_pids; i++)
		if (f->exclude_pids[i] == pid)
			return UC_PID_EXCLUDE;
	return 0;
}

bool uc_filter_kernel_match(const struct uc_filter *f, const struct uc_message *msg)
{
	const struct uc_config *c = &f->cfg;
	const struct uc_meta *m = &msg->m;

	return uc_cfg_pid_wanted(c, uc_filter_pid_entry(f, m->pid)) &&
	       uc_cfg_tid_wanted(c, m->tid) && uc_cfg_fds_wanted(c, msg->n_fds) &&
	       uc_cfg_type_wanted(c, m->type) && uc_cfg_sock_wanted(c, m->sock, m->peer_sock) &&
	       uc_cfg_inode_wanted(c, m->inode, m->peer_inode) &&
	       (!c->filter_path || uc_cfg_path_matches(c, m->path, m->path_len) ||
		uc_cfg_path_matches(c, m->peer_path, m->peer_path_len));
}

bool uc_filter_comm_match(const struct uc_filter *f, const char *comm)
{
	char s[UC_COMM_LEN + 1];

	if (!f->comm)
		return true;
	memcpy(s, comm, UC_COMM_LEN);
	s[UC_COMM_LEN] = 0;
	return regexec(f->comm, s, 0, NULL, 0) == 0;
}
