/* config_text.h: config texts written to a temp file and loaded, for the config tests. */
#ifndef SYNCTOP_TEST_CONFIG_TEXT_H
#define SYNCTOP_TEST_CONFIG_TEXT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"
#include "config_file.h"

/* A secret that no error message may quote. */
#define SECRET "hunter2-s3cret"
/* A postgres connection named shop. */
#define PG "[postgres shop]\nconninfo = host=db dbname=shop\n"

/* Writes text to a new file in /tmp with the given mode; path must hold 64 bytes. */
void write_temp(const char *text, size_t len, mode_t mode, char *path);
/* Loads text; the caller frees the config and unlinks path. */
struct config *load_text(const char *text, char *path, char *err, size_t errlen, FILE *warn);
/* Loads text, failing the test when it does not load. */
struct config *load_ok(const char *text);
/* Asserts that text fails with exactly "PATH:" want, and that no secret leaks into it. */
void expect_error_len(const char *text, size_t len, const char *want);
void expect_error(const char *text, const char *want);

#endif
