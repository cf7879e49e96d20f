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

/* The options of its metrics' thresholds, and their bounds (kind.h). */
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

/* Exports: its group, as kafka_exporter labels it. */
static size_t kafka_export_labels(const struct stage_view *sv, struct export_label *out)
{
	const struct kafka_opts *st = kafka_opts(sv->cfg);
	out[0].name = "group";
	strlcpy_safe(out[0].value, st->group ? st->group : "", sizeof out[0].value);
	return 1;
}

/* Exports: each partition's lag and offsets, labelled topic and partition. */
static const struct export_def kafka_export_defs[] = {
    {"partition_lag", MU_COUNT, "messages of the partition the group has not committed", "topic, partition"},
    {"partition_committed_offset", MU_COUNT, "the group's committed offset on the partition",
     "topic, partition"},
    {"partition_end_offset", MU_COUNT, "the partition's end offset (its next message)", "topic, partition"},
    {0},
};

static void kafka_export_items(const struct stage_view *sv,
                               void (*emit)(void *ctx, const struct export_item *it), void *ctx)
{
	/* the field of a partition_lags row each of kafka_export_defs exports */
	static const char *const fields[] = {"lag", "committed", "end"};
	const json_t *lags = sv->cur.ok ? json_object_get(sv->cur.metrics, "partition_lags") : NULL;
	for (size_t s = 0; s < sizeof fields / sizeof fields[0]; s++) {
		size_t i;
		const json_t *row;
		json_array_foreach(lags, i, row)
		{
			const char *topic = metric_str(row, "topic");
			int64_t partition;
			struct export_item it = {.def = &kafka_export_defs[s]};
			if (!topic || !metric_int(row, "partition", &partition) ||
			    !metric_num(row, fields[s], &it.value))
				continue;
			it.labels[0].name = "topic";
			strlcpy_safe(it.labels[0].value, topic, sizeof it.labels[0].value);
			it.labels[1].name = "partition";
			snprintf(it.labels[1].value, sizeof it.labels[1].value, "%" PRId64, partition);
			emit(ctx, &it);
		}
	}
}

/* The messages of its lag are on their way to the consumer. */
static bool kafka_in_flight(const struct stage_view *sv, double *n)
{
	return metric_num(sv->cur.metrics, "lag", n);
}

const struct kind kafka_kind = {
    .name = "kafka",
    .canary_stuck = "not committed past by the consumer group",
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
    .export_labels = kafka_export_labels,
    .export_label_names = "group",
    .export_items = kafka_export_items,
    .export_defs = kafka_export_defs,
    .extras = kafka_extras,
};
