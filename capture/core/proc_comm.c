/* /proc/PID/comm (proc_comm.h). */
#include "capture/core/proc_comm.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void uc_read_comm(const char *proc_root, uint32_t pid, char comm[UC_COMM_LEN], bool first_line)
{
	char path[4096];
	ssize_t n;
	int fd;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "%s/%" PRIu32 "/comm", proc_root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, UC_COMM_LEN - 1);
	close(fd);
	if (n < 0)
		n = 0;
	comm[n] = '\0';
	if (first_line) {
		char *nl = strchr(comm, '\n');
		if (nl)
			*nl = '\0';
	} else if (n > 0 && comm[n - 1] == '\n') {
		comm[n - 1] = '\0';
	}
}
