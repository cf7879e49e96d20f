/* kind.c: the graph kind: a Neo4j graph that copies PostgreSQL rows (recommendations), its
   count and newest copy against the source's. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kinds/copy.h"
#include "kinds/graph/graph.h"
#include "units.h"
#include "util.h"

static const struct metric_extra graph_extras[] = {
    COPY_EXTRAS("graph"),
};

/* The database. */
static void graph_target(const struct stage_cfg *stage, char *buf, size_t n)
{
	strlcpy_safe(buf, graph_opts(stage)->database, n);
}

static void graph_figures(const struct stage_view *sv, char *buf, size_t n)
{
	copy_figures(sv, "nodes", buf, n);
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
	return graph_opts(st)->copy.source;
}

const struct kind graph_kind = {
    .name = "graph",
    .conn = CONN_HTTP,
    .options = graph_options,
    .opts_size = sizeof(struct graph_opts),
    .metrics = copy_metrics,
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
