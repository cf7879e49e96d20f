/* options.c: the search.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>
#include <stdio.h>

#include "kinds/search/search.h"
#include "kinds/source.h"

#define OFF(field) offsetof(struct search_opts, field)

const struct opt_def search_options[] = {
    {"search", OPT_CONN, NULL, 0, 0, 0, 0,
     "search connection whose index is watched: health, refresh, documents against the source"},
    {"search.index", OPT_STR, NULL, 1, 0, OFF(index), OPT_URL_SEGMENT,
     "the index, alias or data stream (required)"},
    {"search.source", OPT_STR, NULL, 1, 0, OFF(source_name), 0,
     "postgres connection that runs the source SQL below, read-only (unset: the pipeline's outbox or "
     "slot connection)"},
    {"search.source_count", OPT_STR, NULL, 1, 0, OFF(source_count), 0,
     "SQL giving the number of rows that should be documents, e.g. SELECT count(*) FROM products; "
     "missing_docs = that - docs"},
    {"search.freshness_field", OPT_STR, NULL, 1, 0, OFF(freshness_field), 0,
     "date field of the documents whose newest value is compared with search.source_freshness"},
    {"search.source_freshness", OPT_STR, NULL, 1, 0, OFF(source_freshness), 0,
     "SQL giving the newest source timestamp, e.g. SELECT max(updated_at) FROM products"},
    {"search.missing_warn", OPT_INT, "1", 0, 0, OFF(missing_warn), 0,
     "documents missing from the index (for search.missing_window) at or above which the stage is warn"},
    {"search.missing_crit", OPT_INT, "1000", 0, 0, OFF(missing_crit), 0,
     "documents missing from the index (for search.missing_window) at or above which the stage is crit"},
    {"search.missing_window", OPT_DURATION, "30s", 0, 86400, OFF(missing_window_s), 0,
     "how long documents must stay missing to count: the least missing over this window is compared "
     "(documents in flight come and go; lost ones stay)"},
    {"search.freshness_warn", OPT_DURATION, "30s", 0, 0, OFF(freshness_warn_s), 0,
     "newest source timestamp ahead of the newest document by this much or more: warn"},
    {"search.freshness_crit", OPT_DURATION, "5m", 0, 0, OFF(freshness_crit_s), 0,
     "newest source timestamp ahead of the newest document by this much or more: crit"},
    {0},
};

/* An index, and a postgres connection for the source SQL when there is any. */
bool search_check(struct stage_cfg *stage, const struct pipeline *pl, const struct config *cfg, char *msg,
                  size_t n)
{
	struct search_opts *st = stage->opts;
	if (!st->index) {
		snprintf(msg, n, "the search stage needs search.index (an index, alias or data stream)");
		return false;
	}
	if (!st->freshness_field != !st->source_freshness) {
		snprintf(
		    msg, n,
		    "search.freshness_field and search.source_freshness go together: set both or neither");
		return false;
	}
	return source_conn_resolve("search", st->source_name, st->source_count || st->source_freshness, pl,
	                           stage, cfg, &st->source, msg, n);
}
