/* capture/core/proc_comm: /proc/PID/comm from a fake proc tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/core/proc_comm.h"
#include "unit.h"

static char root[64];

static void put_comm(unsigned pid, const char *bytes, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", root, pid);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%u/comm", root, pid);
	f = fopen(path, "w");
	fwrite(bytes, 1, n, f);
	fclose(f);
}

int main(void)
{
	char comm[UC_COMM_LEN];

	snprintf(root, sizeof(root), "/tmp/uc-proc-comm-%d", (int)getpid());
	mkdir(root, 0700);
	put_comm(1, "systemd\n", 8);
	put_comm(2, "123456789012345\n", 16); /* the longest name: 15 bytes, newline cut off */
	put_comm(3, "a\nb\n", 4);             /* prctl(PR_SET_NAME) allows a newline */
	put_comm(4, "", 0);

	for (int first_line = 0; first_line <= 1; first_line++) {
		uc_read_comm(root, 1, comm, first_line);
		CHECK_STR(comm, "systemd");
		uc_read_comm(root, 2, comm, first_line);
		CHECK_STR(comm, "123456789012345");
		uc_read_comm(root, 4, comm, first_line);
		CHECK_STR(comm, "");
		memset(comm, 'x', sizeof(comm));
		uc_read_comm(root, 99, comm, first_line);
		CHECK_STR(comm, "");
		uc_read_comm("/nonexistent-proc", 1, comm, first_line);
		CHECK_STR(comm, "");
	}
	/* Where the two callers differ: capture names a peer by the first line, -L keeps all. */
	uc_read_comm(root, 3, comm, true);
	CHECK_STR(comm, "a");
	uc_read_comm(root, 3, comm, false);
	CHECK_STR(comm, "a\nb");

	/* The real thing: this process's own name. */
	uc_read_comm("/proc", (uint32_t)getpid(), comm, true);
	CHECK_STR(comm, "test_proc_comm");

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK_INT(system(cmd), 0);
	UNIT_DONE();
}
