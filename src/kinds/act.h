/* act.h: the action interface: how a kind previews, applies and reads back one of its actions. */
#ifndef SYNCTOP_ACT_H
#define SYNCTOP_ACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "actions.h"
#include "config.h"
#include "kinds/probe.h"
#include "sample.h"

/* One action of a kind, in its probe's `actions` table (ended by {ACTION_NONE}). The three
   backend steps run on the stage's worker thread, with its session and the connection's
   deadline, only through the write executor (exec.h): preview and readback read, apply
   writes. ctx->memo is the stage's probe-private state (a rate limit may live there).

   The JSON each step returns (objects; fields absent when they do not apply):

   preview   "target"  string: what exactly would change, as shown and audited
                       ("products-sink on workers", "index products", "shop public.outbox")
             "summary" string: one line ("137 rows, ids 101-230, created 10:02:11 to 10:04:55")
             "lines"   [string]: the rest of the preview (the SQL, each failed task's trace,
                       the current and the new value)
             "count"   integer: how many things change (rows); absent when not counted
             "refuse"  string: the action must not run now (over the bound, not paused, no
                       failed task); nothing more is asked
             "pin"     object, the kind's own: what apply must find unchanged (row ids,
                       the connector's state, the index's uuid)
   apply     gets the preview (with its pin) as arg; writes to exactly that target or nothing.
             "sent"    string: what was sent ("POST /products/_refresh")
             "answer"  string or object: the backend's answer (sanitised by the poller)
             "affected" integer: how many things changed
             "changed" string: the pinned target no longer holds, nothing was applied
                       ("2 of the 137 rows were taken by the relay"); then "preview" holds a
                       new preview to show instead
             "readback" object, the kind's own: what readback needs
             A failure (PROBE_FAILED, err) means nothing was applied, as far as the backend
             said; a kind that cannot tell says so in err.
   readback  gets the apply's result as arg; reads only.
             "confirmed" bool: the effect shows (rows pending again, state PAUSED, tasks
                       RUNNING, refresh_total increased)
             "seen"    string: what was read ("3 of 3 rows pending again") */
struct kind_action {
	enum action action;
	/* Pure. Whether the action applies to st now, from its latest ok sample (NULL when there
	   is none): true, or false with why on one line ("not paused", "no failed task"). NULL:
	   always. */
	bool (*offered)(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n);
	/* Pure. Checks a scope before anything is sent (scope "" when none was given): false with
	   why (a usage error: exit 3). NULL: the action takes no scope, and one given is an error. */
	bool (*scope_check)(const struct stage_cfg *st, const char *scope, char *why, size_t n);
	enum probe_result (*preview)(const struct probe_ctx *ctx, const char *scope, json_t **out, char *err,
	                             size_t n);
	enum probe_result (*apply)(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
	                           json_t **out, char *err, size_t n);
	enum probe_result (*readback)(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
	                              char *err, size_t n);
	/* What the confirmation dialog, the help screen and synctop(1) say it does and its bound
	   ("resets the previewed rows to pending, in one transaction; at most outbox.replay_max_rows"). */
	const char *does;
};

/* The kind's implementation of action a for st's kind, or NULL (none, or built without its
   backend). */
const struct kind_action *stage_action(const struct stage_cfg *st, enum action a);

/* Whether action a applies to st now (kind_action.offered), from cur (NULL: no ok sample yet):
   false with why when the kind has no such action or it does not apply. */
bool stage_action_offered(const struct stage_cfg *st, const struct sample *cur, enum action a, char *why,
                          size_t n);

/* Checks the scope given for action a on st (kind_action.scope_check): false with why. */
bool stage_action_scope_ok(const struct stage_cfg *st, enum action a, const char *scope, char *why, size_t n);

#endif
