/*
 * Clock readings in nanoseconds, and the text forms of nanosecond stamps that every output
 * shares (console, JSON, follow, the conversation list, packet comments).
 */
#ifndef UNIXCAP_CORE_CLOCK_H
#define UNIXCAP_CORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * clock_gettime(clk) in nanoseconds since that clock's epoch. CLOCK_MONOTONIC is the
 * kernel's bpf_ktime_get_ns() (record stamps, timeouts); CLOCK_REALTIME is wall time (file
 * headers, the offset that turns record stamps into wall time).
 */
uint64_t uc_now_ns(clockid_t clk);

/*
 * Like the uc_format_* functions of text.h, these write into buf/size, always
 * NUL-terminate when size > 0 and return the strlen() of what they wrote.
 */

/* Local time of day of a CLOCK_REALTIME stamp: "HH:MM:SS.nnnnnnnnn". */
size_t uc_format_time(char *buf, size_t size, uint64_t wall_ns);

/* A nanosecond count as seconds with all nine decimals: "12.000000345" (integer
 * arithmetic, so no nanosecond is lost as it would be through a double). */
size_t uc_format_seconds(char *buf, size_t size, uint64_t ns);

/*
 * Seconds from base to ts, for -T (time relative to the first message). The wall clock
 * can step back, so ts may be before base: negative gives "-S.nnnnnnnnn" (the console
 * shows the step), otherwise it is "0.000000000" (follow and the conversation list never
 * show a negative time).
 */
size_t uc_format_since(char *buf, size_t size, uint64_t ts, uint64_t base, bool negative);

#endif
