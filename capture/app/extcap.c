/* The extcap side of unixcap (extcap.h). */
#include "capture/app/extcap.h"
#include "capture/core/argv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "writers/capfile/linktype.h"

/*
 * Wireshark refuses packets over 262144 bytes from a pipe; a packet is the 392-byte header,
 * the passed fds (up to ~90 KiB for 253 named files), then the payload: 128 KiB leaves room.
 */
#define EXTCAP_SNAPLEN "65536"
#define EXTCAP_SNAPLEN_MAX "131072"

/* The configuration fields: each "call" is the unixcap option it becomes. */
static const char config[] =
	"arg {number=0}{call=--pid}{display=Sending processes}{type=string}"
	"{tooltip=PID[,PID...]: only what these processes send}{validation=^[0-9,]*$}\n"
	"arg {number=1}{call=--path}{display=Socket path}{type=string}"
	"{tooltip=Bound path of either end; @name for an abstract name}\n"
	"arg {number=2}{call=--sock}{display=Socket address}{type=string}"
	"{tooltip=Kernel socket address (0xffff...) as ss, lsof and /proc/net/unix show it}"
	"{validation=^(0[xX])?[0-9a-fA-F]*$}\n"
	"arg {number=3}{call=--type}{display=Socket type}{type=selector}"
	"{tooltip=Only sockets of this type}\n"
	"value {arg=3}{value=any}{display=any}{default=true}\n"
	"value {arg=3}{value=stream}{display=stream}\n"
	"value {arg=3}{value=dgram}{display=dgram}\n"
	"value {arg=3}{value=seqpacket}{display=seqpacket}\n"
	"arg {number=4}{call=--snaplen}{display=Snapshot length}{type=unsigned}"
	"{default=" EXTCAP_SNAPLEN "}{range=1," EXTCAP_SNAPLEN_MAX "}"
	"{tooltip=Payload bytes copied per message}\n"
	"arg {number=5}{call=--backend}{display=Backend}{type=selector}"
	"{tooltip=How messages are hooked in the kernel}\n"
	"value {arg=5}{value=auto}{display=auto (first that attaches)}{default=true}\n"
	"value {arg=5}{value=fentry}{display=fentry}\n"
	"value {arg=5}{value=kprobe}{display=kprobe}\n"
	"value {arg=5}{value=tracepoint}{display=tracepoint}\n"
	"arg {number=6}{call=--name}{display=Command regex}{type=string}"
	"{tooltip=Sender's command name, POSIX extended regex}\n"
	"arg {number=7}{call=--cgroup}{display=Cgroup}{type=string}"
	"{tooltip=Only senders in this cgroup or below it, e.g. /system.slice/docker.service}\n"
	"arg {number=8}{call=--errors}{display=Failed sends too}{type=boolflag}"
	"{tooltip=Also capture sends that failed, marked with their errno}\n";

/* Options whose value the extcap passes through to unixcap; the rest take no value. */
static const char *const valued[] = { "--pid", "--path", "--sock", "--type", "--snaplen",
				      "--backend", "--name", "--cgroup" };
static const char *const flags[] = { "--errors" };

static bool in(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

#define IN(s, list) in(s, list, sizeof(list) / sizeof(list[0]))

struct call {
	bool interfaces, dlts, config, capture, any;
	const char *interface, *fifo, *filter;
	bool snaplen_set;
	char **av; /* the capture's command line so far: n entries */
	int n;
};

/* "--opt value" or "--opt=value": the value, advancing *i past it; NULL when missing. */
static const char *value_of(int argc, char **argv, int *i, const char *opt)
{
	const char *v;
	int used = uc_argv_option(argc, argv, *i, opt, &v);
	if (!used || !v)
		return NULL;
	*i += used - 1;
	return v;
}

/*
 * An interface option Wireshark passes with a value (the configuration fields): copied into
 * the capture's command line av. Returns 0, or the exit status with the reason on err.
 */
static int take_field(struct call *c, int argc, char **argv, int *i, FILE *err)
{
	const char *a = argv[*i], *v;

	if (*i + 1 >= argc) {
		fprintf(err, "unixcap: extcap option %s needs a value\n", a);
		return 2;
	}
	v = argv[++*i];
	if (!strcmp(a, "--snaplen")) {
		char *end;
		unsigned long sl = strtoul(v, &end, 10);
		if (!*v || *end || sl < 1 || sl > strtoul(EXTCAP_SNAPLEN_MAX, NULL, 10)) {
			fprintf(err, "unixcap: snaplen '%s' (1..%s in Wireshark)\n", v,
				EXTCAP_SNAPLEN_MAX);
			return 2;
		}
		c->snaplen_set = true;
	}
	/* Wireshark passes empty fields and the selector's "any" as they are. */
	if (*v && !(!strcmp(a, "--type") && !strcmp(v, "any"))) {
		c->av[c->n++] = (char *)a;
		c->av[c->n++] = (char *)v;
	}
	return 0;
}

/* Sorts Wireshark's arguments into the call c. Returns 0, or the exit status. */
static int read_call(struct call *c, int argc, char **argv, FILE *err)
{
	c->av[c->n++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "--extcap-interfaces"))
			c->interfaces = true;
		else if (!strcmp(a, "--extcap-dlts"))
			c->dlts = true;
		else if (!strcmp(a, "--extcap-config"))
			c->config = true;
		else if (!strcmp(a, "--capture"))
			c->capture = true;
		else if ((v = value_of(argc, argv, &i, "--extcap-interface")))
			c->interface = v;
		else if ((v = value_of(argc, argv, &i, "--fifo")))
			c->fifo = v;
		else if ((v = value_of(argc, argv, &i, "--extcap-capture-filter")))
			c->filter = v;
		else if (!strncmp(a, "--extcap-version", 16) || !strcmp(a, "--debug") ||
			 !strncmp(a, "--extcap-reload-option", 22))
			; /* nothing to adapt to */
		else if ((v = value_of(argc, argv, &i, "--debug-file")) ||
			 (v = value_of(argc, argv, &i, "--extcap-control-in")) ||
			 (v = value_of(argc, argv, &i, "--extcap-control-out")))
			; /* no debug log, no toolbar controls */
		else if (IN(a, valued)) {
			int st = take_field(c, argc, argv, &i, err);
			if (st)
				return st;
		} else if (IN(a, flags)) {
			c->av[c->n++] = (char *)a;
		} else {
			fprintf(err, "unixcap: unknown extcap option '%s'\n", a);
			return 2;
		}
	}
	return 0;
}

/*
 * The queries (--extcap-interfaces, --extcap-dlts, --extcap-config) and the refusals.
 * Returns true when the call is answered, with *status set; false for a capture.
 */
static bool answer(const struct call *c, FILE *out, FILE *err, int *status)
{
	*status = 2;
	if (c->interfaces) {
		fprintf(out, "extcap {version=%s}{display=unixcap: AF_UNIX messages via eBPF}\n",
			UNIXCAP_VERSION);
		fprintf(out, "interface {value=%s}{display=Unix domain sockets (unixcap)}\n",
			UC_EXTCAP_INTERFACE);
		*status = 0;
	} else if (c->interface && strcmp(c->interface, UC_EXTCAP_INTERFACE)) {
		fprintf(err, "unixcap: no extcap interface '%s' (only %s)\n", c->interface,
			UC_EXTCAP_INTERFACE);
	} else if (c->dlts) {
		fprintf(out, "dlt {number=%u}{name=USER%u}{display=unixcap AF_UNIX messages}\n",
			UC_LT_DEFAULT, UC_LT_DEFAULT - UC_LT_MIN);
		*status = 0;
	} else if (c->config) {
		fputs(config, out);
		*status = 0;
	} else if (c->filter && *c->filter) {
		/* The interface options are the filters; a capture filter has nothing to apply to. */
		fprintf(err, "unixcap: capture filters are not supported; use the interface "
			     "options (pid, path, sock, type, ...)\n");
	} else if (!c->capture) {
		if (!c->filter)
			fprintf(err, "unixcap: extcap call without --extcap-interfaces, "
				     "--extcap-dlts, --extcap-config or --capture\n");
		else
			*status = 0;
	} else if (!c->fifo || !*c->fifo) {
		fprintf(err, "unixcap: --capture needs --fifo PATH\n");
	} else {
		*status = 0;
		return false;
	}
	return true;
}

enum uc_extcap_result uc_extcap(int argc, char **argv, FILE *out, FILE *err, int *status,
				int *cap_argc, char ***cap_argv)
{
	struct call c = { 0 };

	*status = 0;
	*cap_argv = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--extcap-", 9) || !strcmp(argv[i], "--capture") ||
		    !strncmp(argv[i], "--fifo", 6))
			c.any = true;
	}
	if (!c.any)
		return UC_EXTCAP_NO;
	c.av = calloc((size_t)argc + 8, sizeof(*c.av));
	if (!c.av) {
		fprintf(err, "unixcap: out of memory\n");
		*status = 1;
		return UC_EXTCAP_DONE;
	}
	*status = read_call(&c, argc, argv, err);
	if (*status || answer(&c, out, err, status)) {
		free(c.av);
		return UC_EXTCAP_DONE;
	}
	if (!c.snaplen_set) {
		c.av[c.n++] = "-s";
		c.av[c.n++] = EXTCAP_SNAPLEN;
	}
	c.av[c.n++] = "-w";
	c.av[c.n++] = (char *)c.fifo;
	c.av[c.n++] = "-q";
	c.av[c.n] = NULL;
	*cap_argc = c.n;
	*cap_argv = c.av;
	return UC_EXTCAP_CAPTURE;
}
