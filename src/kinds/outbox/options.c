/* options.c: the outbox.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>
#include <stdio.h>

#include "kinds/outbox/outbox.h"
#include "util.h"

#define OFF(field) offsetof(struct outbox_opts, field)

const struct opt_def outbox_options[] = {
    {"outbox", OPT_CONN, NULL, 0, 0, 0, 0,
     "postgres connection whose outbox table is watched: pending rows, oldest age, failures"},
    {"outbox.table", OPT_STR, "outbox", 1, 0, OFF(table), 0,
     "the outbox table, optionally schema-qualified (public.outbox)"},
    {"outbox.pending", OPT_STR, "NOT processed", 1, 0, OFF(pending), 0,
     "SQL predicate selecting pending rows, e.g. processed_at IS NULL or status = 'PENDING'"},
    {"outbox.id_column", OPT_STR, "id", 1, 0, OFF(id_column), 0, "column identifying a row (used by replay)"},
    {"outbox.created_column", OPT_STR, "created_at", 1, 0, OFF(created_column), 0,
     "timestamp column giving the age of the oldest pending row"},
    {"outbox.attempts_column", OPT_STR, "attempts", 0, 0, OFF(attempts_column), 0,
     "column counting delivery attempts; a pending row at max_attempts counts as failed (empty: none)"},
    {"outbox.error_column", OPT_STR, "last_error", 0, 0, OFF(error_column), 0,
     "column holding the last delivery error; a pending row with one counts as failed (empty: none)"},
    {"outbox.count_cap", OPT_INT, "100000", 1, 1e9, OFF(count_cap), 0,
     "pending rows are counted up to this many, so that a huge backlog stays cheap to poll"},
    {"outbox.max_attempts", OPT_INT, "5", 1, 1e6, OFF(max_attempts), 0,
     "attempts after which a pending row counts as failed"},
    {"outbox.seqscan_rows", OPT_INT, "10000", 0, 1e12, OFF(seqscan_rows), 0,
     "warn that the pending predicate needs an index only when the table has more rows than this"},
    {"outbox.pending_warn", OPT_INT, "1000", 0, 0, OFF(pending_warn), 0,
     "pending rows at or above which the stage is warn"},
    {"outbox.pending_crit", OPT_INT, "10000", 0, 0, OFF(pending_crit), 0,
     "pending rows at or above which the stage is crit"},
    {"outbox.oldest_warn", OPT_DURATION, "60s", 0, 0, OFF(oldest_warn_s), 0,
     "age of the oldest pending row at or above which the stage is warn"},
    {"outbox.oldest_crit", OPT_DURATION, "5m", 0, 0, OFF(oldest_crit_s), 0,
     "age of the oldest pending row at or above which the stage is crit"},
    {"outbox.failed_warn", OPT_INT, "1", 0, 0, OFF(failed_warn), 0,
     "failed rows (pending rows at max_attempts or with an error) at or above which the stage is warn"},
    {"outbox.failed_crit", OPT_INT, "100", 0, 0, OFF(failed_crit), 0,
     "failed rows at or above which the stage is crit"},
    {"outbox.control_table", OPT_STR, "outbox_worker", 0, 0, OFF(control_table), 0,
     "table of the workers' pause flags (columns name, paused, paused_at; share/sql/outbox.sql); "
     "empty: none. A pause in force is shown (worker-paused)"},
    {"outbox.worker", OPT_STR, "relay", 1, 0, OFF(worker), 0,
     "the name of this outbox's worker in outbox.control_table"},
    {"outbox.pause_sql", OPT_STR, NULL, 1, 0, OFF(pause_sql), 0,
     "a statement that pauses the worker, run as given by the pause action (p) instead of the "
     "control table; with outbox.resume_sql and outbox.paused_sql"},
    {"outbox.resume_sql", OPT_STR, NULL, 1, 0, OFF(resume_sql), 0,
     "a statement that resumes the worker, run as given by the resume action (u)"},
    {"outbox.paused_sql", OPT_STR, NULL, 1, 0, OFF(paused_sql), 0,
     "a query answering one row, one boolean column: whether the worker is paused now (read every "
     "poll instead of the control table)"},
    {"outbox.replay", OPT_STR, "update", 1, 0, OFF(replay), 0,
     "how the replay action (R) re-publishes rows: update (reset them to pending: the reference schema), "
     "insert (insert copies: insert-only outboxes), or an SQL statement taking the id array as $1"},
    {"outbox.replay_max_rows", OPT_INT, "10000", 1, 1e6, OFF(replay_max_rows), 0,
     "the most rows one replay may touch; a larger scope is refused with its count"},
    {"outbox.window", OPT_DURATION, "10s", 1, 86400, OFF(window_s), 0,
     "window of polls over which the drain is judged (stalled, stopped, falling behind) and the "
     "time to empty estimated: longer than the relay's longest pause between batches"},
    {"outbox.type_column", OPT_STR, "event_type", 1, 0, OFF(type_column), 0,
     "column holding the event type, matched by a replay scope's ,type:T"},
    {0},
};

bool outbox_check(struct stage_cfg *stage, const struct pipeline *pl, const struct config *cfg, char *msg,
                  size_t n)
{
	const struct outbox_opts *st = outbox_opts(stage);
	(void)pl;
	(void)cfg;
	const char *missing[3];
	size_t n_missing = 0;
	if (!st->pause_sql)
		missing[n_missing++] = "outbox.pause_sql";
	if (!st->resume_sql)
		missing[n_missing++] = "outbox.resume_sql";
	if (!st->paused_sql)
		missing[n_missing++] = "outbox.paused_sql";
	if (n_missing == 0 || n_missing == 3)
		return true;
	snprintf(msg, n,
	         "outbox.pause_sql, outbox.resume_sql and outbox.paused_sql go together: set all three or "
	         "none (%s%s%s %s missing)",
	         missing[0], n_missing == 2 ? " and " : "", n_missing == 2 ? missing[1] : "",
	         n_missing == 2 ? "are" : "is");
	return false;
}
