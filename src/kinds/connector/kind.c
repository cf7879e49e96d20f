/* kind.c: the connector kind: a Kafka Connect connector: its state and its tasks'. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/connector/connector.h"
#include "redact.h"
#include "units.h"

static const struct metric_def connector_metrics[] = {
    {"state", MU_TEXT, true},
    {"tasks_running", MU_COUNT, true},
    {"tasks_failed", MU_COUNT, true},
    {"paused_since", MU_TEXT, true},
    /* beyond the contract */
    {"tasks", MU_COUNT, false},
    {"paused_for_s", MU_SECONDS, false},
    {"type", MU_TEXT, false},
    {"worker_id", MU_TEXT, false},
    {"worker_version", MU_TEXT, false}, /* GET / of the worker: "3.7.1" */
    {0},
};

static void connector_target(const struct stage_cfg *stage, char *buf, size_t n)
{
	const struct connector_opts *st = connector_opts(stage);
	strlcpy_safe(buf, st->connector_name ? st->connector_name : "", n);
}

/* Exports: its connector's name, as Kafka Connect's own metrics label it. */
static size_t connector_export_labels(const struct stage_view *sv, struct export_label *out)
{
	out[0].name = "connector";
	connector_target(sv->cfg, out[0].value, sizeof out[0].value);
	return 1;
}

/* "RUNNING, 1 of 2 tasks running, 1 FAILED" or "PAUSED for 2m10s". */
static void connector_figures(const struct stage_view *sv, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	const char *state = metric_str(m, "state");
	int64_t tasks = 0, running = 0, failed = 0;
	double paused;
	metric_int(m, "tasks", &tasks);
	metric_int(m, "tasks_running", &running);
	metric_int(m, "tasks_failed", &failed);
	snprintf(buf, n, "%s", state ? state : "?");
	if (metric_num(m, "paused_for_s", &paused)) {
		char d[32];
		format_duration(paused, d, sizeof d);
		snappendf(buf, n, " for %s", d);
	}
	snappendf(buf, n, ", %" PRId64 " of %" PRId64 " tasks running", running, tasks);
	if (failed > 0)
		snappendf(buf, n, ", %" PRId64 " FAILED", failed);
}

const struct kind connector_kind = {
    .name = "connector",
    .conn = CONN_CONNECT,
    .options = connector_options,
    .opts_size = sizeof(struct connector_opts),
    .metrics = connector_metrics,
    .main_metric = "tasks_running",
#ifdef HAVE_SEARCH
    .probe = &connector_probe,
#endif
    .check = connector_check,
    .target = connector_target,
    .evaluate = connector_rules,
    .rules = connector_rule_defs,
    .figures = connector_figures,
    .export_labels = connector_export_labels,
    .export_label_names = "connector",
    .actions = ACTION_BIT(ACTION_PAUSE) | ACTION_BIT(ACTION_RESUME) | ACTION_BIT(ACTION_STOP) |
               ACTION_BIT(ACTION_RESTART),
};
