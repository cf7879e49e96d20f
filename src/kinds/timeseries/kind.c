/* kind.c: the timeseries kind: a measurement of an InfluxDB 1.x database, watched for its newest
   point (writes stopped) and its write rate against a longer baseline (writes dropped). */
#include <stdio.h>
#include <string.h>

#include "human.h"
#include "kinds/timeseries/timeseries.h"
#include "units.h"
#include "util.h"

static const struct metric_def timeseries_metrics[] = {
    {"newest_point", MU_TEXT, false},
    {"newest_point_age_s", MU_SECONDS, false},
    {"points_in_window", MU_COUNT, false},
    {"points_per_s", MU_PER_SECOND, false},
    {"baseline_points_per_s", MU_PER_SECOND, false},
    {0},
};

static const struct metric_extra timeseries_extras[] = {
    {.metric = "newest_point_age_s",
     .warn_opt = "timeseries.stale_warn",
     .crit_opt = "timeseries.stale_crit"},
    {0},
};

/* database.measurement, or database.retention_policy.measurement. */
static void timeseries_target(const struct stage_cfg *stage, char *buf, size_t n)
{
	const struct timeseries_opts *o = timeseries_opts(stage);
	if (o->retention_policy)
		snprintf(buf, n, "%s.%s.%s", o->database ? o->database : "", o->retention_policy,
		         o->measurement ? o->measurement : "");
	else
		snprintf(buf, n, "%s.%s", o->database ? o->database : "",
		         o->measurement ? o->measurement : "");
}

/* "newest 3s ago, 12/s (baseline 11.8/s)", or "no point yet, 0/s". */
static void timeseries_figures(const struct stage_view *sv, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	double age, rate, base;
	char d[32], r[32], b[32];
	buf[0] = '\0';
	if (metric_num(m, "newest_point_age_s", &age)) {
		format_duration(age, d, sizeof d);
		snappendf(buf, n, "newest %s ago", d);
	} else {
		snappendf(buf, n, "no point yet");
	}
	if (metric_num(m, "points_per_s", &rate)) {
		human_rate(rate, r, sizeof r);
		snappendf(buf, n, ", %s", r);
		if (metric_num(m, "baseline_points_per_s", &base)) {
			human_rate(base, b, sizeof b);
			snappendf(buf, n, " (baseline %s)", b);
		}
	}
}

/* Exports: the database and the measurement, as Telegraf's influxdb input labels them. */
static size_t timeseries_export_labels(const struct stage_view *sv, struct export_label *out)
{
	const struct timeseries_opts *o = timeseries_opts(sv->cfg);
	out[0].name = "database";
	strlcpy_safe(out[0].value, o->database ? o->database : "", sizeof out[0].value);
	out[1].name = "measurement";
	strlcpy_safe(out[1].value, o->measurement ? o->measurement : "", sizeof out[1].value);
	return 2;
}

const struct kind timeseries_kind = {
    .name = "timeseries",
    .conn = CONN_HTTP,
    .options = timeseries_options,
    .opts_size = sizeof(struct timeseries_opts),
    .metrics = timeseries_metrics,
    .main_metric = "points_per_s",
#ifdef HAVE_SEARCH
    .probe = &timeseries_probe,
#endif
    .check = timeseries_check,
    .target = timeseries_target,
    .evaluate = timeseries_rules,
    .rules = timeseries_rule_defs,
    .figures = timeseries_figures,
    .export_labels = timeseries_export_labels,
    .export_label_names = "database, measurement",
    .extras = timeseries_extras,
};
