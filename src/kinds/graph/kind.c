/* kind.c: the graph kind: a Neo4j graph that copies PostgreSQL rows (recommendations), its
   count and newest copy against the source's. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "human.h"
#include "kinds/graph/graph.h"
#include "units.h"
#include "util.h"

static const struct metric_def graph_metrics[] = {
    {"count", MU_COUNT, false},         {"source_count", MU_COUNT, false},      {"missing", MU_COUNT, false},
    {"missing_floor", MU_COUNT, false}, {"freshness_lag_s", MU_SECONDS, false}, {0},
};

static const struct metric_extra graph_extras[] = {
    {.metric = "missing_floor",
     .warn_opt = "graph.missing_warn",
     .crit_opt = "graph.missing_crit",
     .negative = true},
    {.metric = "missing", .negative = true},
    {.metric = "freshness_lag_s", .warn_opt = "graph.freshness_warn", .crit_opt = "graph.freshness_crit"},
    {0},
};

/* The database. */
static void graph_target(const struct stage_cfg *stage, char *buf, size_t n)
{
	strlcpy_safe(buf, graph_opts(stage)->database, n);
}

/* "1,204 nodes, 3 missing of 1,207 rows, newest 2s behind". */
static void graph_figures(const struct stage_view *sv, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	char c[32], s[32];
	double v, lag;
	buf[0] = '\0';
	if (metric_num(m, "count", &v)) {
		human_count(v, c, sizeof c);
		snappendf(buf, n, "%s nodes", c);
	}
	double rows, missing;
	if (metric_num(m, "source_count", &rows) && metric_num(m, "missing", &missing)) {
		human_count(missing < 0 ? -missing : missing, c, sizeof c);
		human_count(rows, s, sizeof s);
		snappendf(buf, n, ", %s %s %s rows", c, missing < 0 ? "more than" : "missing of", s);
	}
	if (metric_num(m, "freshness_lag_s", &lag)) {
		format_duration(lag, c, sizeof c);
		snappendf(buf, n, ", newest %s behind", c);
	}
}

/* Exports: the database, as Neo4j's own metrics label it. */
static size_t graph_export_labels(const struct stage_view *sv, struct export_label *out)
{
	out[0].name = "database";
	graph_target(sv->cfg, out[0].value, sizeof out[0].value);
	return 1;
}

/* The postgres connection of the source SQL: the probe's second session. */
static struct conn *graph_extra_conn(const struct stage_cfg *st)
{
	return graph_opts(st)->source;
}

const struct kind graph_kind = {
    .name = "graph",
    .conn = CONN_HTTP,
    .options = graph_options,
    .opts_size = sizeof(struct graph_opts),
    .metrics = graph_metrics,
    .main_metric = "count",
#ifdef HAVE_SEARCH
    .probe = &graph_probe,
#endif
    .check = graph_check,
    .extra_conn = graph_extra_conn,
    .target = graph_target,
    .evaluate = graph_rules,
    .rules = graph_rule_defs,
    .figures = graph_figures,
    .export_labels = graph_export_labels,
    .export_label_names = "database",
    .extras = graph_extras,
};
