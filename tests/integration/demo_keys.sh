#!/usr/bin/env bash
# demo_keys.sh: the demo as a newcomer fixes it, on the screen (contrib/demo.sh in tmux): each
# injected fault that has a key is fixed with that key alone (u, R, I, T, R), confirmed by
# read-back on the screen, and its diagnosis goes; the audit log records each fix. The figures
# of each fix (key to preview, preview to applied, applied to confirmed) come from the screen's
# flow line and are printed as diagnostics.
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
plan 34

DEMO=$top_srcdir/contrib/demo.sh
export XDG_RUNTIME_DIR=$TEST_TMP XDG_STATE_HOME=$TEST_TMP/state
export SYNCTOP
AUDIT=$XDG_STATE_HOME/synctop/audit.log
# shellcheck disable=SC2034 # read by tui_lib.sh
TUI_COLS=160 TUI_ROWS=50 TUI_WAIT=30
tui_init
# DEMO_CANARY=0: the audit log holds the five fixes alone (demo_canary.sh covers the canary).
tmx new-session -d -s demo -x "$TUI_COLS" -y "$TUI_ROWS" \
	"$(printf '%q ' env LANG=C.UTF-8 TZ=UTC XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
		XDG_STATE_HOME="$XDG_STATE_HOME" SYNCTOP="$SYNCTOP" PATH="$PATH" DEMO_CANARY=0 "$DEMO"); echo EXIT=\$?; sleep 60" ||
	bail_out "cannot start the demo in tmux"
TUI_SESSION=demo
at_exit _demo_quit
# shellcheck disable=SC2317 # run by at_exit
_demo_quit() {
	send q
	sleep 1
	send y Enter # the teardown's question, while a fault is injected
	wait_for EXIT= >/dev/null 2>&1 || true
}


ok "the demo's screen is up, every stage read" wait_polled "┌─ products "
wait_snap 40 lacks_rule search dual-write-loss

# select PIPELINE KEY: the filter keeps PIPELINE alone, then j moves down its stages until the
# footer offers KEY (the footer shows a key only where its action applies now).
# shellcheck disable=SC2317 # called through ok
select_for() {
	local i
	send /
	send_text "$1"
	send Enter
	wait_for "filter \"$1\"" >/dev/null
	for ((i = 0; i < 48; i++)); do
		tail -n 1 <<<"$(screen)" | grep -qE "(^|  )$2 [a-z]" && return 0
		if (((i / 6) % 2)); then send k; else send j; fi
		sleep 0.25
	done
	diag "no stage of $1 offers $2; the screen:"
	diag "$(screen)"
	return 1
}

# fix FAULT PIPELINE STAGE RULE KEY: inject, see RULE, press KEY on STAGE (scope prompt: Enter
# takes the suggested scope; a typed count when asked), y, "confirmed", RULE gone.
fix() {
	local name=$1 pipe=$2 stage=$3 rule=$4 key=$5 n
	"$DEMO" fault "$name" >"$TEST_TMP/fault.out" 2>&1
	wait_snap 30 has_rule "$stage" "$rule"
	ok "$name: $stage shows $rule" test $? -eq 0
	send Escape
	ok "$name: the screen shows $rule too" wait_for " $rule "
	ok "$name: the footer offers $key on $pipe" select_for "$pipe" "$key"
	send "$key"
	if [[ $key == R ]]; then # replay asks for its scope first, starting from the diagnosis's
		wait_for "scope on $pipe/outbox: " >/dev/null
		diag "$name: $(grep -o "replay scope on $pipe/outbox: [^ ]*" <<<"$SCREEN" | head -n 1)"
		send Enter
	fi
	wait_like 'y applies|type the row count' >/dev/null
	if [[ $SCREEN =~ type\ the\ row\ count\ \(([0-9]+)\) ]]; then
		n=${BASH_REMATCH[1]}
		send_text "$n"
		send Enter
	else
		send y
	fi
	ok "$name: key $key, then y: confirmed on the screen" wait_like "confirmed: "
	diag "$name: $(grep -E 'confirmed: ' <<<"$SCREEN" | head -n 1 | sed 's/[│ ]*$//')"
	wait_snap 40 lacks_rule "$stage" "$rule"
	ok "$name: $rule gone, fixed from the screen" test $? -eq 0 ||
		diag "$(jq -c '[.pipelines[] | {name, diagnoses: [.diagnoses[]? | {rule, severity, evidence}]}]' <<<"$SNAP")"
	send Escape
}

fix pause-relay products outbox worker-paused u
fix poison-rows products outbox poison-rows R
fix refresh-off products search search-refresh-disabled I
fix task-fail recommendations connector connector-task-failed T
fix dual-write-loss products search dual-write-loss R
is "$(jq -r 'select(.result == "confirmed") | .action' "$AUDIT" | tr '\n' ' ')" \
	"resume replay restore-refresh restart replay " "the audit log: the five fixes, each confirmed"
is "$(jq -r 'select(.result != "confirmed") | .action' "$AUDIT")" "" "the audit log: nothing else"
is "$(jq -r .scope "$AUDIT" | tr '\n' ' ')" "null failed null null created:1h.. " \
	"the replays took the scopes their diagnoses named"
diag "audit log:"
diag "$(cat "$AUDIT")"
snapshots_valid

# q with the faults injected (fixed from the screen, never cleared): the teardown is asked.
# shellcheck disable=SC2317 # called through wait_until
asked() { (($(grep -c 'quit and tear the demo down? \[y/N\]' <<<"$SCREEN") == $1)); }
send q
ok "quit: the demo asks first, naming the faults" wait_for \
	"demo: a fault is injected (pause-relay poison-rows refresh-off task-fail dual-write-loss): quit and tear the demo down? [y/N]"
send n Enter
ok "quit: n keeps the demo: synctop again" wait_for "┌─ products "
send q
ok "quit: asked again" wait_until asked 2
send y Enter
ok "quit: y tears it down, exit 0" wait_for EXIT=0
done_testing
