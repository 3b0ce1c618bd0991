/* Choosing a payload decoder by socket path and first bytes (route.h). */
#include "dissectors/route.h"
#include "dissectors/http.h"
#include "dissectors/line.h"

#include <stdio.h>
#include <string.h>

static const char *const proto_names[] = { "none", "dbus", "http", "line" };

int uc_proto_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++)
		if (!strcmp(name, proto_names[i]))
			return (int)i;
	return -1;
}

const char *uc_proto_name(enum uc_proto p)
{
	return (unsigned)p < sizeof(proto_names) / sizeof(proto_names[0]) ? proto_names[p] : "?";
}

int uc_decode_rule_parse(const char *text, struct uc_decode_rule *r, char *err, size_t errlen)
{
	const char *eq = strrchr(text, '=');
	int proto;

	if (!eq || eq == text) {
		snprintf(err, errlen, "bad --decode '%s' (PATH=PROTO, e.g. /run/app.sock=http)", text);
		return -1;
	}
	if ((size_t)(eq - text) >= sizeof(r->pattern)) {
		snprintf(err, errlen, "bad --decode '%s' (path longer than %zu bytes)", text,
			 sizeof(r->pattern) - 1);
		return -1;
	}
	proto = uc_proto_parse(eq + 1);
	if (proto < 0) {
		snprintf(err, errlen, "bad --decode '%s' (PROTO is dbus, http, line or none)", text);
		return -1;
	}
	memcpy(r->pattern, text, (size_t)(eq - text));
	r->pattern[eq - text] = '\0';
	r->proto = (enum uc_proto)proto;
	return 0;
}

bool uc_glob_match(const char *pat, const char *s)
{
	/* Iterative with one backtrack point: linear enough for paths, no recursion depth. */
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* /run/user/UID/bus: the per-user session bus of systemd systems. */
static bool user_bus(const char *p)
{
	const char *pre = "/run/user/";
	size_t k = strlen(pre), d = 0;

	if (strncmp(p, pre, k))
		return false;
	while (p[k + d] >= '0' && p[k + d] <= '9')
		d++;
	return d > 0 && !strcmp(p + k + d, "/bus");
}

bool uc_is_dbus_path(const char *p)
{
	return !strcmp(p, "/run/dbus/system_bus_socket") ||
	       !strcmp(p, "/var/run/dbus/system_bus_socket") || user_bus(p) || strstr(p, "dbus");
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

bool uc_is_http_path(const char *path, const uint8_t *p, size_t n)
{
	return strstr(path, "docker.sock") || strstr(path, "containerd.sock") ||
	       (ends_with(path, ".sock") && uc_http_start(p, n));
}

enum uc_proto uc_route(const struct uc_decode_rule *rules, size_t nrules,
		       const char *const *paths, size_t npaths, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < npaths; i++)
		for (size_t r = 0; r < nrules && paths[i][0]; r++)
			if (uc_glob_match(rules[r].pattern, paths[i]))
				return rules[r].proto;
	for (size_t i = 0; i < npaths; i++)
		if (paths[i][0] && uc_is_dbus_path(paths[i]))
			return UC_PROTO_DBUS;
	for (size_t i = 0; i < npaths; i++)
		if (paths[i][0] && uc_is_http_path(paths[i], p, n))
			return UC_PROTO_HTTP;
	return uc_line_text(p, n) ? UC_PROTO_LINE : UC_PROTO_NONE;
}
