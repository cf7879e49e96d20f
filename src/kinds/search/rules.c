/* rules.c: the rules of the search stage (RUNBOOK.md: search-unhealthy,
   search-refresh-disabled, search-idle, search-indexing-failed, dual-write-loss, search-stale). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cause.h"
#include "kinds/search/search.h"
#include "rules.h"
#include "units.h"

static void rule_health(struct pipeline_view *pv, struct stage_view *sv, const json_t *m)
{
	const char *health = metric_str(m, "health");
	if (!health || !strcmp(health, "green"))
		return;
	enum status s = !strcmp(health, "red") ? ST_CRIT : ST_WARN;
	int64_t unassigned = -1;
	metric_int(m, "unassigned_shards", &unassigned);
	raise_status(sv, s, "health %s", health);
	struct diagnosis *d = add_diag(pv, sv, "search-unhealthy", s, ACTION_NONE);
	snprintf(d->symptom, sizeof d->symptom, "%s",
	         s == ST_CRIT
	             ? "some primary shards of the index are unassigned: searches miss documents "
	               "and writes to them fail"
	             : "some replica shards are unassigned: one node lost and documents may be lost");
	if (unassigned >= 0)
		snprintf(d->evidence, sizeof d->evidence, "health %s for %s, %" PRId64 " unassigned shards",
		         health, search_opts(sv->cfg)->index, unassigned);
	else
		snprintf(d->evidence, sizeof d->evidence, "health %s for %s", health,
		         search_opts(sv->cfg)->index);
	snprintf(d->next, sizeof d->next,
	         "ask the cluster why: GET /_cluster/allocation/explain (a full disk, a lost node, a "
	         "replica count above the node count)");
}

static void rule_refresh(struct pipeline_view *pv, struct stage_view *sv, const json_t *m)
{
	const char *ri = metric_str(m, "refresh_interval");
	const char *idle_after = metric_str(m, "search_idle_after");
	bool explicit_ = false, idle = false;
	metric_bool(m, "refresh_explicit", &explicit_);
	metric_bool(m, "search_idle", &idle);
	int64_t docs = 0, total = 0;
	metric_int(m, "docs", &docs);
	metric_int(m, "index_total", &total);
	if (ri && !strcmp(ri, "-1")) {
		raise_status(sv, ST_CRIT, "refresh disabled (refresh_interval -1)");
		struct diagnosis *d =
		    add_diag(pv, sv, "search-refresh-disabled", ST_CRIT, ACTION_RESTORE_REFRESH);
		snprintf(d->symptom, sizeof d->symptom,
		         "new and updated documents never become visible in search");
		snprintf(d->evidence, sizeof d->evidence,
		         "index.refresh_interval is -1 on %s: %" PRId64 " documents visible, %" PRId64
		         " index operations so far",
		         search_opts(sv->cfg)->index, docs, total);
		snprintf(d->next, sizeof d->next,
		         "usually left over from a bulk load: set it back (PUT /%s/_settings "
		         "{\"index\":{\"refresh_interval\":null}}); a forced refresh only shows what is "
		         "indexed so far",
		         search_opts(sv->cfg)->index);
		return;
	}
	if (!explicit_ && idle) {
		raise_status(sv, ST_WARN, "search-idle: scheduled refreshes skipped");
		struct diagnosis *d = add_diag(pv, sv, "search-idle", ST_WARN, ACTION_REFRESH);
		snprintf(d->symptom, sizeof d->symptom,
		         "documents appear only after the next search, which then waits for a refresh");
		snprintf(d->evidence, sizeof d->evidence,
		         "index.refresh_interval is not set on %s (default %s) and a shard is search-idle: "
		         "no search for index.search.idle.after (%s), so scheduled refreshes are skipped",
		         search_opts(sv->cfg)->index, ri ? ri : "1s", idle_after ? idle_after : "30s");
		snprintf(d->next, sizeof d->next,
		         "if readers must see writes without searching first, set index.refresh_interval "
		         "explicitly (e.g. 1s); or force a refresh now");
	}
}

static void rule_indexing_failed(struct pipeline_view *pv, struct stage_view *sv, const json_t *m)
{
	int64_t fresh = 0, total = 0;
	if (!metric_int(m, "indexing_failed_new", &fresh) || fresh <= 0)
		return;
	metric_int(m, "indexing_failed", &total);
	/* The span actually observed: a --once sees one second of a 30s window. */
	double span = search_opts(sv->cfg)->missing_window_s;
	metric_num(m, "indexing_failed_span_s", &span);
	if (span >= 0.5)
		span = round(span);
	char win[32];
	format_duration(span, win, sizeof win);
	raise_status(sv, ST_CRIT, "%" PRId64 " documents rejected in the last %s", fresh, win);
	struct diagnosis *d = add_diag(pv, sv, "search-indexing-failed", ST_CRIT, ACTION_NONE);
	snprintf(d->symptom, sizeof d->symptom,
	         "the index is rejecting documents: they will be missing from search");
	snprintf(d->evidence, sizeof d->evidence,
	         "indexing.index_failed rose by %" PRId64 " in the last %s (%" PRId64 " in all) on %s", fresh,
	         win, total, search_opts(sv->cfg)->index);
	snprintf(d->next, sizeof d->next,
	         "read the indexer's log for the rejected documents (mapping conflicts, parse errors, a "
	         "full disk); fix them, then replay the rows through the outbox");
}

/* "the last 8s" of a window that spanned it; "the 1s seen so far (of search.missing_window
   8s)" of one that did not (a --once, a start): the window actually observed, never more. */
static void window_words(const json_t *m, double configured, char *buf, size_t n)
{
	double span = 0;
	char w[32], c[32];
	metric_num(m, "missing_docs_span_s", &span);
	if (span >= 0.5) /* timer jitter: 984ms reads as the 1s it is */
		span = round(span);
	format_duration(span, w, sizeof w);
	if (span + 0.5 >= configured) {
		format_duration(configured, c, sizeof c);
		snprintf(buf, n, "the last %s", c);
		return;
	}
	format_duration(configured, c, sizeof c);
	snprintf(buf, n,
	         "the %s seen so far (of search.missing_window %s: too short to tell documents "
	         "on their way from lost ones)",
	         w, c);
}

static void rule_missing(struct pipeline_view *pv, struct stage_view *sv, const json_t *m)
{
	const struct search_opts *st = search_opts(sv->cfg);
	int64_t floor, missing = 0, source = 0, docs = 0;
	if (!metric_int(m, "missing_docs_floor", &floor))
		return;
	metric_int(m, "missing_docs", &missing);
	metric_int(m, "source_docs", &source);
	metric_int(m, "docs", &docs);
	/* Documents cannot be lost while something before them (or the index's refresh) holds
	   the flow: that finding is the one to act on, and the count follows it. */
	if (cause_upstream(pv, sv))
		return;
	char win[200];
	window_words(m, st->missing_window_s, win, sizeof win);
	if (floor > 0) {
		/* Rows still on their way (outbox rows pending, messages of lag) are not lost. */
		double flight = 0;
		bool flight_known = in_flight_upstream(pv, sv, &flight);
		int64_t lost = floor - (int64_t)ceil(flight);
		enum status s = level((double)lost, (double)st->missing_warn, (double)st->missing_crit);
		if (s == ST_OK)
			return;
		raise_status(sv, s, "%" PRId64 " documents missing from the index", missing);
		struct diagnosis *d = add_diag(pv, sv, "dual-write-loss", s, ACTION_REPLAY);
		/* The rows behind the lost documents were published before: replay the recent ones
		   (the preview counts them; a wider window is the operator's to type). */
		strlcpy_safe(d->action_scope, "created:1h..", sizeof d->action_scope);
		snprintf(d->symptom, sizeof d->symptom,
		         "rows in PostgreSQL have no document in the index: a product missing from search");
		snprintf(d->evidence, sizeof d->evidence,
		         "source %" PRId64 " rows, index %" PRId64 " documents: %" PRId64
		         " missing, at least %" PRId64 " throughout %s",
		         source, docs, missing, floor, win);
		if (flight_known)
			snappendf(d->evidence, sizeof d->evidence, "; %.0f on their way before the index",
			          flight);
		snprintf(d->next, sizeof d->next,
		         "replay the rows through the outbox, e.g. those created in the last hour (never "
		         "write to the index beside it)");
	} else if (floor < 0 && -floor >= st->missing_warn) {
		raise_status(sv, ST_WARN, "%" PRId64 " more documents than source rows", -missing);
		struct diagnosis *d = add_diag(pv, sv, "dual-write-loss", ST_WARN, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom,
		         "the index holds documents whose rows are gone: deleted products still found");
		snprintf(d->evidence, sizeof d->evidence,
		         "source %" PRId64 " rows, index %" PRId64 " documents: %" PRId64
		         " too many, at least %" PRId64 " throughout %s",
		         source, docs, -missing, -floor, win);
		snprintf(d->next, sizeof d->next,
		         "check that deletes go through the outbox too, and that search.source_count counts "
		         "what the index should hold");
	}
}

static void rule_stale(struct pipeline_view *pv, struct stage_view *sv, const json_t *m)
{
	const struct search_opts *st = search_opts(sv->cfg);
	double lag;
	if (!metric_num(m, "freshness_lag_s", &lag))
		return;
	enum status s = level(lag, st->freshness_warn_s, st->freshness_crit_s);
	if (s == ST_OK)
		return;
	char l[32];
	format_duration(lag, l, sizeof l);
	raise_status(sv, s, "newest document %s behind the source", l);
	struct diagnosis *d = add_diag(pv, sv, "search-stale", s, ACTION_REFRESH);
	snprintf(d->symptom, sizeof d->symptom, "search shows old data after an update");
	snprintf(d->evidence, sizeof d->evidence,
	         "the newest source row is %s newer than the newest %s in %s", l, st->freshness_field,
	         st->index);
	snprintf(d->next, sizeof d->next,
	         "force an index refresh; if the gap stays, the indexer or the CDC connector is behind "
	         "(see the kafka stage)");
}

void search_rules(struct pipeline_view *pv, struct stage_view *sv)
{
	const json_t *m = sv->cur.metrics;
	rule_health(pv, sv, m);
	rule_refresh(pv, sv, m);
	rule_indexing_failed(pv, sv, m);
	rule_missing(pv, sv, m);
	rule_stale(pv, sv, m);
	const char *source_error = json_string_value(json_object_get(sv->cur.detail, "source_error"));
	if (source_error)
		raise_status(sv, ST_WARN, "%s", source_error);
}
