/* Socket inode -> holding process, rebuilt from /proc on misses (see socktable.h). */
#include "capture/enrich/socktable.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/core/clock.h"
#include "capture/socklist/socklist.h"

struct entry {
	uint64_t inode; /* 0 = empty slot */
	uint32_t pid;
	char comm[UC_COMM_LEN];
};

struct uc_socktable {
	char proc_root[256];
	uint64_t min_interval_ns, max_age_ns;
	uint64_t built_at;
	bool built, force;
	unsigned long builds;
	struct entry *slots;
	size_t cap, used;
};

static size_t slot_of(uint64_t inode, size_t cap)
{
	return (size_t)((inode * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

static struct entry *lookup(const struct uc_socktable *t, uint64_t inode)
{
	if (!t->cap)
		return NULL;
	for (size_t i = slot_of(inode, t->cap); t->slots[i].inode; i = (i + 1) & (t->cap - 1))
		if (t->slots[i].inode == inode)
			return &t->slots[i];
	return NULL;
}

static int grow(struct uc_socktable *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	struct entry *v = calloc(cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->slots[i].inode)
			continue;
		size_t j = slot_of(t->slots[i].inode, cap);
		while (v[j].inode)
			j = (j + 1) & (cap - 1);
		v[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = v;
	t->cap = cap;
	return 0;
}

static int add(uint64_t inode, uint32_t pid, int32_t fd, const char *comm, void *ctx)
{
	struct uc_socktable *t = ctx;
	(void)fd;
	struct entry *e = lookup(t, inode);
	if (e) {
		if (pid < e->pid) {
			e->pid = pid;
			memcpy(e->comm, comm, UC_COMM_LEN);
		}
		return 0;
	}
	if ((t->used + 1) * 2 > t->cap && grow(t))
		return 1; /* out of memory: stop with what we have */
	size_t i = slot_of(inode, t->cap);
	while (t->slots[i].inode)
		i = (i + 1) & (t->cap - 1);
	t->slots[i].inode = inode;
	t->slots[i].pid = pid;
	memcpy(t->slots[i].comm, comm, UC_COMM_LEN);
	t->slots[i].comm[UC_COMM_LEN - 1] = '\0';
	t->used++;
	return 0;
}

static int build(struct uc_socktable *t, uint64_t now)
{
	if (t->cap)
		memset(t->slots, 0, t->cap * sizeof(*t->slots));
	t->used = 0;
	t->built = true;
	t->force = false;
	t->built_at = now;
	t->builds++;
	int n = uc_sl_proc_scan(t->proc_root, add, t);
	return n < 0 ? n : 0;
}

struct uc_socktable *uc_socktable_new_at(const char *proc_root, uint64_t min_interval_ns,
					 uint64_t max_age_ns)
{
	struct uc_socktable *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	snprintf(t->proc_root, sizeof(t->proc_root), "%s", proc_root);
	t->min_interval_ns = min_interval_ns;
	t->max_age_ns = max_age_ns;
	return t;
}

struct uc_socktable *uc_socktable_new(void)
{
	return uc_socktable_new_at("/proc", UC_SOCKTABLE_MIN_INTERVAL_NS, UC_SOCKTABLE_MAX_AGE_NS);
}

void uc_socktable_free(struct uc_socktable *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

void uc_socktable_invalidate(struct uc_socktable *t)
{
	t->force = true;
}

unsigned long uc_socktable_builds(const struct uc_socktable *t)
{
	return t->builds;
}

int uc_socktable_owner(struct uc_socktable *t, uint64_t inode, uint32_t *pid,
		       char comm[UC_COMM_LEN])
{
	if (!inode)
		return -EINVAL;
	uint64_t now = uc_now_ns(CLOCK_MONOTONIC);
	bool may_build = !t->built || t->force || now - t->built_at >= t->min_interval_ns;
	struct entry *e = t->built ? lookup(t, inode) : NULL;
	bool stale = t->built && now - t->built_at >= t->max_age_ns;

	if ((!e || stale || t->force) && may_build) {
		int err = build(t, now);
		if (err)
			return err;
		e = lookup(t, inode);
	}
	if (!e)
		return -ENOENT;
	*pid = e->pid;
	memcpy(comm, e->comm, UC_COMM_LEN);
	comm[UC_COMM_LEN - 1] = '\0';
	return 0;
}
