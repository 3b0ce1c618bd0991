/*
 * Minimal parser for one JSON line holding an object: values are strings, numbers,
 * true/false/null, arrays of strings, and nested objects, which (alone or as array items)
 * are kept as their raw text for another jl_parse. Strings may hold any escape (\" \\ \/ \b \f \n \r
 * \t \uXXXX, surrogate pairs included); they are decoded to UTF-8 and may contain NUL bytes.
 * Keys keep their order; a repeated key is an error.
 */
#ifndef UNIXCAP_JSONL_H
#define UNIXCAP_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jl_type {
	JL_STRING,
	JL_NUMBER,
	JL_ARRAY, /* of strings (decoded) or objects (raw text) */
	JL_OBJECT, /* s holds the raw text */
	JL_TRUE,
	JL_FALSE,
	JL_NULL,
};

struct jl_value {
	char *key;
	enum jl_type type;
	char *s;          /* STRING: decoded, NUL-terminated; NUMBER: the token as written */
	size_t slen;      /* bytes in s (a decoded string may hold NULs) */
	char **items;     /* ARRAY: decoded strings, each NUL-terminated */
	size_t *item_lens;
	size_t nitems;
};

struct jl_obj {
	struct jl_value *v;
	size_t n;
};

/*
 * Parses text[0..len) (leading/trailing whitespace allowed, nothing else). Returns 0, or -1
 * with a message in err (which may be NULL). On success o must be freed with jl_free; on
 * failure it is left empty.
 */
int jl_parse(const char *text, size_t len, struct jl_obj *o, char *err, size_t errlen);
void jl_free(struct jl_obj *o);

const struct jl_value *jl_get(const struct jl_obj *o, const char *key);

/* Getters: 0 on success, -1 when the key is missing, -2 when it has the wrong type/form. */
int jl_str(const struct jl_obj *o, const char *key, const char **s, size_t *len);
int jl_i64(const struct jl_obj *o, const char *key, int64_t *out);   /* integer number */
int jl_f64(const struct jl_obj *o, const char *key, double *out);    /* any number */
/* A non-negative integer given as a number or as a "0x..." (or decimal) string. */
int jl_u64(const struct jl_obj *o, const char *key, uint64_t *out);
/* true when key is an array holding item. */
bool jl_has_item(const struct jl_obj *o, const char *key, const char *item);

#endif
