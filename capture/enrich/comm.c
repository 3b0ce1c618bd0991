#include "capture/enrich/comm.h"
#include "capture/core/proc_comm.h"

#include <string.h>

#define SLOTS 4096
#define TTL_NS 2000000000ull /* pids are reused; a name older than this is read again */

struct slot {
	uint32_t pid;
	uint64_t read_at;
	char comm[UC_COMM_LEN];
};

static struct slot cache[SLOTS];

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
		uc_read_comm("/proc", pid, s->comm, true);
	}
	memcpy(out, s->comm, UC_COMM_LEN);
}
