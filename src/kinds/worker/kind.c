/* kind.c: the worker kind: a worker with an HTTP admin API, watched (paused or running) and
   paused or resumed over it. */
#include <stdio.h>
#include <string.h>

#include "kinds/worker/worker.h"
#include "units.h"
#include "util.h"

static const struct metric_def worker_metrics[] = {
    {"paused", MU_BOOL, false},
    {"paused_since", MU_TEXT, false},
    {"paused_for_s", MU_SECONDS, false},
    {0},
};

static void worker_target(const struct stage_cfg *stage, char *buf, size_t n)
{
	const struct worker_opts *st = worker_opts(stage);
	strlcpy_safe(buf, st->state ? st->state : "", n);
}

/* "paused 47m00s" or "running". */
static void worker_figures(const struct stage_view *sv, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	bool paused;
	double since = 0;
	if (!metric_bool(m, "paused", &paused)) {
		strlcpy_safe(buf, "paused or not: unknown", n);
		return;
	}
	if (!paused) {
		strlcpy_safe(buf, "running", n);
		return;
	}
	char d[32];
	metric_num(m, "paused_for_s", &since);
	format_duration(since, d, sizeof d);
	snprintf(buf, n, "paused %s", d);
}

const struct kind worker_kind = {
    .name = "worker",
    .conn = CONN_HTTP,
    .options = worker_options,
    .opts_size = sizeof(struct worker_opts),
    .metrics = worker_metrics,
    .main_metric = "paused_for_s",
#ifdef HAVE_SEARCH
    .probe = &worker_probe,
#endif
    .check = worker_check,
    .target = worker_target,
    .evaluate = worker_rules,
    .rules = worker_rule_defs,
    .figures = worker_figures,
    .actions = ACTION_BIT(ACTION_PAUSE) | ACTION_BIT(ACTION_RESUME),
};
