/* The one-line summary of a message (console default, and the pcapng packet comment). */
#include "capture/core/summary_line.h"
#include "capture/core/text.h"

#include <stdarg.h>
#include <string.h>

struct line {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct line *l, const char *s)
{
	size_t n = strlen(s);

	if (l->len + 1 >= l->size)
		return;
	if (n > l->size - 1 - l->len)
		n = l->size - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

__attribute__((format(printf, 2, 3)))
static void putf(struct line *l, const char *fmt, ...)
{
	size_t room = l->size - l->len;
	va_list ap;
	int n;

	if (room <= 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		l->buf[l->len] = '\0';
	else
		l->len += (size_t)n < room ? (size_t)n : room - 1;
}

/* A field of the line: spaces as \x20 (the escape uc_format_bytes uses for the rest), so
 * that splitting the line on spaces gives its fields, as unixcap -L's words do. */
static void put_word(struct line *l, const char *s)
{
	for (const char *sp; (sp = strchr(s, ' ')); s = sp + 1) {
		char part[UC_PATH_MAX * 4 + 2];
		size_t n = (size_t)(sp - s) < sizeof(part) ? (size_t)(sp - s) : sizeof(part) - 1;

		memcpy(part, s, n);
		part[n] = '\0';
		put(l, part);
		put(l, "\\x20");
	}
	put(l, s);
}

/* comm fields are fixed 16-byte arrays that the kernel does not always NUL-terminate. */
static void put_comm(struct line *l, const char *comm)
{
	char text[UC_COMM_LEN * 4 + 1];

	uc_format_bytes(text, sizeof(text), comm, strnlen(comm, UC_COMM_LEN));
	/* An empty comm would leave two adjacent spaces and shift every later field. */
	put_word(l, text[0] ? text : "?");
}

static void put_paths(struct line *l, const struct uc_meta *m)
{
	char path[UC_PATH_MAX * 4 + 2], peer[UC_PATH_MAX * 4 + 2];

	uc_format_path(path, sizeof(path), m->path, m->path_len);
	uc_format_path(peer, sizeof(peer), m->peer_path, m->peer_path_len);
	if (path[0] && peer[0] && strcmp(path, peer) != 0) {
		put_word(l, path);
		put(l, " \u2192 ");
		put_word(l, peer);
	} else if (path[0]) {
		put_word(l, path);
	} else if (peer[0]) {
		put_word(l, peer);
	} else {
		put(l, "-");
	}
}

size_t uc_format_summary(char *buf, size_t size, const struct uc_message *msg,
			 const char *time_text)
{
	const struct uc_meta *m = &msg->m;
	struct line l = { buf, size, 0 };
	char flags[128];

	if (size == 0)
		return 0;
	buf[0] = '\0';

	put(&l, time_text ? time_text : "");
	putf(&l, " %u/%u ", m->pid, m->tid);
	put_comm(&l, m->comm);
	put(&l, " \u2192 ");
	if (m->peer_pid == 0) {
		put(&l, "?");
	} else {
		putf(&l, "%u", m->peer_pid);
		if (msg->peer_comm[0]) {
			put(&l, "/");
			put_comm(&l, msg->peer_comm);
		}
	}
	putf(&l, " 0x%llx %s ", (unsigned long long)m->sock, uc_type_name(m->type));
	put_paths(&l, m);
	putf(&l, " len %u", m->len);
	if (msg->caplen != m->len && !(msg->flags & UC_MF_RECEIVE))
		putf(&l, " caplen %u", msg->caplen);
	if (m->n_fds)
		putf(&l, " fds %u", m->n_fds);
	if (msg->flags & UC_MF_CREDS)
		putf(&l, " creds %u/%u/%u", m->cred_pid, m->cred_uid, m->cred_gid);
	if (uc_format_flags(flags, sizeof(flags), msg->flags) > 0)
		putf(&l, " [%s]", flags);
	if (msg->flags & UC_MF_ERROR) {
		/* err may come from a file: INT32_MIN has no negation in int */
		long long e = -(long long)m->err;
		const char *name = e <= INT32_MAX ? uc_errno_name((int)e) : NULL;

		if (name)
			putf(&l, " errno %s", name);
		else
			putf(&l, " errno %lld", e);
	}
	return l.len;
}
