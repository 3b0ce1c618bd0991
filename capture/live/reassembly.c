#include "capture/live/reassembly.h"
#include "capture/core/grow.h"
#include "capture/live/fdname.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct open_msg {
	struct uc_message msg;
	uint8_t *buf;      /* m.caplen bytes, holes stay zero */
	uint32_t next_off; /* where the next in-order record should start */
	bool gap;
	bool data_done;    /* the record with UC_RF_LAST arrived */
	struct uc_fd_info *fds; /* m.n_fds entries */
	uint16_t fds_have;
};

struct uc_reasm {
	uint32_t snaplen;
	uc_message_cb cb;
	void *ctx;
	int64_t mono_to_wall_ns;
	struct open_msg *open; /* few at a time: one per task mid-message */
	size_t n_open, cap_open;
	struct uc_reasm_stats stats;
};

struct uc_reasm *uc_reasm_new(uint32_t snaplen, uc_message_cb cb, void *ctx)
{
	struct uc_reasm *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->snaplen = snaplen;
	r->cb = cb;
	r->ctx = ctx;
	return r;
}

void uc_reasm_free(struct uc_reasm *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_open; i++) {
		free(r->open[i].buf);
		free(r->open[i].fds);
	}
	free(r->open);
	free(r);
}

void uc_reasm_set_clock_offset(struct uc_reasm *r, int64_t mono_to_wall_ns)
{
	r->mono_to_wall_ns = mono_to_wall_ns;
}

const struct uc_reasm_stats *uc_reasm_stats(const struct uc_reasm *r)
{
	return &r->stats;
}

static int deliver(struct uc_reasm *r, struct uc_message *m, bool gap)
{
	m->ts_wall_ns = m->m.ts_ns + r->mono_to_wall_ns;
	m->flags = m->m.flags;
	memcpy(m->peer_comm, m->m.peer_comm, UC_COMM_LEN);
	m->peer_comm[UC_COMM_LEN - 1] = 0;
	if (gap) {
		m->flags |= UC_UF_GAP;
		r->stats.gaps++;
	}
	/* A receive event carries the fds it installed, never payload (the send had it); a
	 * failed send's len is what it tried to send, none of which was sent. */
	if (m->caplen < m->m.len && !(m->m.flags & (UC_MF_RECEIVE | UC_MF_ERROR)))
		m->flags |= UC_UF_TRUNCATED;
	r->stats.messages++;
	return r->cb ? r->cb(m, r->ctx) : 0;
}

/* Delivers and forgets open message i. */
static int close_open(struct uc_reasm *r, size_t i, bool gap)
{
	struct open_msg om = r->open[i];
	r->open[i] = r->open[--r->n_open];
	om.msg.data = om.buf;
	om.msg.caplen = om.next_off;
	om.msg.fds = om.fds;
	om.msg.n_fds = om.fds_have;
	if (om.gap || om.next_off < om.msg.m.caplen)
		gap = true;
	if (om.fds_have < om.msg.m.n_fds)
		om.msg.m.flags |= UC_MF_FDS_LOST;
	int rc = deliver(r, &om.msg, gap);
	free(om.buf);
	free(om.fds);
	return rc;
}

static int feed_msg(struct uc_reasm *r, const struct uc_msg_rec *rec, size_t size)
{
	uint32_t n = rec->h.data_len;
	if (size < sizeof(*rec) || n > size - sizeof(*rec) || rec->h.offset != 0 ||
	    rec->m.caplen > UC_SNAPLEN_MAX_ANY || n > rec->m.caplen ||
	    /* caplen is min(len, snaplen): more would make a packet -r rejects */
	    rec->m.caplen > rec->m.len ||
	    rec->m.path_len > UC_PATH_MAX || rec->m.peer_path_len > UC_PATH_MAX) {
		r->stats.malformed++;
		return 0;
	}
	int rc = 0;
	/* One task writes one message at a time: an open one from it lost its tail. */
	for (size_t i = 0; i < r->n_open; i++) {
		if (r->open[i].msg.m.tid == rec->h.tid) {
			rc = close_open(r, i, true);
			break;
		}
	}
	if (rc)
		return rc;

	struct uc_message m = { .id = rec->h.msg_id, .m = rec->m };
	if (m.m.n_fds > UC_MAX_FDS)
		m.m.n_fds = UC_MAX_FDS;
	if ((rec->h.rflags & UC_RF_LAST) && !m.m.n_fds) {
		/* The common case: the whole message is in this record; no copy. */
		m.data = rec->data;
		m.caplen = n;
		return deliver(r, &m, n < rec->m.caplen);
	}
	if (uc_grow(&r->open, &r->cap_open, r->n_open, sizeof(*r->open), 16))
		return -ENOMEM;
	uint8_t *buf = calloc(1, rec->m.caplen ? rec->m.caplen : 1);
	struct uc_fd_info *fds = m.m.n_fds ? calloc(m.m.n_fds, sizeof(*fds)) : NULL;
	if (!buf || (m.m.n_fds && !fds)) {
		free(buf);
		free(fds);
		return -ENOMEM;
	}
	memcpy(buf, rec->data, n);
	r->open[r->n_open++] = (struct open_msg){ .msg = m, .buf = buf, .next_off = n,
						  .data_done = rec->h.rflags & UC_RF_LAST,
						  .fds = fds };
	return 0;
}

/* The open message a DATA or FD record belongs to; n_open (counted as an orphan) if none. */
static size_t find_open(struct uc_reasm *r, uint64_t msg_id)
{
	size_t i;
	for (i = 0; i < r->n_open; i++)
		if (r->open[i].msg.id == msg_id)
			return i;
	r->stats.orphans++;
	return i;
}

static int feed_data(struct uc_reasm *r, const struct uc_data_rec *rec, size_t size)
{
	uint32_t n = rec->h.data_len;
	if (size < sizeof(*rec) || n > size - sizeof(*rec)) {
		r->stats.malformed++;
		return 0;
	}
	size_t i = find_open(r, rec->h.msg_id);
	if (i == r->n_open)
		return 0;
	struct open_msg *om = &r->open[i];
	uint32_t off = rec->h.offset;
	if (off < om->next_off || off > om->msg.m.caplen || n > om->msg.m.caplen - off) {
		r->stats.malformed++;
		om->gap = true;
		return close_open(r, i, true);
	}
	if (off > om->next_off)
		om->gap = true; /* a record in between was lost */
	if (rec->h.rflags & UC_RF_UNREADABLE) {
		memset(om->buf + off, 0, n); /* not the message's bytes */
		om->msg.m.flags |= UC_MF_UNREADABLE;
	} else {
		memcpy(om->buf + off, rec->data, n);
	}
	om->next_off = off + n;
	if (rec->h.rflags & UC_RF_LAST) {
		om->data_done = true;
		if (om->fds_have == om->msg.m.n_fds)
			return close_open(r, i, false);
	}
	return 0;
}

static int feed_fd(struct uc_reasm *r, const struct uc_fd_rec *rec, size_t size)
{
	if (size < sizeof(*rec)) {
		r->stats.malformed++;
		return 0;
	}
	size_t i = find_open(r, rec->h.msg_id);
	if (i == r->n_open)
		return 0;
	struct open_msg *om = &r->open[i];
	if (om->fds_have >= om->msg.m.n_fds || rec->h.offset >= UC_MAX_FDS) {
		r->stats.malformed++;
		return 0;
	}
	uc_fd_info_from_rec(&om->fds[om->fds_have++], rec);
	if (om->data_done && om->fds_have == om->msg.m.n_fds)
		return close_open(r, i, false);
	return 0;
}

int uc_reasm_feed(struct uc_reasm *r, const void *rec, size_t size)
{
	const struct uc_rec_hdr *h = rec;
	if (size < sizeof(*h)) {
		r->stats.malformed++;
		return 0;
	}
	switch (h->kind) {
	case UC_REC_MSG:
		return feed_msg(r, rec, size);
	case UC_REC_DATA:
		return feed_data(r, rec, size);
	case UC_REC_FD:
		return feed_fd(r, rec, size);
	default:
		r->stats.malformed++;
		return 0;
	}
}

int uc_reasm_flush(struct uc_reasm *r, uint64_t before_mono_ns)
{
	size_t i = 0;
	while (i < r->n_open) {
		if (r->open[i].msg.m.ts_ns < before_mono_ns) {
			int rc = close_open(r, i, true);
			if (rc)
				return rc;
			continue; /* slot i now holds another message */
		}
		i++;
	}
	return 0;
}
