#!/usr/bin/env bash
# track.sh: states have their start and changes are events, against a real PostgreSQL: a
# running synctop (its screen in tmux) logs one line per status change to log_file and lists
# it in the detail view, with no line for a state that did not change; the pane shows how long
# a status has held; --once's JSON carries each stage's and diagnosis's since.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd tmux jq
need_pg
fresh_db synctop_track
load_outbox_schema

# Three fresh pending rows make the outbox crit by count (pending_crit = 3): no rule of age or
# drain is near (their thresholds are minutes away), so the status changes exactly once each way.
log=$TEST_TMP/synctop.log
conf=$TEST_TMP/synctop.conf
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' \
	'outbox.pending_warn = 2' 'outbox.pending_crit = 3'
sed -i "s|^\[synctop\]|[synctop]\ninterval = 1s\nlog_file = $log|" "$conf"

# The outbox's stage line with STATUS and its age: the connection and target columns come and go
# with the room the figures leave (columns_layout), so they are optional here.
stage_re() { printf '│ outbox +([^│]* )?%s +[0-9]+s +\\[' "$1"; }
iso_re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
stamp_re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z synctop\[[0-9]+\]: '
# The event lines of the log (other lines, such as a library's, are not events).
events() {
	grep -E "${stamp_re}products/" "$log" 2>/dev/null || true
}
# n_events_is N: until the log has N event lines (TUI_WAIT seconds at most).
# shellcheck disable=SC2317 # called through ok
n_events_is() {
	local i
	for ((i = 0; i < TUI_WAIT * 10; i++)); do
		(($(events | wc -l) == $1)) && return 0
		sleep 0.1
	done
	diag "the log has $(events | wc -l) event lines, not $1:"
	diag "$(events)"
	return 1
}

TUI_WAIT=15
tui_init
tui_start track -- -c "$conf"
ok "screen: the first round shows the outbox OK" wait_polled "0 pending"
ok "screen: the status shows how long it has held (\"OK      Ns\")" \
	wait_like "$(stage_re OK)"
is "$(events)" "" "log: the first state is no event"

psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type)
                 SELECT 'product', 'P-' || g, 'product.updated' FROM generate_series(1, 3) AS g" ||
	bail_out "inserting the rows failed"
ok "screen: CRIT, with its age, once it has held for confirm (2) polls" \
	wait_like "$(stage_re CRIT)"
ok "log: the change is one line" \
	wait_until grep -Eq "${stamp_re}products/outbox ok -> crit: 3 rows pending \(crit at 3\)$" "$log"
is "$(events | wc -l)" 1 "log: exactly one event line so far"
like "$(events)" "$stamp_re" "log: the line starts with the UTC time and synctop[PID]"

send Enter
ok "detail: the events of the pipeline" wait_for "events of products (the last 50, newest first)"
ok "detail: the change, with its time, stage, old -> new and reason" \
	wait_like '^ +[0-9]{2}:[0-9]{2}:[0-9]{2}  outbox ok -> crit: 3 rows pending \(crit at 3\)'
ok "detail: the status's since" wait_like '^ CRIT since [0-9]{2}:[0-9]{2}:[0-9]{2} \([0-9]+s\): 3 rows pending'
send Escape
ok "detail: Esc returns to the panes" wait_for "┌─ products "

psql_synctop -c "DELETE FROM outbox" || bail_out "deleting the rows failed"
ok "screen: OK again once it has held for clear (2) polls" \
	wait_like "$(stage_re OK)"
ok "log: the way back is one line" \
	wait_until grep -Eq "${stamp_re}products/outbox crit -> ok$" "$log"
is "$(events | wc -l)" 2 "log: two event lines in all"
like "$(events | tail -n 1)" "${stamp_re}products/outbox crit -> ok$" "log: the newest last"

# Frozen (Space), the display keeps what it shows, and the log still gets every change.
send Space
ok "frozen: the header says FROZEN" wait_for " FROZEN "
psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type)
                 SELECT 'product', 'P-' || g, 'product.updated' FROM generate_series(1, 3) AS g" ||
	bail_out "inserting the rows failed"
ok "frozen: the log gets the change" n_events_is 3
like "$(screen)" "$(stage_re OK)" "frozen: the screen still shows OK"
send Space
ok "frozen: Space again shows CRIT" wait_like "$(stage_re CRIT)" || diag "the log:"$'\n'"$(cat "$log")"
is "$(events | wc -l)" 3 "frozen: no line more on thawing"
send q
ok "screen: q quits with 0" wait_for "EXIT=0"
psql_synctop -c "DELETE FROM outbox" || bail_out "deleting the rows failed"

# --once: undamped; since is when the state was first seen, in ISO 8601.
psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, created_at)
                 SELECT 'product', 'P-' || g, 'product.updated', now() - interval '10 minutes'
                 FROM generate_series(1, 3) AS g" || bail_out "inserting the rows failed"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "once: crit, undamped (exit 2)"
S=$(stage outbox)
like "$(jqr "$S.since")" "$iso_re" "once: the stage's since is ISO 8601"
is "$(jqr "$S.since")" "$(jqr "$S.polled_at")" "once: one poll: since is that poll"
D="$(diagnoses products)[] | select(.rule == \"outbox-backlog\")"
is "$(jqr "$D.since")" "$(jqr "$S.polled_at")" "once: outbox-backlog's since is the poll that showed it"
is "$(jqr "$D.since_seen")" true "once: since_seen: synctop saw it start, the data did not say"

run_once -c "$conf" --format json --once-window 2s
is "$RUN_RC" 2 "once (a 2 s window): crit"
gap=$(jqr "($S.polled_at | fromdateiso8601) - ($S.since | fromdateiso8601)")
between "$gap" 1 3 "once (a 2 s window): the status held since the first poll, about 2 s before the last"
is "$(events | wc -l)" 3 "once: logs no event"

# Every rule id the kinds raise is a family confirm.RULE and clear.RULE accept (each is in its
# kind's rules table: add_diag asserts it; --list-rules prints them); a name that is neither a
# kind nor a rule is refused.
mapfile -t ids < <("$SYNCTOP" --list-rules | sed -n 's/^\.B //p' | tr -d '\134' | sort -u)
ok "rule ids: the kinds' rules raise some" test "${#ids[@]}" -gt 10
families=$TEST_TMP/families.conf
mkconf "$families"
for id in "${ids[@]}"; do
	sed -i "s|^\[synctop\]|[synctop]\nconfirm.$id = 1\nclear.$id = 3|" "$families"
done
run_synctop -c "$families" --once --once-window 0
is "$RUN_ERR" "" "rule ids: confirm.RULE and clear.RULE accept all ${#ids[@]}: ${ids[*]}"
sed -i "s|^\[synctop\]|[synctop]\nconfirm.worker-stalld = 1|" "$families"
run_synctop -c "$families" --once --once-window 0
is "$RUN_RC" 3 "rule ids: an unknown family is a config error (exit 3)"
is "$RUN_ERR" "$families:3: unknown family 'worker-stalld' in confirm.worker-stalld (a stage kind such as outbox or kafka, or a rule id such as worker-stalled)" \
	"rule ids: the error names the file and line"

done_testing
