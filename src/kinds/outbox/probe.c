/* probe.c: the outbox stage: pending backlog, oldest pending age, failed rows, drain and inflow rates. */
/* needs: postgres */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/pg.h"
#include "kinds/outbox/outbox.h"
#include "kinds/probe.h"
#include "sanitize.h"

/* How often (in polls) the plan of the pending query is looked at again. */
#define EXPLAIN_EVERY 30

struct outbox_sql {
	char *rel, *created, *id, *attempts, *error; /* quoted identifiers */
};

static void outbox_sql_free(struct outbox_sql *q)
{
	free(q->rel);
	free(q->created);
	free(q->id);
	free(q->attempts);
	free(q->error);
}

static bool outbox_sql_quote(PGconn *conn, const struct outbox_opts *st, struct outbox_sql *q,
                             struct sample *out)
{
	memset(q, 0, sizeof *q);
	q->rel = pg_quote_relation(conn, st->table);
	q->created = pg_quote_ident(conn, st->created_column);
	q->id = pg_quote_ident(conn, st->id_column);
	if (st->attempts_column && *st->attempts_column)
		q->attempts = pg_quote_ident(conn, st->attempts_column);
	if (st->error_column && *st->error_column)
		q->error = pg_quote_ident(conn, st->error_column);
	if (!q->rel || !q->created || !q->id ||
	    (st->attempts_column && *st->attempts_column && !q->attempts) ||
	    (st->error_column && *st->error_column && !q->error)) {
		sample_set_error(out, "cannot quote the outbox table or column names: %s",
		                 PQerrorMessage(conn));
		outbox_sql_free(q);
		return false;
	}
	return true;
}

/* The failed-row condition, or NULL when neither attempts nor error column is configured. */
static char *failed_clause(const struct outbox_sql *q)
{
	if (q->attempts && q->error)
		return xasprintf("(%s >= $2 OR %s IS NOT NULL)", q->attempts, q->error);
	if (q->attempts)
		return xasprintf("(%s >= $2)", q->attempts);
	if (q->error)
		return xasprintf("(%s IS NOT NULL)", q->error);
	return NULL;
}

static bool parse_i64(const char *s, int64_t *out)
{
	char *end;
	if (!s || !*s)
		return false;
	long long v = strtoll(s, &end, 10);
	if (*end)
		return false;
	*out = v;
	return true;
}

/* Looks at the plan of the pending count: a sequential scan of a large table means no index
   serves the pending predicate. Result kept in the memo between looks. Planning only, so it
   is cheap, and it runs before the count: when the count itself times out on a huge table,
   the advice is still there to say why. Returns false when the session broke. */
static bool outbox_explain(const struct probe_ctx *ctx, PGconn *conn, const struct outbox_sql *q)
{
	const struct outbox_opts *st = outbox_opts(ctx->st);
	char err[256];
	bool broken;
	char *sql =
	    xasprintf("EXPLAIN (FORMAT JSON) SELECT count(*) FROM %s WHERE (%s)", q->rel, st->pending);
	PGresult *res = pg_query(conn, sql, 0, NULL, ctx->deadline, err, sizeof err, &broken);
	free(sql);
	if (!res)
		return !broken; /* a missing table: the count says so in its own words */
	bool seqscan = PQntuples(res) > 0 && strstr(PQgetvalue(res, 0, 0), "\"Node Type\": \"Seq Scan\"");
	PQclear(res);

	const char *params[1] = {st->table};
	res = pg_query(
	    conn, "SELECT greatest(c.reltuples, 0)::bigint FROM pg_class c WHERE c.oid = to_regclass($1)", 1,
	    params, ctx->deadline, err, sizeof err, &broken);
	int64_t rows = 0;
	if (!res && broken)
		return false;
	if (res && PQntuples(res) > 0)
		parse_i64(PQgetvalue(res, 0, 0), &rows);
	PQclear(res);

	json_t *memo = json_object();
	/* since when outbox.paused_sql has said paused (act_pause_sql.c) outlives the look */
	json_t *since = *ctx->memo ? json_object_get(*ctx->memo, "paused_since") : NULL;
	if (since)
		json_object_set(memo, "paused_since", since);
	json_object_set_new(memo, "explained", json_true());
	json_object_set_new(memo, "table_rows", json_integer(rows));
	if (seqscan && rows > st->seqscan_rows) {
		json_object_set_new(memo, "seqscan", json_true());
		json_object_set_new(memo, "index_hint",
		                    json_sprintf("CREATE INDEX CONCURRENTLY ON %s (%s) WHERE %s;", q->rel,
		                                 q->created, st->pending));
	}
	json_decref(*ctx->memo);
	*ctx->memo = memo;
	return true;
}

/* The worker's pause flag (outbox.control_table, the convention of share/sql/outbox.sql), or
   outbox.paused_sql when set. A missing default table means the convention is not used:
   nothing to say. */
static enum probe_result read_control(const struct probe_ctx *ctx, PGconn *conn, struct sample *out)
{
	const struct outbox_opts *st = outbox_opts(ctx->st);
	if (outbox_by_statements(st))
		return outbox_stmt_poll(ctx, out);
	if (!st->control_table || !*st->control_table)
		return PROBE_OK;
	char *rel = pg_quote_relation(conn, st->control_table);
	if (!rel)
		return PROBE_OK;
	char *sql = xasprintf("SELECT paused, EXTRACT(EPOCH FROM (now() - paused_at))::float8,"
	                      " to_char(paused_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	                      " FROM %s WHERE name = $1",
	                      rel);
	free(rel);
	const char *params[1] = {st->worker};
	char err[256];
	bool broken = false;
	PGresult *res = pg_query(conn, sql, 1, params, ctx->deadline, err, sizeof err, &broken);
	free(sql);
	if (!res) {
		if (broken) {
			sample_set_error(out, "%s", err);
			return PROBE_BROKEN;
		}
		if (strcmp(st->control_table, "outbox_worker") != 0 || !strstr(err, "does not exist"))
			json_object_set_new(out->detail ? out->detail : (out->detail = json_object()),
			                    "control_error", json_string(err));
		return PROBE_OK;
	}
	if (PQntuples(res) == 1) {
		bool paused = !strcmp(PQgetvalue(res, 0, 0), "t");
		json_object_set_new(out->metrics, "worker_paused", json_boolean(paused));
		if (paused && !PQgetisnull(res, 0, 1)) {
			json_object_set_new(out->metrics, "paused_for_s",
			                    json_real(strtod(PQgetvalue(res, 0, 1), NULL)));
			json_object_set_new(out->metrics, "paused_since", json_string(PQgetvalue(res, 0, 2)));
		}
	}
	PQclear(res);
	return PROBE_OK;
}

/* The first poisoned rows (oldest first) into the sample's detail, as first_poison_rows: id,
   attempts and last_error, cleaned and cut to one line. Only when there are any: the query
   is bounded (LIMIT) and served by the pending index. Returns false when the session broke. */
static bool read_poison(const struct probe_ctx *ctx, PGconn *conn, const struct outbox_sql *q,
                        const char *failed, struct sample *out)
{
	const struct outbox_opts *st = outbox_opts(ctx->st);
	char *att = q->attempts ? xasprintf("o.%s::bigint", q->attempts) : xstrdup("NULL::bigint");
	char *msg = q->error ? xasprintf("left(o.%s::text, 400)", q->error) : xstrdup("NULL::text");
	char *sql = xasprintf("SELECT o.%s::text, %s, %s FROM %s o WHERE (%s) AND %s"
	                      " ORDER BY o.%s, o.%s LIMIT $1",
	                      q->id, att, msg, q->rel, st->pending, failed, q->created, q->id);
	free(att);
	free(msg);
	char limit[32], maxatt[32], err[256];
	snprintf(limit, sizeof limit, "%d", OUTBOX_POISON_SHOWN);
	snprintf(maxatt, sizeof maxatt, "%" PRId64, st->max_attempts);
	const char *params[2] = {limit, maxatt};
	bool broken = false;
	/* $2 (max_attempts) only appears with an attempts column */
	PGresult *res =
	    pg_query(conn, sql, q->attempts ? 2 : 1, params, ctx->deadline, err, sizeof err, &broken);
	free(sql);
	if (!res)
		return !broken; /* the counts are in: the list is a bonus */
	json_t *list = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		char id[64], text[OUTBOX_ERROR_SHOWN];
		text_clean(id, sizeof id, PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0));
		json_t *row = json_pack("{s:s}", "id", id);
		int64_t attempts;
		json_object_set_new(row, "attempts",
		                    parse_i64(PQgetvalue(res, i, 1), &attempts) ? json_integer(attempts)
		                                                                : json_null());
		if (PQgetisnull(res, i, 2))
			json_object_set_new(row, "last_error", json_null());
		else
			json_object_set_new(row, "last_error",
			                    json_string(text_clean(text, sizeof text, PQgetvalue(res, i, 2),
			                                           (size_t)PQgetlength(res, i, 2))));
		json_array_append_new(list, row);
	}
	PQclear(res);
	json_object_set_new(out->detail ? out->detail : (out->detail = json_object()), "first_poison_rows",
	                    list);
	return true;
}

static enum probe_result outbox_poll(const struct probe_ctx *ctx, struct sample *out)
{
	const struct outbox_opts *st = outbox_opts(ctx->st);
	PGconn *conn = ctx->session;
	struct outbox_sql q;
	if (!outbox_sql_quote(conn, st, &q, out))
		return PROBE_FAILED;
	if (ctx->poll_no % EXPLAIN_EVERY == 0 && !outbox_explain(ctx, conn, &q)) {
		sample_set_error(out, "timeout: the server did not answer in time");
		outbox_sql_free(&q);
		return PROBE_BROKEN;
	}
	const char *hint = *ctx->memo ? json_string_value(json_object_get(*ctx->memo, "index_hint")) : NULL;

	/* Pending rows are split in two: deliverable (a working relay can still send them: the
	   backlog) and poisoned (at max attempts or with an error: failed). */
	char *failed = failed_clause(&q);
	char *deliverable = failed ? xasprintf("(%s) AND NOT COALESCE(%s, false)", st->pending, failed)
	                           : xasprintf("(%s)", st->pending);
	/* One round trip; the capped counts stop at count_cap + 1 rows (fast with the partial index).
	   max(id) is qualified (o.id) so that ORDER BY sorts the column, not its text cast.
	   With a failed clause, the failed rows are read once (f: their count up to the cap and the
	   oldest, in the order of the created column) and the deliverable count is every pending row
	   counted up to cap + 1 + failed, less the failed: an index-only scan of the partial index
	   instead of a heap visit per row. On 10M rows with 200k pending (bench/pg_cost.sh) that is
	   half the time of the three scans of the pending rows it replaces; with outbox_failed_idx
	   this and the poison list take a tenth of what they took before. Only when the failed count itself
	   reached the cap are the deliverable rows counted by their own predicate (a CASE branch runs only
	   when taken). */
	char *sql =
	    failed ? xasprintf("WITH f AS MATERIALIZED (SELECT count(*) AS n,"
	                       " EXTRACT(EPOCH FROM (now() - min(c)))::float8 AS age"
	                       " FROM (SELECT %s AS c FROM %s WHERE (%s) AND %s ORDER BY %s LIMIT $1) x)"
	                       " SELECT CASE WHEN f.n < $1 THEN (SELECT count(*) - f.n FROM"
	                       " (SELECT 1 FROM %s WHERE (%s) LIMIT $1 + (SELECT n FROM f)) a)"
	                       " ELSE (SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s LIMIT $1) p) END,"
	                       " (SELECT EXTRACT(EPOCH FROM (now() - min(%s)))::float8 FROM %s WHERE %s),"
	                       " f.n, f.age,"
	                       " (SELECT o.%s::text FROM %s o ORDER BY o.%s DESC LIMIT 1) FROM f",
	                       q.created, q.rel, st->pending, failed, q.created, q.rel, st->pending, q.rel,
	                       deliverable, q.created, q.rel, deliverable, q.id, q.rel, q.id)
	           : xasprintf("SELECT (SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s LIMIT $1) p),"
	                       " (SELECT EXTRACT(EPOCH FROM (now() - min(%s)))::float8 FROM %s WHERE %s),"
	                       " NULL::bigint, NULL::float8,"
	                       " (SELECT o.%s::text FROM %s o ORDER BY o.%s DESC LIMIT 1)",
	                       q.rel, deliverable, q.created, q.rel, deliverable, q.id, q.rel, q.id);
	char cap1[32], maxatt[32];
	snprintf(cap1, sizeof cap1, "%" PRId64, st->count_cap + 1);
	snprintf(maxatt, sizeof maxatt, "%" PRId64, st->max_attempts);
	const char *params[2] = {cap1, maxatt};
	bool broken = false;
	int nparams = q.attempts ? 2 : 1; /* $2 (max_attempts) only appears with an attempts column */
	PGresult *res =
	    pg_query(conn, sql, nparams, params, ctx->deadline, out->err, sizeof out->err, &broken);
	free(sql);
	free(deliverable);
	if (!res) {
		out->ok = false;
		if (hint) /* most likely why a count ran out of time */
			snappendf(out->err, sizeof out->err, "; no index serves the pending predicate: %s",
			          hint);
		free(failed);
		outbox_sql_free(&q);
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	}

	int64_t pending = 0, nfailed = 0, max_id = 0;
	parse_i64(PQgetvalue(res, 0, 0), &pending);
	bool capped = pending > st->count_cap, fcapped = false, have_failed = false;
	if (capped)
		pending = st->count_cap;
	json_object_set_new(out->metrics, "pending", json_integer(pending));
	json_object_set_new(out->metrics, "pending_capped", json_boolean(capped));
	json_object_set_new(out->metrics, "oldest_pending_age_s",
	                    json_real(PQgetisnull(res, 0, 1) ? 0.0 : strtod(PQgetvalue(res, 0, 1), NULL)));
	if (!PQgetisnull(res, 0, 2) && parse_i64(PQgetvalue(res, 0, 2), &nfailed)) {
		have_failed = true;
		fcapped = nfailed > st->count_cap;
		if (fcapped)
			nfailed = st->count_cap;
		json_object_set_new(out->metrics, "failed", json_integer(nfailed));
		json_object_set_new(out->metrics, "oldest_failed_age_s",
		                    PQgetisnull(res, 0, 3) ? json_null()
		                                           : json_real(strtod(PQgetvalue(res, 0, 3), NULL)));
	}
	out->raw = json_object();
	bool have_id = PQgetisnull(res, 0, 4) || parse_i64(PQgetvalue(res, 0, 4), &max_id); /* 0: empty */
	if (have_id)
		json_object_set_new(out->raw, "max_id", json_integer(max_id));
	/* Every pending row, poisoned or not, when neither count stopped at the cap: rows leave
	   it only when processed (the drain). */
	if (!capped && !fcapped) {
		json_object_set_new(out->raw, "all_pending", json_integer(pending + nfailed));
		if (have_id)
			outbox_positions(out->raw, max_id, pending + nfailed, nfailed);
	}
	PQclear(res);

	bool ok = !have_failed || nfailed == 0 || read_poison(ctx, conn, &q, failed, out);
	free(failed);
	outbox_sql_free(&q);
	if (!ok) {
		sample_set_error(out, "timeout: the server did not answer in time");
		return PROBE_BROKEN;
	}
	if (hint) {
		json_object_set_new(out->raw, "index_hint", json_string(hint));
		json_object_set(out->raw, "table_rows", json_object_get(*ctx->memo, "table_rows"));
	}
	return read_control(ctx, conn, out);
}

/* inflow from the growth of max(id); drain = inflow - growth of every pending row (poisoned
   too: a row leaves them only when processed). Null when the id is not an integer, a count
   was capped, or a counter went backwards. Then the window over the history (drain.c). */
static void outbox_derive(const struct stage_cfg *st, const struct sample *prev, struct sample *cur)
{
	double dt = cur->mono - prev->mono;
	double id0, id1, a0, a1, inflow;
	if (!metric_num(prev->raw, "max_id", &id0) || !metric_num(cur->raw, "max_id", &id1))
		return;
	if (!rate_per_s(id0, id1, dt, &inflow))
		return;
	json_object_set_new(cur->metrics, "inflow_per_s", json_real(inflow));
	if (metric_num(prev->raw, "all_pending", &a0) && metric_num(cur->raw, "all_pending", &a1)) {
		double drain = inflow - (a1 - a0) / dt;
		json_object_set_new(cur->metrics, "drain_per_s", json_real(drain < 0 ? 0.0 : drain));
	}
	outbox_window_derive(st, prev, cur);
}

const struct probe outbox_probe = {
    .poll = outbox_poll,
    .derive = outbox_derive,
    .actions = outbox_actions,
};
