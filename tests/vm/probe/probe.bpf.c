// SPDX-License-Identifier: GPL-2.0
// VM harness self-test: one program per attach type, all on the AF_UNIX stream send path.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid = 0;

__u64 kprobe_hits = 0, kprobe_len = 0;
__u64 fentry_hits = 0, fentry_len = 0;
__u64 tp_hits = 0, tp_len = 0;

static __always_inline int is_target(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("kprobe/unix_stream_sendmsg")
int BPF_KPROBE(on_kprobe, struct socket *sock, struct msghdr *msg, size_t len)
{
	if (is_target()) {
		__sync_fetch_and_add(&kprobe_hits, 1);
		kprobe_len = len;
	}
	return 0;
}

SEC("fentry/unix_stream_sendmsg")
int BPF_PROG(on_fentry, struct socket *sock, struct msghdr *msg, size_t len)
{
	if (is_target()) {
		__sync_fetch_and_add(&fentry_hits, 1);
		fentry_len = len;
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int on_tp(struct trace_event_raw_sys_enter *ctx)
{
	if (is_target()) {
		__sync_fetch_and_add(&tp_hits, 1);
		tp_len = ctx->args[2];
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
