/* The conversation table: an open-addressing hash from socket pair to conversation. */
#include "writers/conv/conversation.h"
#include "capture/core/grow.h"

#include <stdlib.h>
#include <string.h>

/*
 * The pair of kernel addresses, unordered. Inodes are not part of it: a socket still in the
 * listener's accept queue has none yet when its peer first sends. They only tell a reused
 * address from the old socket (see uc_conv_add).
 */
struct key {
	uint64_t a, b; /* a <= b */
};

struct uc_conv_table {
	struct uc_conv **convs; /* by id */
	size_t n, cap;
	uint32_t *slots;        /* id + 1, 0 = empty; power-of-two size */
	size_t n_slots;
};

struct uc_conv_table *uc_conv_table_new(void)
{
	return calloc(1, sizeof(struct uc_conv_table));
}

void uc_conv_table_free(struct uc_conv_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->convs[i]);
	free(t->convs);
	free(t->slots);
	free(t);
}

size_t uc_conv_count(const struct uc_conv_table *t)
{
	return t->n;
}

struct uc_conv *uc_conv_get(const struct uc_conv_table *t, size_t id)
{
	return id < t->n ? t->convs[id] : NULL;
}

static struct key make_key(uint64_t x, uint64_t y)
{
	return x < y ? (struct key){ x, y } : (struct key){ y, x };
}

static struct key key_of_conv(const struct uc_conv *c)
{
	return make_key(c->end[0].sock, c->end[1].sock);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static size_t hash_key(const struct key *k)
{
	uint64_t h = mix(mix(0, k->a), k->b);
	return (size_t)(h ^ (h >> 29));
}

/* The slot holding k, or the empty slot where it would go. */
static size_t probe(const struct uc_conv_table *t, const struct key *k)
{
	size_t mask = t->n_slots - 1, i = hash_key(k) & mask;
	while (t->slots[i]) {
		struct key o = key_of_conv(t->convs[t->slots[i] - 1]);
		if (!memcmp(&o, k, sizeof(o)))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static int grow(struct uc_conv_table *t)
{
	size_t n_slots = t->n_slots ? t->n_slots * 2 : 64;
	uint32_t *old = t->slots;
	size_t old_n = t->n_slots;

	t->slots = calloc(n_slots, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -1;
	}
	t->n_slots = n_slots;
	for (size_t i = 0; i < old_n; i++) {
		if (!old[i])
			continue;
		struct key k = key_of_conv(t->convs[old[i] - 1]);
		t->slots[probe(t, &k)] = old[i];
	}
	free(old);
	return 0;
}

static void set_end(struct uc_conv_end *e, uint64_t sock, uint64_t inode, const char *path,
		    uint16_t path_len)
{
	e->sock = sock;
	e->inode = inode;
	if (path_len > UC_PATH_MAX)
		path_len = UC_PATH_MAX;
	memcpy(e->path, path, path_len);
	e->path_len = path_len;
}

static void set_process(struct uc_conv_end *e, uint32_t pid, const char *comm, bool sent)
{
	e->pid = pid;
	memcpy(e->comm, comm, UC_COMM_LEN);
	e->sent = sent;
}

static struct uc_conv *create(struct uc_conv_table *t, const struct uc_message *msg)
{
	const struct uc_meta *m = &msg->m;
	struct uc_conv *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = t->n;
	c->type = m->type;
	/*
	 * The sender is the client, unless it is bound and the receiver is not: then the
	 * receiver connected to it (a server that speaks first, like an X server). A receive
	 * event is written by the receiving end (m->sock), its sender is the peer.
	 */
	bool recv = m->flags & UC_MF_RECEIVE;
	bool own_bound = m->path_len, peer_bound = m->peer_path_len;
	bool sender_bound = recv ? peer_bound : own_bound;
	bool receiver_bound = recv ? own_bound : peer_bound;
	bool sender_client = !(sender_bound && !receiver_bound);
	bool own_client = recv ? !sender_client : sender_client;
	struct uc_conv_end *own = &c->end[own_client ? UC_CLIENT : UC_SERVER];
	struct uc_conv_end *peer = &c->end[own_client ? UC_SERVER : UC_CLIENT];
	set_end(own, m->sock, m->inode, m->path, m->path_len);
	/* The name a datagram was sent to is the destination's bound name. */
	set_end(peer, m->peer_sock, m->peer_inode, m->peer_path, m->peer_path_len);
	set_process(own, m->pid, m->comm, !recv);
	set_process(peer, m->peer_pid, msg->peer_comm, false);
	c->first_ns = c->last_ns = msg->ts_wall_ns;
	return c;
}

static int from_of(const struct uc_conv *c, const struct uc_meta *m)
{
	return c->end[UC_CLIENT].sock == m->sock ? UC_CLIENT : UC_SERVER;
}

/* Known inodes that differ: the kernel reused an address for a new socket. */
static bool reused(const struct uc_conv *c, const struct uc_meta *m)
{
	const struct uc_conv_end *own = &c->end[from_of(c, m)], *peer = &c->end[!from_of(c, m)];
	return (own->inode && m->inode && own->inode != m->inode) ||
	       (peer->inode && m->peer_inode && peer->inode != m->peer_inode);
}

struct uc_conv *uc_conv_add(struct uc_conv_table *t, const struct uc_message *msg, int *from)
{
	struct key k = make_key(msg->m.sock, msg->m.peer_sock);
	if ((t->n + 1) * 2 > t->n_slots && grow(t))
		return NULL;
	size_t slot = probe(t, &k);
	struct uc_conv *c = t->slots[slot] ? t->convs[t->slots[slot] - 1] : NULL;
	if (c && reused(c, &msg->m))
		c = NULL; /* the slot goes to the new conversation; the old one keeps its id */
	if (!c) {
		if (uc_grow(&t->convs, &t->cap, t->n, sizeof(*t->convs), 64))
			return NULL;
		c = create(t, msg);
		if (!c)
			return NULL;
		t->convs[t->n++] = c;
		t->slots[slot] = (uint32_t)t->n;
	}
	int f = from_of(c, &msg->m);
	if (!c->end[f].inode)
		c->end[f].inode = msg->m.inode;
	if (!c->end[!f].inode)
		c->end[!f].inode = msg->m.peer_inode;
	/* An end's process is the first one seen sending on it, not its peer's view of it. */
	if (!(msg->m.flags & UC_MF_RECEIVE) && !c->end[f].sent)
		set_process(&c->end[f], msg->m.pid, msg->m.comm, true);
	if (!c->end[f].path_len && msg->m.path_len)
		set_end(&c->end[f], c->end[f].sock, c->end[f].inode, msg->m.path, msg->m.path_len);
	if (from)
		*from = f;
	return c;
}

bool uc_conv_is_data(const struct uc_message *m)
{
	return !(m->m.flags & (UC_MF_RECEIVE | UC_MF_ERROR));
}

uint64_t uc_conv_missing(const struct uc_message *m)
{
	if (!uc_conv_is_data(m) || !m->data)
		return m->m.len;
	return m->caplen < m->m.len ? m->m.len - m->caplen : 0;
}

void uc_conv_count_msg(struct uc_conv *c, const struct uc_message *m, int from)
{
	if (!c->seen || m->ts_wall_ns < c->first_ns)
		c->first_ns = m->ts_wall_ns;
	if (!c->seen || m->ts_wall_ns > c->last_ns)
		c->last_ns = m->ts_wall_ns;
	c->seen++;
	if (m->m.flags & UC_MF_ERROR)
		c->errors++;
	if (!uc_conv_is_data(m))
		return;
	struct uc_conv_dir *d = &c->dir[from];
	uint64_t missing = uc_conv_missing(m);
	d->msgs++;
	d->bytes += m->m.len;
	d->missing += missing;
	d->gap_msgs += missing > 0;
}

bool uc_conv_has_sock(const struct uc_conv *c, uint64_t sock)
{
	return c->end[0].sock == sock || c->end[1].sock == sock;
}

bool uc_conv_has_inode(const struct uc_conv *c, uint64_t inode)
{
	return c->end[0].inode == inode || c->end[1].inode == inode;
}
