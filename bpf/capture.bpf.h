/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel-side core shared by every backend: maps, filters, socket metadata and the
 * payload copier. A backend only has to say where a message's bytes are (a uc_src)
 * and which socket sent them; everything after that is identical, so every backend
 * produces byte-identical records.
 */
#ifndef UNIXCAP_CAPTURE_BPF_H
#define UNIXCAP_CAPTURE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bpf/unixcap_event.h"
#include "bpf/unixcap_stats.h"
#include "bpf/filter.h"
#include "bpf/ring.bpf.h"
#include "bpf/scm.bpf.h"
#include "bpf/unix_sock.bpf.h"
#include "bpf/pending.bpf.h"

#define UC_MAX_SEGS 1024 /* UIO_MAXIOV: the kernel refuses more */

/*
 * Clamps a length behind a compiler barrier: clang drops a bound check it can prove
 * redundant, but the verifier needs to see it to accept the copy size.
 */
#define UC_CLAMP(v, max)                                                                       \
	do {                                                                                   \
		barrier_var(v);                                                                \
		if ((v) > (max))                                                               \
			(v) = (max);                                                           \
		barrier_var(v);                                                                \
	} while (0)

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Both ends' names, read before any ring reservation when --path filters. */
struct uc_path_pair {
	char path[UC_PATH_MAX];
	char peer[UC_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uc_path_pair);
} path_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * UC_MAX_PIDS); /* -p and --exclude-pid lists */
	__type(key, __u32);
	__type(value, __u8); /* UC_PID_INCLUDE or UC_PID_EXCLUDE */
} filter_pids SEC(".maps");

/* Where a message's bytes are. */
enum uc_src_kind {
	UC_SRC_USER_BUF = 1,  /* one user buffer */
	UC_SRC_USER_IOV,      /* user iovec array, user bytes (syscall arguments) */
	UC_SRC_KERN_IOV,      /* kernel iovec array, user bytes (ITER_IOVEC) */
	UC_SRC_KVEC,          /* kernel kvec array, kernel bytes (ITER_KVEC) */
	UC_SRC_NONE,          /* bytes not addressable (pages): metadata only */
};

__u64 next_msg_id = 1;

static __always_inline bool task_wanted(__u32 pid, __u32 tid)
{
	if (pid == cfg.self_tgid)
		return false;
	if (!uc_cfg_tid_wanted(&cfg, tid))
		return false;
	if (cfg.filter_pids || cfg.exclude_pids) {
		__u8 *v = bpf_map_lookup_elem(&filter_pids, &pid);
		if (!uc_cfg_pid_wanted(&cfg, v ? *v : 0))
			return false;
	}
	return true;
}

static __always_inline bool type_wanted(__u16 type)
{
	return uc_cfg_type_wanted(&cfg, type);
}

/* ---- socket metadata -------------------------------------------------------------------- */

static __always_inline struct sock *unix_peer(struct sock *sk)
{
	return BPF_CORE_READ((struct unix_sock *)sk, peer);
}

/* A datagram sent to an address: the kernel looked the receiver up by that name, whatever
 * the socket is connected to (seqpacket ignores the address, stream refuses it). */
static __always_inline bool dest_used(const struct uc_pending *p)
{
	return p->dest_name && p->dest_len && p->type == 2 /* SOCK_DGRAM */;
}

/* The receiving socket seen during the send wins over the connected peer: a connected
 * datagram socket may still sendto() elsewhere. A datagram sent to an address whose
 * receiver was not seen has no known peer (never the connected one). */
static __always_inline struct sock *msg_peer(const struct uc_pending *p, __u64 other)
{
	if (other)
		return (struct sock *)other;
	if (dest_used(p))
		return NULL;
	return unix_peer((struct sock *)p->sk);
}

/* Copies a bound name; returns its length (abstract names keep their leading NUL). */
static __always_inline __u16 unix_bound_path(struct sock *sk, char *dst)
{
	if (!sk)
		return 0;
	struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
	if (!addr)
		return 0;
	int alen = BPF_CORE_READ(addr, len);
	if (alen <= (int)sizeof(__u16))
		return 0;
	__u64 len = alen - sizeof(__u16); /* 64-bit: the verifier bounds the whole register */
	UC_CLAMP(len, UC_PATH_MAX);
	if (bpf_probe_read_kernel(dst, len, &addr->name[0].sun_path))
		return 0;
	return len;
}

/* Copies a sockaddr_un given to sendto/sendmsg; returns the sun_path length. */
static __always_inline __u16 dest_path(const struct uc_pending *p, char *dst)
{
	if (!p->dest_name || p->dest_len <= sizeof(__u16))
		return 0;
	__u64 len = p->dest_len - sizeof(__u16);
	UC_CLAMP(len, UC_PATH_MAX);
	const void *src = (const void *)(p->dest_name + sizeof(__u16));
	long err = p->dest_user ? bpf_probe_read_user(dst, len, src)
				: bpf_probe_read_kernel(dst, len, src);
	if (err)
		return 0;
	/* A filesystem name may carry trailing NULs the caller counted; abstract ones may not. */
	return len;
}

/*
 * sk_peer_pid of the sending socket, and the name of that process read now: userspace gets
 * the record later, when a short-lived peer may be gone. The name is left empty when the
 * process has exited already (a dbus-daemon --fork parent, whose pid its clients keep).
 */
static __always_inline void peer_process(struct sock *sk, struct uc_meta *m)
{
	struct pid *pid = BPF_CORE_READ(sk, sk_peer_pid);
	if (!pid)
		return;
	m->peer_pid = BPF_CORE_READ(pid, numbers[0].nr);
	/* The thread group leader: the task linked to its own pid (pid_task(pid, PIDTYPE_PID)). */
	struct hlist_node *link = BPF_CORE_READ(pid, tasks[PIDTYPE_PID].first);
	if (!link)
		return;
	struct task_struct *task =
		(void *)link - bpf_core_field_offset(struct task_struct, pid_links);
	bpf_core_read_str(m->peer_comm, sizeof(m->peer_comm), &task->comm);
}

/* The struct socket behind fd in the current task, if it is an AF_UNIX socket. */
static __always_inline struct socket *unix_socket_of_fd(__u32 fd)
{
	struct file *file = file_of_fd(fd);
	if (!file)
		return NULL;
	return unix_socket_of_file(file);
}

/* Where every syscall-entry hook starts: the AF_UNIX socket behind fd, when the task and
 * the socket's type pass the filters (type is set then); else NULL. */
static __always_inline struct socket *wanted_socket(__u64 fd, __u16 *type)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!task_wanted(pid_tgid >> 32, (__u32)pid_tgid))
		return NULL;
	struct socket *sock = unix_socket_of_fd((__u32)fd);
	if (!sock)
		return NULL;
	*type = BPF_CORE_READ(sock, type);
	return type_wanted(*type) ? sock : NULL;
}

/* ---- payload copy ----------------------------------------------------------------------- */

struct uc_seg {
	__u64 ptr;
	__u64 len;
};

static __always_inline int load_seg(const struct uc_pending *p, __u64 idx, struct uc_seg *seg)
{
	struct iovec iov = {};
	const void *at = (const void *)(p->base + idx * sizeof(struct iovec));

	switch (p->src_kind) {
	case UC_SRC_USER_BUF:
		if (idx)
			return -1;
		seg->ptr = p->base;
		seg->len = ~0ULL; /* bounded by what the send returned */
		break;
	case UC_SRC_USER_IOV:
		if (bpf_probe_read_user(&iov, sizeof(iov), at))
			return -1;
		seg->ptr = (__u64)iov.iov_base;
		seg->len = iov.iov_len;
		break;
	case UC_SRC_KERN_IOV:
	case UC_SRC_KVEC: /* struct kvec has the same layout as struct iovec */
		if (bpf_probe_read_kernel(&iov, sizeof(iov), at))
			return -1;
		seg->ptr = (__u64)iov.iov_base;
		seg->len = iov.iov_len;
		break;
	default:
		return -1;
	}
	if (idx == 0 && p->skip) {
		if (p->skip >= seg->len) {
			seg->len = 0;
		} else {
			seg->ptr += p->skip;
			seg->len -= p->skip;
		}
	}
	return 0;
}

static __always_inline long read_bytes(const struct uc_pending *p, void *dst, __u64 n, __u64 src)
{
	if (p->src_kind == UC_SRC_KVEC)
		return bpf_probe_read_kernel(dst, n, (const void *)src);
	return bpf_probe_read_user(dst, n, (const void *)src);
}

/*
 * Record sizes come from fixed classes: bpf_ringbuf_reserve() takes only constants,
 * and one 16 KiB class for a 64-byte message would fill the ring 250 times faster.
 * The copy happens inside each class so the verifier sees the size bound per class.
 */
#define UC_RESERVE_COPY_CLASS(rec, hdr, cls, n, p, src, faults)                                \
	do {                                                                                   \
		rec = bpf_ringbuf_reserve(&events, (hdr) + (cls), 0);                          \
		if (rec) {                                                                     \
			__u64 _n = (n);                                                        \
			UC_CLAMP(_n, cls);                                                     \
			if (_n && read_bytes(p, (void *)(rec) + (hdr), _n, src))               \
				faults++;                                                      \
		}                                                                              \
	} while (0)

#define UC_RESERVE_COPY(rec, hdr, n, p, src, faults)                                           \
	do {                                                                                   \
		if ((n) <= 64)                                                                 \
			UC_RESERVE_COPY_CLASS(rec, hdr, 64, n, p, src, faults);                \
		else if ((n) <= 512)                                                           \
			UC_RESERVE_COPY_CLASS(rec, hdr, 512, n, p, src, faults);               \
		else if ((n) <= 4096)                                                          \
			UC_RESERVE_COPY_CLASS(rec, hdr, 4096, n, p, src, faults);              \
		else                                                                           \
			UC_RESERVE_COPY_CLASS(rec, hdr, UC_CHUNK_MAX, n, p, src, faults);      \
	} while (0)

struct uc_copy {
	__u64 msg_id;
	__u64 seg_ptr;
	__u64 seg_left;
	__u64 seg_idx;
	__u64 nr_segs;
	__u32 offset;
	__u32 remaining;
	__u32 tid;
	__u32 faults;
};

/* One copy step: moves to the next segment, or emits one DATA record. */
static __always_inline long copy_step(struct uc_copy *c, const struct uc_pending *p)
{
	struct uc_seg seg = {};

	if (c->remaining == 0)
		return 1;
	if (c->seg_left == 0) {
		c->seg_idx++;
		if (c->seg_idx >= c->nr_segs || load_seg(p, c->seg_idx, &seg)) {
			/* Ran out of segments before the sent length: close the message short. */
			struct uc_data_rec *end = bpf_ringbuf_reserve(&events, sizeof(*end), 0);
			if (!end)
				stat_inc(UC_STAT_DROP_CHUNKS);
			if (end) {
				end->h.kind = UC_REC_DATA;
				end->h.rflags = UC_RF_LAST;
				end->h.data_len = 0;
				end->h.msg_id = c->msg_id;
				end->h.offset = c->offset;
				end->h.tid = c->tid;
				uc_submit(end);
			}
			return 1;
		}
		c->seg_ptr = seg.ptr;
		c->seg_left = seg.len;
		return 0;
	}

	__u64 n = c->remaining;
	if (n > c->seg_left)
		n = c->seg_left;
	if (n > UC_CHUNK_MAX)
		n = UC_CHUNK_MAX;

	struct uc_data_rec *rec = NULL;
	__u32 faults = 0;
	UC_RESERVE_COPY(rec, sizeof(struct uc_data_rec), n, p, c->seg_ptr, faults);
	if (faults)
		c->faults = 1; /* a flag, not a count: a counter would keep the verifier iterating */
	if (!rec) {
		stat_inc(UC_STAT_DROP_CHUNKS);
		return 1;
	}
	rec->h.kind = UC_REC_DATA;
	rec->h.data_len = n;
	rec->h.msg_id = c->msg_id;
	rec->h.offset = c->offset;
	rec->h.tid = c->tid;
	c->remaining -= n;
	c->offset += n;
	c->seg_ptr += n;
	c->seg_left -= n;
	/* The MSG record is gone already: a faulted chunk says so itself, or its stale ring
	 * bytes would pass for the message's. */
	rec->h.rflags = (c->remaining ? 0 : UC_RF_LAST) | (faults ? UC_RF_UNREADABLE : 0);
	uc_submit(rec);
	return 0;
}

/* The most copy steps one message can take: a step per segment change and per chunk. */
#define UC_COPY_STEPS_MAX (2 * UC_MAX_SEGS + UC_SNAPLEN_MAX_ANY / UC_CHUNK_MAX + 2)

/* The copy state of the message a thread is emitting, by tid. Not per CPU: fentry/fexit
 * programs run preemptible (migration disabled only), so another thread's program could
 * take over the same CPU's state mid-copy. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct uc_copy);
} copy_state SEC(".maps");

#ifdef UC_NO_BPF_LOOP
#define UC_COPY_BATCH 8 /* steps per call: the batch is verified once, the calls per loop turn */

/* Runs up to UC_COPY_BATCH steps of this CPU's copy; returns 1 when the message is done. */
UC_GLOBAL int uc_copy_batch(__u32 tid)
{
	struct uc_copy *c = bpf_map_lookup_elem(&copy_state, &tid);
	const struct uc_pending *p = pending_get();
	if (!c || !p)
		return 1;
	for (int i = 0; i < UC_COPY_BATCH; i++) {
		if (copy_step(c, p))
			return 1;
	}
	return 0;
}
#else
struct uc_copy_cb {
	struct uc_copy *c;
	const struct uc_pending *p;
};

static long copy_cb(__u32 index, struct uc_copy_cb *cb)
{
	return copy_step(cb->c, cb->p);
}
#endif

/* The whole copy of thread tid's message (copy_state) from its pending send: a global
 * function for the same reasons as uc_fds_all(). */
UC_GLOBAL int uc_copy_all(__u32 tid, __u32 steps)
{
#ifdef UC_NO_BPF_LOOP
	for (__u32 i = 0; i < UC_COPY_STEPS_MAX / UC_COPY_BATCH + 1; i++) {
		if (i * UC_COPY_BATCH >= steps || uc_copy_batch(tid))
			break;
	}
#else
	struct uc_copy_cb cb = {
		.c = bpf_map_lookup_elem(&copy_state, &tid),
		.p = pending_get(),
	};
	if (cb.c && cb.p)
		bpf_loop(steps > UC_COPY_STEPS_MAX ? UC_COPY_STEPS_MAX : steps, copy_cb, &cb, 0);
#endif
	return 0;
}

static __always_inline bool path_matches(const char *path, __u16 len)
{
	return uc_cfg_path_matches(&cfg, path, len);
}

static __always_inline void fill_meta(struct uc_meta *m, const struct uc_pending *p,
				      struct sock *peer, __u64 pid_tgid)
{
	struct sock *sk = (struct sock *)p->sk;

	m->sock = p->sk;
	m->peer_sock = (__u64)peer;
	m->inode = sock_inode(sk);
	m->peer_inode = sock_inode(peer);
	m->peer_pid = 0;
	m->peer_comm[0] = 0;
	peer_process(sk, m);
	m->pid = pid_tgid >> 32;
	m->tid = (__u32)pid_tgid;
	__u64 ugid = bpf_get_current_uid_gid();
	m->uid = (__u32)ugid;
	m->gid = ugid >> 32;
	m->cgroup_id = bpf_get_current_cgroup_id();
	m->type = p->type;
	m->backend = p->backend;
	m->call = p->call;
	m->fd = p->fd;
	bpf_get_current_comm(m->comm, sizeof(m->comm));
	m->path_len = unix_bound_path(sk, m->path);
	m->peer_path_len = 0;
	if (p->dest_name) {
		m->peer_path_len = dest_path(p, m->peer_path);
		if (m->peer_path_len)
			m->flags |= UC_MF_DEST_ADDR;
	}
	if (!m->peer_path_len)
		m->peer_path_len = unix_bound_path(peer, m->peer_path);
}

/*
 * --path, decided before reserving: a reserved-then-discarded record still holds ring
 * space until the reader passes it, so other traffic could make wanted messages drop.
 */
static __always_inline bool paths_wanted(const struct uc_pending *p, struct sock *peer)
{
	__u32 zero = 0;
	struct uc_path_pair *s = bpf_map_lookup_elem(&path_scratch, &zero);
	if (!s)
		return true;
	if (path_matches(s->path, unix_bound_path((struct sock *)p->sk, s->path)))
		return true;
	__u16 n = p->dest_name ? dest_path(p, s->peer) : 0;
	if (!n)
		n = unix_bound_path(peer, s->peer);
	return path_matches(s->peer, n);
}

/* Message ids: unique among the records in flight (userspace matches records by id). */
static __always_inline __u64 next_id(__u32 tid)
{
#ifdef UC_NO_BPF_LOOP
	/* An atomic add that returns the old value is 5.12+ ("BPF_STX uses reserved fields"
	 * on 5.10). The plain add is atomic, the read after it is not, so the thread id goes in
	 * the low bits: two threads never get the same id, and one thread's reads follow its
	 * own adds. pid_max is at most 2^22. */
	__sync_fetch_and_add(&next_msg_id, 1);
	return (*(volatile __u64 *)&next_msg_id << 22) | (tid & 0x3fffff);
#else
	return __sync_fetch_and_add(&next_msg_id, 1);
#endif
}

/*
 * Emits one message of `ret` bytes (or a failed send when ret < 0). `src` describes
 * the message's own segments; for sendmmsg each message gets its own view of p.
 */
static __always_inline void emit_message(const struct uc_pending *p, long ret, __u64 other)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 flags = 0;
	__u32 caplen = 0;
	struct uc_seg seg = {};

	struct uc_scm scm = {};

	if (ret >= 0)
		scm_parse(p->control, p->control_len, p->control_user, &scm);
	if (p->control_skipped)
		flags |= UC_MF_CTL_SKIPPED;
	if (!uc_cfg_fds_wanted(&cfg, scm.n_fds))
		return;
	if (p->call == UC_CALL_RECVMSG) {
		/* Receives are reported only for what they install: passed fds. */
		if (ret < 0 || !scm.n_fds)
			return;
		flags |= UC_MF_RECEIVE;
	} else if (ret < 0) {
		if (!cfg.errors)
			return;
		flags |= UC_MF_ERROR;
	} else if (!cfg.fds_only) {
		caplen = ret < cfg.snaplen ? ret : cfg.snaplen;
	}
	if (p->src_kind == UC_SRC_NONE) {
		flags |= UC_MF_PAGES;
		caplen = 0;
	}
	if (p->src_kind == UC_SRC_KVEC)
		flags |= UC_MF_KERNEL_MEM;
	/* Said and counted before --sock/--inode, which cannot match an unknown peer. */
	if (ret >= 0 && !other && dest_used(p) && p->call != UC_CALL_RECVMSG) {
		flags |= UC_MF_PEER_UNKNOWN;
		stat_inc(UC_STAT_PEER_UNKNOWN);
	}
	struct sock *peer = msg_peer(p, other);

	/* Cheap filters before any copy. */
	if (cfg.filter_sock || cfg.filter_inode) {
		if (!uc_cfg_sock_wanted(&cfg, p->sk, (__u64)peer))
			return;
		if (cfg.filter_inode &&
		    !uc_cfg_inode_wanted(&cfg, sock_inode((struct sock *)p->sk), sock_inode(peer)))
			return;
	}

	if (cfg.filter_path && !paths_wanted(p, peer))
		return;

	__u64 n0 = 0;
	if (caplen && load_seg(p, 0, &seg) == 0) {
		n0 = caplen;
		if (n0 > seg.len)
			n0 = seg.len;
	}
	UC_CLAMP(n0, UC_INLINE_MAX);

	/* One fixed size for every MSG record: a size class here would make the verifier
	 * walk everything below once per class. */
	struct uc_msg_rec *rec = bpf_ringbuf_reserve(&events, sizeof(*rec) + UC_INLINE_MAX, 0);
	if (!rec) {
		stat_inc(UC_STAT_DROP_MSGS);
		return;
	}
	__u32 faults = 0;
	if (n0 && read_bytes(p, rec->data, n0, seg.ptr))
		faults++;
	rec->m.flags = flags;
	fill_meta(&rec->m, p, peer, pid_tgid);

	__u64 msg_id = next_id((__u32)pid_tgid);
	/* FD records land after this MSG record in the ring (reservation order), and
	 * before it is submitted, so n_fds below is exact. */
	__u32 n_fds = emit_fds(&scm, msg_id, (__u32)pid_tgid, p->control_user);
	rec->m.n_fds = n_fds;
	rec->m.flags |= scm.flags | (n_fds < scm.n_fds ? UC_MF_FDS_LOST : 0);
	rec->m.cred_pid = scm.cred.pid;
	rec->m.cred_uid = scm.cred.uid;
	rec->m.cred_gid = scm.cred.gid;
	rec->m.ts_ns = bpf_ktime_get_ns();
	/* A failed send moved nothing: its length is what it tried to send. */
	rec->m.len = ret >= 0 ? ret : p->want_len > 0xffffffffull ? 0xffffffffu : p->want_len;
	rec->m.caplen = caplen;
	rec->m.err = ret < 0 ? ret : 0;
	rec->h.kind = UC_REC_MSG;
	rec->h.data_len = n0;
	rec->h.msg_id = msg_id;
	rec->h.offset = 0;
	rec->h.tid = (__u32)pid_tgid;
	rec->h.rflags = n0 == caplen ? UC_RF_LAST : 0;
	if (faults)
		rec->m.flags |= UC_MF_UNREADABLE;
	uc_submit(rec);
	stat_inc(UC_STAT_MSGS);

	if (n0 == caplen)
		return;

	struct uc_copy c = {
		.msg_id = msg_id,
		.seg_ptr = seg.ptr + n0,
		.seg_left = uc_opaque(seg.len - n0),
		.seg_idx = uc_opaque(0),
		.nr_segs = p->src_kind == UC_SRC_USER_BUF ? 1 : p->nr_segs,
		.offset = n0,
		.remaining = uc_opaque(caplen - n0),
		.tid = (__u32)pid_tgid,
	};
	if (c.nr_segs > UC_MAX_SEGS)
		c.nr_segs = UC_MAX_SEGS;
	__u32 steps = 2 * c.nr_segs + caplen / UC_CHUNK_MAX + 2;
	__u32 tid = (__u32)pid_tgid;
	if (bpf_map_update_elem(&copy_state, &tid, &c, BPF_ANY)) {
		stat_inc(UC_STAT_DROP_PENDING);
		return;
	}
	uc_copy_all(tid, steps);
	struct uc_copy *cs = bpf_map_lookup_elem(&copy_state, &tid);
	if (cs && cs->faults)
		stat_inc(UC_STAT_READ_FAULTS);
	bpf_map_delete_elem(&copy_state, &tid);
}

/*
 * Every exit hook emits through this global function: verified once, it keeps the copy,
 * control-data and fd loops out of its callers' verification (sendmmsg calls it once per
 * datagram from a loop: inlined there, 7.2's verifier gave up on the nesting).
 * Emits the message in this thread's pending entry.
 */
UC_GLOBAL int uc_emit(long ret, __u64 other)
{
	struct uc_pending *p = pending_get();
	if (p)
		emit_message(p, ret, other);
	else
		stat_inc(UC_STAT_DROP_PENDING);
	return 0;
}

/* A receiving socket seen during this thread's send: the first one is the message's peer
 * (a stream send may wake its peer once per skb, always the same). */
static __always_inline void note_other(struct uc_pending *p, struct sock *other)
{
	if (!other)
		return;
	if (!p->n_others)
		p->other = (__u64)other;
	p->n_others++;
}

/* The fields every entry hook fills alike for a send or receive starting on sock (p is
 * zeroed by the caller); the hook adds where the bytes and the control data are. */
static __always_inline void pending_start(struct uc_pending *p, struct socket *sock, __u16 type,
					  __u8 call, __u8 backend, __u32 fd)
{
	p->sk = (__u64)BPF_CORE_READ(sock, sk);
	p->type = type;
	p->call = call;
	p->backend = backend;
	p->fd = fd;
}

/* A send returning (ret: the bytes the kernel took, or -errno): its message goes out and
 * the pending entry is dropped. The same for every backend. */
static __always_inline int send_exit(long ret)
{
	struct uc_pending *p = pending_get();
	if (!p) {
		/* The hook backends' entry programs save every send of a wanted thread (only
		 * --type needs the socket): a wanted thread's exit without an entry is a send
		 * whose entry program did not run. The syscall exits see every fd: not there. */
		__u64 pid_tgid = bpf_get_current_pid_tgid();
		if (cfg.backend != UC_BACKEND_TRACEPOINT && !cfg.filter_type &&
		    task_wanted(pid_tgid >> 32, (__u32)pid_tgid))
			stat_inc(UC_STAT_NO_ENTRY);
		return 0;
	}
	uc_emit(ret, p->other);
	pending_drop(p);
	return 0;
}

#endif
