/* cache.h: what the files of the cache kind share. */
#ifndef SYNCTOP_KIND_CACHE_H
#define SYNCTOP_KIND_CACHE_H

#include <stdint.h>

#include "kinds/kind.h"

/* The cache.* options of a stage (st->opts), described by cache_options. */
struct cache_opts {
	double used_warn, used_crit;       /* cache.used_warn/crit: used_memory / maxmemory */
	double evicted_warn, evicted_crit; /* cache.evicted_warn/crit: evictions per second */
	char *key_prefix;                  /* cache.key_prefix: keys sampled on demand ("session:") */
	int64_t sample_keys;               /* cache.sample_keys: at most this many keys per sample */
};

static inline const struct cache_opts *cache_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind cache_kind;
#ifdef HAVE_REDIS
extern const struct probe cache_probe;
#endif

/* options.c: the cache.* keys, the first being the stage key itself. */
extern const struct opt_def cache_options[];

/* rules.c */
void cache_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
