/* copy.c: a copy against its source: figures, the missing window, copy-missing, copy-stale. Pure. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cause.h"
#include "human.h"
#include "kinds/copy.h"
#include "rules.h"
#include "sanitize.h"
#include "units.h"
#include "util.h"

const struct metric_def copy_metrics[] = {
    {"count", MU_COUNT, false},         {"source_count", MU_COUNT, false},      {"missing", MU_COUNT, false},
    {"missing_floor", MU_COUNT, false}, {"freshness_lag_s", MU_SECONDS, false}, {0},
};

void copy_figures(const struct stage_view *sv, const char *items, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	char c[32], s[32];
	double v, lag;
	buf[0] = '\0';
	if (metric_num(m, "count", &v)) {
		human_count(v, c, sizeof c);
		snappendf(buf, n, "%s %s", c, items);
	}
	double rows, missing;
	if (metric_num(m, "source_count", &rows) && metric_num(m, "missing", &missing)) {
		human_count(missing < 0 ? -missing : missing, c, sizeof c);
		human_count(rows, s, sizeof s);
		snappendf(buf, n, ", %s %s %s rows", c, missing < 0 ? "more than" : "missing of", s);
	}
	if (metric_num(m, "freshness_lag_s", &lag)) {
		format_duration(lag, c, sizeof c);
		snappendf(buf, n, ", newest %s behind", c);
	}
}

static void source_error(json_t *detail, const char *prefix, const char *key, const char *conn,
                         const char *why)
{
	if (json_object_get(detail, "source_error"))
		return; /* the first one says it */
	char msg[512];
	snprintf(msg, sizeof msg, "%s.%s on %s: %s", prefix, key, conn, why);
	json_object_set_new(detail, "source_error", json_string(msg));
}

void copy_apply(const struct source_read *r, const char *prefix, const char *conn, bool have_count,
                int64_t count, bool have_newest, double newest, json_t *m, json_t *detail)
{
	if (r->count_ok) {
		int64_t rows, missing;
		if (!i64_of_double(r->count, &rows) || rows < 0) {
			char why[100];
			snprintf(why, sizeof why, "the query returned %.15g, not a count (0 to 2^63-1)",
			         r->count);
			source_error(detail, prefix, "source_count", conn, why);
		} else {
			json_object_set_new(m, "source_count", json_integer((json_int_t)rows));
			if (have_count && !__builtin_sub_overflow(rows, count, &missing))
				json_object_set_new(m, "missing", json_integer((json_int_t)missing));
		}
	} else if (r->count_why[0]) {
		source_error(detail, prefix, "source_count", conn, r->count_why);
	}
	if (r->newest_ok) {
		json_object_set_new(detail, "source_newest_epoch", json_real(r->newest));
		if (have_newest)
			json_object_set_new(m, "freshness_lag_s", json_real(fmax(0, r->newest - newest)));
	} else if (r->newest_why[0]) {
		source_error(detail, prefix, "source_freshness", conn, r->newest_why);
	}
}

void copy_window_floor(const json_t *rows, double now, const json_t *current, json_t *m,
                       const char *floor_key, const char *span_key)
{
	/* A poll without a figure breaks the run: the floor is over what was seen since. */
	json_int_t floor = 0;
	bool have = false;
	double run_from = now;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		json_t *v = json_array_get(row, 1);
		if (!json_is_integer(v)) {
			have = false;
			continue;
		}
		if (!have)
			run_from = json_real_value(json_array_get(row, 0));
		if (!have || json_integer_value(v) < floor)
			floor = json_integer_value(v);
		have = true;
	}
	if (have && json_is_integer(current)) {
		json_object_set_new(m, floor_key, json_integer(floor));
		json_object_set_new(m, span_key, json_real(now - run_from));
	}
}

void copy_window_update(json_t **memo, double span, double now, json_t *m)
{
	if (!*memo)
		*memo = json_array();
	json_t *w = *memo, *missing = json_object_get(m, "missing");
	json_array_append_new(w, json_pack("[fO]", now, missing ? missing : json_null()));
	while (json_array_size(w) > 1 &&
	       now - json_real_value(json_array_get(json_array_get(w, 0), 0)) > span)
		json_array_remove(w, 0);
	copy_window_floor(w, now, missing, m, "missing_floor", "missing_span_s");
}

/* "the last 30s", or "the 4s seen so far (of graph.missing_window 30s: ...)". */
static void window_words(const json_t *m, const struct copy_desc *c, char *buf, size_t n)
{
	double span = 0;
	char w[32], cw[32];
	metric_num(m, "missing_span_s", &span);
	if (span >= 0.5) /* timer jitter: 984ms reads as the 1s it is */
		span = round(span);
	format_duration(span, w, sizeof w);
	format_duration(c->op->missing_window_s, cw, sizeof cw);
	if (span + 0.5 >= c->op->missing_window_s)
		snprintf(buf, n, "the last %s", cw);
	else
		snprintf(buf, n,
		         "the %s seen so far (of %s.missing_window %s: too short to tell %s on their way "
		         "from lost ones)",
		         w, c->prefix, cw, c->items);
}

static void rule_missing(struct pipeline_view *pv, struct stage_view *sv, const struct copy_desc *c)
{
	const json_t *m = sv->cur.metrics;
	int64_t floor, missing = 0;
	double source = 0, count = 0;
	if (!metric_int(m, "missing_floor", &floor) || cause_upstream(pv, sv))
		return; /* a stage before that holds the flow is the finding to act on */
	metric_int(m, "missing", &missing);
	metric_num(m, "source_count", &source);
	metric_num(m, "count", &count);
	char win[300], s[32], n[32], miss[32], fl[32];
	window_words(m, c, win, sizeof win);
	human_count(source, s, sizeof s);
	human_count(count, n, sizeof n);
	human_count(fabs((double)missing), miss, sizeof miss);
	human_count(fabs((double)floor), fl, sizeof fl);
	if (floor > 0) {
		double flight = 0; /* rows on their way (outbox rows pending, messages of lag) */
		bool flight_known = in_flight_upstream(pv, sv, &flight);
		int64_t lost = floor - (int64_t)ceil(flight);
		enum status st =
		    level((double)lost, (double)c->op->missing_warn, (double)c->op->missing_crit);
		if (st == ST_OK)
			return;
		raise_status(sv, st, "%s %s missing from %s", miss, c->items, c->where);
		struct diagnosis *d = add_diag(pv, sv, "copy-missing", st, ACTION_REPLAY);
		strlcpy_safe(d->action_scope, "created:1h..", sizeof d->action_scope);
		snprintf(d->symptom, sizeof d->symptom, "rows in PostgreSQL have no copy in %s", c->where);
		snprintf(d->evidence, sizeof d->evidence,
		         "source %s rows, %s %s: %s missing, at least %s throughout %s", s, c->items, n, miss,
		         fl, win);
		if (flight_known) {
			char fc[32];
			human_count(flight, fc, sizeof fc);
			snappendf(d->evidence, sizeof d->evidence, "; %s on their way", fc);
		}
		snprintf(
		    d->next, sizeof d->next,
		    "replay the rows through the outbox, e.g. those created in the last hour (never write "
		    "to the copy beside it)");
	} else if (floor < 0 && -floor >= c->op->missing_warn) {
		raise_status(sv, ST_WARN, "%s more %s than source rows", miss, c->items);
		struct diagnosis *d = add_diag(pv, sv, "copy-missing", ST_WARN, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom, "%s holds %s whose rows are gone", c->where,
		         c->items);
		snprintf(d->evidence, sizeof d->evidence,
		         "source %s rows, %s %s: %s too many, at least %s throughout %s", s, c->items, n,
		         miss, fl, win);
		snprintf(
		    d->next, sizeof d->next,
		    "check that deletes go through the outbox too, and that %s.source_count counts what the "
		    "copy should hold",
		    c->prefix);
	}
}

static void rule_stale(struct pipeline_view *pv, struct stage_view *sv, const struct copy_desc *c)
{
	double lag;
	if (!metric_num(sv->cur.metrics, "freshness_lag_s", &lag))
		return;
	enum status s = level(lag, c->op->freshness_warn_s, c->op->freshness_crit_s);
	if (s == ST_OK)
		return;
	char l[32];
	format_duration(lag, l, sizeof l);
	raise_status(sv, s, "newest copy %s behind the source", l);
	struct diagnosis *d = add_diag(pv, sv, "copy-stale", s, ACTION_NONE);
	snprintf(d->symptom, sizeof d->symptom, "%s shows old data after an update", c->where);
	snprintf(d->evidence, sizeof d->evidence, "the newest source row is %s newer than the newest of %s",
	         l, c->where);
	snprintf(d->next, sizeof d->next,
	         "a stage before the copy is behind (the consumer group that feeds it), or its writer "
	         "fails: read its log");
}

void copy_rules(struct pipeline_view *pv, struct stage_view *sv, const struct copy_desc *c)
{
	rule_missing(pv, sv, c);
	rule_stale(pv, sv, c);
	const char *source_error = json_string_value(json_object_get(sv->cur.detail, "source_error"));
	if (source_error)
		raise_status(sv, ST_WARN, "%s", source_error);
}
