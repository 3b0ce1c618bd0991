/* The extcap side of unixcap (extcap.h). */
#include "capture/app/extcap.h"

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
	"{tooltip=Kernel socket address (0xffff...) as unixcap -L shows it}"
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
};

/* "--opt value" or "--opt=value": the value, advancing *i past it; NULL when missing. */
static const char *value_of(int argc, char **argv, int *i, const char *opt)
{
	size_t k = strlen(opt);
	if (!strncmp(argv[*i], opt, k) && argv[*i][k] == '=')
		return argv[*i] + k + 1;
	if (strcmp(argv[*i], opt))
		return NULL;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

enum uc_extcap_result uc_extcap(int argc, char **argv, FILE *out, FILE *err, int *status,
				int *cap_argc, char ***cap_argv)
{
	struct call c = { 0 };
	char **av = calloc((size_t)argc + 8, sizeof(*av));
	int n = 0;
	bool snaplen_set = false;

	*status = 0;
	*cap_argv = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--extcap-", 9) || !strcmp(argv[i], "--capture") ||
		    !strncmp(argv[i], "--fifo", 6))
			c.any = true;
	}
	if (!c.any) {
		free(av);
		return UC_EXTCAP_NO;
	}
	if (!av) {
		fprintf(err, "unixcap: out of memory\n");
		*status = 1;
		return UC_EXTCAP_DONE;
	}
	av[n++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "--extcap-interfaces"))
			c.interfaces = true;
		else if (!strcmp(a, "--extcap-dlts"))
			c.dlts = true;
		else if (!strcmp(a, "--extcap-config"))
			c.config = true;
		else if (!strcmp(a, "--capture"))
			c.capture = true;
		else if ((v = value_of(argc, argv, &i, "--extcap-interface")))
			c.interface = v;
		else if ((v = value_of(argc, argv, &i, "--fifo")))
			c.fifo = v;
		else if ((v = value_of(argc, argv, &i, "--extcap-capture-filter")))
			c.filter = v;
		else if (!strncmp(a, "--extcap-version", 16) || !strcmp(a, "--debug") ||
			 !strncmp(a, "--extcap-reload-option", 22))
			; /* nothing to adapt to */
		else if ((v = value_of(argc, argv, &i, "--debug-file")) ||
			 (v = value_of(argc, argv, &i, "--extcap-control-in")) ||
			 (v = value_of(argc, argv, &i, "--extcap-control-out")))
			; /* no debug log, no toolbar controls */
		else if (IN(a, valued)) {
			if (i + 1 >= argc) {
				fprintf(err, "unixcap: extcap option %s needs a value\n", a);
				*status = 2;
				goto done;
			}
			v = argv[++i];
			if (!strcmp(a, "--snaplen")) {
				char *end;
				unsigned long sl = strtoul(v, &end, 10);
				if (!*v || *end || sl < 1 || sl > strtoul(EXTCAP_SNAPLEN_MAX, NULL, 10)) {
					fprintf(err, "unixcap: snaplen '%s' (1..%s in Wireshark)\n", v,
						EXTCAP_SNAPLEN_MAX);
					*status = 2;
					goto done;
				}
				snaplen_set = true;
			}
			/* Wireshark passes empty fields and the selector's "any" as they are. */
			if (*v && !(!strcmp(a, "--type") && !strcmp(v, "any"))) {
				av[n++] = (char *)a;
				av[n++] = (char *)v;
			}
		} else if (IN(a, flags)) {
			av[n++] = (char *)a;
		} else {
			fprintf(err, "unixcap: unknown extcap option '%s'\n", a);
			*status = 2;
			goto done;
		}
	}
	if (c.interfaces) {
		fprintf(out, "extcap {version=%s}{display=unixcap: AF_UNIX messages via eBPF}\n",
			UNIXCAP_VERSION);
		fprintf(out, "interface {value=%s}{display=Unix domain sockets (unixcap)}\n",
			UC_EXTCAP_INTERFACE);
		goto done;
	}
	if (c.interface && strcmp(c.interface, UC_EXTCAP_INTERFACE)) {
		fprintf(err, "unixcap: no extcap interface '%s' (only %s)\n", c.interface,
			UC_EXTCAP_INTERFACE);
		*status = 2;
		goto done;
	}
	if (c.dlts) {
		fprintf(out, "dlt {number=%u}{name=USER%u}{display=unixcap AF_UNIX messages}\n",
			UC_LT_DEFAULT, UC_LT_DEFAULT - UC_LT_MIN);
		goto done;
	}
	if (c.config) {
		fputs(config, out);
		goto done;
	}
	/* The interface options are the filters; a capture filter has nothing to apply to. */
	if (c.filter && *c.filter) {
		fprintf(err, "unixcap: capture filters are not supported; use the interface "
			     "options (pid, path, sock, type, ...)\n");
		*status = 2;
		goto done;
	}
	if (!c.capture) {
		if (!c.filter) {
			fprintf(err, "unixcap: extcap call without --extcap-interfaces, "
				     "--extcap-dlts, --extcap-config or --capture\n");
			*status = 2;
		}
		goto done;
	}
	if (!c.fifo || !*c.fifo) {
		fprintf(err, "unixcap: --capture needs --fifo PATH\n");
		*status = 2;
		goto done;
	}
	if (!snaplen_set) {
		av[n++] = "-s";
		av[n++] = EXTCAP_SNAPLEN;
	}
	av[n++] = "-w";
	av[n++] = (char *)c.fifo;
	av[n++] = "-q";
	av[n] = NULL;
	*cap_argc = n;
	*cap_argv = av;
	return UC_EXTCAP_CAPTURE;
done:
	free(av);
	return UC_EXTCAP_DONE;
}
