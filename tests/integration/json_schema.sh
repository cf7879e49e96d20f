#!/usr/bin/env bash
# json_schema.sh: share/synctop-snapshot.schema.json against real snapshots of a PostgreSQL
# outbox: a snapshot passes; one with a contract field renamed, retyped or removed, or a
# metric of the kind missing, does not (the check can fail); the events of --once are the
# changes between its two polls, none when nothing changed.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd jq
need_pg
fresh_db synctop_schema
load_outbox_schema

conf=$TEST_TMP/synctop.conf
snapf=$TEST_TMP/snapshot.json
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' \
	'outbox.pending_warn = 2' 'outbox.pending_crit = 3'

ok "the schema is itself valid JSON Schema (draft 2020-12)" /usr/bin/python3 -c '
import json, sys, jsonschema
jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' "$SNAPSHOT_SCHEMA"

run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "an empty outbox: exit 0"
printf '%s\n' "$RUN_OUT" >"$snapf"
ok "the snapshot matches the schema" json_validate "$snapf"
json_is '.pipelines[0].events | length' 0 "one poll: no events"

# rejected FILE: json_validate fails on FILE (its errors in $TEST_TMP/mutant.err).
# shellcheck disable=SC2317 # called through ok
rejected() {
	! json_validate "$1" 2>"$TEST_TMP/mutant.err"
}
# mutant NAME JQ-FILTER ERE: the snapshot changed by FILTER must be rejected, the error matching ERE.
mutant() {
	jq "$2" "$snapf" >"$TEST_TMP/mutant.json" || bail_out "jq $2"
	ok "negative control: $1 is rejected" rejected "$TEST_TMP/mutant.json"
	like "$(<"$TEST_TMP/mutant.err")" "$3" "negative control: $1: the error names it"
}
mutant "taken_at renamed to time" '.time = .taken_at | del(.taken_at)' "'taken_at' is a required property"
mutant "a stage's kind renamed to type" '.pipelines[0].stages[0] |= (.type = .kind | del(.kind))' "'kind' is a required property"
mutant "the metric pending renamed to backlog" \
	'.pipelines[0].stages[0].metrics |= (.backlog = .pending | del(.pending))' "'pending' is a required property"
mutant "pending as a string" '.pipelines[0].stages[0].metrics.pending = "0"' "'0' is not of type 'integer', 'null'"
mutant "status CRITICAL" '.status = "CRITICAL"' "'CRITICAL' is not one of"
mutant "schema 2" '.schema = 2' "1 was expected"
mutant "taken_at not UTC ISO 8601" '.taken_at = "2026-12-03 10:00:00"' "does not match"
mutant "a pipeline without events" 'del(.pipelines[0].events)' "'events' is a required property"
jq '.pipelines[0].stages[0].metrics.new_metric = 1 | .extra = {"x": 1}' "$snapf" >"$TEST_TMP/more.json"
ok "added fields are allowed (the contract)" json_validate "$TEST_TMP/more.json"

# The check every test gets (lib.sh: run_synctop keeps each snapshot, done_testing checks them)
# fails on a bad one: run in a subshell, its "not ok" is captured, not counted.
snapshots_valid
jq '.time = .taken_at | del(.taken_at)' "$snapf" >"$TEST_TMP/renamed.json"
keep_snapshot "$TEST_TMP/renamed.json"
got=$(snapshots_valid 2>&1)
like "$got" "^not ok [0-9]+ - all 1 JSON snapshots of this test match" \
	"negative control: the kept snapshots' check fails on a renamed field"
like "$got" "'taken_at' is a required property" "negative control: and says why"

# Three rows arrive between the two polls: the outbox goes ok -> crit, one event.
psql_synctop -c "DELETE FROM outbox" || bail_out "emptying the outbox failed"
# shellcheck disable=SC2317 # run by between_polls
writes() {
	psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload)
		SELECT 'product', 'P-' || g, 'product.updated', '{}' FROM generate_series(1, 3) g"
}
between_polls writes
at_exit kill_ours "$writer"
run_once -c "$conf" --format json --once-window 2s
wait "$writer"
is "$RUN_RC" 2 "rows arrived during the window: exit 2"
json_is '.pipelines[0].events | length' 1 "one event"
json_is '.pipelines[0].events[0] | [.stage, .from, .to] | join(" ")' "outbox ok crit" "the outbox went ok -> crit"
json_is '.pipelines[0].events[0].rule' null "no rule: crit by count has no diagnosis"
json_is '.pipelines[0].events[0].reason' "3 rows pending (crit at 3)" "the event's reason is the stage's"
json_ok '.pipelines[0].events[0].time == .pipelines[0].stages[0].since' "the event's time is the stage's since"
like "$(jqr '.pipelines[0].events[0].time')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "its time is UTC ISO 8601"

run_once -c "$conf" --format json --once-window 300ms
is "$RUN_RC" 2 "steady crit: exit 2"
json_is '.pipelines[0].events | length' 0 "nothing changed between the polls: no events"
done_testing
