/* replay.c: a main() for a fuzz target, built with the ordinary compiler: feeds every file of
   its seed corpus and every regression input (tests/fuzz/NAME/seed, tests/fuzz/NAME/regress, or
   the files and directories given) to LLVMFuzzerTestOneInput, one TAP test per file. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME (the directory under tests/fuzz) must be defined"
#endif

static int n_tests;

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	unsigned char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	*len = n;
	return buf;
}

static void replay_file(const char *path)
{
	size_t len = 0;
	unsigned char *data = slurp(path, &len);
	if (!data) {
		printf("not ok %d - %s: cannot read: %s\n", ++n_tests, path, strerror(errno));
		return;
	}
	/* Printed first: when the input crashes the target, the log says which one. */
	printf("# %s (%zu bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	printf("ok %d - %s\n", ++n_tests, path);
	fflush(stdout);
}

static void replay(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return; /* no regression inputs yet: nothing to replay */
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
			char *file = malloc(len);
			snprintf(file, len, "%s/%s", path, names[i]->d_name);
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
				replay_file(file);
			free(file);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			replay(argv[i]);
	} else {
		const char *top = getenv("top_srcdir");
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/tests/fuzz/%s/seed", top ? top : ".", FUZZ_NAME);
		replay(dir);
		snprintf(dir, sizeof dir, "%s/tests/fuzz/%s/regress", top ? top : ".", FUZZ_NAME);
		replay(dir);
	}
	if (n_tests == 0)
		printf("not ok 1 - no input found for the %s fuzz target\n", FUZZ_NAME), n_tests = 1;
	printf("1..%d\n", n_tests);
	return 0;
}
