// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Tracepoint backend, for kernels without kprobes and fentry. Syscall entry saves the
 * user buffers of sends on AF_UNIX fds; syscall exit copies the bytes the kernel
 * actually took (the return value), from those same user buffers.
 *
 * It cannot see what does not pass through these syscalls: io_uring, splice/sendfile,
 * kernel-internal senders, and 32-bit compat callers.
 */
#include "bpf/capture.bpf.h"
#include "bpf/recv.bpf.h"

/*
 * The receiving socket of each datagram of the sendmmsg() calls in flight, by thread and
 * datagram: sk_data_ready fires once per datagram delivered, in order, and the exit program
 * takes each one out. A datagram that finds the table full keeps no destination: it is
 * flagged peer-unknown and counted (UC_STAT_PEER_UNKNOWN). Room for 32 threads each in a
 * sendmmsg of UIO_MAXIOV datagrams (2 MiB); userspace shrinks it to one entry when the
 * kernel has no sk_data_ready tracepoint.
 */
struct uc_dest_key {
	__u32 tid;
	__u32 idx;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32 * UC_MAX_SEGS);
	__type(key, struct uc_dest_key);
	__type(value, __u64);
} mmsg_dests SEC(".maps");

/* A sendmmsg() entry as user memory holds it. */
struct uc_mmsghdr {
	struct user_msghdr msg_hdr;
	unsigned int msg_len;
	unsigned int pad;
};

/* The in-flight entry of a send starting on fd (p zeroed by the caller): false when no
 * filter wants it, or its msghdr cannot be read (counted if count_unreadable). */
static __always_inline bool send_entry(struct uc_pending *p, __u64 fd, __u8 call, __u8 kind,
				       __u64 base, __u64 nr_segs, __u64 len, __u64 dest,
				       __u64 dest_len, bool count_unreadable)
{
	__u16 type;
	struct socket *sock = wanted_socket(fd, &type);
	if (!sock)
		return false;

	pending_start(p, sock, type, call, UC_BACKEND_TRACEPOINT, (__u32)fd);
	p->src_kind = kind;
	p->base = base;
	p->nr_segs = nr_segs;
	p->want_len = len; /* iovec sends: summed at exit, only if they fail (iov_total) */
	p->dest_name = dest;
	p->dest_len = (__u32)dest_len;
	p->dest_user = 1;
	if (call == UC_CALL_SENDMSG) {
		/* Read the msghdr now: these are the values the kernel is about to use. */
		struct user_msghdr um = {};
		if (bpf_probe_read_user(&um, sizeof(um), (const void *)base)) {
			if (count_unreadable)
				stat_inc(UC_STAT_UNREADABLE);
			return false;
		}
		p->base = (__u64)um.msg_iov;
		p->nr_segs = um.msg_iovlen;
		p->dest_name = (__u64)um.msg_name;
		p->dest_len = um.msg_namelen;
		p->control = (__u64)um.msg_control;
		p->control_len = um.msg_controllen;
		p->control_user = 1;
	}
	return true;
}

static __always_inline int on_enter(__u64 fd, __u8 call, __u8 kind, __u64 base, __u64 nr_segs,
				    __u64 len, __u64 dest, __u64 dest_len)
{
	struct uc_pending p = {};
	if (send_entry(&p, fd, call, kind, base, nr_segs, len, dest, dest_len, true))
		save_pending(&p);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int tp_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(ctx->args[0], UC_CALL_WRITE, UC_SRC_USER_BUF, ctx->args[1], 1, ctx->args[2],
			0, 0);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int tp_enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(ctx->args[0], UC_CALL_WRITEV, UC_SRC_USER_IOV, ctx->args[1], ctx->args[2], 0,
			0, 0);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int tp_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(ctx->args[0], UC_CALL_SENDTO, UC_SRC_USER_BUF, ctx->args[1], 1, ctx->args[2],
			ctx->args[4], ctx->args[5]);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int tp_enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(ctx->args[0], UC_CALL_SENDMSG, UC_SRC_USER_IOV, ctx->args[1], 0, 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int tp_enter_sendmmsg(struct trace_event_raw_sys_enter *ctx)
{
	/* base/nr_segs hold the mmsghdr array and its length until exit. */
	return on_enter(ctx->args[0], UC_CALL_SENDMMSG, UC_SRC_USER_IOV, ctx->args[1], ctx->args[2],
			0, 0, 0);
}

/*
 * The length a failed iovec send tried to send: the sum of its iovecs (the kernel never
 * got to add them up for us). Only summed when a send fails and --errors wants it, so
 * successful sends pay nothing. A bounded loop in a global function: verified once, small
 * enough for 5.10 without bpf_loop.
 */
UC_GLOBAL int uc_iov_total(void)
{
	struct uc_pending *p = pending_get();
	if (!p)
		return 0;
	__u64 n = p->nr_segs, total = 0;
	for (__u32 i = 0; i < UC_MAX_SEGS; i++) {
		struct iovec iov = {};
		if (i >= n ||
		    bpf_probe_read_user(&iov, sizeof(iov), (const void *)(p->base + i * sizeof(iov))))
			break;
		total += (__u64)iov.iov_len;
	}
	p->want_len = total;
	return 0;
}

/* Every send's exit: a failed iovec send first learns how much it tried to send. */
static __always_inline int tp_send_exit(long ret)
{
	struct uc_pending *p = pending_get();
	if (p && ret < 0 && cfg.errors && p->src_kind == UC_SRC_USER_IOV)
		uc_iov_total();
	return send_exit(ret);
}

SEC("tracepoint/syscalls/sys_exit_write")
int tp_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	return tp_send_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_writev")
int tp_exit_writev(struct trace_event_raw_sys_exit *ctx)
{
	return tp_send_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int tp_exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return tp_send_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int tp_exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	return tp_send_exit(ctx->ret);
}

/* Points the thread's pending entry at datagram i of its sendmmsg (the entry is rewritten in
 * place for each datagram: a copy on the stack takes the call chain (loop, copy loop, fd
 * walk) past 512 bytes of stack on 6.1). Returns the bytes the kernel reported sent for it,
 * or -1 when the user's mmsghdr cannot be read. */
static __always_inline long mmsg_load(struct uc_pending *p, __u32 i)
{
	_Static_assert(sizeof(struct uc_mmsghdr) == sizeof(p->mmsg_hdr), "mmsghdr scratch");
	struct uc_mmsghdr *mh = (struct uc_mmsghdr *)p->mmsg_hdr;
	const void *at = (const void *)(p->mmsg_vec + (__u64)i * sizeof(struct uc_mmsghdr));

	if (bpf_probe_read_user(mh, sizeof(*mh), at))
		return -1;
	p->src_kind = UC_SRC_USER_IOV;
	p->base = (__u64)mh->msg_hdr.msg_iov;
	p->nr_segs = mh->msg_hdr.msg_iovlen;
	p->dest_name = (__u64)mh->msg_hdr.msg_name;
	p->dest_len = mh->msg_hdr.msg_namelen;
	p->control = (__u64)mh->msg_hdr.msg_control;
	p->control_len = mh->msg_hdr.msg_controllen;
	p->control_user = 1;
	return mh->msg_len;
}

/* One datagram of a sendmmsg(): a message of its own, with its own iovecs and address. A
 * global function, so that the loop over up to 1024 datagrams verifies in a call per turn. */
UC_GLOBAL int uc_mmsg_one(__u32 i)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct uc_pending *p = pending_get();
	if (!p)
		return 1;
	long len = mmsg_load(p, i);
	if (len < 0) {
		stat_inc(UC_STAT_UNREADABLE); /* this datagram and the rest of the call */
		return 1;
	}
	__u64 other = p->other; /* stream, seqpacket: the one peer of every datagram */
	if (p->type == 2 /* SOCK_DGRAM */) {
		_Static_assert(sizeof(struct uc_dest_key) == sizeof(p->mmsg_key), "key scratch");
		struct uc_dest_key *k = (struct uc_dest_key *)&p->mmsg_key;
		k->tid = tid;
		k->idx = i;
		__u64 *d = bpf_map_lookup_elem(&mmsg_dests, k);
		/* An entry past this call's count is a leftover of an earlier call. */
		other = d && i < p->n_others ? *d : 0;
		if (d)
			bpf_map_delete_elem(&mmsg_dests, k);
	}
	uc_emit((__u32)len, other);
	return 0;
}

#ifndef UC_NO_BPF_LOOP
static long mmsg_cb(__u32 i, void *unused)
{
	return uc_mmsg_one(i) ? 1 : 0; /* a callback must return 0 or 1 */
}
#endif

static __always_inline int mmsg_exit(long ret)
{
	struct uc_pending *p = pending_get();
	if (!p)
		return 0;
	p->mmsg_vec = p->base;
	if (ret < 0) {
		/* The first datagram failed (a later failure returns the count sent): report
		 * it with its own address and the length it tried to send. */
		if (cfg.errors && mmsg_load(p, 0) >= 0)
			uc_iov_total();
		uc_emit(ret, 0);
	} else {
		__u32 n = ret > UC_MAX_SEGS ? UC_MAX_SEGS : ret;
#ifdef UC_NO_BPF_LOOP
		for (__u32 i = 0; i < UC_MAX_SEGS; i++) {
			if (i >= n || uc_mmsg_one(i))
				break;
		}
#else
		bpf_loop(n, mmsg_cb, NULL, 0);
#endif
	}
	pending_drop(p);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int tp_exit_sendmmsg(struct trace_event_raw_sys_exit *ctx)
{
	return mmsg_exit(ctx->ret);
}

/* The receiving socket of each datagram (6.3+), in the sender's context: fills peer_sock
 * for unconnected sends, one per datagram of a sendmmsg. */
SEC("tp_btf/sk_data_ready")
int BPF_PROG(tp_sk_data_ready, const struct sock *sk)
{
	if (BPF_CORE_READ(sk, __sk_common.skc_family) != AF_UNIX)
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct uc_pending *p = pending_get();
	if (!p)
		return 0;
	if (p->call == UC_CALL_SENDMMSG && p->type == 2 /* SOCK_DGRAM */) {
		struct uc_dest_key k = { .tid = tid, .idx = p->n_others };
		__u64 v = (__u64)sk;
		if (p->n_others < UC_MAX_SEGS)
			bpf_map_update_elem(&mmsg_dests, &k, &v, BPF_ANY);
		p->n_others++;
		return 0;
	}
	note_other(p, (struct sock *)sk);
	return 0;
}

/* Backstops for the programs above, on kernels that can skip them (7.x). */
#include "bpf/syscall_backstop.bpf.h"
