/* Clocks, /proc readers and small I/O helpers the harness and workloads share. */
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t ub_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ub_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* schedstat's first field is nanoseconds on CPU, where /proc/PID/stat only has ticks. */
static uint64_t task_cpu(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	uint64_t sum = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[320];
		snprintf(p, sizeof(p), "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
		FILE *f = fopen(p, "r");
		if (!f)
			continue;
		unsigned long long ns;
		if (fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(d);
	return sum;
}

int ub_children(pid_t pid, pid_t *out, int max)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		char *end;
		long p = strtol(e->d_name, &end, 10);
		if (*end || p <= 0)
			continue;
		char path[64], buf[512];
		snprintf(path, sizeof(path), "/proc/%ld/stat", p);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = 0;
		/* comm may hold spaces and parentheses: the fields start after the last ')'. */
		char *rp = strrchr(buf, ')');
		int ppid;
		char state;
		if (rp && sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && ppid == pid)
			out[n++] = (pid_t)p;
	}
	closedir(d);
	return n;
}

uint64_t ub_tree_cpu(pid_t pid)
{
	pid_t kids[256];
	int n = ub_children(pid, kids, 256);
	uint64_t sum = task_cpu(pid);
	for (int i = 0; i < n; i++)
		sum += task_cpu(kids[i]);
	return sum;
}

bool ub_all_traced(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return false;
	bool all = true;
	int seen = 0;
	struct dirent *e;
	while ((e = readdir(d)) && all) {
		if (e->d_name[0] == '.')
			continue;
		char p[320], line[256];
		snprintf(p, sizeof(p), "/proc/%d/task/%s/status", (int)pid, e->d_name);
		FILE *f = fopen(p, "r");
		if (!f)
			continue;
		seen++;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "TracerPid:", 10))
				all = atoi(line + 10) != 0;
		fclose(f);
	}
	closedir(d);
	return all && seen > 0;
}

bool ub_listening(const char *path)
{
	FILE *f = fopen("/proc/net/unix", "r");
	if (!f)
		return false;
	char line[512];
	bool found = false;
	size_t plen = strlen(path);
	while (!found && fgets(line, sizeof(line), f)) {
		/* Num RefCount Protocol Flags Type St Inode Path; __SO_ACCEPTCON is 0x10000. */
		unsigned long flags;
		int pathoff = 0;
		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %n", &flags, &pathoff) < 1 || !pathoff)
			continue;
		char *p = line + pathoff;
		found = (flags & 0x10000) && !strncmp(p, path, plen) &&
			(p[plen] == '\n' || p[plen] == 0);
	}
	fclose(f);
	return found;
}

int ub_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int ub_read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n) {
		ssize_t k = read(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int ub_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double ub_median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), ub_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int ub_pin(int cpu, bool except)
{
	if (cpu < 0)
		return 0;
	cpu_set_t set;
	CPU_ZERO(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (except && n < 2)
		return 0;
	for (long i = 0; i < n; i++)
		if ((i == cpu) != except)
			CPU_SET((int)i, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

void ub_first_line(const char *cmd, char *out, size_t len)
{
	out[0] = 0;
	FILE *p = popen(cmd, "r");
	if (!p)
		return;
	if (fgets(out, (int)len, p))
		out[strcspn(out, "\n")] = 0;
	pclose(p);
}
