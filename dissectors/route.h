/*
 * Which decoder a payload gets: the rules of dissectors/unixcap.lua (user rules by path,
 * then D-Bus bus paths, then HTTP API sockets), plus the line decoder for text payloads.
 */
#ifndef UNIXCAP_DISSECT_ROUTE_H
#define UNIXCAP_DISSECT_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum uc_proto {
	UC_PROTO_NONE = 0, /* no decoder (also what "none" in a rule asks for) */
	UC_PROTO_DBUS,
	UC_PROTO_HTTP,
	UC_PROTO_LINE,
};

#define UC_DECODE_RULES_MAX 16
#define UC_DECODE_PATTERN_MAX 512

/* --decode PATTERN=PROTO: PATTERN is a path's display form ("@name" for abstract); '*'
 * matches any run of characters, everything else itself. */
struct uc_decode_rule {
	char pattern[UC_DECODE_PATTERN_MAX];
	enum uc_proto proto;
};

/* "dbus", "http", "line", "none"; -1 for anything else. */
int uc_proto_parse(const char *name);
const char *uc_proto_name(enum uc_proto p);

/* Parses "PATTERN=PROTO" (split at the last '='). 0, or -1 with a one-line reason. */
int uc_decode_rule_parse(const char *text, struct uc_decode_rule *r, char *err, size_t errlen);

/* '*' globbing over whole strings. */
bool uc_glob_match(const char *pattern, const char *s);

/* The built-in path rules alone, as in the Lua dissector. */
bool uc_is_dbus_path(const char *path);
bool uc_is_http_path(const char *path, const uint8_t *p, size_t n);

/*
 * The decoder for a payload sent between sockets with these display paths (either end,
 * empty strings skipped): the first user rule matching any path, else the built-in rules,
 * else the line decoder when the payload is text.
 */
enum uc_proto uc_route(const struct uc_decode_rule *rules, size_t nrules,
		       const char *const *paths, size_t npaths, const uint8_t *p, size_t n);

#endif
