/* options.c: the cache.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>

#include "kinds/cache/cache.h"

#define OFF(field) offsetof(struct cache_opts, field)

const struct opt_def cache_options[] = {
    {"cache", OPT_CONN, NULL, 0, 0, 0, 0,
     "redis connection whose memory, eviction policy and evictions are watched"},
    {"cache.used_warn", OPT_REAL, "0.8", 0, 1, OFF(used_warn), 0,
     "used_memory / maxmemory at or above which the stage is warn (not for allkeys-* policies)"},
    {"cache.used_crit", OPT_REAL, "0.95", 0, 1, OFF(used_crit), 0,
     "used_memory / maxmemory at or above which the stage is crit"},
    {"cache.evicted_warn", OPT_REAL, "1", 0, 0, OFF(evicted_warn), 0,
     "evicted keys per second at or above which the stage is warn"},
    {"cache.evicted_crit", OPT_REAL, "100", 0, 0, OFF(evicted_crit), 0,
     "evicted keys per second at or above which the stage is crit"},
    {"cache.key_prefix", OPT_STR, NULL, 1, 0, OFF(key_prefix), 0,
     "key prefix (e.g. session:) whose keys are sampled on demand (key t on the screen, --sample): "
     "how many have a TTL; never part of periodic polling"},
    {"cache.sample_keys", OPT_INT, "1000", 10, 1000000, OFF(sample_keys), 0,
     "at most this many keys per sample (SCAN with MATCH, then TTL per key, pipelined)"},
    {"cache.pause_key", OPT_STR, NULL, 1, 0, OFF(pause_key), 0,
     "key whose presence pauses a worker (e.g. relay:paused): read every poll (EXISTS), set by pause, "
     "deleted by resume; unset: no pause or resume here"},
    {"cache.pause_value", OPT_STR, "1", 1, 0, OFF(pause_value), 0, "the value pause sets cache.pause_key to"},
    {0},
};
