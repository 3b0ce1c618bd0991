/* libFuzzer target: the link-type header decoder (what -r applies to every packet). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uc_fd_info fds[UC_MAX_FDS];
	/* An exact-size copy: a read one byte past the packet is an ASan error. */
	uint8_t *pkt = malloc(size ? size : 1);
	fuzz_check(pkt != NULL);
	memcpy(pkt, data, size);

	struct uc_lt_packet p;
	const char *why = NULL;
	if (uc_lt_decode(pkt, size, &p, &why) == 0) {
		fuzz_check(p.payload_len <= p.h.len);
		fuzz_check(p.payload + p.payload_len == pkt + size);
		struct uc_message m;
		uc_lt_to_message(&p, &m, fds);
		fuzz_check(m.n_fds == p.h.n_fds);
		fuzz_use_message(&m);
	} else {
		fuzz_check(why && *why);
	}
	free(pkt);
	return 0;
}
