/*
 * libFuzzer target: the payload decoders (D-Bus, HTTP/1.x, text lines) that -v runs on
 * every captured payload. Input: one byte choosing the output buffer size, then the payload.
 * Both are exact-size allocations, so a byte read or written past either is an ASan error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/dbus.h"
#include "dissectors/http.h"
#include "dissectors/line.h"

#define check(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                      \
		}                                                                     \
	} while (0)

typedef int (*decoder)(const uint8_t *p, size_t n, char *out, size_t outlen);

static void run(decoder d, const uint8_t *p, size_t n, size_t outlen)
{
	char *out = outlen ? malloc(outlen) : NULL;
	check(!outlen || out);
	if (out)
		memset(out, 'Z', outlen);
	int lines = d(p, n, out, outlen);
	check(lines >= 0);
	/* Always a C string when there is room for one. */
	if (outlen)
		check(memchr(out, 0, outlen) != NULL);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t outs[] = { 0, 1, 2, 17, 80, 256, 4096 };
	if (size < 1)
		return 0;
	size_t outlen = outs[data[0] % (sizeof(outs) / sizeof(outs[0]))];
	size_t n = size - 1;
	uint8_t *p = malloc(n ? n : 1);
	check(p != NULL);
	memcpy(p, data + 1, n);
	run(uc_decode_dbus, p, n, outlen);
	run(uc_decode_http, p, n, outlen);
	run(uc_decode_line, p, n, outlen);
	(void)uc_http_start(p, n);
	(void)uc_line_text(p, n);
	free(p);
	return 0;
}
