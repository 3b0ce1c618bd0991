/* argv edits (argv.h). */
#include "capture/core/argv.h"

#include <string.h>

void uc_argv_remove(int *argc, char **argv, int i, int n)
{
	memmove(&argv[i], &argv[i + n], (size_t)(*argc - i - n + 1) * sizeof(*argv));
	*argc -= n;
}

int uc_argv_option(int argc, char **argv, int i, const char *name, const char **value)
{
	size_t n = strlen(name);

	if (strncmp(argv[i], name, n))
		return 0;
	if (argv[i][n] == '=') {
		*value = argv[i] + n + 1;
		return 1;
	}
	if (argv[i][n] != '\0')
		return 0;
	*value = i + 1 < argc ? argv[i + 1] : NULL;
	return i + 1 < argc ? 2 : 1;
}
