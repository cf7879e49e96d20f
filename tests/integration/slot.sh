#!/usr/bin/env bash
# slot.sh: the slot stage against a real logical replication slot that nobody consumes.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
slot=synctop_test_slot

drop_slot() {
	psql_admin -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
	               WHERE slot_name = '$slot'" >/dev/null
}

# Slots live in the cluster, not the database, and keep the database from being dropped:
# remove one a previous run may have left, and ours at the end.
drop_slot || bail_out "cannot drop a leftover slot $slot"
fresh_db synctop_slot
at_exit drop_slot

# The slot first: creating a logical slot waits for every open transaction to finish.
psql_synctop -c "SELECT pg_create_logical_replication_slot('$slot', 'test_decoding')" >/dev/null ||
	bail_out "cannot create slot $slot"

# WAL that the slot has to retain, since nobody consumes it.
psql_synctop -c 'CREATE TABLE items (id int PRIMARY KEY, body text)' \
	-c "INSERT INTO items SELECT g, repeat('x', 200) FROM generate_series(1, 5000) AS g" ||
	bail_out "generating WAL failed"

conf=$TEST_TMP/synctop.conf
S=$(stage slot)
D=$(diagnoses products)

mkconf "$conf" 'slot = shop' "slot.names = $slot"
run_once -c "$conf" --format json --once-window 0
like "$RUN_RC" '^[0-2]$' "exit code 0-2: the slot could be read"
json_is "$S.connection" shop "stage connection"
json_is "$S.error" null "no stage error"
isnt "$(jqr "$S.status")" unknown "stage status is known"
json_is "$S.metrics.slot_name" "$slot" "metrics name the slot"
json_is "$S.metrics.active" false "the slot is inactive"
json_is "$S.metrics.wal_status" reserved "wal_status is reserved"
json_ok "$S.metrics.retained_bytes | type == \"number\" and . > 0" "the slot retains WAL"
json_ok "$S.metrics.confirmed_lag_bytes | type == \"number\" and . >= 0" "confirmed_lag_bytes is a number"
json_is "$S.slots | length" 1 "one slot listed"
json_is "$S.slots[0].slot_name" "$slot" "the listed slot is ours"
json_is "$S.slots[0].active" false "the listed slot is inactive"
json_ok "$S.slots[0].retained_bytes > 0" "the listed slot retains WAL"
json_is "$D | map(select(.rule == \"slot-inactive\")) | length" 1 "slot-inactive diagnosis"
like "$(jqr "$D | map(select(.rule == \"slot-inactive\")) | .[0] | \"\\(.symptom) \\(.evidence)\"")" "$slot" \
	"the diagnosis names the slot"
unlike "$RUN_OUT$RUN_ERR" hunter2 "the password is not printed"

run_once -c "$conf" --format text --once-window 0
like "$RUN_OUT" "$slot" "text format names the slot"

# A slot that does not exist is an error of the stage, naming the slot.
mkconf "$conf" 'slot = shop' 'slot.names = no_such_slot_xyz'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "missing slot: exit code 3"
json_is "$S.status" unknown "missing slot: stage status unknown"
like "$(jqr "$S.error")" no_such_slot_xyz "missing slot: the error names it"

done_testing
