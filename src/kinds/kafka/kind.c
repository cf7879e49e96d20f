/* kind.c: the kafka kind: a Kafka consumer group: lag over time. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/kafka/kafka.h"
#include "redact.h"
#include "units.h"

static const struct metric_def kafka_metrics[] = {
    {"lag", MU_COUNT, true},
    {"partitions", MU_COUNT, true},
    {"max_partition_lag", MU_COUNT, true},
    {"lag_s", MU_SECONDS, true},
    {"group_state", MU_TEXT, true},
    {"members", MU_COUNT, true},
    {"evaluation", MU_TEXT, true},
    {"partition_lags", MU_LIST, true},
    {"evaluated_s", MU_SECONDS, false},
    {"lag_from", MU_COUNT, false},
    {"consumed", MU_COUNT, false},
    {"produced", MU_COUNT, false},
    {0},
};

/* Counters, the options of its thresholds, bounds (kind.h). */
static const struct metric_extra kafka_extras[] = {
    {.metric = "lag", .warn_opt = "kafka.lag_warn", .crit_opt = "kafka.lag_crit"},
    {0},
};

static void kafka_target(const struct stage_cfg *stage, char *buf, size_t n)
{
	const struct kafka_opts *st = kafka_opts(stage);
	snprintf(buf, n, "%s: ", st->group ? st->group : "?");
	if (!st->topics)
		snappendf(buf, n, "*");
	for (char **p = st->topics; p && *p; p++)
		snappendf(buf, n, "%s%s", p == st->topics ? "" : ",", *p);
}

static void kafka_figures(const struct stage_view *sv, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	int64_t lag = 0, max_lag = 0, parts = 0, no_commit = 0;
	double lag_s;
	char c[32];
	metric_int(m, "lag", &lag);
	metric_int(m, "max_partition_lag", &max_lag);
	metric_int(m, "partitions", &parts);
	metric_int(sv->cur.detail, "no_commit_partitions", &no_commit);
	format_count(lag, c, sizeof c);
	snprintf(buf, n, "lag %s", c);
	if (metric_num(m, "lag_s", &lag_s) && lag_s > 0) {
		char d[32];
		format_duration(lag_s, d, sizeof d);
		snappendf(buf, n, " (%s behind)", d);
	}
	format_count(max_lag, c, sizeof c);
	snappendf(buf, n, ", max %s, %" PRId64 " partitions", c, parts);
	if (no_commit > 0)
		snappendf(buf, n, " (%" PRId64 " uncommitted)", no_commit);
	const char *ev = metric_str(m, "evaluation");
	snappendf(buf, n, ", %s", ev ? ev : "evaluating");
	const char *state = metric_str(m, "group_state");
	int64_t members;
	if (state)
		snappendf(buf, n, ", %s", state);
	if (metric_int(m, "members", &members))
		snappendf(buf, n, ", %" PRId64 " members", members);
}

/* The messages of its lag are on their way to the consumer. */
static bool kafka_in_flight(const struct stage_view *sv, double *n)
{
	return metric_num(sv->cur.metrics, "lag", n);
}

const struct kind kafka_kind = {
    .name = "kafka",
    .conn = CONN_KAFKA,
    .options = kafka_options,
    .opts_size = sizeof(struct kafka_opts),
    .metrics = kafka_metrics,
    .main_metric = "lag",
#ifdef HAVE_KAFKA
    .probe = &kafka_probe,
#endif
    .check = kafka_check,
    .target = kafka_target,
    .evaluate = kafka_rules,
    .rules = kafka_rule_defs,
    .in_flight = kafka_in_flight,
    .figures = kafka_figures,
    .extras = kafka_extras,
};
