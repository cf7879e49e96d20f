/* options.c: the kafka.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>
#include <stdio.h>

#include "kinds/kafka/kafka.h"

const struct opt_def kafka_options[] = {
    {"kafka", OPT_CONN, NULL, 0, 0, ST_OFF(conn), false,
     "kafka connection whose consumer-group lag is watched, and evaluated over time"},
    {"kafka.group", OPT_STR, NULL, 1, 0, ST_OFF(group), false, "the consumer group (required)"},
    {"kafka.topics", OPT_LIST, NULL, 0, 0, ST_OFF(topics), false,
     "topics of the group, comma-separated (unset: every topic the group has committed offsets for)"},
    {"kafka.window", OPT_DURATION, "10s", 1, 86400, ST_OFF(window_s), false,
     "window of polls over which the consumer is evaluated (stalled, stopped, rewound, slow)"},
    {"kafka.lag_warn", OPT_INT, "1000", 0, 0, ST_OFF(lag_warn), false,
     "total lag (messages) at or above which the stage is warn"},
    {"kafka.lag_crit", OPT_INT, "100000", 0, 0, ST_OFF(lag_crit), false,
     "total lag (messages) at or above which the stage is crit"},
    {0},
};

bool kafka_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                 size_t n)
{
	(void)pl;
	(void)cfg;
	if (st->group && *st->group)
		return true;
	snprintf(msg, n, "the kafka stage needs kafka.group (the consumer group to watch)");
	return false;
}
