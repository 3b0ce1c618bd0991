/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Backstops of the syscall tracepoint programs (syscalls.bpf.c includes this after them).
 *
 * Kernels that have trace_call_bpf_faultable (7.x) run syscall tracepoint programs with
 * preemption enabled, but keep the CPU's BPF-active guard held meanwhile: while one thread is
 * preempted inside any of them, the kernel skips every tracepoint program on that CPU, and a
 * send whose entry or exit falls in that window would be lost (counted, not captured). A raw
 * tracepoint program has a guard of its own, so these two still run there:
 *
 * - at sys_enter, a send or receive that has no in-flight entry is one whose entry program
 *   did not run (or one no program wants: the same checks decide again);
 * - at sys_exit, an entry still in flight is one whose exit program did not run (each exit
 *   program takes its entry out), finished with the syscall's return value.
 *
 * Both are attached after the tracepoints (a tracepoint calls its probes in the order they
 * were added), so that they normally find the work done. Userspace loads them only where the
 * kernel can skip the tracepoint programs this way, and only from the bpf_loop build (older
 * kernels run these programs with preemption disabled); the other build keeps empty ones, so
 * that both skeletons have the same layout.
 */
#ifndef UNIXCAP_SYSCALL_BACKSTOP_BPF_H
#define UNIXCAP_SYSCALL_BACKSTOP_BPF_H

#include <bpf/bpf_tracing.h>

#ifndef UC_NO_BPF_LOOP
/* The sixth syscall argument (sendto's addrlen): libbpf before 1.2 has no macro for it. */
#if defined(PT_REGS_PARM6_CORE_SYSCALL)
#define UC_SYSCALL_ARG6(r) PT_REGS_PARM6_CORE_SYSCALL(r)
#elif defined(__TARGET_ARCH_x86)
#define UC_SYSCALL_ARG6(r) BPF_CORE_READ(r, r9)
#elif defined(__TARGET_ARCH_arm64)
#define UC_SYSCALL_ARG6(r) BPF_CORE_READ(r, regs[5])
#endif

/* What the entry program of this syscall does, but for counting an unreadable msghdr: the
 * entry program that ran before counted it, and one the kernel skipped is in its count of
 * skipped runs. */
static __always_inline int backstop_save(__u64 fd, __u8 call, __u8 kind, __u64 base,
					 __u64 nr_segs, __u64 len, __u64 dest, __u64 dest_len)
{
	struct uc_pending p = {};
	if (send_entry(&p, fd, call, kind, base, nr_segs, len, dest, dest_len, false))
		save_pending(&p);
	return 0;
}

/* The entry program of this call would have run. */
static __always_inline int backstop_enter(__u8 call, struct pt_regs *regs)
{
	__u64 a0 = PT_REGS_PARM1_CORE_SYSCALL(regs), a1 = PT_REGS_PARM2_CORE_SYSCALL(regs);

	switch (call) {
	case UC_CALL_WRITE:
		return backstop_save(a0, call, UC_SRC_USER_BUF, a1, 1,
				     PT_REGS_PARM3_CORE_SYSCALL(regs), 0, 0);
	case UC_CALL_WRITEV:
		return backstop_save(a0, call, UC_SRC_USER_IOV, a1,
				     PT_REGS_PARM3_CORE_SYSCALL(regs), 0, 0, 0);
	case UC_CALL_SENDTO:
		return backstop_save(a0, call, UC_SRC_USER_BUF, a1, 1,
				     PT_REGS_PARM3_CORE_SYSCALL(regs),
				     PT_REGS_PARM5_CORE_SYSCALL(regs), UC_SYSCALL_ARG6(regs));
	case UC_CALL_SENDMSG:
		return backstop_save(a0, call, UC_SRC_USER_IOV, a1, 0, 0, 0, 0);
	case UC_CALL_SENDMMSG:
		return backstop_save(a0, call, UC_SRC_USER_IOV, a1,
				     PT_REGS_PARM3_CORE_SYSCALL(regs), 0, 0, 0);
	case UC_CALL_RECVMSG:
		return recv_enter(a0, a1, cfg.backend);
	}
	return 0;
}

/* Whether in is the entry of this very call: this call on this fd and (but for sendmsg, whose
 * msghdr is read only by the entry) this buffer. One left by an earlier send of the same
 * kind whose both exits were skipped would pass too, and its buffer is the one read at exit:
 * only an earlier call on the same fd and buffer can be taken for this one. */
static __always_inline bool entry_of_call(const struct uc_pending *in, __u8 call,
					  struct pt_regs *regs)
{
	return in && in->call == call && in->fd == (__u32)PT_REGS_PARM1_CORE_SYSCALL(regs) &&
	       (call == UC_CALL_SENDMSG || in->base == PT_REGS_PARM2_CORE_SYSCALL(regs));
}
#endif

/* The call of each syscall the tracepoint backend hooks; UC_CALL_UNKNOWN for the others. */
static __always_inline __u8 backstop_call(long id)
{
	if (id == cfg.nr.write)
		return UC_CALL_WRITE;
	if (id == cfg.nr.writev)
		return UC_CALL_WRITEV;
	if (id == cfg.nr.sendto)
		return UC_CALL_SENDTO;
	if (id == cfg.nr.sendmsg)
		return UC_CALL_SENDMSG;
	if (id == cfg.nr.sendmmsg)
		return UC_CALL_SENDMMSG;
	if (id == cfg.nr.recvmsg)
		return UC_CALL_RECVMSG;
	return UC_CALL_UNKNOWN;
}

SEC("raw_tp/sys_enter")
int raw_enter_backstop(struct bpf_raw_tracepoint_args *ctx)
{
#ifndef UC_NO_BPF_LOOP
	long id = (long)ctx->args[1];
	__u8 call = backstop_call(id);
	if (call == UC_CALL_UNKNOWN)
		return 0;
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	if (entry_of_call(pending_get(), call, regs))
		return 0; /* the entry program ran */
	backstop_enter(call, regs);
	if (entry_of_call(pending_get(), call, regs))
		stat_inc(UC_STAT_RESCUED);
#endif
	return 0;
}

SEC("raw_tp/sys_exit")
int raw_exit_backstop(struct bpf_raw_tracepoint_args *ctx)
{
#ifndef UC_NO_BPF_LOOP
	struct uc_pending *p = pending_get();
	if (!p)
		return 0;
	long ret = (long)ctx->args[1];
	stat_inc(UC_STAT_RESCUED);
	switch (p->call) {
	case UC_CALL_RECVMSG:
		return recv_exit(ret);
	case UC_CALL_SENDMMSG:
		return mmsg_exit(ret);
	default:
		return tp_send_exit(ret);
	}
#else
	return 0;
#endif
}

#endif
