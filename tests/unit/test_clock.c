/* capture/core/clock: clock readings and nanosecond counts as seconds (the time of day
 * form, uc_format_time, is checked in test_format.c). */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "capture/core/clock.h"
#include "unit.h"

static void test_now(void)
{
	struct timespec ts;
	uint64_t a, b, wall;

	a = uc_now_ns(CLOCK_MONOTONIC);
	b = uc_now_ns(CLOCK_MONOTONIC);
	CHECK(a > 0);
	CHECK(b >= a);
	/* The wall clock agrees with time() to within a second or two. */
	clock_gettime(CLOCK_REALTIME, &ts);
	wall = uc_now_ns(CLOCK_REALTIME);
	CHECK(wall / 1000000000u >= (uint64_t)ts.tv_sec);
	CHECK(wall / 1000000000u <= (uint64_t)ts.tv_sec + 2);
}

static void test_seconds(void)
{
	char buf[48];

	CHECK_INT(uc_format_seconds(buf, sizeof(buf), 0), 11);
	CHECK_STR(buf, "0.000000000");
	uc_format_seconds(buf, sizeof(buf), 12000000345ull);
	CHECK_STR(buf, "12.000000345");
	/* The JSON "ts" of a message: seconds since the epoch, all nine decimals. */
	uc_format_seconds(buf, sizeof(buf), 1763888592123456789ull);
	CHECK_STR(buf, "1763888592.123456789");
	uc_format_seconds(buf, sizeof(buf), UINT64_MAX);
	CHECK_STR(buf, "18446744073.709551615");
	/* Cut like snprintf, and the length says what landed. */
	CHECK_INT(uc_format_seconds(buf, 5, 12000000345ull), 4);
	CHECK_STR(buf, "12.0");
	CHECK_INT(uc_format_seconds(buf, 0, 1), 0);
}

static void test_since(void)
{
	char buf[48];

	CHECK_INT(uc_format_since(buf, sizeof(buf), 5000000001ull, 2000000000ull, true), 11);
	CHECK_STR(buf, "3.000000001");
	uc_format_since(buf, sizeof(buf), 5000000001ull, 2000000000ull, false);
	CHECK_STR(buf, "3.000000001");
	uc_format_since(buf, sizeof(buf), 7, 7, true);
	CHECK_STR(buf, "0.000000000");
	/* A wall clock stepped back: the console shows it, follow and the list clamp to 0. */
	CHECK_INT(uc_format_since(buf, sizeof(buf), 1500000000ull, 2000000001ull, true), 12);
	CHECK_STR(buf, "-0.500000001");
	uc_format_since(buf, sizeof(buf), 1500000000ull, 2000000001ull, false);
	CHECK_STR(buf, "0.000000000");
}

int main(void)
{
	test_now();
	test_seconds();
	test_since();
	UNIT_DONE();
}
