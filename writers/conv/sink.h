/*
 * Conversation consumers of the capture loop: `unixcap follow`, `unixcap conversations` and
 * --split. main.c hands every message to the sink after its filters; the sink keeps the
 * conversation table and writes its own output. docs/conversations.md describes the output.
 */
#ifndef UNIXCAP_FOLLOW_H
#define UNIXCAP_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include "capture/core/message.h"
#include "capture/core/options.h"
#include "capture/core/output.h"
#include "writers/capfile/writer.h"

struct uc_sink;

/* Is argv[1] a conversation subcommand ("follow", "conversations")? */
bool uc_sink_is_command(const char *arg);

/*
 * For a subcommand: takes the subcommand and its own options (--conv, --raw, --json) out
 * of argv, leaving the capture options for uc_parse_options. Returns a UC_PARSE_* value;
 * on UC_PARSE_ERROR err holds one line.
 */
int uc_sink_parse_command(int *argc, char **argv, struct uc_sink **out, char *err,
			  size_t errlen);

/*
 * Once the capture options are known: checks they go with the subcommand, and creates the
 * --split sink when there is no subcommand (*s stays NULL when neither is wanted). Output
 * directories are made here, before anything is loaded. Returns a UC_PARSE_* value.
 */
int uc_sink_setup(struct uc_sink **s, const struct uc_options *o, char *err, size_t errlen);

/* --split files end with the capture's counters, as -w files do. */
void uc_sink_set_stats(struct uc_sink *s, uc_stats_fn fn, void *ctx);

/* Does the sink replace the console output (everything but --split with --print)? */
bool uc_sink_quiet(const struct uc_sink *s, const struct uc_options *o);

/* -r: every message of the file, before the filters, so conversation numbers are the
 * file's whatever the filters. */
void uc_sink_number(struct uc_sink *s, const struct uc_message *m);

/* A message that passed the filters. 0, or -errno with uc_sink_error set. */
int uc_sink_write(struct uc_sink *s, const struct uc_message *m);
const char *uc_sink_error(const struct uc_sink *s);

/* Ends the output (the conversation list, the follow trailer, the split files). 0 when
 * all went well, else -errno with uc_sink_error set ("" for a failure not worth a line). */
int uc_sink_finish(struct uc_sink *s);

/* The sink as an output (capture/core/output.h); self is a struct uc_sink. */
extern const struct uc_output_ops uc_sink_output;
void uc_sink_free(struct uc_sink *s);

#endif
