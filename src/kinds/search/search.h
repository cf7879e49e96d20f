/* search.h: what the files of the search kind share. */
#ifndef SYNCTOP_KIND_SEARCH_H
#define SYNCTOP_KIND_SEARCH_H

#include <stdint.h>

#include "kinds/kind.h"

/* The search.* options of a stage (st->opts), described by search_options. */
struct search_opts {
	char *index;                        /* search.index: an index, alias or data stream (required) */
	char *source_name;                  /* search.source: the postgres connection for the SQL below */
	struct conn *source;                /* resolved: search.source, else the outbox/slot connection */
	char *source_count;                 /* search.source_count: SQL giving the source's row count */
	char *freshness_field;              /* search.freshness_field: a date field of the documents */
	char *source_freshness;             /* search.source_freshness: SQL giving the newest timestamp */
	int64_t missing_warn, missing_crit; /* documents missing from the index */
	double missing_window_s;            /* search.missing_window: how long a drift must last */
	double freshness_warn_s, freshness_crit_s; /* newest source row against newest document */
};

static inline const struct search_opts *search_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind search_kind;
/* Its rules as data (rules_table.c), ended by {0}. */
extern const struct rule_def search_rule_defs[];
#ifdef HAVE_SEARCH
#include "kinds/act.h"
extern const struct probe search_probe;
/* act.c: refresh and restore-refresh (kinds/act.h), in the probe's actions. */
extern const struct kind_action search_actions[];
/* canary.c: the end-to-end canary's index hop (GET _doc) and its cleanup (DELETE _doc). */
extern const struct probe_canary search_canary;
#endif

/* options.c: the search.* keys, the first being the stage key itself. */
extern const struct opt_def search_options[];
bool search_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                  size_t n);

/* window.c: appends this poll (monotonic now) to the window kept in *memo, [[mono,
   missing_docs, indexing_failed], ...] oldest first, drops what is older than span seconds, and
   sets missing_docs_floor (the least missing over an unbroken run of figures: documents in
   flight come and go, lost ones stay) and indexing_failed_new (the rise within the window) in
   metrics m. Pure. */
void search_window_update(json_t **memo, double span, double now, json_t *m);

/* rules.c */
void search_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
