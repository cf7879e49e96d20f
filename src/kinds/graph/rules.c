/* rules.c: the graph stage's rules: its copy against the source (kinds/copy.c). Pure. */
#include <stdio.h>

#include "kinds/copy.h"
#include "kinds/graph/graph.h"

void graph_rules(struct pipeline_view *pv, struct stage_view *sv)
{
	const struct graph_opts *o = graph_opts(sv->cfg);
	char where[300];
	snprintf(where, sizeof where, "the graph %s", o->database);
	struct copy_desc c = {
	    .items = "nodes",
	    .where = where,
	    .prefix = "graph",
	    .op = &o->copy,
	};
	copy_rules(pv, sv, &c);
}
