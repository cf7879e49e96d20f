/* rules_table.c: the replication slot kind's rules as data (rule_def.h). */
#include "kinds/slot/slot.h"

const struct rule_def slot_rule_defs[] = {
    {"slot-inactive", "warn or crit", RULE_CAUSE | RULE_BY_CONSUMER, ACTION_NONE,
     "a logical slot is not active and retains WAL (crit past slot.retained_crit)",
     "a CDC consumer (graph recommendations, a Debezium sink) is stale",
     "the CDC connector is down: restart it; drop an abandoned slot before the disk fills"},
    {"slot-stalled", "warn or crit", RULE_CAUSE | RULE_BY_CONSUMER | RULE_WINDOWED, ACTION_NONE,
     "an active slot's confirmed_flush_lsn stood still over the polls of slot.window while the WAL "
     "grew (crit once for longer than the window)",
     "the slot's consumer is connected but confirms nothing: what it feeds goes stale, and WAL "
     "piles up",
     "the consumer is stuck: look in its logs for an event it cannot process or a sink that hangs; "
     "restart it"},
    {"slot-falling-behind", "warn", RULE_CAUSE | RULE_BY_CONSUMER | RULE_WINDOWED, ACTION_NONE,
     "an active slot's consumer confirms, but the unconfirmed WAL increased across slot.window "
     "(as kafka-lagging for a consumer group)",
     "the slot's consumer is slower than the writes: what it feeds is getting staler",
     "scale the consumer or find what slows its sink"},
    {"slot-wal-at-risk", "warn or crit", RULE_LOCAL, ACTION_NONE,
     "wal_status is unreserved or lost (crit), or the slot retains 80% or more of "
     "max_slot_wal_keep_size (warn)",
     "the slot is about to be invalidated, or was: its consumer cannot resume",
     "get the consumer reading at once; a lost slot must be re-created and the target "
     "re-snapshotted"},
    {0},
};
