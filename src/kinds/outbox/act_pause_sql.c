/* act_pause_sql.c: pause and resume of the outbox's worker through the user's statements
 * (outbox.pause_sql, resume_sql, paused_sql), and the probe's read of paused_sql. */
/* needs: postgres */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/pg.h"
#include "kinds/outbox/outbox.h"
#include "sanitize.h"
#include "units.h"
#include "util.h"

/* Runs outbox.paused_sql (as given: no parameter) and reads its one boolean. PROBE_FAILED with
   why in err when it fails or answers anything but one row of one boolean. */
static enum probe_result paused_read(const struct probe_ctx *ctx, bool *paused, char *err, size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	char qerr[256];
	bool broken = false;
	PGresult *res =
	    pg_query(ctx->session, o->paused_sql, 0, NULL, ctx->deadline, qerr, sizeof qerr, &broken);
	if (!res) {
		snprintf(err, n, "outbox.paused_sql: %s", qerr);
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	}
	const char *v = PQntuples(res) == 1 && PQnfields(res) == 1 && !PQgetisnull(res, 0, 0)
	                    ? PQgetvalue(res, 0, 0)
	                    : NULL;
	bool ok = v && (!strcmp(v, "t") || !strcmp(v, "f"));
	if (ok)
		*paused = !strcmp(v, "t");
	else
		snprintf(
		    err, n,
		    "outbox.paused_sql answered %d rows of %d columns%s: one row of one boolean expected",
		    PQntuples(res), PQnfields(res), v ? ", not a boolean" : "");
	PQclear(res);
	return ok ? PROBE_OK : PROBE_FAILED;
}

/* The wall time the probe first saw the worker paused (memo "paused_since"), set to now when
   absent; other members of the memo are left alone. */
static double memo_since(json_t **memo, double now)
{
	if (!json_is_object(*memo)) {
		json_decref(*memo);
		*memo = json_object();
	}
	json_t *since = json_object_get(*memo, "paused_since");
	if (json_is_number(since))
		return json_number_value(since);
	json_object_set_new(*memo, "paused_since", json_real(now));
	return now;
}

enum probe_result outbox_stmt_poll(const struct probe_ctx *ctx, struct sample *out)
{
	bool paused = false;
	char err[300];
	enum probe_result r = paused_read(ctx, &paused, err, sizeof err);
	if (r == PROBE_BROKEN) {
		sample_set_error(out, "%s", err);
		return PROBE_BROKEN;
	}
	if (r != PROBE_OK) { /* unknown: the figure stays null, since when is kept */
		json_object_set_new(out->detail ? out->detail : (out->detail = json_object()),
		                    "control_error", json_string_clean(err));
		return PROBE_OK;
	}
	json_object_set_new(out->metrics, "worker_paused", json_boolean(paused));
	if (!paused) {
		if (json_is_object(*ctx->memo))
			json_object_del(*ctx->memo, "paused_since");
		return PROBE_OK;
	}
	/* The statement does not say since when: since the probe saw it. */
	double now = now_wall(), since = memo_since(ctx->memo, now);
	char iso[32];
	iso8601(since, iso, sizeof iso);
	json_object_set_new(out->metrics, "paused_since", json_string(iso));
	json_object_set_new(out->metrics, "paused_for_s", json_real(now - since));
	return PROBE_OK;
}

enum probe_result outbox_stmt_preview(const struct probe_ctx *ctx, bool pause, json_t **out, char *err,
                                      size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	*out = NULL;
	bool paused;
	enum probe_result r = paused_read(ctx, &paused, err, n);
	if (r != PROBE_OK)
		return r;
	const char *key = pause ? "outbox.pause_sql" : "outbox.resume_sql";
	char now[96];
	snprintf(now, sizeof now, "%s", paused ? "paused" : "running");
	json_t *seen = json_is_object(*ctx->memo) ? json_object_get(*ctx->memo, "paused_since") : NULL;
	if (paused && json_is_number(seen)) {
		char iso[32];
		iso8601(json_number_value(seen), iso, sizeof iso);
		snappendf(now, sizeof now, ", seen paused since %s", iso);
	}
	json_t *pv = json_pack("{s:o, s:I, s:[o, s], s:{s:s, s:b, s:s}}", "target",
	                       json_sprintf("%s %s", ctx->st->conn->name, key), "count", (json_int_t)1,
	                       "lines", json_string_clean(pause ? o->pause_sql : o->resume_sql),
	                       pause ? "run as given, in one transaction, while outbox.paused_sql still "
	                               "says running"
	                             : "run as given, in one transaction, while outbox.paused_sql still "
	                               "says paused",
	                       "pin", "worker", o->worker, "paused", paused, "via", "paused_sql");
	json_object_set_new(
	    pv, "summary",
	    json_sprintf("%s worker %s (now: %s)", pause ? "pause" : "resume", o->worker, now));
	if (paused == pause)
		json_object_set_new(
		    pv, "refuse",
		    json_sprintf("worker %s is %s", o->worker, pause ? "already paused" : "not paused"));
	*out = pv;
	return PROBE_OK;
}

/* Ends the transaction with ROLLBACK; false when the session broke. */
static bool rollback(const struct probe_ctx *ctx)
{
	char rerr[128];
	bool broken = false;
	PQclear(pg_query(ctx->session, "ROLLBACK", 0, NULL, ctx->deadline, rerr, sizeof rerr, &broken));
	return !broken;
}

enum probe_result outbox_stmt_apply(const struct probe_ctx *ctx, const json_t *preview, json_t **out,
                                    char *err, size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	const json_t *pin = json_object_get(preview, "pin");
	const char *worker = json_string_value(json_object_get(pin, "worker"));
	const char *via = json_string_value(json_object_get(pin, "via"));
	*out = NULL;
	if (!worker || strcmp(worker, o->worker) != 0 || !via || strcmp(via, "paused_sql") != 0 ||
	    !json_is_boolean(json_object_get(pin, "paused"))) {
		snprintf(err, n, "the preview pins no worker of this stage's statements (nothing was sent)");
		return PROBE_FAILED;
	}
	bool was = json_is_true(json_object_get(pin, "paused")), pause = !was;
	bool broken = false;
	/* The session is read-only by default (backend/pg.c): this one transaction may write. */
	PGresult *res = pg_query(ctx->session, "BEGIN READ WRITE", 0, NULL, ctx->deadline, err, n, &broken);
	if (!res)
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	PQclear(res);
	/* The pin: the state seen at preview, read again inside the transaction. */
	bool paused;
	enum probe_result r = paused_read(ctx, &paused, err, n);
	if (r != PROBE_OK) {
		if (r == PROBE_BROKEN) {
			snappendf(err, n, " (the connection broke: nothing was applied)");
			return PROBE_BROKEN;
		}
		snappendf(err, n, " (rolled back: nothing was applied)");
		return rollback(ctx) ? PROBE_FAILED : PROBE_BROKEN;
	}
	if (paused != was) {
		if (!rollback(ctx))
			return PROBE_BROKEN;
		char perr[256];
		json_t *np = NULL;
		r = outbox_stmt_preview(ctx, pause, &np, perr, sizeof perr);
		*out = json_pack("{s:s, s:I}", "changed",
		                 pause ? "outbox.paused_sql says the worker is paused now (by someone else "
		                         "since the preview): nothing was run"
		                       : "outbox.paused_sql says the worker is running now (resumed by "
		                         "someone else since the preview): nothing was run",
		                 "affected", (json_int_t)0);
		if (np)
			json_object_set_new(*out, "preview", np);
		return r == PROBE_BROKEN ? PROBE_BROKEN : PROBE_OK;
	}
	const char *stmt = pause ? o->pause_sql : o->resume_sql;
	res = pg_query(ctx->session, stmt, 0, NULL, ctx->deadline, err, n, &broken);
	if (!res) {
		if (broken) {
			snappendf(err, n, " (the connection broke: nothing was applied)");
			return PROBE_BROKEN;
		}
		snappendf(err, n, " (rolled back: nothing was applied)");
		return rollback(ctx) ? PROBE_FAILED : PROBE_BROKEN;
	}
	char answer[96];
	const char *tuples = PQcmdTuples(res);
	bool counted = tuples[0] != '\0';
	long rows = counted ? strtol(tuples, NULL, 10) : 0;
	snprintf(answer, sizeof answer, "%s", PQcmdStatus(res));
	PQclear(res);
	res = pg_query(ctx->session, "COMMIT", 0, NULL, ctx->deadline, err, n, &broken);
	if (!res) {
		snappendf(err, n,
		          broken ? " (the connection broke during COMMIT: whether it applied is unknown)"
		                 : " (COMMIT failed: nothing was applied)");
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	}
	PQclear(res);
	snappendf(answer, sizeof answer, "; COMMIT");
	*out = json_pack("{s:o, s:o, s:{s:b}}", "sent", json_string_clean(stmt), "answer",
	                 json_string_clean(answer), "readback", "paused", pause);
	if (counted)
		json_object_set_new(*out, "affected", json_integer(rows));
	return PROBE_OK;
}

enum probe_result outbox_stmt_readback(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
                                       char *err, size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	const json_t *want = json_object_get(json_object_get(applied, "readback"), "paused");
	*out = NULL;
	if (!json_is_boolean(want)) {
		snprintf(err, n, "nothing to read back");
		return PROBE_FAILED;
	}
	bool paused;
	enum probe_result r = paused_read(ctx, &paused, err, n);
	if (r != PROBE_OK)
		return r;
	*out = json_pack(
	    "{s:b, s:o}", "confirmed", paused == json_is_true(want), "seen",
	    json_sprintf("worker %s %s (outbox.paused_sql)", o->worker, paused ? "paused" : "running"));
	return PROBE_OK;
}
