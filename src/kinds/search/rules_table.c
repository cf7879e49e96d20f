/* rules_table.c: the search index's rules as data (rule_def.h). */
#include "kinds/search/search.h"

const struct rule_def search_rule_defs[] = {
    {"search-unhealthy", "warn or crit", RULE_LOCAL, ACTION_NONE,
     "the index's health is red (crit) or yellow (warn)",
     "searches miss documents and writes to unassigned shards fail",
     "ask the cluster why: GET /_cluster/allocation/explain"},
    {"search-refresh-disabled", "crit", RULE_CAUSE, ACTION_RESTORE_REFRESH, "index.refresh_interval is -1",
     "new and updated documents never become visible in search",
     "usually left over from a bulk load: restore the refresh interval"},
    {"search-idle", "warn", RULE_CAUSE, ACTION_REFRESH,
     "refresh_interval is not set explicitly and a shard is search-idle",
     "documents appear only after the next search",
     "set index.refresh_interval explicitly if readers must see writes without searching; or "
     "force a refresh"},
    {"search-indexing-failed", "crit", RULE_CAUSE, ACTION_NONE,
     "indexing.index_failed rose within search.missing_window", "the sink is rejecting documents",
     "read the indexer's log for the rejected documents, fix them, then replay their rows"},
    {"dual-write-loss", "warn or crit", RULE_SYMPTOM | RULE_WINDOWED, ACTION_REPLAY,
     "the source has more rows than the index has documents, beyond what is still on its way "
     "upstream, throughout search.missing_window, and nothing before the index holds the flow",
     "a product is permanently missing from search after a timeout",
     "replay the rows through the outbox (never write to the index beside it)"},
    {"search-stale", "warn or crit", RULE_SYMPTOM, ACTION_REFRESH,
     "the newest source row is newer than the newest document by search.freshness_warn or more",
     "search shows old data after an update",
     "force an index refresh; if the gap stays, a stage before the index is behind"},
    {0},
};
