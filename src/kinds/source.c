/* source.c: a copy's source, read with the user's SQL on the probe's own PostgreSQL session. */
/* needs: postgres */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/pg.h"
#include "kinds/source.h"
#include "util.h"

void source_close(void *aux)
{
	if (aux)
		pg_backend.close(aux);
}

/* The user's SQL without trailing blanks and semicolons (it becomes a subquery). */
static char *trim_sql(const char *sql)
{
	size_t n = strlen(sql);
	while (n > 0 && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\t' || sql[n - 1] == '\n'))
		n--;
	return xasprintf("%.*s", (int)n, sql);
}

/* One value (first row, first column) as a number; false with the reason in why. */
static bool source_value(const struct probe_ctx *ctx, struct conn *source, const char *sql, double *out,
                         char *why, size_t n)
{
	if (!*ctx->aux) {
		*ctx->aux = pg_backend.open(ctx->cfg, source, ctx->deadline, why, n);
		if (!*ctx->aux)
			return false;
	}
	bool broken = false;
	PGresult *res = pg_query(*ctx->aux, sql, 0, NULL, ctx->deadline, why, n, &broken);
	if (broken) {
		pg_backend.close(*ctx->aux);
		*ctx->aux = NULL;
	}
	if (!res)
		return false;
	bool ok = false;
	if (PQntuples(res) < 1 || PQnfields(res) < 1) {
		snprintf(why, n, "the query returned no row");
	} else if (PQgetisnull(res, 0, 0)) {
		snprintf(why, n, "the query returned NULL");
	} else {
		char *end;
		*out = strtod(PQgetvalue(res, 0, 0), &end);
		ok = *end == '\0' && isfinite(*out);
		if (!ok)
			snprintf(why, n, "the query returned '%.40s', not a number", PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	return ok;
}

void source_read(const struct probe_ctx *ctx, struct conn *source, const char *count_sql,
                 const char *freshness_sql, struct source_read *r)
{
	if (count_sql)
		r->count_ok =
		    source_value(ctx, source, count_sql, &r->count, r->count_why, sizeof r->count_why);
	if (freshness_sql) {
		char *inner = trim_sql(freshness_sql);
		char *sql = xasprintf("SELECT extract(epoch FROM s.t)::float8 FROM (%s) AS s(t)", inner);
		r->newest_ok =
		    source_value(ctx, source, sql, &r->newest, r->newest_why, sizeof r->newest_why);
		free(sql);
		free(inner);
	}
}
