/* -v detail lines: cgroup/container and decoded payload (detail.h). */
#include "writers/console/detail.h"
#include "capture/core/clock.h"
#include "capture/core/text.h"
#include "dissectors/dbus.h"
#include "dissectors/http.h"
#include "dissectors/line.h"
#include "capture/core/options.h"

#include <string.h>
#include <time.h>

#define DETAIL_TEXT_MAX 8192

int uc_decode_payload(enum uc_proto proto, const uint8_t *p, size_t n, char *out,
		      size_t outlen)
{
	switch (proto) {
	case UC_PROTO_DBUS:
		return uc_decode_dbus(p, n, out, outlen);
	case UC_PROTO_HTTP:
		return uc_decode_http(p, n, out, outlen);
	case UC_PROTO_LINE:
		return uc_decode_line(p, n, out, outlen);
	case UC_PROTO_NONE:
		break;
	}
	if (outlen)
		out[0] = '\0';
	return 0;
}

enum uc_proto uc_detail_proto(const struct uc_detail *d, const struct uc_message *msg)
{
	char path[UC_PATH_MAX * 4 + 2], peer[UC_PATH_MAX * 4 + 2];
	const char *paths[2] = { path, peer };

	uc_format_path(path, sizeof(path), msg->m.path, msg->m.path_len);
	uc_format_path(peer, sizeof(peer), msg->m.peer_path, msg->m.peer_path_len);
	return uc_route(d->rules, d->nrules, paths, 2, msg->data, msg->caplen);
}

int uc_detail_init(struct uc_detail *d, const struct uc_options *o, struct uc_cgroups *cgroups,
		   char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->rules = o->decode;
	d->nrules = o->n_decode;
	d->decode = o->verbose > 0;
	d->cgroups = cgroups;
	if (!d->decode || cgroups)
		return 0;
	d->cgroups = uc_cgroups_new(NULL);
	if (!d->cgroups) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->own_cgroups = true;
	return 0;
}

void uc_detail_free(struct uc_detail *d)
{
	if (d->own_cgroups)
		uc_cgroups_free(d->cgroups);
	d->cgroups = NULL;
	d->own_cgroups = false;
}

static void print_cgroup(FILE *out, struct uc_cgroups *cg, uint64_t id)
{
	char cid[72], text[4096 * 4 + 1];
	const char *runtime;
	const char *path = uc_cgroups_path(cg, id, uc_now_ns(CLOCK_MONOTONIC));
	if (!path) {
		fprintf(out, "\tcgroup id %llu (no such cgroup now)\n", (unsigned long long)id);
		return;
	}
	uc_format_bytes(text, sizeof(text), path, strlen(path));
	fprintf(out, "\tcgroup %s", text);
	if (uc_container_id(path, cid, sizeof(cid), &runtime))
		fprintf(out, " container %s %.12s", runtime, cid);
	fputc('\n', out);
}

void uc_detail_print(FILE *out, const struct uc_message *msg, void *ctx)
{
	const struct uc_detail *d = ctx;
	static char text[DETAIL_TEXT_MAX]; /* the console writes one message at a time */

	if (d->decode && d->cgroups && msg->m.cgroup_id)
		print_cgroup(out, d->cgroups, msg->m.cgroup_id);
	if (!d->decode || !msg->data || !msg->caplen ||
	    (msg->flags & (UC_MF_ERROR | UC_MF_RECEIVE)))
		return;
	enum uc_proto proto = uc_detail_proto(d, msg);
	if (proto == UC_PROTO_NONE)
		return;
	int lines = uc_decode_payload(proto, msg->data, msg->caplen, text, sizeof(text));
	if (lines == 0) {
		if (text[0])
			fprintf(out, "\t%s: %s\n", uc_proto_name(proto), text);
		return;
	}
	for (char *l = text; *l;) {
		char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		fprintf(out, "\t%.*s\n", (int)len, l);
		l += len + (nl ? 1 : 0);
	}
}
