/* unixcap -L: list unix sockets with addresses, owners and peers (docs/socket-listing.md). */
#ifndef UNIXCAP_SOCKLIST_MAIN_H
#define UNIXCAP_SOCKLIST_MAIN_H

/*
 * Runs "unixcap -L [options]": argv[0] is the program name and -L has been removed by the
 * caller. Returns the exit code: 0 listed (even nothing), 1 runtime error (no source could
 * list sockets, or stdout failed), 2 bad option (one line on stderr).
 */
int uc_socklist_main(int argc, char **argv);

#endif
