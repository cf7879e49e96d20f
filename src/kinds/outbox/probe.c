/* probe.c: the outbox stage: pending backlog, oldest pending age, failed rows, drain and inflow rates. */
/* needs: postgres */
#include <inttypes.h>
#include <stdint.h>
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
   is cheap, and it runs before the count (in the same round trip): when the count itself
   times out on a huge table, the advice is still there to say why. Two statements:
   explain_sql (free it) and EXPLAIN_ROWS_SQL with the table's name as $1. */
#define EXPLAIN_ROWS_SQL                                                                                     \
	"SELECT greatest(c.reltuples, 0)::bigint FROM pg_class c WHERE c.oid = to_regclass($1)"

static char *explain_sql(const struct outbox_opts *st, const struct outbox_sql *q)
{
	return xasprintf("EXPLAIN (FORMAT JSON) SELECT count(*) FROM %s WHERE (%s)", q->rel, st->pending);
}

/* The plan and the table's size into the memo. A missing table: the count says so in its own
   words. */
static void explain_apply(const struct probe_ctx *ctx, const struct outbox_sql *q, const PGresult *plan,
                          const PGresult *size)
{
	const struct outbox_opts *st = outbox_opts(ctx->st);
	if (!plan)
		return;
	bool seqscan = PQntuples(plan) > 0 && strstr(PQgetvalue(plan, 0, 0), "\"Node Type\": \"Seq Scan\"");
	int64_t rows = 0;
	if (size && PQntuples(size) > 0)
		parse_i64(PQgetvalue(size, 0, 0), &rows);

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
}

/* The worker's pause flag (outbox.control_table, the convention of share/sql/outbox.sql): its
   statement (free it; $1 the worker's name), or NULL when there is no control table to read
   (or outbox.paused_sql reads it: outbox_stmt_poll). */
static char *control_sql(PGconn *conn, const struct outbox_opts *st)
{
	if (outbox_by_statements(st) || !st->control_table || !*st->control_table)
		return NULL;
	char *rel = pg_quote_relation(conn, st->control_table);
	if (!rel)
		return NULL;
	char *sql = xasprintf("SELECT paused, EXTRACT(EPOCH FROM (now() - paused_at))::float8,"
	                      " to_char(paused_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	                      " FROM %s WHERE name = $1",
	                      rel);
	free(rel);
	return sql;
}

/* The pause flag from the control statement's answer (res, or the error err). A missing
   default table means the convention is not used: nothing to say. */
static void control_apply(const struct outbox_opts *st, const PGresult *res, const char *err,
                          struct sample *out)
{
	if (!res) {
		if (strcmp(st->control_table, "outbox_worker") != 0 || !strstr(err, "does not exist"))
			json_object_set_new(out->detail ? out->detail : (out->detail = json_object()),
			                    "control_error", json_string(err));
		return;
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

/* The statements of a poll, for the poll itself and for the round's prefetch (built alike,
   so that the poll finds the prefetched answers): the plan's look now and then, the counts,
   the pause flag. The poison rows follow only when there are any. In place: v[] points
   into the struct. */
struct poll_stmts {
	struct outbox_sql q;
	char *failed, *main, *plan, *ctl;
	char cap1[32], maxatt[32];
	const char *params[2], *table[1], *worker[1];
	struct pg_stmt v[4];
	size_t n, i_plan, i_main, i_ctl; /* SIZE_MAX: not in v */
};

static void poll_stmts_free(struct poll_stmts *ps)
{
	free(ps->failed);
	free(ps->main);
	free(ps->plan);
	free(ps->ctl);
	outbox_sql_free(&ps->q);
}

static bool poll_stmts_build(const struct probe_ctx *ctx, struct poll_stmts *ps, struct sample *out)
{
	const struct outbox_opts *st = outbox_opts(ctx->st);
	PGconn *conn = ctx->session;
	memset(ps, 0, sizeof *ps);
	if (!outbox_sql_quote(conn, st, &ps->q, out))
		return false;
	const struct outbox_sql *q = &ps->q;
	/* Pending rows are split in two: deliverable (a working relay can still send them: the
	   backlog) and poisoned (at max attempts or with an error: failed). */
	char *failed = ps->failed = failed_clause(q);
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
	ps->main =
	    failed ? xasprintf("WITH f AS MATERIALIZED (SELECT count(*) AS n,"
	                       " EXTRACT(EPOCH FROM (now() - min(c)))::float8 AS age"
	                       " FROM (SELECT %s AS c FROM %s WHERE (%s) AND %s ORDER BY %s LIMIT $1) x)"
	                       " SELECT CASE WHEN f.n < $1 THEN (SELECT count(*) - f.n FROM"
	                       " (SELECT 1 FROM %s WHERE (%s) LIMIT $1 + (SELECT n FROM f)) a)"
	                       " ELSE (SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s LIMIT $1) p) END,"
	                       " (SELECT EXTRACT(EPOCH FROM (now() - min(%s)))::float8 FROM %s WHERE %s),"
	                       " f.n, f.age,"
	                       " (SELECT o.%s::text FROM %s o ORDER BY o.%s DESC LIMIT 1) FROM f",
	                       q->created, q->rel, st->pending, failed, q->created, q->rel, st->pending,
	                       q->rel, deliverable, q->created, q->rel, deliverable, q->id, q->rel, q->id)
	           : xasprintf("SELECT (SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s LIMIT $1) p),"
	                       " (SELECT EXTRACT(EPOCH FROM (now() - min(%s)))::float8 FROM %s WHERE %s),"
	                       " NULL::bigint, NULL::float8,"
	                       " (SELECT o.%s::text FROM %s o ORDER BY o.%s DESC LIMIT 1)",
	                       q->rel, deliverable, q->created, q->rel, deliverable, q->id, q->rel, q->id);
	free(deliverable);
	snprintf(ps->cap1, sizeof ps->cap1, "%" PRId64, st->count_cap + 1);
	snprintf(ps->maxatt, sizeof ps->maxatt, "%" PRId64, st->max_attempts);
	ps->params[0] = ps->cap1;
	ps->params[1] = ps->maxatt;
	ps->table[0] = st->table;
	ps->worker[0] = st->worker;
	ps->i_plan = ps->i_ctl = SIZE_MAX;
	if (ctx->poll_no % EXPLAIN_EVERY == 0) {
		ps->plan = explain_sql(st, q);
		ps->i_plan = ps->n;
		ps->v[ps->n++] = (struct pg_stmt){.sql = ps->plan};
		ps->v[ps->n++] = (struct pg_stmt){.sql = EXPLAIN_ROWS_SQL, .nparams = 1, .params = ps->table};
	}
	ps->i_main = ps->n;
	/* $2 (max_attempts) only appears with an attempts column */
	ps->v[ps->n++] =
	    (struct pg_stmt){.sql = ps->main, .nparams = q->attempts ? 2 : 1, .params = ps->params};
	ps->ctl = control_sql(conn, st);
	if (ps->ctl) {
		ps->i_ctl = ps->n;
		ps->v[ps->n++] = (struct pg_stmt){.sql = ps->ctl, .nparams = 1, .params = ps->worker};
	}
	return true;
}

/* The round's prefetch: this stage's statements, but a pause flag already read in the round. */
static void outbox_prefetch(const struct probe_ctx *ctx)
{
	struct poll_stmts ps;
	struct sample scratch;
	sample_init(&scratch);
	if (!poll_stmts_build(ctx, &ps, &scratch))
		return;
	for (size_t i = 0; i < ps.n; i++) {
		PGresult *shared = NULL;
		char err[8];
		if (i == ps.i_ctl &&
		    pg_shared_get(ctx->session, ctx->round, ps.ctl, ps.worker[0], &shared, err, sizeof err)) {
			PQclear(shared);
			continue;
		}
		pg_prefetch_add(ctx->session, ctx->round, ps.v[i].sql, ps.v[i].nparams, ps.v[i].params);
	}
	poll_stmts_free(&ps);
}

static enum probe_result outbox_poll(const struct probe_ctx *ctx, struct sample *out)
{
	const struct outbox_opts *st = outbox_opts(ctx->st);
	PGconn *conn = ctx->session;
	struct poll_stmts ps;
	if (!poll_stmts_build(ctx, &ps, out))
		return PROBE_FAILED;
	const struct outbox_sql *q = &ps.q;
	const char *failed = ps.failed;
	struct pg_stmt *stmts = ps.v;
	size_t n = ps.n, i_plan = ps.i_plan, i_main = ps.i_main, i_ctl = ps.i_ctl;
	/* The pause flag is the same for every pipeline of the database: once a round. */
	struct pg_stmt ctl = {.sql = ps.ctl, .nparams = 1, .params = ps.worker};
	bool ctl_shared =
	    ps.ctl && pg_shared_get(conn, ctx->round, ps.ctl, st->worker, &ctl.res, ctl.err, sizeof ctl.err);
	if (ctl_shared)
		n--; /* the last: read in the round already */
	bool broken = !pg_query_batch(conn, stmts, n, ctx->deadline);
	if (i_ctl != SIZE_MAX && !ctl_shared && !broken)
		pg_shared_put(conn, ctx->round, ps.ctl, st->worker, stmts[i_ctl].res, stmts[i_ctl].err);
	if (ctl_shared)
		stmts[i_ctl] = ctl; /* past the batch: its answer came from this round's first read */
	if (i_plan != SIZE_MAX) {
		explain_apply(ctx, q, stmts[i_plan].res, stmts[i_plan + 1].res);
		PQclear(stmts[i_plan].res);
		PQclear(stmts[i_plan + 1].res);
	}
	const char *hint = *ctx->memo ? json_string_value(json_object_get(*ctx->memo, "index_hint")) : NULL;
	PGresult *res = stmts[i_main].res;
	if (!res) {
		PQclear(i_ctl != SIZE_MAX ? stmts[i_ctl].res : NULL);
		sample_set_error(out, "%s", stmts[i_main].err);
		if (hint) /* most likely why a count ran out of time */
			snappendf(out->err, sizeof out->err, "; no index serves the pending predicate: %s",
			          hint);
		poll_stmts_free(&ps);
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

	/* broken here: the counts came, the pause flag's read broke the session */
	bool ok = broken || !have_failed || nfailed == 0 || read_poison(ctx, conn, q, failed, out);
	poll_stmts_free(&ps);
	if (i_ctl != SIZE_MAX) {
		if (ok && !broken)
			control_apply(st, stmts[i_ctl].res, stmts[i_ctl].err, out);
		PQclear(stmts[i_ctl].res);
	}
	if (broken) {
		sample_set_error(out, "%s", stmts[n - 1].err);
		return PROBE_BROKEN;
	}
	if (!ok) {
		sample_set_error(out, "timeout: the server did not answer in time");
		return PROBE_BROKEN;
	}
	if (hint) {
		json_object_set_new(out->raw, "index_hint", json_string(hint));
		json_object_set(out->raw, "table_rows", json_object_get(*ctx->memo, "table_rows"));
	}
	return outbox_by_statements(st) ? outbox_stmt_poll(ctx, out) : PROBE_OK;
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
    .prefetch = outbox_prefetch,
    .derive = outbox_derive,
    .actions = outbox_actions,
    .canary = &outbox_canary,
};
