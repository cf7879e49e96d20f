/* replay.h: what the replay's two files share: its modes, quoted names, parameters and statements. */
#ifndef SYNCTOP_KIND_OUTBOX_REPLAY_H
#define SYNCTOP_KIND_OUTBOX_REPLAY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "kinds/outbox/outbox.h"
#include "kinds/outbox/scope.h"

/* Moments as the server writes them back, in UTC to the microsecond: what the pin keeps. */
#define TS_US "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'"
#define TS_S  "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"

/* outbox.replay: "update", "insert", anything else being the user's statement. */
enum replay_mode { MODE_UPDATE, MODE_INSERT, MODE_SQL };
enum replay_mode replay_mode(const struct outbox_opts *o);
extern const char *const replay_mode_names[]; /* "update", "insert", "sql" */

/* The quoted names the statements use (attempts and error NULL when not configured). */
struct names {
	char *rel, *id, *created, *attempts, *error, *type;
};
bool replay_names_quote(PGconn *conn, const struct outbox_opts *o, struct names *q, char *err, size_t n);
void replay_names_free(struct names *q);

/* Text parameters of a statement: $1 is always the id array (the bound in the preview). */
struct params {
	int n;
	char *v[8];
};
/* Appends a copy of v (NULL: a null, filled later); returns its $ number. */
int replay_param_add(struct params *p, const char *v);
void replay_params_free(struct params *p);

/* The scope's condition with its parameters appended to p (from/to: the created range resolved
   to moments, NULL for an open end); NULL with err when it cannot be said. */
char *replay_scope_cond(const struct outbox_opts *o, const struct names *q, const struct outbox_scope *sc,
                        const char *from, const char *to, struct params *p, char *err, size_t n);
/* How a scope reads in a preview line. */
void replay_scope_words(const struct outbox_opts *o, const struct outbox_scope *sc, const char *from,
                        const char *to, char *buf, size_t n);

/* Runs one statement with p's parameters (NULL: none); err gets its error. */
PGresult *replay_run(const struct probe_ctx *ctx, const char *sql, const struct params *p, char *err,
                     size_t n, bool *broken);

/* The created range's ends as moments of the server's clock (a duration back from its now()). */
enum probe_result replay_resolve_range(const struct probe_ctx *ctx, const struct outbox_scope *sc,
                                       char **from, char **to, char *err, size_t n);

/* The statement apply runs (*out), $1 the ids and the scope's parameters from $2 on in p. */
enum probe_result replay_apply_sql(const struct probe_ctx *ctx, const struct outbox_scope *sc,
                                   const char *from, const char *to, struct params *p, char **out, char *err,
                                   size_t n);

/* The PostgreSQL array literal of the pinned ids ({"101","102"}), NULL when one is neither a
   whole number nor a string. Untyped, $1 takes the type of the id column (id = ANY($1)). */
char *replay_id_array(const json_t *ids);

#endif
