/* rules_table.c: the graph stage's own rules as data (rule_def.h): none beyond the generic
   copy-missing and copy-stale (rule_def.c) that kinds/copy.c raises. */
#include "kinds/graph/graph.h"

const struct rule_def graph_rule_defs[] = {
    {0},
};
