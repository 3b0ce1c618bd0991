/*
 * loss_gen - one send unixcap's tracepoint backend cannot see whole, beside one it can.
 *
 * Usage: loss_gen [blocked N]   (reads one line from stdin first, so that a capture can
 *                                attach with -p; blocked: see blocked() below)
 *
 * Sends on a stream socketpair: a write() of 5 bytes, then a sendmsg() of 7 bytes whose
 * msghdr lies in a shared mapping of a memfd that nothing has touched yet. The kernel faults
 * the page in when it copies the msghdr; the BPF program at the syscall's entry runs before
 * that and cannot fault, so its read of the msghdr fails. (The hook backends read the
 * kernel's copy and see both sends.) Prints "sent 2 cold 1" (cold 0: the msghdr's page was
 * already mapped when it was sent, so nothing was hidden).
 */
/* _GNU_SOURCE (the build defines it): pthread_tryjoin_np, memfd_create */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static int cold(void)
{
	char in[16];
	int sv[2];
	static char payload[] = "unseen!";
	struct iovec iov = { payload, 7 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	long page = sysconf(_SC_PAGESIZE);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("loss_gen: socketpair");
		return 1;
	}
	/* The msghdr goes into the file by write(), never through the mapping: the mapping's
	 * page stays absent from this process's page tables until the kernel reads it. */
	int mfd = memfd_create("loss_gen", 0);
	if (mfd < 0 || ftruncate(mfd, page) || pwrite(mfd, &mh, sizeof(mh), 0) != sizeof(mh)) {
		perror("loss_gen: memfd");
		return 1;
	}
	struct msghdr *cold = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, mfd, 0);
	if (cold == MAP_FAILED) {
		perror("loss_gen: mmap");
		return 1;
	}
	if (write(sv[0], "seen!", 5) != 5 || read(sv[1], in, sizeof(in)) != 5) {
		perror("loss_gen: write");
		return 1;
	}
	/* pagemap bit 63: the page is mapped in this process (then the BPF read would succeed
	 * and the check has nothing to count). */
	unsigned long long pm = 0;
	FILE *f = fopen("/proc/self/pagemap", "r");
	if (!f || fseek(f, (long)((unsigned long)cold / (unsigned long)page * 8), SEEK_SET) ||
	    fread(&pm, sizeof(pm), 1, f) != 1) {
		perror("loss_gen: pagemap");
		return 1;
	}
	fclose(f);
	if (sendmsg(sv[0], cold, 0) != 7 || read(sv[1], in, sizeof(in)) != 7) {
		perror("loss_gen: sendmsg");
		return 1;
	}
	printf("sent 2 cold %d\n", (pm >> 63) ? 0 : 1);
	return 0;
}

/* Thread i of blocked(): fills its socket, blocks in a write until main drains it, then
 * sends once more. */
struct blocker {
	pthread_t t;
	int sv[2];
	long sent;
	int joined;
};

static void *blocker_run(void *arg)
{
	struct blocker *b = arg;
	static const char chunk[4096];

	fcntl(b->sv[0], F_SETFL, O_NONBLOCK);
	while (write(b->sv[0], chunk, sizeof(chunk)) > 0)
		b->sent++;
	fcntl(b->sv[0], F_SETFL, 0);
	if (write(b->sv[0], chunk, sizeof(chunk)) == (ssize_t)sizeof(chunk)) /* blocks */
		b->sent++;
	if (write(b->sv[0], "again", 5) == 5)
		b->sent++;
	return NULL;
}

/*
 * n threads at once inside unix_stream_sendmsg(): more than a kretprobe's instances
 * (maxactive, 10 on one CPU), so the kernel misses some returns. Each such send is lost
 * to the kprobe backend, and counted when its thread's next send finds the entry left
 * behind. Prints "sent N".
 */
static int blocked(int n)
{
	struct blocker *b = calloc((size_t)n, sizeof(*b));
	char buf[65536];
	long sent = 0;
	int small = 4096;

	if (!b)
		return 1;
	for (int i = 0; i < n; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, b[i].sv) ||
		    setsockopt(b[i].sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) ||
		    pthread_create(&b[i].t, NULL, blocker_run, &b[i])) {
			perror("loss_gen: blocked");
			return 1;
		}
	}
	sleep(3); /* every thread is in its blocking write (TCG guests are slow) */
	for (int i = 0; i < n; i++) {
		fcntl(b[i].sv[1], F_SETFL, O_NONBLOCK);
		for (int tries = 0; tries < 200; tries++) {
			if (recv(b[i].sv[1], buf, sizeof(buf), 0) > 0)
				continue;
			if (pthread_tryjoin_np(b[i].t, NULL) == 0) {
				b[i].joined = 1;
				break;
			}
			usleep(10000);
		}
	}
	for (int i = 0; i < n; i++) {
		if (!b[i].joined)
			pthread_join(b[i].t, NULL);
		sent += b[i].sent;
	}
	printf("sent %ld\n", sent);
	return 0;
}

int main(int argc, char **argv)
{
	char line[64];

	if (!fgets(line, sizeof(line), stdin))
		return 1;
	if (argc == 3 && !strcmp(argv[1], "blocked") && atoi(argv[2]) > 0)
		return blocked(atoi(argv[2]));
	return cold();
}
