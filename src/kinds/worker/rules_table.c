/* rules_table.c: the HTTP worker's rules as data (rule_def.h). */
#include "kinds/worker/worker.h"

const struct rule_def worker_rule_defs[] = {
    {"worker-paused", "warn", RULE_CAUSE | RULE_CONSUMER_DOWN, ACTION_RESUME,
     "the worker's HTTP state (worker.state, worker.paused_field) says paused",
     "nothing flows through the worker until it is resumed", "if the pause is over, resume it"},
    {0},
};
