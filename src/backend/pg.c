/* pg.c: PostgreSQL sessions for probes: non-blocking libpq under a deadline, read-only by construction. */
#include "backend/pg.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* First line of a libpq message, without the "ERROR:  " noise and trailing newline. */
static void first_line(char *dst, size_t n, const char *msg)
{
	if (!msg || !*msg)
		msg = "unknown error";
	if (strncmp(msg, "ERROR:  ", 8) == 0)
		msg += 8;
	size_t len = strcspn(msg, "\n");
	if (len >= n)
		len = n - 1;
	memcpy(dst, msg, len);
	dst[len] = '\0';
}

/* Server notices (a NOTICE raised by a function in a predicate, say) would go to stderr,
   under the screen or into a check's one-line output: synctop keeps them off both. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void *pg_open(const struct config *cfg, const struct conn *c, double deadline, char *err, size_t n)
{
	const char *const keys[] = {"dbname", "fallback_application_name", NULL};
	const char *const vals[] = {c->conninfo, "synctop", NULL};
	PGconn *conn = PQconnectStartParams(keys, vals, 1);
	if (!conn) {
		strlcpy_safe(err, "out of memory starting a connection", n);
		return NULL;
	}
	if (PQstatus(conn) == CONNECTION_BAD) {
		first_line(err, n, PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	while (st != PGRES_POLLING_OK) {
		if (st == PGRES_POLLING_FAILED) {
			first_line(err, n, PQerrorMessage(conn));
			PQfinish(conn);
			return NULL;
		}
		int r = wait_socket(PQsocket(conn), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
		if (r <= 0) {
			snprintf(err, n, "%s connecting (the server did not answer in time)",
			         r == 0 ? "timeout" : strerror(errno));
			PQfinish(conn);
			return NULL;
		}
		st = PQconnectPoll(conn);
	}
	if (PQsetnonblocking(conn, 1) != 0) {
		first_line(err, n, PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	/* Read-only by construction: every transaction of this session is read-only, and the
	   server gives up on a statement by itself shortly after our own deadline. No parallel
	   workers: a poll would take them from the application (on 10M outbox rows a parallel scan
	   of the pending rows took 55-108 ms where a serial one takes 25 ms: bench/pg_cost.sh). */
	long ms = lround(conn_timeout(cfg, c) * 1000.0);
	char sql[256];
	snprintf(sql, sizeof sql,
	         "SELECT set_config('default_transaction_read_only', 'on', false), "
	         "set_config('statement_timeout', '%ld', false), set_config('lock_timeout', '%ld', false), "
	         "set_config('max_parallel_workers_per_gather', '0', false)",
	         ms, ms);
	bool broken = false;
	PGresult *res = pg_query(conn, sql, 0, NULL, deadline, err, n, &broken);
	if (!res) {
		PQfinish(conn);
		return NULL;
	}
	PQclear(res);
	return conn;
}

static void pg_close(void *session)
{
	if (session)
		PQfinish(session);
}

const struct backend pg_backend = {
    .kind = CONN_POSTGRES,
    .open = pg_open,
    .close = pg_close,
};

/* Appends the one row of single-row result r to result, counting its bytes; false when that
   passes PG_RESULT_MAX or memory runs out. */
static bool add_row(PGresult *result, const PGresult *r, size_t *bytes)
{
	int row = PQntuples(result);
	for (int c = 0; c < PQnfields(r); c++) {
		bool null = PQgetisnull(r, 0, c);
		int len = null ? -1 : PQgetlength(r, 0, c);
		*bytes += (size_t)(null ? 0 : len) + 16;
		if (*bytes > PG_RESULT_MAX ||
		    !PQsetvalue(result, row, c, null ? NULL : PQgetvalue(r, 0, c), len))
			return false;
	}
	return true;
}

PGresult *pg_query(PGconn *conn, const char *sql, int nparams, const char *const *params, double deadline,
                   char *err, size_t n, bool *broken)
{
	*broken = false;
	if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0)) {
		first_line(err, n, PQerrorMessage(conn));
		*broken = PQstatus(conn) != CONNECTION_OK;
		return NULL;
	}
	int fl;
	while ((fl = PQflush(conn)) == 1) {
		if (wait_socket(PQsocket(conn), POLLOUT | POLLIN, deadline) <= 0)
			goto timeout;
		if (!PQconsumeInput(conn))
			goto lost;
	}
	if (fl < 0)
		goto lost;

	/* Row by row, so that a result past PG_RESULT_MAX is refused before it is all in memory
	   (a hostile server can stream rows forever). */
	PQsetSingleRowMode(conn);
	PGresult *result = NULL;
	size_t bytes = 0;
	for (;;) {
		while (PQisBusy(conn)) {
			if (wait_socket(PQsocket(conn), POLLIN, deadline) <= 0) {
				PQclear(result);
				goto timeout;
			}
			if (!PQconsumeInput(conn)) {
				PQclear(result);
				goto lost;
			}
		}
		PGresult *r = PQgetResult(conn);
		if (!r)
			break;
		if (PQresultStatus(r) == PGRES_SINGLE_TUPLE) {
			if (!result)
				result = PQcopyResult(r, PG_COPYRES_ATTRS);
			if (!result || !add_row(result, r, &bytes)) {
				PQclear(r);
				PQclear(result);
				snprintf(err, n,
				         "the result is larger than %u MiB (synctop's cap on a query result)",
				         PG_RESULT_MAX >> 20);
				*broken = true; /* the rest is still coming: drop the session */
				return NULL;
			}
			PQclear(r);
		} else if (!result || PQresultStatus(r) == PGRES_FATAL_ERROR) {
			PQclear(result); /* an error after rows wins: the rows are not all there */
			result = r;
		} else {
			PQclear(r); /* the end of the rows (or a later statement's): keep the first */
		}
	}
	if (!result)
		goto lost;
	ExecStatusType st = PQresultStatus(result);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		first_line(err, n, PQresultErrorMessage(result));
		PQclear(result);
		*broken = PQstatus(conn) != CONNECTION_OK;
		return NULL;
	}
	return result;

timeout:
	strlcpy_safe(err, "timeout: the server did not answer in time", n);
	*broken = true; /* a late answer would be read as the next query's: drop the session */
	return NULL;
lost:
	first_line(err, n, PQerrorMessage(conn));
	*broken = true;
	return NULL;
}

char *pg_quote_ident(PGconn *conn, const char *name)
{
	char *q = PQescapeIdentifier(conn, name, strlen(name));
	if (!q)
		return NULL;
	char *copy = xstrdup(q);
	PQfreemem(q);
	return copy;
}

char *pg_quote_relation(PGconn *conn, const char *name)
{
	const char *dot = strchr(name, '.');
	/* Only a plain schema.table splits; anything else is one identifier, quoted whole. */
	if (!dot || strchr(dot + 1, '.') || strchr(name, '"') || dot == name || !dot[1])
		return pg_quote_ident(conn, name);
	char *schema = xstrndup(name, (size_t)(dot - name));
	char *qs = pg_quote_ident(conn, schema);
	char *qt = pg_quote_ident(conn, dot + 1);
	free(schema);
	char *out = qs && qt ? xasprintf("%s.%s", qs, qt) : NULL;
	free(qs);
	free(qt);
	return out;
}
