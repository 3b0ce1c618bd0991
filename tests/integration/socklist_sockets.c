/*
 * socklist_sockets - creates the unix sockets the socket-listing test checks, prints their
 * inodes and holders, and keeps them until told to exit.
 *
 * Usage: socklist_sockets DIR
 *
 * Sockets (NAME: what):
 *   pair_a, pair_b        socketpair(SOCK_STREAM)
 *   seq_a, seq_b          socketpair(SOCK_SEQPACKET)
 *   lst, cli, srv         listener on DIR/stream.sock, a client, the accepted socket
 *   pend                  a second client of lst, never accepted (its peer has no inode)
 *   abs_lst, abs_cli, abs_srv   the same on the abstract name @uc-socklist-PID
 *   dg_srv                datagram socket bound to "DIR/dgram sock" (a space in the name)
 *   dg_cli                unbound datagram socket connected to dg_srv
 *   dg_free               datagram socket bound to @uc-socklist-PID-\x01, unconnected
 *   shared_a, shared_b    socketpair: shared_a held by this process and by child 1 (forked
 *                         after it was made), shared_b only by child 2
 *   far_dg                datagram socket bound to @uc-socklist-PID-far, held only by child 3
 *   far_cli               datagram socket connected to far_dg (its sk_peer_pid stays empty)
 *
 * Output, on stdout: "sock NAME INODE", one line each, then
 * "pids MAIN CHILD1 CHILD2 CHILD3", "abstract NAME" (the abstract name's suffix after '@'),
 * then "ready". Commands on stdin, one per line:
 *   send NAME    sends "hello" on that socket (never blocking), answers "sent NAME"
 *   sendto NAME  sends "hello" from dg_free (unconnected) to NAME's bound name, answers
 *                "sent NAME"
 *   exit         (or end of input) exits; the children die with this process
 * Errors answer "error NAME: why". The processes are named sl-main, sl-child1..3.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SOCKS 32

struct named {
	const char *name;
	int fd; /* -1: held by a child only */
	unsigned long long inode;
	struct sockaddr_un addr; /* bound name, if this process bound it */
	socklen_t alen;
};

static struct named socks[MAX_SOCKS];
static int n_socks;

static void die(const char *what)
{
	fprintf(stderr, "socklist_sockets: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct named *add(const char *name, int fd)
{
	struct stat st;
	if (n_socks == MAX_SOCKS) {
		fprintf(stderr, "socklist_sockets: too many sockets\n");
		exit(1);
	}
	/* Now, while this process still holds every socket it names. */
	if (fstat(fd, &st))
		die("fstat");
	struct named *n = &socks[n_socks++];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->fd = fd;
	n->inode = (unsigned long long)st.st_ino;
	return n;
}

static struct named *find(const char *name)
{
	for (int i = 0; i < n_socks; i++)
		if (!strcmp(socks[i].name, name))
			return &socks[i];
	return NULL;
}

static socklen_t make_addr(struct sockaddr_un *a, const char *path, size_t len)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, path, len);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
}

static int bound(int type, const char *path, size_t len)
{
	struct sockaddr_un a;
	socklen_t alen = make_addr(&a, path, len);
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, alen) != 0)
		die("bind");
	return fd;
}

static int connected(int type, const char *path, size_t len)
{
	struct sockaddr_un a;
	socklen_t alen = make_addr(&a, path, len);
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, alen) != 0)
		die("connect");
	return fd;
}

/* A child that keeps fd keep (and no other socket of ours) until this process dies. */
static pid_t child(const char *name, int keep)
{
	int ready[2];
	if (pipe(ready))
		die("pipe");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, name);
		for (int fd = 3; fd < 1024; fd++)
			if (fd != keep && fd != ready[1])
				close(fd);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	char c;
	if (read(ready[0], &c, 1) != 1)
		die("child start");
	close(ready[0]);
	return pid;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: socklist_sockets DIR\n");
		return 2;
	}
	const char *dir = argv[1];
	prctl(PR_SET_NAME, "sl-main");
	signal(SIGPIPE, SIG_IGN);

	/* The children first, so that they hold nothing but their shared socket. */
	int sh[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sh))
		die("socketpair");
	add("shared_a", sh[0]);
	struct named *nb = add("shared_b", sh[1]);
	pid_t c1 = child("sl-child1", sh[0]);
	pid_t c2 = child("sl-child2", sh[1]);
	close(sh[1]);
	nb->fd = -1;

	char far[108];
	int farlen = snprintf(far, sizeof(far), "%cuc-socklist-%d-far", 0, (int)getpid());
	int fd_far = bound(SOCK_DGRAM, far, (size_t)farlen);
	struct named *nf = add("far_dg", fd_far);
	nf->alen = make_addr(&nf->addr, far, (size_t)farlen);
	pid_t c3 = child("sl-child3", fd_far);
	close(fd_far);
	nf->fd = -1;
	add("far_cli", connected(SOCK_DGRAM, far, (size_t)farlen));

	int p[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p))
		die("socketpair");
	add("pair_a", p[0]);
	add("pair_b", p[1]);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p))
		die("socketpair");
	add("seq_a", p[0]);
	add("seq_b", p[1]);

	char path[108];
	snprintf(path, sizeof(path), "%s/stream.sock", dir);
	unlink(path);
	int lst = bound(SOCK_STREAM, path, strlen(path));
	if (listen(lst, 8))
		die("listen");
	add("lst", lst);
	add("cli", connected(SOCK_STREAM, path, strlen(path)));
	int srv = accept4(lst, NULL, NULL, SOCK_CLOEXEC);
	if (srv < 0)
		die("accept");
	add("srv", srv);
	add("pend", connected(SOCK_STREAM, path, strlen(path)));

	char abs[108];
	int alen = snprintf(abs, sizeof(abs), "%cuc-socklist-%d", 0, (int)getpid());
	int alst = bound(SOCK_STREAM, abs, (size_t)alen);
	if (listen(alst, 8))
		die("listen");
	add("abs_lst", alst);
	add("abs_cli", connected(SOCK_STREAM, abs, (size_t)alen));
	int asrv = accept4(alst, NULL, NULL, SOCK_CLOEXEC);
	if (asrv < 0)
		die("accept");
	add("abs_srv", asrv);

	char dpath[108];
	snprintf(dpath, sizeof(dpath), "%s/dgram sock", dir);
	unlink(dpath);
	add("dg_srv", bound(SOCK_DGRAM, dpath, strlen(dpath)));
	add("dg_cli", connected(SOCK_DGRAM, dpath, strlen(dpath)));
	char fname[108];
	int flen = snprintf(fname, sizeof(fname), "%cuc-socklist-%d-\x01", 0, (int)getpid());
	add("dg_free", bound(SOCK_DGRAM, fname, (size_t)flen));

	for (int i = 0; i < n_socks; i++)
		printf("sock %s %llu\n", socks[i].name, socks[i].inode);
	printf("pids %d %d %d %d\n", (int)getpid(), (int)c1, (int)c2, (int)c3);
	printf("abstract %s\n", abs + 1);
	printf("ready\n");
	fflush(stdout);

	char line[256];
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "exit"))
			break;
		const char *name = strchr(line, ' ') ? strchr(line, ' ') + 1 : "";
		struct named *n = find(name);
		const char *why = NULL;
		if (!n) {
			why = "unknown socket";
		} else if (!strncmp(line, "send ", 5)) {
			if (n->fd < 0)
				why = "not held by this process";
			else if (send(n->fd, "hello", 5, MSG_DONTWAIT) != 5)
				why = strerror(errno);
		} else if (!strncmp(line, "sendto ", 7)) {
			struct named *from = find("dg_free");
			if (!n->alen)
				why = "not bound by this process";
			else if (sendto(from->fd, "hello", 5, MSG_DONTWAIT, (struct sockaddr *)&n->addr,
					n->alen) != 5)
				why = strerror(errno);
		} else {
			why = "unknown command";
		}
		if (why)
			printf("error %s: %s\n", name, why);
		else
			printf("sent %s\n", name);
		fflush(stdout);
	}
	unlink(path);
	unlink(dpath);
	pid_t kids[] = { c1, c2, c3 };
	for (int i = 0; i < 3; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	return 0;
}
