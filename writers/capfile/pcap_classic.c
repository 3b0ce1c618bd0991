/* -F pcap: libpcap's dumper over a FILE* whose writes land in the output buffer. */
#include "writers/capfile/pcap_classic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writers/capfile/linktype.h"

#ifdef UNIXCAP_HAVE_PCAP
#include <pcap/pcap.h>

struct uc_pcap_classic {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	struct uc_buf *out;
	uint32_t snaplen;
	struct uc_buf scratch; /* pcap_dump wants header and payload contiguous */
};

static ssize_t buf_write(void *cookie, const char *data, size_t n)
{
	struct uc_buf *b = cookie;
	if (b->err)
		goto fail;
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->len < n)
			cap *= 2;
		uint8_t *p = realloc(b->data, cap);
		if (!p) {
			b->err = -ENOMEM;
			goto fail;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	return (ssize_t)n;
fail:
	errno = ENOMEM;
	return -1;
}

struct uc_pcap_classic *uc_pcap_classic_begin(struct uc_buf *out, uint16_t linktype,
					      uint32_t snaplen, char *err, size_t errlen)
{
	struct uc_pcap_classic *p = calloc(1, sizeof(*p));
	FILE *fp = NULL;

	if (!p)
		goto nomem;
	p->out = out;
	p->snaplen = snaplen;
	p->dead = pcap_open_dead_with_tstamp_precision(linktype, (int)snaplen,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!p->dead)
		goto nomem;
	cookie_io_functions_t io = { .write = buf_write };
	fp = fopencookie(out, "w", io);
	if (!fp)
		goto nomem;
	/* Unbuffered: every record reaches the output buffer at once, so -C sizes are exact. */
	setvbuf(fp, NULL, _IONBF, 0);
	p->dumper = pcap_dump_fopen(p->dead, fp);
	if (!p->dumper) {
		snprintf(err, errlen, "pcap: %s", pcap_geterr(p->dead));
		fclose(fp);
		pcap_close(p->dead);
		free(p);
		return NULL;
	}
	return p;
nomem:
	snprintf(err, errlen, "pcap: %s", strerror(ENOMEM));
	if (p && p->dead)
		pcap_close(p->dead);
	free(p);
	return NULL;
}

int uc_pcap_classic_packet(struct uc_pcap_classic *p, const struct uc_message *m)
{
	size_t most = UC_LT_HEADER_LEN + UC_LT_FD_AREA_MAX + (size_t)p->snaplen;
	uint32_t head_len, payload, orig_len;

	if (p->scratch.cap < most) {
		uint8_t *d = realloc(p->scratch.data, most);
		if (!d)
			return -ENOMEM;
		p->scratch.data = d;
		p->scratch.cap = most;
	}
	uc_lt_build(p->scratch.data, m, p->snaplen, &head_len, &payload, &orig_len);
	if (payload)
		memcpy(p->scratch.data + head_len, m->data, payload);

	/* A nanosecond dumper takes nanoseconds in tv_usec. */
	struct pcap_pkthdr ph = {
		.ts = { .tv_sec = (time_t)(m->ts_wall_ns / 1000000000u),
			.tv_usec = (suseconds_t)(m->ts_wall_ns % 1000000000u) },
		.caplen = head_len + payload,
		.len = orig_len,
	};
	pcap_dump((u_char *)p->dumper, &ph, p->scratch.data);
	return p->out->err;
}

int uc_pcap_classic_end(struct uc_pcap_classic *p)
{
	if (!p)
		return 0;
	int e = p->out->err;
	pcap_dump_close(p->dumper); /* fcloses the cookie FILE; the buffer stays */
	pcap_close(p->dead);
	uc_buf_free(&p->scratch);
	free(p);
	return e;
}

int uc_pcap_classic_available(void)
{
	return 1;
}

#else /* static builds: libpcap cannot be linked statically here (it needs libdbus/systemd) */

struct uc_pcap_classic *uc_pcap_classic_begin(struct uc_buf *out, uint16_t linktype,
					      uint32_t snaplen, char *err, size_t errlen)
{
	(void)out, (void)linktype, (void)snaplen;
	snprintf(err, errlen, "-F pcap needs libpcap, which this build was made without");
	return NULL;
}

int uc_pcap_classic_packet(struct uc_pcap_classic *p, const struct uc_message *m)
{
	(void)p, (void)m;
	return -ENOTSUP;
}

int uc_pcap_classic_end(struct uc_pcap_classic *p)
{
	(void)p;
	return 0;
}

int uc_pcap_classic_available(void)
{
	return 0;
}
#endif
