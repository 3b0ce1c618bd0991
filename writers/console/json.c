/* --json: one self-contained, pure-ASCII JSON object per message and line. */
#include "writers/console/json.h"
#include "capture/core/text.h"

#include <stdarg.h>
#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

/*
 * The metadata part is bounded (two escaped paths dominate, well under 4 KiB), so it is
 * built on the stack; small payloads join it and the whole line goes out in one fwrite.
 */
struct jline {
	size_t len;
	bool overflow;
	char buf[8192];
};

static void put_raw(struct jline *j, const char *s, size_t n)
{
	if (n > sizeof(j->buf) - j->len) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void put(struct jline *j, const char *s)
{
	put_raw(j, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void putf(struct jline *j, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		j->overflow = true;
	else
		put_raw(j, tmp, (size_t)n);
}

/* Bytes ≥ 0x7f are escaped too: comm can hold anything and the output must stay ASCII. */
static void put_string(struct jline *j, const char *s, size_t len)
{
	put_raw(j, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = { '\\', 'u', '0', '0', hexdigits[c >> 4], hexdigits[c & 15] };

		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			put_raw(j, esc, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			put_raw(j, esc, 6);
		} else {
			put_raw(j, (const char *)&c, 1);
		}
	}
	put_raw(j, "\"", 1);
}

static void put_key_string(struct jline *j, const char *key, const char *s, size_t len)
{
	put(j, key);
	put_string(j, s, len);
}

static void put_path(struct jline *j, const char *key, const char *path, unsigned len)
{
	char text[UC_PATH_MAX * 4 + 2];
	size_t n = uc_format_path(text, sizeof(text), path, len);

	put_key_string(j, key, text, n);
}

static void put_flags(struct jline *j, uint32_t flags)
{
	char names[128];
	size_t n = uc_format_flags(names, sizeof(names), flags);

	put(j, ",\"flags\":[");
	if (n) {
		/* uc_format_flags separates names with single spaces; names contain none. */
		char *s = names;

		for (;;) {
			char *sp = strchr(s, ' ');

			put_string(j, s, sp ? (size_t)(sp - s) : strlen(s));
			if (!sp)
				break;
			put(j, ",");
			s = sp + 1;
		}
	}
	put(j, "]");
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
	struct jline j;

	j.len = 0;
	j.overflow = false;
	putf(&j, "{\"ts\":%llu.%09llu", (unsigned long long)(msg->ts_wall_ns / 1000000000u),
	     (unsigned long long)(msg->ts_wall_ns % 1000000000u));
	/* jq reads ts as a double, which keeps microseconds at best: the same instant in ns. */
	putf(&j, ",\"ts_ns\":%llu", (unsigned long long)msg->ts_wall_ns);
	putf(&j, ",\"pid\":%u,\"tid\":%u,\"uid\":%u,\"gid\":%u", m->pid, m->tid, m->uid, m->gid);
	put_key_string(&j, ",\"comm\":", m->comm, strnlen(m->comm, UC_COMM_LEN));
	putf(&j, ",\"cgroup\":%llu", (unsigned long long)m->cgroup_id);
	putf(&j, ",\"sock\":\"0x%llx\"", (unsigned long long)m->sock);
	putf(&j, ",\"inode\":%llu", (unsigned long long)m->inode);
	putf(&j, ",\"type\":\"%s\"", uc_type_name(m->type));
	put_path(&j, ",\"path\":", m->path, m->path_len);
	putf(&j, ",\"peer_sock\":\"0x%llx\"", (unsigned long long)m->peer_sock);
	putf(&j, ",\"peer_inode\":%llu", (unsigned long long)m->peer_inode);
	putf(&j, ",\"peer_pid\":%u", m->peer_pid);
	put_key_string(&j, ",\"peer_comm\":", msg->peer_comm, strnlen(msg->peer_comm, UC_COMM_LEN));
	put_path(&j, ",\"peer_path\":", m->peer_path, m->peer_path_len);
	putf(&j, ",\"len\":%u,\"caplen\":%u", m->len, msg->caplen);
	putf(&j, ",\"call\":\"%s\"", uc_call_name(m->call));
	/* fd is stored unsigned with 0xffffffff meaning unknown; -1 reads better. */
	putf(&j, ",\"fd\":%d", (int)(int32_t)m->fd);
	put_flags(&j, msg->flags);
	if (msg->flags & UC_MF_ERROR) {
		/* err may come from a file: INT32_MIN has no negation in int */
		long long e = -(long long)m->err;
		const char *name = e <= INT32_MAX ? uc_errno_name((int)e) : NULL;

		putf(&j, ",\"errno\":%lld", e);
		if (name)
			putf(&j, ",\"error\":\"%s\"", name);
		else
			putf(&j, ",\"error\":\"%lld\"", e);
	}
	if (msg->m.flags & UC_MF_CREDS)
		putf(&j, ",\"creds\":{\"pid\":%u,\"uid\":%u,\"gid\":%u}", m->cred_pid, m->cred_uid,
		     m->cred_gid);
	if (msg->sender_pid)
		putf(&j, ",\"sender\":{\"pid\":%u,\"tid\":%u}", msg->sender_pid, msg->sender_tid);
	if (msg->n_fds) {
		/* Up to 253 names: written out in pieces so the line buffer never overflows. */
		put(&j, ",\"fds\":[");
		for (unsigned i = 0; i < msg->n_fds && !j.overflow; i++) {
			const struct uc_fd_info *f = &msg->fds[i];
			if (j.len > sizeof(j.buf) - 2048) {
				fwrite(j.buf, 1, j.len, out);
				j.len = 0;
			}
			putf(&j, "%s{\"fd\":%d", i ? "," : "", f->fd);
			if ((msg->m.flags & UC_MF_RECEIVE) && f->peer_fd >= 0)
				putf(&j, ",\"sent_fd\":%d", f->peer_fd);
			putf(&j, ",\"ino\":%llu", (unsigned long long)f->ino);
			put_key_string(&j, ",\"name\":", f->name, strnlen(f->name, sizeof(f->name)));
			put(&j, "}");
		}
		put(&j, "]");
	}
	put(&j, ",\"data\":\"");
	if (j.overflow) /* cannot happen with the sizes above; never emit a broken line */
		return;

	if (caplen * 2 + 3 <= sizeof(j.buf) - j.len) {
		hex_encode(j.buf + j.len, data, caplen);
		j.len += caplen * 2;
		put(&j, "\"}\n");
		fwrite(j.buf, 1, j.len, out);
		return;
	}
	fwrite(j.buf, 1, j.len, out);
	for (size_t off = 0; off < caplen;) {
		size_t n = caplen - off < sizeof(j.buf) / 2 ? caplen - off : sizeof(j.buf) / 2;

		hex_encode(j.buf, data + off, n);
		fwrite(j.buf, 1, n * 2, out);
		off += n;
	}
	fputs("\"}\n", out);
}
