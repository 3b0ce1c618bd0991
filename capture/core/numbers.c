#include "capture/core/numbers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int uc_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int uc_parse_sock_addr(const char *s, uint64_t *out)
{
	const char *hex = s;
	uint64_t v;

	if (!strncmp(hex, "0x", 2) || !strncmp(hex, "0X", 2))
		hex += 2;
	if (!*hex || strlen(hex) > 16 || strspn(hex, "0123456789abcdefABCDEF") != strlen(hex))
		return -EINVAL;
	v = strtoull(hex, NULL, 16);
	if (!v)
		return -ERANGE;
	*out = v;
	return 0;
}

int uc_parse_pid_list(const char *s, uint32_t *pids, unsigned *n, unsigned max)
{
	char buf[1024];
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	char *rest = buf, *tok;
	while ((tok = strsep(&rest, ",")) != NULL) { /* strsep keeps empty items */
		uint64_t v;
		if (uc_parse_u64(tok, 1, PID_MAX_LIMIT, &v))
			return -EINVAL;
		if (*n >= max)
			return -E2BIG;
		pids[(*n)++] = (uint32_t)v;
	}
	return *n ? 0 : -EINVAL;
}
