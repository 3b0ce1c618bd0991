/* The conversation table (pairing, client rule, reuse, counts), split file names, and the
 * userspace side of --exclude-pid and --path prefixes. */
#include <stdlib.h>

#include "writers/conv/conversation.h"
#include "writers/conv/conversations.h"
#include "writers/conv/follow_text.h"
#include "capture/app/parse_options.h"
#include "capture/core/filter.h"
#include "capture/enrich/match.h"
#include "writers/capfile/reader.h"
#include "writers/conv/split.h"
#include "unit.h"

static struct uc_message msg(uint64_t sock, uint64_t ino, uint64_t peer, uint64_t peer_ino,
			     const char *path, const char *peer_path, uint32_t pid, uint32_t len)
{
	static const uint8_t payload[64];
	struct uc_message m = { .data = payload };
	m.m.sock = sock;
	m.m.inode = ino;
	m.m.peer_sock = peer;
	m.m.peer_inode = peer_ino;
	m.m.pid = m.m.tid = pid;
	m.m.type = 1;
	m.m.len = len;
	m.caplen = len < sizeof(payload) ? len : sizeof(payload);
	m.m.path_len = (uint16_t)strlen(path);
	memcpy(m.m.path, path, m.m.path_len);
	m.m.peer_path_len = (uint16_t)strlen(peer_path);
	memcpy(m.m.peer_path, peer_path, m.m.peer_path_len);
	snprintf(m.m.comm, sizeof(m.m.comm), "p%u", pid);
	m.ts_wall_ns = 1000 + pid;
	return m;
}

static void pairing_and_client_rule(void)
{
	struct uc_conv_table *t = uc_conv_table_new();
	int from = -1;

	/* The server answers first on an accepted socket that had no inode yet: still one
	 * conversation, and the unbound connecting end is the client. */
	struct uc_message a = msg(0xa0, 0, 0xb0, 11, "/srv", "", 2, 10);
	struct uc_conv *c = uc_conv_add(t, &a, &from);
	CHECK(c != NULL);
	CHECK_INT(from, UC_SERVER);
	CHECK_INT(c->end[UC_CLIENT].sock, 0xb0);
	CHECK_INT(c->end[UC_CLIENT].pid, 0); /* not seen sending yet, no peer credentials */
	uc_conv_count_msg(c, &a, from);
	struct uc_message b = msg(0xb0, 11, 0xa0, 10, "", "/srv", 1, 100);
	CHECK(uc_conv_add(t, &b, &from) == c);
	CHECK_INT(from, UC_CLIENT);
	uc_conv_count_msg(c, &b, from);
	CHECK_INT(c->end[UC_SERVER].inode, 10); /* filled in once known */
	CHECK_INT(c->end[UC_CLIENT].pid, 1);
	CHECK_INT(c->dir[UC_CLIENT].bytes, 100);
	CHECK_INT(c->dir[UC_CLIENT].missing, 100 - 64);
	CHECK_INT(c->dir[UC_CLIENT].gap_msgs, 1);
	CHECK_INT(c->dir[UC_SERVER].msgs, 1);
	CHECK_INT(uc_conv_count(t), 1);

	/* A socketpair (no names): the first sender is the client. */
	struct uc_message p = msg(0xc0, 20, 0xd0, 21, "", "", 3, 5);
	c = uc_conv_add(t, &p, &from);
	CHECK_INT(c->id, 1);
	CHECK_INT(from, UC_CLIENT);

	/* The same addresses with other inodes: the kernel reused them, a new conversation. */
	struct uc_message r = msg(0xb0, 12, 0xa0, 13, "", "/srv", 4, 5);
	c = uc_conv_add(t, &r, &from);
	CHECK_INT(c->id, 2);
	CHECK(uc_conv_add(t, &r, &from) == c);
	CHECK_INT(uc_conv_count(t), 3);
	CHECK(uc_conv_get(t, 0)->end[UC_SERVER].inode == 10);

	/* Failed sends and receive events count as seen, not as bytes. */
	struct uc_message e = msg(0xc0, 20, 0xd0, 21, "", "", 3, 0);
	e.m.flags = UC_MF_ERROR;
	c = uc_conv_add(t, &e, &from);
	uc_conv_count_msg(c, &e, from);
	CHECK_INT(c->errors, 1);
	CHECK_INT(c->dir[UC_CLIENT].msgs, 0);
	uc_conv_table_free(t);
}

static void many(void)
{
	struct uc_conv_table *t = uc_conv_table_new();
	for (uint64_t i = 0; i < 5000; i++) {
		struct uc_message m = msg(0x1000 + i, i + 1, 0x900000 + i, i + 100000, "", "", 1, 1);
		CHECK_INT(uc_conv_add(t, &m, NULL)->id, i);
	}
	int ok = 1;
	for (uint64_t i = 0; i < 5000; i++) {
		struct uc_message m = msg(0x900000 + i, i + 100000, 0x1000 + i, i + 1, "", "", 2, 1);
		int from;
		ok &= uc_conv_add(t, &m, &from)->id == i && from == UC_SERVER;
	}
	CHECK(ok);
	CHECK_INT(uc_conv_count(t), 5000);
	uc_conv_table_free(t);
}

static void split_names(void)
{
	struct uc_conv c = { .id = 7 };
	char name[256];
	c.end[UC_CLIENT] = (struct uc_conv_end){ .pid = 12, .inode = 34, .comm = "a b/c" };
	c.end[UC_SERVER] = (struct uc_conv_end){ .pid = 0, .inode = 56 };
	CHECK_INT(uc_split_name(name, sizeof(name), &c), 0);
	CHECK_STR(name, "c0007-12-a_b_c-34_0-unknown-56.pcapng");
}

static bool parse_match(const char *opt, const char *val, const struct uc_message *m)
{
	char *argv[] = { "unixcap", (char *)opt, (char *)val, NULL };
	struct uc_options o;
	char err[256];
	if (uc_parse_options(3, argv, &o, err, sizeof(err)) != UC_PARSE_RUN) {
		fprintf(stderr, "  %s %s: %s\n", opt, val, err);
		return false;
	}
	/* What -r applies: the kernel half and the userspace half (several --path forms). */
	struct uc_filter f;
	struct uc_match mm;
	uc_filter_init(&f, &o);
	if (uc_match_init(&mm, &f, true, false, err, sizeof(err))) {
		fprintf(stderr, "  %s %s: %s\n", opt, val, err);
		uc_options_free(&o);
		return false;
	}
	bool hit = uc_match(&mm, m);
	uc_match_free(&mm);
	uc_options_free(&o);
	return hit;
}

static void userspace_filters(void)
{
	struct uc_message m = msg(1, 2, 3, 4, "", "/tmp/sock-12", 42, 1);
	CHECK(parse_match("--path", "/tmp/sock-*", &m));
	CHECK(parse_match("--path", "/tmp/sock-12*", &m));
	CHECK(!parse_match("--path", "/tmp/sock-", &m));
	CHECK(!parse_match("--path", "/tmp/x*", &m));
	CHECK(!parse_match("--path", "/tmp/sock-\\x2a", &m)); /* a literal '*' */
	CHECK(parse_match("--exclude-pid", "7,8", &m));
	CHECK(!parse_match("--exclude-pid", "7,42", &m));

	/* Abstract names: @ and \xNN escapes, prefixes too. */
	struct uc_message a = msg(1, 2, 3, 4, "", "", 42, 1);
	memcpy(a.m.peer_path, "\0key\x01\x02", 6);
	a.m.peer_path_len = 6;
	CHECK(parse_match("--path", "@key\\x01\\x02", &a));
	CHECK(parse_match("--path", "@key\\x01*", &a));
	CHECK(!parse_match("--path", "@key", &a));
	CHECK(!parse_match("--path", "key*", &a));

	char *bad[] = { "unixcap", "--path", "*", NULL };
	struct uc_options o;
	char err[256];
	CHECK_INT(uc_parse_options(3, bad, &o, err, sizeof(err)), UC_PARSE_ERROR);
}

/* A peer pid whose process was gone has no name: "21279/?", never a dangling "21279/". */
static void peer_without_name(void)
{
	struct uc_conv_table *t = uc_conv_table_new();
	struct uc_message a = msg(0xa0, 10, 0xb0, 11, "", "/srv", 7, 10);
	int from = -1;
	char line[512], *table = NULL;
	size_t n = 0;

	a.m.peer_pid = 21279; /* peer_comm "" */
	struct uc_conv *c = uc_conv_add(t, &a, &from);
	CHECK(c != NULL);
	if (!c)
		return;
	uc_conv_count_msg(c, &a, from);
	uc_follow_format_end(line, sizeof(line), c, !from);
	CHECK(strstr(line, " 21279/? ") != NULL);
	FILE *f = open_memstream(&table, &n);
	CHECK(f != NULL);
	if (f) {
		uc_follow_list_print(f, t, false, 0);
		fclose(f);
		CHECK(table && strstr(table, "21279/? ") != NULL);
		CHECK(table && strstr(table, "21279/ ") == NULL);
	}
	free(table);
	uc_conv_table_free(t);
}

int main(void)
{
	pairing_and_client_rule();
	peer_without_name();
	many();
	split_names();
	userspace_filters();
	UNIT_DONE();
}
