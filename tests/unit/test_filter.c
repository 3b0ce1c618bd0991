/*
 * The one filter model (capture/core/filter.h): for every case of the table, the command
 * line's filter description is turned into what a live capture loads (the struct uc_config
 * and the filter_pids map, as capture/live/backend.c fills them) and evaluated with the
 * predicates the BPF programs are compiled from (bpf/filter.h), in the order
 * bpf/capture.bpf.h applies them, plus the userspace half (-n, --cgroup); and through the
 * matcher of a file read with -r (capture/enrich/match.h). Both must give the table's
 * answer: a live capture and a read of its file keep the same messages.
 */
#include <stdlib.h>

#include "bpf/filter.h"
#include "capture/app/parse_options.h"
#include "capture/core/filter.h"
#include "capture/enrich/match.h"
#include "unit.h"

/* The message of a case: what the kernel knows of it before copying. */
struct msg_spec {
	uint32_t pid, tid;
	uint16_t type, n_fds;
	uint64_t sock, peer_sock, inode, peer_inode;
	const char *path, *peer_path; /* "@x" abstract; a trailing "\0" is stored as such */
	unsigned path_len, peer_path_len; /* 0: strlen */
	const char *comm;
};

static const struct filter_case {
	const char *opts[4]; /* the filter options */
	struct msg_spec m;
	bool want;
} cases[] = {
	{ { NULL }, { .pid = 10 }, true },
	{ { "-p", "10" }, { .pid = 10 }, true },
	{ { "-p", "10,11" }, { .pid = 11 }, true },
	{ { "-p", "10" }, { .pid = 12 }, false },
	{ { "--exclude-pid", "10" }, { .pid = 10 }, false },
	{ { "--exclude-pid", "10" }, { .pid = 12 }, true },
	{ { "-p", "10", "--exclude-pid", "11" }, { .pid = 11 }, false },
	{ { "-p", "10", "--exclude-pid", "11" }, { .pid = 10 }, true },
	{ { "-p", "10", "--exclude-pid", "11" }, { .pid = 12 }, false },
	{ { "-t", "21" }, { .pid = 20, .tid = 21 }, true },
	{ { "-t", "21" }, { .pid = 21, .tid = 22 }, false },
	{ { "--type", "dgram" }, { .type = 2 }, true },
	{ { "--type", "dgram" }, { .type = 1 }, false },
	{ { "--type", "seqpacket" }, { .type = 5 }, true },
	{ { "--fds" }, { .n_fds = 0 }, false },
	{ { "--fds" }, { .n_fds = 2 }, true },
	{ { "--sock", "ffff888000001000" }, { .sock = 0xffff888000001000 }, true },
	{ { "--sock", "0xffff888000001000" }, { .peer_sock = 0xffff888000001000 }, true },
	{ { "--sock", "ffff888000001000" }, { .sock = 0xffff888000002000 }, false },
	{ { "--inode", "77" }, { .inode = 77 }, true },
	{ { "--inode", "77" }, { .inode = 1, .peer_inode = 77 }, true },
	{ { "--inode", "77" }, { .inode = 1, .peer_inode = 78 }, false },
	{ { "--path", "/run/a.sock" }, { .path = "/run/a.sock" }, true },
	{ { "--path", "/run/a.sock" }, { .peer_path = "/run/a.sock" }, true },
	/* Filesystem names may be stored with their NUL. */
	{ { "--path", "/run/a.sock" }, { .path = "/run/a.sock", .path_len = 12 }, true },
	{ { "--path", "/run/a.sock" }, { .path = "/run/a.sockx" }, false },
	{ { "--path", "/run/a.sock" }, { .path = "/run/a.soc" }, false },
	{ { "--path", "/run/a*" }, { .path = "/run/a.sock" }, true },
	{ { "--path", "/run/a*" }, { .peer_path = "/run/b.sock" }, false },
	{ { "--path", "@bus" }, { .path = "@bus" }, true },
	{ { "--path", "@bus" }, { .path = "@bus2" }, false },
	{ { "--path", "@bus" }, { .path = "@bus", .path_len = 5 }, false }, /* abstract: no NUL */
	{ { "-n", "^ssh" }, { .comm = "sshd" }, true },
	{ { "-n", "^ssh" }, { .comm = "bash" }, false },
	{ { "-n", "d$", "-p", "10" }, { .pid = 10, .comm = "sshd" }, true },
	{ { "-n", "d$", "-p", "10" }, { .pid = 11, .comm = "sshd" }, false },
	{ { "--type", "stream", "--inode", "5" }, { .type = 1, .peer_inode = 5 }, true },
	{ { "--type", "stream", "--inode", "5" }, { .type = 2, .peer_inode = 5 }, false },
};

static unsigned fill_path(char *dst, const char *s, unsigned len)
{
	if (!s)
		return 0;
	unsigned n = len ? len : (unsigned)strlen(s);
	memset(dst, 0, UC_PATH_MAX);
	memcpy(dst, s, strlen(s) < n ? strlen(s) : n);
	if (s[0] == '@')
		dst[0] = 0;
	return n;
}

static struct uc_message make_msg(const struct msg_spec *s)
{
	struct uc_message m = { 0 };
	m.m.pid = s->pid ? s->pid : 100;
	m.m.tid = s->tid ? s->tid : m.m.pid;
	m.m.type = s->type ? s->type : 1;
	m.n_fds = s->n_fds;
	m.m.n_fds = s->n_fds;
	m.m.sock = s->sock ? s->sock : 0xffff888000000100;
	m.m.peer_sock = s->peer_sock ? s->peer_sock : 0xffff888000000200;
	m.m.inode = s->inode ? s->inode : 1000;
	m.m.peer_inode = s->peer_inode ? s->peer_inode : 1001;
	m.m.path_len = (uint16_t)fill_path(m.m.path, s->path, s->path_len);
	m.m.peer_path_len = (uint16_t)fill_path(m.m.peer_path, s->peer_path, s->peer_path_len);
	snprintf(m.m.comm, sizeof(m.m.comm), "%s", s->comm ? s->comm : "prog");
	return m;
}

/* The filter_pids map as the backend fills it: -p entries, then --exclude-pid ones. */
struct pid_map {
	uint32_t pid[2 * UC_MAX_PIDS];
	uint8_t val[2 * UC_MAX_PIDS];
	unsigned n;
};

static void map_put(struct pid_map *pm, uint32_t pid, uint8_t v)
{
	for (unsigned i = 0; i < pm->n; i++) {
		if (pm->pid[i] == pid) {
			pm->val[i] = v;
			return;
		}
	}
	pm->pid[pm->n] = pid;
	pm->val[pm->n++] = v;
}

static const uint8_t *map_lookup(const struct pid_map *pm, uint32_t pid)
{
	for (unsigned i = 0; i < pm->n; i++)
		if (pm->pid[i] == pid)
			return &pm->val[i];
	return NULL;
}

/*
 * What the BPF programs decide with this configuration and map (bpf/capture.bpf.h:
 * task_wanted and type_wanted at entry, then emit_message's checks).
 */
static bool kernel_keeps(const struct uc_config *cfg, const struct pid_map *pm,
			 const struct uc_message *msg)
{
	const struct uc_meta *m = &msg->m;

	if (m->pid == cfg->self_tgid)
		return false;
	if (!uc_cfg_tid_wanted(cfg, m->tid))
		return false;
	if (cfg->filter_pids || cfg->exclude_pids) {
		const uint8_t *v = map_lookup(pm, m->pid);
		if (!uc_cfg_pid_wanted(cfg, v ? *v : 0))
			return false;
	}
	if (!uc_cfg_type_wanted(cfg, m->type))
		return false;
	if (!uc_cfg_fds_wanted(cfg, m->n_fds))
		return false;
	if (!uc_cfg_sock_wanted(cfg, m->sock, m->peer_sock))
		return false;
	if (cfg->filter_inode && !uc_cfg_inode_wanted(cfg, m->inode, m->peer_inode))
		return false;
	if (cfg->filter_path && !uc_cfg_path_matches(cfg, m->path, m->path_len) &&
	    !uc_cfg_path_matches(cfg, m->peer_path, m->peer_path_len))
		return false;
	return true;
}

static void one_case(const struct filter_case *c, unsigned idx)
{
	char *argv[8] = { "unixcap" };
	int argc = 1;
	struct uc_options o;
	char err[256];

	for (unsigned i = 0; i < 4 && c->opts[i]; i++)
		argv[argc++] = (char *)c->opts[i];
	if (uc_parse_options(argc, argv, &o, err, sizeof(err)) != UC_PARSE_RUN) {
		fprintf(stderr, "case %u: %s\n", idx, err);
		CHECK(0);
		return;
	}
	struct uc_filter f;
	uc_filter_init(&f, &o);

	/* Live: the kernel's configuration and map, then what userspace adds. */
	struct uc_config cfg = { .self_tgid = 1, .snaplen = 262144 };
	struct pid_map pm = { .n = 0 };
	uc_filter_kernel_config(&f, &cfg);
	for (unsigned i = 0; i < f.n_pids; i++)
		map_put(&pm, f.pids[i], UC_PID_INCLUDE);
	for (unsigned i = 0; i < f.n_exclude_pids; i++)
		map_put(&pm, f.exclude_pids[i], UC_PID_EXCLUDE);
	for (unsigned i = 0; i < pm.n; i++)
		CHECK_INT(uc_filter_pid_entry(&f, pm.pid[i]), pm.val[i]);

	struct uc_match live, read;
	CHECK_INT(uc_match_init(&live, &f, false, false, err, sizeof(err)), 0);
	CHECK_INT(uc_match_init(&read, &f, true, false, err, sizeof(err)), 0);

	struct uc_message m = make_msg(&c->m);
	bool k = kernel_keeps(&cfg, &pm, &m);
	bool live_keeps = k && uc_match(&live, &m);
	bool read_keeps = uc_match(&read, &m);
	if (live_keeps != c->want || read_keeps != c->want) {
		fprintf(stderr, "case %u (%s %s %s %s): live %d (kernel %d), -r %d, want %d\n", idx,
			argv[1] ? argv[1] : "", argc > 2 ? argv[2] : "", argc > 3 ? argv[3] : "",
			argc > 4 ? argv[4] : "", live_keeps, k, read_keeps, c->want);
	}
	CHECK(live_keeps == c->want);
	CHECK(read_keeps == c->want);
	/* The kernel half alone is what -r adds to the live userspace matcher. */
	CHECK(uc_filter_kernel_match(&f, &m) == k);
	uc_match_free(&live);
	uc_match_free(&read);
	uc_options_free(&o);
}

/* A kernel configuration carries exactly the filter fields of the description. */
static void config_fields(void)
{
	char *argv[] = { "unixcap", "--path", "/x*", "--sock", "abc", "-t", "7", "--fds", NULL };
	struct uc_options o;
	char err[256];
	CHECK_INT(uc_parse_options(8, argv, &o, err, sizeof(err)), UC_PARSE_RUN);
	struct uc_filter f;
	uc_filter_init(&f, &o);
	struct uc_config cfg;
	memset(&cfg, 0xaa, sizeof(cfg));
	cfg.snaplen = 5;
	uc_filter_kernel_config(&f, &cfg);
	CHECK_INT(cfg.snaplen, 5); /* not a filter field: left alone */
	CHECK_INT(cfg.filter_path, 1);
	CHECK_INT(cfg.path_len, 2);
	CHECK_INT(cfg.path_prefix, 1);
	CHECK(!memcmp(cfg.path, "/x", 2));
	CHECK_INT(cfg.filter_sock, 0xabc);
	CHECK_INT(cfg.filter_tid, 7);
	CHECK_INT(cfg.fds_only, 1);
	CHECK_INT(cfg.filter_pids, 0);
	CHECK_INT(cfg.exclude_pids, 0);
	CHECK_INT(cfg.filter_inode, 0);
	CHECK_INT(cfg.filter_type, 0);
	uc_options_free(&o);
}

/* --cgroup is userspace's alone: a bad path is refused, any message fails an unknown id. */
static void cgroup_half(void)
{
	char *argv[] = { "unixcap", "--cgroup", "/no/such/unixcap-test", NULL };
	struct uc_options o;
	char err[256] = "";
	CHECK_INT(uc_parse_options(3, argv, &o, err, sizeof(err)), UC_PARSE_RUN);
	struct uc_filter f;
	uc_filter_init(&f, &o);
	struct uc_match live, read;
	CHECK_INT(uc_match_init(&live, &f, false, true, err, sizeof(err)), -1);
	CHECK(strstr(err, "no such cgroup") != NULL);
	CHECK_INT(uc_match_init(&read, &f, true, false, err, sizeof(err)), 0);
	struct msg_spec s = { .pid = 5 };
	struct uc_message m = make_msg(&s);
	m.m.cgroup_id = 1; /* no cgroup directory has inode 1 */
	CHECK(!uc_match(&read, &m));
	uc_match_free(&read);
	uc_options_free(&o);
}

int main(void)
{
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		one_case(&cases[i], i);
	config_fields();
	cgroup_half();
	UNIT_DONE();
}
