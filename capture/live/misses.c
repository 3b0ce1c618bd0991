/* The kernel's counts of skipped program runs (misses.h). */
#include "capture/live/misses.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/*
 * bpf_link_info of a perf-event link as Linux 6.7 lays it out (the build's uapi headers may
 * be older): the union starts at byte 16, perf_event.kprobe.missed is at byte 48. Older
 * kernels write less of it and leave the rest zero.
 */
struct perf_link_info {
	uint32_t type, id, prog_id, pad0;
	uint32_t perf_type, pad1;
	uint64_t func_name;
	uint32_t name_len, offset;
	uint64_t addr, missed, cookie;
};

#define UC_LINK_PERF_EVENT 7      /* BPF_LINK_TYPE_PERF_EVENT */
#define UC_PERF_EVENT_KPROBE 3    /* BPF_PERF_EVENT_KPROBE */
#define UC_PERF_EVENT_KRETPROBE 4 /* BPF_PERF_EVENT_KRETPROBE */

_Static_assert(offsetof(struct perf_link_info, missed) == 48, "bpf_link_info layout");

static uint64_t probe_missed(int link_fd)
{
	struct perf_link_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	/* A kprobe attached without a BPF link (before 5.15) has no link info: no count. */
	if (link_fd < 0 || bpf_obj_get_info_by_fd(link_fd, &info, &len))
		return 0;
	if (info.type != UC_LINK_PERF_EVENT ||
	    (info.perf_type != UC_PERF_EVENT_KPROBE && info.perf_type != UC_PERF_EVENT_KRETPROBE))
		return 0;
	return info.missed;
}

/* The program's skipped runs; its name goes to name (BPF_OBJ_NAME_LEN). */
static uint64_t recursion_misses(int prog_fd, char name[16])
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	name[0] = 0;
	if (prog_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	memcpy(name, info.name, 16);
	name[15] = 0;
	return info.recursion_misses;
}

/* Which program lost runs says where to look: the probe itself or the program behind it. */
static void note(struct uc_kernel_misses *out, const char *what, const char *name, uint64_t n)
{
	size_t at = strlen(out->detail);
	if (n && at < sizeof(out->detail))
		snprintf(out->detail + at, sizeof(out->detail) - at, "%s%s%s=%llu", at ? " " : "",
			 what, name, (unsigned long long)n);
}

void uc_kernel_misses(const struct uc_capture *c, struct uc_kernel_misses *out)
{
	char name[16];

	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < c->n_links; i++) {
		/* A program attached to several hooks (the shared syscall exit) has one count. */
		bool seen = false;
		for (unsigned j = 0; j < i && !seen; j++)
			seen = c->prog_fds[j] == c->prog_fds[i];
		uint64_t r = recursion_misses(c->prog_fds[i], name);
		if (seen)
			r = 0;
		uint64_t p = probe_missed(bpf_link__fd(c->links[i]));
		note(out, "probe of ", name, p);
		note(out, "", name, r);
		out->probe += p;
		out->recursion += r;
	}
}
