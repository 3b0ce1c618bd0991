/* -x, -X and -A payload layouts, compared byte for byte with tcpdump's conventions. */
#include <stdlib.h>

#include "writers/console/console.h"
#include "writers/console/hexdump.h"
#include "unit.h"

static char *captured;

/* Runs one dump into memory; the result stays valid until the next call. */
static const char *dump(int mode, const void *data, size_t len)
{
	size_t size = 0;
	FILE *f;

	free(captured);
	captured = NULL;
	f = open_memstream(&captured, &size);
	if (mode == 'A')
		uc_print_ascii(f, data, len);
	else
		uc_print_hex(f, data, len, mode == 'X');
	fclose(f);
	return captured;
}

static void test_hexascii(void)
{
	unsigned char b33[33];

	for (int i = 0; i < 33; i++)
		b33[i] = (unsigned char)(0x70 + i);

	CHECK_STR(dump('X', "", 0), "");
	CHECK_STR(dump('X', "Hello\n", 6),
		  "\t0x0000:  4865 6c6c 6f0a                           Hello.\n");
	CHECK_STR(dump('X', "\0", 1),
		  "\t0x0000:  00                                       .\n");
	/* Like tcpdump -X, only graphic characters are shown: a space is '.'. */
	CHECK_STR(dump('X', "ABCDEFGHIJKLMN ", 15),
		  "\t0x0000:  4142 4344 4546 4748 494a 4b4c 4d4e 20    ABCDEFGHIJKLMN.\n");
	CHECK_STR(dump('X', "0123456789abcdef", 16),
		  "\t0x0000:  3031 3233 3435 3637 3839 6162 6364 6566  0123456789abcdef\n");
	CHECK_STR(dump('X', "0123456789abcdefg", 17),
		  "\t0x0000:  3031 3233 3435 3637 3839 6162 6364 6566  0123456789abcdef\n"
		  "\t0x0010:  67                                       g\n");
	CHECK_STR(dump('X', b33, 33),
		  "\t0x0000:  7071 7273 7475 7677 7879 7a7b 7c7d 7e7f  pqrstuvwxyz{|}~.\n"
		  "\t0x0010:  8081 8283 8485 8687 8889 8a8b 8c8d 8e8f  ................\n"
		  "\t0x0020:  90                                       .\n");
	CHECK_STR(dump('X', "\x1f\x20\x7e\x7f\r\n\t", 7),
		  "\t0x0000:  1f20 7e7f 0d0a 09                        ..~....\n");
}

static void test_hex(void)
{
	unsigned char b33[33];

	for (int i = 0; i < 33; i++)
		b33[i] = (unsigned char)(0x70 + i);

	CHECK_STR(dump('x', "", 0), "");
	CHECK_STR(dump('x', "Hello\n", 6), "\t0x0000:  4865 6c6c 6f0a\n");
	CHECK_STR(dump('x', "\0", 1), "\t0x0000:  00\n");
	CHECK_STR(dump('x', "ABCDEFGHIJKLMN ", 15),
		  "\t0x0000:  4142 4344 4546 4748 494a 4b4c 4d4e 20\n");
	CHECK_STR(dump('x', "0123456789abcdef", 16),
		  "\t0x0000:  3031 3233 3435 3637 3839 6162 6364 6566\n");
	CHECK_STR(dump('x', "0123456789abcdefg", 17),
		  "\t0x0000:  3031 3233 3435 3637 3839 6162 6364 6566\n"
		  "\t0x0010:  67\n");
	CHECK_STR(dump('x', b33, 33),
		  "\t0x0000:  7071 7273 7475 7677 7879 7a7b 7c7d 7e7f\n"
		  "\t0x0010:  8081 8283 8485 8687 8889 8a8b 8c8d 8e8f\n"
		  "\t0x0020:  90\n");
}

/* Independent, slow rendering of one -X line, used to check big payloads line by line. */
static void ref_line(char *out, const unsigned char *p, size_t off, size_t n, bool ascii)
{
	char hex[64] = "";
	char asc[17] = "";

	for (size_t i = 0; i < n; i++)
		sprintf(hex + strlen(hex), i % 2 ? "%02x" : " %02x", p[off + i]);
	for (size_t i = 0; i < n; i++)
		asc[i] = p[off + i] > 0x20 && p[off + i] <= 0x7e ? (char)p[off + i] : '.';
	asc[n] = '\0';
	if (ascii)
		sprintf(out, "\t0x%04zx: %-40s  %s\n", off, hex, asc);
	else
		sprintf(out, "\t0x%04zx: %s\n", off, hex);
}

static void test_large(void)
{
	size_t len = 262144 + 7; /* a full default snaplen and an odd tail */
	unsigned char *p = malloc(len);
	char line[128];
	size_t lines = 0, bad = 0, pos;

	srand(7);
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)rand();
	for (int ascii = 0; ascii <= 1; ascii++) {
		const char *text = dump(ascii ? 'X' : 'x', p, len);

		pos = 0;
		lines = bad = 0;
		for (size_t off = 0; off < len; off += 16) {
			size_t n = len - off < 16 ? len - off : 16;
			size_t l;

			ref_line(line, p, off, n, ascii);
			l = strlen(line);
			if (strncmp(text + pos, line, l) != 0)
				bad++;
			pos += l;
			lines++;
		}
		CHECK_INT(bad, 0);
		CHECK_INT(lines, 16385);
		CHECK_INT(strlen(text), pos);
	}
	/* Offsets simply grow past four digits, as in tcpdump. */
	CHECK(strstr(dump('x', p, len), "\n\t0xfff0:  ") != NULL);
	CHECK(strstr(captured, "\n\t0x10000:  ") != NULL);
	CHECK(strstr(captured, "\n\t0x40000:  ") != NULL);
	free(p);
}

static void test_ascii(void)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	char *big = malloc(20001);

	CHECK_STR(dump('A', "", 0), "");
	CHECK_STR(dump('A', http, sizeof(http) - 1), "GET / HTTP/1.1\nHost: x\n\n");
	CHECK_STR(dump('A', "abc\n", 4), "abc\n");
	CHECK_STR(dump('A', "abc", 3), "abc\n");
	CHECK_STR(dump('A', "abc\r", 4), "abc\n");
	CHECK_STR(dump('A', "a\x01\tb\x7f\xff\0c", 8), "a.\tb...c\n");
	CHECK_STR(dump('A', "\r", 1), "");

	/* Longer than the internal batch, with and without a final newline. */
	memset(big, 'a', 20000);
	big[20000] = '\0';
	dump('A', big, 20000);
	CHECK_INT(strlen(captured), 20001);
	CHECK(strspn(captured, "a") == 20000 && captured[20000] == '\n');
	big[8191] = '\n';
	big[19999] = '\n';
	CHECK_STR(dump('A', big, 20000), big);
	free(big);
}

/* The dump modes through uc_console_write: summary line first, then the dump. */
static void test_console(void)
{
	struct uc_message m;
	size_t size = 0;
	char *text = NULL;
	FILE *f = open_memstream(&text, &size);
	struct uc_console c = { .out = f, .mode = UC_OUT_HEXASCII, .relative_ts = true };

	memset(&m, 0, sizeof(m));
	m.m.pid = 10;
	m.m.tid = 11;
	memcpy(m.m.comm, "cat", 4);
	m.m.sock = 0xabc;
	m.m.type = 1;
	m.m.len = 6;
	m.caplen = 6;
	m.data = (const uint8_t *)"Hello\n";
	m.ts_wall_ns = 5000000000ull;

	CHECK_INT(uc_console_write(&c, &m), 0);
	c.mode = UC_OUT_HEX;
	m.ts_wall_ns += 1500;
	CHECK_INT(uc_console_write(&c, &m), 0);
	c.mode = UC_OUT_ASCII;
	CHECK_INT(uc_console_write(&c, &m), 0);
	m.caplen = 0;
	m.data = NULL;
	m.flags = UC_MF_PAGES | UC_UF_TRUNCATED;
	CHECK_INT(uc_console_write(&c, &m), 0);
	fclose(f);
	CHECK_STR(text,
		  "0.000000000 10/11 cat \u2192 ? 0xabc stream - len 6\n"
		  "\t0x0000:  4865 6c6c 6f0a                           Hello.\n"
		  "0.000001500 10/11 cat \u2192 ? 0xabc stream - len 6\n"
		  "\t0x0000:  4865 6c6c 6f0a\n"
		  "0.000001500 10/11 cat \u2192 ? 0xabc stream - len 6\n"
		  "Hello\n"
		  "0.000001500 10/11 cat \u2192 ? 0xabc stream - len 6 caplen 0 [pages truncated]\n");
	free(text);
}

int main(void)
{
	test_hexascii();
	test_hex();
	test_large();
	test_ascii();
	test_console();
	free(captured);
	UNIT_DONE();
}
