/* options.c: the graph.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>
#include <stdio.h>

#include "kinds/graph/graph.h"
#include "kinds/copy.h"
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
    COPY_OPTIONS("graph", struct graph_opts, "nodes", "the graph"),
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
	return copy_check("graph", "freshness", o->freshness != NULL, &o->copy, pl, stage, cfg, msg, n);
}
