/*
 * The links a capture holds, each with its program (misses.c reads the programs' counts of
 * skipped runs), how they are attached, and whether the backstops of programs the kernel may
 * skip are wanted.
 */
#ifndef UNIXCAP_LINKS_H
#define UNIXCAP_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include "capture/live/backend.h"

struct bpf_program;
struct bpf_link;

void uc_keep_link(struct uc_capture *c, const struct bpf_program *p, struct bpf_link *l);
/* Attaches p by its section; a failure of an optional one (required false) is not an error.
 * Returns -errno with one line in err. */
int uc_attach(struct uc_capture *c, struct bpf_program *p, bool required, char *err,
	      size_t errlen);
bool uc_want_backstops(bool kernel_runs_preemptible);
int uc_attach_backstop(struct uc_capture *c, struct bpf_program *p, char *err, size_t errlen);
void uc_detach_all(struct uc_capture *c);

#endif
