/* The generator's sockets: the registry of every socket a scenario makes (role, inode, type),
 * and the helpers that make, bind, connect and close them. */
#include "gen_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ug_sock_type(int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return 0;
	return type;
}

static uint64_t fd_inode(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return 0;
	return (uint64_t)st.st_ino;
}

void ug_fd_name(int fd, bool peer, char *out, size_t outlen)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	int r;

	out[0] = '\0';
	memset(&sa, 0, sizeof(sa));
	r = peer ? getpeername(fd, (struct sockaddr *)&sa, &len)
		 : getsockname(fd, (struct sockaddr *)&sa, &len);
	if (r < 0 || len <= offsetof(struct sockaddr_un, sun_path))
		return;
	if (len > sizeof(sa))
		len = sizeof(sa);
	ug_display_path(sa.sun_path, len - offsetof(struct sockaddr_un, sun_path), out, outlen);
}

uint64_t ug_inode_of(int fd)
{
	return fd_inode(fd);
}

static struct ug_sock *find_sock(struct ug_ctx *c, int fd)
{
	for (size_t i = 0; i < c->nsocks; i++)
		if (c->socks[i].fd == fd)
			return &c->socks[i];
	return NULL;
}

int ug_reg(struct ug_ctx *c, const char *scen, const char *role, int fd)
{
	struct ug_sock *s;

	if (fd < 0)
		return -1;
	if (c->nsocks >= UG_MAX_SOCKS) {
		ug_fail(c, scen, "too many sockets");
		close(fd);
		return -1;
	}
	s = &c->socks[c->nsocks++];
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->type = ug_sock_type(fd);
	s->inode = fd_inode(fd);
	s->scenario = scen;
	snprintf(s->role, sizeof(s->role), "%s", role);
	return fd;
}

void ug_close(struct ug_ctx *c, int fd)
{
	struct ug_sock *s = find_sock(c, fd);

	if (fd < 0)
		return;
	if (s) {
		ug_fd_name(fd, false, s->path, sizeof(s->path));
		s->fd = -1;
	}
	close(fd);
}

int ug_socketpair(struct ug_ctx *c, const char *scen, int type, int sv[2])
{
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0) {
		ug_fail(c, scen, "socketpair: %s", strerror(errno));
		return -1;
	}
	ug_reg(c, scen, "a", sv[0]);
	ug_reg(c, scen, "b", sv[1]);
	return 0;
}

socklen_t ug_addr_fs(struct ug_ctx *c, struct sockaddr_un *sa, const char *name)
{
	size_t dl = strlen(c->dir), nl = strlen(name);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (dl + 1 + nl >= sizeof(sa->sun_path)) {
		ug_fail(c, name, "socket path too long under %s", c->dir);
		nl = 0;
		dl = dl < sizeof(sa->sun_path) - 2 ? dl : sizeof(sa->sun_path) - 2;
	}
	memcpy(sa->sun_path, c->dir, dl);
	sa->sun_path[dl] = '/';
	memcpy(sa->sun_path + dl + 1, name, nl);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
}

socklen_t ug_addr_abstract(struct sockaddr_un *sa, const void *name, size_t n)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n > sizeof(sa->sun_path))
		n = sizeof(sa->sun_path);
	memcpy(sa->sun_path, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
}

int ug_bound(struct ug_ctx *c, const char *scen, const char *role, int type,
	     const struct sockaddr_un *sa, socklen_t len)
{
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		ug_fail(c, scen, "socket: %s", strerror(errno));
		return -1;
	}
	if (sa && bind(fd, (const struct sockaddr *)sa, len) < 0) {
		ug_fail(c, scen, "bind %s: %s", role, strerror(errno));
		close(fd);
		return -1;
	}
	return ug_reg(c, scen, role, fd);
}

int ug_listener(struct ug_ctx *c, const char *scen, int type, const struct sockaddr_un *sa,
		socklen_t len)
{
	int fd = ug_bound(c, scen, "listener", type, sa, len);

	if (fd >= 0 && listen(fd, 8) < 0) {
		ug_fail(c, scen, "listen: %s", strerror(errno));
		return -1;
	}
	return fd;
}

int ug_connect_accept(struct ug_ctx *c, const char *scen, int type, int lfd,
		      const struct sockaddr_un *sa, socklen_t len, int *cli, int *srv)
{
	int fd = ug_bound(c, scen, "client", type, NULL, 0);

	*cli = *srv = -1;
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sa, len) < 0) {
		ug_fail(c, scen, "connect: %s", strerror(errno));
		return -1;
	}
	*cli = fd;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		ug_fail(c, scen, "accept: %s", strerror(errno));
		return -1;
	}
	*srv = ug_reg(c, scen, "server", fd);
	return *srv < 0 ? -1 : 0;
}

