/* rules_table.c: the document stage's own rules as data (rule_def.h): none beyond the generic
   copy-missing and copy-stale (rule_def.c) that kinds/copy.c raises. */
#include "kinds/document/document.h"

const struct rule_def document_rule_defs[] = {
    {0},
};
