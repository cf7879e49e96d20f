/* replay_sql.c: the statements of the outbox replay: the scope's condition, the update, the insert of copies.
 */
/* needs: postgres */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/pg.h"
#include "kinds/outbox/replay.h"
#include "util.h"

enum replay_mode replay_mode(const struct outbox_opts *o)
{
	if (!strcmp(o->replay, "update"))
		return MODE_UPDATE;
	if (!strcmp(o->replay, "insert"))
		return MODE_INSERT;
	return MODE_SQL;
}

const char *const replay_mode_names[] = {"update", "insert", "sql"};

void replay_names_free(struct names *q)
{
	free(q->rel);
	free(q->id);
	free(q->created);
	free(q->attempts);
	free(q->error);
	free(q->type);
}

static char *quote_opt(PGconn *conn, const char *col, bool *bad)
{
	if (!col || !*col)
		return NULL;
	char *q = pg_quote_ident(conn, col);
	*bad |= !q;
	return q;
}

bool replay_names_quote(PGconn *conn, const struct outbox_opts *o, struct names *q, char *err, size_t n)
{
	memset(q, 0, sizeof *q);
	bool bad = false;
	q->rel = pg_quote_relation(conn, o->table);
	q->id = quote_opt(conn, o->id_column, &bad);
	q->created = quote_opt(conn, o->created_column, &bad);
	q->attempts = quote_opt(conn, o->attempts_column, &bad);
	q->error = quote_opt(conn, o->error_column, &bad);
	q->type = quote_opt(conn, o->type_column, &bad);
	if (bad || !q->rel || !q->id || !q->created || !q->type) {
		snprintf(err, n, "cannot quote the outbox table or column names: %s", PQerrorMessage(conn));
		replay_names_free(q);
		return false;
	}
	return true;
}

int replay_param_add(struct params *p, const char *v)
{
	p->v[p->n] = v ? xstrdup(v) : NULL;
	return ++p->n;
}

void replay_params_free(struct params *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->v[i]);
	p->n = 0;
}

/* The failed-row condition, as the probe counts failed rows; NULL when no column says so. */
static char *failed_cond(const struct names *q, struct params *p, int64_t max_attempts)
{
	char max[32];
	snprintf(max, sizeof max, "%" PRId64, max_attempts);
	if (q->attempts && q->error) {
		int k = replay_param_add(p, max);
		return xasprintf("(%s >= $%d OR %s IS NOT NULL)", q->attempts, k, q->error);
	}
	if (q->attempts) {
		int k = replay_param_add(p, max);
		return xasprintf("%s >= $%d", q->attempts, k);
	}
	if (q->error)
		return xasprintf("%s IS NOT NULL", q->error);
	return NULL;
}

/* The scope's condition with its parameters appended to p (from/to: the created range
   resolved to moments, NULL for an open end); NULL with err when it cannot be said. */
char *replay_scope_cond(const struct outbox_opts *o, const struct names *q, const struct outbox_scope *sc,
                        const char *from, const char *to, struct params *p, char *err, size_t n)
{
	char *c = NULL;
	char a[32], b[32];
	switch (sc->kind) {
	case SCOPE_FAILED: {
		char *f = failed_cond(q, p, o->max_attempts);
		if (!f) {
			snprintf(err, n,
			         "no row counts as failed: outbox.attempts_column and outbox.error_column "
			         "are both empty");
			return NULL;
		}
		c = xasprintf("(%s) AND %s", o->pending, f);
		free(f);
		break;
	}
	case SCOPE_IDS: {
		snprintf(a, sizeof a, "%" PRId64, sc->id_from);
		snprintf(b, sizeof b, "%" PRId64, sc->id_to);
		int k = replay_param_add(p, a);
		replay_param_add(p, b);
		c = xasprintf("%s BETWEEN $%d AND $%d", q->id, k, k + 1);
		break;
	}
	case SCOPE_CREATED:
		if (from && to) {
			int k = replay_param_add(p, from);
			replay_param_add(p, to);
			c = xasprintf("%s >= $%d::timestamptz AND %s < $%d::timestamptz", q->created, k,
			              q->created, k + 1);
		} else if (from) {
			c = xasprintf("%s >= $%d::timestamptz", q->created, replay_param_add(p, from));
		} else {
			c = xasprintf("%s < $%d::timestamptz", q->created, replay_param_add(p, to));
		}
		break;
	}
	if (sc->type[0]) {
		char *t = xasprintf("%s AND %s = $%d", c, q->type, replay_param_add(p, sc->type));
		free(c);
		c = t;
	}
	return c;
}

/* How a scope reads in a preview line. */
void replay_scope_words(const struct outbox_opts *o, const struct outbox_scope *sc, const char *from,
                        const char *to, char *buf, size_t n)
{
	switch (sc->kind) {
	case SCOPE_FAILED:
		snprintf(buf, n, "failed rows (pending, and at %" PRId64 " attempts or with an error)",
		         o->max_attempts);
		break;
	case SCOPE_IDS:
		snprintf(buf, n, "ids %" PRId64 " to %" PRId64, sc->id_from, sc->id_to);
		break;
	case SCOPE_CREATED:
		snprintf(buf, n, "created from %s to %s", from ? from : "the first row",
		         to ? to : "now (and after)");
		break;
	}
	if (sc->type[0])
		snappendf(buf, n, ", event type %s", sc->type);
}

/* Runs one statement; err gets its error. */
PGresult *replay_run(const struct probe_ctx *ctx, const char *sql, const struct params *p, char *err,
                     size_t n, bool *broken)
{
	return pg_query(ctx->session, sql, p ? p->n : 0, p ? (const char *const *)p->v : NULL, ctx->deadline,
	                err, n, broken);
}

/* The created range's ends as moments of the server's clock (a duration back from its now()). */
enum probe_result replay_resolve_range(const struct probe_ctx *ctx, const struct outbox_scope *sc,
                                       char **from, char **to, char *err, size_t n)
{
	*from = *to = NULL;
	if (sc->kind != SCOPE_CREATED)
		return PROBE_OK;
	struct params p = {0};
	char expr[2][192], v[32];
	const struct scope_end *ends[2] = {&sc->from, &sc->to};
	for (int i = 0; i < 2; i++) {
		if (ends[i]->kind == END_OPEN) {
			snprintf(expr[i], sizeof expr[i], "NULL::text");
			continue;
		}
		if (ends[i]->kind == END_AT) {
			int k = replay_param_add(&p, ends[i]->at);
			snprintf(expr[i], sizeof expr[i],
			         "to_char($%d::timestamptz AT TIME ZONE 'UTC', " TS_US ")", k);
		} else {
			snprintf(v, sizeof v, "%.3f", ends[i]->ago_s);
			int k = replay_param_add(&p, v);
			snprintf(
			    expr[i], sizeof expr[i],
			    "to_char((now() - make_interval(secs => $%d::float8)) AT TIME ZONE 'UTC', " TS_US
			    ")",
			    k);
		}
	}
	char *sql = xasprintf("SELECT %s, %s", expr[0], expr[1]);
	bool broken;
	PGresult *res = replay_run(ctx, sql, &p, err, n, &broken);
	free(sql);
	replay_params_free(&p);
	if (!res)
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	if (!PQgetisnull(res, 0, 0))
		*from = xstrdup(PQgetvalue(res, 0, 0));
	if (!PQgetisnull(res, 0, 1))
		*to = xstrdup(PQgetvalue(res, 0, 1));
	PQclear(res);
	return PROBE_OK;
}

static void add(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

/* The insert mode's copy: every column but the id, the created time and the delivery state
   (the outbox's own: attempts, error, and the reference schema's processed and processed_at),
   which take their defaults; an id or created column without one gets gen_random_uuid() (a
   uuid) or now(). "INSERT INTO rel (cols) SELECT cols FROM rel" without the WHERE. */
static enum probe_result insert_head(const struct probe_ctx *ctx, const struct outbox_opts *o,
                                     const struct names *q, char **head, char *err, size_t n)
{
	const char *sql =
	    "SELECT a.attname, a.atthasdef OR a.attidentity <> '', format_type(a.atttypid, NULL)"
	    " FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0"
	    " AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum";
	struct params p = {0};
	replay_param_add(&p, o->table);
	bool broken;
	PGresult *res = replay_run(ctx, sql, &p, err, n, &broken);
	replay_params_free(&p);
	if (!res)
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	if (PQntuples(res) == 0) {
		snprintf(err, n, "insert mode: the table %s does not exist or has no column", o->table);
		PQclear(res);
		return PROBE_FAILED;
	}
	struct sbuf into = {0}, sel = {0};
	enum probe_result r = PROBE_OK;
	for (int i = 0; i < PQntuples(res) && r == PROBE_OK; i++) {
		const char *col = PQgetvalue(res, i, 0);
		bool has_def = !strcmp(PQgetvalue(res, i, 1), "t");
		const char *expr = NULL;
		bool is_id = !strcmp(col, o->id_column), is_created = !strcmp(col, o->created_column);
		if (is_id || is_created) {
			if (has_def)
				continue;
			if (is_created)
				expr = "now()";
			else if (!strcmp(PQgetvalue(res, i, 2), "uuid"))
				expr = "gen_random_uuid()";
			else {
				snprintf(err, n,
				         "insert mode: the id column %s has no default, so a copy cannot get "
				         "a new id",
				         o->id_column);
				r = PROBE_FAILED;
				break;
			}
		} else if (!strcmp(col, o->attempts_column) || !strcmp(col, o->error_column) ||
		           !strcmp(col, "processed") || !strcmp(col, "processed_at")) {
			continue;
		}
		char *qc = pg_quote_ident(ctx->session, col);
		if (!qc) {
			snprintf(err, n, "cannot quote the column name %s", col);
			r = PROBE_FAILED;
			break;
		}
		if (into.len) {
			add(&into, ", ");
			add(&sel, ", ");
		}
		add(&into, qc);
		add(&sel, expr ? expr : qc);
		free(qc);
	}
	PQclear(res);
	if (r == PROBE_OK)
		*head = xasprintf("INSERT INTO %s (%s) SELECT %s FROM %s", q->rel, into.s ? into.s : "",
		                  sel.s ? sel.s : "", q->rel);
	free(into.s);
	free(sel.s);
	return r;
}

/* The statement apply runs, its scope parameters from $2 on in p. */
enum probe_result replay_apply_sql(const struct probe_ctx *ctx, const struct outbox_scope *sc,
                                   const char *from, const char *to, struct params *p, char **out, char *err,
                                   size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	*out = NULL;
	enum replay_mode mode = replay_mode(o);
	if (mode == MODE_SQL) {
		*out = xstrdup(o->replay);
		return PROBE_OK;
	}
	struct names q;
	if (!replay_names_quote(ctx->session, o, &q, err, n))
		return PROBE_FAILED;
	replay_param_add(p, NULL); /* $1: the ids */
	char *cond = replay_scope_cond(o, &q, sc, from, to, p, err, n);
	enum probe_result r = cond ? PROBE_OK : PROBE_FAILED;
	if (cond && mode == MODE_UPDATE) {
		struct sbuf set = {0};
		add(&set, "processed = false, processed_at = NULL");
		if (q.attempts) {
			add(&set, ", ");
			add(&set, q.attempts);
			add(&set, " = 0");
		}
		if (q.error) {
			add(&set, ", ");
			add(&set, q.error);
			add(&set, " = NULL");
		}
		*out = xasprintf("UPDATE %s SET %s WHERE %s = ANY($1) AND %s", q.rel, set.s, q.id, cond);
		free(set.s);
	} else if (cond) {
		char *head = NULL;
		r = insert_head(ctx, o, &q, &head, err, n);
		if (r == PROBE_OK)
			*out = xasprintf("%s WHERE %s = ANY($1) AND %s ORDER BY %s RETURNING %s", head, q.id,
			                 cond, q.id, q.id);
		free(head);
	}
	free(cond);
	replay_names_free(&q);
	return r;
}

/* The PostgreSQL array literal of the pinned ids ("{"101","102"}"), NULL when one is neither a
   whole number nor a string. Untyped, $1 takes the type of the id column (id = ANY($1)). */
char *replay_id_array(const json_t *ids)
{
	struct sbuf b = {0};
	size_t i;
	const json_t *v;
	add(&b, "{");
	json_array_foreach(ids, i, v)
	{
		char num[32];
		if (i)
			add(&b, ",");
		if (json_is_integer(v)) {
			snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			add(&b, num);
		} else if (json_is_string(v)) {
			add(&b, "\"");
			for (const char *c = json_string_value(v); *c; c++) {
				if (*c == '"' || *c == '\\')
					add(&b, "\\");
				sbuf_addn(&b, c, 1);
			}
			add(&b, "\"");
		} else {
			free(b.s);
			return NULL;
		}
	}
	add(&b, "}");
	return b.s;
}
