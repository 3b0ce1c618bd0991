/*
 * socklist_cli - runs the socket listing as "unixcap -L" would, for tests.
 *
 * Usage: socklist_cli [-L] [options of unixcap -L]
 */
#include <string.h>

#include "capture/socklist/command.h"

int main(int argc, char **argv)
{
	static char name[] = "unixcap";
	if (argc > 1 && !strcmp(argv[1], "-L")) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	argv[0] = name;
	return uc_socklist_main(argc, argv);
}
