/* Growing arrays (grow.h). */
#include "capture/core/grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int uc_grow(void *items, size_t *cap, size_t n, size_t size, size_t first)
{
	void *old, *grown;
	size_t want;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : first;
	if (want <= *cap || want > SIZE_MAX / size)
		return -ENOMEM; /* the size in bytes would wrap around */
	/* The pointer is copied, not cast: items is a T **, not necessarily a void **. */
	memcpy(&old, items, sizeof(old));
	grown = realloc(old, want * size);
	if (!grown)
		return -ENOMEM;
	memcpy(items, &grown, sizeof(grown));
	*cap = want;
	return 0;
}
