/* cache.h: what the files of the cache kind share. */
#ifndef SYNCTOP_KIND_CACHE_H
#define SYNCTOP_KIND_CACHE_H

#include <stdint.h>

#include "kinds/kind.h"
#ifdef HAVE_REDIS
#include "kinds/act.h"
#endif

/* The cache.* options of a stage (st->opts), described by cache_options. */
struct cache_opts {
	double used_warn, used_crit;       /* cache.used_warn/crit: used_memory / maxmemory */
	double evicted_warn, evicted_crit; /* cache.evicted_warn/crit: evictions per second */
	char *key_prefix;                  /* cache.key_prefix: keys sampled on demand ("session:") */
	int64_t sample_keys;               /* cache.sample_keys: at most this many keys per sample */
	char *pause_key;                   /* cache.pause_key: the flag a worker watches; NULL: none */
	char *pause_value;                 /* cache.pause_value: what pause SETs it to */
};

static inline const struct cache_opts *cache_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind cache_kind;
/* Its rules as data (rules_table.c), ended by {0}. */
extern const struct rule_def cache_rule_defs[];
#ifdef HAVE_REDIS
extern const struct probe cache_probe;
/* canary.c: the end-to-end canary's cache hop (canary.cache_key exists). */
extern const struct probe_canary cache_canary;
/* act.c: pause and resume through the flag key (cache.pause_key). */
extern const struct kind_action cache_actions[];
/* act.c: reads the flag (cache.pause_key, if set) into m ("paused", "paused_since",
   "paused_for_s"), keeping the wall time it was first seen set in ctx->memo (an object, member
   "paused_since"); an unreadable flag leaves them null and says why in *why_out (a new string).
   False, with *broken and *why_out, when the connection must go. */
bool cache_pause_poll(const struct probe_ctx *ctx, json_t *m, char **why_out, bool *broken);
#endif

/* options.c: the cache.* keys, the first being the stage key itself. */
extern const struct opt_def cache_options[];

/* rules.c */
void cache_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
