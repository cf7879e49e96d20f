/* rules.c: the rules of the timeseries stage (writes-stopped, writes-dropped). Pure. */
#include <stdio.h>
#include <string.h>

#include "human.h"
#include "kinds/timeseries/timeseries.h"
#include "rules.h"
#include "units.h"

/* The least number of points the baseline must expect in the window for a drop to be judged. */
#define DROP_MIN_POINTS 10

static void rule_stopped(struct pipeline_view *pv, struct stage_view *sv, const json_t *m)
{
	const struct timeseries_opts *o = timeseries_opts(sv->cfg);
	char target[300];
	timeseries_kind.target(sv->cfg, target, sizeof target);
	double age;
	if (!metric_num(m, "newest_point_age_s", &age)) {
		raise_status(sv, ST_CRIT, "no point in %s", target);
		struct diagnosis *d = add_diag(pv, sv, "writes-stopped", ST_CRIT, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom, "dashboards show nothing for %s", o->measurement);
		snprintf(d->evidence, sizeof d->evidence, "the measurement %s holds no point", target);
		snprintf(d->next, sizeof d->next,
		         "check that the writer runs and writes to this database and measurement");
		return;
	}
	enum status s = level(age, o->stale_warn_s, o->stale_crit_s);
	if (s == ST_OK)
		return;
	char a[32];
	format_duration(age, a, sizeof a);
	raise_status(sv, s, "newest point %s old", a);
	struct diagnosis *d = add_diag(pv, sv, "writes-stopped", s, ACTION_NONE);
	snprintf(d->symptom, sizeof d->symptom, "dashboards flatline: nothing written to %s for %s",
	         o->measurement, a);
	const char *newest = metric_str(m, "newest_point");
	snprintf(d->evidence, sizeof d->evidence, "the newest point of %s is at %s, %s ago", target,
	         newest ? newest : "?", a);
	snprintf(d->next, sizeof d->next,
	         "find the writer that stopped: the stage that feeds it says why, else the writer's log");
}

static void rule_dropped(struct pipeline_view *pv, struct stage_view *sv, const json_t *m)
{
	const struct timeseries_opts *o = timeseries_opts(sv->cfg);
	double rate, base, age;
	if (o->drop_warn <= 0 || !metric_num(m, "points_per_s", &rate) ||
	    !metric_num(m, "baseline_points_per_s", &base) || rate >= o->drop_warn * base)
		return;
	/* Stopped says it already; and a baseline that expects under DROP_MIN_POINTS points in the
	   window is noise (3 points in 15 minutes, none in the last one, is no drop). */
	if (!metric_num(m, "newest_point_age_s", &age) || age >= o->stale_warn_s ||
	    base * o->window_s < DROP_MIN_POINTS)
		return;
	char r[32], b[32], w[32], bw[32], share[32];
	human_rate(rate, r, sizeof r);
	human_rate(base, b, sizeof b);
	format_duration(o->window_s, w, sizeof w);
	format_duration(o->baseline_s, bw, sizeof bw);
	human_ratio(rate / base, share, sizeof share);
	raise_status(sv, ST_WARN, "writes at %s of the baseline", share);
	struct diagnosis *d = add_diag(pv, sv, "writes-dropped", ST_WARN, ACTION_NONE);
	snprintf(d->symptom, sizeof d->symptom, "fewer points reach %s than before", o->measurement);
	snprintf(d->evidence, sizeof d->evidence, "%s over the last %s against %s over the last %s (%s)", r,
	         w, b, bw, share);
	snprintf(d->next, sizeof d->next,
	         "compare the series that still arrive with the baseline's (SHOW SERIES); the stage "
	         "that feeds it may be behind");
}

void timeseries_rules(struct pipeline_view *pv, struct stage_view *sv)
{
	const json_t *m = sv->cur.metrics;
	rule_stopped(pv, sv, m);
	rule_dropped(pv, sv, m);
}
