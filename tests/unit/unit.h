/* Minimal assertions: count, report what differed, end with "N passed, M failed". */
#ifndef UNIXCAP_UNIT_H
#define UNIXCAP_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

/* Shows control characters and tabs so whitespace differences are visible. */
static inline void unit_show(const char *label, const char *s)
{
	fprintf(stderr, "  %s: \"", label);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", stderr);
		else if (c == '\t')
			fputs("\\t", stderr);
		else if (c < 0x20)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputs("\"\n", stderr);
}

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (cond) {                                                          \
			unit_passed++;                                               \
		} else {                                                             \
			unit_failed++;                                               \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__,     \
				#cond);                                              \
		}                                                                    \
	} while (0)

#define CHECK_INT(got, want)                                                         \
	do {                                                                         \
		long long g_ = (long long)(got), w_ = (long long)(want);             \
		if (g_ == w_) {                                                      \
			unit_passed++;                                               \
		} else {                                                             \
			unit_failed++;                                               \
			fprintf(stderr, "%s:%d: %s == %lld, want %lld\n", __FILE__,        \
				__LINE__, #got, g_, w_);                             \
		}                                                                    \
	} while (0)

#define CHECK_STR(got, want)                                                         \
	do {                                                                         \
		const char *g_ = (got), *w_ = (want);                                \
		if (g_ && w_ && strcmp(g_, w_) == 0) {                               \
			unit_passed++;                                               \
		} else {                                                             \
			unit_failed++;                                               \
			fprintf(stderr, "%s:%d: %s differs\n", __FILE__, __LINE__, #got);  \
			unit_show("got ", g_);                                       \
			unit_show("want", w_);                                       \
		}                                                                    \
	} while (0)

#define UNIT_DONE()                                                                  \
	do {                                                                         \
		printf("%d passed, %d failed\n", unit_passed, unit_failed);          \
		return unit_failed ? 1 : 0;                                          \
	} while (0)

#endif
