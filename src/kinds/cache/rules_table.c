/* rules_table.c: the Redis cache's rules as data (rule_def.h). */
#include "kinds/cache/cache.h"

const struct rule_def cache_rule_defs[] = {
    {"cache-evicting", "warn or crit", RULE_LOCAL, ACTION_NONE,
     "evicted_keys rises at cache.evicted_warn per second or more",
     "a session is missing from Redis though its PostgreSQL row exists",
     "raise maxmemory or change the eviction policy"},
    {"cache-noeviction-full", "crit", RULE_LOCAL, ACTION_NONE,
     "the policy is noeviction and memory is at cache.used_warn of maxmemory or more",
     "writes will fail with OOM errors", "raise maxmemory or choose an evicting policy"},
    {"cache-unbounded", "warn", RULE_LOCAL, ACTION_NONE, "maxmemory is 0", "the host can run out of memory",
     "set maxmemory and a policy"},
    {"cache-volatile-no-ttl", "warn", RULE_LOCAL, ACTION_NONE,
     "the policy is volatile-* while most keys have no TTL",
     "nothing can be evicted: writes fail once memory is full",
     "give the keys a TTL, or use an allkeys-* policy"},
    {"worker-paused", "warn", RULE_CAUSE, ACTION_RESUME, "the key cache.pause_key is set",
     "the worker that fills the cache is paused", "if the pause is over, resume it"},
    {0},
};
