/*
 * Sender cgroups by id: the kernel records bpf_get_current_cgroup_id(), which on cgroup v2
 * is the inode number of the cgroup's directory. Paths come from walking the cgroup2
 * mount, cached; container ids come from the runtimes' naming of those directories.
 */
#ifndef UNIXCAP_CGROUP_H
#define UNIXCAP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UC_CGROUP_ROOT "/sys/fs/cgroup"

struct uc_cgroups;

/* A cache over the cgroup2 hierarchy mounted at root (NULL: the cgroup2 mount of
 * /proc/self/mountinfo, else UC_CGROUP_ROOT). */
struct uc_cgroups *uc_cgroups_new(const char *root);
const char *uc_cgroups_root(const struct uc_cgroups *c);
void uc_cgroups_free(struct uc_cgroups *c);

/*
 * The cgroup's path below the root ("/" for the root itself, "/system.slice/x.service"),
 * or NULL when no directory has that id. A miss walks the hierarchy again, at most once
 * per second, so cgroups created during a capture are found. The string stays valid
 * until the next call.
 */
const char *uc_cgroups_path(struct uc_cgroups *c, uint64_t id, uint64_t now_ns);

/*
 * --cgroup: the form of a user's cgroup path that uc_cgroup_under compares: the mount
 * point (mount, or UC_CGROUP_ROOT) stripped when given, no trailing '/'. 0, or -1 when it
 * is not absolute or too long for out.
 */
int uc_cgroup_normalize(const char *in, const char *mount, char *out, size_t outlen);

/* Whether path is top or below it ("/a/b" is under "/a", "/ab" is not). */
bool uc_cgroup_under(const char *path, const char *top);

/*
 * The container a cgroup path belongs to: the last component holding a 64-hex-digit id
 * (docker-ID.scope, cri-containerd-ID.scope, crio-ID.scope, libpod-ID.scope, /docker/ID,
 * /kubepods/.../ID). Writes the id and names the runtime ("docker", "containerd", "cri-o",
 * "podman", "kubernetes", "container" when only the id says so). Returns true if found.
 */
bool uc_container_id(const char *cgpath, char *id, size_t idlen, const char **runtime);

#endif
