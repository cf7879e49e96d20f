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

/* "schema.table" or "table" as a quoted identifier ("schema"."table"); NULL on failure. Free with free(). */
char *pg_quote_relation(PGconn *conn, const char *name);
/* One quoted identifier, or NULL. Free with free(). */
char *pg_quote_ident(PGconn *conn, const char *name);

#endif
