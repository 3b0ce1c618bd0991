/* Console layout of `unixcap follow` (ASCII and hex). */
#include "writers/conv/follow_text.h"
#include "capture/core/text.h"

#include <inttypes.h>
#include <string.h>

static const char *side_name(int which)
{
	return which == UC_CLIENT ? "client" : "server";
}

size_t uc_follow_format_end(char *buf, size_t size, const struct uc_conv *c, int which)
{
	const struct uc_conv_end *e = &c->end[which];
	char comm[UC_COMM_LEN * 4 + 1], path[UC_PATH_MAX * 4 + 3];

	uc_format_bytes(comm, sizeof(comm), e->comm, strnlen(e->comm, UC_COMM_LEN));
	uc_format_path(path, sizeof(path), e->path, e->path_len);
	int n;
	if (!e->sock && !e->inode)
		n = snprintf(buf, size, "%s unknown socket%s%s", side_name(which),
			     path[0] ? " " : "", path);
	else
		n = snprintf(buf, size, "%s %" PRIu32 "/%s 0x%016" PRIx64 " inode %" PRIu64 " %s",
			     side_name(which), e->pid, e->pid && comm[0] ? comm : "?", e->sock, e->inode,
			     path[0] ? path : "(unnamed)");
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

void uc_follow_print_head(FILE *out, const struct uc_conv *c)
{
	char line[512];

	fprintf(out, "=== conversation %" PRIu64 ", %s\n", c->id, uc_type_name(c->type));
	for (int i = UC_CLIENT; i <= UC_SERVER; i++) {
		uc_follow_format_end(line, sizeof(line), c, i);
		fprintf(out, "%s\n", line);
	}
}

const char *uc_follow_missing_reason(const struct uc_message *m)
{
	if (m->m.flags & UC_MF_PAGES)
		return "in pages (splice/sendfile), not copied";
	if (m->flags & UC_UF_GAP)
		return "lost in the ring buffer";
	return "beyond the snapshot length";
}

/* Printable ASCII as is, line ends kept (a CR before LF is dropped), the rest as '.'. */
static void print_ascii(FILE *out, const uint8_t *d, size_t n)
{
	char buf[4096];
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = d[i];
		if (c == '\r' && i + 1 < n && d[i + 1] == '\n')
			continue;
		buf[o++] = (c >= 0x20 && c <= 0x7e) || c == '\n' || c == '\t' ? (char)c : '.';
		if (o == sizeof(buf)) {
			fwrite(buf, 1, o, out);
			o = 0;
		}
	}
	if (o)
		fwrite(buf, 1, o, out);
	if (n && d[n - 1] != '\n')
		fputc('\n', out);
}

/* "%08x  xx xx ... xx  xx ... xx  |................|" as hexdump -C, offsets per direction. */
static void print_hex(FILE *out, const uint8_t *d, size_t n, uint64_t base)
{
	for (size_t off = 0; off < n; off += 16) {
		char line[96];
		size_t k = n - off < 16 ? n - off : 16, o;
		o = (size_t)snprintf(line, sizeof(line), "%08" PRIx64 " ", base + off);
		for (size_t i = 0; i < 16; i++) {
			if (i == 8)
				line[o++] = ' ';
			if (i < k)
				o += (size_t)snprintf(line + o, sizeof(line) - o, " %02x", d[off + i]);
			else
				o += (size_t)snprintf(line + o, sizeof(line) - o, "   ");
		}
		line[o++] = ' ';
		line[o++] = ' ';
		line[o++] = '|';
		for (size_t i = 0; i < k; i++) {
			uint8_t c = d[off + i];
			line[o++] = c >= 0x20 && c <= 0x7e ? (char)c : '.';
		}
		line[o++] = '|';
		line[o++] = '\n';
		fwrite(line, 1, o, out);
	}
}

void uc_follow_print_msg(FILE *out, const struct uc_message *m, int from, bool hex,
			 uint64_t offset, const char *time_text)
{
	char comm[UC_COMM_LEN * 4 + 1];
	uint64_t have = m->data ? m->caplen : 0;

	if (have > m->m.len)
		have = m->m.len;
	uc_format_bytes(comm, sizeof(comm), m->m.comm, strnlen(m->m.comm, UC_COMM_LEN));
	fprintf(out, "--- %s > %s %s %" PRIu32 "/%" PRIu32 " %s %" PRIu32 " bytes at %" PRIu64 "\n",
		side_name(from), side_name(!from), time_text, m->m.pid, m->m.tid, comm, m->m.len,
		offset);
	if (hex)
		print_hex(out, m->data, have, offset);
	else
		print_ascii(out, m->data, have);
	if (have < m->m.len)
		fprintf(out, "[gap: %" PRIu64 " bytes not captured (%s), offsets %" PRIu64 "..%" PRIu64
			     "]\n",
			m->m.len - have, uc_follow_missing_reason(m), offset + have,
			offset + m->m.len - 1);
	if (m->m.flags & UC_MF_UNREADABLE)
		fprintf(out, "[damaged: a copy faulted; some of these bytes read as zero]\n");
}

void uc_follow_print_tail(FILE *out, const struct uc_conv *c)
{
	fprintf(out, "=== end of conversation %" PRIu64, c->id);
	for (int i = UC_CLIENT; i <= UC_SERVER; i++) {
		const struct uc_conv_dir *d = &c->dir[i];
		fprintf(out, "%s %s sent %" PRIu64 " bytes in %" PRIu64 " message%s", i ? "," : ":",
			side_name(i), d->bytes, d->msgs, d->msgs == 1 ? "" : "s");
		if (d->missing)
			fprintf(out, " (%" PRIu64 " not captured)", d->missing);
	}
	fputc('\n', out);
}
