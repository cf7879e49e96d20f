/* config_select.h: --pipeline NAME (repeatable, globs): the pipelines a run watches. */
#ifndef SYNCTOP_CONFIG_SELECT_H
#define SYNCTOP_CONFIG_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Keeps the pipelines of cfg whose name matches one of the n fnmatch(3) globs, in config
   order, and frees the others (n 0 keeps all). False, with cfg untouched and the reason in
   err, when a glob matches no pipeline. */
bool config_select_pipelines(struct config *cfg, const char *const *globs, size_t n, char *err, size_t errn);

#endif
