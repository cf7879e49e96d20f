/* relay_db.c: synctop-relay's PostgreSQL half: the connection, the pause flag, the claim of pending
 * outbox rows and the outcome of a batch, all in the one transaction that holds the claim. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "relay.h"

/* The claim: oldest first, rows other relays hold are skipped (several relays share the table).
   $2 holds the rows that failed lately and wait out their backoff (kept in memory). */
static const char SQL_CLAIM[] = "SELECT id, aggregate_type, aggregate_id, event_type, payload::text\n"
                                "FROM outbox\n"
                                "WHERE NOT processed AND attempts < $1 AND id <> ALL ($2::bigint[])\n"
                                "ORDER BY id\n"
                                "LIMIT $3\n"
                                "FOR UPDATE SKIP LOCKED";
static const char SQL_PAUSED[] = "SELECT paused FROM outbox_worker WHERE name = $1";
static const char SQL_DONE[] = "UPDATE outbox SET processed = true, processed_at = now()\n"
                               "WHERE id = ANY ($1::bigint[])";
static const char SQL_FAILED[] = "UPDATE outbox AS o SET attempts = o.attempts + 1, last_error = f.error\n"
                                 "FROM unnest($1::bigint[], $2::text[]) AS f(id, error)\n"
                                 "WHERE o.id = f.id\n"
                                 "RETURNING o.id, o.attempts";
static const char SQL_PENDING[] = "SELECT count(*) FROM outbox WHERE NOT processed AND attempts < $1";

static const struct {
	const char *name, *sql;
	int nparams;
} statements[] = {
    {"claim", SQL_CLAIM, 3},   {"paused", SQL_PAUSED, 1},   {"done", SQL_DONE, 1},
    {"failed", SQL_FAILED, 2}, {"pending", SQL_PENDING, 1},
};

/* Replaces every occurrence of SECRET in S with ***, in place. */
static void scrub(char *s, size_t size, const char *secret)
{
	size_t n = strlen(secret);
	char *p;

	if (!n)
		return;
	while ((p = strstr(s, secret))) {
		size_t tail = strlen(p + n) + 1;

		if (n >= 3) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + n, tail);
		} else if ((size_t)(p - s) + 3 + tail <= size) {
			memmove(p + 3, p + n, tail);
			memcpy(p, "***", 3);
		} else {
			*p = '\0';
		}
	}
}

/* MSG as one line (libpq's messages span lines), without the password. */
static void set_error(struct db *db, const char *prefix, const char *msg)
{
	char *p, *q;
	const char *env = getenv("PGPASSWORD");

	snprintf(db->error, sizeof db->error, "%s%s", prefix, msg && *msg ? msg : "unknown error");
	/* Every run of white space (newlines, tabs) becomes one space. */
	for (p = q = db->error; *p; p++)
		if (!isspace((unsigned char)*p) || (q > db->error && q[-1] != ' '))
			*q++ = isspace((unsigned char)*p) ? ' ' : *p;
	while (q > db->error && q[-1] == ' ')
		q--;
	*q = '\0';
	scrub(db->error, sizeof db->error, db->secret);
	if (env)
		scrub(db->error, sizeof db->error, env);
}

int db_check_conninfo(const char *conninfo, char *why, size_t whylen)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
	const char *p;

	if (opts) {
		PQconninfoFree(opts);
		return 0;
	}
	/* libpq's reason quotes a piece of the string: show it only when no password can be in it. */
	for (p = conninfo; *p; p++)
		if (!strncasecmp(p, "pass", 4) || *p == '@')
			break;
	if (err && !*p) {
		size_t n;

		snprintf(why, whylen, "%s", err);
		n = strlen(why);
		while (n && (why[n - 1] == '\n' || why[n - 1] == ' '))
			why[--n] = '\0';
	} else {
		snprintf(why, whylen, "not a valid connection string or URI");
	}
	PQfreemem(err);
	return -1;
}

void db_init(struct db *db, const char *conninfo, const char *dbname)
{
	PQconninfoOption *opts, *o;

	memset(db, 0, sizeof *db);
	db->conninfo = conninfo;
	db->dbname = dbname;
	db->state.what = "postgres";
	snprintf(db->where, sizeof db->where, "the libpq environment");
	if (conninfo && (opts = PQconninfoParse(conninfo, NULL))) {
		for (o = opts; o->keyword; o++)
			if (!strcmp(o->keyword, "password") && o->val)
				snprintf(db->secret, sizeof db->secret, "%s", o->val);
		PQconninfoFree(opts);
	}
}

/* Where CONN goes, for the log: host, port and database only. */
static void describe(struct db *db, const PGconn *conn)
{
	const char *host = PQhost(conn), *port = PQport(conn), *name = PQdb(conn);

	snprintf(db->where, sizeof db->where, "host=%s port=%s dbname=%s", host && *host ? host : "(default)",
	         port && *port ? port : "(default)", name && *name ? name : "(default)");
}

void db_disconnect(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
	db->in_transaction = 0;
}

int db_connect(struct db *db)
{
	const char *keys[5], *vals[5];
	int n = 0;
	size_t i;

	db_disconnect(db);
	/* Before the conninfo, so that a connect_timeout written there wins. */
	if (!getenv("PGCONNECT_TIMEOUT")) {
		keys[n] = "connect_timeout";
		vals[n++] = "5";
	}
	keys[n] = "fallback_application_name";
	vals[n++] = RELAY_NAME;
	if (db->conninfo && *db->conninfo) {
		keys[n] = "dbname";
		vals[n++] = db->conninfo;
	}
	if (db->dbname) { /* after the conninfo: it wins, and only the first dbname is expanded */
		keys[n] = "dbname";
		vals[n++] = db->dbname;
	}
	keys[n] = NULL;
	vals[n] = NULL;
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (!db->conn) {
		set_error(db, "", "out of memory");
		return -1;
	}
	describe(db, db->conn);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		set_error(db, "cannot connect: ", PQerrorMessage(db->conn));
		db_disconnect(db);
		return -1;
	}
	for (i = 0; i < sizeof statements / sizeof *statements; i++) {
		PGresult *res =
		    PQprepare(db->conn, statements[i].name, statements[i].sql, statements[i].nparams, NULL);

		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			char prefix[64];

			snprintf(prefix, sizeof prefix, "preparing the %s statement: ", statements[i].name);
			set_error(db, prefix, PQresultErrorMessage(res));
			PQclear(res);
			db_disconnect(db);
			return -1;
		}
		PQclear(res);
	}
	return 0;
}

/* After a failed statement: the reason in db->error; a broken connection is dropped (the server
   rolls back whatever was open), a live one rolled back. Returns -1 for the caller to pass on. */
static int failed(struct db *db, const char *what, PGresult *res)
{
	char prefix[64];
	const char *msg = res ? PQresultErrorMessage(res) : "";

	snprintf(prefix, sizeof prefix, "%s: ", what);
	set_error(db, prefix, *msg ? msg : PQerrorMessage(db->conn));
	PQclear(res);
	if (PQstatus(db->conn) != CONNECTION_OK)
		db_disconnect(db);
	else if (db->in_transaction)
		db_rollback(db);
	return -1;
}

static PGresult *exec_prepared(struct db *db, const char *name, int n, const char *const *params)
{
	return PQexecPrepared(db->conn, name, n, params, NULL, NULL, 0);
}

int db_paused(struct db *db, const char *worker)
{
	PGresult *res = exec_prepared(db, "paused", 1, &worker);
	int paused;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return failed(db, "reading outbox_worker", res);
	paused = PQntuples(res) != 1 ? 2 : !strcmp(PQgetvalue(res, 0, 0), "t");
	PQclear(res);
	return paused;
}

void db_rollback(struct db *db)
{
	PGresult *res;

	if (!db->conn || !db->in_transaction)
		return;
	db->in_transaction = 0;
	res = PQexec(db->conn, "ROLLBACK");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		db_disconnect(db); /* the server rolls back when the session ends */
	PQclear(res);
}

void batch_free(struct batch *b)
{
	free(b->rows);
	PQclear(b->res);
	memset(b, 0, sizeof *b);
}

int db_claim(struct db *db, int max_attempts, const char *cooling, int limit, struct batch *b)
{
	char max_s[16], limit_s[16];
	const char *params[3] = {max_s, cooling, limit_s};
	PGresult *res;
	int i;

	memset(b, 0, sizeof *b);
	snprintf(max_s, sizeof max_s, "%d", max_attempts);
	snprintf(limit_s, sizeof limit_s, "%d", limit);
	res = PQexec(db->conn, "BEGIN");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return failed(db, "BEGIN", res);
	PQclear(res);
	db->in_transaction = 1;
	res = exec_prepared(db, "claim", 3, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return failed(db, "claiming outbox rows", res);
	b->res = res;
	b->n = PQntuples(res);
	if (!b->n)
		return 0;
	b->rows = calloc((size_t)b->n, sizeof *b->rows);
	if (!b->rows) {
		batch_free(b);
		set_error(db, "", "out of memory");
		db_rollback(db);
		return -1;
	}
	for (i = 0; i < b->n; i++) {
		struct row *r = &b->rows[i];

		r->id_text = PQgetvalue(res, i, 0);
		r->id = strtoll(r->id_text, NULL, 10);
		r->aggregate_type = PQgetvalue(res, i, 1);
		r->aggregate_id = PQgetvalue(res, i, 2);
		r->event_type = PQgetvalue(res, i, 3);
		r->payload = PQgetvalue(res, i, 4);
		r->payload_len = (size_t)PQgetlength(res, i, 4);
		r->state = ROW_SENDING;
	}
	return 0;
}

/* The array literals grow in a worker_buf: S (a C string) appended to B. */
static void buf_adds(struct worker_buf *b, const char *s)
{
	worker_buf_add(b, s, strlen(s));
}

/* S as a double-quoted element of an array literal. */
static void buf_add_quoted(struct worker_buf *b, const char *s)
{
	worker_buf_add(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			worker_buf_add(b, "\\", 1);
		worker_buf_add(b, s, 1);
	}
	worker_buf_add(b, "\"", 1);
}

static int row_cmp(const void *key, const void *elem)
{
	long long id = *(const long long *)key, other = ((const struct row *)elem)->id;

	return id < other ? -1 : id > other;
}

int db_finish(struct db *db, struct batch *b, int *attempts)
{
	struct worker_buf ok = {0}, ids = {0}, errs = {0};
	int i, n_ok = 0, n_failed = 0, rc = -1;
	PGresult *res = NULL;

	buf_adds(&ok, "{");
	buf_adds(&ids, "{");
	buf_adds(&errs, "{");
	for (i = 0; i < b->n; i++) {
		const struct row *r = &b->rows[i];

		attempts[i] = 0;
		if (r->state == ROW_ACKED) {
			buf_adds(&ok, n_ok++ ? "," : "");
			buf_adds(&ok, r->id_text);
		} else if (r->state == ROW_FAILED) {
			buf_adds(&ids, n_failed ? "," : "");
			buf_adds(&ids, r->id_text);
			buf_adds(&errs, n_failed++ ? "," : "");
			buf_add_quoted(&errs, r->error);
		}
	}
	buf_adds(&ok, "}");
	buf_adds(&ids, "}");
	buf_adds(&errs, "}");
	if (ok.failed || ids.failed || errs.failed) {
		set_error(db, "", "out of memory");
		db_rollback(db);
		goto out;
	}
	if (n_ok) {
		const char *params[1] = {ok.s};

		res = exec_prepared(db, "done", 1, params);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			failed(db, "marking rows processed", res);
			goto out;
		}
		PQclear(res);
	}
	if (n_failed) {
		const char *params[2] = {ids.s, errs.s};

		res = exec_prepared(db, "failed", 2, params);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			failed(db, "recording failed attempts", res);
			goto out;
		}
		for (i = 0; i < PQntuples(res); i++) {
			long long id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
			const struct row *r = bsearch(&id, b->rows, (size_t)b->n, sizeof *b->rows, row_cmp);

			if (r)
				attempts[r - b->rows] = atoi(PQgetvalue(res, i, 1));
		}
		PQclear(res);
	}
	res = PQexec(db->conn, "COMMIT");
	/* A transaction that failed earlier "commits" as ROLLBACK. */
	if (PQresultStatus(res) != PGRES_COMMAND_OK || strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		failed(db, "COMMIT", res);
		goto out;
	}
	PQclear(res);
	db->in_transaction = 0;
	rc = 0;
out:
	free(ok.s);
	free(ids.s);
	free(errs.s);
	return rc;
}

long long db_pending(struct db *db, int max_attempts)
{
	char max_s[16];
	const char *params[1] = {max_s};
	PGresult *res;
	long long n;

	snprintf(max_s, sizeof max_s, "%d", max_attempts);
	res = exec_prepared(db, "pending", 1, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return failed(db, "counting pending rows", res);
	n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}
