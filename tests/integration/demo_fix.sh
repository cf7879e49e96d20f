#!/usr/bin/env bash
# demo_fix.sh: every demo fault that has a key is fixed with synctop's own action, as a
# newcomer would: inject it (contrib/demo.sh fault NAME), see its diagnosis, run the action
# that its key runs (contrib/demo.sh action ..., the same preview, pin, apply, read-back and
# audit), and see the diagnosis go without `fault clear`. The audit log holds one line per fix,
# each confirmed by read-back.
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/demo_lib.sh
. "$(dirname "$0")/demo_lib.sh"

require_cmd jq curl redis-cli python3 pg_recvlogical
[[ -x $top_builddir/contrib/synctop-relay ]] ||
	skip_all "contrib/synctop-relay is not built (a build without Kafka or PostgreSQL)"
[[ -x $top_builddir/tests/stack/kafka_mock ]] || skip_all "tests/stack/kafka_mock is not built"
if [[ $top_builddir != "$top_srcdir" ]]; then
	skip_all "the demo runs from a built source tree (make check in the source tree, not a VPATH build)"
fi
plan 19

DEMO=$top_srcdir/contrib/demo.sh
export XDG_RUNTIME_DIR=$TEST_TMP XDG_STATE_HOME=$TEST_TMP/state
export SYNCTOP
AUDIT=$XDG_STATE_HOME/synctop/audit.log

demo_up_bg
wait_snap 40 demo_ready
ok "the demo is up" test $? -eq 0 || bail_out "the demo did not come up: $(tail -n 5 "$TEST_TMP/demo.err")"
wait_snap 20 lacks_rule search dual-write-loss

# fix FAULT STAGE RULE SECONDS ACTION-ARGS...: inject, see RULE, run the action, see RULE go.
fix() {
	local name=$1 stage=$2 rule=$3 secs=$4
	shift 4
	"$DEMO" fault "$name" >"$TEST_TMP/fault.out" 2>&1
	wait_snap "$secs" has_rule "$stage" "$rule"
	ok "$name: $stage shows $rule" test $? -eq 0
	run_synctop_demo "$@" --yes --format json
	is "$RUN_RC:$(jqr .result)" "0:confirmed" "$name: synctop action $* is confirmed (exit 0)"
	wait_snap 40 lacks_rule "$stage" "$rule"
	ok "$name: $rule gone, fixed by synctop alone" test $? -eq 0 ||
		diag "$(jq -c '[.pipelines[] | {name, diagnoses: [.diagnoses[]? | {rule, severity, evidence}]}]' <<<"$SNAP")"
}
run_synctop_demo() {
	RUN_CMD="contrib/demo.sh action $*"
	"$DEMO" action "$@" >"$TEST_TMP/run.out" 2>"$TEST_TMP/run.err" </dev/null
	RUN_RC=$?
	RUN_OUT=$(<"$TEST_TMP/run.out")
	RUN_ERR=$(<"$TEST_TMP/run.err")
	diag "ran: $RUN_CMD -> exit $RUN_RC: $(jqr .line)"
}

fix pause-relay outbox worker-paused 15 resume products
fix poison-rows outbox poison-rows 15 replay products --scope failed
fix refresh-off search search-refresh-disabled 15 restore-refresh products
fix task-fail connector connector-task-failed 15 restart recommendations
fix dual-write-loss search dual-write-loss 20 replay products --scope created:1h..
is "$(jq -r 'select(.result == "confirmed") | .action' "$AUDIT" | tr '\n' ' ')" \
	"resume replay restore-refresh restart replay " "the audit log: the five fixes, each confirmed"
is "$(jq -r 'select(.result != "confirmed") | .action' "$AUDIT")" "" "the audit log: nothing else"
diag "$(cat "$AUDIT")"
snapshots_valid
done_testing
