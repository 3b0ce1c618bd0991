// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fentry and kprobe backends: hook the AF_UNIX send functions themselves, so every
 * sender is seen (syscalls, io_uring, kernel callers). Both program sets live in one
 * object; userspace enables one set with bpf_program__set_autoload().
 *
 * unix_seqpacket_sendmsg() calls unix_dgram_sendmsg(), so hooking the dgram function
 * captures seqpacket exactly once; sock->type tells them apart.
 */
#include "bpf/capture.bpf.h"
#include "bpf/iov_iter.bpf.h"

/* Receives are seen at the syscall (recv.bpf.h), by both backends of this object. */
#include "bpf/recv.bpf.h"

/* The in-flight entry of a send starting: false when no filter wants it. */
static __always_inline bool send_entry(struct uc_pending *p, struct socket *sock,
				       struct msghdr *msg, __u8 call, __u8 backend)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!task_wanted(pid_tgid >> 32, (__u32)pid_tgid))
		return false;
	__u16 type = BPF_CORE_READ(sock, type);
	if (!type_wanted(type))
		return false;

	pending_start(p, sock, type, call, backend, (__u32)-1);
	pending_from_iter(p, &msg->msg_iter);
	p->want_len = BPF_CORE_READ(msg, msg_iter.count); /* the whole message, before any is sent */
	/* The syscall copied the control buffer into the kernel (msg_control_is_user says
	 * otherwise for the few callers that pass user memory, 5.8+). */
	p->control = (__u64)BPF_CORE_READ(msg, msg_control);
	p->control_len = BPF_CORE_READ(msg, msg_controllen);
	if (bpf_core_field_exists(msg->msg_control_is_user))
		p->control_user = BPF_CORE_READ_BITFIELD_PROBED(msg, msg_control_is_user);
	if (call == UC_CALL_DGRAM_SENDMSG) {
		/* msg_name is the kernel copy of the sendto()/sendmsg() address. */
		p->dest_name = (__u64)BPF_CORE_READ(msg, msg_name);
		p->dest_len = BPF_CORE_READ(msg, msg_namelen);
	}
	return true;
}

static __always_inline int on_send_entry(struct socket *sock, struct msghdr *msg, __u8 call,
					 __u8 backend)
{
	struct uc_pending p = {};
	if (send_entry(&p, sock, msg, call, backend))
		save_pending(&p);
	return 0;
}

/*
 * Backstops of the fentry and fexit programs. A trampoline runs its programs where they can
 * be preempted (migration disabled, not preemption) and skips a program on a CPU while
 * another run of it there is preempted: on a fully preemptible kernel (7.x), sends of other
 * threads then lose their entry or exit. A second program on the same function has a guard
 * of its own. Each is attached before the program it backs up, so that it runs after it
 * (a trampoline runs the newest first), and finds the work done unless that one was skipped:
 * - the entry backstop saves the send when the thread has no in-flight entry for this very
 *   send (same socket, buffers and length: a stale one whose exits were all skipped is
 *   replaced, and counted as such by save_pending);
 * - the exit backstop finishes an entry still in flight (each exit takes its entry out).
 */
static __always_inline int backstop_send_entry(struct socket *sock, struct msghdr *msg,
					       __u8 call)
{
	struct uc_pending p = {};
	if (!send_entry(&p, sock, msg, call, UC_BACKEND_FENTRY))
		return 0;
	struct uc_pending *in = pending_get();
	if (in && in->sk == p.sk && in->call == call && in->base == p.base &&
	    in->nr_segs == p.nr_segs && in->skip == p.skip && in->want_len == p.want_len)
		return 0;
	stat_inc(UC_STAT_RESCUED);
	save_pending(&p);
	return 0;
}

static __always_inline int backstop_send_exit(long ret)
{
	if (!pending_get())
		return 0;
	stat_inc(UC_STAT_RESCUED);
	return send_exit(ret);
}

/* Called by unix_dgram_sendmsg() with the resolved destination, connected or not. */
static __always_inline int on_may_send(struct socket *other)
{
	struct uc_pending *p = pending_get();
	if (p)
		note_other(p, BPF_CORE_READ(other, sk));
	return 0;
}

/* ---- fentry / fexit ---------------------------------------------------------------------- */

SEC("fentry/unix_stream_sendmsg")
int BPF_PROG(fentry_stream_sendmsg, struct socket *sock, struct msghdr *msg, size_t len)
{
	return on_send_entry(sock, msg, UC_CALL_STREAM_SENDMSG, UC_BACKEND_FENTRY);
}

SEC("fexit/unix_stream_sendmsg")
int BPF_PROG(fexit_stream_sendmsg, struct socket *sock, struct msghdr *msg, size_t len, int ret)
{
	return send_exit(ret);
}

SEC("fentry/unix_dgram_sendmsg")
int BPF_PROG(fentry_dgram_sendmsg, struct socket *sock, struct msghdr *msg, size_t len)
{
	return on_send_entry(sock, msg, UC_CALL_DGRAM_SENDMSG, UC_BACKEND_FENTRY);
}

SEC("fexit/unix_dgram_sendmsg")
int BPF_PROG(fexit_dgram_sendmsg, struct socket *sock, struct msghdr *msg, size_t len, int ret)
{
	return send_exit(ret);
}

SEC("fentry/unix_stream_sendmsg")
int BPF_PROG(fentry_stream_backstop, struct socket *sock, struct msghdr *msg, size_t len)
{
	return backstop_send_entry(sock, msg, UC_CALL_STREAM_SENDMSG);
}

SEC("fexit/unix_stream_sendmsg")
int BPF_PROG(fexit_stream_backstop, struct socket *sock, struct msghdr *msg, size_t len, int ret)
{
	return backstop_send_exit(ret);
}

SEC("fentry/unix_dgram_sendmsg")
int BPF_PROG(fentry_dgram_backstop, struct socket *sock, struct msghdr *msg, size_t len)
{
	return backstop_send_entry(sock, msg, UC_CALL_DGRAM_SENDMSG);
}

SEC("fexit/unix_dgram_sendmsg")
int BPF_PROG(fexit_dgram_backstop, struct socket *sock, struct msghdr *msg, size_t len, int ret)
{
	return backstop_send_exit(ret);
}

SEC("fentry/security_unix_may_send")
int BPF_PROG(fentry_may_send, struct socket *sock, struct socket *other)
{
	return on_may_send(other);
}

/* ---- kprobe / kretprobe ------------------------------------------------------------------ */

SEC("kprobe/unix_stream_sendmsg")
int BPF_KPROBE(kprobe_stream_sendmsg, struct socket *sock, struct msghdr *msg)
{
	return on_send_entry(sock, msg, UC_CALL_STREAM_SENDMSG, UC_BACKEND_KPROBE);
}

SEC("kretprobe/unix_stream_sendmsg")
int BPF_KRETPROBE(kretprobe_stream_sendmsg, int ret)
{
	return send_exit(ret);
}

SEC("kprobe/unix_dgram_sendmsg")
int BPF_KPROBE(kprobe_dgram_sendmsg, struct socket *sock, struct msghdr *msg)
{
	return on_send_entry(sock, msg, UC_CALL_DGRAM_SENDMSG, UC_BACKEND_KPROBE);
}

SEC("kretprobe/unix_dgram_sendmsg")
int BPF_KRETPROBE(kretprobe_dgram_sendmsg, int ret)
{
	return send_exit(ret);
}

SEC("kprobe/security_unix_may_send")
int BPF_KPROBE(kprobe_may_send, struct socket *sock, struct socket *other)
{
	return on_may_send(other);
}
