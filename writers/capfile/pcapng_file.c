/* unixcap's use of pcapng: which blocks, which options, and what goes in them. */
#include "writers/capfile/pcapng_file.h"

#include <errno.h>

#include "capture/core/clock.h"
#include "capture/core/text.h"
#include "capture/core/summary_line.h"
#include "writers/capfile/linktype.h"

int uc_pcapng_file_begin(struct uc_buf *b, const struct uc_capfile_info *info)
{
	struct uc_pcapng_shb shb = {
		.hardware = info->hardware,
		.os = info->os,
		.userappl = UC_PCAPNG_USERAPPL,
	};
	struct uc_pcapng_idb idb = {
		.linktype = info->linktype,
		.snaplen = info->snaplen,
		.name = UC_PCAPNG_IFNAME,
		.description = info->description,
		.tsresol = 9,
	};
	if (!uc_pcapng_shb(b, &shb) || !uc_pcapng_idb(b, &idb))
		return b->err ? b->err : -EINVAL;
	return 0;
}

int uc_pcapng_file_packet(struct uc_buf *b, const struct uc_capfile_info *info,
			  struct uc_summary_cache *names, const struct uc_message *m)
{
	uint32_t head_len, payload, orig_len;
	char ts[48];

	/* Header and comment are built inside the block, never copied into it. */
	if (uc_pcapng_epb_reserve(b, UC_LT_HEADER_LEN + UC_LT_FD_AREA_MAX +
					     (m->data ? (size_t)m->caplen : 0),
				  UC_SUMMARY_MAX))
		return b->err;
	uint8_t *head = uc_pcapng_epb_packet_at(b);
	uc_lt_build(head, m, info->snaplen, &head_len, &payload, &orig_len);
	/* The comment is the console line as it was at capture time, with the cut flagged. */
	uint32_t flags = m->flags;
	if (payload < (m->data ? m->caplen : 0))
		flags |= UC_UF_TRUNCATED;
	char *line = uc_pcapng_epb_comment_at(b, (size_t)head_len + payload);
	uc_format_time(ts, sizeof(ts), m->ts_wall_ns);
	size_t line_len = uc_format_summary_as(line, UC_SUMMARY_MAX, m, flags, payload, ts, names);

	struct uc_pcapng_epb epb = {
		.if_id = 0,
		.ts = m->ts_wall_ns,
		.head = head,
		.head_len = head_len,
		.data = m->data,
		.data_len = payload,
		.orig_len = orig_len,
		.comment = line,
		.comment_len = line_len,
		.flags = (m->m.flags & UC_MF_RECEIVE) ? UC_PCAPNG_DIR_INBOUND : UC_PCAPNG_DIR_OUTBOUND,
		.packet_id = m->id,
		.has_packet_id = 1,
		/* The same process the header's pid/tid name; readers that know the standard
		 * option need not know our link-type header to group packets by process. */
		.pid = m->m.pid,
		.tid = m->m.tid,
		.has_pid = 1,
	};
	if (!uc_pcapng_epb(b, &epb))
		return b->err ? b->err : -EINVAL;
	return 0;
}

int uc_pcapng_file_end(struct uc_buf *b, const struct uc_capfile_stats *s)
{
	struct uc_pcapng_isb isb = {
		.if_id = 0,
		.ts = s->end_ns,
		.start_ts = s->start_ns,
		.end_ts = s->end_ns,
		.ifrecv = s->received,
		.ifdrop = s->dropped,
	};
	if (!uc_pcapng_isb(b, &isb))
		return b->err ? b->err : -EINVAL;
	return 0;
}
