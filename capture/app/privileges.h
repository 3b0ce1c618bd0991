/*
 * Privileges: the check, before anything is loaded, that the process may load and attach BPF
 * programs, and -Z USER: giving them all up once the programs are attached and the output is
 * open, as tcpdump -Z does.
 */
#ifndef UNIXCAP_PRIVILEGES_H
#define UNIXCAP_PRIVILEGES_H
#include <stddef.h>
#include <sys/types.h>

/* Returns 0, or -EPERM with a line naming the missing capabilities. */
int uc_check_privileges(char *err, size_t errlen);

struct uc_user {
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* Looks up -Z's USER (a name, or a number) before any work: -ENOENT and a line if unknown. */
int uc_lookup_user(const char *user, struct uc_user *out, char *err, size_t errlen);

/*
 * Becomes u for good: supplementary groups, gid, uid, and every capability (permitted,
 * effective, inheritable, ambient) gone; checks that root cannot be regained. 0, or -errno
 * with a line; the caller must then stop, as it still runs privileged.
 */
int uc_drop_privileges(const struct uc_user *u, char *err, size_t errlen);

#endif
