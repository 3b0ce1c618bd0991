/*
 * Turns real captures into seed inputs for the other targets: each packet of a capture file
 * becomes one fuzz_linktype input, and each message becomes one fuzz_reasm input, as the
 * ring-buffer records the kernel side would have written for it (fd records, the MSG record
 * with the first bytes inline, DATA records of at most 16 KiB).
 *
 * With DECODE_DIR, each payload also becomes a fuzz_decode input (a size byte, then it).
 *
 * Usage: fuzz_seeds CAPTURE LINKTYPE_DIR REASM_DIR [DECODE_DIR]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "capture/core/message.h"
#include "writers/capfile/linktype.h"

static int write_file(const char *dir, const char *tag, unsigned long long n, const void *p,
		      size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s-%06llu", dir, tag, n);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "fuzz_seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Appends one length-prefixed record (the fuzz_reasm framing). */
static size_t put_rec(uint8_t *out, const void *rec, size_t len)
{
	out[0] = (uint8_t)len;
	out[1] = (uint8_t)(len >> 8);
	memcpy(out + 2, rec, len);
	return 2 + len;
}

static size_t records_of(const struct uc_message *m, uint8_t *out)
{
	static uint8_t rec[sizeof(struct uc_msg_rec) + UC_CHUNK_MAX];
	size_t o = 0;
	uint32_t caplen = m->caplen;

	for (unsigned i = 0; i < m->n_fds; i++) {
		struct uc_fd_rec f = { .h = { .kind = UC_REC_FD, .msg_id = m->id, .offset = i,
					      .tid = m->m.tid },
				       .file = m->fds[i].file, .ino = m->fds[i].ino,
				       .fd = m->fds[i].fd, .mode = m->fds[i].mode,
				       .count = (uint16_t)m->n_fds, .kind = (uint8_t)m->fds[i].kind };
		size_t nl = strnlen(m->fds[i].name, sizeof(f.name));
		memcpy(f.name, m->fds[i].name, nl);
		f.name_len = (uint16_t)nl;
		o += put_rec(out + o, &f, sizeof(f));
	}
	struct uc_msg_rec *mr = (struct uc_msg_rec *)rec;
	uint32_t first = caplen < UC_INLINE_MAX ? caplen : UC_INLINE_MAX;
	memset(mr, 0, sizeof(*mr));
	mr->h = (struct uc_rec_hdr){ .kind = UC_REC_MSG, .data_len = first, .msg_id = m->id,
				     .tid = m->m.tid,
				     .rflags = first == caplen ? UC_RF_LAST : 0 };
	mr->m = m->m;
	mr->m.caplen = caplen;
	mr->m.n_fds = m->n_fds;
	memcpy(mr->data, m->data, first);
	o += put_rec(out + o, mr, sizeof(*mr) + first);
	for (uint32_t off = first; off < caplen;) {
		uint32_t n = caplen - off < UC_CHUNK_MAX ? caplen - off : UC_CHUNK_MAX;
		struct uc_data_rec *d = (struct uc_data_rec *)rec;
		d->h = (struct uc_rec_hdr){ .kind = UC_REC_DATA, .data_len = n, .msg_id = m->id,
					    .offset = off, .tid = m->m.tid,
					    .rflags = off + n == caplen ? UC_RF_LAST : 0 };
		memcpy(d->data, m->data + off, n);
		o += put_rec(out + o, d, sizeof(*d) + n);
		off += n;
	}
	return o;
}

int main(int argc, char **argv)
{
	char perr[PCAP_ERRBUF_SIZE];
	static struct uc_fd_info fds[UC_MAX_FDS];
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: fuzz_seeds CAPTURE LINKTYPE_DIR REASM_DIR [DECODE_DIR]\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO,
							     perr);
	if (!p) {
		fprintf(stderr, "fuzz_seeds: %s\n", perr);
		return 1;
	}
	const char *tag = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
	/* Records of one message: the fd records, a MSG record, and a DATA record per chunk. */
	size_t most = UC_MAX_FDS * (2 + sizeof(struct uc_fd_rec)) + 2 + sizeof(struct uc_msg_rec) +
		      (UC_LT_MAX_PACKET / UC_CHUNK_MAX + 2) * (2 + sizeof(struct uc_data_rec)) +
		      UC_LT_MAX_PACKET;
	uint8_t *recs = malloc(most);
	struct pcap_pkthdr *ph;
	const u_char *data;
	unsigned long long n = 0;
	int rc = 0;
	while (recs && rc == 0 && pcap_next_ex(p, &ph, &data) == 1) {
		struct uc_lt_packet pkt;
		struct uc_message m;
		const char *why;
		n++;
		rc = write_file(argv[2], tag, n, data, ph->caplen);
		if (rc || uc_lt_decode(data, ph->caplen, &pkt, &why))
			continue;
		uc_lt_to_message(&pkt, &m, fds);
		rc = write_file(argv[3], tag, n, recs, records_of(&m, recs));
		if (!rc && argc == 5 && m.caplen) {
			recs[0] = 5; /* fuzz_decode's 256-byte output */
			memcpy(recs + 1, m.data, m.caplen);
			rc = write_file(argv[4], tag, n, recs, 1 + m.caplen);
		}
	}
	pcap_close(p);
	free(recs);
	printf("%s: %llu packets\n", argv[1], n);
	return rc || !recs ? 1 : 0;
}
