/* outbox.h: what the files of the outbox kind share. */
#ifndef SYNCTOP_KIND_OUTBOX_H
#define SYNCTOP_KIND_OUTBOX_H

#include <stdint.h>

#include "kinds/act.h"
#include "kinds/kind.h"

/* The outbox.* options of a stage (st->opts), described by outbox_options. */
struct outbox_opts {
	char *table;           /* outbox.table: possibly schema-qualified, quoted per part */
	char *pending;         /* outbox.pending: SQL predicate selecting pending rows */
	char *id_column;       /* outbox.id_column */
	char *created_column;  /* outbox.created_column */
	char *attempts_column; /* outbox.attempts_column; "" disables */
	char *error_column;    /* outbox.error_column; "" disables */
	int64_t count_cap;     /* outbox.count_cap */
	int64_t max_attempts;  /* outbox.max_attempts */
	int64_t seqscan_rows;  /* outbox.seqscan_rows: warn about a seq scan above this many rows */
	int64_t pending_warn, pending_crit;
	double oldest_warn_s, oldest_crit_s;
	int64_t failed_warn, failed_crit;
	char *control_table;     /* outbox.control_table: the workers' pause flags ("" = none) */
	char *worker;            /* outbox.worker: this outbox's row in the control table */
	char *pause_sql;         /* outbox.pause_sql: the user's statement that pauses (NULL: none) */
	char *resume_sql;        /* outbox.resume_sql: the user's statement that resumes */
	char *paused_sql;        /* outbox.paused_sql: one row, one boolean: paused now */
	char *replay;            /* outbox.replay: "update", "insert" or the user's statement ($1: the ids) */
	int64_t replay_max_rows; /* outbox.replay_max_rows: a larger replay is refused */
	char *type_column;       /* outbox.type_column: what a replay's ,type:T scope matches */
	double window_s;         /* outbox.window: the drain is judged over this window of polls */
};

/* The poisoned rows listed in a sample's detail (first_poison_rows), and the bytes of each
   one's last_error kept there (one line, cleaned). */
#define OUTBOX_POISON_SHOWN 3
#define OUTBOX_ERROR_SHOWN  161
/* outbox.window's default, also for a derive without a stage (tests). */
#define OUTBOX_WINDOW_DEFAULT 10.0

static inline const struct outbox_opts *outbox_opts(const struct stage_cfg *st)
{
	return st->opts;
}

/* Whether pause/resume and the worker-paused figure go through the user's statements
   (outbox.pause_sql, resume_sql, paused_sql: all three, outbox_check) instead of the control table. */
static inline bool outbox_by_statements(const struct outbox_opts *o)
{
	return o->pause_sql && o->resume_sql && o->paused_sql;
}

extern const struct kind outbox_kind;
/* Its rules as data (rules_table.c), ended by {0}. */
extern const struct rule_def outbox_rule_defs[];
#ifdef HAVE_POSTGRES
extern const struct probe outbox_probe;
/* canary.c: the marker's insert, cleanup and first hop (processed by the relay). */
extern const struct probe_canary outbox_canary;
/* act_replay.c: replay, pause and resume (kinds/act.h), ended by {ACTION_NONE}. */
extern const struct kind_action outbox_actions[];
/* act_pause.c: the pause and resume steps, for outbox_actions. */
bool outbox_pause_offered(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n);
bool outbox_resume_offered(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n);
enum probe_result outbox_pause_preview(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                       char *err, size_t n);
enum probe_result outbox_resume_preview(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                        char *err, size_t n);
enum probe_result outbox_flag_apply(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                    json_t **out, char *err, size_t n);
enum probe_result outbox_flag_readback(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
                                       char *err, size_t n);
/* act_pause_sql.c: the same steps through the user's statements (outbox_by_statements). */
enum probe_result outbox_stmt_preview(const struct probe_ctx *ctx, bool pause, json_t **out, char *err,
                                      size_t n);
enum probe_result outbox_stmt_apply(const struct probe_ctx *ctx, const json_t *preview, json_t **out,
                                    char *err, size_t n);
enum probe_result outbox_stmt_readback(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
                                       char *err, size_t n);
/* The probe's read of outbox.paused_sql: worker_paused, and paused_since/paused_for_s from
   when the probe first saw it paused (memo "paused_since"). */
enum probe_result outbox_stmt_poll(const struct probe_ctx *ctx, struct sample *out);
#endif

/* options.c: the stage check: the three statements all or none. */
bool outbox_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                  size_t n);

/* options.c: the outbox.* keys, the first being the stage key itself. */
extern const struct opt_def outbox_options[];

/* drain.c: the positions of a poll for the window (src/window.c) into raw: the rows ever
   inserted and not poisoned (end) and the rows ever processed (committed), from the largest id,
   every pending row and the poisoned ones; end - committed is the deliverable backlog. */
void outbox_positions(json_t *raw, int64_t max_id, int64_t all_pending, int64_t failed);
/* drain.c: carries the history from prev to cur (outbox.window) and sets cur's evaluation (the
   window's verdict, window_put; what it rests on, evaluated_s, lag_from, consumed and produced,
   in cur's raw), growth_per_s (the deliverable backlog's growth over the window)
   and empty_in_s (when it would be empty at that pace; 0 when empty, null when not shrinking). */
void outbox_window_derive(const struct stage_cfg *st, const struct sample *prev, struct sample *cur);
/* "empty in ~6m", "growing 4.2/s", "not shrinking", or "" (nothing pending, or not known), in
   buf; returns buf. */
const char *outbox_drain_text(const json_t *metrics, char *buf, size_t n);

/* rules.c */
void outbox_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
