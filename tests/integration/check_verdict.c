/* The checks' verdicts: each check's problems, its ok/FAIL line, and the run's tally (read
 * by the harness's signal handler too: plain loads of volatile ints). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check_harness.h"

#define MAX_PROBLEMS_SHOWN 20

static volatile int g_passed, g_failed;

void verdict_init(struct verdict *v, const char *name)
{
	memset(v, 0, sizeof(*v));
	v->name = name;
}

void problem(struct verdict *v, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	v->n++;
	if (v->n <= MAX_PROBLEMS_SHOWN)
		fprintf(stderr, "capture_check: %s: %s\n", v->name, buf);
	else if (v->n == MAX_PROBLEMS_SHOWN + 1)
		fprintf(stderr, "capture_check: %s: (further problems not shown)\n", v->name);
	if (v->n == 1)
		snprintf(v->first, sizeof(v->first), "%s", buf);
}

void verdict_report(const struct verdict *v)
{
	if (!v->n) {
		printf("ok %s\n", v->name);
		g_passed++;
	} else {
		if (v->n > 1)
			printf("FAIL %s: %s (+%d more)\n", v->name, v->first, v->n - 1);
		else
			printf("FAIL %s: %s\n", v->name, v->first);
		g_failed++;
	}
	fflush(stdout);
}

int checks_passed(void)
{
	return g_passed;
}

int checks_failed(void)
{
	return g_failed;
}
