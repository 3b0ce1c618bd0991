// SPDX-License-Identifier: GPL-2.0
// VM harness self-test: prints the kernel release, then for each attach type (kprobe, fentry,
// tracepoint) loads and attaches one program on the AF_UNIX stream send path, sends a message
// over a socketpair and checks the program saw it.
// Usage: unixcap-vm-probe [-v] [TYPE...]   TYPE: kprobe fentry tracepoint (default: all)
// Exit: 0 if every requested type passed, 1 otherwise.
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "probe.skel.h"

static int verbose;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	fputs("  ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static const char msg[] = "hello-unixcap";

static int run_one(const char *type)
{
	struct probe *skel;
	struct bpf_program *prog, *want;
	const volatile __u64 *hits, *len;
	struct bpf_link *link;
	int sv[2], err, ok;
	char buf[64];

	skel = probe__open();
	if (!skel) {
		printf("probe %s: FAIL open: %s\n", type, strerror(errno));
		return 0;
	}
	skel->rodata->target_tgid = getpid();
	if (!strcmp(type, "kprobe")) {
		want = skel->progs.on_kprobe; hits = &skel->bss->kprobe_hits; len = &skel->bss->kprobe_len;
	} else if (!strcmp(type, "fentry")) {
		want = skel->progs.on_fentry; hits = &skel->bss->fentry_hits; len = &skel->bss->fentry_len;
	} else {
		want = skel->progs.on_tp; hits = &skel->bss->tp_hits; len = &skel->bss->tp_len;
	}
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == want);

	err = probe__load(skel);
	if (err) {
		printf("probe %s: FAIL load: %s\n", type, strerror(-err));
		probe__destroy(skel);
		return 0;
	}
	link = bpf_program__attach(want);
	if (!link) {
		printf("probe %s: FAIL attach: %s\n", type, strerror(errno));
		probe__destroy(skel);
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    send(sv[0], msg, sizeof(msg) - 1, 0) != (ssize_t)(sizeof(msg) - 1) ||
	    recv(sv[1], buf, sizeof(buf), 0) != (ssize_t)(sizeof(msg) - 1)) {
		printf("probe %s: FAIL socketpair traffic: %s\n", type, strerror(errno));
		bpf_link__destroy(link);
		probe__destroy(skel);
		return 0;
	}
	close(sv[0]);
	close(sv[1]);
	ok = *hits == 1 && *len == sizeof(msg) - 1;
	printf("probe %s: %s loaded attached hits=%llu len=%llu (want 1, %zu)\n", type,
	       ok ? "PASS" : "FAIL", (unsigned long long)*hits, (unsigned long long)*len,
	       sizeof(msg) - 1);
	bpf_link__destroy(link);
	probe__destroy(skel);
	return ok;
}

int main(int argc, char **argv)
{
	static const char *all[] = { "kprobe", "fentry", "tracepoint" };
	struct utsname u;
	int i, n = 0, passed = 0;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argv++, argc--;
	}
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "kprobe") && strcmp(argv[i], "fentry") && strcmp(argv[i], "tracepoint")) {
			fprintf(stderr, "usage: unixcap-vm-probe [-v] [kprobe|fentry|tracepoint...]\n");
			return 2;
		}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_fn);
	uname(&u);
	printf("probe kernel: %s\n", u.release);
	printf("probe btf: %s\n", access("/sys/kernel/btf/vmlinux", R_OK) ? "missing" : "present");
	if (argc > 1)
		for (i = 1; i < argc; i++, n++)
			passed += run_one(argv[i]);
	else
		for (i = 0; i < 3; i++, n++)
			passed += run_one(all[i]);
	printf("probe result: %d/%d passed\n", passed, n);
	return passed == n ? 0 : 1;
}
