#!/usr/bin/env bash
# outbox.sh: the outbox stage against a real PostgreSQL: exact levels, the count cap, drain and
# inflow rates over a --once-window, and the advice to add the partial index.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
fresh_db synctop_outbox
load_outbox_schema

conf=$TEST_TMP/synctop.conf
S=$(stage outbox)
D=$(diagnoses products)

# 1000 published rows, then 137 pending ones: the oldest exactly 10 minutes old, the rest
# younger; 5 of the pending have failed (3 at the attempts limit, 2 with an error).
psql_synctop <<'SQL' || bail_out "loading the outbox rows failed"
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload, created_at,
                    processed, processed_at, attempts)
SELECT 'product', 'P-' || g, 'product.updated', jsonb_build_object('n', g),
       now() - interval '2 hours', true, now() - interval '1 hour', 1
FROM generate_series(1, 1000) AS g;

INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload, created_at)
SELECT 'product', 'P-' || g, 'product.updated', jsonb_build_object('n', g),
       now() - interval '10 minutes' + (g - 1) * interval '1 second'
FROM generate_series(1, 137) AS g;

UPDATE outbox SET attempts = 5
WHERE id IN (SELECT id FROM outbox WHERE NOT processed ORDER BY id LIMIT 3 OFFSET 10);
UPDATE outbox SET attempts = 1, last_error = 'broker unavailable'
WHERE id IN (SELECT id FROM outbox WHERE NOT processed ORDER BY id LIMIT 2 OFFSET 20);
ANALYZE outbox;
SQL
is "$(psql_synctop -c 'SELECT count(*) FROM outbox WHERE NOT processed')" 137 "fixture: 137 pending rows"

# ----------------------------------------------------------------------
# Levels, one poll.
# ----------------------------------------------------------------------
mkconf "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "exit code 2: the oldest pending row (10 min) is past the 5 min crit default"
json_is '.schema' 1 "schema 1"
json_is '.version' 0.1.0 "version 0.1.0"
like "$(jqr '.taken_at')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$' "taken_at is UTC ISO 8601"
json_is '.status' crit "overall status crit"
json_is '.pipelines[0].name' products "the pipeline is listed"
json_is '.pipelines[0].status' crit "pipeline status crit"
json_is "$S.connection" shop "stage connection"
json_is "$S.target" public.outbox "stage target"
json_is "$S.status" crit "stage status crit"
json_is "$S.error" null "no stage error"
json_ok "$S.latency_ms | type == \"number\" and . >= 0" "latency_ms is a number"
json_is "$S.metrics.pending" 132 "pending = 132 exactly: the 137 less the 5 failed, which no relay delivers"
json_is "$S.metrics.pending_capped" false "pending is not capped"
json_is "$S.metrics.failed" 5 "failed = 5 (3 at max attempts, 2 with last_error)"
between "$(jqr "$S.metrics.oldest_failed_age_s")" 590 596 "oldest_failed_age_s: the first failed row, 10 s younger than the oldest"
between "$(jqr "$S.metrics.oldest_pending_age_s")" 600 605 "oldest pending age is 10 minutes"
json_is "$S.metrics.drain_per_s" null "no drain rate with --once-window 0"
json_is "$S.metrics.inflow_per_s" null "no inflow rate with --once-window 0"
json_is "$D | map(select(.rule == \"outbox-no-index\")) | length" 0 "no index advice: the partial index exists"
unlike "$RUN_OUT$RUN_ERR" hunter2 "the password is not printed"

run_once -c "$conf" --format text --once-window 0
is "$RUN_RC" 2 "text format: exit code 2"
like "$RUN_OUT" products "text format names the pipeline"
like "$RUN_OUT" '(^|[^0-9])132([^0-9]|$)' "text format shows 132 pending"
unlike "$RUN_OUT$RUN_ERR" hunter2 "text format: the password is not printed"

# ----------------------------------------------------------------------
# The count cap: exact up to outbox.count_cap, then capped.
# ----------------------------------------------------------------------
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' 'outbox.count_cap = 100'
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.pending" 100 "count_cap 100: pending (132) reported as 100"
json_is "$S.metrics.pending_capped" true "count_cap 100: pending_capped is true"
json_is "$S.metrics.failed" 5 "count_cap 100: failed still 5"

# ----------------------------------------------------------------------
# Rates: two polls 2 s apart; between them 40 rows are published and 10 new ones arrive.
# ----------------------------------------------------------------------
mkconf "$conf"
# shellcheck disable=SC2317 # run by between_polls
writes() {
	psql_synctop <<'SQL'
BEGIN;
UPDATE outbox SET processed = true, processed_at = now(), attempts = attempts + 1
WHERE id IN (SELECT id FROM outbox
             WHERE NOT processed AND attempts < 5 AND last_error IS NULL
             ORDER BY created_at DESC LIMIT 40);
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload)
SELECT 'product', 'N-' || g, 'product.created', '{}' FROM generate_series(1, 10) AS g;
COMMIT;
SQL
}
between_polls writes
run_once -c "$conf" --format json --once-window 2s
wait "$writer"
is "$?" 0 "the writer published 40 rows and inserted 10 during the window"
json_is "$S.metrics.pending" 102 "after the window: 132 - 40 + 10 = 102 pending"
between "$(jqr "$S.metrics.drain_per_s")" 15 25 "drain_per_s is about 40 rows / 2 s"
between "$(jqr "$S.metrics.inflow_per_s")" 3 7 "inflow_per_s is about 10 rows / 2 s"
between "$RUN_MS" 1900 10000 "a 2 s window takes at least 2 s"

# ----------------------------------------------------------------------
# A large outbox without the partial index: the pending count is a seq scan; say so.
# ----------------------------------------------------------------------
psql_synctop <<'SQL' || bail_out "creating outbox_big failed"
CREATE TABLE outbox_big (LIKE outbox INCLUDING DEFAULTS);
ALTER TABLE outbox_big ADD PRIMARY KEY (id);
INSERT INTO outbox_big (aggregate_type, aggregate_id, event_type, created_at, processed, processed_at)
SELECT 'product', 'P-' || g, 'product.updated', now() - interval '1 hour', g > 50,
       CASE WHEN g > 50 THEN now() END
FROM generate_series(1, 60000) AS g;
ANALYZE outbox_big;
SQL
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox_big'
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.pending" 50 "outbox_big: 50 pending of 60000"
json_is "$D | map(select(.rule == \"outbox-no-index\")) | length" 1 "no partial index on 60000 rows: outbox-no-index diagnosis"
like "$(jqr "$D | map(select(.rule == \"outbox-no-index\")) | .[0].next")" 'CREATE INDEX' "its next step is a CREATE INDEX"

# A count that runs out of time on a table no index serves says why, and what to create.
MKCONF_TIMEOUT=1s mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox_big' \
	'outbox.pending = NOT processed AND (SELECT pg_sleep(1.5)) IS NOT NULL'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "slow count without an index: exit 3"
like "$(jqr "$S.error")" 'timeout.*no index serves the pending predicate: CREATE INDEX CONCURRENTLY ON "public"."outbox_big"' \
	"slow count without an index: the error names the index to create"
between "$RUN_MS" 900 3000 "slow count without an index: ended at the 1 s deadline"
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox_big'

psql_synctop -c 'CREATE INDEX outbox_big_pending_idx ON outbox_big (created_at) WHERE NOT processed' \
	-c 'ANALYZE outbox_big' || bail_out "CREATE INDEX failed"
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.pending" 50 "outbox_big with the index: still 50 pending"
json_is "$D | map(select(.rule == \"outbox-no-index\")) | length" 0 "with the partial index: no outbox-no-index diagnosis"

# ----------------------------------------------------------------------
# The control table (share/sql/outbox.sql's outbox_worker): a pause in force is shown.
# ----------------------------------------------------------------------
mkconf "$conf"
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.worker_paused" false "relay not paused: worker_paused false"
psql_synctop -c "UPDATE outbox_worker SET paused = true, paused_at = now() - interval '90 seconds' WHERE name = 'relay'" >/dev/null
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.worker_paused" true "relay paused: worker_paused true"
between "$(jqr "$S.metrics.paused_for_s | floor")" 90 92 "relay paused 90 s ago: paused_for_s 90"
like "$(jqr "$S.metrics.paused_since")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "paused_since is an ISO time"
json_is "$D | map(select(.rule == \"worker-paused\")) | .[0].severity" warn "relay paused: worker-paused, warn"
like "$(jqr "$D | map(select(.rule == \"worker-paused\")) | .[0].evidence")" 'outbox_worker.paused = true for worker relay' \
	"worker-paused: the evidence names the table and the worker"
json_is "$D | map(select(.rule == \"worker-paused\")) | .[0].action" resume "worker-paused: the fix is resume"
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' 'outbox.worker = other'
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.worker_paused" null "another worker's name: no row, nothing said"
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' 'outbox.control_table = no_such_table'
run_once -c "$conf" --format json --once-window 0
like "$(jqr "$S.control_error")" 'no_such_table.*does not exist' "a control table that is not there, set explicitly: said"
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' 'outbox.control_table ='
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.worker_paused" null "outbox.control_table empty: not read"
psql_synctop -c "UPDATE outbox_worker SET paused = false, paused_at = NULL WHERE name = 'relay'" >/dev/null

done_testing
