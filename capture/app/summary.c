/* The exit summary (summary.h): every count comes from the kernel side's counters, the
 * reassembly's and the kernel's own skipped runs, so that a loss is never only a number. */
#include "capture/app/summary.h"

#include <string.h>
#include "capture/live/backend.h"
#include "capture/live/reassembly.h"

void uc_print_exit_summary(FILE *out, const struct uc_consumer *c, const struct uc_options *o,
			   uint64_t captured, uint64_t file_packets)
{
	const struct uc_capture *cap = &c->cap;
	uint64_t st[UC_STAT_MAX] = { 0 };
	uc_capture_stats(cap, st);
	const struct uc_reasm_stats *rs = uc_reasm_stats(c->reasm);

	fprintf(out, "unixcap: backend %s; %llu cut short (ring full mid-message), %llu copy "
			"faults, %llu malformed records\n",
		uc_backend_name(cap->backend), (unsigned long long)rs->gaps,
		(unsigned long long)st[UC_STAT_READ_FAULTS],
		(unsigned long long)rs->malformed);
	/* Where the dropped ones went whenever there are any, and what the kernel skipped
	 * (always with -v): a loss is never only a number. */
	struct uc_losses l;
	uc_consumer_losses(c, &l);
	uint64_t dropped = uc_losses_dropped(&l);
	if (dropped || l.probe || l.recursion || o->verbose)
		fprintf(out, "unixcap: kernel side: %llu messages into the ring; lost: %llu ring "
				"full, %llu in-flight state, %llu exit not run, %llu entry not run, "
				"%llu msghdr unreadable; the kernel skipped %llu kprobe and %llu "
				"program runs (each may have been a message)%s%s%s; %llu of them made up by "
				"the backstops\n",
			(unsigned long long)st[UC_STAT_MSGS], (unsigned long long)l.ring_full,
			(unsigned long long)l.state, (unsigned long long)l.no_exit,
			(unsigned long long)l.no_entry, (unsigned long long)l.unreadable,
			(unsigned long long)l.probe, (unsigned long long)l.recursion,
			l.kernel_detail[0] ? " [" : "", l.kernel_detail, l.kernel_detail[0] ? "]" : "",
			(unsigned long long)l.rescued);
	fprintf(out, "%llu messages captured, %llu dropped\n", (unsigned long long)captured,
		(unsigned long long)dropped);
	if (st[UC_STAT_PEER_UNKNOWN])
		fprintf(out, "unixcap: %llu datagrams sent to an address whose receiving socket "
				"was not seen (flag peer-unknown: no peer_sock, peer_inode; --sock and "
				"--inode cannot select them)\n",
			(unsigned long long)st[UC_STAT_PEER_UNKNOWN]);
	if (o->write_file)
		fprintf(out, "%llu written to %s\n", (unsigned long long)file_packets,
			strcmp(o->write_file, "-") ? o->write_file : "stdout");
}
