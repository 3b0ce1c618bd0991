/* -w: dispatches messages to the pcapng or pcap encoder and drives the file manager. */
#include "writers/capfile/writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "capture/core/clock.h"
#include "writers/capfile/linktype.h"
#include "writers/capfile/pcap_classic.h"

struct uc_writer {
	struct uc_writer_cfg cfg;
	struct uc_rotate *rot;
	struct uc_capfile_info info;
	struct uc_pcap_classic *classic;
	struct uc_summary_cache *names; /* the comments' socket text, NULL = built each time */
	char description[256];
	char os[2 * sizeof(((struct utsname *)0)->release)];
	char hardware[sizeof(((struct utsname *)0)->machine)];
	uint64_t start_ns;
	uint64_t packets;
	char err[512];
	char line[sizeof("writing ") + 512]; /* err as the output interface says it */
};

uint32_t uc_writer_snaplen(uint32_t payload_snaplen)
{
	/* Room for the fd area too: the payload is already cut to -s by the kernel side. */
	uint64_t n = (uint64_t)UC_LT_HEADER_LEN + UC_LT_FD_AREA_MAX + payload_snaplen;
	return n > UC_LT_MAX_PACKET ? UC_LT_MAX_PACKET : (uint32_t)n;
}

static int fail(struct uc_writer *w, int e)
{
	if (!w->err[0])
		snprintf(w->err, sizeof(w->err), "%s: %s", uc_rotate_name(w->rot), strerror(-e));
	return e;
}

static int on_begin(void *ctx)
{
	struct uc_writer *w = ctx;
	struct uc_buf *b = uc_rotate_buf(w->rot);

	if (w->cfg.format == UC_FMT_PCAP) {
		w->classic = uc_pcap_classic_begin(b, w->info.linktype, w->info.snaplen, w->err,
						   sizeof(w->err));
		return w->classic ? 0 : -EINVAL;
	}
	int e = uc_pcapng_file_begin(b, &w->info);
	if (!e && w->cfg.encoder && w->cfg.encoder->file_begins)
		w->cfg.encoder->file_begins(w->cfg.encoder->ctx);
	return e;
}

static int on_end(void *ctx)
{
	struct uc_writer *w = ctx;

	if (w->cfg.format == UC_FMT_PCAP) {
		int e = uc_pcap_classic_end(w->classic);
		w->classic = NULL;
		return e;
	}
	/* Every file says what the whole capture saw so far, as the counters are cumulative. */
	struct uc_capfile_stats s = { .start_ns = w->start_ns };
	if (w->cfg.stats)
		w->cfg.stats(w->cfg.stats_ctx, &s);
	s.start_ns = w->start_ns;
	s.end_ns = uc_now_ns(CLOCK_REALTIME);
	return uc_pcapng_file_end(uc_rotate_buf(w->rot), &s);
}

static const struct uc_rotate_ops ops = { .begin = on_begin, .end = on_end };

static void free_encoder(struct uc_encoder *e)
{
	if (e && e->free)
		e->free(e);
}

int uc_writer_open(struct uc_writer **out, const struct uc_writer_cfg *cfg, char *err,
		   size_t errlen)
{
	struct uc_writer *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	w->cfg = *cfg;
	if (cfg->encoder && (!cfg->encoder->packet || cfg->format != UC_FMT_PCAPNG)) {
		int e = cfg->encoder->packet ? -ENOTSUP : -ENOMEM;
		snprintf(err, errlen, "%s", cfg->encoder->packet ? "this view needs pcapng (-F pcapng)"
								  : strerror(ENOMEM));
		free_encoder(cfg->encoder);
		free(w);
		return e;
	}
	if (cfg->format == UC_FMT_PCAP && !uc_pcap_classic_available()) {
		snprintf(err, errlen, "-F pcap needs libpcap, which this build was made without");
		free_encoder(cfg->encoder);
		free(w);
		return -ENOTSUP;
	}
	int e = uc_rotate_open(&w->rot, &cfg->file, time(NULL), err, errlen);
	if (e) {
		free_encoder(cfg->encoder);
		free(w);
		return e;
	}
	/* Without it the comments are the same, only slower to build. */
	w->names = uc_summary_cache_new();
	*out = w;
	return 0;
}

int uc_writer_start(struct uc_writer *w, const char *description, uint64_t start_ns)
{
	struct utsname u;

	snprintf(w->description, sizeof(w->description), "%s", description);
	if (uname(&u) == 0) {
		snprintf(w->os, sizeof(w->os), "%s %s", u.sysname, u.release);
		snprintf(w->hardware, sizeof(w->hardware), "%s", u.machine);
	}
	w->info = (struct uc_capfile_info){
		.linktype = w->cfg.encoder ? w->cfg.encoder->linktype : w->cfg.linktype,
		.snaplen = w->cfg.encoder ? w->cfg.encoder->snaplen : uc_writer_snaplen(w->cfg.snaplen),
		.description = w->description,
		.os = w->os[0] ? w->os : NULL,
		.hardware = w->hardware[0] ? w->hardware : NULL,
	};
	w->start_ns = start_ns;
	int e = uc_rotate_start(w->rot, &ops, w);
	if (!e)
		e = uc_rotate_flush(w->rot);
	return e ? fail(w, e) : 0;
}

int uc_writer_write(struct uc_writer *w, const struct uc_message *m)
{
	/* Like tcpdump: the clock at write time decides -G, not the packet's own stamp. */
	int e = uc_rotate_next(w->rot, time(NULL), w->err, sizeof(w->err));
	if (e)
		return e < 0 ? fail(w, e) : e;
	if (w->cfg.encoder)
		e = w->cfg.encoder->packet(w->cfg.encoder->ctx, uc_rotate_buf(w->rot), m);
	else if (w->cfg.format == UC_FMT_PCAP)
		e = uc_pcap_classic_packet(w->classic, m);
	else
		e = uc_pcapng_file_packet(uc_rotate_buf(w->rot), &w->info, w->names, m);
	if (!e)
		e = uc_rotate_commit(w->rot);
	if (e)
		return fail(w, e);
	w->packets++;
	return 0;
}

int uc_writer_flush(struct uc_writer *w)
{
	int e = uc_rotate_flush(w->rot);
	return e ? fail(w, e) : 0;
}

int uc_writer_close(struct uc_writer *w)
{
	int e = uc_rotate_close(w->rot);
	return e ? fail(w, e) : 0;
}

void uc_writer_abort(struct uc_writer *w)
{
	if (w)
		uc_rotate_abort(w->rot);
}

void uc_writer_free(struct uc_writer *w)
{
	if (!w)
		return;
	if (w->classic)
		uc_pcap_classic_end(w->classic);
	uc_rotate_free(w->rot);
	free_encoder(w->cfg.encoder);
	uc_summary_cache_free(w->names);
	free(w);
}

int uc_writer_reopen(struct uc_writer *w)
{
	int e = uc_rotate_reopen(w->rot, time(NULL), w->err, sizeof(w->err));
	return e ? fail(w, e) : 0;
}

int uc_writer_chown(struct uc_writer *w, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	int e = w ? uc_rotate_chown(w->rot, uid, gid) : 0;
	if (e)
		snprintf(err, errlen, "%s: chown: %s", uc_rotate_name(w->rot), strerror(-e));
	return e;
}

const char *uc_writer_error(const struct uc_writer *w)
{
	return w->err;
}

uint64_t uc_writer_packets(const struct uc_writer *w)
{
	return w->packets;
}

static int writer_write(void *self, const struct uc_message *m)
{
	return uc_writer_write(self, m);
}

static int writer_flush(void *self)
{
	return uc_writer_flush(self);
}

static int writer_finish(void *self)
{
	return uc_writer_close(self);
}

static const char *writer_error(void *self)
{
	struct uc_writer *w = self;
	snprintf(w->line, sizeof(w->line), "writing %s", w->err);
	return w->line;
}

const struct uc_output_ops uc_writer_output = {
	.name = "capture file",
	.write = writer_write,
	.flush = writer_flush,
	.finish = writer_finish,
	.error = writer_error,
};
uint64_t uc_writer_packets_written(const struct uc_writer *w)
{
	return w ? uc_rotate_packets_written(w->rot) : 0;
}
