#include "capture/enrich/comm.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SLOTS 4096
#define TTL_NS 2000000000ull /* pids are reused; a name older than this is read again */

struct slot {
	uint32_t pid;
	uint64_t read_at;
	char comm[UC_COMM_LEN];
};

static struct slot cache[SLOTS];

static void read_comm(uint32_t pid, char out[UC_COMM_LEN])
{
	char path[32];
	out[0] = 0;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, out, UC_COMM_LEN - 1);
	close(fd);
	if (n <= 0)
		n = 0;
	out[n] = 0;
	char *nl = strchr(out, '\n');
	if (nl)
		*nl = 0;
}

void uc_comm_of_pid(uint32_t pid, uint64_t now_ns, char out[UC_COMM_LEN])
{
	if (!pid) {
		out[0] = 0;
		return;
	}
	struct slot *s = &cache[pid % SLOTS];
	if (s->pid != pid || now_ns - s->read_at > TTL_NS) {
		s->pid = pid;
		s->read_at = now_ns;
		read_comm(pid, s->comm);
	}
	memcpy(out, s->comm, UC_COMM_LEN);
}
