/*
 * libFuzzer target: ring-buffer records through the reassembler, as the live capture feeds
 * them. Input: records, each a 2-byte little-endian length then that many bytes; a length
 * of 0 flushes messages older than the timestamp in the next 8 bytes, as the main loop does
 * every poll.
 */
#include "capture/live/reassembly.h"
#include "fuzz_common.h"

static int on_message(const struct uc_message *m, void *ctx)
{
	(void)ctx;
	fuzz_check(m->caplen <= m->m.caplen);
	fuzz_check(m->n_fds <= m->m.n_fds);
	fuzz_use_message(m);
	/* Now and then stop, as a full output does: the reassembler must keep going after. */
	return (m->id & 0xff) == 0x5a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_reasm *r = uc_reasm_new(262144, on_message, NULL);
	fuzz_check(r != NULL);
	while (size >= 2) {
		size_t n = (size_t)data[0] | (size_t)data[1] << 8;
		data += 2, size -= 2;
		if (n == 0) {
			uint64_t before = 0;
			size_t k = size < 8 ? size : 8;
			memcpy(&before, data, k);
			uc_reasm_flush(r, before);
			data += k, size -= k;
			continue;
		}
		if (n > size)
			n = size;
		/* Own allocation per record, as libbpf hands each one out separately. */
		uint8_t *rec = malloc(n);
		fuzz_check(rec != NULL);
		memcpy(rec, data, n);
		uc_reasm_feed(r, rec, n);
		free(rec);
		data += n, size -= n;
	}
	uc_reasm_flush(r, UINT64_MAX);
	uc_reasm_free(r);
	return 0;
}
