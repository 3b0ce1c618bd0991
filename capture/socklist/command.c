/* unixcap -L: command line, source chain and output of the socket listing. */
#include "capture/socklist/command.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>

#include "capture/core/numbers.h"
#include "capture/live/libbpf_log.h"
#include "capture/socklist/socklist.h"
#include "capture/core/text.h"


enum {
	OPT_SOCK = 256,
	OPT_INODE,
	OPT_PATH,
	OPT_TYPE,
	OPT_JSON,
	OPT_DUMP,
	OPT_ADDR_SOURCE,
};

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "sock", required_argument, NULL, OPT_SOCK },
	{ "inode", required_argument, NULL, OPT_INODE },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "dump", no_argument, NULL, OPT_DUMP },
	{ "addr-source", required_argument, NULL, OPT_ADDR_SOURCE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void usage(FILE *f)
{
	fputs("Usage: unixcap -L [options]\n"
	      "List unix sockets: kernel address, inode, type, state, queues, bound name, the\n"
	      "processes holding them, and their peer.\n"
	      "\n"
	      "Filters (all must match; socket filters match either end, as in capture):\n"
	      "  -p, --pid PID[,PID]  sockets held by these processes\n"
	      "  --sock 0xADDR        socket or peer kernel address (as capture reports it)\n"
	      "  --inode N            socket or peer inode\n"
	      "  --path PATH          socket's or peer's bound name, @name for abstract (\\xNN escapes)\n"
	      "  --type T             stream|dgram|seqpacket\n"
	      "\n"
	      "Output (stdout):\n"
	      "  (default)            aligned table, one socket per line\n"
	      "  --json               one JSON object per socket and line\n"
	      "  --dump               name:pid:socket:peer_socket:peer_pid:peer_name per socket and\n"
	      "                       process (socket, peer_socket: inodes)\n"
	      "  --addr-source S      auto|iter|proc|fd|none: where kernel addresses come from\n"
	      "                       (default auto: the first of iter, proc, fd that works)\n"
	      "  -v, --verbose        sources used on stderr, ADDR-SOURCE column; -vv: libbpf too\n"
	      "  -h, --help           this help\n",
	      f);
}

struct sl_opts {
	struct uc_sl_filter f;
	enum uc_sl_format fmt;
	enum uc_addr_mode addr_mode;
	int verbose;
};

__attribute__((format(printf, 1, 2))) static int bad(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("unixcap: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 2;
}

static int parse_pids(const char *s, struct uc_sl_filter *f)
{
	return uc_parse_pid_list(s, f->pids, &f->n_pids, UC_MAX_PIDS);
}

/* Returns -1 to run, else the exit code. */
static int parse(int argc, char **argv, struct sl_opts *o)
{
	int format_set = 0;

	memset(o, 0, sizeof(*o));
	optind = 0; /* full getopt reset: the caller may have parsed before */
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, ":Lp:vh", long_opts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'L': /* normally consumed by the caller; harmless again */
			break;
		case 'p':
			if (parse_pids(optarg, &o->f))
				return bad("bad pid list '%s' (PID[,PID...], each 1..%d, at most %d)",
					   optarg, PID_MAX_LIMIT, UC_MAX_PIDS);
			break;
		case OPT_SOCK: {
			int e = uc_parse_sock_addr(optarg, &o->f.sock);
			if (e == -EINVAL)
				return bad("bad socket address '%s' (hex, as in /proc/net/unix)", optarg);
			if (e)
				return bad("bad socket address '%s' (zero)", optarg);
			break;
		}
		case OPT_INODE:
			if (uc_parse_u64(optarg, 1, UINT64_MAX, &o->f.inode))
				return bad("bad inode '%s'", optarg);
			break;
		case OPT_PATH: {
			unsigned len = 0;
			if (uc_parse_path(optarg, o->f.path, &len) || len == 0)
				return bad("bad path '%s' (at most 108 bytes; @name for abstract, \\xNN "
					   "escapes)",
					   optarg);
			o->f.have_path = true;
			o->f.path_len = (uint16_t)len;
			break;
		}
		case OPT_TYPE:
			if (!strcmp(optarg, "stream"))
				o->f.type = 1;
			else if (!strcmp(optarg, "dgram"))
				o->f.type = 2;
			else if (!strcmp(optarg, "seqpacket"))
				o->f.type = 5;
			else
				return bad("unknown socket type '%s' (stream, dgram, seqpacket)", optarg);
			break;
		case OPT_JSON:
		case OPT_DUMP: {
			enum uc_sl_format fmt = c == OPT_JSON ? UC_SL_JSON : UC_SL_DUMP;
			if (format_set && o->fmt != fmt)
				return bad("choose one of --json, --dump");
			o->fmt = fmt;
			format_set = 1;
			break;
		}
		case OPT_ADDR_SOURCE: {
			static const char *names[] = { "auto", "iter", "proc", "fd", "none" };
			int m = -1;
			for (int i = 0; i < 5; i++)
				if (!strcmp(optarg, names[i]))
					m = i;
			if (m < 0)
				return bad("unknown address source '%s' (auto, iter, proc, fd, none)",
					   optarg);
			o->addr_mode = (enum uc_addr_mode)m;
			break;
		}
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return bad("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return bad("unknown option '-%c' for -L (see -L --help)", optopt);
			return bad("unknown option '%s' for -L (see -L --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad("unexpected argument '%s' (see -L --help)", argv[optind]);
	/* uc_parse_path keeps a filesystem name without NUL, as the listing stores it. */
	return -1;
}

/* CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH effective (root has them; a setcap binary may). */
static bool holders_readable(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0)
		return geteuid() == 0;
	return (d[0].effective >> CAP_SYS_PTRACE & 1) && (d[0].effective >> CAP_DAC_READ_SEARCH & 1);
}

int uc_socklist_main(int argc, char **argv)
{
	struct sl_opts o;
	int rc = parse(argc, argv, &o);
	if (rc >= 0)
		return rc;

	FILE *log = o.verbose ? stderr : NULL;
	libbpf_print_fn_t old_print = libbpf_set_print(uc_libbpf_log(o.verbose));
	struct uc_socklist l;
	char why[256] = "";
	bool loaded = false;
	uc_socklist_init(&l);

	int diag = uc_sl_diag_collect(&l, &loaded, why, sizeof(why));
	if (loaded)
		fprintf(stderr, "unixcap: loaded kernel module unix_diag (sock_diag for AF_UNIX)\n");
	if (diag)
		fprintf(stderr, "unixcap: %s; listing from other sources\n", why);
	else if (log)
		fprintf(log, "unixcap: sockets: sock_diag, %zu\n", l.n);
	if (diag) {
		/* The filters and the fd lookups below need the socket set: take /proc/net/unix's
		 * now (the iterator, if it loads, adds to it and corrects it). */
		bool real;
		int n = uc_sl_procnet_collect(&l, "/proc/net/unix", &real);
		if (n < 0)
			fprintf(stderr, "unixcap: /proc/net/unix unreadable: %s\n", strerror(-n));
		else if (log)
			fprintf(log, "unixcap: sockets: /proc/net/unix, %d\n", n);
	}

	int procs = uc_sl_proc_owners(&l, "/proc");
	if (procs < 0)
		fprintf(stderr, "unixcap: /proc unreadable (%s): no processes shown\n",
			strerror(-procs));
	else if (log)
		fprintf(log, "unixcap: holders: %d processes read from /proc/PID/fd\n", procs);

	/* Filter before the address lookups so that fd lookups (one syscall per socket) can
	 * stop at the sockets shown; --sock needs every address first. */
	uc_socklist_finish(&l);
	uc_socklist_filter(&l, &o.f);
	bool only_wanted = !o.f.sock;
	enum uc_addr_src src = uc_sl_addresses(&l, o.addr_mode, only_wanted, log);

	if (!(l.sources & (UC_SL_DIAG | UC_SL_ITER | UC_SL_PROCNET))) {
		fprintf(stderr, "unixcap: cannot list unix sockets: sock_diag failed (%s), "
				"/proc/net/unix unreadable and no BPF iterator\n",
			why);
		uc_socklist_free(&l);
		libbpf_set_print(old_print);
		return 1;
	}
	if (src == UC_ADDR_NONE && o.addr_mode != UC_ADDR_MODE_NONE && !log)
		fprintf(stderr, "unixcap: kernel addresses unavailable, shown as '-' (-v says why)\n");

	/* Other users' /proc/PID/fd take both capabilities (the directory, then each link;
	 * measured in docs/wireshark.md): say why holders are '-' rather than leave it to look
	 * like none. A unixcap-group member has neither; missing addresses are said above. */
	if (!holders_readable())
		fprintf(stderr, "unixcap: other users' processes show as '-': reading their fds "
				"needs CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (sudo unixcap -L)\n");
	uc_socklist_finish(&l);
	size_t shown = uc_socklist_filter(&l, &o.f);
	if (log)
		fprintf(log, "unixcap: %zu of %zu sockets shown\n", shown, l.n);
	int e = uc_sl_print(stdout, &l, o.fmt, o.verbose > 0);
	uc_socklist_free(&l);
	libbpf_set_print(old_print);
	if (e) {
		if (e != -EPIPE)
			fprintf(stderr, "unixcap: writing output: %s\n", strerror(-e));
		return 1;
	}
	return 0;
}
