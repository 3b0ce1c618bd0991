// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel addresses of AF_UNIX sockets for the socket lister (unixcap -L).
 *
 * /proc/net/unix prints each socket's struct sock address with %pK, which is a hash
 * unless kptr_restrict is 1 and the reader has CAP_SYSLOG; the capture programs report
 * real addresses. Two ways to read the real ones:
 *
 *   dump_unix    iter/unix (5.17+): one uc_sl_rec per socket of the reader's network
 *                namespace, written with bpf_seq_write() and read from the iterator fd.
 *   fd_lookup    raw_tp/sys_enter, for kernels or policies without BPF iterators: the
 *                lister copies other processes' socket fds into its own table
 *                (pidfd_getfd), fills fdq in .bss and makes any syscall; the program,
 *                run only for the lister's thread, reads the sockets behind those fds
 *                from its fd table (as the tracepoint capture backend does) into
 *                fd_res[].
 *
 * Userspace loads one of the two (autoload), never both.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bpf/unix_iter.h"
#include "bpf/unix_sock.bpf.h"

#define TCP_LISTEN 10
#define SOCK_DGRAM 2

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Userspace checks this against its own sizeof before loading: a stale object built
 * against another layout is refused instead of misread. */
const volatile __u32 rec_size = sizeof(struct uc_sl_rec);
/* fd_lookup: the lister's thread id (the program ignores every other thread). */
const volatile __u32 target_tid = 0;

struct uc_sl_fdq fdq = {};
struct uc_sl_rec fd_res[UC_SL_FD_BATCH] = {};

static __always_inline void fill_rec(struct sock *sk, struct uc_sl_rec *r)
{
	struct unix_sock *u = (struct unix_sock *)sk;
	struct sock *peer = BPF_CORE_READ(u, peer);

	r->sk = (__u64)sk;
	r->peer = (__u64)peer;
	r->inode = sock_inode(sk);
	r->peer_inode = sock_inode(peer);
	r->uid = BPF_CORE_READ(sk, sk_uid.val);
	struct pid *pp = BPF_CORE_READ(sk, sk_peer_pid);
	r->cred_pid = pp ? BPF_CORE_READ(pp, numbers[0].nr) : 0;
	r->type = BPF_CORE_READ(sk, sk_type);
	r->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	r->has_socket = BPF_CORE_READ(sk, sk_socket) != NULL;

	/* The same numbers sock_diag's UNIX_DIAG_RQLEN gives, where they are cheap: the
	 * accept queue and backlog of a listener, the first datagram's length, and the
	 * bytes in flight from this socket (sk_wmem_alloc - 1). A stream's byte count
	 * would need a walk of the queue: left unknown. */
	if (r->state == TCP_LISTEN) {
		r->rqueue = BPF_CORE_READ(sk, sk_receive_queue.qlen);
		r->wqueue = BPF_CORE_READ(sk, sk_max_ack_backlog);
	} else {
		r->rqueue = UC_SL_NOQ;
		if (r->type == SOCK_DGRAM) {
			struct sk_buff *head = (struct sk_buff *)&sk->sk_receive_queue;
			struct sk_buff *first = BPF_CORE_READ(sk, sk_receive_queue.next);
			r->rqueue = first && first != head ? BPF_CORE_READ(first, len) : 0;
		}
		r->wqueue = BPF_CORE_READ(sk, sk_wmem_alloc.refs.counter) - 1;
	}

	struct unix_address *addr = BPF_CORE_READ(u, addr);
	r->path_len = 0;
	if (addr) {
		int alen = BPF_CORE_READ(addr, len);
		if (alen > (int)sizeof(__u16)) {
			__u64 len = alen - sizeof(__u16);
			barrier_var(len);
			if (len > UC_SL_PATH_MAX)
				len = UC_SL_PATH_MAX;
			barrier_var(len);
			if (!bpf_probe_read_kernel(r->path, len, &addr->name[0].sun_path))
				r->path_len = len;
		}
	}
	r->valid = 1;
}

SEC("iter/unix")
int dump_unix(struct bpf_iter__unix *ctx)
{
	struct unix_sock *u = ctx->unix_sk;
	struct uc_sl_rec r;

	if (!u)
		return 0;
	__builtin_memset(&r, 0, sizeof(r));
	fill_rec((struct sock *)u, &r);
	if (!r.uid)
		r.uid = ctx->uid;
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

/* The struct sock behind fd in the current task's table, if it is an AF_UNIX socket. */
static __always_inline struct sock *unix_sock_of_fd(struct fdtable *fdt, __s32 fd)
{
	if (fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	struct socket *sock = unix_socket_of_file(file);
	if (!sock)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

/* A global function is verified once, on its own, not once per loop iteration of its
 * caller: the batch loop below stays small for the verifier. */
__noinline int lookup_one(__u32 i)
{
	if (i >= UC_SL_FD_BATCH)
		return 0;
	struct task_struct *task = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct uc_sl_rec *r = &fd_res[i];
	struct sock *sk = fdt ? unix_sock_of_fd(fdt, fdq.fd[i]) : NULL;

	r->valid = 0;
	if (!sk)
		return 0;
	fill_rec(sk, r);
	return 1;
}

SEC("raw_tp/sys_enter")
int fd_lookup(struct bpf_raw_tracepoint_args *ctx)
{
	if ((__u32)bpf_get_current_pid_tgid() != target_tid || !fdq.armed)
		return 0;
	__u32 n = fdq.n;

	for (__u32 i = 0; i < UC_SL_FD_BATCH && i < n; i++)
		lookup_one(i);
	fdq.armed = 0;
	return 0;
}
