#include "capture/live/backend.h"
#include "capture/live/libbpf_log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "sendmsg_hooks.skel.h"
#include "sendmsg_hooks_nl.skel.h"
#include "syscalls.skel.h"
#include "syscalls_nl.skel.h"
#include "capture/live/kernel_stats.h"
#include "capture/live/links.h"
#include "capture/live/perm_hint.h"
#include "capture/live/tracefs.h"
#include "capture/live/verifier_stats.h"
#include "capture/core/clock.h"
#include "capture/core/filter.h"

/* The _nl objects are the same BPF sources built without bpf_loop (bpf/ring.bpf.h): same
 * programs, maps and globals, so their skeletons have the same layout and are used through
 * the bpf_loop skeleton's type. */
_Static_assert(sizeof(struct sendmsg_hooks_bpf) == sizeof(struct sendmsg_hooks_nl_bpf),
	       "sendmsg_hooks skeletons differ");
_Static_assert(sizeof(struct syscalls_bpf) == sizeof(struct syscalls_nl_bpf),
	       "syscalls skeletons differ");

/* An environment variable that turns a kernel feature off for the tests (unixcap.8,
 * ENVIRONMENT): set to anything but empty or 0. */
static bool env_on(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0;
}

/* Whether this kernel has bpf_loop (5.17+, or a backport) for programs of type t: asked of
 * the kernel, never inferred from its version. UNIXCAP_NO_BPF_LOOP=1 (for tests) takes the
 * variant without it on any kernel. */
static bool have_bpf_loop(enum bpf_prog_type t)
{
	if (env_on("UNIXCAP_NO_BPF_LOOP"))
		return false;
	return libbpf_probe_bpf_helper(t, BPF_FUNC_loop, NULL) == 1;
}

/*
 * Whether programs of the types given may keep each thread's send in flight in task-local
 * storage (bpf/pending.bpf.h): the map type and both helpers, asked of the kernel (5.11 had
 * the map for LSM programs only). fentry and tp_btf programs (BPF_PROG_TYPE_TRACING), which
 * libbpf cannot probe, get every helper that kprobe and tracepoint programs get.
 * UNIXCAP_NO_TASK_STORAGE=1 (for tests) takes the hash map on any kernel.
 */
static bool have_task_storage(const enum bpf_prog_type *types, size_t n)
{
	if (env_on("UNIXCAP_NO_TASK_STORAGE"))
		return false;
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) != 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (libbpf_probe_bpf_helper(types[i], BPF_FUNC_task_storage_get, NULL) != 1 ||
		    libbpf_probe_bpf_helper(types[i], BPF_FUNC_get_current_task_btf, NULL) != 1)
			return false;
	}
	return true;
}

/* Creates the one of the two in-flight maps the programs will use (bpf/pending.bpf.h). */
static void pick_pending(struct bpf_map *hash, struct bpf_map *task, bool *in_task, bool ts)
{
	*in_task = ts;
	bpf_map__set_autocreate(hash, !ts);
	bpf_map__set_autocreate(task, ts);
}

/* --btf FILE, for kernels without /sys/kernel/btf/vmlinux: CO-RE and kernel_has() read it. */
static const char *btf_path;

/* -v: where start-up's time goes, one line per part of loading a backend, in the form of
 * main's start-up lines (the bench's start-up section sums them by name). */
static bool time_steps;
static uint64_t step_ns;

static void step_done(const char *backend, const char *what)
{
	uint64_t now = uc_now_ns(CLOCK_MONOTONIC);
	if (time_steps && what)
		fprintf(stderr, "unixcap: start-up: - %s%s%s: %llu ms\n", backend ? backend : "",
			backend ? " " : "", what, (unsigned long long)((now - step_ns) / 1000000u));
	step_ns = now;
}

const char *uc_backend_name(enum uc_backend b)
{
	switch (b) {
	case UC_BACKEND_FENTRY:
		return "fentry";
	case UC_BACKEND_KPROBE:
		return "kprobe";
	case UC_BACKEND_TRACEPOINT:
		return "tracepoint";
	default:
		return "none";
	}
}

/* The configuration the programs are loaded with: the filter's fields, and the capture's. */
static void fill_config(struct uc_config *cfg, const struct uc_options *o,
			const struct uc_filter *f, enum uc_backend b)
{
	memset(cfg, 0, sizeof(*cfg));
	uc_filter_kernel_config(f, cfg);
	cfg->backend = b;
	cfg->self_tgid = (uint32_t)getpid();
	cfg->snaplen = o->snaplen;
	cfg->errors = o->errors;
	/* Wake the reader at 1/32 full: early enough that a burst never fills the ring before
	 * the reader runs, late enough that each wakeup drains a batch. */
	cfg->wakeup_bytes = o->ring_kib * 1024u / 32;
	cfg->nr.write = SYS_write;
	cfg->nr.writev = SYS_writev;
	cfg->nr.sendto = SYS_sendto;
	cfg->nr.sendmsg = SYS_sendmsg;
	cfg->nr.sendmmsg = SYS_sendmmsg;
	cfg->nr.recvmsg = SYS_recvmsg;
}

/* The maps every capture object has (bpf/capture.bpf.h), from its skeleton. */
struct capture_maps {
	struct bpf_map *events, *stats, *filter_pids;
};

static int size_maps(const struct capture_maps *m, const struct uc_options *o)
{
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	int e = bpf_map__set_max_entries(m->stats, (__u32)ncpu);
	return e ? e : bpf_map__set_max_entries(m->events, o->ring_kib * 1024u);
}

static int fill_pid_filter(const struct capture_maps *m, const struct uc_filter *f)
{
	uint8_t in = UC_PID_INCLUDE, out = UC_PID_EXCLUDE;
	int fd = bpf_map__fd(m->filter_pids);

	for (unsigned i = 0; i < f->n_pids; i++) {
		if (bpf_map_update_elem(fd, &f->pids[i], &in, BPF_ANY))
			return -errno;
	}
	for (unsigned i = 0; i < f->n_exclude_pids; i++) {
		if (bpf_map_update_elem(fd, &f->exclude_pids[i], &out, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The kernel's BTF (or --btf FILE), parsed once for the preflight and every kernel_has():
 * each parse of a 6.x vmlinux BTF costs tens of milliseconds of start-up. NULL if none. */
static struct btf *vmlinux_btf(void)
{
	static struct btf *vmlinux;
	static bool tried;
	if (!tried) {
		tried = true;
		vmlinux = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
		if (libbpf_get_error(vmlinux))
			vmlinux = NULL;
	}
	return vmlinux;
}

/* Kernel BTF answers "does this function/tracepoint exist here" without trying to attach. */
static bool kernel_has(const char *name, int kind)
{
	struct btf *vmlinux = vmlinux_btf();
	if (!vmlinux)
		return kind == BTF_KIND_FUNC; /* unknown: let attach decide */
	return btf__find_by_name_kind(vmlinux, name, kind) >= 0;
}

/*
 * Whether the kernel takes an fentry program at all, asked with a two-instruction one: some
 * kernels refuse the program type (EPERM here, with no kprobes either), and finding that out
 * by loading the backend costs its object's BTF, maps and the programs loaded before the
 * first fentry one. 0, or the load's -errno. Without BTF the backend's load decides.
 */
static int fentry_refused(void)
{
	struct btf *vmlinux = vmlinux_btf();
	if (btf_path || !vmlinux)
		return 0;
	int id = btf__find_by_name_kind(vmlinux, "unix_stream_sendmsg", BTF_KIND_FUNC);
	if (id < 0)
		return 0;
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = (__u32)id);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &po);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int finish(struct uc_capture *c, const struct capture_maps *m, const struct uc_filter *f)
{
	int e = fill_pid_filter(m, f);
	if (e)
		return e;
	c->ringbuf_fd = bpf_map__fd(m->events);
	return uc_stats_map(c, m->stats);
}

/* The programs of one hook backend: sendmsg entry and exit for each socket family of
 * calls, all required, and the optional peer hook. */
struct hook_progs {
	struct bpf_program *stream_enter, *stream_exit, *dgram_enter, *dgram_exit;
	struct bpf_program *may_send;
	/* fentry only: each entry and exit program's backstop (bpf/sendmsg_hooks.bpf.c) */
	struct bpf_program *backstops[4];
};

static struct hook_progs hook_progs(const struct sendmsg_hooks_bpf *s, bool fentry)
{
	if (fentry)
		return (struct hook_progs){ s->progs.fentry_stream_sendmsg,
					    s->progs.fexit_stream_sendmsg,
					    s->progs.fentry_dgram_sendmsg,
					    s->progs.fexit_dgram_sendmsg,
					    s->progs.fentry_may_send,
					    { s->progs.fentry_stream_backstop,
					      s->progs.fexit_stream_backstop,
					      s->progs.fentry_dgram_backstop,
					      s->progs.fexit_dgram_backstop } };
	return (struct hook_progs){ s->progs.kprobe_stream_sendmsg, s->progs.kretprobe_stream_sendmsg,
				    s->progs.kprobe_dgram_sendmsg, s->progs.kretprobe_dgram_sendmsg,
				    s->progs.kprobe_may_send, { NULL } };
}

/* Which programs load: the required ones, and the optional ones this kernel has. */
struct hook_extras {
	bool may_send, recv;
};

static struct hook_extras hooks_autoload(struct sendmsg_hooks_bpf *s, const struct hook_progs *hp)
{
	struct bpf_program *p;
	struct hook_extras x;
	struct bpf_program *required[] = { hp->stream_enter, hp->stream_exit, hp->dgram_enter,
					   hp->dgram_exit };
	char tf_err[160];

	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, false);
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		bpf_program__set_autoload(required[i], true);
	/* A trampoline runs its programs preemptibly on every kernel that has them. */
	bool backstops = uc_want_backstops(true);
	for (size_t i = 0; i < sizeof(hp->backstops) / sizeof(hp->backstops[0]); i++)
		if (hp->backstops[i])
			bpf_program__set_autoload(hp->backstops[i], backstops);
	/* Without CONFIG_SECURITY the hook is inlined away: unconnected datagrams then lack
	 * peer_sock, which the exit summary says. */
	x.may_send = kernel_has("security_unix_may_send", BTF_KIND_FUNC);
	bpf_program__set_autoload(hp->may_send, x.may_send);
	/* Receive-side fds come from the recvmsg syscall tracepoints, which need tracefs. */
	x.recv = uc_ensure_tracefs(tf_err, sizeof(tf_err)) == 0;
	bpf_program__set_autoload(s->progs.tp_enter_recvmsg, x.recv);
	bpf_program__set_autoload(s->progs.tp_exit_recvmsg, x.recv);
	return x;
}

/* Attaches the loaded hook programs; x says afterwards which optional ones are attached. */
static int hooks_attach(struct uc_capture *c, struct sendmsg_hooks_bpf *s,
			const struct hook_progs *hp, struct hook_extras *x, char *err, size_t errlen)
{
	struct bpf_program *required[] = { hp->stream_enter, hp->stream_exit, hp->dgram_enter,
					   hp->dgram_exit };
	int e = 0;

	/* The backstops first: a trampoline runs the program attached last first. */
	for (size_t i = 0; !e && i < sizeof(hp->backstops) / sizeof(hp->backstops[0]); i++)
		if (hp->backstops[i] && bpf_program__autoload(hp->backstops[i]))
			e = uc_attach_backstop(c, hp->backstops[i], err, errlen);
	for (size_t i = 0; !e && i < sizeof(required) / sizeof(required[0]); i++)
		e = uc_attach(c, required[i], true, err, errlen);
	if (e)
		return e;
	if (x->may_send) {
		unsigned before = c->n_links;
		uc_attach(c, hp->may_send, false, err, errlen);
		x->may_send = c->n_links > before;
	}
	if (x->recv) {
		unsigned before = c->n_links;
		uc_attach(c, s->progs.tp_enter_recvmsg, false, err, errlen);
		uc_attach(c, s->progs.tp_exit_recvmsg, false, err, errlen);
		x->recv = c->n_links == before + 2;
	}
	return 0;
}

static int try_hooks(struct uc_capture *c, const struct uc_options *o, const struct uc_filter *f,
		     enum uc_backend b, char *err, size_t errlen)
{
	if (b == UC_BACKEND_FENTRY) {
		int e = fentry_refused();
		if (e) {
			snprintf(err, errlen, "load: %s (the kernel refuses fentry programs)",
				 strerror(-e));
			return e;
		}
	}
	if (b == UC_BACKEND_KPROBE) {
		char tf_err[160];
		uc_ensure_tracefs(tf_err, sizeof(tf_err)); /* kprobe_events is found through it */
		if (!uc_kprobes_available()) {
			snprintf(err, errlen, "kernel without kprobes (no kprobe PMU, no kprobe_events)");
			return -ENOENT;
		}
	}
	bool loop = have_bpf_loop(BPF_PROG_TYPE_KPROBE);
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = btf_path);
	struct sendmsg_hooks_bpf *s = loop ? sendmsg_hooks_bpf__open_opts(&oo)
					   : (struct sendmsg_hooks_bpf *)sendmsg_hooks_nl_bpf__open_opts(&oo);
	if (!s) {
		snprintf(err, errlen, "open: %s", strerror(errno));
		return -errno;
	}
	struct capture_maps m = { s->maps.events, s->maps.stats, s->maps.filter_pids };
	struct hook_progs hp = hook_progs(s, b == UC_BACKEND_FENTRY);
	fill_config(&s->rodata->cfg, o, f, b);
	/* kprobe programs, and the receive side's tracepoints in either backend */
	const enum bpf_prog_type ts_types[] = { BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT };
	bool ts = have_task_storage(ts_types, 2);
	pick_pending(s->maps.pending, s->maps.pending_task, &s->rodata->pending_in_task, ts);
	int e = size_maps(&m, o);
	struct hook_extras x = hooks_autoload(s, &hp);

	const char *bn = uc_backend_name(b);
	step_done(bn, "open (probes, BTF)");
	if (!e) {
		uc_verifier_stats_arm(s->obj);
		e = sendmsg_hooks_bpf__load(s);
		step_done(bn, "load (CO-RE, verifier)");
		int hint = e ? uc_load_denied_hint(e, err, errlen) : 0;
		if (hint)
			e = hint;
		else if (e)
			snprintf(err, errlen, "load: %s", strerror(-e));
		else
			uc_verifier_stats_print(s->obj, loop, ts);
	} else {
		snprintf(err, errlen, "ring buffer size: %s", strerror(-e));
	}
	if (!e) {
		e = hooks_attach(c, s, &hp, &x, err, errlen);
		step_done(bn, "attach");
	}
	if (!e)
		e = finish(c, &m, f);
	if (e) {
		uc_detach_all(c);
		sendmsg_hooks_bpf__destroy(s);
		return e;
	}
	snprintf(c->notes, sizeof(c->notes), "%s%s%s%s",
		 x.may_send ? "" : "no security_unix_may_send hook: unconnected datagrams lack peer_sock",
		 !x.may_send && !x.recv ? "; " : "",
		 x.recv ? "" : "no recvmsg tracepoints: received fds not shown",
		 loop ? "" : (x.may_send && x.recv ? "programs without bpf_loop"
						   : "; programs without bpf_loop"));
	c->hooks = s;
	c->backend = b;
	return 0;
}

/*
 * The exit programs of write, writev, sendto and sendmsg are one code (send_exit on the return
 * value), and a tracepoint program may be attached to several tracepoints: each of them that
 * is instruction for instruction tp_exit_write is not loaded (the verifier's time is most of
 * start-up), and tp_exit_write is attached in its place. One that differs loads on its own.
 */
struct shared_exits {
	struct bpf_program *as[4]; /* loaded in place of each: tp_exit_write, or NULL */
	const char *tp[4];         /* its tracepoint, "syscalls/sys_exit_..." */
	unsigned n;
};

static bool same_insns(const struct bpf_program *a, const struct bpf_program *b)
{
	size_t n = bpf_program__insn_cnt(a);
	return n == bpf_program__insn_cnt(b) &&
	       !memcmp(bpf_program__insns(a), bpf_program__insns(b), n * sizeof(struct bpf_insn));
}

static void share_exits(struct syscalls_bpf *s, struct shared_exits *sh)
{
	struct bpf_program *others[] = { s->progs.tp_exit_writev, s->progs.tp_exit_sendto,
					 s->progs.tp_exit_sendmsg };
	sh->n = 0;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		const char *sec = bpf_program__section_name(others[i]);
		if (!same_insns(others[i], s->progs.tp_exit_write) || strncmp(sec, "tracepoint/", 11))
			continue;
		bpf_program__set_autoload(others[i], false);
		sh->as[sh->n] = s->progs.tp_exit_write;
		sh->tp[sh->n++] = sec + 11;
	}
}

static int attach_shared(struct uc_capture *c, const struct shared_exits *sh, char *err,
			 size_t errlen)
{
	for (unsigned i = 0; i < sh->n; i++) {
		char cat[32];
		const char *slash = strchr(sh->tp[i], '/');
		if (!slash || (size_t)(slash - sh->tp[i]) >= sizeof(cat))
			return -EINVAL;
		snprintf(cat, sizeof(cat), "%.*s", (int)(slash - sh->tp[i]), sh->tp[i]);
		struct bpf_link *l = bpf_program__attach_tracepoint(sh->as[i], cat, slash + 1);
		if (!l) {
			int e = -errno;
			int hint = uc_attach_denied_hint(e, sh->tp[i], err, errlen);
			if (hint)
				return hint;
			snprintf(err, errlen, "attach %s: %s", sh->tp[i], strerror(-e));
			return e;
		}
		uc_keep_link(c, sh->as[i], l);
	}
	return 0;
}

static int try_tracepoints(struct uc_capture *c, const struct uc_options *o,
			   const struct uc_filter *f, enum uc_backend b, char *err, size_t errlen)
{
	int e = uc_ensure_tracefs(err, errlen);
	if (e)
		return e;
	bool loop = have_bpf_loop(BPF_PROG_TYPE_TRACEPOINT);
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = btf_path);
	struct syscalls_bpf *s = loop ? syscalls_bpf__open_opts(&oo)
				      : (struct syscalls_bpf *)syscalls_nl_bpf__open_opts(&oo);
	if (!s) {
		snprintf(err, errlen, "open: %s", strerror(errno));
		return -errno;
	}
	struct capture_maps m = { s->maps.events, s->maps.stats, s->maps.filter_pids };
	fill_config(&s->rodata->cfg, o, f, b);
	const enum bpf_prog_type ts_types[] = { BPF_PROG_TYPE_TRACEPOINT };
	bool ts = have_task_storage(ts_types, 1);
	pick_pending(s->maps.pending, s->maps.pending_task, &s->rodata->pending_in_task, ts);
	e = size_maps(&m, o);
	if (e)
		snprintf(err, errlen, "ring buffer size: %s", strerror(-e));
	/* sk_data_ready (6.3+) names the receiving socket of unconnected datagrams. */
	/* A tp_btf program attaches by the kernel's own BTF: --btf FILE cannot stand in for it. */
	bool have_ready = kernel_has("btf_trace_sk_data_ready", BTF_KIND_TYPEDEF) &&
			  access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	bpf_program__set_autoload(s->progs.tp_sk_data_ready, have_ready);
	/* Where the kernel runs syscall tracepoint programs preemptibly (7.x) and preempts. */
	bool backstop = loop && uc_want_backstops(kernel_has("trace_call_bpf_faultable",
							  BTF_KIND_FUNC));
	bpf_program__set_autoload(s->progs.raw_enter_backstop, backstop);
	bpf_program__set_autoload(s->progs.raw_exit_backstop, backstop);
	if (!have_ready) /* nothing fills the sendmmsg destinations: no 2 MiB for them */
		bpf_map__set_max_entries(s->maps.mmsg_dests, 1);
	struct shared_exits sh;
	share_exits(s, &sh);
	step_done("tracepoint", "open (probes, BTF)");
	if (!e) {
		uc_verifier_stats_arm(s->obj);
		e = syscalls_bpf__load(s);
		step_done("tracepoint", "load (CO-RE, verifier)");
		int hint = e ? uc_load_denied_hint(e, err, errlen) : 0;
		if (hint)
			e = hint;
		else if (e)
			snprintf(err, errlen, "load: %s", strerror(-e));
		else
			uc_verifier_stats_print(s->obj, loop, ts);
	}
	struct bpf_program *p;
	if (!e) {
		bpf_object__for_each_program(p, s->obj) {
			if (!bpf_program__autoload(p) || p == s->progs.raw_enter_backstop ||
			    p == s->progs.raw_exit_backstop)
				continue;
			e = uc_attach(c, p, p != s->progs.tp_sk_data_ready, err, errlen);
			if (e)
				break;
		}
	}
	if (!e)
		e = attach_shared(c, &sh, err, errlen);
	/* After every tracepoint: bpf/syscall_backstop.bpf.h says why the order matters. */
	if (!e && backstop)
		e = uc_attach_backstop(c, s->progs.raw_enter_backstop, err, errlen);
	if (!e && backstop)
		e = uc_attach_backstop(c, s->progs.raw_exit_backstop, err, errlen);
	step_done("tracepoint", "attach");
	if (!e)
		e = finish(c, &m, f);
	if (e) {
		uc_detach_all(c);
		syscalls_bpf__destroy(s);
		return e;
	}
	snprintf(c->notes, sizeof(c->notes), "%s%s",
		 have_ready ? "not seen: io_uring, splice/sendfile, kernel senders"
			    : "not seen: io_uring, splice/sendfile, kernel senders; no sk_data_ready "
			      "tracepoint: unconnected datagrams lack peer_sock",
		 loop ? "" : "; programs without bpf_loop");
	c->sys = s;
	c->backend = b;
	return 0;
}

/* The backends in the order auto tries them, each with the --backend value that picks it. */
static const struct backend {
	enum uc_backend id;
	enum uc_backend_choice choice;
	int (*open)(struct uc_capture *c, const struct uc_options *o, const struct uc_filter *f,
		    enum uc_backend b, char *err, size_t errlen);
} backends[] = {
	{ UC_BACKEND_FENTRY, UC_CHOOSE_FENTRY, try_hooks },
	{ UC_BACKEND_KPROBE, UC_CHOOSE_KPROBE, try_hooks },
	{ UC_BACKEND_TRACEPOINT, UC_CHOOSE_TRACEPOINT, try_tracepoints },
};
#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))
#define WHY_LEN 200 /* one backend's reason for failing */

/*
 * What every backend needs, checked before any is tried, so that a kernel that lacks it gets
 * one line naming the missing piece instead of each backend's "load: Invalid argument".
 */
static int preflight(char *err, size_t errlen)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (fd < 0) {
		int e = errno;
		if (e == ENOSYS)
			snprintf(err, errlen, "this kernel has no bpf() system call (built without "
				 "CONFIG_BPF_SYSCALL): unixcap cannot work on it");
		else if (e == EPERM || e == EACCES)
			snprintf(err, errlen, "not permitted to use BPF (%s): run as root, or with "
				 "CAP_BPF and CAP_PERFMON (Linux 5.8+; CAP_SYS_ADMIN before)",
				 strerror(e));
		else
			snprintf(err, errlen, "cannot create a BPF map: %s", strerror(e));
		return -e;
	}
	close(fd);
	char lock[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");
	if (f) {
		if (!fgets(lock, sizeof(lock), f))
			lock[0] = 0;
		fclose(f);
	}
	if (strstr(lock, "[confidentiality]")) {
		snprintf(err, errlen, "kernel lockdown is in confidentiality mode, which forbids BPF "
			 "programs to read kernel memory: boot with lockdown=integrity or without lockdown");
		return -EPERM;
	}
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1) {
		snprintf(err, errlen, "this kernel has no BPF ring buffer (BPF_MAP_TYPE_RINGBUF, "
			 "Linux 5.8+), which unixcap needs to pass records: it cannot work on it");
		return -EOPNOTSUPP;
	}
	/* libbpf also finds a vmlinux with BTF in /boot or /lib/modules: only no BTF anywhere
	 * is an error. */
	if (!btf_path && !vmlinux_btf()) {
		snprintf(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux, "
			 "CONFIG_DEBUG_INFO_BTF), which CO-RE needs: give its BTF with --btf FILE "
			 "(btfhub has files for many distribution kernels)");
		return -ENOENT;
	}
	return 0;
}

/* The error line once every backend tried has failed; names the kept log, if any. */
static void open_error(const struct uc_options *o, char why[][WHY_LEN], char *err, size_t errlen)
{
	size_t n = 0;
	const char *log = uc_bpf_log_close(true);
	char where[96] = "";
	if (log)
		snprintf(where, sizeof(where), " (libbpf and verifier log: %s)", log);
	else if (!o->verbose)
		snprintf(where, sizeof(where), " (-v keeps the verifier log)");

	for (size_t i = 0; i < N_BACKENDS; i++) {
		if (o->backend == backends[i].choice) {
			snprintf(err, errlen, "backend %s unavailable on this kernel: %s%s",
				 uc_backend_name(backends[i].id), why[i], where);
			return;
		}
	}
	n = (size_t)snprintf(err, errlen, "no backend could attach (");
	for (size_t i = 0; i < N_BACKENDS && n < errlen; i++)
		n += (size_t)snprintf(err + n, errlen - n, "%s%s: %s", i ? "; " : "",
				      uc_backend_name(backends[i].id), why[i]);
	if (n < errlen)
		snprintf(err + n, errlen - n, ")%s", where);
}

int uc_capture_open(struct uc_capture *c, const struct uc_options *o, const struct uc_filter *f,
		    char *err, size_t errlen)
{
	char why[N_BACKENDS][WHY_LEN] = { "" };
	int e = -ENOENT;

	memset(c, 0, sizeof(*c));
	c->ringbuf_fd = -1;
	btf_path = o->btf_file;
	time_steps = o->verbose > 0;
	step_done(NULL, NULL);
	libbpf_set_print(uc_libbpf_log(0)); /* the preflight's probes fail by design */
	e = preflight(err, errlen);
	if (e)
		return e;
	step_done(NULL, "preflight (BPF, ring buffer, BTF)");
	if (o->verbose) {
		uc_bpf_log_open(o->verbose > 1);
	}
	libbpf_set_print(uc_bpf_log_active() ? uc_bpf_log_to_file : uc_libbpf_log(o->verbose));

	int denied = -1;
	for (size_t i = 0; i < N_BACKENDS; i++) {
		const struct backend *b = &backends[i];
		if (o->backend != UC_CHOOSE_AUTO && o->backend != b->choice)
			continue;
		e = b->open(c, o, f, b->id, why[i], sizeof(why[i]));
		step_done(uc_backend_name(b->id), e ? "unavailable (the rest of its attempt)" : NULL);
		if (e == -EACCES)
			denied = (int)i; /* a missing capability, named in why[i] */
		if (!e) {
			uc_bpf_log_close(false);
			return 0;
		}
		if (o->verbose)
			fprintf(stderr, "unixcap: backend %s unavailable: %s\n", uc_backend_name(b->id),
				why[i]);
	}
	/* A capability the caller can grant beats "unavailable on this kernel" of the others. */
	if (denied >= 0) {
		uc_bpf_log_close(false);
		snprintf(err, errlen, "%s", why[denied]);
		return -EACCES;
	}
	open_error(o, why, err, errlen);
	return e;
}

void uc_capture_close(struct uc_capture *c)
{
	uc_detach_all(c);
	if (c->hooks)
		sendmsg_hooks_bpf__destroy(c->hooks);
	if (c->sys)
		syscalls_bpf__destroy(c->sys);
	c->hooks = NULL;
	c->sys = NULL;
	uc_stats_unmap(c);
}

