/* The conversation sink behind `unixcap follow`, `unixcap conversations` and --split. */
#include "writers/conv/sink.h"
#include "writers/conv/conversation.h"
#include "capture/core/argv.h"
#include "capture/core/numbers.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writers/conv/conversations.h"
#include "writers/conv/follow_raw.h"
#include "writers/conv/follow_text.h"
#include "capture/core/clock.h"
#include "capture/core/text.h"
#include "writers/conv/split.h"

enum sink_kind { SINK_SPLIT, SINK_FOLLOW, SINK_LIST };

struct uc_sink {
	enum sink_kind kind;
	struct uc_conv_table *table;
	bool numbered;        /* -r: uc_sink_number saw every message */
	bool relative_ts;     /* -T */
	uint64_t first_ns;    /* of the first message written, for -T */
	/* follow */
	bool have_conv;
	uint64_t conv_id;
	bool hex;
	const char *raw_dir;
	struct uc_follow_raw *raw;
	struct uc_conv *chosen;
	uint64_t offset[2];   /* bytes of each direction so far */
	uint8_t *other;       /* by id: another conversation passed the filters */
	size_t n_other_cap, n_others;
	/* conversations */
	bool json;
	/* --split */
	struct uc_split *split;
	char err[600];
};

bool uc_sink_is_command(const char *arg)
{
	return !strcmp(arg, "follow") || !strcmp(arg, "conversations");
}

static int fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return UC_PARSE_ERROR;
}

static void usage(FILE *f, enum sink_kind kind)
{
	if (kind == SINK_LIST)
		fputs("Usage: unixcap conversations [-r FILE | capture filters] [--json] [-T]\n"
		      "List conversations (the two sockets of a connection, or a datagram sender and\n"
		      "its destination) with messages and bytes per direction, bytes missing from the\n"
		      "capture, first and last time and the name they were reached by. Live, the list\n"
		      "is printed when the capture ends (-c, -d, Ctrl-C). See docs/conversations.md.\n",
		      f);
	else
		fputs("Usage: unixcap follow [-r FILE | capture filters] [--sock ADDR | --inode N |\n"
		      "                      --conv ID] [-X | --raw DIR] [-T]\n"
		      "Print one conversation's bytes in order, one block per send, marked by\n"
		      "direction and process. Without --conv, the first conversation the filters let\n"
		      "through (--sock and --inode are filters: either end matches).\n"
		      "  --conv ID   conversation number, as `unixcap conversations` lists it\n"
		      "  -X          hex dump (offsets count the bytes of each direction)\n"
		      "  --raw DIR   write DIR/client.bin and DIR/server.bin byte-exact; bytes not\n"
		      "              captured are zeros there and listed in DIR/gaps.txt\n"
		      "See docs/conversations.md.\n",
		      f);
}

/* Takes "--name VALUE" or "--name=VALUE" at argv[i] out of argv; 1 if it was there. */
static int take_value(int *argc, char **argv, int i, const char *name, const char **value)
{
	int used = uc_argv_option(*argc, argv, i, name, value);
	if (used)
		uc_argv_remove(argc, argv, i, used);
	return used != 0;
}

int uc_sink_parse_command(int *argc, char **argv, struct uc_sink **out, char *err,
			  size_t errlen)
{
	struct uc_sink *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s)
		return fail(err, errlen, "%s", strerror(ENOMEM));
	s->kind = !strcmp(argv[1], "follow") ? SINK_FOLLOW : SINK_LIST;
	uc_argv_remove(argc, argv, 1, 1);

	for (int i = 1; i < *argc && strcmp(argv[i], "--");) {
		const char *v;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout, s->kind);
			free(s);
			return UC_PARSE_EXIT;
		}
		if (s->kind == SINK_FOLLOW && take_value(argc, argv, i, "--conv", &v)) {
			if (!v || uc_parse_u64(v, 0, UINT32_MAX, &s->conv_id)) {
				free(s);
				return fail(err, errlen, "bad conversation number '%s'", v ? v : "");
			}
			s->have_conv = true;
		} else if (s->kind == SINK_FOLLOW && take_value(argc, argv, i, "--raw", &v)) {
			if (!v || !*v) {
				free(s);
				return fail(err, errlen, "%s", "--raw needs a directory");
			}
			s->raw_dir = v;
		} else {
			i++;
		}
	}
	*out = s;
	return UC_PARSE_RUN;
}

/* Options that make no sense with a subcommand, checked before anything runs. */
static const char *refused(const struct uc_sink *s, const struct uc_options *o)
{
	if (o->write_file)
		return "-w: capture with -w, then read the file with -r";
	if (o->split_dir)
		return "--split: it is an option of a plain capture";
	if (o->fds_only)
		return "--fds";
	if (s->kind == SINK_LIST && o->mode != UC_OUT_SUMMARY && o->mode != UC_OUT_JSON)
		return "-X, -x and -A: conversations prints a table or --json";
	if (s->kind == SINK_FOLLOW && (o->mode == UC_OUT_HEX || o->mode == UC_OUT_JSON))
		return "-x and --json: follow prints ASCII, or a hex dump with -X";
	if (s->kind == SINK_FOLLOW && s->raw_dir && o->mode != UC_OUT_SUMMARY)
		return "-X and -A with --raw: --raw writes files only";
	return NULL;
}

int uc_sink_setup(struct uc_sink **sp, const struct uc_options *o, char *err, size_t errlen)
{
	struct uc_sink *s = *sp;
	int e = 0;

	if (!s && !o->split_dir)
		return UC_PARSE_RUN;
	if (s) {
		const char *why = refused(s, o);
		if (why) {
			snprintf(err, errlen, "%s %s", s->kind == SINK_FOLLOW ? "follow:" : "conversations:",
				 why);
			return UC_PARSE_ERROR;
		}
	} else {
		s = calloc(1, sizeof(*s));
		if (!s)
			return fail(err, errlen, "%s", strerror(ENOMEM));
		s->kind = SINK_SPLIT;
		*sp = s;
	}
	s->relative_ts = o->relative_ts;
	s->hex = o->mode == UC_OUT_HEXASCII;
	s->json = o->mode == UC_OUT_JSON;
	s->table = uc_conv_table_new();
	if (!s->table)
		return fail(err, errlen, "%s", strerror(ENOMEM));
	/* Output directories exist before any BPF is loaded, as -w's file does. */
	if (s->kind == SINK_SPLIT) {
		struct uc_writer_cfg cfg = { .format = o->format,
					     .linktype = (uint16_t)o->linktype,
					     .snaplen = o->snaplen };
		e = uc_split_open(&s->split, o->split_dir, &cfg, err, errlen);
	} else if (s->raw_dir) {
		e = uc_follow_raw_open(&s->raw, s->raw_dir, err, errlen);
	}
	return e ? UC_PARSE_ERROR : UC_PARSE_RUN;
}

void uc_sink_set_stats(struct uc_sink *s, uc_stats_fn fn, void *ctx)
{
	if (s && s->split)
		uc_split_set_stats(s->split, fn, ctx);
}

bool uc_sink_quiet(const struct uc_sink *s, const struct uc_options *o)
{
	return s && !(s->kind == SINK_SPLIT && o->print);
}

void uc_sink_number(struct uc_sink *s, const struct uc_message *m)
{
	s->numbered = true;
	uc_conv_add(s->table, m, NULL);
}

const char *uc_sink_error(const struct uc_sink *s)
{
	return s->err;
}

static void note_other(struct uc_sink *s, const struct uc_conv *c)
{
	if (c->id >= s->n_other_cap) {
		size_t n = s->n_other_cap ? s->n_other_cap : 64;
		while (n <= c->id)
			n *= 2;
		uint8_t *grown = realloc(s->other, n);
		if (!grown)
			return; /* only the closing note's count suffers */
		memset(grown + s->n_other_cap, 0, n - s->n_other_cap);
		s->other = grown;
		s->n_other_cap = n;
	}
	if (!s->other[c->id]) {
		s->other[c->id] = 1;
		s->n_others++;
	}
}

static int follow_write(struct uc_sink *s, struct uc_conv *c, const struct uc_message *m, int from)
{
	if (!s->chosen) {
		if (s->have_conv && c->id != s->conv_id)
			return 0;
		s->chosen = c;
		if (!s->raw)
			uc_follow_print_head(stdout, c);
	} else if (c != s->chosen) {
		if (!s->have_conv)
			note_other(s, c);
		return 0;
	}
	/* Failed sends moved nothing; receive events only say which fds arrived. */
	if (!uc_conv_is_data(m))
		return 0;
	int e = 0;
	if (s->raw) {
		e = uc_follow_raw_write(s->raw, m, from, s->err, sizeof(s->err));
	} else {
		char ts[48];
		uint64_t t = m->ts_wall_ns;
		if (s->relative_ts) {
			if (!s->first_ns)
				s->first_ns = t;
			uc_format_since(ts, sizeof(ts), t, s->first_ns, false);
		} else {
			uc_format_time(ts, sizeof(ts), t);
		}
		errno = 0;
		uc_follow_print_msg(stdout, m, from, s->hex, s->offset[from], ts);
		/* Live, each send shows as it happens. */
		if (!s->numbered)
			fflush(stdout);
		if (ferror(stdout)) {
			e = -(errno ? errno : EIO);
			snprintf(s->err, sizeof(s->err), "writing output: %s", strerror(-e));
		}
	}
	s->offset[from] += m->m.len;
	return e;
}

int uc_sink_write(struct uc_sink *s, const struct uc_message *m)
{
	int from;
	struct uc_conv *c = uc_conv_add(s->table, m, &from);
	if (!c) {
		snprintf(s->err, sizeof(s->err), "conversation table: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (!s->first_ns && s->kind == SINK_LIST)
		s->first_ns = m->ts_wall_ns;
	uc_conv_count_msg(c, m, from);
	switch (s->kind) {
	case SINK_SPLIT: {
		int e = uc_split_write(s->split, c, m);
		if (e)
			snprintf(s->err, sizeof(s->err), "%s", uc_split_error(s->split));
		return e;
	}
	case SINK_FOLLOW:
		return follow_write(s, c, m, from);
	case SINK_LIST:
		break;
	}
	return 0;
}

static int follow_finish(struct uc_sink *s)
{
	if (!s->chosen) {
		if (s->have_conv)
			snprintf(s->err, sizeof(s->err), "follow: no conversation %" PRIu64 " (%zu seen)",
				 s->conv_id, uc_conv_count(s->table));
		else
			snprintf(s->err, sizeof(s->err), "follow: no conversation matched");
		return -ENOENT;
	}
	if (s->n_others)
		fprintf(stderr,
			"unixcap: follow: %zu other conversation%s passed the filters; `unixcap "
			"conversations` lists them, --conv ID picks one\n",
			s->n_others, s->n_others == 1 ? "" : "s");
	if (!s->raw) {
		uc_follow_print_tail(stdout, s->chosen);
		return fflush(stdout) ? -EIO : 0; /* a quiet failure: the exit status says it */
	}
	if (uc_follow_raw_close(s->raw, s->err, sizeof(s->err)))
		return -EIO;
	uint64_t gaps = uc_follow_raw_gaps(s->raw);
	fprintf(stderr,
		"unixcap: conversation %" PRIu64 ": %s/client.bin %" PRIu64 " bytes, %s/server.bin %" PRIu64
		" bytes%s%s%s\n",
		s->chosen->id, s->raw_dir, s->offset[UC_CLIENT], s->raw_dir, s->offset[UC_SERVER],
		gaps ? "; bytes not captured are zeros, listed in " : "", gaps ? s->raw_dir : "",
		gaps ? "/gaps.txt" : "");
	return 0;
}

int uc_sink_finish(struct uc_sink *s)
{
	s->err[0] = 0;
	switch (s->kind) {
	case SINK_SPLIT:
		if (uc_split_close(s->split)) {
			snprintf(s->err, sizeof(s->err), "%s", uc_split_error(s->split));
			return -EIO;
		}
		return 0;
	case SINK_FOLLOW:
		return follow_finish(s);
	case SINK_LIST:
		uc_follow_list_print(stdout, s->table, s->json, s->relative_ts ? s->first_ns : 0);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			int e = errno ? errno : EIO;
			if (e == EPIPE)
				return 0; /* the reader has seen enough: a normal end */
			snprintf(s->err, sizeof(s->err), "writing output: %s", strerror(e));
			return -e;
		}
		return 0;
	}
	return 0;
}

static int sink_write(void *self, const struct uc_message *m)
{
	return uc_sink_write(self, m);
}

static int sink_flush(void *self)
{
	(void)self;
	return 0;
}

static int sink_finish(void *self)
{
	return uc_sink_finish(self);
}

static const char *sink_error(void *self)
{
	return uc_sink_error(self);
}

const struct uc_output_ops uc_sink_output = {
	.name = "conversations",
	.write = sink_write,
	.flush = sink_flush,
	.finish = sink_finish,
	.error = sink_error,
	.sums_up_input = true,
};

void uc_sink_free(struct uc_sink *s)
{
	if (!s)
		return;
	uc_split_free(s->split);
	uc_follow_raw_free(s->raw);
	uc_conv_table_free(s->table);
	free(s->other);
	free(s);
}
