/* rule_ids.c: the id of every rule the kinds raise, for the settings that name a rule (confirm.RULE). */
#include "kinds/rule_ids.h"

#include <stddef.h>
#include <string.h>

/* Every id of an add_diag() of src/kinds/KIND/rules.c (and kafka's evaluate.c): a new rule adds
   its id here, until the rules are one table (issue 15, item 7). */
const char *const rule_ids[] = {
    "outbox-backlog",
    "worker-stalled",
    "poison-rows",
    "outbox-no-index",
    "worker-paused",
    "slot-inactive",
    "slot-wal-at-risk",
    "kafka-stall",
    "kafka-stop",
    "kafka-rewind",
    "cdc-lagging",
    "kafka-no-commits",
    "connector-task-failed",
    "search-unhealthy",
    "search-refresh-disabled",
    "search-idle",
    "search-indexing-failed",
    "search-stale",
    "dual-write-loss",
    "cache-evicting",
    "cache-noeviction-full",
    "cache-unbounded",
    "cache-volatile-no-ttl",
    NULL,
};

bool rule_id_known(const char *id)
{
	for (const char *const *r = rule_ids; *r; r++)
		if (!strcmp(*r, id))
			return true;
	return false;
}
