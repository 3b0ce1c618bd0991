/*
 * -v detail lines under a message's summary: the sender's cgroup (and container), then
 * what the payload decoder chosen for the socket's paths makes of the bytes. (The --cgroup
 * filter is capture/enrich/match.h.)
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
	struct uc_cgroups *cgroups;         /* cache for the cgroup line */
	bool own_cgroups;                   /* made here, not lent by the --cgroup filter */
	bool decode;                        /* -v: payload and cgroup lines */
};

/*
 * From the options: -v turns the lines on, --decode adds rules. cgroups is a cache to use
 * (the --cgroup filter's), NULL to make one when needed. 0, or -1 with one line in err.
 */
int uc_detail_init(struct uc_detail *d, const struct uc_options *o, struct uc_cgroups *cgroups,
		   char *err, size_t errlen);
void uc_detail_free(struct uc_detail *d);

/* Decodes with the decoder proto names; same contract as uc_decode_dbus. */
int uc_decode_payload(enum uc_proto proto, const uint8_t *p, size_t n, char *out,
		      size_t outlen);

/* The decoder the message's paths and first bytes choose. */
enum uc_proto uc_detail_proto(const struct uc_detail *d, const struct uc_message *msg);

/* Console hook (struct uc_console.detail): tab-indented lines; ctx is a struct uc_detail. */
void uc_detail_print(FILE *out, const struct uc_message *msg, void *ctx);

#endif
