/* Generator core: payloads, drainer, address resolution, the run (the sockets: gen_sockets.c). */
#include "gen_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- small utilities ------------------------------------------------------------------- */

uint64_t ug_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= UG_FNV_PRIME;
	}
	return h;
}

size_t ug_display_path(const void *sun_path, size_t len, char *out, size_t outlen)
{
	const unsigned char *s = sun_path;
	size_t o = 0, i = 0;

	if (!outlen)
		return 0;
	out[0] = '\0';
	if (!len)
		return 0;
	if (s[0] == '\0') {
		if (outlen < 2)
			return 0;
		out[o++] = '@';
		i = 1;
	} else {
		len = strnlen((const char *)s, len);
	}
	for (; i < len; i++) {
		char tmp[8];
		size_t k;

		if (s[i] == '\\') {
			memcpy(tmp, "\\\\", 2);
			k = 2;
		} else if (s[i] < 0x20 || s[i] >= 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", s[i]);
			k = 4;
		} else {
			tmp[0] = (char)s[i];
			k = 1;
		}
		if (o + k >= outlen)
			break;
		memcpy(out + o, tmp, k);
		o += k;
	}
	out[o] = '\0';
	return o;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

long ug_display_decode(const char *disp, size_t displen, unsigned char *out, size_t outlen)
{
	size_t o = 0, i = 0;

	if (displen && disp[0] == '@') {
		if (!outlen)
			return -1;
		out[o++] = '\0';
		i = 1;
	}
	while (i < displen) {
		unsigned char ch = (unsigned char)disp[i];

		if (ch == '\\') {
			if (i + 1 >= displen)
				return -1;
			if (disp[i + 1] == '\\') {
				ch = '\\';
				i += 2;
			} else if (disp[i + 1] == 'x') {
				int hi, lo;

				if (i + 3 >= displen)
					return -1;
				hi = hexval(disp[i + 2]);
				lo = hexval(disp[i + 3]);
				if (hi < 0 || lo < 0)
					return -1;
				ch = (unsigned char)(hi << 4 | lo);
				i += 4;
			} else {
				return -1;
			}
		} else {
			i++;
		}
		if (o >= outlen)
			return -1;
		out[o++] = ch;
	}
	return (long)o;
}

int ug_kptr_restrict_get(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/kptr_restrict", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return atoi(buf);
}

int ug_kptr_restrict_set(int value, int *old)
{
	char buf[16];
	int fd, cur, len;

	cur = ug_kptr_restrict_get();
	if (cur < 0)
		return cur;
	if (old)
		*old = cur;
	if (cur == value)
		return 0;
	fd = open("/proc/sys/kernel/kptr_restrict", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d\n", value);
	if (write(fd, buf, (size_t)len) != len) {
		int e = errno ? errno : EIO;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

const char *ug_errno_name(int e)
{
	const char *n = e ? strerrorname_np(e) : NULL;

	return n ? n : "";
}

void ug_fail(struct ug_ctx *c, const char *scen, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&c->mu);
	c->failures++;
	pthread_mutex_unlock(&c->mu);
	fprintf(stderr, "unixgen: %s: %s\n", scen, msg);
}

/* ---- payloads --------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t ug_seed(const char *scen, unsigned idx)
{
	uint64_t s = ug_fnv1a(UG_FNV_OFFSET, scen, strlen(scen)) ^ ((uint64_t)idx << 32 | idx);

	return splitmix64(&s);
}

int ug_msg_init(struct ug_msg *m, uint64_t seed, const char *text, bool printable,
		const size_t *sizes, int n)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char *buf;
	size_t total = 0, off = 0, tlen = text ? strlen(text) : 0;

	memset(m, 0, sizeof(*m));
	if (n < 1 || n > UG_MAX_IOV)
		return -1;
	for (int i = 0; i < n; i++)
		total += sizes[i];
	buf = malloc(total ? total : 1);
	if (!buf)
		return -1;
	for (size_t i = 0; i < total; i++) {
		uint64_t r = splitmix64(&seed);

		if (i < tlen)
			buf[i] = (unsigned char)text[i];
		else if (printable)
			buf[i] = (unsigned char)alphabet[r % (sizeof(alphabet) - 1)];
		else
			buf[i] = (unsigned char)r;
	}
	for (int i = 0; i < n; i++) {
		void *seg = malloc(sizes[i] ? sizes[i] : 1);

		if (!seg) {
			free(buf);
			ug_msg_free(m);
			return -1;
		}
		memcpy(seg, buf + off, sizes[i]);
		m->iov[i].iov_base = seg;
		m->iov[i].iov_len = sizes[i];
		off += sizes[i];
		m->n = i + 1;
	}
	m->len = total;
	free(buf);
	return 0;
}

int ug_msg_init1(struct ug_msg *m, uint64_t seed, const char *text, bool printable, size_t len)
{
	return ug_msg_init(m, seed, text, printable, &len, 1);
}

void ug_msg_free(struct ug_msg *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->iov[i].iov_base);
	memset(m, 0, sizeof(*m));
}

/* ---- drainer ---------------------------------------------------------------------------- */

static void *drain_main(void *arg)
{
	struct ug_drainer *d = arg;
	struct pollfd p[9];
	char buf[65536];

	prctl(PR_SET_NAME, "ugen-drain", 0, 0, 0);
	for (int i = 0; i < d->n; i++) {
		p[i].fd = d->fds[i];
		p[i].events = POLLIN;
	}
	p[d->n].fd = d->stop[0];
	p[d->n].events = POLLIN;
	for (;;) {
		if (poll(p, (nfds_t)d->n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[d->n].revents)
			break;
		for (int i = 0; i < d->n; i++) {
			ssize_t r;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			r = recv(p[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
				p[i].fd = -1; /* EOF or error: poll ignores negative fds */
		}
	}
	return NULL;
}

int ug_drain_start(struct ug_drainer *d, const int *fds, int n)
{
	memset(d, 0, sizeof(*d));
	if (n > 8)
		return -1;
	memcpy(d->fds, fds, (size_t)n * sizeof(int));
	d->n = n;
	if (pipe2(d->stop, O_CLOEXEC) < 0)
		return -1;
	if (pthread_create(&d->th, NULL, drain_main, d) != 0) {
		close(d->stop[0]);
		close(d->stop[1]);
		return -1;
	}
	d->running = true;
	return 0;
}

void ug_drain_stop(struct ug_drainer *d)
{
	if (!d->running)
		return;
	if (write(d->stop[1], "x", 1) < 0) {
		/* cannot happen with an empty pipe; the join below would hang, so cancel */
		pthread_cancel(d->th);
	}
	pthread_join(d->th, NULL);
	close(d->stop[0]);
	close(d->stop[1]);
	d->running = false;
}

/* ---- /proc/net/unix --------------------------------------------------------------------- */

static struct ug_inode_addr *cache_find(struct ug_ctx *c, uint64_t inode)
{
	for (size_t i = 0; i < c->ncache; i++)
		if (c->cache[i].inode == inode)
			return &c->cache[i];
	return NULL;
}

/* Records the address of every registered open socket. 0, or -1 if the file is unreadable. */
static int ug_resolve(struct ug_ctx *c)
{
	FILE *f = fopen("/proc/net/unix", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		uint64_t addr, inode;
		struct ug_inode_addr *e;
		bool ours = false;

		if (sscanf(line, "%" SCNx64 ": %*x %*x %*x %*x %*x %" SCNu64, &addr, &inode) != 2)
			continue;
		for (size_t i = 0; i < c->nsocks && !ours; i++)
			ours = c->socks[i].fd >= 0 && c->socks[i].inode == inode;
		if (!ours)
			continue;
		e = cache_find(c, inode);
		if (!e) {
			if (c->ncache == c->capcache) {
				size_t ncap = c->capcache ? 2 * c->capcache : 64;
				struct ug_inode_addr *p = realloc(c->cache, ncap * sizeof(*p));

				if (!p)
					break;
				c->cache = p;
				c->capcache = ncap;
			}
			e = &c->cache[c->ncache++];
			e->inode = inode;
		}
		e->addr = addr;
	}
	free(line);
	fclose(f);
	for (size_t i = 0; i < c->nsocks; i++) {
		struct ug_inode_addr *e = cache_find(c, c->socks[i].inode);

		if (e)
			c->socks[i].addr = e->addr;
	}
	return 0;
}

/* ---- JSON output ------------------------------------------------------------------------ */

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static const char *type_name(int type)
{
	switch (type) {
	case SOCK_STREAM:
		return "stream";
	case SOCK_DGRAM:
		return "dgram";
	case SOCK_SEQPACKET:
		return "seqpacket";
	default:
		return "unknown";
	}
}

static void emit_socket(struct ug_ctx *c, const struct ug_sock *s)
{
	FILE *f = c->o->log;

	fprintf(f, "{\"kind\":\"socket\",\"scenario\":");
	jstr(f, s->scenario);
	fprintf(f, ",\"role\":");
	jstr(f, s->role);
	fprintf(f, ",\"pid\":%d,\"fd\":%d,\"type\":\"%s\",\"inode\":%" PRIu64 ",\"sock\":\"0x%" PRIx64
		   "\",\"path\":",
		(int)c->pid, s->fd, type_name(s->type), s->inode, s->addr);
	jstr(f, s->path);
	fprintf(f, "}\n");
}

static void emit_rec(struct ug_ctx *c, const struct ug_rec *r)
{
	FILE *f = c->o->log;

	fprintf(f, "{\"kind\":\"send\",\"scenario\":");
	jstr(f, r->scenario);
	fprintf(f, ",\"pid\":%d,\"tid\":%d,\"comm\":", (int)r->pid, (int)r->tid);
	jstr(f, r->comm);
	fprintf(f,
		",\"call\":\"%s\",\"type\":\"%s\",\"fd\":%d,\"inode\":%" PRIu64
		",\"sock\":\"0x%" PRIx64 "\",\"peer_inode\":%" PRIu64 ",\"peer_sock\":\"0x%" PRIx64
		"\",\"path\":",
		r->call, type_name(r->type), r->fd, r->inode, r->sock, r->peer_inode, r->peer_sock);
	jstr(f, r->path);
	fprintf(f, ",\"peer_path\":");
	jstr(f, r->peer_path);
	fprintf(f,
		",\"dest\":%d,\"len\":%zu,\"ret\":%ld,\"errno\":%d,\"error\":\"%s\",\"hash\":\"0x%016" PRIx64
		"\",\"snaplen\":%u,\"snap_len\":%u,\"snap_hash\":\"0x%016" PRIx64 "\"}\n",
		r->dest ? 1 : 0, r->len, r->ret, r->err, ug_errno_name(r->err), r->hash,
		c->snaplen, r->snap_len, r->snap_hash);
}

/* ---- run -------------------------------------------------------------------------------- */

static int scenario_index(const char *name, size_t len)
{
	for (int i = 0; ug_scenarios[i].name; i++)
		if (strlen(ug_scenarios[i].name) == len && !strncmp(ug_scenarios[i].name, name, len))
			return i;
	return -1;
}

/* Marks the selected scenarios in sel[]; -1 with the bad name on an unknown one. */
static int parse_only(const char *list, bool *sel, char *bad, size_t badlen)
{
	int n = 0;

	while (ug_scenarios[n].name)
		n++;
	for (int i = 0; i < n; i++)
		sel[i] = !list || !*list;
	while (list && *list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);
		int idx;

		if (len) {
			idx = scenario_index(list, len);
			if (idx < 0) {
				if (bad)
					snprintf(bad, badlen, "%.*s", (int)len, list);
				return -1;
			}
			sel[idx] = true;
		}
		list += len;
		if (*list == ',')
			list++;
	}
	return 0;
}

int ug_check_only(const char *list, char *bad, size_t badlen)
{
	bool sel[64];

	return parse_only(list, sel, bad, badlen);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

int ug_run(const struct ug_options *o)
{
	struct ug_ctx c;
	bool sel[64];
	void *state[64];
	char bad[64], old_comm[16] = "";
	int n = 0, rc = -1;
	bool hidden = false;
	struct sigaction sa;

	if (!o || !o->log)
		return -1;
	while (ug_scenarios[n].name)
		n++;
	if (parse_only(o->only, sel, bad, sizeof(bad)) < 0) {
		fprintf(stderr, "unixgen: unknown scenario '%s'\n", bad);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	memset(state, 0, sizeof(state));
	c.o = o;
	c.snaplen = o->snaplen ? o->snaplen : UG_SNAPLEN_DEFAULT;
	c.pid = getpid();
	pthread_mutex_init(&c.mu, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (o->main_comm) {
		prctl(PR_GET_NAME, old_comm, 0, 0, 0);
		prctl(PR_SET_NAME, o->main_comm, 0, 0, 0);
	}

	snprintf(c.dir, sizeof(c.dir), "%s/unixgen.XXXXXX", o->tmp_base ? o->tmp_base : "/tmp");
	if (!mkdtemp(c.dir)) {
		fprintf(stderr, "unixgen: mkdtemp %s: %s\n", c.dir, strerror(errno));
		c.dir[0] = '\0';
		goto out;
	}

	for (int i = 0; i < n; i++) {
		if (!sel[i])
			continue;
		state[i] = calloc(1, ug_scenarios[i].state_size ? ug_scenarios[i].state_size : 1);
		if (!state[i] || ug_scenarios[i].setup(&c, state[i]) < 0) {
			fprintf(stderr, "unixgen: %s: setup failed\n", ug_scenarios[i].name);
			goto out;
		}
	}

	if (ug_resolve(&c) < 0) {
		fprintf(stderr, "unixgen: /proc/net/unix: %s\n", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < c.nsocks; i++) {
		struct ug_sock *s = &c.socks[i];

		if (s->fd < 0)
			continue;
		ug_fd_name(s->fd, false, s->path, sizeof(s->path));
		if (!cache_find(&c, s->inode))
			ug_fail(&c, s->scenario, "%s (inode %" PRIu64 ") not in /proc/net/unix",
				s->role, s->inode);
		else if (s->addr >> 48 != 0xffff)
			hidden = true; /* 0 (no privilege) or hashed (kptr_restrict 0) */
		emit_socket(&c, s);
	}
	if (hidden)
		fprintf(stderr, "unixgen: warning: /proc/net/unix shows hashed or hidden socket "
				"addresses (need root and kernel.kptr_restrict=1)\n");
	fprintf(o->log, "{\"kind\":\"ready\",\"pid\":%d}\n", (int)c.pid);
	fflush(o->log);

	if (o->wait_go && o->wait_go(o->wait_arg) != 0)
		goto out;

	for (int i = 0; i < n; i++)
		if (sel[i])
			ug_scenarios[i].run(&c, state[i]);

	{
		struct timespec ts = { .tv_sec = (o->pause_ms ? o->pause_ms : 50) / 1000,
				       .tv_nsec = (long)((o->pause_ms ? o->pause_ms : 50) % 1000) * 1000000 };
		nanosleep(&ts, NULL);
	}
	ug_resolve(&c);
	for (size_t i = 0; i < c.nrecs; i++) {
		struct ug_rec *r = &c.recs[i];
		struct ug_inode_addr *e = cache_find(&c, r->inode);

		r->sock = e ? e->addr : 0;
		e = r->peer_inode ? cache_find(&c, r->peer_inode) : NULL;
		r->peer_sock = e ? e->addr : 0;
		emit_rec(&c, r);
	}
	for (size_t i = 0; i < c.nnotes; i++)
		fprintf(o->log, "%s\n", c.notes[i]);
	fprintf(o->log, "{\"kind\":\"end\",\"pid\":%d,\"sends\":%zu,\"failures\":%d}\n",
		(int)c.pid, c.nrecs, c.failures);
	fflush(o->log);
	rc = c.failures ? 1 : 0;
out:
	for (size_t i = 0; i < c.nsocks; i++)
		if (c.socks[i].fd >= 0)
			close(c.socks[i].fd);
	for (int i = 0; i < n; i++)
		free(state[i]);
	if (c.dir[0])
		remove_dir(c.dir);
	free(c.recs);
	free(c.cache);
	for (size_t i = 0; i < c.nnotes; i++)
		free(c.notes[i]);
	free(c.notes);
	pthread_mutex_destroy(&c.mu);
	if (old_comm[0])
		prctl(PR_SET_NAME, old_comm, 0, 0, 0);
	return rc;
}
