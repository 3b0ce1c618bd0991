/* The conversation list: an aligned table, or JSON lines for scripts. */
#include "writers/conv/conversations.h"
#include "capture/core/clock.h"
#include "capture/core/json_string.h"
#include "capture/core/text.h"

#include <inttypes.h>
#include <string.h>

/* The name the conversation was reached by: the server's, else the client's. */
static const struct uc_conv_end *named_end(const struct uc_conv *c)
{
	return c->end[UC_SERVER].path_len ? &c->end[UC_SERVER] : &c->end[UC_CLIENT];
}

static void format_time(char *buf, size_t size, uint64_t ns, uint64_t base)
{
	if (!base) {
		uc_format_time(buf, size, ns);
		return;
	}
	uc_format_since(buf, size, ns, base, false);
}

static void format_end(char *buf, size_t size, const struct uc_conv_end *e)
{
	char comm[UC_COMM_LEN * 4 + 1];
	uc_format_bytes(comm, sizeof(comm), e->comm, strnlen(e->comm, UC_COMM_LEN));
	if (!e->sock && !e->inode)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%" PRIu32 "/%s 0x%" PRIx64 " %" PRIu64, e->pid,
			 e->pid && comm[0] ? comm : "?", e->sock, e->inode);
}

static void print_table(FILE *out, const struct uc_conv_table *t, uint64_t base)
{
	fprintf(out, "%-4s %-9s %-46s %-46s %7s %10s %7s %10s %9s %-18s %-18s %s\n", "ID", "TYPE",
		"CLIENT (pid/comm sock inode)", "SERVER (pid/comm sock inode)", "C>S", "BYTES",
		"S>C", "BYTES", "MISSING", "FIRST", "LAST", "NAME");
	for (size_t i = 0; i < uc_conv_count(t); i++) {
		const struct uc_conv *c = uc_conv_get(t, i);
		char cl[128], sv[128], first[48], last[48], path[UC_PATH_MAX * 4 + 3];
		if (!c->seen)
			continue;
		format_end(cl, sizeof(cl), &c->end[UC_CLIENT]);
		format_end(sv, sizeof(sv), &c->end[UC_SERVER]);
		format_time(first, sizeof(first), c->first_ns, base);
		format_time(last, sizeof(last), c->last_ns, base);
		const struct uc_conv_end *n = named_end(c);
		uc_format_path(path, sizeof(path), n->path, n->path_len);
		fprintf(out,
			"%-4" PRIu64 " %-9s %-46s %-46s %7" PRIu64 " %10" PRIu64 " %7" PRIu64
			" %10" PRIu64 " %9" PRIu64 " %-18s %-18s %s\n",
			c->id, uc_type_name(c->type), cl, sv, c->dir[0].msgs, c->dir[0].bytes,
			c->dir[1].msgs, c->dir[1].bytes, c->dir[0].missing + c->dir[1].missing, first,
			last, path);
	}
}

static void json_end(FILE *out, const char *key, const struct uc_conv_end *e)
{
	char comm[UC_COMM_LEN * 4 + 1], path[UC_PATH_MAX * 4 + 3], sock[24];
	/* Display text (terminal escapes), so JSON has only its own '\\' and '"' to escape. */
	size_t comm_len = uc_format_bytes(comm, sizeof(comm), e->comm,
					  strnlen(e->comm, UC_COMM_LEN));
	size_t path_len = uc_format_path(path, sizeof(path), e->path, e->path_len);
	uc_format_sock(sock, sizeof(sock), e->sock, true);
	fprintf(out, "\"%s\":{\"pid\":%" PRIu32 ",\"comm\":", key, e->pid);
	uc_json_fputs(out, comm, comm_len);
	fprintf(out, ",\"sock\":\"%s\",\"inode\":%" PRIu64 ",\"path\":", sock, e->inode);
	uc_json_fputs(out, path, path_len);
	fputc('}', out);
}

static void json_dir(FILE *out, const char *key, const struct uc_conv_dir *d)
{
	fprintf(out,
		"\"%s\":{\"messages\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"missing\":%" PRIu64
		",\"gap_messages\":%" PRIu64 "}",
		key, d->msgs, d->bytes, d->missing, d->gap_msgs);
}

static void print_json(FILE *out, const struct uc_conv_table *t)
{
	for (size_t i = 0; i < uc_conv_count(t); i++) {
		const struct uc_conv *c = uc_conv_get(t, i);
		if (!c->seen)
			continue;
		fprintf(out, "{\"id\":%" PRIu64 ",\"type\":\"%s\",", c->id, uc_type_name(c->type));
		json_end(out, "client", &c->end[UC_CLIENT]);
		fputc(',', out);
		json_end(out, "server", &c->end[UC_SERVER]);
		fputc(',', out);
		json_dir(out, "client_to_server", &c->dir[UC_CLIENT]);
		fputc(',', out);
		json_dir(out, "server_to_client", &c->dir[UC_SERVER]);
		fprintf(out,
			",\"messages\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"first_ns\":%" PRIu64
			",\"last_ns\":%" PRIu64 "}\n",
			c->seen, c->errors, c->first_ns, c->last_ns);
	}
}

void uc_follow_list_print(FILE *out, const struct uc_conv_table *t, bool json,
			  uint64_t rel_base_ns)
{
	if (json)
		print_json(out, t);
	else
		print_table(out, t, rel_base_ns);
}
