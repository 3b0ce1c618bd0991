#include "capture/live/fdlink.h"

#include <stdlib.h>
#include <string.h>

struct sent_file {
	uint64_t file;
	uint64_t sock; /* the sending socket */
	uint64_t msg_id;
	uint32_t pid, tid;
	int32_t fd;
	bool taken;
};

struct held {
	struct uc_message msg; /* owns msg.fds */
	uint64_t since;
};

/* A ring: entries [head, head + n) are live, oldest first. */
struct uc_fdlink {
	struct sent_file ring[UC_FDLINK_MAX];
	size_t head, n;
	struct held held[UC_FDLINK_HELD_MAX];
	size_t n_held;
};

struct uc_fdlink *uc_fdlink_new(void)
{
	return calloc(1, sizeof(struct uc_fdlink));
}

void uc_fdlink_free(struct uc_fdlink *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_held; i++)
		free(l->held[i].msg.fds);
	free(l);
}

static struct sent_file *at(struct uc_fdlink *l, size_t i)
{
	return &l->ring[(l->head + i) % UC_FDLINK_MAX];
}

static void remember(struct uc_fdlink *l, const struct uc_message *msg, const struct uc_fd_info *f)
{
	if (l->n == UC_FDLINK_MAX) {
		l->head = (l->head + 1) % UC_FDLINK_MAX;
		l->n--;
	}
	*at(l, l->n++) = (struct sent_file){ .file = f->file, .sock = msg->m.sock,
					     .msg_id = msg->id, .pid = msg->m.pid,
					     .tid = msg->m.tid, .fd = f->fd };
}

/* Received entries at the old end are dropped so the scan stays short. */
static void trim(struct uc_fdlink *l)
{
	while (l->n && at(l, 0)->taken) {
		l->head = (l->head + 1) % UC_FDLINK_MAX;
		l->n--;
	}
}

/* Links what it can of a receive; true when every fd with a file found its send. */
static bool link_receive(struct uc_fdlink *l, struct uc_message *msg)
{
	bool all = true;

	for (unsigned i = 0; i < msg->n_fds; i++) {
		struct uc_fd_info *f = &msg->fds[i];
		if (!f->file || f->peer_fd >= 0)
			continue;
		bool found = false;
		for (size_t k = 0; k < l->n && !found; k++) {
			struct sent_file *s = at(l, k);
			/* peer_sock is the sender's socket unless the receiver is unconnected */
			if (s->taken || s->file != f->file ||
			    (msg->m.peer_sock && s->sock != msg->m.peer_sock))
				continue;
			s->taken = true;
			f->peer_fd = s->fd;
			if (!msg->sender_pid) {
				msg->sender_pid = s->pid;
				msg->sender_tid = s->tid;
				msg->sender_id = s->msg_id;
			}
			found = true;
		}
		all = all && found;
	}
	trim(l);
	return all;
}

static bool hold(struct uc_fdlink *l, const struct uc_message *msg, uint64_t now)
{
	if (l->n_held == UC_FDLINK_HELD_MAX)
		return false;
	struct held *h = &l->held[l->n_held];
	h->msg = *msg;
	h->msg.data = NULL; /* receives carry no payload */
	h->msg.caplen = 0;
	h->msg.fds = malloc(msg->n_fds * sizeof(*msg->fds));
	if (!h->msg.fds)
		return false;
	memcpy(h->msg.fds, msg->fds, msg->n_fds * sizeof(*msg->fds));
	h->since = now;
	l->n_held++;
	return true;
}

bool uc_fdlink_update(struct uc_fdlink *l, struct uc_message *msg, uint64_t now_ns)
{
	if (!l || !msg->n_fds)
		return true;
	if (!(msg->m.flags & UC_MF_RECEIVE)) {
		for (unsigned i = 0; i < msg->n_fds; i++)
			if (msg->fds[i].file)
				remember(l, msg, &msg->fds[i]);
		return true;
	}
	/* Behind a held receive, a later one waits too: receives stay in order. */
	if (l->n_held == 0 && link_receive(l, msg))
		return true;
	return !hold(l, msg, now_ns);
}

int uc_fdlink_release(struct uc_fdlink *l, uint64_t now_ns, bool force, uc_fdlink_cb cb,
		      void *ctx)
{
	int rc = 0;

	while (l && l->n_held && !rc) {
		struct held *h = &l->held[0];
		bool linked = link_receive(l, &h->msg);
		if (!linked && !force && now_ns - h->since < UC_FDLINK_HOLD_NS)
			break;
		struct uc_message m = h->msg;
		memmove(&l->held[0], &l->held[1], (l->n_held - 1) * sizeof(l->held[0]));
		l->n_held--;
		rc = cb(&m, ctx);
		free(m.fds);
	}
	return rc;
}
