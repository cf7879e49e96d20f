/* source.h: a copy's source: the rows of PostgreSQL that a copy (an index, a graph, a
   collection) should hold, read on the probe's own read-only session (probe_ctx.aux) with the
   user's SQL: how many there are, and the newest one's time. For every kind that compares a
   copy with its source. */
#ifndef SYNCTOP_KINDS_SOURCE_H
#define SYNCTOP_KINDS_SOURCE_H

#include <stdbool.h>

#include "config.h"
#include "kinds/probe.h"

/* What the source said: each query's value, or why not. */
struct source_read {
	double count, newest; /* newest: epoch seconds */
	bool count_ok, newest_ok;
	char count_why[300], newest_why[300];
};

/* Runs count_sql (one number: the rows that should be copies) and freshness_sql (one
   timestamp: the newest row), each when not NULL, on the session in *ctx->aux, opened to
   source first when there is none; a session that broke is closed (the next poll opens
   another). Within ctx->deadline. */
void source_read(const struct probe_ctx *ctx, struct conn *source, const char *count_sql,
                 const char *freshness_sql, struct source_read *r);

/* Closes the session of *aux (the probe's aux_close). */
void source_close(void *aux);

/* source_conn.c: the postgres connection that runs the source SQL of stage self of pipeline pl,
   whose kind's options are prefixed k ("search"): name (KIND.source) when set, else the
   pipeline's first stage on PostgreSQL (its outbox); none when there is no SQL (sql false). True
   with *out (NULL when none is needed), false with the message naming the options. */
bool source_conn_resolve(const char *k, const char *name, bool sql, const struct pipeline *pl,
                         const struct stage_cfg *self, const struct config *cfg, struct conn **out, char *msg,
                         size_t n);

#endif
