/* The links a capture holds, each with its program (links.h). */
#include "capture/live/links.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "capture/live/perm_hint.h"
#include "capture/live/preempt_model.h"

/* Every link the capture holds, with its program: misses.c reads the program's counts. */
void uc_keep_link(struct uc_capture *c, const struct bpf_program *p, struct bpf_link *l)
{
	if (c->n_links < UC_MAX_LINKS) {
		c->prog_fds[c->n_links] = bpf_program__fd(p);
		c->links[c->n_links++] = l;
	} else {
		bpf_link__destroy(l);
	}
}

int uc_attach(struct uc_capture *c, struct bpf_program *p, bool required, char *err,
	      size_t errlen)
{
	struct bpf_link *l = bpf_program__attach(p);
	int e = l ? 0 : -errno;
	if (e) {
		bool kprobe = bpf_program__type(p) == BPF_PROG_TYPE_KPROBE;
		if (!required)
			return 0;
		/* kprobes and tracepoints attach through perf events, which the sysctl may deny. */
		enum bpf_prog_type t = bpf_program__type(p);
		int hint = kprobe || t == BPF_PROG_TYPE_TRACEPOINT
				   ? uc_attach_denied_hint(e, bpf_program__name(p), err, errlen)
				   : 0;
		if (hint)
			return hint;
		snprintf(err, errlen, "attach %s: %s%s", bpf_program__name(p), strerror(-e),
			 kprobe && e == -ENOENT ? " (kernel without kprobes?)" : "");
		return e;
	}
	uc_keep_link(c, p, l);
	return 0;
}

/*
 * Whether to load the backstops of programs the kernel may skip (bpf/syscall_backstop.bpf.h,
 * bpf/sendmsg_hooks.bpf.c): where the kernel runs them preemptibly (kernel_runs_preemptible)
 * and can preempt kernel code at all. UNIXCAP_BACKSTOP=1 loads them anyway, so that the tests
 * can show on any kernel that they never capture a message twice; =0 never (to measure them).
 */
bool uc_want_backstops(bool kernel_runs_preemptible)
{
	const char *force = getenv("UNIXCAP_BACKSTOP");
	if (force && (!strcmp(force, "1") || !strcmp(force, "0")))
		return force[0] == '1';
	return kernel_runs_preemptible && uc_kernel_preemptible();
}

/* A backstop's own skipped runs are left out of the kernel's counts the summary shows: one
 * loses nothing unless the program it backs up was skipped too, which that one's count
 * says; and the sys_exit backstop runs on every syscall, so its count would be mostly the
 * syscalls of other programs. */
int uc_attach_backstop(struct uc_capture *c, struct bpf_program *p, char *err,
		       size_t errlen)
{
	unsigned before = c->n_links;
	int e = uc_attach(c, p, true, err, errlen);
	if (!e && c->n_links > before)
		c->prog_fds[c->n_links - 1] = -1;
	return e;
}

void uc_detach_all(struct uc_capture *c)
{
	for (unsigned i = 0; i < c->n_links; i++)
		bpf_link__destroy(c->links[i]);
	c->n_links = 0;
}
