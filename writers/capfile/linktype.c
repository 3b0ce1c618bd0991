/* Encoder and bounds-checked decoder of the unixcap link-type header (docs/linktype.md). */
#include "writers/capfile/linktype.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Field offsets of version 1: the single source for encoder and decoder. */
enum {
	OFF_VERSION = 0,
	OFF_BACKEND = 1,
	OFF_HEADER_LEN = 2,
	OFF_FLAGS = 4,
	OFF_MSG_ID = 8,
	OFF_PID = 16,
	OFF_TID = 20,
	OFF_UID = 24,
	OFF_GID = 28,
	OFF_CGROUP = 32,
	OFF_SOCK = 40,
	OFF_INODE = 48,
	OFF_PEER_SOCK = 56,
	OFF_PEER_INODE = 64,
	OFF_PEER_PID = 72,
	OFF_LEN = 76,
	OFF_ERR = 80,
	OFF_FD = 84,
	OFF_TYPE = 88,
	OFF_CALL = 90,
	OFF_PATH_LEN = 92,
	OFF_PEER_PATH_LEN = 94,
	OFF_COMM = 96,
	OFF_PEER_COMM = 112,
	OFF_PATH = 128,
	OFF_PEER_PATH = 236,
	OFF_CRED_PID = 344,
	OFF_CRED_UID = 348,
	OFF_CRED_GID = 352,
	OFF_SENDER_PID = 356,
	OFF_FD_AREA_LEN = 360,
	OFF_N_FDS = 364,
	OFF_FDS_PASSED = 366,
	OFF_TS = 368,
	OFF_SENDER_TID = 376,
	OFF_RESERVED = 380,
	OFF_SENDER_ID = 384,
	OFF_END = 392,
};

/* fd entry fields, relative to the entry. */
enum {
	FD_FD = 0,
	FD_PEER_FD = 4,
	FD_FILE = 8,
	FD_INO = 16,
	FD_MODE = 24,
	FD_KIND = 28,
	FD_FLAGS = 29,
	FD_NAME_LEN = 30,
	FD_NAME = 32,
};

_Static_assert(OFF_END == UC_LT_HEADER_LEN, "v1 header size");
_Static_assert(OFF_PEER_PATH + UC_PATH_MAX == OFF_CRED_PID, "paths fill their slots");
_Static_assert(FD_NAME == UC_LT_FD_ENTRY_FIXED, "v1 fd entry size");

/* The header is little-endian: on such a host each field is one store. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PUT_LE(p, v) memcpy((p), &(v), sizeof(v))
#else
#define PUT_LE(p, v)                                                        \
	do {                                                                \
		for (size_t i_ = 0; i_ < sizeof(v); i_++)                   \
			(p)[i_] = (uint8_t)((uint64_t)(v) >> (8 * i_));     \
	} while (0)
#endif

static void put16(uint8_t *p, uint16_t v)
{
	PUT_LE(p, v);
}

static void put32(uint8_t *p, uint32_t v)
{
	PUT_LE(p, v);
}

static void put64(uint8_t *p, uint64_t v)
{
	PUT_LE(p, v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Out of line: inlined with its bound known, this memset became a slow rep stos. */
__attribute__((noinline)) static void zero(uint8_t *p, size_t n)
{
	memset(p, 0, n);
}

/*
 * n bytes of src (an array of slot bytes) into a slot of the header. Unused bytes must be
 * zero on disk: stale kernel buffer bytes past the length never leak. The whole slot is
 * copied first, a few vector moves for its fixed size, and its tail cleared after.
 */
static void put_bytes(uint8_t *dst, size_t slot, const char *src, size_t n)
{
	if (n > slot)
		n = slot;
	memcpy(dst, src, slot);
	if (n < slot)
		zero(dst + n, slot - n);
}

size_t uc_lt_fd_entry_size(uint16_t name_len)
{
	return UC_LT_FD_ENTRY_FIXED + (((size_t)name_len + 3) & ~(size_t)3);
}

size_t uc_lt_encode_fd(uint8_t *out, size_t room, const struct uc_lt_fd *e)
{
	size_t n = uc_lt_fd_entry_size(e->name_len);

	if (n > room)
		return 0;
	memset(out, 0, n);
	put32(out + FD_FD, (uint32_t)e->fd);
	put32(out + FD_PEER_FD, (uint32_t)e->peer_fd);
	put64(out + FD_FILE, e->file);
	put64(out + FD_INO, e->ino);
	put32(out + FD_MODE, e->mode);
	out[FD_KIND] = e->kind;
	put16(out + FD_NAME_LEN, e->name_len);
	if (e->name_len)
		memcpy(out + FD_NAME, e->name, e->name_len);
	return n;
}

static int bad(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

/* Reads the entry at *pos of an area of len bytes; 0, or -EINVAL if it does not fit. */
static int read_fd_entry(const uint8_t *area, size_t len, size_t *pos, struct uc_lt_fd *e)
{
	if (len - *pos < UC_LT_FD_ENTRY_FIXED)
		return -EINVAL;
	const uint8_t *p = area + *pos;
	uint16_t name_len = get16(p + FD_NAME_LEN);
	size_t n = uc_lt_fd_entry_size(name_len);

	if (len - *pos < n || name_len > UC_LT_FD_NAME_MAX)
		return -EINVAL;
	e->fd = (int32_t)get32(p + FD_FD);
	e->peer_fd = (int32_t)get32(p + FD_PEER_FD);
	e->file = get64(p + FD_FILE);
	e->ino = get64(p + FD_INO);
	e->mode = get32(p + FD_MODE);
	e->kind = p[FD_KIND];
	e->name_len = name_len;
	e->name = p + FD_NAME;
	*pos += n;
	return 0;
}

int uc_lt_decode(const uint8_t *pkt, size_t caplen, struct uc_lt_packet *out, const char **why)
{
	struct uc_lt_header *h = &out->h;

	memset(out, 0, sizeof(*out));
	if (caplen < UC_LT_HEADER_LEN)
		return bad(why, "packet shorter than the 392-byte unixcap header");
	h->version = pkt[OFF_VERSION];
	if (h->version != UC_LT_VERSION)
		return bad(why, "unknown unixcap header version");
	h->header_len = get16(pkt + OFF_HEADER_LEN);
	/* A longer header is a later revision that appended fields: skip what we do not know. */
	if (h->header_len < UC_LT_HEADER_LEN)
		return bad(why, "header_len below 392");
	if (h->header_len > caplen)
		return bad(why, "header_len beyond the captured bytes");
	h->backend = pkt[OFF_BACKEND];
	h->flags = get32(pkt + OFF_FLAGS);
	h->msg_id = get64(pkt + OFF_MSG_ID);
	h->pid = get32(pkt + OFF_PID);
	h->tid = get32(pkt + OFF_TID);
	h->uid = get32(pkt + OFF_UID);
	h->gid = get32(pkt + OFF_GID);
	h->cgroup_id = get64(pkt + OFF_CGROUP);
	h->sock = get64(pkt + OFF_SOCK);
	h->inode = get64(pkt + OFF_INODE);
	h->peer_sock = get64(pkt + OFF_PEER_SOCK);
	h->peer_inode = get64(pkt + OFF_PEER_INODE);
	h->peer_pid = get32(pkt + OFF_PEER_PID);
	h->len = get32(pkt + OFF_LEN);
	h->err = (int32_t)get32(pkt + OFF_ERR);
	h->fd = (int32_t)get32(pkt + OFF_FD);
	h->type = get16(pkt + OFF_TYPE);
	h->call = pkt[OFF_CALL];
	h->path_len = get16(pkt + OFF_PATH_LEN);
	h->peer_path_len = get16(pkt + OFF_PEER_PATH_LEN);
	if (h->path_len > UC_PATH_MAX || h->peer_path_len > UC_PATH_MAX)
		return bad(why, "path length over 108");
	memcpy(h->comm, pkt + OFF_COMM, UC_COMM_LEN);
	memcpy(h->peer_comm, pkt + OFF_PEER_COMM, UC_COMM_LEN);
	memcpy(h->path, pkt + OFF_PATH, UC_PATH_MAX);
	memcpy(h->peer_path, pkt + OFF_PEER_PATH, UC_PATH_MAX);
	h->cred_pid = get32(pkt + OFF_CRED_PID);
	h->cred_uid = get32(pkt + OFF_CRED_UID);
	h->cred_gid = get32(pkt + OFF_CRED_GID);
	h->sender_pid = get32(pkt + OFF_SENDER_PID);
	h->fd_area_len = get32(pkt + OFF_FD_AREA_LEN);
	h->n_fds = get16(pkt + OFF_N_FDS);
	h->fds_passed = get16(pkt + OFF_FDS_PASSED);
	h->ts_ns = get64(pkt + OFF_TS);
	h->sender_tid = get32(pkt + OFF_SENDER_TID);
	h->sender_id = get64(pkt + OFF_SENDER_ID);
	if (h->n_fds > UC_MAX_FDS)
		return bad(why, "more than 253 fd entries");

	size_t rest = caplen - h->header_len;
	if (h->fd_area_len > rest)
		return bad(why, "fd area beyond the captured bytes");
	out->fd_area = pkt + h->header_len;
	/* The area must hold exactly n_fds whole entries: no slack a reader could misparse. */
	size_t pos = 0;
	struct uc_lt_fd e;
	for (unsigned i = 0; i < h->n_fds; i++)
		if (read_fd_entry(out->fd_area, h->fd_area_len, &pos, &e))
			return bad(why, "fd entry beyond the fd area");
	if (pos != h->fd_area_len)
		return bad(why, "fd area longer than its entries");

	rest -= h->fd_area_len;
	if (rest > h->len)
		return bad(why, "more payload bytes than the original length");
	out->payload = out->fd_area + h->fd_area_len;
	out->payload_len = (uint32_t)rest;
	return 0;
}

int uc_lt_fd_next(const struct uc_lt_packet *p, size_t *pos, struct uc_lt_fd *e)
{
	if (*pos >= p->h.fd_area_len)
		return 0;
	return read_fd_entry(p->fd_area, p->h.fd_area_len, pos, e) == 0;
}

/* The only bytes of the header no field covers: encode_header zeroes them one by one. */
_Static_assert(OFF_CALL + 2 == OFF_PATH_LEN && OFF_RESERVED + 4 == OFF_SENDER_ID,
	       "one pad byte after call, four reserved bytes before sender_id");

/*
 * The header of m with n_fds entries in an fd area of fd_area_len bytes, written straight
 * from the message: no field is staged in a struct first, and every byte of the 392 is
 * written once (unused ones zero) rather than cleared first, which took a slow rep stos.
 * Returns the flags written.
 */
static uint32_t encode_header(uint8_t *out, const struct uc_message *m, unsigned n_fds,
			      uint32_t fd_area_len, uint32_t max_packet, uint32_t *payload_len)
{
	const struct uc_meta *k = &m->m;
	uint32_t present = m->data ? m->caplen : 0;
	uint32_t room = max_packet > UC_LT_HEADER_LEN + fd_area_len
				? max_packet - UC_LT_HEADER_LEN - fd_area_len
				: 0;
	uint32_t flags = m->flags;

	if (present > room) {
		present = room;
		flags |= UC_UF_TRUNCATED;
	}
	*payload_len = present;
	uint16_t pl = k->path_len > UC_PATH_MAX ? UC_PATH_MAX : k->path_len;
	uint16_t ppl = k->peer_path_len > UC_PATH_MAX ? UC_PATH_MAX : k->peer_path_len;

	out[OFF_VERSION] = UC_LT_VERSION;
	out[OFF_BACKEND] = k->backend;
	put16(out + OFF_HEADER_LEN, UC_LT_HEADER_LEN);
	put32(out + OFF_FLAGS, flags);
	put64(out + OFF_MSG_ID, m->id);
	put32(out + OFF_PID, k->pid);
	put32(out + OFF_TID, k->tid);
	put32(out + OFF_UID, k->uid);
	put32(out + OFF_GID, k->gid);
	put64(out + OFF_CGROUP, k->cgroup_id);
	put64(out + OFF_SOCK, k->sock);
	put64(out + OFF_INODE, k->inode);
	put64(out + OFF_PEER_SOCK, k->peer_sock);
	put64(out + OFF_PEER_INODE, k->peer_inode);
	put32(out + OFF_PEER_PID, k->peer_pid);
	put32(out + OFF_LEN, k->len);
	put32(out + OFF_ERR, (uint32_t)k->err);
	put32(out + OFF_FD, k->fd);
	put16(out + OFF_TYPE, k->type);
	out[OFF_CALL] = k->call;
	out[OFF_CALL + 1] = 0;
	put16(out + OFF_PATH_LEN, pl);
	put16(out + OFF_PEER_PATH_LEN, ppl);
	put_bytes(out + OFF_COMM, UC_COMM_LEN, k->comm, strnlen(k->comm, UC_COMM_LEN));
	put_bytes(out + OFF_PEER_COMM, UC_COMM_LEN, m->peer_comm,
		  strnlen(m->peer_comm, UC_COMM_LEN));
	put_bytes(out + OFF_PATH, UC_PATH_MAX, k->path, pl);
	put_bytes(out + OFF_PEER_PATH, UC_PATH_MAX, k->peer_path, ppl);
	/* Zero unless the kernel side said they hold SCM_CREDENTIALS: no stale values on disk. */
	bool creds = k->flags & UC_MF_CREDS;
	put32(out + OFF_CRED_PID, creds ? k->cred_pid : 0);
	put32(out + OFF_CRED_UID, creds ? k->cred_uid : 0);
	put32(out + OFF_CRED_GID, creds ? k->cred_gid : 0);
	put32(out + OFF_SENDER_PID, m->sender_pid);
	put32(out + OFF_FD_AREA_LEN, fd_area_len);
	put16(out + OFF_N_FDS, (uint16_t)n_fds);
	put16(out + OFF_FDS_PASSED, k->n_fds);
	put64(out + OFF_TS, m->ts_wall_ns);
	put32(out + OFF_SENDER_TID, m->sender_tid);
	put32(out + OFF_RESERVED, 0);
	put64(out + OFF_SENDER_ID, m->sender_id);
	return flags;
}

void uc_lt_build(uint8_t *out, const struct uc_message *m, uint32_t max_packet,
		 uint32_t *head_len, uint32_t *payload_len, uint32_t *orig_len)
{
	uint8_t *area = out + UC_LT_HEADER_LEN;
	size_t used = 0;
	unsigned n = m->fds ? m->n_fds : 0;

	if (n > UC_MAX_FDS)
		n = UC_MAX_FDS;
	for (unsigned i = 0; i < n; i++) {
		const struct uc_fd_info *f = &m->fds[i];
		struct uc_lt_fd e = {
			.fd = f->fd,
			.peer_fd = f->peer_fd,
			.file = f->file,
			.ino = f->ino,
			.mode = f->mode,
			.kind = (uint8_t)f->kind,
			.name_len = (uint16_t)strnlen(f->name, UC_LT_FD_NAME_MAX),
			.name = (const uint8_t *)f->name,
		};
		used += uc_lt_encode_fd(area + used, UC_LT_FD_AREA_MAX - used, &e);
	}
	uint32_t flags = encode_header(out, m, n, (uint32_t)used, max_packet, payload_len);
	*head_len = UC_LT_HEADER_LEN + (uint32_t)used;
	/* A failed send's len is what it tried to send: no payload follows the header. */
	*orig_len = *head_len + (flags & UC_MF_ERROR ? 0 : m->m.len);
}

void uc_lt_to_message(const struct uc_lt_packet *p, struct uc_message *m, struct uc_fd_info *fds)
{
	const struct uc_lt_header *h = &p->h;
	struct uc_meta *k = &m->m;

	memset(m, 0, sizeof(*m));
	m->id = h->msg_id;
	m->ts_wall_ns = h->ts_ns;
	m->flags = h->flags;
	m->caplen = p->payload_len;
	m->data = p->payload;
	memcpy(m->peer_comm, h->peer_comm, UC_COMM_LEN);
	m->sender_pid = h->sender_pid;
	m->sender_tid = h->sender_tid;
	m->sender_id = h->sender_id;
	k->ts_ns = h->ts_ns;
	k->cgroup_id = h->cgroup_id;
	k->sock = h->sock;
	k->peer_sock = h->peer_sock;
	k->inode = h->inode;
	k->peer_inode = h->peer_inode;
	k->pid = h->pid;
	k->tid = h->tid;
	k->uid = h->uid;
	k->gid = h->gid;
	k->peer_pid = h->peer_pid;
	k->len = h->len;
	k->caplen = p->payload_len;
	k->err = h->err;
	k->flags = h->flags & 0xffffu; /* the kernel's own bits; user bits live in m->flags */
	k->type = h->type;
	k->backend = h->backend;
	k->call = h->call;
	k->path_len = h->path_len;
	k->peer_path_len = h->peer_path_len;
	k->fd = (uint32_t)h->fd;
	memcpy(k->comm, h->comm, UC_COMM_LEN);
	memcpy(k->path, h->path, UC_PATH_MAX);
	memcpy(k->peer_path, h->peer_path, UC_PATH_MAX);
	k->cred_pid = h->cred_pid;
	k->cred_uid = h->cred_uid;
	k->cred_gid = h->cred_gid;
	k->n_fds = h->fds_passed;

	size_t pos = 0;
	struct uc_lt_fd e;
	while (m->n_fds < UC_MAX_FDS && uc_lt_fd_next(p, &pos, &e)) {
		struct uc_fd_info *f = &fds[m->n_fds++];
		memset(f, 0, sizeof(*f));
		f->fd = e.fd;
		f->peer_fd = e.peer_fd;
		f->file = e.file;
		f->ino = e.ino;
		f->mode = e.mode;
		f->kind = e.kind;
		memcpy(f->name, e.name, e.name_len); /* e.name_len <= UC_LT_FD_NAME_MAX */
	}
	m->fds = m->n_fds ? fds : NULL;
}
