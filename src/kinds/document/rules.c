/* rules.c: the document stage's rules: its copy against the source (kinds/copy.c). Pure. */
#include <stdio.h>

#include "kinds/copy.h"
#include "kinds/document/document.h"

void document_rules(struct pipeline_view *pv, struct stage_view *sv)
{
	const struct document_opts *o = document_opts(sv->cfg);
	char where[300];
	snprintf(where, sizeof where, "the collection %s.%s", o->database, o->collection);
	struct copy_desc c = {
	    .items = "documents",
	    .where = where,
	    .prefix = "document",
	    .op = &o->copy,
	};
	copy_rules(pv, sv, &c);
}
