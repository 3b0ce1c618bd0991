/*
 * --fds: one line per passed fd, in sofdsnoop's columns so its readers keep working:
 * [TIME(s)] ACTION TID COMM SOCKET FD NAME, SOCKET being sockfd:socket:[inode]. PEER
 * (the process at the other end) comes before NAME so that NAME stays the rest of the
 * line, as names may hold spaces.
 */
#include "writers/console/fdtable.h"
#include "capture/core/text.h"
#include "writers/console/console.h"

#include <string.h>

static void comm_text(char *buf, size_t size, const char *comm)
{
	uc_format_bytes(buf, size, comm, strnlen(comm, UC_COMM_LEN));
	if (!buf[0])
		snprintf(buf, size, "?");
}

void uc_print_fd_header(FILE *out, bool with_time)
{
	fprintf(out, "%s%-6s %-7s %-16s %-25s %-5s %-22s %s\n", with_time ? "TIME(s)        " : "",
		"ACTION", "TID", "COMM", "SOCKET", "FD", "PEER", "NAME");
}

void uc_print_fd_lines(FILE *out, const struct uc_message *msg, const char *time_text)
{
	const struct uc_meta *m = &msg->m;
	bool recv = m->flags & UC_MF_RECEIVE;
	char comm[UC_COMM_LEN * 4 + 1], peer_comm[UC_COMM_LEN * 4 + 1];
	char sock[48], peer[96], name[sizeof(msg->fds[0].name) * 4 + 1];
	/* On a receive the sender is known exactly once the send is linked. */
	uint32_t peer_pid = recv && msg->sender_pid ? msg->sender_pid : m->peer_pid;

	comm_text(comm, sizeof(comm), m->comm);
	snprintf(sock, sizeof(sock), "%d:socket:[%llu]", (int)(int32_t)m->fd,
		 (unsigned long long)m->inode);
	if (!peer_pid) {
		snprintf(peer, sizeof(peer), "?");
	} else if (peer_pid == m->peer_pid && msg->peer_comm[0]) {
		comm_text(peer_comm, sizeof(peer_comm), msg->peer_comm);
		snprintf(peer, sizeof(peer), "%u/%s", peer_pid, peer_comm);
	} else {
		snprintf(peer, sizeof(peer), "%u", peer_pid);
	}
	for (unsigned i = 0; i < msg->n_fds; i++) {
		const struct uc_fd_info *f = &msg->fds[i];
		uc_format_bytes(name, sizeof(name), f->name, strnlen(f->name, sizeof(f->name)));
		if (time_text)
			fprintf(out, "%-14s ", time_text);
		fprintf(out, "%-6s %-7u %-16s %-25s %-5d %-22s %s\n", recv ? "RECV" : "SEND", m->tid,
			comm, sock, f->fd, peer, name);
	}
	if (m->n_fds > msg->n_fds || (m->flags & UC_MF_FDS_LOST)) {
		if (time_text)
			fprintf(out, "%-14s ", time_text);
		fprintf(out, "%-6s %-7u %-16s %-25s %-5s %-22s (fds lost: ring buffer full)\n",
			recv ? "RECV" : "SEND", m->tid, comm, sock, "?", peer);
	}
}
