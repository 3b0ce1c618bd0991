/* The socket list: merge by inode, owners, peers, filters. Sources live in socklist_*.c. */
#include "capture/socklist/socklist.h"
#include "capture/core/grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void uc_socklist_init(struct uc_socklist *l)
{
	memset(l, 0, sizeof(*l));
}

void uc_socklist_free(struct uc_socklist *l)
{
	free(l->socks);
	free(l->owners);
	free(l->index);
	memset(l, 0, sizeof(*l));
}

static size_t hash_ino(uint64_t ino, size_t cap)
{
	ino *= 0x9e3779b97f4a7c15ull;
	return (size_t)(ino >> 17) & (cap - 1);
}

static void index_put(struct uc_socklist *l, uint64_t ino, uint32_t at)
{
	size_t i = hash_ino(ino, l->index_cap);
	while (l->index[i])
		i = (i + 1) & (l->index_cap - 1);
	l->index[i] = at + 1;
}

static int index_rebuild(struct uc_socklist *l, size_t cap)
{
	uint32_t *idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	free(l->index);
	l->index = idx;
	l->index_cap = cap;
	for (size_t k = 0; k < l->n; k++)
		if (l->socks[k].inode)
			index_put(l, l->socks[k].inode, (uint32_t)k);
	return 0;
}

struct uc_sock *uc_socklist_find(const struct uc_socklist *l, uint64_t inode)
{
	if (!inode || !l->index_cap)
		return NULL;
	for (size_t i = hash_ino(inode, l->index_cap); l->index[i];
	     i = (i + 1) & (l->index_cap - 1)) {
		struct uc_sock *s = &l->socks[l->index[i] - 1];
		if (s->inode == inode)
			return s;
	}
	return NULL;
}

struct uc_sock *uc_socklist_find_addr(const struct uc_socklist *l, uint64_t addr)
{
	if (!addr)
		return NULL;
	for (size_t k = 0; k < l->n; k++)
		if (l->socks[k].addr == addr)
			return &l->socks[k];
	return NULL;
}

static struct uc_sock *append(struct uc_socklist *l)
{
	if (uc_grow(&l->socks, &l->cap, l->n, sizeof(*l->socks), 256))
		return NULL;
	/* Keep the index at most half full. */
	if ((l->n + 1) * 2 > l->index_cap && index_rebuild(l, l->index_cap ? l->index_cap * 2 : 512))
		return NULL;
	struct uc_sock *s = &l->socks[l->n++];
	memset(s, 0, sizeof(*s));
	s->rqueue = s->wqueue = UC_SL_NOQ;
	l->finished = false;
	return s;
}

struct uc_sock *uc_socklist_get(struct uc_socklist *l, uint64_t inode)
{
	struct uc_sock *s = uc_socklist_find(l, inode);
	if (s || !inode)
		return s;
	s = append(l);
	if (!s)
		return NULL;
	s->inode = inode;
	index_put(l, inode, (uint32_t)(s - l->socks));
	return s;
}

struct uc_sock *uc_socklist_add_anon(struct uc_socklist *l)
{
	return append(l);
}

struct uc_sock *uc_socklist_anon_for_peer(struct uc_socklist *l, uint64_t peer_inode,
					  uint16_t type)
{
	if (peer_inode) {
		for (size_t k = 0; k < l->n; k++) {
			struct uc_sock *s = &l->socks[k];
			if (!s->inode && s->peer_inode == peer_inode && s->type == type)
				return s;
		}
	}
	return uc_socklist_add_anon(l);
}

int uc_socklist_add_owner(struct uc_socklist *l, uint64_t inode, uint32_t pid, int32_t fd,
			  const char *comm)
{
	if (uc_grow(&l->owners, &l->cap_owners, l->n_owners, sizeof(*l->owners), 256))
		return -ENOMEM;
	struct uc_sock_owner *o = &l->owners[l->n_owners++];
	memset(o, 0, sizeof(*o));
	o->inode = inode;
	o->pid = pid;
	o->fd = fd;
	if (comm)
		strncpy(o->comm, comm, UC_COMM_LEN - 1);
	l->finished = false;
	return 0;
}

void uc_sock_set_path(struct uc_sock *s, const char *path, size_t len)
{
	if (len > UC_PATH_MAX)
		len = UC_PATH_MAX;
	if (len && path[0] != '\0')
		len = strnlen(path, len);
	memset(s->path, 0, sizeof(s->path));
	memcpy(s->path, path, len);
	s->path_len = (uint16_t)len;
}

/* Lower enum value = better source; UC_ADDR_NONE never overrides. */
static bool better(enum uc_addr_src src, uint8_t have)
{
	return src != UC_ADDR_NONE && (have == UC_ADDR_NONE || src < have);
}

void uc_sock_set_addr(struct uc_sock *s, uint64_t addr, enum uc_addr_src src)
{
	if (addr && better(src, s->addr_src)) {
		s->addr = addr;
		s->addr_src = (uint8_t)src;
	}
}

void uc_sock_set_peer_addr(struct uc_sock *s, uint64_t addr, enum uc_addr_src src)
{
	if (addr && better(src, s->peer_src)) {
		s->peer_addr = addr;
		s->peer_src = (uint8_t)src;
	}
}

static int cmp_sock(const void *a, const void *b)
{
	const struct uc_sock *x = a, *y = b;
	/* Inode-less sockets last. */
	if (!x->inode != !y->inode)
		return x->inode ? -1 : 1;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return 0;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct uc_sock_owner *x = a, *y = b;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

void uc_socklist_finish(struct uc_socklist *l)
{
	if (l->n)
		qsort(l->socks, l->n, sizeof(*l->socks), cmp_sock);
	if (l->n_owners)
		qsort(l->owners, l->n_owners, sizeof(*l->owners), cmp_owner);
	/* Positions moved: reindex (without an index, lookups find nothing rather than
	 * something wrong). */
	if (l->index_cap && index_rebuild(l, l->index_cap)) {
		free(l->index);
		l->index = NULL;
		l->index_cap = 0;
	}

	/* One entry per (inode, pid, fd). Owners of inodes not listed stay (the scan saw every
	 * socket inode: tcp, netlink...): a source that runs later may list their socket. */
	size_t w = 0;
	for (size_t r = 0; r < l->n_owners; r++) {
		const struct uc_sock_owner *o = &l->owners[r];
		if (w && !cmp_owner(&l->owners[w - 1], o))
			continue;
		l->owners[w++] = *o;
	}
	l->n_owners = w;
	for (size_t k = 0; k < l->n; k++)
		l->socks[k].first_owner = l->socks[k].n_owners = 0;
	for (size_t r = 0; r < l->n_owners;) {
		struct uc_sock *s = uc_socklist_find(l, l->owners[r].inode);
		size_t e = r;
		while (e < l->n_owners && l->owners[e].inode == l->owners[r].inode)
			e++;
		if (s) {
			s->first_owner = (uint32_t)r;
			s->n_owners = (uint32_t)(e - r);
		}
		r = e;
	}

	/* A peer known by inode lends its address; one known only by address (not accepted
	 * yet) has no inode to lend. */
	for (size_t k = 0; k < l->n; k++) {
		struct uc_sock *s = &l->socks[k];
		if (!s->peer_inode)
			continue;
		struct uc_sock *p = uc_socklist_find(l, s->peer_inode);
		if (p && p->addr)
			uc_sock_set_peer_addr(s, p->addr, (enum uc_addr_src)p->addr_src);
	}
	l->finished = true;
}

const struct uc_sock *uc_socklist_peer(const struct uc_socklist *l, const struct uc_sock *s)
{
	const struct uc_sock *p = NULL;
	if (s->peer_inode)
		p = uc_socklist_find(l, s->peer_inode);
	if (!p && s->peer_addr)
		p = uc_socklist_find_addr(l, s->peer_addr);
	return p;
}

static bool path_eq(const struct uc_sock *s, const struct uc_sl_filter *f)
{
	return s->path_len == f->path_len && !memcmp(s->path, f->path, f->path_len);
}

static bool owned_by(const struct uc_socklist *l, const struct uc_sock *s, const uint32_t *pids,
		     unsigned n)
{
	for (uint32_t k = 0; k < s->n_owners; k++)
		for (unsigned i = 0; i < n; i++)
			if (l->owners[s->first_owner + k].pid == pids[i])
				return true;
	return false;
}

size_t uc_socklist_filter(struct uc_socklist *l, const struct uc_sl_filter *f)
{
	size_t n = 0;
	for (size_t k = 0; k < l->n; k++) {
		struct uc_sock *s = &l->socks[k];
		const struct uc_sock *p = uc_socklist_peer(l, s);
		bool ok = true;
		if (f) {
			if (f->n_pids && !owned_by(l, s, f->pids, f->n_pids))
				ok = false;
			if (f->type && s->type != f->type)
				ok = false;
			if (f->inode && s->inode != f->inode && s->peer_inode != f->inode)
				ok = false;
			if (f->sock && s->addr != f->sock && s->peer_addr != f->sock)
				ok = false;
			if (f->have_path && !path_eq(s, f) && !(p && path_eq(p, f)))
				ok = false;
		}
		s->want = ok;
		n += ok;
	}
	return n;
}

const char *uc_sl_state_name(unsigned state)
{
	/* ss's names for the TCP_* values. */
	static const char *names[] = { "UNKNOWN",   "ESTAB",	  "SYN-SENT", "SYN-RECV",
				       "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "UNCONN",
				       "CLOSE-WAIT", "LAST-ACK",   "LISTEN",   "CLOSING" };
	if (state < sizeof(names) / sizeof(names[0]))
		return names[state];
	return "UNKNOWN";
}

const char *uc_addr_src_name(enum uc_addr_src src)
{
	switch (src) {
	case UC_ADDR_ITER:
		return "iter";
	case UC_ADDR_PROC:
		return "proc";
	case UC_ADDR_FD:
		return "fd";
	case UC_ADDR_FD_PEER:
		return "fd-peer";
	default:
		return "none";
	}
}
