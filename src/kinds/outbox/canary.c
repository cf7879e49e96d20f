/* canary.c: the outbox's part of the end-to-end canary (canary.h): the marker's insert and
   cleanup (through the write executor) and its first hop, "processed by the relay". */
/* needs: postgres */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/pg.h"
#include "kinds/outbox/outbox.h"
#include "util.h"

/* The reference schema's marker (share/sql/outbox.sql): an ordinary event of its own type. */
#define MARKER_TYPE "synctop-canary"

/* outbox.table and outbox.id_column quoted (free both), or false with err. */
static bool quoted(const struct probe_ctx *ctx, char **rel, char **id, char *err, size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	*rel = pg_quote_relation(ctx->session, o->table);
	*id = pg_quote_ident(ctx->session, o->id_column);
	if (*rel && *id)
		return true;
	snprintf(err, n, "canary: cannot quote %s", *rel ? o->id_column : o->table);
	free(*rel);
	free(*id);
	return false;
}

static char *default_sql(const struct probe_ctx *ctx, bool cleanup, char *err, size_t n)
{
	const struct outbox_opts *o = outbox_opts(ctx->st);
	char *rel, *id;
	if (!quoted(ctx, &rel, &id, err, n))
		return NULL;
	char *sql = cleanup ? xasprintf("DELETE FROM %s WHERE aggregate_type = '" MARKER_TYPE
	                                "' AND aggregate_id = $1 AND %s = $2 AND NOT (%s)",
	                                rel, id, o->pending)
	                    : xasprintf("INSERT INTO %s (aggregate_type, aggregate_id, event_type, payload) "
	                                "VALUES ('" MARKER_TYPE "', $1, '" MARKER_TYPE "', "
	                                "jsonb_build_object('canary', $1::text)) RETURNING %s",
	                                rel, id);
	free(rel);
	free(id);
	return sql;
}

/* One statement in its own READ WRITE transaction; its result (PQclear it), or NULL with err
   and *r. */
static PGresult *write_tx(const struct probe_ctx *ctx, const char *sql, int np, const char *const *params,
                          char *err, size_t n, enum probe_result *r)
{
	bool broken = false;
	*r = PROBE_FAILED;
	/* The session is read-only by default (backend/pg.c): this one transaction may write. */
	PGresult *res = pg_query(ctx->session, "BEGIN READ WRITE", 0, NULL, ctx->deadline, err, n, &broken);
	if (!res) {
		*r = broken ? PROBE_BROKEN : PROBE_FAILED;
		return NULL;
	}
	PQclear(res);
	PGresult *out = pg_query(ctx->session, sql, np, params, ctx->deadline, err, n, &broken);
	if (!out) {
		char rerr[128];
		if (!broken)
			PQclear(pg_query(ctx->session, "ROLLBACK", 0, NULL, ctx->deadline, rerr, sizeof rerr,
			                 &broken));
		snappendf(err, n, " (rolled back: nothing was applied)");
		*r = broken ? PROBE_BROKEN : PROBE_FAILED;
		return NULL;
	}
	res = pg_query(ctx->session, "COMMIT", 0, NULL, ctx->deadline, err, n, &broken);
	if (!res) {
		snappendf(err, n,
		          broken ? " (the connection broke during COMMIT: whether it applied is unknown)"
		                 : " (COMMIT failed: nothing was applied)");
		PQclear(out);
		*r = broken ? PROBE_BROKEN : PROBE_FAILED;
		return NULL;
	}
	PQclear(res);
	*r = PROBE_OK;
	return out;
}

/* The insert, or the cleanup: m's statement (or the default) with the marker as $1; the
   default cleanup pins its row as $2 too. */
static enum probe_result marker_write(const struct probe_ctx *ctx, const json_t *m, bool cleanup,
                                      json_t **out, char *err, size_t n)
{
	const char *marker = json_string_value(json_object_get(m, "marker"));
	const char *given = json_string_value(json_object_get(m, "sql"));
	char *sql = given ? xstrdup(given) : default_sql(ctx, cleanup, err, n);
	if (!sql || !marker) {
		free(sql);
		return PROBE_FAILED;
	}
	char row[32];
	snprintf(row, sizeof row, "%lld", (long long)json_integer_value(json_object_get(m, "row")));
	const char *params[2] = {marker, row};
	enum probe_result r;
	PGresult *res = write_tx(ctx, sql, cleanup && !given ? 2 : 1, params, err, n, &r);
	if (res && !cleanup && (PQntuples(res) != 1 || PQnfields(res) < 1 || PQgetisnull(res, 0, 0))) {
		snprintf(err, n, "canary.insert returned %d rows, not the one row id (it was committed)",
		         PQntuples(res));
		r = PROBE_FAILED;
	} else if (res && !cleanup) {
		*out =
		    json_pack("{s:I, s:s, s:I}", "row", (json_int_t)strtoll(PQgetvalue(res, 0, 0), NULL, 10),
		              "sent", sql, "affected", (json_int_t)1);
	} else if (res) {
		*out = json_pack("{s:I, s:s}", "affected", (json_int_t)strtoll(PQcmdTuples(res), NULL, 10),
		                 "sent", sql);
	}
	PQclear(res);
	free(sql);
	return r;
}

static enum probe_result canary_insert(const struct probe_ctx *ctx, const json_t *m, json_t **out, char *err,
                                       size_t n)
{
	return marker_write(ctx, m, false, out, err, n);
}

static enum probe_result canary_cleanup(const struct probe_ctx *ctx, const json_t *m, json_t **out, char *err,
                                        size_t n)
{
	return marker_write(ctx, m, true, out, err, n);
}

/* Processed by the relay: the marker's row no longer matches outbox.pending (or is gone). */
static enum probe_result canary_hop(const struct probe_ctx *ctx, const struct sample *cur, double polled,
                                    json_t *m, bool *seen, char *err, size_t n)
{
	(void)cur; /* it asks for the marker's row itself, now */
	(void)polled;
	const struct outbox_opts *o = outbox_opts(ctx->st);
	*seen = false;
	char *rel, *id;
	if (!quoted(ctx, &rel, &id, err, n))
		return PROBE_FAILED;
	char *sql = xasprintf("SELECT count(*) FROM %s WHERE %s = $1 AND (%s)", rel, id, o->pending);
	free(rel);
	free(id);
	char row[32];
	snprintf(row, sizeof row, "%lld", (long long)json_integer_value(json_object_get(m, "row")));
	const char *params[1] = {row};
	bool broken = false;
	PGresult *res = pg_query(ctx->session, sql, 1, params, ctx->deadline, err, n, &broken);
	free(sql);
	if (!res)
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	*seen = PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "0");
	PQclear(res);
	return PROBE_OK;
}

const struct probe_canary outbox_canary = {
    .insert = canary_insert,
    .hop = canary_hop,
    .cleanup = canary_cleanup,
};
