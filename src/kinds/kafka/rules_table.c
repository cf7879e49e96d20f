/* rules_table.c: the consumer group's rules as data (rule_def.h). */
#include "kinds/kafka/kafka.h"

const struct rule_def kafka_rule_defs[] = {
    {"kafka-stall", "crit", RULE_CAUSE | RULE_BY_CONSUMER | RULE_WINDOWED, ACTION_RESUME,
     "the group has lag and its committed offsets did not move over kafka.window",
     "the data behind the consumer group stops changing",
     "the consumer is stuck: look in its logs for a message it cannot process or a sink that "
     "hangs; restart or resume it"},
    {"kafka-stop", "crit", RULE_CAUSE | RULE_BY_CONSUMER | RULE_WINDOWED, ACTION_RESUME,
     "the group committed nothing for longer than kafka.window while messages arrived",
     "the data behind the consumer group stops changing",
     "the consumer is down or has left its group: restart it (a Kafka Connect sink: restart its "
     "failed tasks)"},
    {"kafka-rewind", "crit", RULE_LOCAL, ACTION_NONE, "a committed offset went backwards within kafka.window",
     "messages are processed a second time",
     "someone reset the group's offsets or a consumer restarted from an old checkpoint: the sinks "
     "must be idempotent"},
    {"kafka-lagging", "warn", RULE_CAUSE | RULE_BY_CONSUMER | RULE_WINDOWED, ACTION_RESUME,
     "the consumer commits, but its lag increased across kafka.window: higher at its end than at "
     "its start, never zero inside it, and its least-squares trend more than 1.5 times the polls' "
     "scatter around it (a consumer committing in batches is caught within one window, one that "
     "keeps up is not)",
     "what the consumer group writes downstream (a search index, a cache, any sink) gets staler",
     "the consumer is slower than the producers: scale it out or find what slows its sink"},
    {"kafka-no-commits", "warn", RULE_LOCAL, ACTION_NONE,
     "the group has no committed offset on a partition of its topics",
     "no lag is known there (which is not an infinite lag)",
     "a new group, or a consumer that never commits: check its group.id, assignment and commits"},
    {0},
};
