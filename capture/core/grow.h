/* Arrays that grow one element at a time (sockets, owners, open messages, conversations). */
#ifndef UNIXCAP_CORE_GROW_H
#define UNIXCAP_CORE_GROW_H

#include <stddef.h>

/*
 * Room for element n of the array *items holds (*cap elements of size bytes, n of them in
 * use): when it is full, *cap doubles (or becomes first) through realloc, so appending
 * costs amortised O(1). items is the address of the array's pointer (a T **). Returns 0,
 * or -ENOMEM with *items and *cap as they were.
 */
int uc_grow(void *items, size_t *cap, size_t n, size_t size, size_t first);

#endif
