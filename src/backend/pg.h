/* pg.h: PostgreSQL sessions for probes: non-blocking libpq under a deadline, read-only by construction. */
#ifndef SYNCTOP_BACKEND_PG_H
#define SYNCTOP_BACKEND_PG_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "backend/backend.h"

extern const struct backend pg_backend;

/* Runs one statement (extended protocol: exactly one statement, never a list) with text
   parameters, before the monotonic deadline. Returns a PGRES_TUPLES_OK/COMMAND_OK result
   (caller PQclears) or NULL with the first line of the error in err; *broken is set when
   the session can no longer be used (timeout, lost connection, a result past PG_RESULT_MAX). */
/* The most a query's rows may hold (their values, plus 16 bytes a value): synctop's queries
   return a few rows, so more comes from a hostile server (synctop.conf(5)). */
#define PG_RESULT_MAX (16u << 20)

PGresult *pg_query(PGconn *conn, const char *sql, int nparams, const char *const *params, double deadline,
                   char *err, size_t n, bool *broken);

/* One statement of a batch: the caller sets sql, nparams and params; pg_query_batch sets res
   (PQclear it) or err, exactly as pg_query would have. */
struct pg_stmt {
	const char *sql;
	int nparams;
	const char *const *params;
	PGresult *res;
	char err[256];
};

/* Runs count statements in one round trip (libpq pipeline mode, a Sync after each: each is its
   own transaction, as count pg_query calls one after another would be), all before the
   deadline. False when the session broke (timeout, lost connection, a result past
   PG_RESULT_MAX): every statement without a result then has the reason in its err. */
bool pg_query_batch(PGconn *conn, struct pg_stmt *stmts, size_t count, double deadline);

/* An answer shared by every stage of a session in one round (probe_ctx.round; 0: never):
   the same statement with the same one parameter (the outbox's pause flag, read alike by
   every pipeline of a database) is asked once a round. pg_shared_get: true when the answer is
   there, with a copy in *res (PQclear it) or, for an error, NULL and the error in err.
   pg_shared_put keeps a copy of res, or err when res is NULL. Per thread: one worker a session. */
bool pg_shared_get(PGconn *conn, unsigned long round, const char *sql, const char *param, PGresult **res,
                   char *err, size_t n);
void pg_shared_put(PGconn *conn, unsigned long round, const char *sql, const char *param, const PGresult *res,
                   const char *err);

/* Prefetch: before a round's polls, the worker asks each stage for the statements its poll
   will run (probe->prefetch calls pg_prefetch_add), sends them all in one round trip
   (pg_prefetch_run, the backend's prefetch_run) and then polls: a pg_query or pg_query_batch of
   the same statement with the same parameters takes its answer instead of asking the server.
   A statement queued twice is sent once and answers both. Per worker thread; round 0: none.
   pg_prefetch_run: false with the reason in err when the session broke (drop it). */
void pg_prefetch_add(PGconn *conn, unsigned long round, const char *sql, int nparams,
                     const char *const *params);
bool pg_prefetch_run(void *session, unsigned long round, double deadline, char *err, size_t n);

/* "schema.table" or "table" as a quoted identifier ("schema"."table"); NULL on failure. Free with free(). */
char *pg_quote_relation(PGconn *conn, const char *name);
/* One quoted identifier, or NULL. Free with free(). */
char *pg_quote_ident(PGconn *conn, const char *name);

#endif
