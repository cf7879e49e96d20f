/* config_text.c: config texts written to a temp file and loaded, for the config tests. */
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_text.h"

/* Writes text to a new file in /tmp with the given mode; path must hold 64 bytes. */
void write_temp(const char *text, size_t len, mode_t mode, char *path)
{
	strlcpy_safe(path, "/tmp/synctop-test-XXXXXX", 64);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* Loads text; the caller frees the config and unlinks path. */
struct config *load_text(const char *text, char *path, char *err, size_t errlen, FILE *warn)
{
	write_temp(text, strlen(text), 0600, path);
	return config_load(path, err, errlen, warn);
}

struct config *load_ok(const char *text)
{
	char path[64], err[512] = "";
	struct config *cfg = load_text(text, path, err, sizeof err, NULL);
	unlink(path);
	if (!cfg)
		fail_msg("config did not load: %s\n--- config ---\n%s", err, text);
	return cfg;
}

/* Asserts that text fails with exactly "PATH:" want, and that no secret leaks into it. */
void expect_error_len(const char *text, size_t len, const char *want)
{
	char path[64], err[512] = "";
	write_temp(text, len, 0600, path);
	struct config *cfg = config_load(path, err, sizeof err, NULL);
	unlink(path);
	char *full = xasprintf("%s:%s", path, want);
	if (cfg) {
		config_free(cfg);
		free(full);
		fail_msg("config loaded, want error \"%s\"\n--- config ---\n%s", want, text);
	}
	if (strcmp(err, full) != 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "got  \"%s\"\nwant \"%s\"\n--- config ---\n%s", err, full, text);
		free(full);
		fail_msg("%s", msg);
	}
	free(full);
	assert_null(strchr(err, '\n'));
	assert_null(strstr(err, SECRET));
}

void expect_error(const char *text, const char *want)
{
	expect_error_len(text, strlen(text), want);
}
