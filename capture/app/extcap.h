/*
 * Wireshark's extcap protocol (extcap(4)): installed or linked into Wireshark's extcap
 * directory, unixcap lists itself as the interface "unixcap", describes its filters as
 * configuration fields, and captures into the FIFO Wireshark reads.
 */
#ifndef UNIXCAP_EXTCAP_H
#define UNIXCAP_EXTCAP_H

#include <stdio.h>

#define UC_EXTCAP_INTERFACE "unixcap"

enum uc_extcap_result {
	UC_EXTCAP_NO = 0,      /* not an extcap call: parse argv as usual */
	UC_EXTCAP_DONE = 1,    /* a query was answered (or refused): exit with *status */
	UC_EXTCAP_CAPTURE = 2, /* capture with *cap_argv (unixcap options, -w FIFO) */
};

/*
 * Looks at argv for the extcap options (--extcap-..., --capture, --fifo). Queries print their
 * answer on out; a capture call gets a unixcap command line in cap_argc and cap_argv (NULL-
 * terminated, allocated for the life of the process) made of the configuration fields and
 * "-w FIFO -q". Errors are one line on err and *status 2.
 */
enum uc_extcap_result uc_extcap(int argc, char **argv, FILE *out, FILE *err, int *status,
				int *cap_argc, char ***cap_argv);

#endif
