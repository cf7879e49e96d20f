#!/usr/bin/env bash
# record_demo.sh: issue 19's record-and-replay check on the live demo: a screen session
# recorded (--record) while three faults come and go (stop-relay, refresh-off, task-fail);
# then --replay --once --at the moment each showed prints its runbook rule as the headline,
# --format markdown for the ticket, and the replay screen reaches each with n.
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/demo_lib.sh
. "$(dirname "$0")/demo_lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd jq curl redis-cli python3 pg_recvlogical tmux
[[ -x $top_builddir/contrib/synctop-relay ]] ||
	skip_all "contrib/synctop-relay is not built (a build without Kafka or PostgreSQL)"
[[ -x $top_builddir/tests/stack/kafka_mock ]] || skip_all "tests/stack/kafka_mock is not built"
if [[ $top_builddir != "$top_srcdir" ]]; then
	skip_all "the demo runs from a built source tree (make check in the source tree, not a VPATH build)"
fi

DEMO=$top_srcdir/contrib/demo.sh
export XDG_RUNTIME_DIR=$TEST_TMP
export SYNCTOP
demo_up_bg
state=$demo_state
wait_snap 30 demo_ready || {
	diag "$(tail -n 20 "$TEST_TMP/demo.err")"
	bail_out "the demo did not come up"
}
conf=$(sed -n 2p "$state")/synctop.conf
rec=$TEST_TMP/demo.jsonl

tui_init
TUI_COLS=160 TUI_ROWS=50 TUI_WAIT=40
tui_start live -- -c "$conf" --interval 1s --record "$rec"
ok "live: polled" wait_polled "q quit"

# inject NAME PIPELINE STAGE RULE SEVERITY (the last three for the reader): the fault until the screen shows its rule; its
# moment (the newest round of the recording then) in AT_NAME; cleared until all is ok again.
declare -A AT
inject() {
	local name=$1 rule=$4
	"$DEMO" fault "$name" >"$TEST_TMP/fault.out" 2>&1
	is "$?" 0 "fault $name: injected"
	ok "fault $name: the screen shows $rule" wait_for "$rule"
	sleep 1.5 # a round or two with it, flushed
	AT[$name]=$(jq -r 'select(.type == "round") | .wall' "$rec" | tail -n 1)
	"$DEMO" fault clear >"$TEST_TMP/fault.out" 2>&1
	is "$?" 0 "fault $name: cleared"
	wait_snap 40 all_ok
	ok "fault $name: ok again" test $? -eq 0
	ok "fault $name: the screen is calm again" wait_gone "$rule"
}
inject stop-relay products outbox worker-stalled crit
inject refresh-off products search search-refresh-disabled crit
inject task-fail recommendations connector connector-task-failed crit
send q
ok "live: quits" wait_for "EXIT=0"

diag "recording: $(wc -c <"$rec") bytes, $(grep -c '"type":"round"' "$rec") rounds," \
	"$(grep -c '"type":"event"' "$rec") events"
at() { TZ=UTC date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.%NZ; }
check() { # NAME PIPELINE STAGE RULE: the replayed snapshot at the fault's moment
	local name=$1 pipe=$2 stage=$3 rule=$4
	run_synctop --replay "$rec" --once --format json --at "$(at "${AT[$name]}")"
	is "$RUN_RC" 2 "replay at $name: exit 2 (crit)"
	is "$(jq -r --arg p "$pipe" '.pipelines[] | select(.name == $p) | .diagnoses[0] | "\(.stage) \(.rule)"' <<<"$RUN_OUT")" \
		"$stage $rule" "replay at $name: the headline of $pipe is $stage $rule"
	# From ok, or from warn: a loaded machine may see a stopped relay fall behind first.
	like "$(jq -r 'select(.type == "event") | .text' "$rec")" "$pipe/$stage (ok|warn) -> crit $rule" \
		"the recording has $pipe/$stage turning crit with $rule"
}
check stop-relay products outbox worker-stalled
check refresh-off products search search-refresh-disabled
check task-fail recommendations connector connector-task-failed
run_synctop --replay "$rec" --once --format markdown --at "$(at "${AT[task-fail]}")"
like "$RUN_OUT" "connector-task-failed" "markdown at task-fail: the ticket names the rule"
diag "the replayed snapshot at task-fail (synctop --replay FILE --once --at TIME --format markdown):"
diag "$RUN_OUT"
[[ -z ${RECORD_DEMO_KEEP:-} ]] || cp "$rec" "$RECORD_DEMO_KEEP"

# The replay screen: n from change to change reaches each of the three.
tui_start replay -- --replay "$rec"
ok "replay: opens" wait_for "replay "
seen=()
for ((i = 0; i < 200 && ${#seen[@]} < 3; i++)); do
	send n
	sleep 0.05
	SCREEN=$(screen)
	for r in worker-stalled search-refresh-disabled connector-task-failed; do
		[[ $SCREEN == *"$r"* && " ${seen[*]} " != *" $r "* ]] && seen+=("$r")
	done
	[[ $SCREEN == *"no status change after this round"* ]] && break
done
is "${#seen[@]}" 3 "replay: n reaches the three faults (${seen[*]})"
send q
ok "replay: quits" wait_for "EXIT=0"

done_testing
