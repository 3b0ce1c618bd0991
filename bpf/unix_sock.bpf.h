/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the capture programs and the socket-listing iterator both read of an AF_UNIX
 * socket: whether a file is one, and its inode number as /proc/net/unix and ss show it. */
#ifndef UNIXCAP_UNIX_SOCK_BPF_H
#define UNIXCAP_UNIX_SOCK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define AF_UNIX 1
#define S_IFMT 00170000
#define S_IFSOCK 0140000

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

/* The struct socket of file if it is an AF_UNIX socket, else NULL. */
static __always_inline struct socket *unix_socket_of_file(struct file *file)
{
	__u16 mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return NULL;
	if (BPF_CORE_READ(sock, sk, __sk_common.skc_family) != AF_UNIX)
		return NULL;
	return sock;
}

#endif
