/* rules_table.c: the outbox kind's rules as data (rule_def.h): what each means and fixes. */
#include "kinds/outbox/outbox.h"

const struct rule_def outbox_rule_defs[] = {
    {"worker-stalled", "crit", RULE_CAUSE | RULE_SYMPTOM | RULE_WINDOWED, ACTION_NONE,
     "deliverable rows wait and none was processed over outbox.window (STALL; STOP when for longer "
     "than the window while rows arrived); until the polls cover the window, a zero drain between "
     "two polls with rows older than outbox.oldest_warn that keep arriving or ageing",
     "records are in PostgreSQL but never reach the secondary stores",
     "the relay is down, stuck or paused: check its process and logs (resume it when it is paused)"},
    {"worker-paused", "warn", RULE_CAUSE, ACTION_RESUME,
     "the relay's row in outbox.control_table (or outbox.paused_sql) says paused",
     "nothing flows through the paused worker; the pause outlives restarts",
     "if the pause is over, resume the worker; ask first who paused it"},
    {"outbox-backlog", "warn or crit", RULE_CAUSE, ACTION_NONE,
     "deliverable rows (not poison) are older than outbox.oldest_warn while the relay drains",
     "a record is in PostgreSQL but missing in the search index",
     "the relay runs but does not keep up: scale it out or find what slows it; the rows go once it "
     "does"},
    {"outbox-falling-behind", "warn or crit", RULE_CAUSE | RULE_SYMPTOM | RULE_WINDOWED, ACTION_NONE,
     "the relay processes rows, but the deliverable backlog increased across outbox.window (the "
     "window's WARN); crit when the oldest row is past outbox.oldest_crit",
     "records reach the secondary stores ever later: the relay is slower than the inflow",
     "find what slows the relay (the broker, the database, its batch size) or run more relays"},
    {"poison-rows", "warn or crit", RULE_LOCAL, ACTION_REPLAY,
     "outbox.failed_warn or more rows have reached outbox.max_attempts or recorded an error",
     "some rows are never delivered: retries loop or rows are skipped silently",
     "read the recorded errors, fix the cause, then replay the failed rows (scope failed)"},
    {"outbox-no-index", "warn", RULE_LOCAL, ACTION_NONE,
     "the pending count is a sequential scan of a table larger than outbox.seqscan_rows",
     "each poll, and the relay, scans the whole outbox table", "create the partial index the evidence names"},
    {0},
};
