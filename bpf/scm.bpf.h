/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * SCM_RIGHTS and SCM_CREDENTIALS: walks a message's control buffer and records every
 * passed file, named in the kernel at the moment of the send or receive (a later
 * /proc/PID/fd read races with close() and fd reuse).
 *
 * The control buffer is kernel memory at unix_*_sendmsg() (the syscall copied it) and
 * user memory at syscall exit. Names are built from dentries: path components leaf
 * first (userspace joins them), crossing mount points through struct mount.
 */
#ifndef UNIXCAP_SCM_BPF_H
#define UNIXCAP_SCM_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "bpf/unixcap_event.h"
#include "bpf/ring.bpf.h"

#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2
#define SCM_PIDFD 4
#define UC_MAX_CMSGS 4     /* control messages walked per send */
#define UC_PATH_DEPTH 24   /* path components (and mount crossings) walked per file */

#define PIPEFS_MAGIC 0x50495045
#define SOCKFS_MAGIC 0x534F434B
#define ANON_INODE_FS_MAGIC 0x09041934

struct uc_cmsghdr {
	__u64 cmsg_len;
	__s32 cmsg_level;
	__s32 cmsg_type;
};

struct uc_ucred {
	__u32 pid;
	__u32 uid;
	__u32 gid;
};

/* What the control buffer holds, found before anything is emitted. */
struct uc_scm {
	__u64 fds_at; /* address of the int array of SCM_RIGHTS, 0 if none */
	__u32 n_fds;
	__u32 flags;  /* UC_MF_CREDS, UC_MF_PIDFD */
	struct uc_ucred cred;
};

static __always_inline long read_ctl(void *dst, __u32 n, __u64 src, bool user)
{
	return user ? bpf_probe_read_user(dst, n, (const void *)src)
		    : bpf_probe_read_kernel(dst, n, (const void *)src);
}

struct uc_cmsg_walk {
	__u64 ctl, ctl_len, off;
	struct uc_scm *s;
	__u8 user;
};

/* One control message. A bpf_loop callback: unrolled, the walk multiplied the states the
 * verifier explores in every caller past its limit. */
static long cmsg_step(__u32 i, struct uc_cmsg_walk *w)
{
	struct uc_scm *s = w->s;
	struct uc_cmsghdr h = {};
	__u64 off = w->off;

	if (off + sizeof(h) > w->ctl_len || read_ctl(&h, sizeof(h), w->ctl + off, w->user))
		return 1;
	if (h.cmsg_len < sizeof(h) || h.cmsg_len > w->ctl_len - off)
		return 1;
	if (h.cmsg_level == SOL_SOCKET) {
		__u64 body = h.cmsg_len - sizeof(h);
		if (h.cmsg_type == SCM_RIGHTS && !s->fds_at) {
			s->fds_at = w->ctl + off + sizeof(h);
			s->n_fds = body / sizeof(int) > UC_MAX_FDS ? UC_MAX_FDS : body / sizeof(int);
		} else if (h.cmsg_type == SCM_CREDENTIALS && body >= sizeof(s->cred)) {
			if (!read_ctl(&s->cred, sizeof(s->cred), w->ctl + off + sizeof(h), w->user))
				s->flags |= UC_MF_CREDS;
		} else if (h.cmsg_type == SCM_PIDFD) {
			s->flags |= UC_MF_PIDFD;
		}
	}
	w->off = off + ((h.cmsg_len + 7) & ~7ULL); /* CMSG_ALIGN */
	return 0;
}

static __always_inline void scm_parse(__u64 ctl, __u64 ctl_len, bool user, struct uc_scm *s)
{
	struct uc_cmsg_walk w = { .ctl = ctl, .ctl_len = ctl_len, .s = s, .user = user };

	if (!ctl || ctl_len < sizeof(struct uc_cmsghdr))
		return;
	UC_LOOP(UC_MAX_CMSGS, UC_MAX_CMSGS, cmsg_step, &w);
}

static __always_inline struct file *file_of_fd(__u32 fd)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return NULL;
	return file;
}

/* Appends one NUL-terminated name at r->name + off; returns the new offset. */
static __always_inline __u64 put_name(struct uc_fd_rec *r, __u64 off, const unsigned char *name)
{
	if (off >= UC_FD_NAME_MAX) {
		r->truncated = 1;
		return off;
	}
	barrier_var(off);
	off &= UC_FD_NAME_MAX - 1;
	long n = bpf_probe_read_kernel_str(&r->name[off], UC_FD_NAME_MAX, name);
	if (n <= 0)
		return off;
	return off + n;
}

struct uc_walk {
	struct uc_fd_rec *r;
	struct dentry *dentry;
	struct mount *mnt;
	__u64 off;
	__u8 at_root; /* the walk ended at the root: the path is complete */
};

/* One step up the path: a name component, or a hop from a mount's root to its mountpoint.
 * A bpf_loop callback rather than an unrolled loop keeps verification small. */
static long path_step(__u32 i, struct uc_walk *w)
{
	struct dentry *dentry = w->dentry;
	struct mount *mnt = w->mnt;
	struct dentry *root = BPF_CORE_READ(mnt, mnt.mnt_root);
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);

	if (dentry == root || dentry == parent) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
		if (up == mnt || !up) {
			/* A pseudo file (memfd:NAME) is its own root inside an internal mount:
			 * its own name is the whole name. */
			if (dentry != root && w->off == 0)
				w->off = put_name(w->r, 0, BPF_CORE_READ(dentry, d_name.name));
			w->at_root = 1;
			return 1; /* the root of the namespace (or of an internal mount) */
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	if (w->off >= UC_FD_NAME_MAX) {
		w->r->truncated = 1;
		return 1;
	}
	w->off = put_name(w->r, w->off, BPF_CORE_READ(dentry, d_name.name));
	w->dentry = parent;
	return 0;
}

static __always_inline void describe_file(struct file *f, struct uc_fd_rec *r)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	unsigned long magic = BPF_CORE_READ(inode, i_sb, s_magic);
	struct dentry *dentry = BPF_CORE_READ(f, f_path.dentry);
	__u64 off = 0;

	r->file = (__u64)f;
	r->ino = BPF_CORE_READ(inode, i_ino);
	r->mode = BPF_CORE_READ(inode, i_mode);
	if (magic == PIPEFS_MAGIC) {
		r->kind = UC_FDK_PIPE;
	} else if (magic == SOCKFS_MAGIC) {
		r->kind = UC_FDK_SOCKET;
	} else if (magic == ANON_INODE_FS_MAGIC) {
		r->kind = UC_FDK_ANON;
		off = put_name(r, 0, BPF_CORE_READ(dentry, d_name.name));
	} else {
		r->kind = UC_FDK_PATH;
		struct vfsmount *vfs = BPF_CORE_READ(f, f_path.mnt);
		struct uc_walk w = {
			.r = r,
			.dentry = dentry,
			.mnt = (void *)vfs - bpf_core_field_offset(struct mount, mnt),
			.off = uc_opaque(0),
		};
		UC_LOOP(UC_PATH_DEPTH, UC_PATH_DEPTH, path_step, &w);
		off = w.off;
		if (!w.at_root)
			r->truncated = 1; /* deeper than UC_PATH_DEPTH: the top is missing */
	}
	r->name_len = off > UC_FD_NAME_MAX ? UC_FD_NAME_MAX : off;
}

struct uc_fd_walk {
	__u64 fds_at;
	__u64 msg_id;
	__u32 tid;
	__u32 count;
	__u32 emitted;
	__u8 user;
};

static long fd_step(__u32 i, struct uc_fd_walk *w)
{
	int fd = -1;
	if (i >= w->count)
		return 1;
	if (read_ctl(&fd, sizeof(fd), w->fds_at + (__u64)i * sizeof(int), w->user))
		return 1;
	struct uc_fd_rec *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		stat_inc(UC_STAT_DROP_CHUNKS);
		return 1;
	}
	r->h.kind = UC_REC_FD;
	r->h.rflags = 0;
	r->h.data_len = 0;
	r->h.msg_id = w->msg_id;
	r->h.offset = i;
	r->h.tid = w->tid;
	r->fd = fd;
	r->count = w->count;
	r->name_len = 0;
	r->kind = UC_FDK_UNKNOWN;
	r->truncated = 0;
	r->file = 0;
	r->ino = 0;
	r->mode = 0;
	struct file *f = fd >= 0 ? file_of_fd(fd) : NULL;
	if (f)
		describe_file(f, r);
	uc_submit(r);
	w->emitted++;
	return 0;
}

/* The fd walk of the message a thread is emitting, by tid (not per CPU: see copy_state). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct uc_fd_walk);
} fd_state SEC(".maps");

#ifdef UC_NO_BPF_LOOP
/* One passed fd, from this thread's fd walk: a global function, so the 253-turn loop that
 * calls it costs the verifier a call per turn, and the path walk inside is verified once. */
UC_GLOBAL int uc_fd_one(__u32 i)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct uc_fd_walk *w = bpf_map_lookup_elem(&fd_state, &tid);
	if (!w)
		return 1;
	return fd_step(i, w);
}
#endif

#ifndef UC_NO_BPF_LOOP
struct uc_fd_cb {
	struct uc_fd_walk *w;
};

static long fd_cb(__u32 i, struct uc_fd_cb *cb)
{
	return fd_step(i, cb->w);
}
#endif

/* This thread's whole fd walk, a global function in both builds: inlined, the walk was verified
 * again with each of its callers' states (and without bpf_loop every turn that can leave the
 * loop made the verifier walk the rest of the caller again: 591k instructions on 5.10).
 * Returns how many fds were emitted. */
UC_GLOBAL int uc_fds_all(__u32 count)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct uc_fd_walk *w;
#ifdef UC_NO_BPF_LOOP
	for (__u32 i = 0; i < UC_MAX_FDS; i++) {
		if (i >= count || uc_fd_one(i))
			break;
	}
	w = bpf_map_lookup_elem(&fd_state, &tid);
#else
	w = bpf_map_lookup_elem(&fd_state, &tid);
	struct uc_fd_cb cb = { .w = w }; /* bpf_loop's context must be on the stack */
	if (w)
		bpf_loop(count > UC_MAX_FDS ? UC_MAX_FDS : count, fd_cb, &cb, 0);
#endif
	return w ? w->emitted : 0;
}

/* Emits one UC_REC_FD per passed fd; returns how many were emitted. */
static __always_inline __u32 emit_fds(const struct uc_scm *s, __u64 msg_id, __u32 tid, bool user)
{
	struct uc_fd_walk w = {
		.fds_at = s->fds_at,
		.msg_id = msg_id,
		.tid = tid,
		.count = s->n_fds,
		.user = user,
	};
	if (!s->fds_at || !s->n_fds)
		return 0;
	if (bpf_map_update_elem(&fd_state, &tid, &w, BPF_ANY))
		return 0; /* UC_MF_FDS_LOST says so */
	__u32 n = uc_fds_all(w.count);
	bpf_map_delete_elem(&fd_state, &tid);
	return n;
}

#endif
