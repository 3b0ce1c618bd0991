/*
 * -w then -r without a kernel: messages go through the real file writer (pcapng or pcap,
 * plain or zstd) into a temporary file and come back through libpcap. Also: file mode,
 * files cut short, and files that are not captures at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "writers/capfile/reader.h"
#include "writers/capfile/writer.h"
#include "writers/capfile/linktype.h"
#include "unit.h"

#define N_MSGS 40

static char dir[] = "/tmp/uc-roundtrip-XXXXXX";
static uint8_t payloads[N_MSGS][2000];
static struct uc_fd_info fd_one = { .fd = 9, .peer_fd = -1, .ino = 5, .kind = UC_FDK_ANON,
				    .name = "anon_inode:[eventfd]" };

static struct uc_message msg(int i)
{
	struct uc_message m;

	memset(&m, 0, sizeof(m));
	m.id = 1000 + (uint64_t)i;
	m.m.pid = 4000 + (uint32_t)i;
	m.m.tid = 4000 + (uint32_t)i;
	m.m.sock = 0xffff888100000000ull + (uint64_t)i * 64;
	m.m.type = i % 2 ? 2 : 1;
	m.m.fd = (uint32_t)i;
	memcpy(m.m.comm, "rt", 3);
	m.m.path_len = (uint16_t)snprintf(m.m.path, sizeof(m.m.path), "/run/rt%d.sock", i);
	m.m.len = (uint32_t)(i * 50);
	m.caplen = m.m.caplen = m.m.len;
	for (uint32_t k = 0; k < m.caplen; k++)
		payloads[i][k] = (uint8_t)(k ^ (uint32_t)i);
	m.data = payloads[i];
	m.ts_wall_ns = 1763888592000000000ull + (uint64_t)i * 1000;
	if (i % 5 == 3) {
		m.m.flags = m.flags = UC_MF_CREDS;
		m.m.cred_pid = 77;
		m.m.n_fds = 1;
		m.fds = &fd_one;
		m.n_fds = 1;
	}
	return m;
}

struct got {
	int n;
	int bad;
};

static int on_msg(const struct uc_message *m, void *ctx)
{
	struct got *g = ctx;
	struct uc_message want = msg(g->n);

	if (m->id != want.id || m->m.pid != want.m.pid || m->m.len != want.m.len ||
	    m->caplen != want.caplen || memcmp(m->data, want.data, want.caplen) ||
	    m->ts_wall_ns != want.ts_wall_ns || m->m.path_len != want.m.path_len ||
	    memcmp(m->m.path, want.m.path, want.m.path_len) || m->n_fds != want.n_fds ||
	    m->m.cred_pid != want.m.cred_pid ||
	    (m->n_fds && strcmp(m->fds[0].name, fd_one.name))) {
		fprintf(stderr, "message %d differs after the round trip\n", g->n);
		g->bad++;
	}
	g->n++;
	return 0;
}

static void write_file(const char *path, enum uc_file_format fmt, bool zstd, int n)
{
	struct uc_writer_cfg cfg = {
		.file = { .path = path, .zstd = zstd, .zstd_level = 3 },
		.format = fmt,
		.linktype = UC_LT_DEFAULT,
		.snaplen = 262144,
	};
	struct uc_writer *w;
	char err[256];

	CHECK_INT(uc_writer_open(&w, &cfg, err, sizeof(err)), 0);
	CHECK_INT(uc_writer_start(w, "test", 1763888592000000000ull), 0);
	for (int i = 0; i < n; i++) {
		struct uc_message m = msg(i);
		CHECK_INT(uc_writer_write(w, &m), 0);
		if (i % 7 == 0)
			CHECK_INT(uc_writer_flush(w), 0);
	}
	CHECK_INT(uc_writer_close(w), 0);
	uc_writer_free(w);
}

static int read_file(const char *path, struct got *g, char *err, size_t errlen)
{
	memset(g, 0, sizeof(*g));
	return uc_readback(path, 0, on_msg, g, err, errlen);
}

static void round_trip(const char *name, enum uc_file_format fmt, bool zstd)
{
	char path[128], err[512] = "";
	struct got g;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, fmt, zstd, N_MSGS);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	int rc = read_file(path, &g, err, sizeof(err));
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "  %s: %s\n", name, err);
	CHECK_INT(g.n, N_MSGS);
	CHECK_INT(g.bad, 0);

	/* Cut mid-file: the packets before the cut still come back, then one error line. */
	char cut[160];
	snprintf(cut, sizeof(cut), "%s.cut", path);
	int in = open(path, O_RDONLY), out = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	static uint8_t buf[1 << 20];
	ssize_t n = read(in, buf, sizeof(buf));
	CHECK(n > 0 && write(out, buf, (size_t)n * 2 / 3) == n * 2 / 3);
	close(in);
	close(out);
	err[0] = 0;
	rc = read_file(cut, &g, err, sizeof(err));
	CHECK(rc < 0 && err[0] && !strchr(err, '\n'));
	CHECK(g.n > N_MSGS / 3 && g.n < N_MSGS);
	CHECK_INT(g.bad, 0);
	unlink(cut);
	unlink(path);
}

static void rejects(const char *what, const void *bytes, size_t n)
{
	char path[128], err[512] = "";
	struct got g;

	snprintf(path, sizeof(path), "%s/bad", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(write(fd, bytes, n) == (ssize_t)n);
	close(fd);
	int rc = read_file(path, &g, err, sizeof(err));
	CHECK(rc < 0);
	CHECK(err[0] && !strchr(err, '\n'));
	if (rc >= 0)
		fprintf(stderr, "  accepted %s\n", what);
	unlink(path);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	round_trip("a.pcapng", UC_FMT_PCAPNG, false);
	round_trip("a.pcap", UC_FMT_PCAP, false);
	round_trip("a.pcapng.zst", UC_FMT_PCAPNG, true);
	round_trip("a.pcap.zst", UC_FMT_PCAP, true);

	rejects("an empty file", "", 0);
	rejects("text", "hello, world\n", 13);
	rejects("a zstd magic and garbage", "\x28\xb5\x2f\xfd\x00\x01\x02garbage", 14);
	/* A classic pcap header of link type 1 (Ethernet): not a unixcap capture. */
	static const uint8_t eth[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
					 0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	rejects("an Ethernet pcap", eth, sizeof(eth));
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	struct got g;
	char err[512];
	CHECK(read_file(missing, &g, err, sizeof(err)) == -ENOENT);
	rmdir(dir);
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed != 0;
}
