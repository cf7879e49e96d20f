/* config_file.h: reading a config file into struct config (config_file.c, config_pipeline.c,
   config_value.c), through the option tables of synctop, the connections and the kinds. */
#ifndef SYNCTOP_CONFIG_FILE_H
#define SYNCTOP_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* Where a config is searched when no -c is given: fills path (size n) and returns
   true if a file was found; false with path empty when none exists. */
bool config_find(char *path, size_t n);

/* Parses PATH. On error returns NULL and writes one line "FILE:LINE: message" to err.
   Warnings (a secret in a world-readable file) go to warn (may be NULL). */
struct config *config_load(const char *path, char *err, size_t errlen, FILE *warn) WARN_UNUSED;

/* The built-in configuration used when no file is found (no pipelines). */
struct config *config_default(void);

void config_free(struct config *cfg);

/* Prints every option (section, key, type, default, help) for docs checks: --list-options. */
void config_list_options(FILE *out);

#endif
