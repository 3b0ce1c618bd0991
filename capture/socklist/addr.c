/*
 * Kernel addresses (struct sock *) of unix sockets, from the first source that gives real
 * ones: the BPF iterator, /proc/net/unix, or fd lookups (see bpf/unix_iter.bpf.c).
 */
#include "capture/socklist/socklist.h"
#include "capture/core/grow.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "unix_iter.skel.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define SO_ACCEPTCON_FLAG 0x10000 /* __SO_ACCEPTCON in /proc/net/unix's Flags */
#define SS_CONNECTING_ST 2
#define SS_CONNECTED_ST 3

bool uc_sl_addr_is_real(uint64_t v)
{
	/* Kernel pointers live in the top half with the top 16 bits set (x86-64 and arm64
	 * alike); a %pK hash is a 32-bit value printed in 64-bit width. */
	return (v >> 48) == 0xffff;
}

void uc_sl_merge_rec(struct uc_socklist *l, const struct uc_sl_rec *r, enum uc_addr_src src)
{
	if (!r->valid || !r->sk)
		return;
	struct uc_sock *s;
	if (r->inode) {
		s = uc_socklist_get(l, r->inode);
	} else {
		s = uc_socklist_find_addr(l, r->sk);
		if (!s)
			s = uc_socklist_anon_for_peer(l, r->peer_inode, r->type);
	}
	if (!s)
		return;
	unsigned seen_before = s->seen;
	s->seen |= src == UC_ADDR_ITER ? UC_SL_ITER : UC_SL_FDBPF;
	uc_sock_set_addr(s, r->sk, src);
	uc_sock_set_peer_addr(s, r->peer, src);
	if (r->cred_pid)
		s->cred_pid = r->cred_pid;
	/* sock_diag's view wins where both have one (it is what ss shows). */
	if (!(seen_before & UC_SL_DIAG)) {
		s->type = r->type;
		s->state = r->state;
		s->has_peer = r->peer != 0;
		s->peer_inode = r->peer_inode;
		uc_sock_set_path(s, r->path, r->path_len);
		if (r->rqueue != UC_SL_NOQ)
			s->rqueue = r->rqueue;
		if (r->wqueue != UC_SL_NOQ)
			s->wqueue = r->wqueue;
		s->uid = r->uid;
		s->have_uid = true;
	}
}

/* ---- BPF iterator ------------------------------------------------------------------------ */

int uc_sl_iter_collect(struct uc_socklist *l, char *err, size_t errlen)
{
	struct unix_iter_bpf *skel = unix_iter_bpf__open();
	struct bpf_link *link = NULL;
	int iter_fd = -1, e = 0;
	char *buf = NULL;

	if (!skel) {
		e = -errno;
		snprintf(err, errlen, "open BPF object: %s", strerror(-e));
		return e;
	}
	if (skel->rodata->rec_size != sizeof(struct uc_sl_rec)) {
		snprintf(err, errlen, "BPF object built for another record layout: rebuild");
		e = -EINVAL;
		goto out;
	}
	bpf_program__set_autoload(skel->progs.fd_lookup, false);
	e = unix_iter_bpf__load(skel);
	if (e) {
		snprintf(err, errlen, "load iter/unix: %s%s", strerror(-e),
			 e == -EINVAL || e == -ESRCH ? " (kernel without BPF unix iterator, < 5.17?)"
						     : "");
		goto out;
	}
	link = bpf_program__attach_iter(skel->progs.dump_unix, NULL);
	if (!link) {
		e = -errno;
		snprintf(err, errlen, "attach iter/unix: %s", strerror(-e));
		goto out;
	}
	iter_fd = bpf_iter_create(bpf_link__fd(link));
	if (iter_fd < 0) {
		e = -errno;
		snprintf(err, errlen, "create iterator: %s", strerror(-e));
		goto out;
	}

	/* read() hands out whatever the seq_file buffer holds: carry partial records over. */
	const size_t cap = 256 * sizeof(struct uc_sl_rec);
	size_t have = 0;
	buf = malloc(cap);
	if (!buf) {
		e = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t n = read(iter_fd, buf + have, cap - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = -errno;
			snprintf(err, errlen, "read iterator: %s", strerror(-e));
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		size_t whole = have / sizeof(struct uc_sl_rec);
		for (size_t i = 0; i < whole; i++) {
			struct uc_sl_rec r;
			memcpy(&r, buf + i * sizeof(r), sizeof(r));
			uc_sl_merge_rec(l, &r, UC_ADDR_ITER);
		}
		memmove(buf, buf + whole * sizeof(struct uc_sl_rec), have % sizeof(struct uc_sl_rec));
		have %= sizeof(struct uc_sl_rec);
	}
	l->sources |= UC_SL_ITER;
out:
	free(buf);
	if (iter_fd >= 0)
		close(iter_fd);
	bpf_link__destroy(link);
	unix_iter_bpf__destroy(skel);
	return e;
}

/* ---- /proc/net/unix ---------------------------------------------------------------------- */

struct procnet_line {
	uint64_t addr, inode;
	unsigned flags, type, st;
	uint16_t path_len;
	char path[UC_PATH_MAX];
};

/* "ADDR: REFCNT PROTO FLAGS TYPE ST INODE[ PATH]"; 0 or -EINVAL. */
static int parse_procnet_line(const char *line, struct procnet_line *p)
{
	unsigned long long addr, inode;
	unsigned refcnt, proto;
	int used = 0;
	memset(p, 0, sizeof(*p));
	if (sscanf(line, "%llx: %x %x %x %x %x %llu%n", &addr, &refcnt, &proto, &p->flags, &p->type,
		   &p->st, &inode, &used) != 7)
		return -EINVAL;
	p->addr = addr;
	p->inode = inode;
	const char *rest = line + used;
	if (*rest == ' ') {
		rest++;
		size_t n = strcspn(rest, "\n");
		if (n > UC_PATH_MAX)
			n = UC_PATH_MAX;
		memcpy(p->path, rest, n);
		/* Abstract names are shown as '@' + the name, with every NUL as '@'. */
		if (n && p->path[0] == '@')
			p->path[0] = '\0';
		p->path_len = (uint16_t)n;
	}
	return 0;
}

int uc_sl_procnet_collect(struct uc_socklist *l, const char *file, bool *real)
{
	FILE *f = fopen(file, "re");
	*real = false;
	if (!f)
		return -errno;
	struct procnet_line *v = NULL;
	size_t n = 0, cap = 0;
	char line[512];
	bool header = true, all_real = true;
	int e = 0;
	while (fgets(line, sizeof(line), f)) {
		if (header) {
			header = false;
			continue;
		}
		if (uc_grow(&v, &cap, n, sizeof(*v), 256)) {
			e = -ENOMEM;
			break;
		}
		if (parse_procnet_line(line, &v[n]))
			continue;
		if (v[n].addr && !uc_sl_addr_is_real(v[n].addr))
			all_real = false;
		if (!v[n].addr)
			all_real = false; /* kptr_restrict 2 prints zeros */
		n++;
	}
	fclose(f);
	if (e) {
		free(v);
		return e;
	}
	*real = all_real && n > 0;
	for (size_t i = 0; i < n; i++) {
		const struct procnet_line *p = &v[i];
		struct uc_sock *s;
		if (p->inode)
			s = uc_socklist_get(l, p->inode);
		else if (*real)
			s = uc_socklist_find_addr(l, p->addr);
		else
			continue; /* an inode-less socket with no usable address: unidentifiable */
		if (!s && !p->inode)
			s = uc_socklist_add_anon(l);
		if (!s) {
			e = -ENOMEM;
			break;
		}
		unsigned seen_before = s->seen;
		s->seen |= UC_SL_PROCNET;
		if (*real)
			uc_sock_set_addr(s, p->addr, UC_ADDR_PROC);
		if (!(seen_before & (UC_SL_DIAG | UC_SL_ITER))) {
			s->type = (uint16_t)p->type;
			if (p->flags & SO_ACCEPTCON_FLAG)
				s->state = UC_SL_LISTEN;
			else if (p->st == SS_CONNECTED_ST || p->st == SS_CONNECTING_ST)
				s->state = UC_SL_ESTABLISHED;
			else
				s->state = UC_SL_CLOSE;
			uc_sock_set_path(s, p->path, p->path_len);
		}
	}
	free(v);
	if (e)
		return e;
	l->sources |= UC_SL_PROCNET;
	return (int)n;
}

/* ---- fd lookups -------------------------------------------------------------------------- */

struct fd_job {
	uint64_t inode;
	uint32_t pid;
	int32_t fd;
	uint32_t next_owner; /* index of the next owner to try if this one fails */
	uint32_t end_owner;
};

static int cmp_job(const void *a, const void *b)
{
	const struct fd_job *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Runs the lookup program on up to UC_SL_FD_BATCH of our own fds. */
static void run_batch(struct unix_iter_bpf *skel, struct uc_socklist *l, const int *fds,
		      const uint64_t *want_ino, unsigned n, unsigned *found)
{
	struct uc_sl_fdq *q = &skel->bss->fdq;
	for (unsigned i = 0; i < n; i++)
		q->fd[i] = fds[i];
	q->n = n;
	__atomic_store_n(&q->armed, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_getppid); /* any syscall of this thread runs the program */
	if (__atomic_load_n(&q->armed, __ATOMIC_SEQ_CST)) {
		q->armed = 0;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		struct uc_sl_rec r = skel->bss->fd_res[i];
		/* The holder may have closed and reused the fd since the scan. */
		if (!r.valid || r.inode != want_ino[i])
			continue;
		uc_sl_merge_rec(l, &r, UC_ADDR_FD);
		(*found)++;
		/* The peer pointer names the peer socket's address too. */
		if (r.peer && r.peer_inode) {
			struct uc_sock *p = uc_socklist_find(l, r.peer_inode);
			if (p)
				uc_sock_set_addr(p, r.peer, UC_ADDR_FD_PEER);
		} else if (r.peer) {
			struct uc_sock *p = uc_socklist_find_addr(l, r.peer);
			if (!p)
				p = uc_socklist_anon_for_peer(l, r.inode, r.type);
			if (p && !p->type) {
				/* Known only as our peer: a connection not accepted yet. */
				p->type = r.type;
				p->state = UC_SL_ESTABLISHED;
				p->has_peer = true;
				p->peer_inode = r.inode;
			}
			if (p)
				uc_sock_set_addr(p, r.peer, UC_ADDR_FD_PEER);
		}
	}
}

/*
 * The sockets to read: those still without address, held by some process, and (with
 * only_wanted) wanted or the peer of a wanted one. One job per socket, sorted. -ENOMEM or 0.
 */
static int plan_jobs(const struct uc_socklist *l, bool only_wanted, struct fd_job **out,
		     size_t *n_out)
{
	bool *need = calloc(l->n ? l->n : 1, sizeof(*need));
	struct fd_job *jobs = calloc(l->n ? l->n : 1, sizeof(*jobs));
	size_t n_jobs = 0;

	if (!need || !jobs) {
		free(need);
		free(jobs);
		return -ENOMEM;
	}
	for (size_t k = 0; k < l->n; k++) {
		const struct uc_sock *s = &l->socks[k];
		if (only_wanted && !s->want)
			continue;
		need[k] = true;
		const struct uc_sock *p = uc_socklist_peer(l, s);
		if (p)
			need[p - l->socks] = true;
	}
	for (size_t k = 0; k < l->n; k++) {
		const struct uc_sock *s = &l->socks[k];
		if (!need[k] || s->addr || !s->n_owners)
			continue;
		const struct uc_sock_owner *o = &l->owners[s->first_owner];
		jobs[n_jobs++] = (struct fd_job){ .inode = s->inode,
						  .pid = o->pid,
						  .fd = o->fd,
						  .next_owner = s->first_owner + 1,
						  .end_owner = s->first_owner + s->n_owners };
	}
	free(need);
	qsort(jobs, n_jobs, sizeof(*jobs), cmp_job);
	*out = jobs;
	*n_out = n_jobs;
	return 0;
}

/* The raw_tp/sys_enter program that reads sockets by fd, loaded and attached; NULL with
 * -errno in *e and one line in err. */
static struct unix_iter_bpf *open_fd_lookup(int *e, char *err, size_t errlen)
{
	struct unix_iter_bpf *skel = unix_iter_bpf__open();
	if (!skel) {
		*e = -errno;
		snprintf(err, errlen, "open BPF object: %s", strerror(-*e));
		return NULL;
	}
	if (skel->rodata->rec_size != sizeof(struct uc_sl_rec)) {
		snprintf(err, errlen, "BPF object built for another record layout: rebuild");
		*e = -EINVAL;
		goto fail;
	}
	bpf_program__set_autoload(skel->progs.dump_unix, false);
	skel->rodata->target_tid = (uint32_t)syscall(SYS_gettid);
	*e = unix_iter_bpf__load(skel);
	if (*e) {
		snprintf(err, errlen, "load raw_tp/sys_enter: %s", strerror(-*e));
		goto fail;
	}
	skel->links.fd_lookup = bpf_program__attach(skel->progs.fd_lookup);
	if (!skel->links.fd_lookup) {
		*e = -errno;
		snprintf(err, errlen, "attach raw_tp/sys_enter: %s", strerror(-*e));
		goto fail;
	}
	return skel;
fail:
	unix_iter_bpf__destroy(skel);
	return NULL;
}

/* How the fd lookups went. */
struct fd_scan {
	unsigned found, denied, tried;
	int first_error;
	int pidfd; /* of pidfd_of, kept from one job to the next */
	uint32_t pidfd_of;
};

/* The job's socket through a holder's fd, trying its other holders in turn; -1 if none. */
static int job_fd(const struct uc_socklist *l, struct fd_job *jb, struct fd_scan *sc)
{
	for (;;) {
		if (sc->pidfd < 0 || sc->pidfd_of != jb->pid) {
			if (sc->pidfd >= 0)
				close(sc->pidfd);
			sc->pidfd = (int)syscall(SYS_pidfd_open, jb->pid, 0);
			sc->pidfd_of = jb->pid;
		}
		int fd = sc->pidfd >= 0 ? (int)syscall(SYS_pidfd_getfd, sc->pidfd, jb->fd, 0) : -1;
		sc->tried++;
		if (fd >= 0) {
			/* Cheap check before the BPF read: still the same socket? */
			struct stat st;
			if (fstat(fd, &st) == 0 && (uint64_t)st.st_ino == jb->inode)
				return fd;
			close(fd);
		} else {
			if (errno == EPERM || errno == EACCES)
				sc->denied++;
			if (!sc->first_error)
				sc->first_error = errno;
		}
		/* This holder failed: try the socket's next one. */
		if (jb->next_owner >= jb->end_owner)
			return -1;
		const struct uc_sock_owner *o = &l->owners[jb->next_owner++];
		jb->pid = o->pid;
		jb->fd = o->fd;
	}
}

int uc_sl_fd_collect(struct uc_socklist *l, bool only_wanted, char *err, size_t errlen)
{
	struct fd_job *jobs;
	size_t n_jobs;
	int e = 0;

	if (!l->finished)
		uc_socklist_finish(l);
	if (plan_jobs(l, only_wanted, &jobs, &n_jobs)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!n_jobs) {
		free(jobs);
		l->sources |= UC_SL_FDBPF;
		return 0;
	}
	struct unix_iter_bpf *skel = open_fd_lookup(&e, err, errlen);
	if (!skel) {
		free(jobs);
		return e;
	}

	struct fd_scan sc = { .pidfd = -1 };
	int fds[UC_SL_FD_BATCH];
	uint64_t inos[UC_SL_FD_BATCH];
	unsigned nb = 0;
	for (size_t j = 0; j < n_jobs; j++) {
		int fd = job_fd(l, &jobs[j], &sc);
		if (fd >= 0) {
			fds[nb] = fd;
			inos[nb] = jobs[j].inode;
			nb++;
		}
		if (nb == UC_SL_FD_BATCH || (nb && j + 1 == n_jobs)) {
			run_batch(skel, l, fds, inos, nb, &sc.found);
			for (unsigned i = 0; i < nb; i++)
				close(fds[i]);
			nb = 0;
		}
	}
	if (sc.pidfd >= 0)
		close(sc.pidfd);
	if (!sc.found && sc.tried) {
		e = sc.first_error ? -sc.first_error : -ENOENT;
		snprintf(err, errlen, "no socket could be read through its holder's fd (%s%s)",
			 strerror(-e),
			 sc.denied ? ": pidfd_getfd needs CAP_SYS_PTRACE over the holders" : "");
	} else {
		l->sources |= UC_SL_FDBPF;
	}
	unix_iter_bpf__destroy(skel);
	free(jobs);
	return e;
}

/* ---- the chain --------------------------------------------------------------------------- */

static int read_kptr_restrict(void)
{
	FILE *f = fopen("/proc/sys/kernel/kptr_restrict", "re");
	int v = -1;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

__attribute__((format(printf, 2, 3))) static void say(FILE *log, const char *fmt, ...)
{
	if (!log)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("unixcap: ", log);
	vfprintf(log, fmt, ap);
	fputc('\n', log);
	va_end(ap);
}

static size_t count_src(const struct uc_socklist *l, enum uc_addr_src src)
{
	size_t n = 0;
	for (size_t k = 0; k < l->n; k++)
		n += l->socks[k].addr_src == src;
	return n;
}

enum uc_addr_src uc_sl_addresses(struct uc_socklist *l, enum uc_addr_mode mode,
				 bool only_wanted, FILE *log)
{
	char why[256];
	bool any = mode == UC_ADDR_MODE_AUTO;

	if (mode == UC_ADDR_MODE_NONE) {
		say(log, "addresses: not looked up (--addr-source none)");
		return UC_ADDR_NONE;
	}
	if (any || mode == UC_ADDR_MODE_ITER) {
		why[0] = '\0';
		if (uc_sl_iter_collect(l, why, sizeof(why)) == 0) {
			say(log, "addresses: BPF iterator (iter/unix), %zu sockets",
			     count_src(l, UC_ADDR_ITER));
			return UC_ADDR_ITER;
		}
		say(log, "addresses: BPF iterator unavailable: %s", why);
	}
	if (any || mode == UC_ADDR_MODE_PROC) {
		bool real = false;
		int n = uc_sl_procnet_collect(l, "/proc/net/unix", &real);
		if (n < 0) {
			say(log, "addresses: /proc/net/unix unreadable: %s", strerror(-n));
		} else if (real) {
			say(log, "addresses: /proc/net/unix (real: kptr_restrict=%d), %zu sockets",
			     read_kptr_restrict(), count_src(l, UC_ADDR_PROC));
			return UC_ADDR_PROC;
		} else {
			int k = read_kptr_restrict();
			say(log,
			     "addresses: /proc/net/unix shows %s (kptr_restrict=%d; real ones need 1 "
			     "and CAP_SYSLOG): not used",
			     k == 2 ? "zeros" : "hashed values", k);
		}
	}
	if (any || mode == UC_ADDR_MODE_FD) {
		why[0] = '\0';
		if (uc_sl_fd_collect(l, only_wanted, why, sizeof(why)) == 0) {
			say(log,
			     "addresses: holders' fds read in BPF (pidfd_getfd + raw_tp/sys_enter), "
			     "%zu sockets directly, %zu through their peer",
			     count_src(l, UC_ADDR_FD), count_src(l, UC_ADDR_FD_PEER));
			return UC_ADDR_FD;
		}
		say(log, "addresses: fd lookups unavailable: %s", why);
	}
	say(log, "addresses: no source gives real addresses: shown as '-'");
	return UC_ADDR_NONE;
}
