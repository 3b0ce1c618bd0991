/* The programs' counters, read as memory (kernel_stats.h). */
#include "capture/live/kernel_stats.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/libbpf.h>

int uc_stats_map(struct uc_capture *c, const struct bpf_map *stats)
{
	long page = sysconf(_SC_PAGESIZE);
	int slots = (int)bpf_map__max_entries(stats);
	size_t len = (sizeof(struct uc_stat_slot) * (size_t)slots + (size_t)page - 1) &
		     ~((size_t)page - 1);
	void *mem = mmap(NULL, len, PROT_READ, MAP_SHARED, bpf_map__fd(stats), 0);
	if (mem == MAP_FAILED)
		return -errno;
	c->stats = mem;
	c->stats_len = len;
	c->stats_slots = slots;
	return 0;
}

void uc_stats_unmap(struct uc_capture *c)
{
	if (c->stats)
		munmap((void *)c->stats, c->stats_len);
	c->stats = NULL;
}

int uc_capture_stats(const struct uc_capture *c, uint64_t out[UC_STAT_MAX])
{
	for (uint32_t k = 0; k < UC_STAT_MAX; k++)
		out[k] = 0;
	if (!c->stats)
		return -EINVAL;
	for (int cpu = 0; cpu < c->stats_slots; cpu++)
		for (uint32_t k = 0; k < UC_STAT_MAX; k++)
			out[k] += c->stats[cpu].n[k];
	return 0;
}
