/* The one-line summary of a message (console default, and the pcapng packet comment). */
#include "capture/core/summary_line.h"
#include "capture/core/strbuf.h"
#include "capture/core/text.h"

#include <string.h>

/* A field of the line: spaces as \x20 (the escape uc_format_bytes uses for the rest), so
 * that splitting the line on spaces gives its fields, as unixcap -L's words do. */
static void put_word(struct uc_strbuf *l, const char *s)
{
	for (const char *sp; (sp = strchr(s, ' ')); s = sp + 1) {
		uc_strbuf_put(l, s, (size_t)(sp - s));
		uc_strbuf_puts(l, "\\x20");
	}
	uc_strbuf_puts(l, s);
}

/* comm fields are fixed 16-byte arrays that the kernel does not always NUL-terminate. */
static void put_comm(struct uc_strbuf *l, const char *comm)
{
	char text[UC_COMM_LEN * 4 + 1];

	uc_format_bytes(text, sizeof(text), comm, strnlen(comm, UC_COMM_LEN));
	/* An empty comm would leave two adjacent spaces and shift every later field. */
	put_word(l, text[0] ? text : "?");
}

static void put_paths(struct uc_strbuf *l, const struct uc_meta *m)
{
	char path[UC_PATH_MAX * 4 + 2], peer[UC_PATH_MAX * 4 + 2];

	uc_format_path(path, sizeof(path), m->path, m->path_len);
	uc_format_path(peer, sizeof(peer), m->peer_path, m->peer_path_len);
	if (path[0] && peer[0] && strcmp(path, peer) != 0) {
		put_word(l, path);
		uc_strbuf_puts(l, " \u2192 ");
		put_word(l, peer);
	} else if (path[0]) {
		put_word(l, path);
	} else if (peer[0]) {
		put_word(l, peer);
	} else {
		uc_strbuf_puts(l, "-");
	}
}

size_t uc_format_summary(char *buf, size_t size, const struct uc_message *msg,
			 const char *time_text)
{
	const struct uc_meta *m = &msg->m;
	struct uc_strbuf l;
	char flags[128];

	if (size == 0)
		return 0;
	/* Too long for the buffer, a summary still shows its first columns. */
	uc_strbuf_init(&l, buf, size, UC_STRBUF_CUT);

	uc_strbuf_puts(&l, time_text ? time_text : "");
	uc_strbuf_puts(&l, " ");
	uc_strbuf_put_uint(&l, m->pid);
	uc_strbuf_puts(&l, "/");
	uc_strbuf_put_uint(&l, m->tid);
	uc_strbuf_puts(&l, " ");
	put_comm(&l, m->comm);
	uc_strbuf_puts(&l, " \u2192 ");
	if (m->peer_pid == 0) {
		uc_strbuf_puts(&l, "?");
	} else {
		uc_strbuf_put_uint(&l, m->peer_pid);
		if (msg->peer_comm[0]) {
			uc_strbuf_puts(&l, "/");
			put_comm(&l, msg->peer_comm);
		}
	}
	/* uc_format_sock's unpadded form, "0x%llx" */
	uc_strbuf_puts(&l, " 0x");
	uc_strbuf_put_hex(&l, m->sock);
	uc_strbuf_puts(&l, " ");
	uc_strbuf_puts(&l, uc_type_name(m->type));
	uc_strbuf_puts(&l, " ");
	put_paths(&l, m);
	uc_strbuf_puts(&l, " len ");
	uc_strbuf_put_uint(&l, m->len);
	if (msg->caplen != m->len && !(msg->flags & (UC_MF_RECEIVE | UC_MF_ERROR)))
		uc_strbuf_printf(&l, " caplen %u", msg->caplen);
	if (m->n_fds)
		uc_strbuf_printf(&l, " fds %u", m->n_fds);
	if (msg->flags & UC_MF_CREDS)
		uc_strbuf_printf(&l, " creds %u/%u/%u", m->cred_pid, m->cred_uid, m->cred_gid);
	if (uc_format_flags(flags, sizeof(flags), msg->flags) > 0)
		uc_strbuf_printf(&l, " [%s]", flags);
	if (msg->flags & UC_MF_ERROR) {
		char error[24];

		uc_format_errno(error, sizeof(error), m->err);
		uc_strbuf_printf(&l, " errno %s", error);
	}
	return l.len;
}
