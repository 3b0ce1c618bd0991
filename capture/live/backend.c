#include "capture/live/backend.h"
#include "capture/live/libbpf_log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "sendmsg_hooks.skel.h"
#include "syscalls.skel.h"
#include "capture/live/tracefs.h"
#include "capture/core/filter.h"

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
}

/* The maps every capture object has (bpf/capture.bpf.h), from its skeleton. */
struct capture_maps {
	struct bpf_map *events, *stats, *filter_pids;
};

static int size_ring(const struct capture_maps *m, const struct uc_options *o)
{
	return bpf_map__set_max_entries(m->events, o->ring_kib * 1024u);
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

/* Kernel BTF answers "does this function/tracepoint exist here" without trying to attach. */
static bool kernel_has(const char *name, int kind)
{
	static struct btf *vmlinux;
	static bool tried;
	if (!tried) {
		tried = true;
		vmlinux = btf__load_vmlinux_btf();
		if (libbpf_get_error(vmlinux))
			vmlinux = NULL;
	}
	if (!vmlinux)
		return kind == BTF_KIND_FUNC; /* unknown: let attach decide */
	return btf__find_by_name_kind(vmlinux, name, kind) >= 0;
}

static int attach(struct uc_capture *c, struct bpf_program *p, bool required, char *err,
		  size_t errlen)
{
	struct bpf_link *l = bpf_program__attach(p);
	int e = l ? 0 : -errno;
	if (e) {
		bool kprobe = bpf_program__type(p) == BPF_PROG_TYPE_KPROBE;
		if (required)
			snprintf(err, errlen, "attach %s: %s%s", bpf_program__name(p), strerror(-e),
				 kprobe && e == -ENOENT ? " (kernel without kprobes?)" : "");
		return required ? e : 0;
	}
	if (c->n_links < UC_MAX_LINKS)
		c->links[c->n_links++] = l;
	else
		bpf_link__destroy(l);
	return 0;
}

static void detach_all(struct uc_capture *c)
{
	for (unsigned i = 0; i < c->n_links; i++)
		bpf_link__destroy(c->links[i]);
	c->n_links = 0;
}

static int finish(struct uc_capture *c, const struct capture_maps *m, const struct uc_filter *f)
{
	int e = fill_pid_filter(m, f);
	if (e)
		return e;
	c->ringbuf_fd = bpf_map__fd(m->events);
	c->stats_fd = bpf_map__fd(m->stats);
	return 0;
}

/* The programs of one hook backend: sendmsg entry and exit for each socket family of
 * calls, all required, and the optional peer hook. */
struct hook_progs {
	struct bpf_program *stream_enter, *stream_exit, *dgram_enter, *dgram_exit;
	struct bpf_program *may_send;
};

static struct hook_progs hook_progs(const struct sendmsg_hooks_bpf *s, bool fentry)
{
	if (fentry)
		return (struct hook_progs){ s->progs.fentry_stream_sendmsg,
					    s->progs.fexit_stream_sendmsg,
					    s->progs.fentry_dgram_sendmsg,
					    s->progs.fexit_dgram_sendmsg, s->progs.fentry_may_send };
	return (struct hook_progs){ s->progs.kprobe_stream_sendmsg, s->progs.kretprobe_stream_sendmsg,
				    s->progs.kprobe_dgram_sendmsg, s->progs.kretprobe_dgram_sendmsg,
				    s->progs.kprobe_may_send };
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

	for (size_t i = 0; !e && i < sizeof(required) / sizeof(required[0]); i++)
		e = attach(c, required[i], true, err, errlen);
	if (e)
		return e;
	if (x->may_send) {
		unsigned before = c->n_links;
		attach(c, hp->may_send, false, err, errlen);
		x->may_send = c->n_links > before;
	}
	if (x->recv) {
		unsigned before = c->n_links;
		attach(c, s->progs.tp_enter_recvmsg, false, err, errlen);
		attach(c, s->progs.tp_exit_recvmsg, false, err, errlen);
		x->recv = c->n_links == before + 2;
	}
	return 0;
}

static int try_hooks(struct uc_capture *c, const struct uc_options *o, const struct uc_filter *f,
		     enum uc_backend b, char *err, size_t errlen)
{
	struct sendmsg_hooks_bpf *s = sendmsg_hooks_bpf__open();
	if (!s) {
		snprintf(err, errlen, "open: %s", strerror(errno));
		return -errno;
	}
	struct capture_maps m = { s->maps.events, s->maps.stats, s->maps.filter_pids };
	struct hook_progs hp = hook_progs(s, b == UC_BACKEND_FENTRY);
	fill_config(&s->rodata->cfg, o, f, b);
	int e = size_ring(&m, o);
	struct hook_extras x = hooks_autoload(s, &hp);

	if (!e) {
		e = sendmsg_hooks_bpf__load(s);
		if (e)
			snprintf(err, errlen, "load: %s", strerror(-e));
	} else {
		snprintf(err, errlen, "ring buffer size: %s", strerror(-e));
	}
	if (!e)
		e = hooks_attach(c, s, &hp, &x, err, errlen);
	if (!e)
		e = finish(c, &m, f);
	if (e) {
		detach_all(c);
		sendmsg_hooks_bpf__destroy(s);
		return e;
	}
	snprintf(c->notes, sizeof(c->notes), "%s%s%s",
		 x.may_send ? "" : "no security_unix_may_send hook: unconnected datagrams lack peer_sock",
		 !x.may_send && !x.recv ? "; " : "",
		 x.recv ? "" : "no recvmsg tracepoints: received fds not shown");
	c->hooks = s;
	c->backend = b;
	return 0;
}

static int try_tracepoints(struct uc_capture *c, const struct uc_options *o,
			   const struct uc_filter *f, enum uc_backend b, char *err, size_t errlen)
{
	int e = uc_ensure_tracefs(err, errlen);
	if (e)
		return e;
	struct syscalls_bpf *s = syscalls_bpf__open();
	if (!s) {
		snprintf(err, errlen, "open: %s", strerror(errno));
		return -errno;
	}
	struct capture_maps m = { s->maps.events, s->maps.stats, s->maps.filter_pids };
	fill_config(&s->rodata->cfg, o, f, b);
	e = size_ring(&m, o);
	if (e)
		snprintf(err, errlen, "ring buffer size: %s", strerror(-e));
	/* sk_data_ready (6.3+) names the receiving socket of unconnected datagrams. */
	bool have_ready = kernel_has("btf_trace_sk_data_ready", BTF_KIND_TYPEDEF);
	bpf_program__set_autoload(s->progs.tp_sk_data_ready, have_ready);
	if (!e) {
		e = syscalls_bpf__load(s);
		if (e)
			snprintf(err, errlen, "load: %s", strerror(-e));
	}
	struct bpf_program *p;
	if (!e) {
		bpf_object__for_each_program(p, s->obj) {
			if (!bpf_program__autoload(p))
				continue;
			e = attach(c, p, p != s->progs.tp_sk_data_ready, err, errlen);
			if (e)
				break;
		}
	}
	if (!e)
		e = finish(c, &m, f);
	if (e) {
		detach_all(c);
		syscalls_bpf__destroy(s);
		return e;
	}
	snprintf(c->notes, sizeof(c->notes), "%s",
		 have_ready ? "not seen: io_uring, splice/sendfile, kernel senders"
			    : "not seen: io_uring, splice/sendfile, kernel senders; no sk_data_ready "
			      "tracepoint: unconnected datagrams lack peer_sock");
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

/* The error line once every backend tried has failed. */
static void open_error(const struct uc_options *o, char why[][WHY_LEN], char *err, size_t errlen)
{
	size_t n = 0;

	for (size_t i = 0; i < N_BACKENDS; i++) {
		if (o->backend == backends[i].choice) {
			snprintf(err, errlen, "backend %s unavailable on this kernel: %s",
				 uc_backend_name(backends[i].id), why[i]);
			return;
		}
	}
	n = (size_t)snprintf(err, errlen, "no backend could attach (");
	for (size_t i = 0; i < N_BACKENDS && n < errlen; i++)
		n += (size_t)snprintf(err + n, errlen - n, "%s%s: %s", i ? "; " : "",
				      uc_backend_name(backends[i].id), why[i]);
	if (n < errlen)
		snprintf(err + n, errlen - n, ")");
}

int uc_capture_open(struct uc_capture *c, const struct uc_options *o, const struct uc_filter *f,
		    char *err, size_t errlen)
{
	char why[N_BACKENDS][WHY_LEN] = { "" };
	int e = -ENOENT;

	memset(c, 0, sizeof(*c));
	c->ringbuf_fd = c->stats_fd = -1;
	libbpf_set_print(uc_libbpf_log(o->verbose));

	for (size_t i = 0; i < N_BACKENDS; i++) {
		const struct backend *b = &backends[i];
		if (o->backend != UC_CHOOSE_AUTO && o->backend != b->choice)
			continue;
		e = b->open(c, o, f, b->id, why[i], sizeof(why[i]));
		if (!e)
			return 0;
		if (o->verbose)
			fprintf(stderr, "unixcap: backend %s unavailable: %s\n", uc_backend_name(b->id),
				why[i]);
	}
	open_error(o, why, err, errlen);
	return e;
}

void uc_capture_close(struct uc_capture *c)
{
	detach_all(c);
	if (c->hooks)
		sendmsg_hooks_bpf__destroy(c->hooks);
	if (c->sys)
		syscalls_bpf__destroy(c->sys);
	c->hooks = NULL;
	c->sys = NULL;
}

int uc_capture_stats(const struct uc_capture *c, uint64_t out[UC_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0 || c->stats_fd < 0)
		return -EINVAL;
	uint64_t *vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t k = 0; k < UC_STAT_MAX; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(c->stats_fd, &k, vals))
			continue;
		for (int i = 0; i < ncpu; i++)
			out[k] += vals[i];
	}
	free(vals);
	return 0;
}
