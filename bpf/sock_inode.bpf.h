/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The inode number of a socket, as /proc/net/unix and ss show it: shared by the capture
 * programs and the socket-listing iterator. */
#ifndef UNIXCAP_SOCK_INODE_BPF_H
#define UNIXCAP_SOCK_INODE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

static __always_inline __u64 sock_inode(struct sock *sk)
{
	if (!sk)
		return 0;
	if (bpf_core_field_exists(sk->sk_ino)) {
		__u64 ino = BPF_CORE_READ(sk, sk_ino);
		if (ino)
			return ino;
	}
	/* Older kernels: the inode sits right after struct socket in struct socket_alloc. */
	struct socket *sock = BPF_CORE_READ(sk, sk_socket);
	if (!sock)
		return 0;
	struct socket_alloc *sa =
		(void *)sock - bpf_core_field_offset(struct socket_alloc, socket);
	return BPF_CORE_READ(sa, vfs_inode.i_ino);
}

#endif
