/* Cgroup id → path cache on a real directory tree and on this machine's cgroup2 mount;
 * container ids from the runtimes' cgroup names. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/enrich/cgroup.h"
#include "unit.h"

#define DOCKER_ID "3f1c0a9e5b7d2c4f6a8e0b1d3c5e7f9a1b2c3d4e5f60718293a4b5c6d7e8f901"

static void test_container_ids(void)
{
	char id[80];
	const char *rt = NULL;

	CHECK(uc_container_id("/system.slice/docker-" DOCKER_ID ".scope", id, sizeof(id), &rt));
	CHECK_STR(id, DOCKER_ID);
	CHECK_STR(rt, "docker");
	CHECK(uc_container_id("/docker/" DOCKER_ID, id, sizeof(id), &rt));
	CHECK_STR(rt, "docker");
	CHECK(uc_container_id("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
			      "0d6a3c1e_8b2f_4e7a_9c5d_1f3b5d7e9a2c.slice/cri-containerd-" DOCKER_ID
			      ".scope", id, sizeof(id), &rt));
	CHECK_STR(rt, "containerd");
	CHECK_STR(id, DOCKER_ID);
	CHECK(uc_container_id("/kubepods/besteffort/pod0d6a3c1e-8b2f/" DOCKER_ID, id, sizeof(id),
			      &rt));
	CHECK_STR(rt, "kubernetes");
	CHECK(uc_container_id("/machine.slice/libpod-" DOCKER_ID ".scope/container", id, sizeof(id),
			      &rt));
	CHECK_STR(rt, "podman");
	CHECK(uc_container_id("/kubepods.slice/crio-" DOCKER_ID ".scope", id, sizeof(id), &rt));
	CHECK_STR(rt, "cri-o");
	CHECK(uc_container_id("/default/" DOCKER_ID, id, sizeof(id), &rt));
	CHECK_STR(rt, "container");
	/* 63 or 65 hex digits, or upper case, are not a runtime's id. */
	CHECK(!uc_container_id("/system.slice/docker-" DOCKER_ID "0.scope", id, sizeof(id), &rt));
	CHECK(!uc_container_id("/system.slice/docker-abc.scope", id, sizeof(id), &rt));
	CHECK(!uc_container_id("/user.slice/user-1000.slice/session-2.scope", id, sizeof(id), &rt));
	CHECK(!uc_container_id("/", id, sizeof(id), &rt));
	CHECK(!uc_container_id("", id, sizeof(id), &rt));
}

static void test_paths(void)
{
	char out[64];

	CHECK_INT(uc_cgroup_normalize("/sys/fs/cgroup/system.slice/", NULL, out, sizeof(out)), 0);
	CHECK_STR(out, "/system.slice");
	CHECK_INT(uc_cgroup_normalize("/sys/fs/cgroup/unified/a", "/sys/fs/cgroup/unified", out,
				      sizeof(out)), 0);
	CHECK_STR(out, "/a");
	CHECK_INT(uc_cgroup_normalize("/sys/fs/cgroup", NULL, out, sizeof(out)), 0);
	CHECK_STR(out, "/");
	CHECK_INT(uc_cgroup_normalize("/sys/fs/cgroupx", NULL, out, sizeof(out)), 0);
	CHECK_STR(out, "/sys/fs/cgroupx");
	CHECK_INT(uc_cgroup_normalize("system.slice", NULL, out, sizeof(out)), -1);
	CHECK_INT(uc_cgroup_normalize("/a/very/long/path/that/does/not/fit/in/sixty/four/bytes/of/output",
				      NULL, out, sizeof(out)), -1);

	CHECK(uc_cgroup_under("/a/b", "/a"));
	CHECK(uc_cgroup_under("/a", "/a"));
	CHECK(!uc_cgroup_under("/ab", "/a"));
	CHECK(uc_cgroup_under("/anything", "/"));
}

/* The walk and the cache, on a tree whose inode numbers we know. */
static void test_cache(void)
{
	char root[] = "/tmp/uc-cgroup-XXXXXX", p[256];
	struct stat st;

	CHECK(mkdtemp(root) != NULL);
	snprintf(p, sizeof(p), "%s/system.slice", root);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/system.slice/docker-" DOCKER_ID ".scope", root);
	CHECK(mkdir(p, 0700) == 0);
	CHECK(stat(p, &st) == 0);

	struct uc_cgroups *c = uc_cgroups_new(root);
	CHECK(c != NULL);
	CHECK_STR(uc_cgroups_path(c, st.st_ino, 1), "/system.slice/docker-" DOCKER_ID ".scope");
	CHECK(stat(root, &st) == 0);
	CHECK_STR(uc_cgroups_path(c, st.st_ino, 2), "/");

	/* A cgroup made after the first walk is found once a second has passed. */
	snprintf(p, sizeof(p), "%s/late", root);
	CHECK(mkdir(p, 0700) == 0);
	CHECK(stat(p, &st) == 0);
	CHECK(uc_cgroups_path(c, st.st_ino, 3) == NULL);
	CHECK_STR(uc_cgroups_path(c, st.st_ino, 3 + 1000000000ull), "/late");
	uc_cgroups_free(c);

	rmdir(p);
	snprintf(p, sizeof(p), "%s/system.slice/docker-" DOCKER_ID ".scope", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/system.slice", root);
	rmdir(p);
	rmdir(root);
}

/* This process's own cgroup, as /proc/self/cgroup names it, on the real cgroup2 mount. */
static void test_self(void)
{
	char line[4096] = "", dir[4608];
	struct stat st;
	FILE *f = fopen("/proc/self/cgroup", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			break;
	if (f)
		fclose(f);
	if (strncmp(line, "0::", 3)) {
		fprintf(stderr, "no cgroup2 entry in /proc/self/cgroup: skipping the real mount\n");
		return;
	}
	line[strcspn(line, "\n")] = '\0';
	struct uc_cgroups *c = uc_cgroups_new(NULL);
	snprintf(dir, sizeof(dir), "%s%s", uc_cgroups_root(c), line + 3);
	CHECK(stat(dir, &st) == 0);
	CHECK_STR(uc_cgroups_path(c, st.st_ino, 1), line + 3);
	uc_cgroups_free(c);
}

int main(void)
{
	test_container_ids();
	test_paths();
	test_cache();
	test_self();
	UNIT_DONE();
}
