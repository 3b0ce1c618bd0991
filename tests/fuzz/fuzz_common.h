/*
 * What every fuzz target does with a message it got out of the input: check the
 * invariants the writers rely on, then run it through every console writer and the
 * pcapng encoder, so a bad field reaches the code that would print or store it.
 */
#ifndef UNIXCAP_FUZZ_COMMON_H
#define UNIXCAP_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writers/console/console.h"
#include "writers/capfile/linktype.h"
#include "writers/capfile/pcapng_file.h"

static FILE *fuzz_sink(void)
{
	static FILE *null;
	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	return null;
}

/* An invariant the code promises; a failure names the line in the crash report. */
#define fuzz_check(cond)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                          \
		}                                                                         \
	} while (0)

static void fuzz_use_message(const struct uc_message *m)
{
	/* Every byte the message claims must be readable: ASan flags the first that is not. */
	volatile uint8_t sum = 0;
	fuzz_check(!m->caplen || m->data);
	for (uint32_t i = 0; i < m->caplen; i++)
		sum += m->data[i];
	(void)sum;
	fuzz_check(m->n_fds <= UC_MAX_FDS && (!m->n_fds || m->fds));
	for (unsigned i = 0; i < m->n_fds; i++)
		fuzz_check(memchr(m->fds[i].name, 0, sizeof(m->fds[i].name)) != NULL);

	static const enum uc_console_mode modes[] = { UC_OUT_SUMMARY, UC_OUT_HEXASCII,
						      UC_OUT_ASCII, UC_OUT_JSON, UC_OUT_FDS };
	/* One writer per message, chosen by the input: all of them each time costs 5x the speed. */
	size_t i = (size_t)(m->id % (sizeof(modes) / sizeof(modes[0])));
	struct uc_console c = { .out = fuzz_sink(), .mode = modes[i], .relative_ts = m->id & 8 };
	uc_console_write(&c, m);

	/* What -w would store must decode again, as -r reads it. */
	static uint8_t head[UC_LT_HEADER_LEN + UC_LT_FD_AREA_MAX];
	struct uc_buf b = { 0 };
	struct uc_capfile_info info = { .linktype = UC_LT_DEFAULT, .snaplen = UC_LT_MAX_PACKET,
					.description = "fuzz" };
	fuzz_check(uc_pcapng_file_packet(&b, &info, NULL, m) == 0);
	uint32_t head_len, payload, orig;
	uc_lt_build(head, m, UC_LT_MAX_PACKET, &head_len, &payload, &orig);
	uint8_t *pkt = malloc(head_len + payload);
	fuzz_check(pkt != NULL);
	memcpy(pkt, head, head_len);
	if (payload)
		memcpy(pkt + head_len, m->data, payload);
	struct uc_lt_packet p;
	const char *why = NULL;
	fuzz_check(uc_lt_decode(pkt, head_len + payload, &p, &why) == 0);
	fuzz_check(p.payload_len == payload && p.h.msg_id == m->id);
	free(pkt);
	uc_buf_free(&b);
}

#endif
