/* rules.c: the outbox rules: backlog, stalled worker, failed rows, paused worker. Pure. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "human.h"
#include "kinds/outbox/outbox.h"
#include "rules.h"
#include "units.h"

/* worker-paused: the worker's row in outbox.control_table (or outbox.paused_sql) says paused. */
static void eval_worker_paused(struct pipeline_view *pv, struct stage_view *sv)
{
	const struct outbox_opts *st = outbox_opts(sv->cfg);
	const json_t *m = sv->cur.metrics;
	bool paused = false;
	if (!metric_bool(m, "worker_paused", &paused) || !paused)
		return;
	double for_s = 0;
	char d_s[32];
	metric_num(m, "paused_for_s", &for_s);
	format_duration(for_s, d_s, sizeof d_s);
	const char *since = metric_str(m, "paused_since");
	raise_status(sv, ST_WARN, "worker %s paused for %s", st->worker, d_s);
	struct diagnosis *d = add_diag(pv, sv, "worker-paused", ST_WARN, ACTION_RESUME);
	/* The control table keeps paused_at; a paused_sql says only "paused", seen since. */
	diag_since_from(d, sv, "paused_for_s", outbox_by_statements(st));
	snprintf(d->symptom, sizeof d->symptom,
	         "the outbox relay is paused: events wait in the outbox, and the pause outlives restarts");
	if (outbox_by_statements(st)) {
		/* The statement says paused, not since when: since synctop saw it. */
		snprintf(d->evidence, sizeof d->evidence,
		         "outbox.paused_sql says paused for worker %s, for at least %s (seen since %s)",
		         st->worker, d_s, since ? since : "?");
		snprintf(d->next, sizeof d->next,
		         "if the pause is over, resume the worker (key u, or synctop action resume %s: runs "
		         "outbox.resume_sql); ask first who paused it",
		         pv->cfg->name);
		return;
	}
	snprintf(d->evidence, sizeof d->evidence, "%s.paused = true for worker %s, since %s (%s)",
	         st->control_table, st->worker, since ? since : "?", d_s);
	snprintf(d->next, sizeof d->next,
	         "if the pause is over, resume the worker (UPDATE %s SET paused = false WHERE "
	         "name = '%s'); ask first who paused it",
	         st->control_table, st->worker);
}

/* worker-stalled, with its evidence. A paused relay stalls too: then worker-paused is the
   headline and this its consequence (cause.c), which names the pause and its key; a dead relay
   needs its process, which no action of synctop starts. */
static void add_stalled(struct pipeline_view *pv, struct stage_view *sv, const char *evidence)
{
	const struct outbox_opts *st = outbox_opts(sv->cfg);
	struct diagnosis *d = add_diag(pv, sv, "worker-stalled", ST_CRIT, ACTION_NONE);
	snprintf(d->symptom, sizeof d->symptom, "the outbox relay is not draining %s", st->table);
	strlcpy_safe(d->evidence, evidence, sizeof d->evidence);
	if (outbox_by_statements(st))
		snprintf(d->next, sizeof d->next,
		         "the relay is down or stuck: check its process and logs, and what "
		         "outbox.paused_sql reads; the rows go once it runs");
	else
		snprintf(d->next, sizeof d->next,
		         "the relay is down or stuck: check its process and logs%s%s; the rows go "
		         "once it runs",
		         *st->control_table ? ", and the control table " : "", st->control_table);
}

/* outbox-falling-behind: the window's WARN (window.c): the relay processes rows, but the
   deliverable backlog grew across the whole window. Warn, or the oldest row's level when worse. */
static void add_falling_behind(struct pipeline_view *pv, struct stage_view *sv, enum status as, int64_t from,
                               int64_t consumed, int64_t produced, const char *over)
{
	const json_t *m = sv->cur.metrics;
	int64_t pending = 0;
	double oldest = 0;
	metric_int(m, "pending", &pending);
	metric_num(m, "oldest_pending_age_s", &oldest);
	char was[32], now[32], done[32], came[32], age[32], dt[64];
	format_count(from, was, sizeof was);
	format_count(pending, now, sizeof now);
	format_count(consumed, done, sizeof done);
	format_count(produced, came, sizeof came);
	format_duration(oldest, age, sizeof age);
	enum status sev = status_worst(ST_WARN, as);
	raise_status(sv, ST_WARN, "the relay falls behind: backlog %s -> %s rows over %s", was, now, over);
	struct diagnosis *d = add_diag(pv, sv, "outbox-falling-behind", sev, ACTION_NONE);
	snprintf(d->symptom, sizeof d->symptom,
	         "the outbox relay processes rows more slowly than they arrive: the backlog grows");
	snprintf(d->evidence, sizeof d->evidence,
	         "backlog grew from %s to %s rows over the last %s while %s were processed and %s "
	         "arrived; oldest %s",
	         was, now, over, done, came, age);
	if (*outbox_drain_text(m, dt, sizeof dt))
		snappendf(d->evidence, sizeof d->evidence, ", %s", dt);
	snprintf(d->next, sizeof d->next,
	         "the relay is slower than the inflow: find what slows it (the broker, the database, "
	         "its batch size) or run more relays; the backlog shrinks only once it keeps up");
}

/* The poison-rows evidence's tail, from the sample's first_poison_rows (probe.c): the oldest
   poisoned row's age, the first ids (at most OUTBOX_POISON_SHOWN, "..." when there are more of
   the failed rows) with their attempts, and the first error recorded. */
static void poison_evidence(const struct stage_view *sv, int64_t failed, char *buf, size_t n)
{
	double age;
	if (metric_num(sv->cur.metrics, "oldest_failed_age_s", &age)) {
		char a[32];
		format_duration(age, a, sizeof a);
		snappendf(buf, n, ", the oldest %s old", a);
	}
	const json_t *rows = json_object_get(sv->cur.detail, "first_poison_rows"), *row;
	const char *first_error = NULL;
	size_t i, shown = 0;
	json_array_foreach(rows, i, row)
	{
		int64_t attempts;
		if (i == OUTBOX_POISON_SHOWN)
			break;
		snappendf(buf, n, "%s%s", i == 0 ? "; first ids " : ", ", metric_str(row, "id"));
		if (metric_int(row, "attempts", &attempts))
			snappendf(buf, n, " (%" PRId64 " attempts)", attempts);
		if (!first_error)
			first_error = metric_str(row, "last_error");
		shown++;
	}
	if (shown > 0 && failed > (int64_t)shown)
		snappendf(buf, n, ", ...");
	if (first_error) /* already one line, cut to OUTBOX_ERROR_SHOWN (probe.c) */
		snappendf(buf, n, "; first error: %s", first_error);
}

void outbox_rules(struct pipeline_view *pv, struct stage_view *sv)
{
	const struct outbox_opts *st = outbox_opts(sv->cfg);
	const json_t *m = sv->cur.metrics;
	/* A pause first: of two warn findings, the stage's reason is the first one's, and what
	   follows from the pause (a stall, a backlog falling behind) should not name the stage. */
	eval_worker_paused(pv, sv);
	int64_t pending = 0, failed = 0;
	double oldest = 0, drain, inflow, prev_oldest;
	bool capped = false;
	metric_int(m, "pending", &pending);
	metric_num(m, "oldest_pending_age_s", &oldest);
	metric_bool(m, "pending_capped", &capped);
	bool have_failed = metric_int(m, "failed", &failed);
	bool have_drain = metric_num(m, "drain_per_s", &drain);
	bool have_inflow = metric_num(m, "inflow_per_s", &inflow);

	char cnt[32], age[32], warn_s[32], crit_s[32];
	format_count(pending, cnt, sizeof cnt);
	format_duration(oldest, age, sizeof age);
	const char *more = capped ? "+" : "";

	enum status ps = level((double)pending, (double)st->pending_warn, (double)st->pending_crit);
	if (ps != ST_OK)
		raise_status(sv, ps, "%s%s rows pending (%s at %" PRId64 ")", cnt, more,
		             ps == ST_CRIT ? "crit" : "warn",
		             ps == ST_CRIT ? st->pending_crit : st->pending_warn);
	enum status as = pending > 0 ? level(oldest, st->oldest_warn_s, st->oldest_crit_s) : ST_OK;
	if (as != ST_OK) {
		format_duration(as == ST_CRIT ? st->oldest_crit_s : st->oldest_warn_s, crit_s, sizeof crit_s);
		raise_status(sv, as, "oldest pending row is %s old (%s at %s)", age,
		             as == ST_CRIT ? "crit" : "warn", crit_s);
	}

	/* worker-stalled: rows wait and nothing is processed. Judged by the window's verdict on
	   the drain (drain.c: STALL, STOP); without one (too few polls yet, a capped count, ids
	   that are not integers), by the last two polls: a relay that drains in batches shows 0/s
	   over a short window, so only rows older than the warn age make a zero drain a stall. */
	const char *ev = metric_str(m, "evaluation");
	bool stalled = false, behind = false;
	char evidence[512] = "", over[32];
	double span = 0;
	int64_t produced = 0, consumed = 0, from = 0;
	const json_t *raw = sv->cur.raw; /* what the verdict rests on (drain.c) */
	if (metric_num(raw, "evaluated_s", &span) && span >= 0.5)
		span = round(span); /* timer jitter: 976ms of polls reads as the 1s it is */
	metric_int(raw, "produced", &produced);
	metric_int(raw, "consumed", &consumed);
	metric_int(raw, "lag_from", &from);
	format_duration(span, over, sizeof over);
	if (pending > 0 && ev && (!strcmp(ev, "STALL") || !strcmp(ev, "STOP"))) {
		stalled = true;
		char win[32], arrived[32];
		format_duration(st->window_s, win, sizeof win);
		format_count(produced, arrived, sizeof arrived);
		raise_status(sv, ST_CRIT, "nothing drained over %s with %s rows pending", over, cnt);
		if (!strcmp(ev, "STOP"))
			snprintf(evidence, sizeof evidence,
			         "%s%s rows pending, oldest %s, nothing processed for at least %s (longer "
			         "than the %s window) while %s rows arrived",
			         cnt, more, age, over, win, arrived);
		else
			snprintf(evidence, sizeof evidence,
			         "%s%s rows pending, oldest %s, nothing processed over the last %s while %s "
			         "rows arrived",
			         cnt, more, age, over, arrived);
	} else if (pending > 0 && ev && !strcmp(ev, "WARN")) {
		behind = true;
	} else if (!ev && pending > 0 && have_drain && drain == 0.0 && oldest >= st->oldest_warn_s &&
	           ((have_inflow && inflow > 0) ||
	            (metric_num(sv->prev.metrics, "oldest_pending_age_s", &prev_oldest) &&
	             oldest > prev_oldest))) {
		stalled = true;
		double window = sv->cur.mono - sv->prev.mono;
		if (window >= 0.5) /* timer jitter: 984ms reads as the 1s it is */
			window = round(window);
		format_duration(window, warn_s, sizeof warn_s);
		raise_status(sv, ST_CRIT, "nothing drained over %s with %s rows pending", warn_s, cnt);
		char in[32];
		human_rate(have_inflow ? inflow : 0.0, in, sizeof in);
		snprintf(evidence, sizeof evidence,
		         "%s%s rows pending, oldest %s, drained 0/s over the last %s, inflow %s", cnt, more,
		         age, warn_s, in);
	}
	if (stalled)
		add_stalled(pv, sv, evidence);
	if (behind)
		add_falling_behind(pv, sv, as, from, consumed, produced, over);
	if (!stalled && !behind && as != ST_OK) {
		/* Pending rows are delivered by a relay that keeps up: a replay would not help. */
		struct diagnosis *d = add_diag(pv, sv, "outbox-backlog", as, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom,
		         "records are in PostgreSQL but not yet in the secondary stores");
		snprintf(d->evidence, sizeof d->evidence, "%s%s rows pending in %s, oldest %s", cnt, more,
		         st->table, age);
		if (have_drain) {
			char dr[32], in[32];
			human_rate(drain, dr, sizeof dr);
			human_rate(have_inflow ? inflow : 0.0, in, sizeof in);
			snappendf(d->evidence, sizeof d->evidence, ", draining %s, inflow %s", dr, in);
		}
		char dt[64];
		if (*outbox_drain_text(m, dt, sizeof dt))
			snappendf(d->evidence, sizeof d->evidence, ", %s", dt);
		snprintf(
		    d->next, sizeof d->next,
		    "check that the outbox worker runs and keeps up (and the CDC consumer lag): scale it "
		    "out or find what slows it; the rows go once it does");
	}

	if (have_failed && failed > 0) {
		enum status fs = level((double)failed, (double)st->failed_warn, (double)st->failed_crit);
		if (fs != ST_OK) {
			char fc[32];
			format_count(failed, fc, sizeof fc);
			raise_status(sv, fs, "%s rows failed", fc);
			struct diagnosis *d = add_diag(pv, sv, "poison-rows", fs, ACTION_REPLAY);
			strlcpy_safe(d->action_scope, "failed", sizeof d->action_scope);
			snprintf(d->symptom, sizeof d->symptom,
			         "outbox rows keep failing and will not be delivered");
			snprintf(d->evidence, sizeof d->evidence,
			         "%s pending rows have %s >= %" PRId64 " or an error in %s", fc,
			         *st->attempts_column ? st->attempts_column : "attempts", st->max_attempts,
			         *st->error_column ? st->error_column : "(no error column)");
			poison_evidence(sv, failed, d->evidence, sizeof d->evidence);
			snprintf(d->next, sizeof d->next,
			         "read the recorded errors (SELECT %s, %s FROM %s WHERE %s IS NOT NULL), fix "
			         "the cause, "
			         "then replay the failed rows",
			         st->id_column, *st->error_column ? st->error_column : "*", st->table,
			         *st->error_column ? st->error_column : st->id_column);
		}
	}

	const char *hint = metric_str(sv->cur.raw, "index_hint");
	if (hint) {
		int64_t rows = 0;
		metric_int(sv->cur.raw, "table_rows", &rows);
		char rc[32];
		format_count(rows, rc, sizeof rc);
		raise_status(sv, ST_WARN, "no index serves the pending predicate");
		struct diagnosis *d = add_diag(pv, sv, "outbox-no-index", ST_WARN, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom,
		         "each poll (and the relay) scans the whole outbox table to find pending rows");
		snprintf(d->evidence, sizeof d->evidence,
		         "the plan of the pending count is a sequential scan of %s (about %s rows)",
		         st->table, rc);
		snprintf(d->next, sizeof d->next, "create a partial index: %s", hint);
	}
}
