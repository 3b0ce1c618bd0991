/*
 * libFuzzer target: unixcap -r on an arbitrary file: format sniffing, the zstd reader,
 * libpcap's pcap/pcapng parsing as we drive it, the link-type decoder and the -r filters.
 * The input is served as a file through a memfd, the way -r opens a path.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "capture/core/filter.h"
#include "capture/core/options.h"
#include "writers/capfile/reader.h"
#include "fuzz_common.h"

static struct uc_options opts;
static struct uc_filter filter;

static int on_message(const struct uc_message *m, void *ctx)
{
	(void)ctx;
	uc_filter_kernel_match(&filter, m);
	/* The writers get the same message from fuzz_linktype (decoded the same way); here
	 * every tenth is enough, the time goes to the file-level parsing. */
	static unsigned n;
	if (n++ % 10 == 0)
		fuzz_use_message(m);
	else
		fuzz_check(!m->caplen || (m->data && m->data[m->caplen - 1] == m->data[m->caplen - 1]));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz_readback", 0);
		fuzz_check(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		/* Filters that look at every field -r compares (they match nothing real). */
		opts.n_pids = 1, opts.pids[0] = 1;
		opts.have_path = true, opts.path_len = 3;
		memcpy(opts.path, "/ru", 3);
		uc_filter_init(&filter, &opts);
	}
	fuzz_check(ftruncate(fd, 0) == 0);
	fuzz_check(pwrite(fd, data, size, 0) == (ssize_t)size);

	char err[512] = "";
	int rc = uc_readback(path, 0, on_message, NULL, err, sizeof(err));
	/* A rejected file is one line of explanation, as unixcap prints it. */
	fuzz_check(rc == 0 || (err[0] && !strchr(err, '\n')));
	return 0;
}
