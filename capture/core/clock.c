/* Clock readings and nanosecond stamps as text (clock.h). */
#include "capture/core/clock.h"
#include "capture/core/strbuf.h"

#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000u

uint64_t uc_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

size_t uc_format_time(char *buf, size_t size, uint64_t wall_ns)
{
	/* Every message's summary has this stamp: the local time of the last second seen is
	 * kept, and the digits written without printf. One thread formats summaries. */
	static time_t last_sec = -1;
	static long last_zone;
	static const char *last_name;
	static struct tm tm;
	time_t sec = (time_t)(wall_ns / NS_PER_S);
	char text[sizeof("hh:mm:ss.nnnnnnnnn")];
	unsigned ns = (unsigned)(wall_ns % NS_PER_S);
	struct uc_strbuf b;

	if (size == 0)
		return 0;
	/* tzset() after a change of TZ changes timezone and tzname: the cache is then stale. */
	if (sec != last_sec || timezone != last_zone || tzname[0] != last_name) {
		if (!localtime_r(&sec, &tm))
			memset(&tm, 0, sizeof(tm));
		last_sec = sec;
		last_zone = timezone;
		last_name = tzname[0];
	}
	int f[3] = { tm.tm_hour, tm.tm_min, tm.tm_sec };
	for (int i = 0; i < 3; i++) {
		/* %02d: the fields are 0..60, never negative */
		unsigned v = (unsigned)f[i] % 100;
		text[i * 3] = (char)('0' + v / 10);
		text[i * 3 + 1] = (char)('0' + v % 10);
		text[i * 3 + 2] = i < 2 ? ':' : '.';
	}
	for (int i = 17; i >= 9; i--, ns /= 10)
		text[i] = (char)('0' + ns % 10);
	uc_strbuf_init(&b, buf, size, UC_STRBUF_CUT);
	uc_strbuf_put(&b, text, sizeof(text) - 1);
	return b.len;
}

static size_t format_signed(char *buf, size_t size, const char *sign, uint64_t ns)
{
	return uc_strbuf_format(buf, size, "%s%llu.%09llu", sign,
				(unsigned long long)(ns / NS_PER_S), (unsigned long long)(ns % NS_PER_S));
}

size_t uc_format_seconds(char *buf, size_t size, uint64_t ns)
{
	return format_signed(buf, size, "", ns);
}

size_t uc_format_since(char *buf, size_t size, uint64_t ts, uint64_t base, bool negative)
{
	if (ts >= base)
		return format_signed(buf, size, "", ts - base);
	return negative ? format_signed(buf, size, "-", base - ts) : format_signed(buf, size, "", 0);
}
