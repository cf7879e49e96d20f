/* copy.h: a copy against its source (kinds/source.h), for every kind whose stage holds a copy
   of PostgreSQL rows (a graph, a collection): how many are missing, the least missing over a
   window (items on their way come and go, lost ones stay), how far the newest copy is behind
   the newest row, and the generic rules copy-missing and copy-stale (rule_def.c). Pure. */
#ifndef SYNCTOP_KINDS_COPY_H
#define SYNCTOP_KINDS_COPY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "kinds/kind.h"
#include "kinds/source.h"

/* The options every copy's stage has (COPY_OPTIONS below), the member `copy` of its kind's
   options struct: the source's connection and SQL, and the thresholds. */
struct copy_opts {
	char *source_name;      /* P.source: the postgres connection of the SQL below */
	struct conn *source;    /* resolved: P.source, else the outbox/slot connection */
	char *source_count;     /* P.source_count: SQL, the rows that should be copies */
	char *source_freshness; /* P.source_freshness: SQL, the newest row's timestamp */
	int64_t missing_warn, missing_crit;
	double missing_window_s;
	double freshness_warn_s, freshness_crit_s;
};

/* A stage's copy, as its kind words it and its options bound it. */
struct copy_desc {
	const char *items;          /* what a copy is, plural: "nodes", "documents" */
	const char *where;          /* the copy's place, for evidence: "the graph shop.Product" */
	const char *prefix;         /* the kind's options, for messages: "graph" (graph.missing_window) */
	const struct copy_opts *op; /* its thresholds */
};

/* The metrics of a copy's stage, in contract order: its count, then the figures copy_apply and
   copy_window_update set. */
extern const struct metric_def copy_metrics[];

/* The extras (kind.h) of a copy's stage whose options are prefixed P ("graph"). */
#define COPY_EXTRAS(P)                                                                                       \
	{.metric = "missing_floor",                                                                          \
	 .warn_opt = P ".missing_warn",                                                                      \
	 .crit_opt = P ".missing_crit",                                                                      \
	 .negative = true},                                                                                  \
	    {.metric = "missing", .negative = true},                                                         \
	    {.metric = "freshness_lag_s", .warn_opt = P ".freshness_warn", .crit_opt = P ".freshness_crit"}, \
	{                                                                                                    \
		0                                                                                            \
	}

/* The options (config.h) every copy's stage has, for a kind whose options are prefixed P
   ("graph"), whose options struct T has its struct copy_opts as the member `copy`, whose copies
   are called ITEMS ("nodes") and live in WHERE ("the graph"). The table's end ({0}) follows. */
#define COPY_OPTIONS(P, T, ITEMS, WHERE)                                                                     \
	{P ".source",                                                                                        \
	 OPT_STR,                                                                                            \
	 NULL,                                                                                               \
	 1,                                                                                                  \
	 0,                                                                                                  \
	 offsetof(T, copy.source_name),                                                                      \
	 0,                                                                                                  \
	 "postgres connection that runs the source SQL below, read-only (unset: the pipeline's outbox or "   \
	 "slot connection)"},                                                                                \
	    {P ".source_count",                                                                              \
	     OPT_STR,                                                                                        \
	     NULL,                                                                                           \
	     1,                                                                                              \
	     0,                                                                                              \
	     offsetof(T, copy.source_count),                                                                 \
	     0,                                                                                              \
	     "SQL giving the number of rows that should be " ITEMS ", e.g. SELECT count(*) FROM products; "  \
	     "missing = that - " WHERE "'s count"},                                                          \
	    {P ".source_freshness",                                                                          \
	     OPT_STR,                                                                                        \
	     NULL,                                                                                           \
	     1,                                                                                              \
	     0,                                                                                              \
	     offsetof(T, copy.source_freshness),                                                             \
	     0,                                                                                              \
	     "SQL giving the newest source timestamp, e.g. SELECT max(updated_at) FROM products"},           \
	    {P ".missing_warn",                                                                              \
	     OPT_INT,                                                                                        \
	     "1",                                                                                            \
	     0,                                                                                              \
	     0,                                                                                              \
	     offsetof(T, copy.missing_warn),                                                                 \
	     0,                                                                                              \
	     ITEMS " missing from " WHERE " (for " P                                                         \
	           ".missing_window) at or above which the stage is warn"},                                  \
	    {P ".missing_crit",                                                                              \
	     OPT_INT,                                                                                        \
	     "1000",                                                                                         \
	     0,                                                                                              \
	     0,                                                                                              \
	     offsetof(T, copy.missing_crit),                                                                 \
	     0,                                                                                              \
	     ITEMS " missing from " WHERE " (for " P                                                         \
	           ".missing_window) at or above which the stage is crit"},                                  \
	    {P ".missing_window",                                                                            \
	     OPT_DURATION,                                                                                   \
	     "30s",                                                                                          \
	     0,                                                                                              \
	     86400,                                                                                          \
	     offsetof(T, copy.missing_window_s),                                                             \
	     0,                                                                                              \
	     "how long " ITEMS " must stay missing to count: the least missing over this window is "         \
	     "compared"},                                                                                    \
	    {P ".freshness_warn",                                                                            \
	     OPT_DURATION,                                                                                   \
	     "30s",                                                                                          \
	     0,                                                                                              \
	     0,                                                                                              \
	     offsetof(T, copy.freshness_warn_s),                                                             \
	     0,                                                                                              \
	     "newest source timestamp ahead of the newest copy by this much or more: warn"},                 \
	{                                                                                                    \
		P ".freshness_crit", OPT_DURATION, "5m", 0, 0, offsetof(T, copy.freshness_crit_s), 0,        \
		    "newest source timestamp ahead of the newest copy by this much or more: crit"            \
	}

/* The figures of a copy's stage: "1,204 nodes, 3 missing of 1,207 rows, newest 2s behind"
   (items: "nodes"). */
void copy_figures(const struct stage_view *sv, const char *items, char *buf, size_t n);

/* The copy's figures against the source's, into metrics m: source_count and missing (when the
   source's count and the copy's count, have_count/count, are known), freshness_lag_s (when the
   source's newest and the copy's newest epoch seconds are); the source's failures as
   "source_error" in detail (prefix.source_count on CONNECTION: why). */
void copy_apply(const struct source_read *r, const char *prefix, const char *conn, bool have_count,
                int64_t count, bool have_newest, double newest, json_t *m, json_t *detail);

/* The least of the integers in column 1 of rows ([[mono, value, ...], ...], oldest first) over
   the unbroken run of them that ends the window, into m as floor_key, and that run's length as
   span_key; nothing when current (this poll's value) is not an integer. */
void copy_window_floor(const json_t *rows, double now, const json_t *current, json_t *m,
                       const char *floor_key, const char *span_key);

/* Appends this poll (monotonic now) to the window in *memo ([[mono, missing], ...], oldest
   first), drops what is older than span seconds, and sets missing_floor (the least missing over
   the unbroken run of figures ending now) and missing_span_s (that run's length) in m. */
void copy_window_update(json_t **memo, double span, double now, json_t *m);

/* Checks the options of a copy's stage prefixed P ("graph"): the copy's own time (its option
   time_opt, set or not: time_set) and P.source_freshness go together; then resolves P.source
   (source_conn_resolve) into o->source. True, or false with the message. */
bool copy_check(const char *prefix, const char *time_opt, bool time_set, struct copy_opts *o,
                const struct pipeline *pl, const struct stage_cfg *self, const struct config *cfg, char *msg,
                size_t n);

/* The end of a copy's poll (source.c, with PostgreSQL): the source's figures against the copy's
   count and newest (copy_apply) when o has a source, then the missing window (copy_window_update)
   at started. */
void copy_poll_source(const struct probe_ctx *ctx, const char *prefix, const struct copy_opts *o,
                      int64_t count, bool have_newest, double newest, double started, struct sample *out);

/* copy-missing (the least missing over the window, less what the stages before hold on their
   way, at or above missing_warn / missing_crit; or more copies than rows) and copy-stale
   (freshness_lag_s at or above stale_warn_s / stale_crit_s), from sv->cur; a source error warns. */
void copy_rules(struct pipeline_view *pv, struct stage_view *sv, const struct copy_desc *c);

#endif
