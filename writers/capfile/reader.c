/* Reading captures back: file sniffing, libpcap, header validation. */
#include "writers/capfile/reader.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "writers/capfile/linktype.h"
#include "writers/capfile/zstd_stream.h"

#ifdef UNIXCAP_HAVE_PCAP
#include <pcap/pcap.h>

int uc_readback(const char *path, unsigned linktype, uc_message_cb cb, void *ctx, char *err,
		size_t errlen)
{
	const char *name = strcmp(path, "-") ? path : "(stdin)";
	FILE *src = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	uint8_t magic[4];
	char perr[PCAP_ERRBUF_SIZE] = "";
	int rc = 0;

	if (!src) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", name, strerror(e));
		return -e;
	}
	size_t n = fread(magic, 1, sizeof(magic), src);
	struct uc_zr *zr = uc_zr_open(src, magic, n, uc_zstd_is_magic(magic, n));
	if (!zr) {
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
		if (src != stdin)
			fclose(src);
		return -ENOMEM;
	}
	FILE *fp = uc_zr_file(zr);
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!p) {
		const char *why = uc_zr_error(zr) ? uc_zr_error(zr) : perr;
		snprintf(err, errlen, "%s: not a readable pcap or pcapng file (%s)", name, why);
		fclose(fp);
		uc_zr_free(zr);
		return -EINVAL;
	}
	int dlt = pcap_datalink(p);
	if (linktype ? (unsigned)dlt != linktype : (dlt < UC_LT_MIN || dlt > UC_LT_MAX)) {
		if (linktype)
			snprintf(err, errlen, "%s: link type %d, not the %u asked for with --linktype",
				 name, dlt, linktype);
		else
			snprintf(err, errlen,
				 "%s: link type %d is not a unixcap capture (USER0..USER15, 147..162)",
				 name, dlt);
		rc = -EINVAL;
		goto out;
	}

	struct pcap_pkthdr *ph;
	const u_char *data;
	static struct uc_fd_info fds[UC_MAX_FDS]; /* ~85 KiB: not on the stack */
	unsigned long long nr = 0;
	for (;;) {
		int r = pcap_next_ex(p, &ph, &data);
		if (r == PCAP_ERROR_BREAK)
			break;
		if (r != 1) {
			const char *why = uc_zr_error(zr) ? uc_zr_error(zr) : pcap_geterr(p);
			snprintf(err, errlen, "%s: after packet %llu: %s", name, nr, why);
			rc = -EINVAL;
			goto out;
		}
		nr++;
		struct uc_lt_packet pkt;
		const char *why = "";
		if (uc_lt_decode(data, ph->caplen, &pkt, &why)) {
			snprintf(err, errlen, "%s: packet %llu: %s", name, nr, why);
			rc = -EINVAL;
			goto out;
		}
		struct uc_message m;
		uc_lt_to_message(&pkt, &m, fds);
		/* The record's stamp is what Wireshark shows (and what editcap -t shifts). */
		m.ts_wall_ns = (uint64_t)ph->ts.tv_sec * 1000000000ull + (uint64_t)ph->ts.tv_usec;
		rc = cb(&m, ctx);
		if (rc)
			goto out;
	}
	/* A zstd stream without its frame end was cut short, even if libpcap saw a clean end. */
	if (uc_zr_error(zr)) {
		snprintf(err, errlen, "%s: after packet %llu: %s", name, nr, uc_zr_error(zr));
		rc = -EINVAL;
	}
out:
	pcap_close(p); /* fcloses fp */
	uc_zr_free(zr);
	return rc;
}

#else

int uc_readback(const char *path, unsigned linktype, uc_message_cb cb, void *ctx, char *err,
		size_t errlen)
{
	(void)path, (void)linktype, (void)cb, (void)ctx;
	snprintf(err, errlen, "-r needs libpcap, which this build was made without");
	return -ENOTSUP;
}

#endif
