/* options.c: the cache.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>

#include "kinds/cache/cache.h"

const struct opt_def cache_options[] = {
    {"cache", OPT_CONN, NULL, 0, 0, ST_OFF(conn), false,
     "redis connection whose memory, eviction policy and evictions are watched"},
    {"cache.used_warn", OPT_REAL, "0.8", 0, 1, ST_OFF(used_warn), false,
     "used_memory / maxmemory at or above which the stage is warn (not for allkeys-* policies)"},
    {"cache.used_crit", OPT_REAL, "0.95", 0, 1, ST_OFF(used_crit), false,
     "used_memory / maxmemory at or above which the stage is crit"},
    {"cache.evicted_warn", OPT_REAL, "1", 0, 0, ST_OFF(evicted_warn), false,
     "evicted keys per second at or above which the stage is warn"},
    {"cache.evicted_crit", OPT_REAL, "100", 0, 0, ST_OFF(evicted_crit), false,
     "evicted keys per second at or above which the stage is crit"},
    {"cache.key_prefix", OPT_STR, NULL, 1, 0, ST_OFF(key_prefix), false,
     "key prefix (e.g. session:) whose keys are sampled on demand (key t on the screen, --sample): "
     "how many have a TTL; never part of periodic polling"},
    {"cache.sample_keys", OPT_INT, "1000", 10, 1000000, ST_OFF(sample_keys), false,
     "at most this many keys per sample (SCAN with MATCH, then TTL per key, pipelined)"},
    {0},
};
