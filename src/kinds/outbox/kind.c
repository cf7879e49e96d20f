/* kind.c: the outbox kind: a transactional outbox table: backlog, failed rows, the worker's pause flag. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "human.h"
#include "kinds/outbox/outbox.h"
#include "redact.h"
#include "units.h"

static const struct metric_def outbox_metrics[] = {
    {"pending", MU_COUNT, true},
    {"pending_capped", MU_BOOL, true},
    {"oldest_pending_age_s", MU_SECONDS, true},
    {"failed", MU_COUNT, true},
    {"drain_per_s", MU_PER_SECOND, true},
    {"inflow_per_s", MU_PER_SECOND, true},
    /* beyond the contract: the poisoned rows' age, the drain over outbox.window */
    {"oldest_failed_age_s", MU_SECONDS, false},
    {"growth_per_s", MU_PER_SECOND, false},
    {"empty_in_s", MU_SECONDS, false},
    {"evaluation", MU_TEXT, false},
    /* the worker's row in outbox.control_table */
    {"worker_paused", MU_BOOL, false},
    {"paused_since", MU_TEXT, false},
    {"paused_for_s", MU_SECONDS, false},
    {0},
};

/* The options of its metrics' thresholds, and their bounds (kind.h). */
static const struct metric_extra outbox_extras[] = {
    {.metric = "pending", .warn_opt = "outbox.pending_warn", .crit_opt = "outbox.pending_crit"},
    {.metric = "oldest_pending_age_s", .warn_opt = "outbox.oldest_warn", .crit_opt = "outbox.oldest_crit"},
    {.metric = "failed", .warn_opt = "outbox.failed_warn", .crit_opt = "outbox.failed_crit"},
    {0},
};

static void outbox_target(const struct stage_cfg *stage, char *buf, size_t n)
{
	const struct outbox_opts *st = outbox_opts(stage);
	strlcpy_safe(buf, st->table ? st->table : "", n);
}

/* Exports: its table. */
static size_t outbox_export_labels(const struct stage_view *sv, struct export_label *out)
{
	out[0].name = "table";
	outbox_target(sv->cfg, out[0].value, sizeof out[0].value);
	return 1;
}

static void rate(char *buf, size_t n, const json_t *m, const char *name, const char *label)
{
	double v;
	char r[32];
	if (metric_num(m, name, &v)) {
		human_rate(v, r, sizeof r);
		snappendf(buf, n, ", %s %s", label, r);
	}
}

static void outbox_figures(const struct stage_view *sv, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	int64_t pending = 0, failed;
	double age = 0;
	bool capped = false;
	char cnt[32], a[32];
	metric_int(m, "pending", &pending);
	metric_bool(m, "pending_capped", &capped);
	metric_num(m, "oldest_pending_age_s", &age);
	format_count(pending, cnt, sizeof cnt);
	format_duration(age, a, sizeof a);
	bool paused = false;
	double paused_for;
	buf[0] = '\0';
	if (metric_bool(m, "worker_paused", &paused) && paused) {
		/* The pause first: it is what the operator must know before any figure. */
		if (metric_num(m, "paused_for_s", &paused_for)) {
			format_duration(paused_for, a, sizeof a);
			snappendf(buf, n, "paused %s, ", a);
		} else {
			snappendf(buf, n, "paused, ");
		}
		format_duration(age, a, sizeof a);
	}
	snappendf(buf, n, "%s%s pending", capped ? ">=" : "", cnt);
	if (pending > 0)
		snappendf(buf, n, ", oldest %s", a);
	if (metric_int(m, "failed", &failed)) {
		format_count(failed, cnt, sizeof cnt);
		snappendf(buf, n, ", %s failed", cnt);
	}
	rate(buf, n, m, "drain_per_s", "drain");
	rate(buf, n, m, "inflow_per_s", "inflow");
	char drain[64];
	if (*outbox_drain_text(m, drain, sizeof drain))
		snappendf(buf, n, ", %s", drain);
}

/* Its pending rows are on their way to the relay. */
static bool outbox_in_flight(const struct stage_view *sv, double *n)
{
	return metric_num(sv->cur.metrics, "pending", n);
}

const struct kind outbox_kind = {
    .name = "outbox",
    .canary_stuck = "not processed by the relay",
    .conn = CONN_POSTGRES,
    .options = outbox_options,
    .check = outbox_check,
    .opts_size = sizeof(struct outbox_opts),
    .metrics = outbox_metrics,
    .main_metric = "pending",
#ifdef HAVE_POSTGRES
    .probe = &outbox_probe,
#endif
    .target = outbox_target,
    .evaluate = outbox_rules,
    .rules = outbox_rule_defs,
    .in_flight = outbox_in_flight,
    .figures = outbox_figures,
    .export_labels = outbox_export_labels,
    .export_label_names = "table",
    .actions = ACTION_BIT(ACTION_REPLAY) | ACTION_BIT(ACTION_PAUSE) | ACTION_BIT(ACTION_RESUME),
    .extras = outbox_extras,
};
