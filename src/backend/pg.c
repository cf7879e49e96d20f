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

static bool batch_send(PGconn *conn, struct pg_stmt *stmts, size_t count, double deadline);

/* The answers shared in the round, per worker thread (one session a thread). */
struct shared_answer {
	char *key; /* sql, a 0x1f, the parameter */
	PGresult *res;
	char *err;
};
static _Thread_local struct {
	PGconn *conn;
	unsigned long round;
	struct shared_answer *v;
	size_t n;
} shared;

static void shared_drop(void)
{
	for (size_t i = 0; i < shared.n; i++) {
		free(shared.v[i].key);
		PQclear(shared.v[i].res);
		free(shared.v[i].err);
	}
	free(shared.v);
	memset(&shared, 0, sizeof shared);
}

static struct shared_answer *shared_find(PGconn *conn, unsigned long round, const char *key)
{
	if (shared.conn != conn || shared.round != round)
		return NULL;
	for (size_t i = 0; i < shared.n; i++)
		if (!strcmp(shared.v[i].key, key))
			return &shared.v[i];
	return NULL;
}

bool pg_shared_get(PGconn *conn, unsigned long round, const char *sql, const char *param, PGresult **res,
                   char *err, size_t n)
{
	char *key = xasprintf("%s\x1f%s", sql, param ? param : "");
	const struct shared_answer *a = round ? shared_find(conn, round, key) : NULL;
	free(key);
	if (!a)
		return false;
	*res = a->res ? PQcopyResult(a->res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES) : NULL;
	if (!a->res)
		strlcpy_safe(err, a->err, n);
	return true;
}

void pg_shared_put(PGconn *conn, unsigned long round, const char *sql, const char *param, const PGresult *res,
                   const char *err)
{
	if (!round)
		return;
	if (shared.conn != conn || shared.round != round) {
		shared_drop();
		shared.conn = conn;
		shared.round = round;
	}
	shared.v = xrealloc(shared.v, (shared.n + 1) * sizeof *shared.v);
	struct shared_answer *a = &shared.v[shared.n++];
	a->key = xasprintf("%s\x1f%s", sql, param ? param : "");
	a->res = res ? PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES) : NULL;
	a->err = res ? NULL : xstrdup(err ? err : "");
}

/* Statements queued by the probes' prefetch for this round (pg_prefetch_add), then their
   answers (pg_prefetch_run), each taken once by the pg_query or pg_query_batch that asks the
   same statement with the same parameters. Per worker thread. */
struct prefetched {
	char *sql;
	char **params;
	int nparams;
	unsigned uses; /* queued by this many polls; taken once by each */
	bool answered;
	bool broken; /* no answer: the session broke on the way */
	PGresult *res;
	char err[256];
};
static _Thread_local struct {
	PGconn *conn;
	unsigned long round;
	struct prefetched *v;
	size_t n;
	bool broken; /* the prefetch broke the session: nothing more may be sent on it */
	char err[256];
} pre;

static void prefetch_drop(void)
{
	for (size_t i = 0; i < pre.n; i++) {
		free(pre.v[i].sql);
		for (int j = 0; j < pre.v[i].nparams; j++)
			free(pre.v[i].params[j]);
		free(pre.v[i].params);
		PQclear(pre.v[i].res);
	}
	free(pre.v);
	memset(&pre, 0, sizeof pre);
}

static bool same_stmt(const struct prefetched *p, const char *sql, int nparams, const char *const *params)
{
	if (p->nparams != nparams || strcmp(p->sql, sql) != 0)
		return false;
	for (int i = 0; i < nparams; i++)
		if ((!params[i]) != (!p->params[i]) || (params[i] && strcmp(params[i], p->params[i]) != 0))
			return false;
	return true;
}

static struct prefetched *prefetch_find(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	if (pre.conn != conn)
		return NULL;
	for (size_t i = 0; i < pre.n; i++)
		if (same_stmt(&pre.v[i], sql, nparams, params))
			return &pre.v[i];
	return NULL;
}

void pg_prefetch_add(PGconn *conn, unsigned long round, const char *sql, int nparams,
                     const char *const *params)
{
	if (!round)
		return;
	if (pre.conn != conn || pre.round != round) {
		prefetch_drop();
		pre.conn = conn;
		pre.round = round;
	}
	struct prefetched *p = prefetch_find(conn, sql, nparams, params);
	if (p && !p->answered) {
		p->uses++;
		return;
	}
	pre.v = xrealloc(pre.v, (pre.n + 1) * sizeof *pre.v);
	p = &pre.v[pre.n++];
	memset(p, 0, sizeof *p);
	p->sql = xstrdup(sql);
	p->nparams = nparams;
	p->params = xcalloc((size_t)(nparams ? nparams : 1), sizeof *p->params);
	for (int i = 0; i < nparams; i++)
		p->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	p->uses = 1;
}

bool pg_prefetch_run(void *session, unsigned long round, double deadline, char *err, size_t n)
{
	PGconn *conn = session;
	if (pre.conn != conn || pre.round != round)
		return true;
	size_t k = 0;
	struct pg_stmt *stmts = xcalloc(pre.n ? pre.n : 1, sizeof *stmts);
	size_t *which = xcalloc(pre.n ? pre.n : 1, sizeof *which);
	for (size_t i = 0; i < pre.n; i++)
		if (!pre.v[i].answered) {
			which[k] = i;
			stmts[k++] = (struct pg_stmt){.sql = pre.v[i].sql,
			                              .nparams = pre.v[i].nparams,
			                              .params = (const char *const *)pre.v[i].params};
		}
	bool ok = batch_send(conn, stmts, k, deadline);
	for (size_t i = 0; i < k; i++) {
		struct prefetched *p = &pre.v[which[i]];
		p->answered = true;
		p->res = stmts[i].res;
		p->broken = !ok && !p->res;
		strlcpy_safe(p->err, stmts[i].err, sizeof p->err);
	}
	if (!ok) {
		/* The answers that came stay for their polls; the first that finds none says why and
		   drops the session (PROBE_BROKEN), as it would have when asking itself. */
		pre.broken = true;
		strlcpy_safe(pre.err, k ? stmts[k - 1].err : "the session broke", sizeof pre.err);
		strlcpy_safe(err, pre.err, n);
	}
	free(stmts);
	free(which);
	return ok;
}

/* A session the prefetch broke: true, with the reason, for whatever would be sent on it. */
static bool prefetch_broke(PGconn *conn, char *err, size_t n)
{
	if (pre.conn != conn || !pre.broken)
		return false;
	strlcpy_safe(err, pre.err, n);
	return true;
}

static void pg_prefetch_end(void *session)
{
	if (pre.conn == session)
		prefetch_drop();
}

/* The prefetched answer of this statement, taken (true; *broken set when the session broke
   before it came), or false when there is none. */
static bool prefetch_take(PGconn *conn, const char *sql, int nparams, const char *const *params,
                          PGresult **res, char *err, size_t n, bool *broken)
{
	struct prefetched *p = prefetch_find(conn, sql, nparams, params);
	if (!p || !p->answered || !p->uses)
		return false;
	*broken |= p->broken;
	if (--p->uses == 0) {
		*res = p->res;
		p->res = NULL;
	} else {
		*res = p->res ? PQcopyResult(p->res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES) : NULL;
	}
	if (!*res)
		strlcpy_safe(err, p->err, n);
	return true;
}

static void pg_close(void *session)
{
	if (session && shared.conn == session)
		shared_drop();
	if (session && pre.conn == session)
		prefetch_drop();
	if (session)
		PQfinish(session);
}

const struct backend pg_backend = {
    .kind = CONN_POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .prefetch_run = pg_prefetch_run,
    .prefetch_end = pg_prefetch_end,
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

/* Sends what libpq has buffered, reading what comes meanwhile (a long pipeline's results can
   fill the socket before all of it is sent). 0, or -1 timeout, -2 lost. */
static int flush_all(PGconn *conn, double deadline)
{
	int fl;
	while ((fl = PQflush(conn)) == 1) {
		if (wait_socket(PQsocket(conn), POLLOUT | POLLIN, deadline) <= 0)
			return -1;
		if (!PQconsumeInput(conn))
			return -2;
	}
	return fl < 0 ? -2 : 0;
}

/* Waits until PQgetResult will not block. 0, or -1 timeout, -2 lost. */
static int wait_result(PGconn *conn, double deadline)
{
	while (PQisBusy(conn)) {
		if (wait_socket(PQsocket(conn), POLLIN, deadline) <= 0)
			return -1;
		if (!PQconsumeInput(conn))
			return -2;
	}
	return 0;
}

static void timeout_error(char *err, size_t n, bool *broken)
{
	strlcpy_safe(err, "timeout: the server did not answer in time", n);
	*broken = true; /* a late answer would be read as the next query's: drop the session */
}

/* Reads the results of the statement sent last (or, in pipeline mode, the next one) up to the
   NULL that ends them: its one result, or NULL with err and *broken as pg_query. */
static PGresult *collect(PGconn *conn, double deadline, char *err, size_t n, bool *broken)
{
	/* Row by row, so that a result past PG_RESULT_MAX is refused before it is all in memory
	   (a hostile server can stream rows forever). */
	PQsetSingleRowMode(conn);
	PGresult *result = NULL;
	size_t bytes = 0;
	for (;;) {
		int w = wait_result(conn, deadline);
		if (w < 0) {
			PQclear(result);
			if (w == -1)
				timeout_error(err, n, broken);
			else
				goto lost;
			return NULL;
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
lost:
	first_line(err, n, PQerrorMessage(conn));
	*broken = true;
	return NULL;
}

PGresult *pg_query(PGconn *conn, const char *sql, int nparams, const char *const *params, double deadline,
                   char *err, size_t n, bool *broken)
{
	*broken = false;
	PGresult *taken;
	if (prefetch_take(conn, sql, nparams, params, &taken, err, n, broken))
		return taken;
	if (prefetch_broke(conn, err, n)) {
		*broken = true;
		return NULL;
	}
	if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0)) {
		first_line(err, n, PQerrorMessage(conn));
		*broken = PQstatus(conn) != CONNECTION_OK;
		return NULL;
	}
	int fl = flush_all(conn, deadline);
	if (fl == -1) {
		timeout_error(err, n, broken);
		return NULL;
	}
	if (fl == -2) {
		first_line(err, n, PQerrorMessage(conn));
		*broken = true;
		return NULL;
	}
	return collect(conn, deadline, err, n, broken);
}

/* The batch is over: every statement not answered gets the reason (err) the session broke. */
static bool batch_broken(struct pg_stmt *stmts, size_t count, size_t from, const char *err)
{
	for (size_t i = from; i < count; i++) {
		PQclear(stmts[i].res);
		stmts[i].res = NULL;
		strlcpy_safe(stmts[i].err, err, sizeof stmts[i].err);
	}
	return false;
}

static bool batch_send(PGconn *conn, struct pg_stmt *stmts, size_t count, double deadline)
{
	char err[sizeof stmts->err];
	bool broken = false;
	for (size_t i = 0; i < count; i++) {
		stmts[i].res = NULL;
		stmts[i].err[0] = '\0';
	}
	if (count == 0)
		return true;
	if (!PQenterPipelineMode(conn)) {
		first_line(err, sizeof err, PQerrorMessage(conn));
		return batch_broken(stmts, count, 0, err);
	}
	/* A Sync after each statement: each is its own implicit transaction, as one pg_query
	   after another, so that an error in one leaves the others to run. */
	for (size_t i = 0; i < count; i++) {
		if (!PQsendQueryParams(conn, stmts[i].sql, stmts[i].nparams, NULL, stmts[i].params, NULL,
		                       NULL, 0) ||
		    !PQpipelineSync(conn)) {
			first_line(err, sizeof err, PQerrorMessage(conn));
			return batch_broken(stmts, count, 0, err);
		}
	}
	int fl = flush_all(conn, deadline);
	if (fl < 0) {
		if (fl == -1)
			timeout_error(err, sizeof err, &broken);
		else
			first_line(err, sizeof err, PQerrorMessage(conn));
		return batch_broken(stmts, count, 0, err);
	}
	for (size_t i = 0; i < count; i++) {
		broken = false;
		stmts[i].res = collect(conn, deadline, stmts[i].err, sizeof stmts[i].err, &broken);
		if (broken)
			return batch_broken(stmts, count, i + 1, stmts[i].err);
		/* then the statement's Sync */
		if (wait_result(conn, deadline) < 0) {
			timeout_error(err, sizeof err, &broken);
			return batch_broken(stmts, count, i + 1, err);
		}
		PGresult *sync = PQgetResult(conn);
		bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
		PQclear(sync);
		if (!synced) {
			strlcpy_safe(err, "the server's answers are out of step (pipeline)", sizeof err);
			return batch_broken(stmts, count, i + 1, err);
		}
	}
	if (!PQexitPipelineMode(conn)) {
		first_line(err, sizeof err, PQerrorMessage(conn));
		return batch_broken(stmts, count, count, err);
	}
	return true;
}

bool pg_query_batch(PGconn *conn, struct pg_stmt *stmts, size_t count, double deadline)
{
	/* What the round's prefetch answered already is taken; the rest goes in one round trip. */
	struct pg_stmt *rest = xcalloc(count ? count : 1, sizeof *rest);
	size_t *which = xcalloc(count ? count : 1, sizeof *which), k = 0;
	bool broken = false;
	for (size_t i = 0; i < count; i++) {
		stmts[i].res = NULL;
		stmts[i].err[0] = '\0';
		if (!prefetch_take(conn, stmts[i].sql, stmts[i].nparams, stmts[i].params, &stmts[i].res,
		                   stmts[i].err, sizeof stmts[i].err, &broken)) {
			which[k] = i;
			rest[k++] = stmts[i];
		}
	}
	char err[sizeof stmts->err];
	bool ok;
	if (k && prefetch_broke(conn, err, sizeof err))
		ok = batch_broken(rest, k, 0, err);
	else
		ok = batch_send(conn, rest, k, deadline) && !broken;
	for (size_t i = 0; i < k; i++)
		stmts[which[i]] = rest[i];
	free(rest);
	free(which);
	return ok;
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
