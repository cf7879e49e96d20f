/* rules_table.c: the Kafka Connect connector's rules as data (rule_def.h). */
#include "kinds/connector/connector.h"

const struct rule_def connector_rule_defs[] = {
    {"connector-task-failed", "crit", RULE_CAUSE | RULE_CONSUMER_DOWN, ACTION_RESTART,
     "the connector is FAILED, or RUNNING with a task FAILED",
     "the partitions of the failed tasks are not copied",
     "read the trace, fix the cause, then restart the failed tasks (a plain restart does not "
     "restart tasks)"},
    {"worker-paused", "warn", RULE_CAUSE | RULE_CONSUMER_DOWN, ACTION_RESUME,
     "the connector is PAUSED or STOPPED", "nothing flows through the connector; the pause outlives restarts",
     "if nobody meant it to last, resume it; ask first who paused it"},
    {0},
};
