/* graph.h: what the files of the graph kind share (Neo4j over its HTTP Query API). */
#ifndef SYNCTOP_KIND_GRAPH_H
#define SYNCTOP_KIND_GRAPH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "kinds/copy.h"
#include "kinds/kind.h"
#ifdef HAVE_SEARCH
#include "kinds/probe.h"
#endif

/* The graph.* options of a stage (st->opts), described by graph_options. */
struct graph_opts {
	char *database;        /* graph.database */
	char *count;           /* graph.count: Cypher answering one count (required) */
	char *freshness;       /* graph.freshness: Cypher answering the newest time, epoch seconds */
	struct copy_opts copy; /* graph.source, graph.source_count, ... (kinds/copy.h) */
};

static inline const struct graph_opts *graph_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind graph_kind;
extern const struct rule_def graph_rule_defs[];

/* options.c */
extern const struct opt_def graph_options[];
bool graph_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                 size_t n);

/* parse.c, pure. The request body of a Cypher statement: {"statement": cypher}; free() it. */
char *graph_request_body(const char *cypher);
/* The Query API's answer to a statement that returns one value (data.values[0][0]): 1 with *v a
   number, 0 when the value is null or there is no row (nothing to count: an empty graph's max),
   -1 with why: the server's first error ("CODE: message"), or an answer of another shape. */
int graph_answer_number(const json_t *answer, double *v, char *why, size_t n);

#ifdef HAVE_SEARCH
extern const struct probe graph_probe;
#endif

/* rules.c */
void graph_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
