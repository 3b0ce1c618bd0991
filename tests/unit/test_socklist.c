/* Socket listing: /proc/net/unix, /proc/PID/fd scan, merge, filters, output (sock_diag:
 * test_socklist_diag.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/unix_diag.h>

#include "capture/core/proc_comm.h"
#include "capture/socklist/socklist.h"
#include "capture/socklist/command.h"
#include "capture/core/text.h"
#include "unit.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static char out_text[16384];

/* Runs uc_sl_print into out_text. */
static int print_to_text(const struct uc_socklist *l, enum uc_sl_format fmt, bool src)
{
	FILE *f = fmemopen(out_text, sizeof(out_text) - 1, "w");
	memset(out_text, 0, sizeof(out_text));
	int e = uc_sl_print(f, l, fmt, src);
	fclose(f);
	return e;
}

/* The line of out_text containing needle ("" if none), without newline. */
static const char *line_with(const char *needle)
{
	static char line[4096];
	const char *p = strstr(out_text, needle);
	line[0] = '\0';
	if (!p)
		return line;
	while (p > out_text && p[-1] != '\n')
		p--;
	size_t n = strcspn(p, "\n");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, p, n);
	line[n] = '\0';
	return line;
}

/* The line of out_text starting with prefix ("" if none). */
static const char *line_starting(const char *prefix)
{
	static char line[4096];
	line[0] = '\0';
	for (const char *p = out_text; *p;) {
		size_t n = strcspn(p, "\n");
		if (!strncmp(p, prefix, strlen(prefix))) {
			if (n >= sizeof(line))
				n = sizeof(line) - 1;
			memcpy(line, p, n);
			line[n] = '\0';
			return line;
		}
		p += n + (p[n] == '\n');
	}
	return line;
}

/* Collapses runs of spaces: table rows compare without their alignment. */
static const char *squeeze(const char *s)
{
	static char buf[4096];
	size_t w = 0;
	for (; *s && w + 1 < sizeof(buf); s++)
		if (*s != ' ' || (w && buf[w - 1] != ' '))
			buf[w++] = *s;
	while (w && buf[w - 1] == ' ')
		w--;
	buf[w] = '\0';
	return buf;
}

/* ---- /proc/net/unix ---------------------------------------------------------------------- */

static const char *write_temp(const char *text)
{
	static char path[64];
	strcpy(path, "/tmp/uc-socklist-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		path[0] = '\0';
	close(fd);
	return path;
}

static void test_procnet(void)
{
	static const char hdr[] = "Num       RefCount Protocol Flags    Type St Inode Path\n";
	char text[2048];
	struct uc_socklist l;
	bool real = true;

	/* Hashed (kptr_restrict=0): sockets are listed, addresses are not used. */
	snprintf(text, sizeof(text),
		 "%s"
		 "00000000bf156987: 00000003 00000000 00000000 0001 03  1656\n"
		 "00000000c4071f14: 00000002 00000000 00010000 0001 01  1657 @my\\abstract\n"
		 "0000000012345678: 00000002 00000000 00000000 0001 02     0 /run/a b.sock\n",
		 hdr);
	const char *f = write_temp(text);
	uc_socklist_init(&l);
	CHECK_INT(uc_sl_procnet_collect(&l, f, &real), 3);
	CHECK(!real);
	CHECK_INT(l.n, 2); /* the inode-less one cannot be identified without its address */
	struct uc_sock *s = uc_socklist_find(&l, 1656);
	if (s) {
		CHECK_INT(s->addr, 0);
		CHECK_INT(s->state, UC_SL_ESTABLISHED);
		CHECK_INT(s->type, SOCK_STREAM);
	}
	s = uc_socklist_find(&l, 1657);
	if (s) {
		CHECK_INT(s->state, UC_SL_LISTEN);
		CHECK_INT(s->path_len, 12);
		CHECK(!memcmp(s->path, "\0my\\abstract", 12));
	}
	uc_socklist_free(&l);
	unlink(f);

	/* Real (kptr_restrict=1 with CAP_SYSLOG). */
	snprintf(text, sizeof(text),
		 "%s"
		 "ffff88810249e880: 00000003 00000000 00000000 0001 03  1656\n"
		 "ffff88810249f600: 00000002 00000000 00000000 0001 02     0 /run/a b.sock\n",
		 hdr);
	f = write_temp(text);
	uc_socklist_init(&l);
	CHECK_INT(uc_sl_procnet_collect(&l, f, &real), 2);
	CHECK(real);
	CHECK_INT(l.n, 2);
	s = uc_socklist_find(&l, 1656);
	if (s) {
		CHECK_INT(s->addr, 0xffff88810249e880ull);
		CHECK_INT(s->addr_src, UC_ADDR_PROC);
	}
	s = uc_socklist_find_addr(&l, 0xffff88810249f600ull);
	CHECK(s != NULL);
	if (s) {
		CHECK_INT(s->inode, 0);
		CHECK_STR(s->path, "/run/a b.sock");
	}
	uc_socklist_free(&l);
	unlink(f);

	/* kptr_restrict=2: zeros. */
	snprintf(text, sizeof(text), "%s0000000000000000: 00000003 00000000 00000000 0001 03  1656\n",
		 hdr);
	f = write_temp(text);
	uc_socklist_init(&l);
	CHECK_INT(uc_sl_procnet_collect(&l, f, &real), 1);
	CHECK(!real);
	uc_socklist_free(&l);
	unlink(f);

	CHECK(uc_sl_addr_is_real(0xffff888102249e80ull));
	CHECK(!uc_sl_addr_is_real(0x00000000bf156987ull));
	CHECK(!uc_sl_addr_is_real(0));
	uc_socklist_init(&l);
	CHECK_INT(uc_sl_procnet_collect(&l, "/nonexistent/unix", &real), -ENOENT);
	uc_socklist_free(&l);
}

/* ---- /proc/PID/fd ------------------------------------------------------------------------ */

static char proc_root[64];

static void fake_proc_fd(uint32_t pid, int fd, const char *target)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%u", proc_root, pid);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%u/fd", proc_root, pid);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%u/fd/%d", proc_root, pid, fd);
	unlink(p);
	if (symlink(target, p) != 0)
		fprintf(stderr, "symlink %s: %s\n", p, strerror(errno));
}

static void fake_proc_comm(uint32_t pid, const char *comm)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%u/comm", proc_root, pid);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(comm, f);
		fclose(f);
	}
}

static void make_fake_proc(void)
{
	strcpy(proc_root, "/tmp/uc-fakeproc-XXXXXX");
	if (!mkdtemp(proc_root)) {
		perror("mkdtemp");
		return;
	}
	fake_proc_fd(100, 3, "socket:[555]");
	fake_proc_fd(100, 4, "pipe:[9]");
	fake_proc_fd(100, 5, "socket:[777]"); /* not a unix socket of the listing */
	fake_proc_fd(100, 9, "socket:[556]");
	fake_proc_comm(100, "srv\n");
	fake_proc_fd(42, 7, "socket:[555]");
	fake_proc_fd(42, 8, "socket:[555]");
	fake_proc_comm(42, "a b,c/d\n");
	fake_proc_fd(300, 1, "/dev/null");
	fake_proc_comm(300, "other\n");
	char p[256];
	snprintf(p, sizeof(p), "%s/self", proc_root);
	mkdir(p, 0755);
}

static void remove_fake_proc(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", proc_root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", proc_root);
}

static struct uc_socklist *fake_listing(void)
{
	static struct uc_socklist l;
	uc_socklist_init(&l);
	struct uc_sock *a = uc_socklist_get(&l, 555), *b = uc_socklist_get(&l, 556);
	a->type = b->type = SOCK_STREAM;
	a->state = b->state = UC_SL_ESTABLISHED;
	a->has_peer = b->has_peer = true;
	a->peer_inode = 556;
	b->peer_inode = 555;
	a->rqueue = a->wqueue = b->rqueue = b->wqueue = 0;
	uc_sock_set_addr(a, 0xffff888100000100ull, UC_ADDR_ITER);
	uc_sock_set_addr(b, 0xffff888100000200ull, UC_ADDR_ITER);
	uc_sock_set_path(b, "/run/with space.sock", 21);
	struct uc_sock *c = uc_socklist_get(&l, 600);
	c->type = SOCK_DGRAM;
	c->state = UC_SL_CLOSE;
	uc_sock_set_path(c, "\0abs\x01", 5);
	return &l;
}

static void test_proc_owners(void)
{
	struct uc_socklist *l = fake_listing();

	CHECK_INT(uc_sl_proc_owners(l, proc_root), 3);
	uc_socklist_finish(l);
	CHECK_INT(l->n_owners, 5); /* 777 kept, though nothing lists it yet */
	const struct uc_sock *s = uc_socklist_find(l, 555);
	CHECK(s != NULL);
	if (s) {
		CHECK_INT(s->n_owners, 3);
		const struct uc_sock_owner *o = &l->owners[s->first_owner];
		CHECK_INT(o[0].pid, 42);
		CHECK_INT(o[0].fd, 7);
		CHECK_STR(o[0].comm, "a b,c/d");
		CHECK_INT(o[1].fd, 8);
		CHECK_INT(o[2].pid, 100);
		CHECK_STR(o[2].comm, "srv");
		/* finish lends the peer's address. */
		CHECK_INT(s->peer_addr, 0xffff888100000200ull);
		CHECK_INT(s->peer_src, UC_ADDR_ITER);
	}
	/* Listed only by a later source (as without sock_diag): its holder attaches then. */
	CHECK(uc_socklist_get(l, 777) != NULL);
	uc_socklist_finish(l);
	s = uc_socklist_find(l, 777);
	CHECK(s && s->n_owners == 1 && l->owners[s->first_owner].pid == 100);
	s = uc_socklist_find(l, 555);
	CHECK(s && s->n_owners == 3);

	char comm[UC_COMM_LEN];
	uc_read_comm(proc_root, 100, comm, false);
	CHECK_STR(comm, "srv");
	uc_read_comm(proc_root, 12345, comm, false);
	CHECK_STR(comm, "");
	CHECK_INT(uc_sl_proc_scan("/nonexistent-proc", NULL, NULL), -ENOENT);
	uc_socklist_free(l);
}

/* ---- merge and filters ------------------------------------------------------------------- */

static void test_merge(void)
{
	struct uc_socklist l;
	struct uc_sl_rec r;
	uc_socklist_init(&l);

	/* sock_diag first, then the iterator: diag keeps its fields, the address comes in. */
	struct uc_sock *s = uc_socklist_get(&l, 10);
	s->seen = UC_SL_DIAG;
	s->type = SOCK_STREAM;
	s->state = UC_SL_ESTABLISHED;
	s->rqueue = 4;
	memset(&r, 0, sizeof(r));
	r.valid = 1;
	r.sk = 0xffff888100001000ull;
	r.peer = 0xffff888100002000ull;
	r.inode = 10;
	r.peer_inode = 0;
	r.rqueue = UC_SL_NOQ;
	r.type = SOCK_DGRAM;
	r.cred_pid = 77;
	uc_sl_merge_rec(&l, &r, UC_ADDR_ITER);
	s = uc_socklist_find(&l, 10);
	CHECK_INT(s->addr, 0xffff888100001000ull);
	CHECK_INT(s->peer_addr, 0xffff888100002000ull);
	CHECK_INT(s->type, SOCK_STREAM);
	CHECK_INT(s->rqueue, 4);
	CHECK_INT(s->cred_pid, 77);
	CHECK_INT(s->seen, UC_SL_DIAG | UC_SL_ITER);

	/* The inode-less peer, reported by the iterator: a new entry known by address. */
	r.sk = 0xffff888100002000ull;
	r.peer = 0xffff888100001000ull;
	r.inode = 0;
	r.peer_inode = 10;
	r.type = SOCK_STREAM;
	r.state = UC_SL_ESTABLISHED;
	r.rqueue = UC_SL_NOQ;
	r.wqueue = 832;
	uc_sl_merge_rec(&l, &r, UC_ADDR_ITER);
	CHECK_INT(l.n, 2);
	s = uc_socklist_find_addr(&l, 0xffff888100002000ull);
	CHECK(s != NULL);
	if (s) {
		CHECK_INT(s->peer_inode, 10);
		CHECK(s->has_peer);
		CHECK_INT(s->rqueue, UC_SL_NOQ);
		CHECK_INT(s->wqueue, 832);
	}
	/* Again: merged, not duplicated. */
	uc_sl_merge_rec(&l, &r, UC_ADDR_FD);
	CHECK_INT(l.n, 2);

	/* A worse source never overrides a better one; a better one does. */
	s = uc_socklist_find(&l, 10);
	uc_sock_set_addr(s, 0xffff888100009999ull, UC_ADDR_PROC);
	CHECK_INT(s->addr, 0xffff888100001000ull);
	struct uc_sock *t = uc_socklist_get(&l, 11);
	uc_sock_set_addr(t, 0xffff888100003000ull, UC_ADDR_FD_PEER);
	uc_sock_set_addr(t, 0xffff888100004000ull, UC_ADDR_FD);
	CHECK_INT(t->addr, 0xffff888100004000ull);
	CHECK_INT(t->addr_src, UC_ADDR_FD);
	uc_sock_set_addr(t, 0, UC_ADDR_ITER);
	CHECK_INT(t->addr, 0xffff888100004000ull);

	/* Invalid records are ignored. */
	r.valid = 0;
	r.inode = 12;
	uc_sl_merge_rec(&l, &r, UC_ADDR_ITER);
	CHECK(uc_socklist_find(&l, 12) == NULL);

	/* Growth keeps the index right. */
	for (uint64_t i = 1000; i < 3000; i++)
		uc_socklist_get(&l, i);
	uc_socklist_finish(&l);
	CHECK_INT(l.n, 2003);
	CHECK(uc_socklist_find(&l, 2999) && uc_socklist_find(&l, 2999)->inode == 2999);
	CHECK(uc_socklist_find(&l, 10) && uc_socklist_find(&l, 10)->cred_pid == 77);
	CHECK(l.socks[l.n - 1].inode == 0); /* inode-less last */
	uc_socklist_free(&l);
}

static size_t wanted(const struct uc_socklist *l, uint64_t inode)
{
	const struct uc_sock *s = uc_socklist_find(l, inode);
	return s && s->want;
}

static void test_filter(void)
{
	struct uc_socklist *l = fake_listing();
	struct uc_sl_filter f;
	uc_sl_proc_owners(l, proc_root);
	uc_socklist_finish(l);

	CHECK_INT(uc_socklist_filter(l, NULL), 3);
	memset(&f, 0, sizeof(f));
	f.pids[f.n_pids++] = 42;
	CHECK_INT(uc_socklist_filter(l, &f), 1);
	CHECK(wanted(l, 555));
	f.pids[f.n_pids++] = 100;
	CHECK_INT(uc_socklist_filter(l, &f), 2);

	memset(&f, 0, sizeof(f));
	f.inode = 556; /* either end */
	CHECK_INT(uc_socklist_filter(l, &f), 2);
	memset(&f, 0, sizeof(f));
	f.sock = 0xffff888100000100ull;
	CHECK_INT(uc_socklist_filter(l, &f), 2);
	memset(&f, 0, sizeof(f));
	f.type = SOCK_DGRAM;
	CHECK_INT(uc_socklist_filter(l, &f), 1);
	CHECK(wanted(l, 600));

	memset(&f, 0, sizeof(f));
	f.have_path = true;
	f.path_len = 20;
	memcpy(f.path, "/run/with space.sock", 20);
	CHECK_INT(uc_socklist_filter(l, &f), 2); /* the socket and its peer */
	f.path_len = 19;
	CHECK_INT(uc_socklist_filter(l, &f), 0);
	memset(&f, 0, sizeof(f));
	f.have_path = true;
	f.path_len = 5;
	memcpy(f.path, "\0abs\x01", 5);
	CHECK_INT(uc_socklist_filter(l, &f), 1);
	f.path_len = 4; /* abstract names match whole */
	CHECK_INT(uc_socklist_filter(l, &f), 0);

	/* All filters together. */
	memset(&f, 0, sizeof(f));
	f.pids[f.n_pids++] = 100;
	f.type = SOCK_STREAM;
	f.inode = 555;
	CHECK_INT(uc_socklist_filter(l, &f), 2);
	f.type = SOCK_DGRAM;
	CHECK_INT(uc_socklist_filter(l, &f), 0);
	uc_socklist_free(l);
}

/* ---- output ------------------------------------------------------------------------------ */

static void test_words(void)
{
	char buf[64];
	uc_sl_format_path_word(buf, sizeof(buf), "/a b\\c", 6);
	CHECK_STR(buf, "/a\\x20b\\\\c");
	uc_sl_format_path_word(buf, sizeof(buf), "\0x y", 4);
	CHECK_STR(buf, "@x\\x20y");
	uc_sl_format_path_word(buf, sizeof(buf), "", 0);
	CHECK_STR(buf, "-");
	uc_sl_format_path_word(buf, sizeof(buf), "-", 1);
	CHECK_STR(buf, "\\x2d");
	uc_sl_format_path_word(buf, sizeof(buf), "/x\0\0", 4);
	CHECK_STR(buf, "/x");
	uc_sl_format_comm_word(buf, sizeof(buf), "a b,c/d:e");
	CHECK_STR(buf, "a\\x20b\\x2cc\\x2fd\\x3ae");
	CHECK_INT(uc_sl_format_comm_word(buf, 4, "abcdef"), 3);
	CHECK_STR(buf, "abc");
	CHECK_INT(uc_sl_format_comm_word(buf, 4, "ab,"), 2); /* no split escape */
	CHECK_STR(buf, "ab");

	/* The table's path form reads back with uc_parse_path (as --path takes it). */
	char back[UC_PATH_MAX];
	unsigned len = 0;
	uc_sl_format_path_word(buf, sizeof(buf), "\0a b\x01", 5);
	CHECK_INT(uc_parse_path(buf, back, &len), 0);
	CHECK_INT(len, 5);
	CHECK(!memcmp(back, "\0a b\x01", 5));

	CHECK_STR(uc_sl_state_name(UC_SL_ESTABLISHED), "ESTAB");
	CHECK_STR(uc_sl_state_name(UC_SL_LISTEN), "LISTEN");
	CHECK_STR(uc_sl_state_name(UC_SL_CLOSE), "UNCONN");
	CHECK_STR(uc_sl_state_name(200), "UNKNOWN");
	CHECK_STR(uc_addr_src_name(UC_ADDR_ITER), "iter");
	CHECK_STR(uc_addr_src_name(UC_ADDR_FD_PEER), "fd-peer");
	CHECK_STR(uc_addr_src_name(UC_ADDR_NONE), "none");
}

static void test_print(void)
{
	struct uc_socklist *l = fake_listing();
	uc_sl_proc_owners(l, proc_root);
	uc_socklist_finish(l);
	uc_socklist_filter(l, NULL);

	CHECK_INT(print_to_text(l, UC_SL_TABLE, false), 0);
	CHECK_STR(squeeze(line_with("ADDRESS")),
		  "ADDRESS INODE TYPE STATE RECVQ SENDQ PATH PEER-INODE PEER-ADDRESS PROCESS "
		  "PEER-PROCESS");
	CHECK_STR(squeeze(line_starting("0xffff888100000100")),
		  "0xffff888100000100 555 stream ESTAB 0 0 - 556 0xffff888100000200 "
		  "42/a\\x20b\\x2cc\\x2fd/7,42/a\\x20b\\x2cc\\x2fd/8,100/srv/3 100/srv/9");
	CHECK_STR(squeeze(line_starting("0xffff888100000200")),
		  "0xffff888100000200 556 stream ESTAB 0 0 /run/with\\x20space.sock 555 "
		  "0xffff888100000100 100/srv/9 42/a\\x20b\\x2cc\\x2fd/7,42/a\\x20b\\x2cc\\x2fd/8,100/srv/3");
	CHECK_STR(squeeze(line_starting("-")), "- 600 dgram UNCONN - - @abs\\x01 - - - -");
	/* Columns line up: PATH starts at the same offset in every line. */
	const char *h = line_with("ADDRESS");
	size_t at = (size_t)(strstr(h, "PATH") - h);
	CHECK(strstr(line_starting("0xffff888100000200"), "/run/") - line_starting("0xffff888100000200") == (long)at);

	CHECK_INT(print_to_text(l, UC_SL_TABLE, true), 0);
	CHECK(strstr(line_with("ADDRESS"), "ADDR-SOURCE") != NULL);
	CHECK(strstr(line_starting("-"), " none") != NULL);
	CHECK(strstr(line_starting("0xffff888100000100"), " iter") != NULL);

	CHECK_INT(print_to_text(l, UC_SL_DUMP, false), 0);
	CHECK_STR(out_text, "a\\x20b\\x2cc\\x2fd:42:555:556:100:srv\n"
			    "srv:100:555:556:100:srv\n"
			    "srv:100:556:555:42:a\\x20b\\x2cc\\x2fd\n"
			    "::600:0::\n");

	CHECK_INT(print_to_text(l, UC_SL_JSON, false), 0);
	CHECK_STR(line_with("\"inode\":556"),
		  "{\"sock\":\"0xffff888100000200\",\"sock_source\":\"iter\",\"inode\":556,"
		  "\"type\":\"stream\",\"state\":\"ESTAB\",\"recvq\":0,\"sendq\":0,"
		  "\"path\":\"/run/with space.sock\","
		  "\"owners\":[{\"pid\":100,\"comm\":\"srv\",\"fd\":9}],\"peer_inode\":555,"
		  "\"peer_sock\":\"0xffff888100000100\",\"peer_sock_source\":\"iter\","
		  "\"peer_path\":\"\",\"peer_owners\":[{\"pid\":42,\"comm\":\"a b,c/d\",\"fd\":7},"
		  "{\"pid\":42,\"comm\":\"a b,c/d\",\"fd\":8},{\"pid\":100,\"comm\":\"srv\",\"fd\":3}]}");
	CHECK_STR(line_with("\"inode\":600"),
		  "{\"sock\":null,\"inode\":600,\"type\":\"dgram\",\"state\":\"UNCONN\",\"recvq\":null,"
		  "\"sendq\":null,\"path\":\"@abs\\\\x01\",\"owners\":[],\"peer_inode\":null,"
		  "\"peer_sock\":null,\"peer_owners\":[]}");

	/* Only wanted sockets are written. */
	struct uc_sl_filter f = { .type = SOCK_DGRAM };
	uc_socklist_filter(l, &f);
	CHECK_INT(print_to_text(l, UC_SL_DUMP, false), 0);
	CHECK_STR(out_text, "::600:0::\n");
	uc_socklist_free(l);
}

static void test_cli_errors(void)
{
	char a0[] = "unixcap";
	char *bad[][4] = {
		{ a0, "--type", "raw", NULL },	   { a0, "--sock", "0", NULL },
		{ a0, "--sock", "xyz", NULL },	   { a0, "--json", "--dump", NULL },
		{ a0, "-p", "0", NULL },	   { a0, "-p", "1,,2", NULL },
		{ a0, "--inode", "-1", NULL },	   { a0, "--path", "\\q", NULL },
		{ a0, "--addr-source", "x", NULL }, { a0, "--bogus", NULL, NULL },
		{ a0, "extra", NULL, NULL },	   { a0, "--path", NULL, NULL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int argc = 0;
		while (argc < 4 && bad[i][argc])
			argc++;
		CHECK_INT(uc_socklist_main(argc, bad[i]), 2);
	}
}

int main(void)
{
	make_fake_proc();
	test_procnet();
	test_proc_owners();
	test_merge();
	test_filter();
	test_words();
	test_print();
	test_cli_errors();
	remove_fake_proc();
	UNIT_DONE();
}
