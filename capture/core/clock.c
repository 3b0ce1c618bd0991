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
	time_t sec = (time_t)(wall_ns / NS_PER_S);
	struct tm tm;

	if (size == 0)
		return 0;
	if (!localtime_r(&sec, &tm))
		memset(&tm, 0, sizeof(tm));
	return uc_strbuf_format(buf, size, "%02d:%02d:%02d.%09u", tm.tm_hour, tm.tm_min,
				tm.tm_sec, (unsigned)(wall_ns % NS_PER_S));
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
