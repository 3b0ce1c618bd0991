/* pcapng blocks (draft-ietf-opsawg-pcapng), always written little-endian. */
#include "writers/capfile/pcapng.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_ENDOFOPT = 0,
	OPT_COMMENT = 1,
	SHB_HARDWARE = 2,
	SHB_OS = 3,
	SHB_USERAPPL = 4,
	IF_NAME = 2,
	IF_DESCRIPTION = 3,
	IF_TSRESOL = 9,
	EPB_FLAGS = 2,
	EPB_PACKETID = 5,
	/* Process and thread id, two 32-bit values (pcapng draft; Wireshark's wiretap reads it
	 * from 4.6 on and rejects the whole file if its length is not exactly 8). */
	EPB_PROCESSID_THREADID = 8,
	ISB_STARTTIME = 2,
	ISB_ENDTIME = 3,
	ISB_IFRECV = 4,
	ISB_IFDROP = 5,
};

/* An option value is at most 65535 bytes; longer text is cut, never split mid-UTF-8. */
#define OPT_MAX 65535u

void uc_buf_free(struct uc_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int uc_buf_reserve(struct uc_buf *b, size_t n)
{
	if (b->err)
		return b->err;
	if (b->cap - b->len >= n)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n)
		cap *= 2;
	uint8_t *p = realloc(b->data, cap);
	if (!p)
		return b->err = -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

static void put(struct uc_buf *b, const void *p, size_t n)
{
	if (p != b->data + b->len) /* else built in place (uc_pcapng_epb_packet_at) */
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_zero(struct uc_buf *b, size_t n)
{
	memset(b->data + b->len, 0, n);
	b->len += n;
}

static void put16(struct uc_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	put(b, x, 2);
}

static void put32(struct uc_buf *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	put(b, x, 4);
}

/* pcapng timestamps: upper 32 bits first, each half in the section's byte order. */
static void put_ts(struct uc_buf *b, uint64_t ts)
{
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
}

static void put64(struct uc_buf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

static size_t text_len(const char *s)
{
	size_t n = strlen(s);
	if (n <= OPT_MAX)
		return n;
	n = OPT_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

static size_t opt_size(size_t value_len)
{
	return 4 + value_len + pad4(value_len);
}

static void put_opt(struct uc_buf *b, uint16_t code, const void *v, size_t n)
{
	put16(b, code);
	put16(b, (uint16_t)n);
	put(b, v, n);
	put_zero(b, pad4(n));
}

static void put_opt_text(struct uc_buf *b, uint16_t code, const char *s)
{
	put_opt(b, code, s, text_len(s));
}

static void put_opt_u64(struct uc_buf *b, uint16_t code, uint64_t v)
{
	put16(b, code);
	put16(b, 8);
	put64(b, v);
}

static void put_opt_ts(struct uc_buf *b, uint16_t code, uint64_t ts)
{
	put16(b, code);
	put16(b, 8);
	put_ts(b, ts);
}

static void put_end(struct uc_buf *b)
{
	put16(b, OPT_ENDOFOPT);
	put16(b, 0);
}

/* Opens a block of known total size: the caller must append exactly total - 12 bytes. */
static int begin(struct uc_buf *b, uint32_t type, size_t total)
{
	if (total > UINT32_MAX || uc_buf_reserve(b, total))
		return -1;
	put32(b, type);
	put32(b, (uint32_t)total);
	return 0;
}

static size_t end(struct uc_buf *b, size_t total)
{
	put32(b, (uint32_t)total);
	return total;
}

size_t uc_pcapng_shb(struct uc_buf *b, const struct uc_pcapng_shb *s)
{
	size_t opts = 0;
	if (s->hardware)
		opts += opt_size(text_len(s->hardware));
	if (s->os)
		opts += opt_size(text_len(s->os));
	if (s->userappl)
		opts += opt_size(text_len(s->userappl));
	if (opts)
		opts += 4;
	size_t total = 12 + 16 + opts;
	if (begin(b, UC_PCAPNG_SHB, total))
		return 0;
	put32(b, 0x1A2B3C4Du);
	put16(b, 1);
	put16(b, 0);
	put64(b, UINT64_MAX); /* section length unknown: the file is written as a stream */
	if (s->hardware)
		put_opt_text(b, SHB_HARDWARE, s->hardware);
	if (s->os)
		put_opt_text(b, SHB_OS, s->os);
	if (s->userappl)
		put_opt_text(b, SHB_USERAPPL, s->userappl);
	if (opts)
		put_end(b);
	return end(b, total);
}

size_t uc_pcapng_idb(struct uc_buf *b, const struct uc_pcapng_idb *i)
{
	size_t opts = 0;
	if (i->name)
		opts += opt_size(text_len(i->name));
	if (i->description)
		opts += opt_size(text_len(i->description));
	if (i->tsresol)
		opts += opt_size(1);
	if (opts)
		opts += 4;
	size_t total = 12 + 8 + opts;
	if (begin(b, UC_PCAPNG_IDB, total))
		return 0;
	put16(b, i->linktype);
	put16(b, 0);
	put32(b, i->snaplen);
	if (i->name)
		put_opt_text(b, IF_NAME, i->name);
	if (i->description)
		put_opt_text(b, IF_DESCRIPTION, i->description);
	if (i->tsresol)
		put_opt(b, IF_TSRESOL, &i->tsresol, 1);
	if (opts)
		put_end(b);
	return end(b, total);
}

size_t uc_pcapng_epb(struct uc_buf *b, const struct uc_pcapng_epb *e)
{
	size_t caplen = (size_t)e->head_len + e->data_len;
	size_t comment_len = !e->comment ? 0 : e->comment_len ? e->comment_len : text_len(e->comment);
	size_t opts = 0;
	if (e->comment)
		opts += opt_size(comment_len);
	if (e->flags)
		opts += opt_size(4);
	if (e->has_packet_id)
		opts += opt_size(8);
	if (e->has_pid)
		opts += opt_size(8);
	if (opts)
		opts += 4;
	size_t total = 12 + 20 + caplen + pad4(caplen) + opts;
	if (caplen > UINT32_MAX || begin(b, UC_PCAPNG_EPB, total))
		return 0;
	put32(b, e->if_id);
	put_ts(b, e->ts);
	put32(b, (uint32_t)caplen);
	put32(b, e->orig_len);
	if (e->head_len)
		put(b, e->head, e->head_len);
	if (e->data_len)
		put(b, e->data, e->data_len);
	put_zero(b, pad4(caplen));
	if (e->comment)
		put_opt(b, OPT_COMMENT, e->comment, comment_len);
	if (e->flags) {
		put16(b, EPB_FLAGS);
		put16(b, 4);
		put32(b, e->flags);
	}
	if (e->has_packet_id)
		put_opt_u64(b, EPB_PACKETID, e->packet_id);
	if (e->has_pid) {
		put16(b, EPB_PROCESSID_THREADID);
		put16(b, 8);
		put32(b, e->pid);
		put32(b, e->tid);
	}
	if (opts)
		put_end(b);
	return end(b, total);
}

/* Where an EPB's packet bytes start: after its type, length, interface, stamp and lengths. */
#define EPB_PACKET_OFF 28u
/* The options an EPB may carry besides its comment: flags, packet id, pid/tid, end. */
#define EPB_OPTS_MAX (8u + 12u + 12u + 4u)

int uc_pcapng_epb_reserve(struct uc_buf *b, size_t packet_max, size_t comment_max)
{
	return uc_buf_reserve(b, EPB_PACKET_OFF + packet_max + 3 + opt_size(comment_max) +
					 EPB_OPTS_MAX + 4);
}

uint8_t *uc_pcapng_epb_packet_at(const struct uc_buf *b)
{
	return b->data + b->len + EPB_PACKET_OFF;
}

char *uc_pcapng_epb_comment_at(const struct uc_buf *b, size_t caplen)
{
	return (char *)uc_pcapng_epb_packet_at(b) + caplen + pad4(caplen) + 4;
}

/* Names longer than this are cut (at a UTF-8 boundary): a record is at most 65535 bytes. */
#define NRB_NAME_MAX 1024u

static size_t name_len(const char *s)
{
	size_t n = strlen(s);
	if (n <= NRB_NAME_MAX)
		return n;
	n = NRB_NAME_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

size_t uc_pcapng_nrb(struct uc_buf *b, const struct uc_pcapng_name *names, size_t n)
{
	size_t total = 12 + 4; /* header, trailer, nrb_record_end */
	for (size_t i = 0; i < n; i++) {
		size_t v = 4 + name_len(names[i].name) + 1;
		total += 4 + v + pad4(v);
	}
	if (begin(b, UC_PCAPNG_NRB, total))
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = name_len(names[i].name), v = 4 + k + 1;
		uint8_t addr[4] = { (uint8_t)(names[i].ipv4 >> 24), (uint8_t)(names[i].ipv4 >> 16),
				    (uint8_t)(names[i].ipv4 >> 8), (uint8_t)names[i].ipv4 };
		put16(b, 1); /* nrb_record_ipv4 */
		put16(b, (uint16_t)v);
		put(b, addr, 4);
		put(b, names[i].name, k);
		put_zero(b, 1 + pad4(v));
	}
	put16(b, 0); /* nrb_record_end */
	put16(b, 0);
	return end(b, total);
}

size_t uc_pcapng_isb(struct uc_buf *b, const struct uc_pcapng_isb *s)
{
	size_t total = 12 + 12 + 4 * 12 + 4;
	if (begin(b, UC_PCAPNG_ISB, total))
		return 0;
	put32(b, s->if_id);
	put_ts(b, s->ts);
	put_opt_ts(b, ISB_STARTTIME, s->start_ts);
	put_opt_ts(b, ISB_ENDTIME, s->end_ts);
	put_opt_u64(b, ISB_IFRECV, s->ifrecv);
	put_opt_u64(b, ISB_IFDROP, s->ifdrop);
	put_end(b);
	return end(b, total);
}
