/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Layout shared by bpf/unix_iter.bpf.c and the socket lister (capture/socklist/addr.c).
 *
 * One uc_sl_rec describes one AF_UNIX socket as the kernel holds it: its struct sock
 * address (the value unixcap's capture reports), its peer's, inodes, type, state and
 * bound name. The iterator program writes one record per socket of the network
 * namespace with bpf_seq_write(); the fd-lookup program fills up to UC_SL_FD_BATCH
 * records in .bss for the sockets behind fds of the lister's own fd table.
 *
 * Every field has a fixed width and natural alignment (the BPF target and the host
 * compiler agree without packing); the record is 168 bytes.
 */
#ifndef UNIXCAP_SOCKLIST_BPF_H
#define UNIXCAP_SOCKLIST_BPF_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define UC_SL_PATH_MAX 108   /* sizeof(sockaddr_un.sun_path) */
#define UC_SL_NOQ 0xffffffffu /* queue length not known from this source */
#define UC_SL_FD_BATCH 64    /* fds looked up per trigger of the fd-lookup program */

struct uc_sl_rec {
	__u64 sk;         /* struct sock * */
	__u64 peer;       /* unix_sk(sk)->peer, 0 if none */
	__u64 inode;      /* 0 for a socket no struct socket holds (not yet accepted) */
	__u64 peer_inode;
	__u32 uid;        /* sk_uid */
	__u32 cred_pid;   /* sk_peer_pid in the initial pid namespace, 0 if none */
	__u32 rqueue;     /* as sock_diag's UNIX_DIAG_RQLEN, or UC_SL_NOQ */
	__u32 wqueue;
	__u16 type;       /* SOCK_STREAM=1, SOCK_DGRAM=2, SOCK_SEQPACKET=5 */
	__u8 state;       /* sk_state: TCP_ESTABLISHED=1, TCP_CLOSE=7, TCP_LISTEN=10 */
	__u8 has_socket;  /* sk_socket != NULL */
	__u16 path_len;   /* bytes of path; abstract names start with NUL */
	__u16 valid;      /* 1 when the record was filled (fd lookups: fd held a unix socket) */
	char path[UC_SL_PATH_MAX];
	__u32 pad;
};

/* The fd-lookup program's input, written by userspace into .bss before the trigger. */
struct uc_sl_fdq {
	__u32 armed; /* set by userspace, cleared by the program once done */
	__u32 n;     /* fds used in fd[] */
	__s32 fd[UC_SL_FD_BATCH];
};

#endif /* UNIXCAP_SOCKLIST_BPF_H */
