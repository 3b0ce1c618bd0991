/*
 * steady_gen - AF_UNIX traffic at a fixed rate for soak runs: a stream pair and a datagram
 * pair, message sizes cycling from 1 byte to 64 KiB, every 100th message passing an fd.
 *
 * Usage: steady_gen RATE SECONDS [--wait]   (messages per second; prints "sent N" at the end)
 *   --wait: read one line from stdin first, so a tracer can attach with -p before traffic
 *
 * The reader side drains each socket right after the send, so the sender never blocks and
 * the rate stays what was asked for however slow the tracer is.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const size_t sizes[] = { 1, 64, 200, 1024, 4096, 16384, 16385, 65536 };

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int send_fd(int sock, const void *buf, size_t n, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)buf, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == (ssize_t)n ? 0 : -1;
}

/* Reads everything a send put in, closing any fd that came with it. */
static int drain(int sock, uint8_t *buf, size_t want)
{
	size_t got = 0;
	while (got < want) {
		char ctl[CMSG_SPACE(sizeof(int) * 4)];
		struct iovec iov = { buf, want - got };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				     .msg_controllen = sizeof(ctl) };
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n <= 0)
			return -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				int fd;
				memcpy(&fd, CMSG_DATA(c), sizeof(fd));
				close(fd);
			}
		}
		got += (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4 || atof(argv[1]) <= 0 || atof(argv[2]) <= 0 ||
	    (argc == 4 && strcmp(argv[3], "--wait"))) {
		fprintf(stderr, "usage: steady_gen RATE SECONDS [--wait]\n");
		return 2;
	}
	if (argc == 4) {
		char line[64];
		if (!fgets(line, sizeof(line), stdin))
			return 1;
	}
	double rate = atof(argv[1]), secs = atof(argv[2]);
	int st[2], dg[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, st) || socketpair(AF_UNIX, SOCK_DGRAM, 0, dg)) {
		perror("steady_gen: socketpair");
		return 1;
	}
	int big = 256 * 1024;
	setsockopt(dg[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(dg[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	static uint8_t out[65536], in[65536];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 1);

	uint64_t start = mono_ns(), period = (uint64_t)(1e9 / rate);
	uint64_t end = start + (uint64_t)(secs * 1e9), sent = 0;
	for (uint64_t next = start; next < end; next += period) {
		uint64_t now = mono_ns();
		if (next > now) {
			struct timespec ts = { (time_t)((next - now) / 1000000000u),
					       (long)((next - now) % 1000000000u) };
			nanosleep(&ts, NULL);
		}
		size_t n = sizes[sent % (sizeof(sizes) / sizeof(sizes[0]))];
		int dgram = (sent % 3) == 2 && n <= 16384;
		int *p = dgram ? dg : st;
		int rc = (sent % 100) == 99 ? send_fd(p[0], out, n, 0)
					    : (write(p[0], out, n) == (ssize_t)n ? 0 : -1);
		if (rc || drain(p[1], in, n)) {
			fprintf(stderr, "steady_gen: message %llu: %s\n", (unsigned long long)sent,
				strerror(errno));
			return 1;
		}
		sent++;
	}
	printf("sent %llu\n", (unsigned long long)sent);
	return 0;
}
