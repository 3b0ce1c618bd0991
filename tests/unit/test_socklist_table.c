/* Socket owner cache (socklist_table.h) over a fake /proc and the real one; sock_diag live. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/socklist/socklist.h"
#include "capture/enrich/socktable.h"
#include "unit.h"

static char root[64];

static void fake_fd(uint32_t pid, int fd, const char *target, const char *comm)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%u", root, pid);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%u/fd", root, pid);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%u/fd/%d", root, pid, fd);
	unlink(p);
	if (symlink(target, p) != 0)
		fprintf(stderr, "symlink %s: %s\n", p, strerror(errno));
	snprintf(p, sizeof(p), "%s/%u/comm", root, pid);
	FILE *f = fopen(p, "w");
	if (f) {
		fprintf(f, "%s\n", comm);
		fclose(f);
	}
}

static void test_fake(void)
{
	uint32_t pid = 0;
	char comm[UC_COMM_LEN];

	strcpy(root, "/tmp/uc-socktable-XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		unit_failed++;
		return;
	}
	fake_fd(500, 3, "socket:[1000]", "server");
	fake_fd(20, 4, "socket:[1000]", "parent"); /* shared after fork: lowest pid wins */
	fake_fd(20, 5, "socket:[1001]", "parent");

	/* Rebuilds never allowed after the first: misses stay misses. */
	struct uc_socktable *t = uc_socktable_new_at(root, ~0ull, ~0ull);
	CHECK(t != NULL);
	CHECK_INT(uc_socktable_builds(t), 0); /* lazy */
	CHECK_INT(uc_socktable_owner(t, 1000, &pid, comm), 0);
	CHECK_INT(pid, 20);
	CHECK_STR(comm, "parent");
	CHECK_INT(uc_socktable_owner(t, 1001, &pid, comm), 0);
	CHECK_INT(uc_socktable_builds(t), 1);
	fake_fd(600, 9, "socket:[2000]", "late");
	CHECK_INT(uc_socktable_owner(t, 2000, &pid, comm), -ENOENT);
	CHECK_INT(uc_socktable_owner(t, 2000, &pid, comm), -ENOENT);
	CHECK_INT(uc_socktable_builds(t), 1); /* rate-limited */
	uc_socktable_invalidate(t);
	CHECK_INT(uc_socktable_owner(t, 2000, &pid, comm), 0);
	CHECK_INT(pid, 600);
	CHECK_STR(comm, "late");
	CHECK_INT(uc_socktable_builds(t), 2);
	CHECK_INT(uc_socktable_owner(t, 0, &pid, comm), -EINVAL);
	uc_socktable_free(t);

	/* Rebuilds always allowed: a miss rebuilds, a hit does not. */
	t = uc_socktable_new_at(root, 0, ~0ull);
	CHECK_INT(uc_socktable_owner(t, 1000, &pid, comm), 0);
	CHECK_INT(uc_socktable_owner(t, 1000, &pid, comm), 0);
	CHECK_INT(uc_socktable_builds(t), 1);
	fake_fd(700, 3, "socket:[3000]", "newer");
	CHECK_INT(uc_socktable_owner(t, 3000, &pid, comm), 0);
	CHECK_INT(pid, 700);
	CHECK_INT(uc_socktable_builds(t), 2);
	CHECK_INT(uc_socktable_owner(t, 4000, &pid, comm), -ENOENT);
	CHECK_INT(uc_socktable_builds(t), 3);
	uc_socktable_free(t);

	/* Entries older than the maximum age are rebuilt before they are trusted. */
	t = uc_socktable_new_at(root, 0, 0);
	CHECK_INT(uc_socktable_owner(t, 1000, &pid, comm), 0);
	CHECK_INT(uc_socktable_owner(t, 1000, &pid, comm), 0);
	CHECK_INT(uc_socktable_builds(t), 2);
	uc_socktable_free(t);

	/* Many sockets: the table grows. */
	t = uc_socktable_new_at(root, 0, ~0ull);
	char target[32];
	for (int i = 0; i < 3000; i++) {
		snprintf(target, sizeof(target), "socket:[%d]", 100000 + i);
		fake_fd(800, 10 + i, target, "many");
	}
	CHECK_INT(uc_socktable_owner(t, 102999, &pid, comm), 0);
	CHECK_INT(pid, 800);
	CHECK_INT(uc_socktable_owner(t, 100000, &pid, comm), 0);
	CHECK_INT(uc_socktable_owner(t, 1000, &pid, comm), 0);
	CHECK_INT(pid, 20);
	CHECK_INT(uc_socktable_builds(t), 1);
	uc_socktable_free(t);

	t = uc_socktable_new_at("/nonexistent-proc", 0, 0);
	CHECK_INT(uc_socktable_owner(t, 1000, &pid, comm), -ENOENT);
	uc_socktable_free(t);
	uc_socktable_free(NULL);

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
}

static uint64_t inode_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* The real /proc: a socket handed to a child belongs to the child once the parent
 * closes its copy; sock_diag sees the pair with its peers. */
static void test_real(void)
{
	int sv[2], ready[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) || pipe(ready)) {
		perror("socketpair");
		unit_failed++;
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		close(sv[0]);
		close(ready[0]);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	char c;
	if (read(ready[0], &c, 1) != 1)
		unit_failed++;
	close(ready[0]);
	close(sv[1]);
	uint64_t mine = inode_of(sv[0]), theirs = 0;

	struct uc_socktable *t = uc_socktable_new();
	uint32_t pid = 0;
	char comm[UC_COMM_LEN];
	CHECK_INT(uc_socktable_owner(t, mine, &pid, comm), 0);
	CHECK_INT(pid, (uint32_t)getpid());
	CHECK_STR(comm, "test_socklist_t"); /* comm is cut to 15 bytes */

	/* The child's end: find its inode through sock_diag (the peer of ours). */
	struct uc_socklist l;
	bool loaded;
	char err[256];
	uc_socklist_init(&l);
	int e = uc_sl_diag_collect(&l, &loaded, err, sizeof(err));
	if (e) {
		fprintf(stderr, "sock_diag unavailable here (%s): skipping its checks\n", err);
	} else {
		const struct uc_sock *s = uc_socklist_find(&l, mine);
		CHECK(s != NULL);
		if (s) {
			theirs = s->peer_inode;
			CHECK(s->has_peer);
			CHECK_INT(s->type, SOCK_STREAM);
			CHECK_INT(s->state, UC_SL_ESTABLISHED);
			const struct uc_sock *p = uc_socklist_find(&l, theirs);
			CHECK(p != NULL && p->peer_inode == mine);
		}
		CHECK(l.sources & UC_SL_DIAG);
		CHECK(uc_sl_proc_owners(&l, "/proc") > 0);
		uc_socklist_finish(&l);
		s = uc_socklist_find(&l, theirs);
		CHECK(s && s->n_owners == 1 && l.owners[s->first_owner].pid == (uint32_t)child);
	}
	uc_socklist_free(&l);
	if (theirs) {
		CHECK_INT(uc_socktable_owner(t, theirs, &pid, comm), 0);
		CHECK_INT(pid, (uint32_t)child);
	}
	uc_socktable_free(t);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(sv[0]);
}

int main(void)
{
	test_fake();
	test_real();
	UNIT_DONE();
}
