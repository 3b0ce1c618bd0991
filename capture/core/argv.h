/*
 * Editing argv in place, for the modes that take their own options out before the
 * capture's parser sees the rest (-L, follow and conversations, Wireshark's extcap).
 */
#ifndef UNIXCAP_CORE_ARGV_H
#define UNIXCAP_CORE_ARGV_H

/* Removes n entries at argv[i]; the rest, and the NULL at argv[*argc], move down. */
void uc_argv_remove(int *argc, char **argv, int i, int n);

/*
 * Whether argv[i] is the long option name with a value, "--name VALUE" or "--name=VALUE":
 * the number of entries it takes (1 or 2) with *value set, or 0 when argv[i] is anything
 * else ("--named" is not "--name"). A "--name" that is last takes 1 entry and *value is
 * NULL, for the caller to report.
 */
int uc_argv_option(int argc, char **argv, int i, const char *name, const char **value);

#endif
