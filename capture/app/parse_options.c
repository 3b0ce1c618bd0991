/* Parses and validates unixcap's command line: every bad value is one line and exit 2. */
#include "capture/app/parse_options.h"
#include "capture/core/numbers.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/core/text.h"
#include "capture/socklist/socklist.h"
#include "writers/capfile/linktype.h"
#include "writers/tcpview/tcpview.h"


enum {
	OPT_BACKEND = 256,
	OPT_SOCK,
	OPT_INODE,
	OPT_PATH,
	OPT_TYPE,
	OPT_JSON,
	OPT_ERRORS,
	OPT_VERSION,
	OPT_LINKTYPE,
	OPT_PRINT,
	OPT_FDS,
	OPT_EXCLUDE_PID,
	OPT_SPLIT,
	OPT_DECODE,
	OPT_CGROUP,
	OPT_VIEW,     /* --view unix|tcp (writers/tcpview) */
	OPT_TCP_PORT, /* --tcp-port PATTERN=PORT */
	OPT_IMMEDIATE,
	OPT_BTF,
};

static const struct option long_opts[] = {
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "pid", required_argument, NULL, 'p' },
	{ "tid", required_argument, NULL, 't' },
	{ "sock", required_argument, NULL, OPT_SOCK },
	{ "inode", required_argument, NULL, OPT_INODE },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "name", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, 'd' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "errors", no_argument, NULL, OPT_ERRORS },
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "write", required_argument, NULL, 'w' },
	{ "read", required_argument, NULL, 'r' },
	{ "format", required_argument, NULL, 'F' },
	{ "linktype", required_argument, NULL, OPT_LINKTYPE },
	{ "zstd", no_argument, NULL, 'z' },
	{ "file-size", required_argument, NULL, 'C' },
	{ "rotate-seconds", required_argument, NULL, 'G' },
	{ "file-count", required_argument, NULL, 'W' },
	{ "print", no_argument, NULL, OPT_PRINT },
	{ "relinquish-privileges", required_argument, NULL, 'Z' },
	{ "fds", no_argument, NULL, OPT_FDS },
	{ "decode", required_argument, NULL, OPT_DECODE },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "exclude-pid", required_argument, NULL, OPT_EXCLUDE_PID },
	{ "split", required_argument, NULL, OPT_SPLIT },
	{ "view", required_argument, NULL, OPT_VIEW },
	{ "tcp-port", required_argument, NULL, OPT_TCP_PORT },
	/* tcpdump's habits, harmless here: the output is already prompt, one interface. */
	{ "immediate-mode", no_argument, NULL, OPT_IMMEDIATE },
	{ "interface", required_argument, NULL, 'i' },
	{ "list-interfaces", no_argument, NULL, 'D' },
	{ 0 },
};

/* -C: millions of bytes by default; k/m/g are binary multiples, as in tcpdump. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	uint64_t unit = 1000000;
	if (errno || v == 0 || end == s)
		return -ERANGE;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': unit = 1ull << 10; break;
		case 'm': case 'M': unit = 1ull << 20; break;
		case 'g': case 'G': unit = 1ull << 30; break;
		default: return -EINVAL;
		}
		if (end[1])
			return -EINVAL;
	}
	if (v > UINT64_MAX / unit)
		return -ERANGE;
	*out = v * unit;
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* Combinations of the file options that cannot work, checked once all are known. */
static enum uc_parse_result check_files(struct uc_options *o, char *err, size_t errlen);

static enum uc_parse_result fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return UC_PARSE_ERROR;
}

static int parse_pids(const char *s, struct uc_options *o)
{
	return uc_parse_pid_list(s, o->pids, &o->n_pids, UC_MAX_PIDS);
}

/* --path: a trailing '*' makes the name a prefix; a literal '*' at the end is \x2a. Each one
 * is added to the names matched (any of them, as -p 1,2). */
static int parse_path_filter(const char *arg, struct uc_options *o)
{
	char text[4 * UC_PATH_MAX + 2];
	size_t n = strlen(arg);
	struct uc_path_filter *f;

	if (n >= sizeof(text) || o->n_paths >= UC_MAX_PATHS / 2)
		return -EINVAL;
	f = &o->paths[o->n_paths];
	memset(f, 0, sizeof(*f));
	f->prefix = n > 0 && arg[n - 1] == '*';
	memcpy(text, arg, n - f->prefix);
	text[n - f->prefix] = 0;
	/* "*" alone would match unnamed sockets too: not a name filter. */
	if (uc_parse_path(text, f->path, &f->len) || f->len == 0)
		return -EINVAL;
	o->n_paths++;
	return 0;
}

static void add_path_form(struct uc_options *o, const char *name, bool prefix)
{
	size_t n = strlen(name);

	if (n == 0 || n >= UC_PATH_MAX || o->n_paths >= UC_MAX_PATHS)
		return;
	for (unsigned i = 0; i < o->n_paths; i++)
		if (o->paths[i].len == n && o->paths[i].prefix == prefix &&
		    !memcmp(o->paths[i].path, name, n))
			return;
	struct uc_path_filter *f = &o->paths[o->n_paths++];
	memset(f, 0, sizeof(*f));
	memcpy(f->path, name, n);
	f->len = (unsigned)n;
	f->prefix = prefix;
}

/*
 * The kernel keeps the name a socket was bound with, which is rarely what the user typed: a
 * relative name, or one through a symlink (/var/run -> /run). Each --path also matches its
 * absolute, symlink-free form; a name that is no socket (yet) is matched as given, with a
 * warning on a live capture. One name goes to the kernel's filter, more are matched in
 * userspace (capture/core/paths.h).
 */
/* name with its directory made absolute and symlink-free (the last part kept as is). */
static bool resolve_dir(const char *name, char *out, size_t outlen)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(name, '/'), *base = slash ? slash + 1 : name;
	size_t n = slash ? (size_t)(slash - name) : 0;

	if (n >= sizeof(dir))
		return false;
	memcpy(dir, slash ? name : ".", slash ? n : 1);
	dir[slash ? n : 1] = 0;
	if (slash && n == 0)
		strcpy(dir, "/");
	if (!realpath(dir, real))
		return false;
	return (size_t)snprintf(out, outlen, "%s/%s", strcmp(real, "/") ? real : "", base) < outlen;
}

static void resolve_paths(struct uc_options *o)
{
	unsigned given = o->n_paths;
	bool warn = !o->read_file && !o->quiet;

	for (unsigned i = 0; i < given; i++) {
		char name[UC_PATH_MAX + 1], real[PATH_MAX];
		const struct uc_path_filter *f = &o->paths[i];
		struct stat st;

		if (f->path[0] == '\0' || memchr(f->path, 0, f->len))
			continue; /* abstract, or a NUL no filesystem name has */
		memcpy(name, f->path, f->len);
		name[f->len] = 0;
		if (f->prefix) {
			if (resolve_dir(name, real, sizeof(real)))
				add_path_form(o, real, true);
			continue;
		}
		if (realpath(name, real) && stat(real, &st) == 0) {
			add_path_form(o, real, false);
			if (warn && !S_ISSOCK(st.st_mode))
				fprintf(stderr, "unixcap: --path %s: not a socket; matching the name as "
					"given\n", name);
			continue;
		}
		if (resolve_dir(name, real, sizeof(real)))
			add_path_form(o, real, false);
		if (warn)
			fprintf(stderr, "unixcap: --path %s: no such socket (yet); matching the name "
				"as given%s\n", name, o->n_paths > given ? " and in absolute form" : "");
	}
	o->have_path = o->n_paths == 1;
	if (o->have_path) {
		memcpy(o->path, o->paths[0].path, o->paths[0].len);
		o->path_len = o->paths[0].len;
		o->path_prefix = o->paths[0].prefix;
	}
}

/* tcpdump's -n/-nn: there are no addresses or ports to resolve; said once, filters nothing. */
static void no_resolve(struct uc_options *o, const char *what, bool *said)
{
	if (!*said && !o->quiet)
		fprintf(stderr, "unixcap: %s: tcpdump's no-resolve, nothing to resolve here (-n REGEX "
			"filters by command name)\n", what);
	*said = true;
}

static int parse_type(const char *s)
{
	if (!strcmp(s, "stream"))
		return 1;
	if (!strcmp(s, "dgram"))
		return 2;
	if (!strcmp(s, "seqpacket"))
		return 5;
	return -1;
}

static int parse_backend(const char *s)
{
	static const char *names[] = { "auto", "fentry", "kprobe", "tracepoint" };
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

static int parse_duration(const char *s, double *out)
{
	char *end;
	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !(v > 0) || v > 365.0 * 86400)
		return -ERANGE;
	*out = v;
	return 0;
}

/* What one option's parsing needs beyond the option and the result. */
struct parse_state {
	char **argv;
	int mode_set;          /* -X, -x, -A or --json given */
	bool said_no_resolve;  /* tcpdump's -n explained once */
	bool format_set;       /* -F given */
};

/* An option group's answer for an option of another group. */
#define NOT_MINE (-1)

/* What to capture: processes, sockets, names, types (the filter model, capture/core/filter.h). NOT_MINE for an option of another group. */
static int filter_option(int c, struct parse_state *st, struct uc_options *o, char *err,
                         size_t errlen)
{
	uint64_t v;

	switch (c) {
	case 'p':
		if (parse_pids(optarg, o))
			return fail(err, errlen,
				    "bad pid list '%s' (PID[,PID...], each 1..%d, at most %d)",
				    optarg, PID_MAX_LIMIT, UC_MAX_PIDS);
		break;
	case OPT_EXCLUDE_PID:
		if (uc_parse_pid_list(optarg, o->exclude_pids, &o->n_exclude_pids, UC_MAX_PIDS))
			return fail(err, errlen,
				    "bad pid list '%s' (PID[,PID...], each 1..%d, at most %d)",
				    optarg, PID_MAX_LIMIT, UC_MAX_PIDS);
		break;
	case 't':
		if (uc_parse_u64(optarg, 1, PID_MAX_LIMIT, &v))
			return fail(err, errlen, "bad thread id '%s'", optarg);
		o->tid = (uint32_t)v;
		break;
	case OPT_SOCK: {
		int e = uc_parse_sock_addr(optarg, &o->sock);
		if (e == -EINVAL)
			return fail(err, errlen, "bad socket address '%s' (hex, as unixcap -L shows it)",
				    optarg);
		if (e)
			return fail(err, errlen, "bad socket address '%s' (zero)", optarg);
		break;
	}
	case OPT_INODE:
		if (uc_parse_u64(optarg, 1, UINT64_MAX, &o->inode))
			return fail(err, errlen, "bad inode '%s'", optarg);
		break;
	case OPT_PATH:
		if (parse_path_filter(optarg, o))
			return fail(err, errlen,
				    "bad path '%s' (at most 108 bytes; @name for abstract, \\xNN "
				    "escapes; at most %d --path)", optarg, UC_MAX_PATHS / 2);
		break;
	case OPT_TYPE: {
		int t = parse_type(optarg);
		if (t < 0)
			return fail(err, errlen, "unknown socket type '%s' (stream, dgram, seqpacket)",
				    optarg);
		o->type = t;
		break;
	}
	case 'n': {
		/* "-nn", or "-n" with the next option taken as its value: tcpdump's -n. */
		const char *word = st->argv[optind - 1];
		if (!strcmp(word, "-nn")) {
			no_resolve(o, word, &st->said_no_resolve);
			break;
		}
		if (word == optarg && optarg[0] == '-' && optarg[1]) {
			no_resolve(o, "-n", &st->said_no_resolve);
			optind--; /* the option it swallowed is parsed as itself */
			break;
		}
		if (o->have_comm_regex)
			regfree(&o->comm_regex);
		int rc = regcomp(&o->comm_regex, optarg, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char msg[128];
			regerror(rc, &o->comm_regex, msg, sizeof(msg));
			return fail(err, errlen, "bad regex '%s': %s", optarg, msg);
		}
		o->have_comm_regex = true;
		break;
	}
	case OPT_FDS:
		o->fds_only = true;
		break;
	case OPT_ERRORS:
		o->errors = true;
		break;
	case OPT_CGROUP:
		if (optarg[0] != '/')
			return fail(err, errlen,
				    "bad cgroup '%s' (an absolute path, e.g. /system.slice)",
				    optarg);
		o->cgroup = optarg;
		break;
	default:
		return NOT_MINE;
	}
	return UC_PARSE_RUN;
}

/* How the console shows messages. NOT_MINE for an option of another group. */
static int console_option(int c, struct parse_state *st, struct uc_options *o, char *err,
                          size_t errlen)
{
	switch (c) {
	case 'X':
	case 'x':
	case 'A':
	case OPT_JSON: {
		enum uc_console_mode m = c == 'X' ? UC_OUT_HEXASCII
				       : c == 'x' ? UC_OUT_HEX
				       : c == 'A' ? UC_OUT_ASCII
						  : UC_OUT_JSON;
		if (st->mode_set && o->mode != m)
			return fail(err, errlen, "choose one of -X, -x, -A, --json");
		o->mode = m;
		st->mode_set = 1;
		break;
	}
	case 'T':
		o->relative_ts = true;
		break;
	case 'v':
		o->verbose++;
		break;
	case 'q':
		o->quiet = true;
		break;
	case OPT_PRINT:
		o->print = true;
		break;
	case OPT_DECODE:
		if (o->n_decode >= UC_DECODE_RULES_MAX)
			return fail(err, errlen, "at most %d --decode rules", UC_DECODE_RULES_MAX);
		if (uc_decode_rule_parse(optarg, &o->decode[o->n_decode], err, errlen))
			return UC_PARSE_ERROR;
		o->n_decode++;
		break;
	default:
		return NOT_MINE;
	}
	return UC_PARSE_RUN;
}

/* Capture files written and read, and their rotation. NOT_MINE for an option of another group. */
static int file_option(int c, struct parse_state *st, struct uc_options *o, char *err,
                       size_t errlen)
{
	uint64_t v;

	switch (c) {
	case OPT_SPLIT:
		if (!*optarg)
			return fail(err, errlen, "--split needs a directory");
		o->split_dir = optarg;
		break;
	case 'w':
		if (!*optarg)
			return fail(err, errlen, "-w needs a file name ('-' for stdout)");
		o->write_file = optarg;
		break;
	case 'r':
		if (!*optarg)
			return fail(err, errlen, "-r needs a file name ('-' for stdin)");
		o->read_file = optarg;
		break;
	case 'F':
		if (!strcmp(optarg, "pcapng"))
			o->format = UC_FMT_PCAPNG;
		else if (!strcmp(optarg, "pcap"))
			o->format = UC_FMT_PCAP;
		else
			return fail(err, errlen, "unknown file format '%s' (pcapng, pcap)", optarg);
		st->format_set = true;
		break;
	case OPT_LINKTYPE:
		if (uc_parse_u64(optarg, UC_LT_MIN, UC_LT_MAX, &v))
			return fail(err, errlen,
				    "bad link type '%s' (%u..%u, LINKTYPE_USER0..USER15)", optarg,
				    UC_LT_MIN, UC_LT_MAX);
		o->linktype = (unsigned)v;
		o->linktype_set = true;
		break;
	case 'z':
		o->zstd = true;
		break;
	case 'C':
		if (parse_size(optarg, &o->rotate_bytes))
			return fail(err, errlen,
				    "bad file size '%s' (millions of bytes, or with a k/m/g suffix)",
				    optarg);
		break;
	case 'G':
		if (uc_parse_u64(optarg, 1, 100 * 365 * 86400ull, &v))
			return fail(err, errlen, "bad rotation interval '%s' (seconds > 0)", optarg);
		o->rotate_seconds = (unsigned)v;
		break;
	case 'W':
		if (uc_parse_u64(optarg, 1, 1000000, &v))
			return fail(err, errlen, "bad file count '%s' (1..1000000)", optarg);
		o->rotate_count = (unsigned)v;
		break;
	case 'Z':
		if (!*optarg)
			return fail(err, errlen, "-Z needs a user name");
		o->run_as = optarg;
		break;
	case OPT_VIEW:
		if (uc_tcpview_parse_view(optarg, &o->view))
			return fail(err, errlen, "unknown view '%s' (unix, tcp)", optarg);
		break;
	case OPT_TCP_PORT:
		if (o->n_port_rules >= UC_PORT_RULES_MAX)
			return fail(err, errlen, "at most %d --tcp-port rules", UC_PORT_RULES_MAX);
		if (uc_tcpview_parse_port_rule(optarg, &o->port_rules[o->n_port_rules], err,
					       errlen))
			return UC_PARSE_ERROR;
		o->n_port_rules++;
		break;
	default:
		return NOT_MINE;
	}
	return UC_PARSE_RUN;
}

/* The capture itself (backend, limits, ring), help, and tcpdump's habits that need no action. NOT_MINE for an option of another group. */
static int run_option(int c, struct parse_state *st, struct uc_options *o, char *err,
                      size_t errlen)
{
	uint64_t v;

	switch (c) {
	case OPT_BACKEND: {
		int b = parse_backend(optarg);
		if (b < 0)
			return fail(err, errlen,
				    "unknown backend '%s' (auto, fentry, kprobe, tracepoint)",
				    optarg);
		o->backend = b;
		break;
	}
	case 'c':
		if (uc_parse_u64(optarg, 1, UINT64_MAX, &o->count))
			return fail(err, errlen, "bad count '%s' (a positive number)", optarg);
		break;
	case 'd':
		if (parse_duration(optarg, &o->duration))
			return fail(err, errlen, "bad duration '%s' (seconds > 0)", optarg);
		break;
	case 's':
		if (uc_parse_u64(optarg, 0, UC_SNAPLEN_MAX, &v))
			return fail(err, errlen, "bad snaplen '%s' (0..%u)", optarg, UC_SNAPLEN_MAX);
		o->snaplen = v ? (uint32_t)v : UC_SNAPLEN_DEFAULT;
		break;
	case 'B':
		if (uc_parse_u64(optarg, 4, UC_RING_KIB_MAX, &v) || (v & (v - 1)))
			return fail(err, errlen,
				    "bad buffer size '%s' (KiB, a power of two from 4 to %u)",
				    optarg, UC_RING_KIB_MAX);
		o->ring_kib = (uint32_t)v;
		break;
	case OPT_BTF:
		if (access(optarg, R_OK))
			return fail(err, errlen, "--btf %s: %s", optarg, strerror(errno));
		o->btf_file = optarg;
		break;
	case 'h':
		uc_usage(stdout);
		return UC_PARSE_EXIT;
	case OPT_VERSION:
		printf("unixcap %s\n", UNIXCAP_VERSION);
		return UC_PARSE_EXIT;
	case 'l':
	case 'U':
	case 'e':
	case OPT_IMMEDIATE:
		break; /* each message is written out as it comes; there is no link header */
	case 'i':
		if (strcmp(optarg, "any") && strcmp(optarg, "unixcap"))
			return fail(err, errlen,
				    "no interface '%s': unixcap captures AF_UNIX sockets (-i any)",
				    optarg);
		break;
	case 'D':
		puts("1.unixcap (Unix domain sockets: every AF_UNIX message of this host)");
		return UC_PARSE_EXIT;
	case ':':
		if (optopt == 'n') { /* a last -n: tcpdump's */
			no_resolve(o, "-n", &st->said_no_resolve);
			break;
		}
		return fail(err, errlen, "option '%s' needs a value", st->argv[optind - 1]);
	default:
		if (optopt)
			return fail(err, errlen, "unknown option '-%c' (see --help)", optopt);
		return fail(err, errlen, "unknown option '%s' (see --help)", st->argv[optind - 1]);
	}
	return UC_PARSE_RUN;
}

enum uc_parse_result uc_parse_options(int argc, char **argv, struct uc_options *o, char *err,
				      size_t errlen)
{
	struct parse_state st = { .argv = argv };

	memset(o, 0, sizeof(*o));
	o->snaplen = UC_SNAPLEN_DEFAULT;
	o->ring_kib = UC_RING_KIB_DEFAULT;
	o->mode = UC_OUT_SUMMARY;
	o->linktype = UC_LT_DEFAULT;
	optind = 1;
	opterr = 0;

	for (;;) {
		int c = getopt_long(argc, argv, ":p:t:n:c:d:s:B:XxATvqhw:r:F:zC:G:W:Z:i:DlUe", long_opts, NULL);
		if (c == -1)
			break;
		int rc = NOT_MINE;
		int (*const groups[])(int, struct parse_state *, struct uc_options *, char *, size_t) = {
			filter_option, console_option, file_option, run_option,
		};
		for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]) && rc == NOT_MINE; i++)
			rc = groups[i](c, &st, o, err, errlen);
		if (rc != UC_PARSE_RUN)
			return rc;
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
	if (st.format_set && !o->write_file)
		return fail(err, errlen, "-F needs -w FILE (it is the format of the file written)");
	if (o->fds_only && !st.mode_set)
		o->mode = UC_OUT_FDS;
	else if (o->fds_only && o->mode != UC_OUT_JSON)
		return fail(err, errlen, "--fds prints its own table; only --json goes with it");
	return check_files(o, err, errlen);
}

/*
 * --sock as lsof and /proc/net/unix print it: with kptr_restrict 0 those show %pK hashes
 * (0x0000000093b14735), which no message carries. A hash /proc/net/unix lists is the socket
 * of the inode beside it, so --sock becomes --inode; any other hash is refused, as the
 * capture would match nothing. Real addresses (unixcap -L) pass unchanged. Live only: a
 * file's addresses are those the kernel had.
 */
static enum uc_parse_result resolve_sock(struct uc_options *o, const char *procnet, char *err,
					 size_t errlen)
{
	uint64_t inode = 0;

	if (!o->sock || o->read_file || uc_sl_addr_is_real(o->sock))
		return UC_PARSE_RUN;
	if (uc_sl_procnet_inode_of(procnet, o->sock, &inode))
		return fail(err, errlen,
			    "--sock 0x%016" PRIx64 " is not a kernel address (lsof and /proc/net/unix "
			    "hash them): take it from unixcap -L, or use --inode N",
			    o->sock);
	if (o->inode && o->inode != inode)
		return fail(err, errlen, "--sock 0x%016" PRIx64 " is inode %" PRIu64
			    ", not --inode %" PRIu64, o->sock, inode, o->inode);
	if (!o->quiet)
		fprintf(stderr, "unixcap: --sock 0x%016" PRIx64 " is a hashed address "
			"(kptr_restrict): capturing its socket, inode %" PRIu64 "\n", o->sock, inode);
	o->sock = 0;
	o->inode = inode;
	return UC_PARSE_RUN;
}

static enum uc_parse_result check_files(struct uc_options *o, char *err, size_t errlen)
{
	const char *w = o->write_file;
	bool to_stdout = w && !strcmp(w, "-");
	const char *needs_w = o->rotate_bytes ? "-C" : o->rotate_seconds ? "-G"
			    : o->rotate_count ? "-W" : o->zstd ? "-z"
			    : o->print && !o->split_dir ? "--print" : NULL;

	for (unsigned i = 0; i < o->n_pids; i++)
		for (unsigned j = 0; j < o->n_exclude_pids; j++)
			if (o->pids[i] == o->exclude_pids[j])
				return fail(err, errlen, "pid %u is both in -p and in --exclude-pid",
					    o->pids[i]);
	if (!w && needs_w)
		return fail(err, errlen, "%s needs -w FILE", needs_w);
	if (to_stdout && (o->rotate_bytes || o->rotate_seconds || o->rotate_count))
		return fail(err, errlen, "-C, -G and -W need a file name, not -w -");
	if (to_stdout && o->print)
		return fail(err, errlen, "--print cannot share stdout with -w -");
	if (o->rotate_count && !o->rotate_bytes && !o->rotate_seconds)
		return fail(err, errlen, "-W needs -C or -G");
	if (o->read_file && o->run_as)
		return fail(err, errlen, "-Z is for live captures (-r needs no privileges)");
	if (o->read_file && w && !to_stdout && !strcmp(o->read_file, w))
		return fail(err, errlen, "-r and -w name the same file");
	if (resolve_sock(o, "/proc/net/unix", err, errlen) != UC_PARSE_RUN)
		return UC_PARSE_ERROR;
	resolve_paths(o);
	if (w && !to_stdout && ends_with(w, ".zst"))
		o->zstd = true;
	if (o->view == UC_VIEW_TCP && (!w || o->split_dir || o->format != UC_FMT_PCAPNG))
		return fail(err, errlen, "--view tcp is a way of writing pcapng: it needs -w FILE "
					 "(or -w -), without --split or -F pcap");
	/* tcpdump does the same, silently: every interval truncates the one file. */
	if (o->rotate_seconds && w && !strchr(w, '%') && !o->quiet)
		fprintf(stderr, "unixcap: -G %u with no %%-conversion in '%s': each new file "
			"replaces the last (e.g. -w %s-%%H%%M%%S)\n", o->rotate_seconds, w, w);
	return UC_PARSE_RUN;
}

void uc_options_free(struct uc_options *o)
{
	if (o->have_comm_regex)
		regfree(&o->comm_regex);
	o->have_comm_regex = false;
}
