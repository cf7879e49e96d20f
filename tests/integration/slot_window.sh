#!/usr/bin/env bash
# slot_window.sh: the window on a slot's confirmed_flush_lsn against a real logical slot: a
# consumer connected to it that confirms nothing is slot-stalled, with the figures of the polls.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
recv=$(dirname "$(command -v "$PSQL")")/pg_recvlogical
[[ -x $recv ]] || skip_all "no pg_recvlogical beside $PSQL"
slot=synctop_test_wslot

drop_slot() {
	psql_admin -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
	               WHERE slot_name = '$slot'" >/dev/null
}

drop_slot || bail_out "cannot drop a leftover slot $slot"
fresh_db synctop_slot_window
at_exit drop_slot
psql_synctop -c "SELECT pg_create_logical_replication_slot('$slot', 'test_decoding')" >/dev/null ||
	bail_out "cannot create slot $slot"
psql_synctop -c 'CREATE TABLE items (id serial PRIMARY KEY, body text)' || bail_out "cannot create items"

# consume ARGS...: pg_recvlogical streaming the slot into a file, in the background (RECV_PID),
# once the slot shows it active.
consume() {
	"$recv" -h "$SYNCTOP_PG_SOCKDIR" -p "$SYNCTOP_PG_PORT" -U postgres -d "$SYNCTOP_DB" \
		--slot "$slot" --start --no-loop -f "$TEST_TMP/changes" "$@" 2>>"$TEST_TMP/recv.err" &
	RECV_PID=$!
	at_exit kill_ours "$RECV_PID"
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(psql_admin -c "SELECT active FROM pg_replication_slots WHERE slot_name = '$slot'") == t ]] &&
			return 0
		sleep 0.05
	done
	bail_out "pg_recvlogical did not make slot $slot active: $(<"$TEST_TMP/recv.err")"
}

# Writes keep coming (WRITER_PID): the WAL grows under the slot.
write_rows() {
	while :; do
		psql_synctop -c "INSERT INTO items (body) SELECT repeat('x', 200) FROM generate_series(1, 20)" ||
			break
		sleep 0.1
	done >/dev/null 2>&1 &
	WRITER_PID=$!
	at_exit kill_ours "$WRITER_PID"
}

# jq: sizes and durations as synctop writes them (units.c), for the figures of the last run.
# shellcheck disable=SC2016 # jq, not shell, expands these
JQ_UNITS='def size: if . < 1024 then "\(.) B"
	else (. / 1024) as $v | if $v < 10 then "\(($v * 10 | round) / 10 | tostring |
	if test("[.]") then . else . + ".0" end) KiB" else "\($v | round) KiB" end end;
	def dur: "\((. * 10 | round) / 10)s";' # under 10s

conf=$TEST_TMP/synctop.conf
S=$(stage slot)
D=$(diagnoses products)

# pg_recvlogical holding its feedback back: --fsync-interval and --status-interval of an hour,
# so the slot is active and its confirmed_flush_lsn stands still while the rows stream through.
consume --fsync-interval 3600 --status-interval 3600
write_rows
sleep 0.5

# The window is the --once window (2s): two polls that far apart are enough for a verdict.
mkconf "$conf" 'slot = shop' "slot.names = $slot" 'slot.window = 2s'
run_once -c "$conf" --format json --once-window 2s
is "$RUN_RC" 1 "a stalled consumer: exit 1 (warn)"
json_is "$S.metrics.active" true "the slot is active"
json_is "$S.metrics.evaluation" STALL "its verdict is STALL"
json_ok "$S.metrics.evaluated_s >= 1.95 and $S.metrics.evaluated_s < 2.5" \
	"the span of the polls is the 2s between the two polls"
json_is "$S.metrics.consumed" 0 "nothing confirmed over the window"
json_ok "$S.metrics.produced > 0" "the WAL grew over the window"
json_ok "$S.metrics.confirmed_lag_bytes >= $S.metrics.produced" \
	"what is unconfirmed holds at least what the WAL grew over the window"
json_is "$S.slots[0].evaluation" STALL "the slot's entry has the verdict too"
json_is "$D | map(select(.rule == \"slot-stalled\")) | length" 1 "one slot-stalled diagnosis"
json_is "$D | length" 1 "and nothing else"
json_is "$D | .[0].severity" warn "warn: standing still over one window"
json_is "$D | .[0].symptom" "the consumer of replication slot $slot is connected but confirms nothing" \
	"the symptom names the slot"
want=$(jq -r "$JQ_UNITS $S.metrics | \"confirmed_flush_lsn unchanged over the last \(.evaluated_s | dur)\" +
	\" while the WAL grew \(.produced | size); \(.confirmed_lag_bytes | size) unconfirmed\"" <<<"$RUN_OUT")
diag "evidence: $(jqr "$D | .[0].evidence")"
json_is "$D | .[0].evidence" "$want" "the evidence: the span of the polls, the WAL grown, what is unconfirmed"
like "$(jqr "$D | .[0].evidence")" "over the last 2(\\.[0-4])?s while the WAL grew [0-9.]+ (B|KiB)" \
	"the evidence states the 2s actually observed"

# Near miss: the same consumer with a 10s window: two polls 2s apart are no verdict.
mkconf "$conf" 'slot = shop' "slot.names = $slot" 'slot.window = 10s'
run_once -c "$conf" --format json --once-window 2s
is "$RUN_RC" 0 "a 10s window after 2s: exit 0"
json_is "$S.metrics.evaluation" null "no verdict before the polls cover the window"
json_is "$D | length" 0 "no diagnosis"

# Near miss: a consumer that confirms every second: not stalled.
stop_bg "$RECV_PID"
consume --fsync-interval 0 --status-interval 1
sleep 1.5
mkconf "$conf" 'slot = shop' "slot.names = $slot" 'slot.window = 2s'
run_once -c "$conf" --format json --once-window 2s
json_ok "$S.metrics.consumed > 0" "a consumer confirming every second moves confirmed_flush_lsn"
diag "the confirming consumer: $(jqr "$S.metrics | \"\(.evaluation) over \(.evaluated_s)s\"")"
json_ok "$S.metrics.evaluation | IN(\"OK\", \"WARN\")" "its verdict is OK (or WARN, two polls cannot tell noise)"
json_is "$D | map(select(.rule == \"slot-stalled\")) | length" 0 "no slot-stalled"

# The consumer gone: slot-inactive alone, never slot-stalled beside it.
stop_bg "$RECV_PID"
run_once -c "$conf" --format json --once-window 2s
json_is "$S.metrics.active" false "the slot is inactive"
json_is "$D | map(.rule) | join(\",\")" slot-inactive "slot-inactive alone"

stop_bg "$WRITER_PID"
done_testing
