/* unixcap -L output: aligned table, JSON lines, and the netstat_unix --dump format. */
#include "capture/socklist/socklist.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capture/core/json_string.h"
#include "capture/core/proc_comm.h"
#include "capture/core/strbuf.h"
#include "capture/core/text.h"

size_t uc_sl_format_path_word(char *buf, size_t size, const char *path, unsigned len)
{
	if (size < 5) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	if (len > UC_PATH_MAX)
		len = UC_PATH_MAX;
	if (!len) {
		strcpy(buf, "-");
		return 1;
	}
	if (path[0] == '\0') {
		buf[0] = '@';
		return 1 + uc_format_bytes_escaping(buf + 1, size - 1, path + 1, len - 1, " ");
	}
	/* A name that is exactly "-" would read as "none". */
	if (strnlen(path, len) == 1 && path[0] == '-') {
		strcpy(buf, "\\x2d");
		return 4;
	}
	return uc_format_bytes_escaping(buf, size, path, strnlen(path, len), " ");
}

size_t uc_sl_format_comm_word(char *buf, size_t size, const char *comm)
{
	return uc_format_bytes_escaping(buf, size, comm, strnlen(comm, UC_COMM_LEN), " ,/:");
}

/* ---- cells ------------------------------------------------------------------------------- */

static void owners_word(struct uc_strbuf *b, const struct uc_socklist *l, const struct uc_sock *s)
{
	char comm[UC_COMM_LEN * 4 + 1];
	for (uint32_t k = 0; k < s->n_owners; k++) {
		const struct uc_sock_owner *o = &l->owners[s->first_owner + k];
		uc_sl_format_comm_word(comm, sizeof(comm), o->comm);
		uc_strbuf_printf(b, "%s%" PRIu32 "/%s/%" PRId32, k ? "," : "", o->pid, comm, o->fd);
	}
}

static const char *type_word(unsigned type)
{
	return type ? uc_type_name(type) : "-";
}

enum col {
	C_ADDR,
	C_INODE,
	C_TYPE,
	C_STATE,
	C_RQ,
	C_WQ,
	C_PATH,
	C_PINODE,
	C_PADDR,
	C_PROC,
	C_PPROC,
	C_SRC,
	C_MAX,
};

static const char *headers[C_MAX] = { "ADDRESS", "INODE",	  "TYPE",	  "STATE",
				      "RECVQ",	 "SENDQ",	  "PATH",	  "PEER-INODE",
				      "PEER-ADDRESS", "PROCESS", "PEER-PROCESS", "ADDR-SOURCE" };

static char *cell(const struct uc_socklist *l, const struct uc_sock *s, enum col c)
{
	struct uc_strbuf b;
	char tmp[UC_PATH_MAX * 4 + 2];
	const struct uc_sock *p = uc_socklist_peer(l, s);
	bool has_peer = s->has_peer || s->peer_inode || s->peer_addr;

	uc_strbuf_init(&b, NULL, 0, UC_STRBUF_GROW);
	switch (c) {
	case C_ADDR:
		if (s->addr)
			uc_strbuf_printf(&b, "0x%" PRIx64, s->addr);
		else
			uc_strbuf_printf(&b, "-");
		break;
	case C_INODE:
		uc_strbuf_printf(&b, "%" PRIu64, s->inode);
		break;
	case C_TYPE:
		uc_strbuf_printf(&b, "%s", type_word(s->type));
		break;
	case C_STATE:
		uc_strbuf_printf(&b, "%s", s->state ? uc_sl_state_name(s->state) : "-");
		break;
	case C_RQ:
	case C_WQ: {
		uint32_t q = c == C_RQ ? s->rqueue : s->wqueue;
		if (q == UC_SL_NOQ)
			uc_strbuf_printf(&b, "-");
		else
			uc_strbuf_printf(&b, "%" PRIu32, q);
		break;
	}
	case C_PATH:
		uc_sl_format_path_word(tmp, sizeof(tmp), s->path, s->path_len);
		uc_strbuf_printf(&b, "%s", tmp);
		break;
	case C_PINODE:
		if (has_peer)
			uc_strbuf_printf(&b, "%" PRIu64, s->peer_inode);
		else
			uc_strbuf_printf(&b, "-");
		break;
	case C_PADDR:
		if (s->peer_addr)
			uc_strbuf_printf(&b, "0x%" PRIx64, s->peer_addr);
		else
			uc_strbuf_printf(&b, "-");
		break;
	case C_PROC:
		owners_word(&b, l, s);
		if (!s->n_owners)
			uc_strbuf_printf(&b, "-");
		break;
	case C_PPROC:
		if (p && p->n_owners) {
			owners_word(&b, l, p);
		} else if (has_peer && s->cred_pid) {
			/* Nobody holds the peer yet (a connection not accepted): the peer
			 * credentials name the process that listened. */
			char comm[UC_COMM_LEN], word[UC_COMM_LEN * 4 + 1];
			uc_read_comm("/proc", s->cred_pid, comm, false);
			uc_sl_format_comm_word(word, sizeof(word), comm);
			uc_strbuf_printf(&b, "cred:%" PRIu32 "/%s", s->cred_pid, word);
		} else {
			uc_strbuf_printf(&b, "-");
		}
		break;
	case C_SRC:
		uc_strbuf_printf(&b, "%s", uc_addr_src_name((enum uc_addr_src)s->addr_src));
		break;
	case C_MAX:
		break;
	}
	return uc_strbuf_take(&b);
}

static int print_table(FILE *out, const struct uc_socklist *l, bool show_source)
{
	unsigned ncol = show_source ? C_MAX : C_SRC;
	size_t rows = 0;
	for (size_t k = 0; k < l->n; k++)
		rows += l->socks[k].want;
	char **cells = calloc((rows ? rows : 1) * ncol, sizeof(*cells));
	size_t width[C_MAX];
	if (!cells)
		return -ENOMEM;
	for (unsigned c = 0; c < ncol; c++)
		width[c] = strlen(headers[c]);
	size_t r = 0;
	int e = 0;
	for (size_t k = 0; k < l->n && !e; k++) {
		if (!l->socks[k].want)
			continue;
		for (unsigned c = 0; c < ncol; c++) {
			char *v = cell(l, &l->socks[k], (enum col)c);
			if (!v) {
				e = -ENOMEM;
				break;
			}
			cells[r * ncol + c] = v;
			if (strlen(v) > width[c])
				width[c] = strlen(v);
		}
		r++;
	}
	if (!e) {
		/* Numbers right-aligned, text left-aligned; the last column is not padded. */
		for (size_t i = 0; i <= rows; i++) {
			for (unsigned c = 0; c < ncol; c++) {
				const char *v = i ? cells[(i - 1) * ncol + c] : headers[c];
				bool num = c == C_INODE || c == C_RQ || c == C_WQ || c == C_PINODE;
				int w = (int)width[c];
				if (c + 1 == ncol)
					fprintf(out, "%s\n", v);
				else if (num)
					fprintf(out, "%*s ", w, v);
				else
					fprintf(out, "%-*s ", w, v);
			}
		}
	}
	for (size_t i = 0; i < rows * ncol; i++)
		free(cells[i]);
	free(cells);
	return e;
}

/* ---- JSON -------------------------------------------------------------------------------- */

static void json_path(FILE *out, const char *key, const char *path, unsigned len)
{
	char text[UC_PATH_MAX * 4 + 2];
	size_t n = uc_format_path(text, sizeof(text), path, len);
	fprintf(out, ",\"%s\":", key);
	uc_json_fputs(out, text, n);
}

static void json_addr(FILE *out, const char *key, uint64_t addr, uint8_t src)
{
	char text[24];

	uc_format_sock(text, sizeof(text), addr, false);
	if (addr)
		fprintf(out, ",\"%s\":\"%s\",\"%s_source\":\"%s\"", key, text, key,
			uc_addr_src_name((enum uc_addr_src)src));
	else
		fprintf(out, ",\"%s\":null", key);
}

static void json_queue(FILE *out, const char *key, uint32_t q)
{
	if (q == UC_SL_NOQ)
		fprintf(out, ",\"%s\":null", key);
	else
		fprintf(out, ",\"%s\":%" PRIu32, key, q);
}

static void json_owners(FILE *out, const char *key, const struct uc_socklist *l,
			const struct uc_sock *s)
{
	fprintf(out, ",\"%s\":[", key);
	for (uint32_t k = 0; s && k < s->n_owners; k++) {
		const struct uc_sock_owner *o = &l->owners[s->first_owner + k];
		fprintf(out, "%s{\"pid\":%" PRIu32 ",\"comm\":", k ? "," : "", o->pid);
		uc_json_fputs(out, o->comm, strnlen(o->comm, UC_COMM_LEN));
		fprintf(out, ",\"fd\":%" PRId32 "}", o->fd);
	}
	fputc(']', out);
}

static void print_json_one(FILE *out, const struct uc_socklist *l, const struct uc_sock *s)
{
	const struct uc_sock *p = uc_socklist_peer(l, s);
	bool has_peer = s->has_peer || s->peer_inode || s->peer_addr;

	char sock[24];

	uc_format_sock(sock, sizeof(sock), s->addr, false);
	fputc('{', out);
	if (s->addr)
		fprintf(out, "\"sock\":\"%s\",\"sock_source\":\"%s\"", sock,
			uc_addr_src_name((enum uc_addr_src)s->addr_src));
	else
		fprintf(out, "\"sock\":null");
	fprintf(out, ",\"inode\":%" PRIu64, s->inode);
	fprintf(out, ",\"type\":\"%s\"", type_word(s->type));
	fprintf(out, ",\"state\":\"%s\"", s->state ? uc_sl_state_name(s->state) : "-");
	json_queue(out, "recvq", s->rqueue);
	json_queue(out, "sendq", s->wqueue);
	json_path(out, "path", s->path, s->path_len);
	if (s->have_uid)
		fprintf(out, ",\"uid\":%" PRIu32, s->uid);
	if (s->have_vfs)
		fprintf(out, ",\"vfs_dev\":%" PRIu32 ",\"vfs_ino\":%" PRIu32, s->vfs_dev, s->vfs_ino);
	json_owners(out, "owners", l, s);
	if (has_peer)
		fprintf(out, ",\"peer_inode\":%" PRIu64, s->peer_inode);
	else
		fprintf(out, ",\"peer_inode\":null");
	json_addr(out, "peer_sock", s->peer_addr, s->peer_src);
	if (p)
		json_path(out, "peer_path", p->path, p->path_len);
	json_owners(out, "peer_owners", l, p);
	if (s->cred_pid)
		fprintf(out, ",\"peer_cred_pid\":%" PRIu32, s->cred_pid);
	fputs("}\n", out);
}

/* ---- netstat_unix --dump ----------------------------------------------------------------- */

static void print_dump_one(FILE *out, const struct uc_socklist *l, const struct uc_sock *s)
{
	const struct uc_sock *p = uc_socklist_peer(l, s);
	char pcomm[UC_COMM_LEN * 4 + 1] = "", ppid[16] = "";
	if (p && p->n_owners) {
		const struct uc_sock_owner *po = &l->owners[p->first_owner];
		uc_sl_format_comm_word(pcomm, sizeof(pcomm), po->comm);
		snprintf(ppid, sizeof(ppid), "%" PRIu32, po->pid);
	}
	uint32_t n = s->n_owners ? s->n_owners : 1;
	for (uint32_t k = 0; k < n; k++) {
		char comm[UC_COMM_LEN * 4 + 1] = "", pid[16] = "";
		if (s->n_owners) {
			const struct uc_sock_owner *o = &l->owners[s->first_owner + k];
			/* One line per process, not per fd. */
			if (k && o->pid == l->owners[s->first_owner + k - 1].pid)
				continue;
			uc_sl_format_comm_word(comm, sizeof(comm), o->comm);
			snprintf(pid, sizeof(pid), "%" PRIu32, o->pid);
		}
		fprintf(out, "%s:%s:%" PRIu64 ":%" PRIu64 ":%s:%s\n", comm, pid, s->inode,
			s->peer_inode, ppid, pcomm);
	}
}

int uc_sl_print(FILE *out, const struct uc_socklist *l, enum uc_sl_format fmt, bool show_source)
{
	int e = 0;
	if (fmt == UC_SL_TABLE) {
		e = print_table(out, l, show_source);
	} else {
		for (size_t k = 0; k < l->n; k++) {
			if (!l->socks[k].want)
				continue;
			if (fmt == UC_SL_JSON)
				print_json_one(out, l, &l->socks[k]);
			else
				print_dump_one(out, l, &l->socks[k]);
		}
	}
	if (fflush(out) != 0 || ferror(out))
		return -(errno ? errno : EIO);
	return e;
}
