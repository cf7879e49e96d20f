#!/usr/bin/env bash
# outbox_poison.sh: poison rows in an outbox whose relay drains its inflow (the demo's fault
# poison-rows) are poison-rows with their ids and errors, not a backlog or a stalled worker.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
fresh_db synctop_poison
load_outbox_schema

conf=$TEST_TMP/synctop.conf
S=$(stage outbox)
D=$(diagnoses products)

# Three poisoned rows two hours old (ids 1-3): at max attempts with an error on two lines and a
# control character, at max attempts without an error, an error after 2 attempts. Row 4 failed
# once and is retried: a working relay still delivers it.
psql_synctop <<'SQL' || bail_out "loading the poison rows failed"
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload, created_at, attempts, last_error)
VALUES ('product', 'P-POISON-1', 'product.updated', '{}', now() - interval '2 hours', 5,
        E'the broker rejected the message\n(record too large)\x07'),
       ('product', 'P-POISON-2', 'product.updated', '{}', now() - interval '2 hours', 5, NULL),
       ('product', 'P-POISON-3', 'product.updated', '{}', now() - interval '2 hours', 2, 'timeout'),
       ('product', 'P-RETRY-4', 'product.updated', '{}', now() - interval '2 hours', 4, NULL);
SQL

# A relay that drains exactly its inflow: every 200 ms, 2 rows in, every deliverable row out.
relay_loop() {
	while psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type)
		SELECT 'product', 'P-' || g, 'product.updated' FROM generate_series(1, 2) g" \
		-c "UPDATE outbox SET processed = true, processed_at = now()
		WHERE NOT processed AND attempts < 5 AND last_error IS NULL" >/dev/null 2>&1; do
		sleep 0.2
	done
}
relay_loop &
relay=$!
at_exit kill_ours "$relay"
sleep 0.5

mkconf "$conf"
run_once -c "$conf" --format json --once-window 2s
is "$RUN_RC" 1 "exit 1: warn, the poison rows only"
json_is "$S.status" warn "the outbox stage is warn"
json_is "$S.metrics.failed" 3 "failed = 3: two at max attempts, one with an error"
json_ok "$S.metrics.pending <= 4" "pending counts only deliverable rows (the relay drains them)"
json_ok "$S.metrics.oldest_pending_age_s < 5" "the oldest deliverable row is young: the poisoned ones are not in it"
between "$(jqr "$S.metrics.oldest_failed_age_s | floor")" 7200 7210 "oldest_failed_age_s: two hours"
between "$(jqr "$S.metrics.inflow_per_s | round")" 5 11 "inflow about 10 rows/s"
json_ok "$S.metrics.drain_per_s > 4" "the relay drains"
json_is "$D | map(.rule) | join(\",\")" poison-rows "one diagnosis: poison-rows (no outbox-backlog, no worker-stalled)"
json_is "$D | .[0].severity" warn "poison-rows is warn"
json_is "$D | .[0].evidence" \
	"3 pending rows have attempts >= 5 or an error in last_error, the oldest 2h00m old; first ids 1 (5 attempts), 2 (5 attempts), 3 (2 attempts); first error: the broker rejected the message (record too large)\\x07" \
	"the evidence names the first ids and the first error, on one line"
json_is "$S.first_poison_rows | length" 3 "the detail lists the poisoned rows"
json_is "$S.first_poison_rows | map(.id) | join(\",\")" 1,2,3 "oldest first, by id"
json_is "$S.first_poison_rows | map(.attempts | tostring) | join(\",\")" 5,5,2 "with their attempts"
json_is "$S.first_poison_rows[0].last_error" 'the broker rejected the message (record too large)\x07' \
	"last_error on one line, its control character shown"
json_is "$S.first_poison_rows[1].last_error" null "no error recorded: null"

# Nothing poisoned: no list, failed 0.
psql_synctop -c "UPDATE outbox SET processed = true WHERE id <= 3" >/dev/null
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "the poisoned rows processed: exit 0"
json_is "$S.metrics.failed" 0 "failed = 0"
json_is "$S.metrics.oldest_failed_age_s" null "no poisoned row: oldest_failed_age_s null"
json_is "$S.first_poison_rows" null "no poisoned row: no list"

# A long error is cut to 160 bytes, and the list to the first three.
psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, attempts, last_error)
	SELECT 'product', 'P-LONG-' || g, 'product.updated', 5, repeat('x', 1000)
	FROM generate_series(1, 7) g" >/dev/null
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.failed" 7 "seven poisoned rows"
json_is "$S.first_poison_rows | length" 3 "the list stops at three"
json_is "$S.first_poison_rows[0].last_error | length" 160 "an error is cut to 160 bytes"

done_testing
