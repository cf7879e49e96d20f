/* cache.h: what the files of the cache kind share. */
#ifndef SYNCTOP_KIND_CACHE_H
#define SYNCTOP_KIND_CACHE_H

#include "kinds/kind.h"

extern const struct kind cache_kind;
#ifdef HAVE_REDIS
extern const struct probe cache_probe;
#endif

/* options.c: the cache.* keys, the first being the stage key itself. */
extern const struct opt_def cache_options[];

/* rules.c */
void cache_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
