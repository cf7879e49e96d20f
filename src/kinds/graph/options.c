/* options.c: the graph.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>
#include <stdio.h>

#include "kinds/graph/graph.h"
#include "kinds/source.h"

#define OFF(field) offsetof(struct graph_opts, field)

const struct opt_def graph_options[] = {
    {"graph", OPT_CONN, NULL, 0, 0, 0, 0,
     "http connection to a Neo4j server's HTTP port (its Query API, Neo4j 5.5 or later) whose graph is "
     "compared with the source: nodes against rows, newest against newest"},
    {"graph.database", OPT_STR, "neo4j", 1, 0, OFF(database), OPT_URL_SEGMENT, "the database"},
    {"graph.count", OPT_STR, NULL, 1, 0, OFF(count), 0,
     "Cypher answering one count: what the graph holds of the source, e.g. MATCH (p:Product) RETURN "
     "count(p) (required)"},
    {"graph.freshness", OPT_STR, NULL, 1, 0, OFF(freshness), 0,
     "Cypher answering the newest copy's time in epoch seconds, e.g. MATCH (p:Product) RETURN "
     "max(p.updated_at).epochSeconds; with graph.source_freshness"},
    {"graph.source", OPT_STR, NULL, 1, 0, OFF(source_name), 0,
     "postgres connection that runs the source SQL below, read-only (unset: the pipeline's outbox or "
     "slot connection)"},
    {"graph.source_count", OPT_STR, NULL, 1, 0, OFF(source_count), 0,
     "SQL giving the number of rows that should be nodes, e.g. SELECT count(*) FROM products; "
     "missing = that - the graph's count"},
    {"graph.source_freshness", OPT_STR, NULL, 1, 0, OFF(source_freshness), 0,
     "SQL giving the newest source timestamp, e.g. SELECT max(updated_at) FROM products"},
    {"graph.missing_warn", OPT_INT, "1", 0, 0, OFF(missing_warn), 0,
     "nodes missing from the graph (for graph.missing_window) at or above which the stage is warn"},
    {"graph.missing_crit", OPT_INT, "1000", 0, 0, OFF(missing_crit), 0,
     "nodes missing from the graph (for graph.missing_window) at or above which the stage is crit"},
    {"graph.missing_window", OPT_DURATION, "30s", 0, 86400, OFF(missing_window_s), 0,
     "how long nodes must stay missing to count: the least missing over this window is compared"},
    {"graph.freshness_warn", OPT_DURATION, "30s", 0, 0, OFF(freshness_warn_s), 0,
     "newest source timestamp ahead of the newest node by this much or more: warn"},
    {"graph.freshness_crit", OPT_DURATION, "5m", 0, 0, OFF(freshness_crit_s), 0,
     "newest source timestamp ahead of the newest node by this much or more: crit"},
    {0},
};

bool graph_check(struct stage_cfg *stage, const struct pipeline *pl, const struct config *cfg, char *msg,
                 size_t n)
{
	struct graph_opts *o = stage->opts;
	if (!o->count) {
		snprintf(msg, n, "the graph stage needs graph.count (Cypher answering one count)");
		return false;
	}
	if (!o->freshness != !o->source_freshness) {
		snprintf(msg, n,
		         "graph.freshness and graph.source_freshness go together: set both or neither");
		return false;
	}
	return source_conn_resolve("graph", o->source_name, o->source_count || o->source_freshness, pl, stage,
	                           cfg, &o->source, msg, n);
}
