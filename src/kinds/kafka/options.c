/* options.c: the kafka.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>
#include <stdio.h>

#include "kinds/kafka/kafka.h"

#define OFF(field) offsetof(struct kafka_opts, field)

const struct opt_def kafka_options[] = {
    {"kafka", OPT_CONN, NULL, 0, 0, 0, 0,
     "kafka connection whose consumer-group lag is watched, and evaluated over time"},
    {"kafka.group", OPT_STR, NULL, 1, 0, OFF(group), 0, "the consumer group (required)"},
    {"kafka.topics", OPT_LIST, NULL, 0, 0, OFF(topics), 0,
     "topics of the group, comma-separated (unset: every topic the group has committed offsets for)"},
    {"kafka.window", OPT_DURATION, "10s", 1, 86400, OFF(window_s), 0,
     "window of polls over which the consumer is evaluated (stalled, stopped, rewound, slow)"},
    {"kafka.lag_warn", OPT_INT, "1000", 0, 0, OFF(lag_warn), 0,
     "total lag (messages) at or above which the stage is warn"},
    {"kafka.lag_crit", OPT_INT, "100000", 0, 0, OFF(lag_crit), 0,
     "total lag (messages) at or above which the stage is crit"},
    {0},
};

bool kafka_check(struct stage_cfg *stage, const struct pipeline *pl, const struct config *cfg, char *msg,
                 size_t n)
{
	const struct kafka_opts *st = kafka_opts(stage);
	(void)pl;
	(void)cfg;
	if (st->group && *st->group)
		return true;
	snprintf(msg, n, "the kafka stage needs kafka.group (the consumer group to watch)");
	return false;
}
