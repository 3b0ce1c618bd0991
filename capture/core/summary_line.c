/* The one-line summary of a message (console default, and the pcapng packet comment). */
#include "capture/core/summary_line.h"
#include "capture/core/strbuf.h"
#include "capture/core/text.h"

#include <stdlib.h>
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

/*
 * The socket's part of the line, "COMM → PEER 0xSOCK TYPE PATHS": what the key of a cache
 * slot holds decides it, so a slot whose key matches gives the same bytes.
 */
static void put_socket(struct uc_strbuf *l, const struct uc_message *msg)
{
	const struct uc_meta *m = &msg->m;

	put_comm(l, m->comm);
	uc_strbuf_puts(l, " \u2192 ");
	if (m->peer_pid == 0) {
		uc_strbuf_puts(l, "?");
	} else {
		uc_strbuf_put_uint(l, m->peer_pid);
		if (msg->peer_comm[0]) {
			uc_strbuf_puts(l, "/");
			put_comm(l, msg->peer_comm);
		}
	}
	/* uc_format_sock's unpadded form, "0x%llx" */
	uc_strbuf_puts(l, " 0x");
	uc_strbuf_put_hex(l, m->sock);
	uc_strbuf_puts(l, " ");
	uc_strbuf_puts(l, uc_type_name(m->type));
	uc_strbuf_puts(l, " ");
	put_paths(l, m);
}

/* Longest socket part: two comms and two paths, every byte escaped and every space \x20. */
#define SOCKET_TEXT_MAX (2 * (UC_COMM_LEN * 4) + 2 * (1 + UC_PATH_MAX * 4) + 96)
#define CACHE_SLOTS 64

struct slot {
	bool used;
	uint16_t type, path_len, peer_path_len;
	uint32_t peer_pid;
	uint64_t sock;
	char comm[UC_COMM_LEN], peer_comm[UC_COMM_LEN];
	char path[UC_PATH_MAX], peer_path[UC_PATH_MAX];
	uint16_t text_len;
	char text[SOCKET_TEXT_MAX];
};

struct uc_summary_cache {
	struct slot slots[CACHE_SLOTS];
};

_Static_assert(SOCKET_TEXT_MAX < UINT16_MAX, "text_len holds any socket part");

struct uc_summary_cache *uc_summary_cache_new(void)
{
	return calloc(1, sizeof(struct uc_summary_cache));
}

void uc_summary_cache_free(struct uc_summary_cache *c)
{
	free(c);
}

static bool slot_matches(const struct slot *s, const struct uc_message *msg)
{
	const struct uc_meta *m = &msg->m;

	return s->used && s->sock == m->sock && s->peer_pid == m->peer_pid &&
	       s->type == m->type && s->path_len == m->path_len &&
	       s->peer_path_len == m->peer_path_len &&
	       !memcmp(s->comm, m->comm, UC_COMM_LEN) &&
	       !memcmp(s->peer_comm, msg->peer_comm, UC_COMM_LEN) &&
	       !memcmp(s->path, m->path, s->path_len) &&
	       !memcmp(s->peer_path, m->peer_path, s->peer_path_len);
}

static void slot_fill(struct slot *s, const struct uc_message *msg)
{
	const struct uc_meta *m = &msg->m;
	struct uc_strbuf t;

	uc_strbuf_init(&t, s->text, sizeof(s->text), UC_STRBUF_WHOLE);
	put_socket(&t, msg);
	s->used = !t.full; /* never cut, by SOCKET_TEXT_MAX: a cut one would not be reused */
	s->text_len = (uint16_t)t.len;
	s->sock = m->sock;
	s->peer_pid = m->peer_pid;
	s->type = m->type;
	s->path_len = m->path_len;
	s->peer_path_len = m->peer_path_len;
	memcpy(s->comm, m->comm, UC_COMM_LEN);
	memcpy(s->peer_comm, msg->peer_comm, UC_COMM_LEN);
	memcpy(s->path, m->path, m->path_len);
	memcpy(s->peer_path, m->peer_path, m->peer_path_len);
}

/*
 * Escaping the names and paths was the largest part of a summary. A socket keeps them while
 * it lives, so its text is kept in a slot chosen by the socket's address. A cut line ends
 * the same: appending the piece whole or in its parts stops at the same byte.
 */
static void put_socket_cached(struct uc_strbuf *l, const struct uc_message *msg,
			      struct uc_summary_cache *c)
{
	const struct uc_meta *m = &msg->m;

	if (!c || m->path_len > UC_PATH_MAX || m->peer_path_len > UC_PATH_MAX) {
		put_socket(l, msg);
		return;
	}
	struct slot *s = &c->slots[(m->sock * 0x9e3779b97f4a7c15ull) >> 58];
	if (!slot_matches(s, msg))
		slot_fill(s, msg);
	if (s->used)
		uc_strbuf_put(l, s->text, s->text_len);
	else
		put_socket(l, msg);
}

size_t uc_format_summary_as(char *buf, size_t size, const struct uc_message *msg,
			    uint32_t flags, uint32_t caplen, const char *time_text,
			    struct uc_summary_cache *cache)
{
	const struct uc_meta *m = &msg->m;
	struct uc_strbuf l;
	char text[128];

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
	put_socket_cached(&l, msg, cache);
	uc_strbuf_puts(&l, " len ");
	uc_strbuf_put_uint(&l, m->len);
	/* Pieces, not printf: the same text, and what a cut leaves is the same too. */
	if (caplen != m->len && !(flags & (UC_MF_RECEIVE | UC_MF_ERROR))) {
		uc_strbuf_puts(&l, " caplen ");
		uc_strbuf_put_uint(&l, caplen);
	}
	if (m->n_fds) {
		uc_strbuf_puts(&l, " fds ");
		uc_strbuf_put_uint(&l, m->n_fds);
	}
	if (flags & UC_MF_CREDS) {
		uc_strbuf_puts(&l, " creds ");
		uc_strbuf_put_uint(&l, m->cred_pid);
		uc_strbuf_puts(&l, "/");
		uc_strbuf_put_uint(&l, m->cred_uid);
		uc_strbuf_puts(&l, "/");
		uc_strbuf_put_uint(&l, m->cred_gid);
	}
	size_t n = uc_format_flags(text, sizeof(text), flags);
	if (n > 0) {
		uc_strbuf_puts(&l, " [");
		uc_strbuf_put(&l, text, n);
		uc_strbuf_puts(&l, "]");
	}
	if (flags & UC_MF_ERROR) {
		uc_strbuf_puts(&l, " errno ");
		uc_strbuf_put(&l, text, uc_format_errno(text, 24, m->err));
	}
	return l.len;
}

size_t uc_format_summary(char *buf, size_t size, const struct uc_message *msg,
			 const char *time_text)
{
	return uc_format_summary_as(buf, size, msg, msg->flags, msg->caplen, time_text, NULL);
}
