/*
 * -v detail lines under a message's summary: the sender's cgroup (and container), then
 * what the payload decoder chosen for the socket's paths makes of the bytes.
 */
#ifndef UNIXCAP_DECODE_H
#define UNIXCAP_DECODE_H

#include <stdbool.h>
#include <stdio.h>
#include "capture/enrich/cgroup.h"
#include "capture/core/message.h"
#include "dissectors/route.h"

struct uc_options;

struct uc_detail {
	const struct uc_decode_rule *rules; /* --decode, tried before the built-in rules */
	size_t nrules;
	struct uc_cgroups *cgroups;         /* cache for the cgroup line and --cgroup */
	bool decode;                        /* -v: payload and cgroup lines */
	bool filter_cgroup;                 /* --cgroup */
	char cgroup_top[4096];              /* its normalized path */
};

/*
 * From the options: -v turns the lines on, --decode adds rules, --cgroup filters. With
 * must_exist (a live capture), a --cgroup that names no directory is an error. 0, or -1
 * with one line in err.
 */
int uc_detail_init(struct uc_detail *d, const struct uc_options *o, bool must_exist,
		   char *err, size_t errlen);
void uc_detail_free(struct uc_detail *d);

/* --cgroup: whether the sender's cgroup is the chosen one or below it. */
bool uc_detail_cgroup_match(struct uc_detail *d, uint64_t cgroup_id);

/* Decodes with the decoder proto names; same contract as uc_decode_dbus. */
int uc_decode_payload(enum uc_proto proto, const uint8_t *p, size_t n, char *out,
		      size_t outlen);

/* The decoder the message's paths and first bytes choose. */
enum uc_proto uc_detail_proto(const struct uc_detail *d, const struct uc_message *msg);

/* Console hook (struct uc_console.detail): tab-indented lines; ctx is a struct uc_detail. */
void uc_detail_print(FILE *out, const struct uc_message *msg, void *ctx);

#endif
