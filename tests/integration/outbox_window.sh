#!/usr/bin/env bash
# outbox_window.sh: the outbox drain judged over outbox.window against a real PostgreSQL: a relay
# that processes nothing is worker-stalled before its rows are old, one slower than its inflow is
# outbox-falling-behind, and a draining backlog says when it will be empty.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
fresh_db synctop_outbox_window
load_outbox_schema

conf=$TEST_TMP/synctop.conf
S=$(stage outbox)
D=$(diagnoses products)

# insert N: N new pending rows.
insert() {
	psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type)
		SELECT 'product', 'P-' || g, 'product.updated' FROM generate_series(1, $1) g" >/dev/null
}
# process N: the relay publishes the N oldest pending rows.
process() {
	psql_synctop -c "UPDATE outbox SET processed = true, processed_at = now()
		WHERE id IN (SELECT id FROM outbox WHERE NOT processed ORDER BY id LIMIT $1)" >/dev/null
}
# ----------------------------------------------------------------------
# A stopped relay: 10 rows arrive in the 1 s window, none is processed. The rows are a second
# old, far from outbox.oldest_warn (60s): the window alone says stalled.
# ----------------------------------------------------------------------
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' 'outbox.window = 1s'
between_polls insert 10
run_once -c "$conf" --format json --once-window 1s
wait "$writer"
is "$RUN_RC" 2 "stopped relay: exit 2"
json_is "$S.metrics.evaluation" STALL "the window's verdict: STALL"
json_is "$S.metrics.empty_in_s" null "empty_in_s null: the backlog does not shrink"
json_is "$D | map(.rule) | join(\",\")" worker-stalled "worker-stalled, alone"
json_is "$D | .[0].severity" crit "worker-stalled is crit"
like "$(jqr "$D | .[0].evidence")" '^10 rows pending, oldest [0-9.]+(ms|s), nothing processed over the last 1s while 10 rows arrived$' \
	"the evidence: the rows, the window actually seen, what arrived"
json_ok "$S.metrics.oldest_pending_age_s < 5" "the rows are young: no age threshold was needed"

# The same with the default window (10s): two polls 1 s apart cannot tell.
mkconf "$conf"
process 10
between_polls insert 10
run_once -c "$conf" --format json --once-window 1s
wait "$writer"
is "$RUN_RC" 0 "10s window after 1s of polls: exit 0"
json_is "$S.metrics.evaluation" null "no verdict before the polls cover the window"
json_is "$D | length" 0 "no diagnosis: the rows are young"

# ----------------------------------------------------------------------
# A relay slower than its inflow: 20 pending; in the window 5 processed and 15 arrive.
# ----------------------------------------------------------------------
process 10
insert 20
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' 'outbox.window = 1s'
# shellcheck disable=SC2317 # run by between_polls
both() {
	process 5
	insert 15
}
between_polls both
run_once -c "$conf" --format json --once-window 1s
wait "$writer"
is "$RUN_RC" 1 "falling behind: exit 1"
json_is "$S.metrics.evaluation" WARN "the window's verdict: WARN"
json_is "$S.metrics.pending" 30 "the backlog is 30"
json_is "$D | map(.rule) | join(\",\")" outbox-falling-behind "outbox-falling-behind, alone"
json_is "$D | .[0].severity" warn "outbox-falling-behind is warn"
# growing: 10 rows over the time between the window's two polls, 1 s give or take 10% on a
# loaded machine (10.5/s once, under ASan with 4 tests at a time): 9.1 to 11.1/s.
like "$(jqr "$D | .[0].evidence")" '^backlog grew from 20 to 30 rows over the last 1s while 5 were processed and 15 arrived; oldest [0-9.]+(ms|s), growing (9\.[1-9][0-9]?|10(\.[0-9][0-9]?)?|11(\.[01][0-9]?)?)/s$' \
	"the evidence: from, to, over the window seen, processed, arrived, the growth"
like "$(jqr "$S.status")" warn "the stage is warn"

# ----------------------------------------------------------------------
# A draining backlog: 100 pending; in a 2 s window 40 processed and 10 arrive: 15 a second
# less, 70 left: empty in about 5 s.
# ----------------------------------------------------------------------
process 1000
insert 100
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' 'outbox.window = 2s'
# shellcheck disable=SC2317 # run by between_polls
drain() {
	process 40
	insert 10
}
between_polls drain
run_once -c "$conf" --format json --once-window 2s
wait "$writer"
is "$RUN_RC" 0 "draining: exit 0"
json_is "$S.metrics.evaluation" OK "the window's verdict: OK"
json_is "$S.metrics.pending" 70 "70 left"
between "$(jqr "$S.metrics.growth_per_s | . * 10 | round")" -160 -140 "growth about -15/s"
between "$(jqr "$S.metrics.empty_in_s | . * 10 | round")" 44 50 "empty in about 4.7 s"
json_is "$D | length" 0 "no diagnosis"

process 1000
insert 100
between_polls drain
run_once -c "$conf" --format text --once-window 2s
wait "$writer"
like "$RUN_OUT" '70 pending, oldest [0-9.]+(ms|s), 0 failed, drain (1[89]|2[0-2])(\.[0-9])?/s, inflow [45](\.[0-9]+)?/s, empty in ~5s' \
	"text: the figures say when it will be empty"

done_testing
