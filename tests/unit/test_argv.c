/* capture/core/argv: options taken out of argv in place, and "--name VALUE" forms. */
#include <stddef.h>
#include <string.h>

#include "capture/core/argv.h"
#include "unit.h"

static void test_remove(void)
{
	char *argv[] = { "unixcap", "-L", "-p", "1", NULL };
	int argc = 4;

	uc_argv_remove(&argc, argv, 1, 1);
	CHECK_INT(argc, 3);
	CHECK_STR(argv[0], "unixcap");
	CHECK_STR(argv[1], "-p");
	CHECK_STR(argv[2], "1");
	CHECK(argv[3] == NULL);
	uc_argv_remove(&argc, argv, 1, 2);
	CHECK_INT(argc, 1);
	CHECK(argv[1] == NULL);
}

static void test_option(void)
{
	char *argv[] = { "unixcap", "--conv=3", "--conv", "4", "--conversation", "x",
			 "--raw", NULL };
	int argc = 7;
	const char *v = "unset";

	CHECK_INT(uc_argv_option(argc, argv, 1, "--conv", &v), 1);
	CHECK_STR(v, "3");
	CHECK_INT(uc_argv_option(argc, argv, 2, "--conv", &v), 2);
	CHECK_STR(v, "4");
	v = "unset";
	CHECK_INT(uc_argv_option(argc, argv, 4, "--conv", &v), 0);
	CHECK_STR(v, "unset");
	CHECK_INT(uc_argv_option(argc, argv, 5, "--conv", &v), 0);
	/* Last, with no value: one entry, no value. */
	CHECK_INT(uc_argv_option(argc, argv, 6, "--raw", &v), 1);
	CHECK(v == NULL);

	/* Taken out as follow takes its own options. */
	int used = uc_argv_option(argc, argv, 2, "--conv", &v);
	uc_argv_remove(&argc, argv, 2, used);
	CHECK_INT(argc, 5);
	CHECK_STR(argv[2], "--conversation");
	CHECK(argv[5] == NULL);
	char *empty[] = { "x", "--fifo=", NULL };
	CHECK_INT(uc_argv_option(2, empty, 1, "--fifo", &v), 1);
	CHECK_STR(v, "");
}

int main(void)
{
	test_remove();
	test_option();
	UNIT_DONE();
}
