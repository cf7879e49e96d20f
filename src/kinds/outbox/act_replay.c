/* act_replay.c: the outbox replay (R): previews a scope's rows, re-publishes exactly those in one transaction
 * or none, reads back. */
/* needs: postgres */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/pg.h"
#include "kinds/outbox/replay.h"
#include "util.h"

/* The preview's query: count, first and last ids, oldest and newest created, and (within the
   bound) the ids, sorted, as a JSON array. */
static char *preview_sql(const struct names *q, const char *cond)
{
	return xasprintf(
	    "WITH s AS (SELECT %s AS i, %s AS c FROM %s WHERE %s),"
	    " a AS (SELECT count(*) AS n, min(c) AS c0, max(c) AS c1 FROM s)"
	    " SELECT a.n, (SELECT s.i::text FROM s ORDER BY s.i LIMIT 1),"
	    " (SELECT s.i::text FROM s ORDER BY s.i DESC LIMIT 1),"
	    " to_char(a.c0 AT TIME ZONE 'UTC', " TS_S "), to_char(a.c1 AT TIME ZONE 'UTC', " TS_S "),"
	    " CASE WHEN a.n <= $1 THEN (SELECT array_to_json(array_agg(i ORDER BY i))::text FROM s) END"
	    " FROM a",
	    q->id, q->created, q->rel, cond);
}

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The preview of scope s: the created range is resolved to moments now, and pinned. */
static enum probe_result replay_preview(const struct probe_ctx *ctx, const char *s, json_t **out, char *err,
                                        size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	struct outbox_scope sc;
	*out = NULL;
	if (!outbox_scope_parse(s, &sc, err, n))
		return PROBE_FAILED;
	char *from = NULL, *to = NULL, *cond = NULL, *sql = NULL, *apply = NULL;
	struct params p = {0}, ap = {0};
	struct names q;
	PGresult *res = NULL;
	bool broken = false;
	enum probe_result r = replay_resolve_range(ctx, &sc, &from, &to, err, n);
	if (r != PROBE_OK)
		return r;
	if (!replay_names_quote(ctx->session, o, &q, err, n)) {
		free(from);
		free(to);
		return PROBE_FAILED;
	}
	char bound[32];
	snprintf(bound, sizeof bound, "%" PRId64, o->replay_max_rows);
	replay_param_add(&p, bound);
	cond = replay_scope_cond(o, &q, &sc, from, to, &p, err, n);
	if (!cond) {
		r = PROBE_FAILED;
		goto out;
	}
	if ((r = replay_apply_sql(ctx, &sc, from, to, &ap, &apply, err, n)) != PROBE_OK)
		goto out;
	sql = preview_sql(&q, cond);
	res = replay_run(ctx, sql, &p, err, n, &broken);
	if (!res) {
		r = broken ? PROBE_BROKEN : PROBE_FAILED;
		goto out;
	}
	int64_t count = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	char words[256], target[256];
	replay_scope_words(o, &sc, from, to, words, sizeof words);
	snprintf(target, sizeof target, "%s %s", ctx->st->conn->name, o->table);
	json_t *pv = json_pack("{s:s, s:I}", "target", target, "count", (json_int_t)count);
	json_t *lines = json_array();
	json_array_append_new(lines, json_sprintf("scope: %s", words));
	json_array_append_new(lines, json_sprintf("mode: %s (outbox.replay), at most %" PRId64
	                                          " rows (outbox.replay_max_rows)",
	                                          replay_mode_names[replay_mode(o)], o->replay_max_rows));
	json_array_append_new(lines, json_sprintf("SQL: %s", apply));
	json_array_append_new(lines, json_sprintf("$1 = the %" PRId64 " previewed ids", count));
	for (int i = 1; i < ap.n; i++)
		json_array_append_new(lines, json_sprintf("$%d = %s", i + 1, ap.v[i]));
	json_object_set_new(pv, "lines", lines);
	if (count == 0) {
		json_object_set_new(pv, "summary", json_sprintf("no row: %s", words));
		json_object_set_new(pv, "refuse",
		                    json_sprintf("no row to replay: none matches the scope (%s)", words));
	} else {
		const char *first = PQgetvalue(res, 0, 1), *last = PQgetvalue(res, 0, 2);
		/* "ids 101-230"; ids that are not numbers (uuids) would run together: "ids A to B" */
		bool numeric = strspn(first, "0123456789") == strlen(first) &&
		               strspn(last, "0123456789") == strlen(last);
		json_object_set_new(pv, "summary",
		                    json_sprintf("%" PRId64 " row%s, ids %s%s%s, created %s to %s", count,
		                                 count == 1 ? "" : "s", first, numeric ? "-" : " to ", last,
		                                 PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4)));
		json_object_set_new(pv, "first_id", json_string(PQgetvalue(res, 0, 1)));
		json_object_set_new(pv, "last_id", json_string(PQgetvalue(res, 0, 2)));
		json_object_set_new(pv, "oldest", json_string(PQgetvalue(res, 0, 3)));
		json_object_set_new(pv, "newest", json_string(PQgetvalue(res, 0, 4)));
	}
	if (count > o->replay_max_rows)
		json_object_set_new(pv, "refuse",
		                    json_sprintf("%" PRId64
		                                 " rows are more than outbox.replay_max_rows (%" PRId64
		                                 "): narrow the scope",
		                                 count, o->replay_max_rows));
	json_t *ids = NULL;
	if (count > 0 && count <= o->replay_max_rows) {
		ids = json_loads(PQgetvalue(res, 0, 5), 0, NULL);
		if (!json_is_array(ids) || (int64_t)json_array_size(ids) != count) {
			json_decref(ids);
			json_decref(pv);
			snprintf(err, n, "the preview's ids could not be read");
			r = PROBE_FAILED;
			goto out;
		}
	}
	if (ids) {
		json_t *pin = json_pack("{s:s, s:s, s:o, s:o, s:s, s:o}", "mode",
		                        replay_mode_names[replay_mode(o)], "scope", s, "from",
		                        jstr_or_null(from), "to", jstr_or_null(to), "sql", apply, "ids", ids);
		json_object_set_new(pv, "pin", pin);
	}
	*out = pv;
out:
	PQclear(res);
	free(sql);
	free(cond);
	free(apply);
	free(from);
	free(to);
	replay_params_free(&p);
	replay_params_free(&ap);
	replay_names_free(&q);
	return r;
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Ends the transaction with ROLLBACK after a failure; the error said what failed. */
static enum probe_result rollback(const struct probe_ctx *ctx, bool broken, char *err, size_t n)
{
	if (broken) {
		char why[256];
		snprintf(why, sizeof why, "%s", err);
		snprintf(err, n,
		         "the connection broke during the replay: nothing was applied (PostgreSQL rolls back "
		         "an unfinished transaction): %s",
		         why);
		return PROBE_BROKEN;
	}
	char rerr[128];
	bool rbroken;
	PGresult *res = replay_run(ctx, "ROLLBACK", NULL, rerr, sizeof rerr, &rbroken);
	PQclear(res);
	snappendf(err, n, " (rolled back: nothing was applied)");
	return rbroken ? PROBE_BROKEN : PROBE_FAILED;
}

/* The pinned preview's parts, checked against the scope apply was given. */
static bool pin_read(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                     const json_t **ids, char *err, size_t n)
{
	const json_t *pin = json_object_get(preview, "pin");
	*ids = json_object_get(pin, "ids");
	if (!json_is_object(pin) || !json_is_array(*ids) || json_array_size(*ids) == 0 || !jstr(pin, "sql") ||
	    !jstr(pin, "mode") || !jstr(pin, "scope")) {
		snprintf(err, n, "replay: the preview pins no rows (nothing was sent)");
		return false;
	}
	if (strcmp(jstr(pin, "scope"), scope) != 0 ||
	    strcmp(jstr(pin, "mode"), replay_mode_names[replay_mode(outbox_opts(ctx->st))]) != 0) {
		snprintf(err, n,
		         "replay: the preview is of scope %s in mode %s, not of %s (nothing was sent)",
		         jstr(pin, "scope"), jstr(pin, "mode"), scope);
		return false;
	}
	return true;
}

/* Answers "changed" (nothing applied) with a new preview. */
static enum probe_result changed(const struct probe_ctx *ctx, const char *scope, const char *why,
                                 json_t **out)
{
	char perr[256];
	json_t *np = NULL;
	enum probe_result r = replay_preview(ctx, scope, &np, perr, sizeof perr);
	*out = json_pack("{s:s, s:I}", "changed", why, "affected", (json_int_t)0);
	if (np)
		json_object_set_new(*out, "preview", np);
	return r == PROBE_BROKEN ? PROBE_BROKEN : PROBE_OK;
}

static enum probe_result replay_apply(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                      json_t **out, char *err, size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	enum replay_mode mode = replay_mode(o);
	const json_t *ids;
	struct outbox_scope sc;
	*out = NULL;
	if (!pin_read(ctx, scope, preview, &ids, err, n) || !outbox_scope_parse(scope, &sc, err, n))
		return PROBE_FAILED;
	const json_t *pin = json_object_get(preview, "pin");
	struct params p = {0};
	char *sql = NULL, *arr = NULL, *pre = NULL;
	enum probe_result r =
	    replay_apply_sql(ctx, &sc, jstr(pin, "from"), jstr(pin, "to"), &p, &sql, err, n);
	if (r != PROBE_OK)
		goto out;
	if (strcmp(sql, jstr(pin, "sql")) != 0) {
		r = changed(ctx, scope, "the statement is no longer the previewed one (the table changed)",
		            out);
		goto out;
	}
	size_t pinned = json_array_size(ids);
	if (!(arr = replay_id_array(ids))) {
		snprintf(err, n, "replay: the pinned ids are not ids (nothing was sent)");
		r = PROBE_FAILED;
		goto out;
	}
	if (mode == MODE_SQL)
		replay_param_add(&p, arr);
	else
		p.v[0] = xstrdup(arr);

	bool broken;
	PGresult *res = replay_run(ctx, "BEGIN READ WRITE", NULL, err, n, &broken);
	if (!res) {
		r = broken ? PROBE_BROKEN : PROBE_FAILED;
		goto out;
	}
	PQclear(res);
	/* The apply's moment (now(): the transaction's start) and, for a statement of the
	   user's, the pending count before it: what the read-back compares with. */
	struct params pc = {0};
	char cap[32];
	snprintf(cap, sizeof cap, "%" PRId64, o->count_cap + 1);
	if (mode == MODE_SQL)
		replay_param_add(&pc, cap);
	struct names q;
	if (!replay_names_quote(ctx->session, o, &q, err, n)) {
		replay_params_free(&pc);
		r = rollback(ctx, false, err, n);
		goto out;
	}
	if (mode == MODE_SQL)
		pre = xasprintf("SELECT to_char(now() AT TIME ZONE 'UTC', " TS_US
		                "), (SELECT count(*) FROM (SELECT 1 FROM %s WHERE (%s) LIMIT $1) p)",
		                q.rel, o->pending);
	else
		pre = xstrdup("SELECT to_char(now() AT TIME ZONE 'UTC', " TS_US ")");
	replay_names_free(&q);
	res = replay_run(ctx, pre, &pc, err, n, &broken);
	replay_params_free(&pc);
	if (!res) {
		r = rollback(ctx, broken, err, n);
		goto out;
	}
	json_t *rb = json_pack("{s:s, s:s}", "mode", replay_mode_names[mode], "at", PQgetvalue(res, 0, 0));
	if (mode == MODE_SQL)
		json_object_set_new(rb, "pending_before",
		                    json_integer(strtoll(PQgetvalue(res, 0, 1), NULL, 10)));
	PQclear(res);

	res = replay_run(ctx, sql, &p, err, n, &broken);
	if (!res) {
		json_decref(rb);
		r = rollback(ctx, broken, err, n);
		goto out;
	}
	int64_t affected =
	    PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) : strtoll(PQcmdTuples(res), NULL, 10);
	char answer[128];
	snprintf(answer, sizeof answer, "%s", *PQcmdStatus(res) ? PQcmdStatus(res) : "");
	if (!answer[0])
		snprintf(answer, sizeof answer, "%s%" PRId64 "%s", mode == MODE_INSERT ? "INSERT 0 " : "",
		         affected, mode == MODE_INSERT ? "" : " rows");
	if (mode == MODE_INSERT) {
		json_t *new_ids = json_array();
		for (int i = 0; i < PQntuples(res); i++) {
			const char *v = PQgetvalue(res, i, 0);
			char *end;
			long long id = strtoll(v, &end, 10);
			json_array_append_new(new_ids, *v && !*end ? json_integer(id) : json_string(v));
		}
		json_object_set_new(rb, "ids", new_ids);
	} else {
		json_object_set(rb, "ids", (json_t *)ids);
	}
	PQclear(res);
	json_object_set_new(rb, "affected", json_integer(affected));
	if (mode != MODE_SQL && (size_t)affected != pinned) {
		json_decref(rb);
		res = replay_run(ctx, "ROLLBACK", NULL, err, n, &broken);
		if (!res) {
			r = broken ? PROBE_BROKEN : PROBE_FAILED;
			goto out;
		}
		PQclear(res);
		char why[160];
		if ((size_t)affected < pinned)
			snprintf(why, sizeof why, "%zu of the %zu rows changed since the preview",
			         pinned - (size_t)affected, pinned);
		else /* only when the ids are not unique */
			snprintf(why, sizeof why, "the %zu previewed ids matched %" PRId64 " rows", pinned,
			         affected);
		r = changed(ctx, scope, why, out);
		goto out;
	}
	res = replay_run(ctx, "COMMIT", NULL, err, n, &broken);
	if (!res) {
		json_decref(rb);
		char why[256];
		snprintf(why, sizeof why, "%s", err);
		if (broken)
			snprintf(
			    err, n,
			    "the connection broke during COMMIT: whether the replay was applied is unknown, "
			    "read the rows (%s)",
			    why);
		else
			snprintf(err, n, "COMMIT failed, nothing was applied: %s", why);
		r = broken ? PROBE_BROKEN : PROBE_FAILED;
		goto out;
	}
	PQclear(res);
	char sent[256];
	snprintf(sent, sizeof sent, "%s %s: the %zu previewed ids, in one transaction",
	         mode == MODE_SQL ? "the statement of outbox.replay on"
	                          : (mode == MODE_INSERT ? "INSERT INTO" : "UPDATE"),
	         o->table, pinned);
	snappendf(answer, sizeof answer, "; COMMIT");
	*out = json_pack("{s:s, s:s, s:I, s:o}", "sent", sent, "answer", answer, "affected",
	                 (json_int_t)affected, "readback", rb);
out:
	free(sql);
	free(arr);
	free(pre);
	replay_params_free(&p);
	return r;
}

/* One count (the first column of a one-row query). */
static enum probe_result count_of(const struct probe_ctx *ctx, const char *sql, struct params *p, int64_t *v,
                                  int64_t *v2, char *err, size_t n)
{
	bool broken;
	PGresult *res = replay_run(ctx, sql, p, err, n, &broken);
	if (!res)
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	*v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (v2)
		*v2 = PQnfields(res) > 1 ? strtoll(PQgetvalue(res, 0, 1), NULL, 10) : 0;
	PQclear(res);
	return PROBE_OK;
}

static enum probe_result replay_readback(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
                                         char *err, size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	const json_t *rb = json_object_get(applied, "readback");
	const json_t *ids = json_object_get(rb, "ids");
	const char *mode = jstr(rb, "mode"), *at = jstr(rb, "at");
	*out = NULL;
	char *arr = json_is_array(ids) ? replay_id_array(ids) : NULL;
	if (!mode || !at || !arr) {
		free(arr);
		snprintf(err, n, "replay: nothing to read back");
		return PROBE_FAILED;
	}
	struct names q;
	if (!replay_names_quote(ctx->session, o, &q, err, n)) {
		free(arr);
		return PROBE_FAILED;
	}
	size_t m = json_array_size(ids);
	int64_t a = 0, b = 0;
	struct params p = {0};
	char *sql = NULL;
	enum probe_result r;
	if (!strcmp(mode, "update")) {
		replay_param_add(&p, arr);
		replay_param_add(&p, at);
		sql = xasprintf("SELECT count(*) FILTER (WHERE (%s)), count(*) FILTER (WHERE NOT (%s) AND"
		                " processed_at >= $2::timestamptz) FROM %s WHERE %s = ANY($1)",
		                o->pending, o->pending, q.rel, q.id);
		if ((r = count_of(ctx, sql, &p, &a, &b, err, n)) == PROBE_OK) {
			*out = json_pack("{s:b, s:I, s:I}", "confirmed", (size_t)(a + b) == m && m > 0,
			                 "pending", (json_int_t)a, "processed_since", (json_int_t)b);
			json_object_set_new(*out, "seen",
			                    b ? json_sprintf("%" PRId64 " of %zu rows pending again, %" PRId64
			                                     " processed since the replay",
			                                     a, m, b)
			                      : json_sprintf("%" PRId64 " of %zu rows pending again", a, m));
		}
	} else if (!strcmp(mode, "insert")) {
		replay_param_add(&p, arr);
		sql = xasprintf("SELECT count(*) FROM %s WHERE %s = ANY($1)", q.rel, q.id);
		if ((r = count_of(ctx, sql, &p, &a, NULL, err, n)) == PROBE_OK)
			*out = json_pack("{s:b, s:I, s:o}", "confirmed", (size_t)a == m && m > 0, "present",
			                 (json_int_t)a, "seen",
			                 json_sprintf("%" PRId64 " of the %zu copies in %s", a, m, o->table));
	} else {
		/* A statement of the user's: its effect shows as a pending count that rose, or
		   rows processed since (when the table has the reference schema's processed_at). */
		char cap[32];
		snprintf(cap, sizeof cap, "%" PRId64, o->count_cap + 1);
		replay_param_add(&p, cap);
		replay_param_add(&p, o->table);
		sql = xasprintf("SELECT (SELECT count(*) FROM (SELECT 1 FROM %s WHERE (%s) LIMIT $1) p),"
		                " (SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass($2)"
		                " AND attname = 'processed_at' AND NOT attisdropped)",
		                q.rel, o->pending);
		int64_t has_col = 0, before = 0, affected = 0;
		metric_int(rb, "pending_before", &before);
		metric_int(rb, "affected", &affected);
		r = count_of(ctx, sql, &p, &a, &has_col, err, n);
		if (r == PROBE_OK && has_col) {
			replay_params_free(&p);
			free(sql);
			replay_param_add(&p, at);
			replay_param_add(&p, cap);
			sql = xasprintf(
			    "SELECT count(*) FROM (SELECT 1 FROM %s WHERE processed_at >= $1::timestamptz"
			    " LIMIT $2) x",
			    q.rel);
			r = count_of(ctx, sql, &p, &b, NULL, err, n);
		}
		if (r == PROBE_OK) {
			bool ok = affected > 0 && (a > before || b > 0);
			*out = json_pack("{s:b, s:I, s:I}", "confirmed", ok, "pending", (json_int_t)a,
			                 "processed_since", (json_int_t)b);
			json_object_set_new(*out, "seen",
			                    json_sprintf("the statement changed %" PRId64
			                                 " rows; pending %" PRId64 " before, %" PRId64
			                                 " now; %" PRId64 " rows processed since%s",
			                                 affected, before, a, b,
			                                 has_col ? "" : " (no processed_at column to tell)"));
		}
	}
	free(sql);
	free(arr);
	replay_params_free(&p);
	replay_names_free(&q);
	return r;
}

static bool replay_scope_check(const struct stage_cfg *st, const char *scope, char *why, size_t n)
{
	const struct outbox_opts *o = outbox_opts(st);
	struct outbox_scope sc;
	if (!outbox_scope_parse(scope, &sc, why, n))
		return false;
	if (sc.kind == SCOPE_FAILED && (!o->attempts_column || !*o->attempts_column) &&
	    (!o->error_column || !*o->error_column)) {
		snprintf(why, n,
		         "scope failed: no row counts as failed here (outbox.attempts_column and "
		         "outbox.error_column are both empty)");
		return false;
	}
	return true;
}

const struct kind_action outbox_actions[] = {
    {ACTION_REPLAY, NULL, replay_scope_check, replay_preview, replay_apply, replay_readback,
     "re-publishes exactly the previewed rows of a scope (failed, ids:FROM-TO, created:FROM..TO, "
     ",type:T) in one transaction, or none; at most outbox.replay_max_rows"},
    {ACTION_PAUSE, outbox_pause_offered, NULL, outbox_pause_preview, outbox_flag_apply, outbox_flag_readback,
     "sets the worker's paused flag in outbox.control_table, or runs outbox.pause_sql"},
    {ACTION_RESUME, outbox_resume_offered, NULL, outbox_resume_preview, outbox_flag_apply,
     outbox_flag_readback,
     "clears the worker's paused flag in outbox.control_table, or runs outbox.resume_sql"},
    {.action = ACTION_NONE},
};
