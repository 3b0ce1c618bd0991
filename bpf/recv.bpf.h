/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Receive side of fd passing, shared by every backend: recvmsg() on an AF_UNIX socket
 * that installs SCM_RIGHTS fds becomes a receive event listing the receiver's new fd
 * numbers and their files. Syscall tracepoints exist on every kernel unixcap supports,
 * and at syscall exit the control buffer holds exactly what the kernel wrote.
 */
#ifndef UNIXCAP_RECV_BPF_H
#define UNIXCAP_RECV_BPF_H

#include "bpf/capture.bpf.h"

static __always_inline int recv_enter(__u64 fd, __u64 user_msghdr, __u8 backend)
{
	__u16 type;
	struct socket *sock = wanted_socket(fd, &type);
	if (!sock)
		return 0;
	struct uc_pending p = {};
	pending_start(&p, sock, type, UC_CALL_RECVMSG, backend, (__u32)fd);
	p.src_kind = UC_SRC_USER_BUF;
	p.base = user_msghdr;
	save_pending(&p);
	return 0;
}

static __always_inline int recv_exit(long ret)
{
	struct uc_pending *p = pending_get();
	if (!p)
		return 0;
	if (p->call == UC_CALL_RECVMSG && ret >= 0) {
		/* msg_controllen now says how much the kernel wrote. */
		struct user_msghdr um = {};
		if (!bpf_probe_read_user(&um, sizeof(um), (const void *)p->base)) {
			p->control = (__u64)um.msg_control;
			p->control_len = um.msg_controllen;
			p->control_user = 1;
			uc_emit(ret, 0);
		} else {
			stat_inc(UC_STAT_UNREADABLE);
		}
	}
	pending_drop(p);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int tp_enter_recvmsg(struct trace_event_raw_sys_enter *ctx)
{
	return recv_enter(ctx->args[0], ctx->args[1], cfg.backend);
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int tp_exit_recvmsg(struct trace_event_raw_sys_exit *ctx)
{
	return recv_exit(ctx->ret);
}

#endif
