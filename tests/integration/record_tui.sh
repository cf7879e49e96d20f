#!/usr/bin/env bash
# record_tui.sh: a live screen session recorded while a fault comes and goes (rows stuck in the
# outbox, then drained), replayed: --replay --once --at gives the status of each moment with
# the damping the screen had, and the replay screen jumps with n to the round where CRIT
# showed; a golden screen from the small recording in tests/fixtures/record/.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd tmux jq
fixtures=$top_srcdir/tests/fixtures/record

# ----------------------------------------------------------------------
# A live session with a fault, recorded.
# ----------------------------------------------------------------------
tui_init
need_pg
fresh_db synctop_record_tui
load_outbox_schema
conf=$TEST_TMP/synctop.conf
rec=$TEST_TMP/live.jsonl
mkconf "$conf"
tui_start live -- -c "$conf" --interval 200ms --record "$rec"
wait_polled "products" || bail_out "the live screen never polled"
wait_for " OK"
psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload, created_at)
                 SELECT 'product', 'P-' || g, 'product.updated', '{}', now() - interval '10 minutes'
                 FROM generate_series(1, 42) AS g" >/dev/null || bail_out "inserting rows failed"
wait_for "CRIT"
ok "live: the stuck rows show CRIT" _tui_has "CRIT"
psql_synctop -c "UPDATE outbox SET processed = true, processed_at = now()" >/dev/null
wait_gone "CRIT"
ok "live: drained, CRIT goes" _tui_lacks "CRIT"
send q
wait_for "EXIT=0"

events=$(jq -r 'select(.type=="event") | "\(.pipeline)/\(.stage) \(.from)->\(.to)"' "$rec")
like "$events" "products/outbox ok->crit" "the recording has the change to crit"
like "$events" "products/outbox crit->ok" "and the change back to ok"
# The round of each change: the round line that follows its event lines.
crit_round=$(jq -rs '[foreach .[] as $l ({n:0,ev:false,hit:null};
	if $l.type=="round" then .n+=1 | (if .ev and .hit==null then .hit=.n else . end) | .ev=false
	elif $l.type=="event" and $l.to=="crit" then .ev=true else . end; .hit)] | last' "$rec")
crit_wall=$(jq -rs --argjson k "$crit_round" '[.[] | select(.type=="round")][$k-1].wall' "$rec")
before_wall=$(jq -rs --argjson k "$crit_round" '[.[] | select(.type=="round")][$k-2].wall' "$rec")
n_rounds=$(jq -r 'select(.type=="round") | .wall' "$rec" | wc -l)
diag "CRIT showed at round $crit_round of $n_rounds"
at() { TZ=UTC date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.%NZ; }

# The replay evaluates the rounds as the screen did (its damping, its events).
run_synctop --replay "$rec" --once --format json --at "$(at "$crit_wall")"
is "$(jq -r '.pipelines[0].stages[0].status' <<<"$RUN_OUT")" crit "--at the round CRIT showed: crit"
is "$(jq -r '.pipelines[0].stages[0].metrics.pending' <<<"$RUN_OUT")" 42 "--at that round: 42 pending"
is "$(jq -r '.pipelines[0].events[-1] | "\(.from)->\(.to)"' <<<"$RUN_OUT")" "ok->crit" \
	"--at that round: its last event is the change to crit"
run_synctop --replay "$rec" --once --format json --at "$(at "$before_wall")"
is "$(jq -r '.pipelines[0].stages[0].status' <<<"$RUN_OUT")" ok "--at the round before: ok"
is "$(jq -r '.pipelines[0].stages[0].metrics.pending' <<<"$RUN_OUT")" 0 "--at the round before: 0 pending"
run_synctop --replay "$rec" --once --format markdown --at "$(at "$crit_wall")"
is "$RUN_RC" 2 "markdown at that round: exit 2"
like "$RUN_OUT" "42 rows pending" "markdown at that round: the diagnosis's evidence"

# The replay screen: n goes to that round.
tui_start replay -- --replay "$rec"
wait_for "replay "
like "$SCREEN" "  1/$n_rounds  " "replay screen: opens on the first round"
changes_before=$(jq -rs --argjson k "$crit_round" '[foreach .[] as $l ({n:0,ev:false,c:[]};
	if $l.type=="round" then .n+=1 | (if .ev then .c+=[.n] else . end) | .ev=false
	elif $l.type=="event" then .ev=true else . end; .c)] | last | map(select(. > 1 and . <= $k)) | length' "$rec")
for ((i = 0; i < changes_before; i++)); do
	send n
done
wait_for "  $crit_round/$n_rounds  "
ok "replay screen: n reaches the round CRIT showed" _tui_has "CRIT"
send .
wait_for "  $((crit_round + 1))/$n_rounds  "
ok "replay screen: . steps one round" _tui_has "  $((crit_round + 1))/$n_rounds  "
send G
wait_for "  $n_rounds/$n_rounds  "
ok "replay screen: G goes to the end, OK again" _tui_lacks "CRIT"
send q
wait_for "EXIT=0"

# ----------------------------------------------------------------------
# The golden screen of a checked-in recording: its first round, then n to its status change.
# ----------------------------------------------------------------------
tui_start golden -- --replay "$fixtures/stalled.jsonl"
wait_for "replay 10:00:00" || true
is "$(screen | sed 's/ *$//')" "$(sed 's/ *$//' "$fixtures/stalled.first.screen")" \
	"golden: the first round of the recording (make it with UPDATE_GOLDEN=1)"
[[ -z ${UPDATE_GOLDEN:-} ]] || screen >"$fixtures/stalled.first.screen"
send n
wait_for "CRIT" || true
is "$(screen | sed 's/ *$//')" "$(sed 's/ *$//' "$fixtures/stalled.change.screen")" \
	"golden: n jumps to the round where CRIT showed"
[[ -z ${UPDATE_GOLDEN:-} ]] || screen >"$fixtures/stalled.change.screen"
send N
wait_for "no status change before this round" || true
ok "N: no change before it, said in the footer" _tui_has "no status change before this round"
send ,
wait_for "  3/6  " || true
ok ", steps back to round 3, OK" _tui_lacks "CRIT"
send G
wait_for "  6/6  " || true
ok "G: the last round" _tui_has "  6/6  "
send q
wait_for "EXIT=0"
ok "q quits the replay with exit 0" _tui_has "EXIT=0"

done_testing
