/*
 * Robustness of the payload decoders on damaged input: every prefix of the real vectors,
 * and seeded random mutations of them (byte flips, length fields set to extremes, cuts).
 * Checks what a fuzzer would: no crash, output NUL-terminated within its buffer, the
 * buffer's tail untouched. Deterministic, so a failure reproduces; run it under
 * UNIXCAP_SANITIZE=ON to catch reads past the input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "dissectors/dbus.h"
#include "dissectors/http.h"
#include "dissectors/line.h"
#include "unit.h"

#ifndef UC_TEST_DATA
#define UC_TEST_DATA "tests/data"
#endif

typedef int (*decoder)(const uint8_t *, size_t, char *, size_t);
static const decoder decoders[] = { uc_decode_dbus, uc_decode_http, uc_decode_line };

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static int bad;

/* One decode into a buffer with a guard zone; exact-size heap copies let ASan see overreads. */
static void run(decoder d, const uint8_t *p, size_t n, size_t outlen)
{
	char out[600];
	uint8_t *copy = n ? malloc(n) : NULL;
	if (n)
		memcpy(copy, p, n);
	memset(out, 0x5a, sizeof(out));
	int lines = d(copy, n, out, outlen);
	bool tail_kept = true;
	for (size_t i = outlen; i < sizeof(out); i++)
		tail_kept = tail_kept && out[i] == 0x5a;
	if (lines < 0 || (outlen && memchr(out, 0, outlen) == NULL) || !tail_kept) {
		if (bad++ < 5)
			fprintf(stderr, "decoder %d on %zu bytes into %zu: bad output\n",
				(int)(d == uc_decode_dbus ? 0 : d == uc_decode_http ? 1 : 2), n, outlen);
	}
	free(copy);
}

static size_t load_all(const char *name, uint8_t **bufs, size_t *lens, size_t max)
{
	char path[512], line[65536];
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/%s", UC_TEST_DATA, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *d = strstr(line, "\"data\":\"");
		if (!d)
			continue;
		d += 8;
		size_t hex = strcspn(d, "\"");
		bufs[n] = malloc(hex / 2 + 1);
		lens[n] = hex / 2;
		for (size_t i = 0; i < hex / 2; i++) {
			unsigned v;
			sscanf(d + 2 * i, "%2x", &v);
			bufs[n][i] = (uint8_t)v;
		}
		n++;
	}
	fclose(f);
	return n;
}

int main(void)
{
	uint8_t *bufs[64];
	size_t lens[64], n = 0;
	n += load_all("dbus-send.jsonl", bufs + n, lens + n, 64 - n);
	n += load_all("curl-http.jsonl", bufs + n, lens + n, 64 - n);
	CHECK(n >= 25);

	for (size_t v = 0; v < n; v++)
		for (size_t k = 0; k <= lens[v]; k++)
			for (size_t d = 0; d < 3; d++)
				run(decoders[d], bufs[v], k, 512);

	/* Two messages back to back, then mutations of that, so walks cross message ends. */
	uint8_t m[1024];
	for (int iter = 0; iter < 20000; iter++) {
		size_t a = next() % n, b = next() % n;
		size_t len = lens[a] + lens[b];
		if (len > sizeof(m))
			continue;
		memcpy(m, bufs[a], lens[a]);
		memcpy(m + lens[a], bufs[b], lens[b]);
		int edits = 1 + next() % 4;
		for (int e = 0; e < edits && len; e++) {
			size_t at = next() % len;
			switch (next() % 4) {
			case 0: /* a random byte */
				m[at] = (uint8_t)next();
				break;
			case 1: /* a length or count field to its extreme */
				for (size_t i = at; i < at + 4 && i < len; i++)
					m[i] = 0xff;
				break;
			case 2: /* a small value where a length was */
				for (size_t i = at; i < at + 4 && i < len; i++)
					m[i] = i == at ? (uint8_t)(next() % 16) : 0;
				break;
			default: /* cut */
				len = at;
				break;
			}
		}
		size_t outlen = next() % 2 ? 512 : next() % 64;
		for (size_t d = 0; d < 3; d++)
			run(decoders[d], m, len, outlen);
	}
	CHECK_INT(bad, 0);
	for (size_t v = 0; v < n; v++)
		free(bufs[v]);
	UNIT_DONE();
}
