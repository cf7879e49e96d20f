/* act_pause.c: pause and resume (p/u) of the outbox's worker through its row in the control table (driver
 * sql), or through the user's statements (act_pause_sql.c). */
/* needs: postgres */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/pg.h"
#include "kinds/outbox/outbox.h"
#include "util.h"

/* Whether the latest sample shows the worker as want_paused says it must be for the action. */
static bool flag_offered(const struct stage_cfg *st, const struct sample *cur, bool pause, char *why,
                         size_t n)
{
	const struct outbox_opts *o = outbox_opts(st);
	bool stmts = outbox_by_statements(o);
	if (!stmts && (!o->control_table || !*o->control_table)) {
		snprintf(why, n, "no pause flag: outbox.control_table is empty");
		return false;
	}
	if (!cur)
		return true; /* not read yet: the preview reads the row and refuses if need be */
	bool paused;
	if (!metric_bool(cur->metrics, "worker_paused", &paused)) {
		if (stmts)
			snprintf(why, n, "outbox.paused_sql did not say whether worker %s is paused",
			         o->worker);
		else
			snprintf(why, n, "no row for worker %s in %s", o->worker, o->control_table);
		return false;
	}
	if (paused == pause) {
		snprintf(why, n, pause ? "already paused" : "not paused");
		return false;
	}
	return true;
}

bool outbox_pause_offered(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n)
{
	return flag_offered(st, cur, true, why, n);
}

bool outbox_resume_offered(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n)
{
	return flag_offered(st, cur, false, why, n);
}

/* The statement that flips the flag: only from the previewed state, so that a change made by
   someone else in between updates no row. */
static char *flag_sql(const char *rel, bool pause)
{
	if (pause)
		return xasprintf("UPDATE %s SET paused = true, paused_at = now(), updated_at = now()"
		                 " WHERE name = $1 AND paused = false",
		                 rel);
	return xasprintf("UPDATE %s SET paused = false, paused_at = NULL, updated_at = now()"
	                 " WHERE name = $1 AND paused = true",
	                 rel);
}

/* The worker's row: found (false: no such row), paused, and since when. */
static enum probe_result flag_read(const struct probe_ctx *ctx, const char *rel, bool *found, bool *paused,
                                   char *since, size_t since_n, char *err, size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	char *sql = xasprintf("SELECT paused, to_char(paused_at AT TIME ZONE 'UTC', "
	                      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM %s WHERE name = $1",
	                      rel);
	const char *params[1] = {o->worker};
	bool broken;
	PGresult *res = pg_query(ctx->session, sql, 1, params, ctx->deadline, err, n, &broken);
	free(sql);
	if (!res)
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	*found = PQntuples(res) == 1;
	*paused = *found && !strcmp(PQgetvalue(res, 0, 0), "t");
	strlcpy_safe(since, *found && !PQgetisnull(res, 0, 1) ? PQgetvalue(res, 0, 1) : "", since_n);
	PQclear(res);
	return PROBE_OK;
}

static char *control_rel(const struct probe_ctx *ctx, char *err, size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	if (!o->control_table || !*o->control_table) {
		snprintf(err, n, "no pause flag: outbox.control_table is empty (nothing was sent)");
		return NULL;
	}
	char *rel = pg_quote_relation(ctx->session, o->control_table);
	if (!rel)
		snprintf(err, n, "cannot quote outbox.control_table: %s", PQerrorMessage(ctx->session));
	return rel;
}

static enum probe_result flag_preview(const struct probe_ctx *ctx, bool pause, json_t **out, char *err,
                                      size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	*out = NULL;
	char *rel = control_rel(ctx, err, n);
	if (!rel)
		return PROBE_FAILED;
	bool found, paused;
	char since[40];
	enum probe_result r = flag_read(ctx, rel, &found, &paused, since, sizeof since, err, n);
	if (r != PROBE_OK) {
		free(rel);
		return r;
	}
	char *sql = flag_sql(rel, pause);
	free(rel);
	char target[256], now[96];
	snprintf(target, sizeof target, "%s %s worker %s", ctx->st->conn->name, o->control_table, o->worker);
	if (!found)
		snprintf(now, sizeof now, "no row");
	else if (paused)
		snprintf(now, sizeof now, "paused%s%s", since[0] ? " since " : "", since);
	else
		snprintf(now, sizeof now, "running");
	json_t *pv = json_pack("{s:s, s:I, s:[s, s], s:{s:s, s:b, s:s*}}", "target", target, "count",
	                       (json_int_t)1, "lines", sql, "$1 = worker name (outbox.worker)", "pin",
	                       "worker", o->worker, "paused", paused, "paused_at", since[0] ? since : NULL);
	json_object_set_new(
	    pv, "summary",
	    json_sprintf("%s worker %s (now: %s)", pause ? "pause" : "resume", o->worker, now));
	if (!found)
		json_object_set_new(pv, "refuse",
		                    json_sprintf("no row named %s in %s", o->worker, o->control_table));
	else if (paused == pause)
		json_object_set_new(
		    pv, "refuse",
		    json_sprintf("worker %s is %s", o->worker, pause ? "already paused" : "not paused"));
	free(sql);
	*out = pv;
	return PROBE_OK;
}

enum probe_result outbox_pause_preview(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                       char *err, size_t n)
{
	(void)scope;
	if (outbox_by_statements(outbox_opts(ctx->st)))
		return outbox_stmt_preview(ctx, true, out, err, n);
	return flag_preview(ctx, true, out, err, n);
}

enum probe_result outbox_resume_preview(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                        char *err, size_t n)
{
	(void)scope;
	if (outbox_by_statements(outbox_opts(ctx->st)))
		return outbox_stmt_preview(ctx, false, out, err, n);
	return flag_preview(ctx, false, out, err, n);
}

/* Whether a preview (or an apply's result) is of a pause: its pin says the worker was running. */
static bool is_pause(const json_t *pin)
{
	return json_is_false(json_object_get(pin, "paused"));
}

enum probe_result outbox_flag_apply(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                    json_t **out, char *err, size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	if (outbox_by_statements(o))
		return outbox_stmt_apply(ctx, preview, out, err, n);
	const json_t *pin = json_object_get(preview, "pin");
	const char *worker = json_string_value(json_object_get(pin, "worker"));
	*out = NULL;
	if (json_object_get(pin, "via")) {
		snprintf(err, n,
		         "the preview is of outbox.paused_sql, no longer configured (nothing was sent)");
		return PROBE_FAILED;
	}
	if (!worker || strcmp(worker, o->worker) != 0 || !json_is_boolean(json_object_get(pin, "paused"))) {
		snprintf(err, n, "the preview pins no worker of this stage (nothing was sent)");
		return PROBE_FAILED;
	}
	bool pause = is_pause(pin);
	char *rel = control_rel(ctx, err, n);
	if (!rel)
		return PROBE_FAILED;
	char *sql = flag_sql(rel, pause);
	free(rel);
	const char *params[1] = {o->worker};
	bool broken;
	enum probe_result r = PROBE_OK;
	/* The session is read-only by default (backend/pg.c): this one transaction may write. */
	PGresult *res = pg_query(ctx->session, "BEGIN READ WRITE", 0, NULL, ctx->deadline, err, n, &broken);
	if (!res) {
		free(sql);
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	}
	PQclear(res);
	res = pg_query(ctx->session, sql, 1, params, ctx->deadline, err, n, &broken);
	free(sql);
	bool got = res != NULL;
	long rows = got ? strtol(PQcmdTuples(res), NULL, 10) : 0;
	char answer[64];
	snprintf(answer, sizeof answer, "%s", got ? PQcmdStatus(res) : "");
	PQclear(res);
	if (!got || rows != 1) {
		if (broken) {
			snappendf(err, n, " (the connection broke: nothing was applied)");
			return PROBE_BROKEN;
		}
		char rerr[128];
		res = pg_query(ctx->session, "ROLLBACK", 0, NULL, ctx->deadline, rerr, sizeof rerr, &broken);
		PQclear(res);
		if (broken)
			return PROBE_BROKEN;
		if (rows == 0 && answer[0]) {
			char perr[256];
			json_t *np = NULL;
			r = flag_preview(ctx, pause, &np, perr, sizeof perr);
			*out =
			    json_pack("{s:s, s:I}", "changed",
			              pause ? "no row updated: the worker was no longer running (paused by "
			                      "someone else since the preview, or its row is gone)"
			                    : "no row updated: the worker was no longer paused (resumed by "
			                      "someone else since the preview, or its row is gone)",
			              "affected", (json_int_t)0);
			if (np)
				json_object_set_new(*out, "preview", np);
			return r == PROBE_BROKEN ? PROBE_BROKEN : PROBE_OK;
		}
		if (answer[0])
			snprintf(err, n, "%ld rows matched worker %s (rolled back: nothing was applied)",
			         rows, o->worker);
		else
			snappendf(err, n, " (rolled back: nothing was applied)");
		return PROBE_FAILED;
	}
	res = pg_query(ctx->session, "COMMIT", 0, NULL, ctx->deadline, err, n, &broken);
	if (!res) {
		snappendf(err, n,
		          broken ? " (the connection broke during COMMIT: whether it applied is unknown)"
		                 : " (COMMIT failed: nothing was applied)");
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	}
	PQclear(res);
	snappendf(answer, sizeof answer, "; COMMIT");
	*out = json_pack("{s:o, s:s, s:I, s:{s:b}}", "sent",
	                 json_sprintf("UPDATE %s SET paused = %s WHERE name = '%s'", o->control_table,
	                              pause ? "true" : "false", o->worker),
	                 "answer", answer, "affected", (json_int_t)1, "readback", "paused", pause);
	(void)scope;
	return r;
}

enum probe_result outbox_flag_readback(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
                                       char *err, size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	if (outbox_by_statements(o))
		return outbox_stmt_readback(ctx, applied, out, err, n);
	const json_t *want = json_object_get(json_object_get(applied, "readback"), "paused");
	*out = NULL;
	if (!json_is_boolean(want)) {
		snprintf(err, n, "nothing to read back");
		return PROBE_FAILED;
	}
	char *rel = control_rel(ctx, err, n);
	if (!rel)
		return PROBE_FAILED;
	bool found, paused;
	char since[40];
	enum probe_result r = flag_read(ctx, rel, &found, &paused, since, sizeof since, err, n);
	free(rel);
	if (r != PROBE_OK)
		return r;
	json_t *seen = !found ? json_sprintf("no row named %s in %s", o->worker, o->control_table)
	                      : (paused ? json_sprintf("worker %s paused since %s", o->worker, since)
	                                : json_sprintf("worker %s running", o->worker));
	*out = json_pack("{s:b, s:o}", "confirmed", found && paused == json_is_true(want), "seen", seen);
	return PROBE_OK;
}
