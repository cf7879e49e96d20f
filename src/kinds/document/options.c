/* options.c: the document.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "kinds/document/document.h"
#include "kinds/copy.h"
#include "kinds/source.h"

#define OFF(field) offsetof(struct document_opts, field)

const struct opt_def document_options[] = {
    {"document", OPT_CONN, NULL, 0, 0, 0, 0,
     "mongodb connection whose collection is compared with the source: documents against rows, "
     "newest against newest"},
    {"document.database", OPT_STR, NULL, 1, 0, OFF(database), 0, "the database (required)"},
    {"document.collection", OPT_STR, NULL, 1, 0, OFF(collection), 0, "the collection (required)"},
    {"document.count", OPT_STR, "estimated", 1, 0, OFF(count_mode), 0,
     "estimated: the collection's count from its metadata (cheap, the count command); exact: the "
     "documents counted (an aggregate that reads every one, or those of document.filter)"},
    {"document.filter", OPT_STR, NULL, 1, 0, OFF(filter), 0,
     "the documents that are copies, as MongoDB extended JSON, e.g. {\"deleted\": false}; with "
     "document.count = exact"},
    {"document.freshness_field", OPT_STR, NULL, 1, 0, OFF(freshness_field), 0,
     "field whose newest value (a date, or epoch seconds) is the newest copy's time, e.g. updated_at; "
     "with document.source_freshness"},
    COPY_OPTIONS("document", struct document_opts, "documents", "the collection"),
    {0},
};

bool document_check(struct stage_cfg *stage, const struct pipeline *pl, const struct config *cfg, char *msg,
                    size_t n)
{
	struct document_opts *o = stage->opts;
	if (!o->database || !o->collection) {
		snprintf(msg, n, "the document stage needs document.database and document.collection");
		return false;
	}
	if (strcmp(o->count_mode, "estimated") != 0 && strcmp(o->count_mode, "exact") != 0) {
		snprintf(msg, n, "document.count: '%s' is neither estimated nor exact", o->count_mode);
		return false;
	}
	o->exact = strcmp(o->count_mode, "exact") == 0;
	if (o->filter) {
		json_error_t e;
		json_t *f = json_loads(o->filter, JSON_REJECT_DUPLICATES, &e);
		bool object = json_is_object(f);
		json_decref(f);
		if (!f || !object) {
			if (f)
				snprintf(msg, n, "document.filter: not a JSON object");
			else
				snprintf(msg, n, "document.filter: not JSON: %s", e.text);
			return false;
		}
		if (!o->exact) {
			snprintf(msg, n,
			         "document.filter needs document.count = exact (an estimated count is the "
			         "whole collection's)");
			return false;
		}
	}
	return copy_check("document", "freshness_field", o->freshness_field != NULL, &o->copy, pl, stage, cfg,
	                  msg, n);
}
