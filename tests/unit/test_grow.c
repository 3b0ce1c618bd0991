/* capture/core/grow: arrays that double as they fill. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "capture/core/grow.h"
#include "unit.h"

struct item {
	uint64_t a, b;
};

int main(void)
{
	struct item *v = NULL;
	size_t n = 0, cap = 0;

	/* Nothing is allocated until an element needs room; then first, then doubling. */
	for (; n < 100; n++) {
		size_t before = cap;
		CHECK_INT(uc_grow(&v, &cap, n, sizeof(*v), 16), 0);
		if (n < before)
			CHECK_INT(cap, before);
		v[n] = (struct item){ n, ~(uint64_t)n };
	}
	CHECK_INT(cap, 128);
	int ok = 1;
	for (size_t i = 0; i < n; i++)
		ok &= v[i].a == i && v[i].b == ~(uint64_t)i;
	CHECK(ok);
	/* Room already there: nothing moves. */
	struct item *same = v;
	CHECK_INT(uc_grow(&v, &cap, 127, sizeof(*v), 16), 0);
	CHECK(v == same && cap == 128);
	free(v);

	/* Out of memory: the array and its capacity are left as they were. */
	char *big = NULL;
	size_t big_cap = (SIZE_MAX / 2) + 1;
	CHECK_INT(uc_grow(&big, &big_cap, big_cap, 1, 16), -ENOMEM);
	CHECK(big == NULL && big_cap == (SIZE_MAX / 2) + 1);
	UNIT_DONE();
}
