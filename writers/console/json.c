/* --json: one self-contained, pure-ASCII JSON object per message and line. */
#include "writers/console/json.h"
#include "capture/core/clock.h"
#include "capture/core/json_string.h"
#include "capture/core/strbuf.h"
#include "capture/core/text.h"

#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

/*
 * The metadata part is bounded (two escaped paths dominate, well under 4 KiB), so it is
 * built on the stack; small payloads join it and the whole line goes out in one fwrite.
 */
#define LINE_MAX_BYTES 8192

static void put_path(struct uc_strbuf *j, const char *key, const char *path, unsigned len)
{
	char text[UC_PATH_MAX * 4 + 2];
	size_t n = uc_format_path(text, sizeof(text), path, len);

	uc_strbuf_puts(j, key);
	uc_json_string(j, text, n);
}

static void put_comm(struct uc_strbuf *j, const char *key, const char *comm)
{
	uc_strbuf_puts(j, key);
	uc_json_string(j, comm, strnlen(comm, UC_COMM_LEN));
}

static void put_sock(struct uc_strbuf *j, const char *key, uint64_t sock)
{
	char text[24];

	uc_format_sock(text, sizeof(text), sock, false);
	uc_strbuf_printf(j, "%s\"%s\"", key, text);
}

static void put_flags(struct uc_strbuf *j, uint32_t flags)
{
	char names[128];
	size_t n = uc_format_flags(names, sizeof(names), flags);

	uc_strbuf_puts(j, ",\"flags\":[");
	if (n) {
		/* uc_format_flags separates names with single spaces; names contain none. */
		char *s = names;

		for (;;) {
			char *sp = strchr(s, ' ');

			uc_json_string(j, s, sp ? (size_t)(sp - s) : strlen(s));
			if (!sp)
				break;
			uc_strbuf_puts(j, ",");
			s = sp + 1;
		}
	}
	uc_strbuf_puts(j, "]");
}

static void hex_encode(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dst[2 * i] = hexdigits[src[i] >> 4];
		dst[2 * i + 1] = hexdigits[src[i] & 15];
	}
}

void uc_print_json(FILE *out, const struct uc_message *msg)
{
	const struct uc_meta *m = &msg->m;
	const uint8_t *data = msg->data;
	size_t caplen = data ? msg->caplen : 0;
	char line[LINE_MAX_BYTES], ts[32], error[24];
	struct uc_strbuf j;

	uc_strbuf_init(&j, line, sizeof(line), UC_STRBUF_WHOLE);
	uc_format_seconds(ts, sizeof(ts), msg->ts_wall_ns);
	uc_strbuf_printf(&j, "{\"ts\":%s", ts);
	uc_strbuf_printf(&j, ",\"pid\":%u,\"tid\":%u,\"uid\":%u,\"gid\":%u", m->pid, m->tid,
			 m->uid, m->gid);
	put_comm(&j, ",\"comm\":", m->comm);
	uc_strbuf_printf(&j, ",\"cgroup\":%llu", (unsigned long long)m->cgroup_id);
	put_sock(&j, ",\"sock\":", m->sock);
	uc_strbuf_printf(&j, ",\"inode\":%llu", (unsigned long long)m->inode);
	uc_strbuf_printf(&j, ",\"type\":\"%s\"", uc_type_name(m->type));
	put_path(&j, ",\"path\":", m->path, m->path_len);
	put_sock(&j, ",\"peer_sock\":", m->peer_sock);
	uc_strbuf_printf(&j, ",\"peer_inode\":%llu", (unsigned long long)m->peer_inode);
	uc_strbuf_printf(&j, ",\"peer_pid\":%u", m->peer_pid);
	put_comm(&j, ",\"peer_comm\":", msg->peer_comm);
	put_path(&j, ",\"peer_path\":", m->peer_path, m->peer_path_len);
	uc_strbuf_printf(&j, ",\"len\":%u,\"caplen\":%u", m->len, msg->caplen);
	uc_strbuf_printf(&j, ",\"call\":\"%s\"", uc_call_name(m->call));
	/* fd is stored unsigned with 0xffffffff meaning unknown; -1 reads better. */
	uc_strbuf_printf(&j, ",\"fd\":%d", (int)(int32_t)m->fd);
	put_flags(&j, msg->flags);
	if (msg->flags & UC_MF_ERROR) {
		uc_format_errno(error, sizeof(error), m->err);
		uc_strbuf_printf(&j, ",\"errno\":%lld,\"error\":\"%s\"", -(long long)m->err, error);
	}
	if (msg->m.flags & UC_MF_CREDS)
		uc_strbuf_printf(&j, ",\"creds\":{\"pid\":%u,\"uid\":%u,\"gid\":%u}", m->cred_pid,
				 m->cred_uid, m->cred_gid);
	if (msg->sender_pid)
		uc_strbuf_printf(&j, ",\"sender\":{\"pid\":%u,\"tid\":%u}", msg->sender_pid,
				 msg->sender_tid);
	if (msg->n_fds) {
		/* Up to 253 names: written out in pieces so the line buffer never overflows. */
		uc_strbuf_puts(&j, ",\"fds\":[");
		for (unsigned i = 0; i < msg->n_fds && !j.full; i++) {
			const struct uc_fd_info *f = &msg->fds[i];
			if (j.len > sizeof(line) - 2048) {
				fwrite(line, 1, j.len, out);
				uc_strbuf_clear(&j);
			}
			uc_strbuf_printf(&j, "%s{\"fd\":%d", i ? "," : "", f->fd);
			if ((msg->m.flags & UC_MF_RECEIVE) && f->peer_fd >= 0)
				uc_strbuf_printf(&j, ",\"sent_fd\":%d", f->peer_fd);
			uc_strbuf_printf(&j, ",\"ino\":%llu", (unsigned long long)f->ino);
			uc_strbuf_puts(&j, ",\"name\":");
			uc_json_string(&j, f->name, strnlen(f->name, sizeof(f->name)));
			uc_strbuf_puts(&j, "}");
		}
		uc_strbuf_puts(&j, "]");
	}
	uc_strbuf_puts(&j, ",\"data\":\"");
	if (j.full) /* cannot happen with the sizes above; never emit a broken line */
		return;

	if (caplen * 2 + 3 < sizeof(line) - j.len) {
		hex_encode(line + j.len, data, caplen);
		j.len += caplen * 2;
		uc_strbuf_puts(&j, "\"}\n");
		fwrite(line, 1, j.len, out);
		return;
	}
	fwrite(line, 1, j.len, out);
	for (size_t off = 0; off < caplen;) {
		size_t n = caplen - off < sizeof(line) / 2 ? caplen - off : sizeof(line) / 2;

		hex_encode(line, data + off, n);
		fwrite(line, 1, n * 2, out);
		off += n;
	}
	fputs("\"}\n", out);
}
