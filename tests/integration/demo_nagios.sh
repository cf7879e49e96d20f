#!/usr/bin/env bash
# demo_nagios.sh: --once --format nagios on the running demo (contrib/demo.sh) when healthy, with
# a warn fault (poison-rows) and a crit one (stop-relay): the exact exit codes, the headline,
# and the output checked against the monitoring-plugin guideline (nagios_lib.sh).
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/demo_lib.sh
. "$(dirname "$0")/demo_lib.sh"
# shellcheck source=tests/integration/nagios_lib.sh
. "$(dirname "$0")/nagios_lib.sh"

require_cmd jq curl redis-cli python3 pg_recvlogical
[[ -x $top_builddir/contrib/synctop-relay ]] ||
	skip_all "contrib/synctop-relay is not built (a build without Kafka or PostgreSQL)"
[[ -x $top_builddir/tests/stack/kafka_mock ]] || skip_all "tests/stack/kafka_mock is not built"
if [[ $top_builddir != "$top_srcdir" ]]; then
	skip_all "the demo runs from a built source tree (make check in the source tree, not a VPATH build)"
fi

DEMO=$top_srcdir/contrib/demo.sh
export XDG_RUNTIME_DIR=$TEST_TMP XDG_STATE_HOME=$TEST_TMP/state
export SYNCTOP

"$DEMO" up >"$TEST_TMP/demo.out" 2>"$TEST_TMP/demo.err" &
demo_pid=$!
at_exit _demo_stop
# shellcheck disable=SC2317 # run by at_exit
_demo_stop() {
	kill -TERM "$demo_pid" 2>/dev/null
	wait "$demo_pid" 2>/dev/null
	return 0
}
for ((i = 0; i < 60; i++)); do
	[[ -s $XDG_RUNTIME_DIR/synctop-demo-$(id -u).state ]] && break
	kill -0 "$demo_pid" 2>/dev/null || break
	sleep 0.25
done
wait_snap 40 demo_ready
ok "the demo is up" test $? -eq 0 || bail_out "the demo did not come up: $(tail -n 5 "$TEST_TMP/demo.err")"

# nagios: the demo's snapshot as a monitoring plugin (two polls 1 s apart, as snap takes them);
# RUN_OUT, RUN_RC, PERF (the parsed perfdata) and CHECK_RC (the guideline's verdict).
nagios() {
	RUN_CMD="contrib/demo.sh --once --format nagios"
	"$DEMO" --once --format nagios --once-window 1s >"$TEST_TMP/run.out" 2>"$TEST_TMP/run.err" </dev/null
	RUN_RC=$?
	RUN_OUT=$(<"$TEST_TMP/run.out")
	RUN_ERR=$(<"$TEST_TMP/run.err")
	_tap_shown_run=0
	PERF=$(nagios_check "$TEST_TMP/run.out" "$RUN_RC" 2>"$TEST_TMP/check.err")
	CHECK_RC=$?
	[[ $CHECK_RC == 0 ]] || diag "$(<"$TEST_TMP/check.err")"
}
first_line() {
	sed -n 1p <<<"$RUN_OUT"
}

# ----------------------------------------------------------------------
# Healthy.
# ----------------------------------------------------------------------
wait_snap 30 all_ok
ok "healthy: every pipeline ok" test $? -eq 0
nagios
is "$RUN_RC" 0 "healthy: exit code 0"
is "$CHECK_RC" 0 "healthy: the output follows the guideline"
like "$(first_line)" '^SYNCTOP OK - 3 pipelines in sync \| products/outbox/pending=[0-9]+;999;9999;0;$' \
	"healthy: 3 pipelines in sync, the first perfdata item"
is "$(grep -c ': OK - ' <<<"$RUN_OUT")" 6 "healthy: the 6 stage lines say OK"
is "$(perf products/outbox/failed)" "0;0;99;0;" "healthy: failed=0"
is "$(cut -f1 <<<"$PERF" | cut -d/ -f1-2 | sort -u | tr '\n' ' ')" \
	"products/kafka products/outbox products/search recommendations/connector recommendations/slot sessions/cache " \
	"healthy: perfdata of every stage"
is "$RUN_ERR" "" "healthy: nothing on stderr"

# ----------------------------------------------------------------------
# Warn: 3 outbox rows at max attempts (poison-rows), nothing crit.
# ----------------------------------------------------------------------
"$DEMO" fault poison-rows >"$TEST_TMP/fault.out" 2>&1
is "$?" 0 "fault poison-rows: injected"
# shellcheck disable=SC2317 # called through wait_snap
poisoned() { has_rule outbox poison-rows warn && calm products outbox poison-rows; }
wait_snap 20 poisoned
ok "poison-rows: the snapshot shows it, nothing crit" test $? -eq 0
nagios
is "$RUN_RC" 1 "poison-rows: exit code 1"
is "$CHECK_RC" 0 "poison-rows: the output follows the guideline"
like "$(first_line)" '^SYNCTOP WARNING - products: poison-rows \([0-9,]+ pending, [^)]*\) \| ' \
	"poison-rows: WARNING, the headline is the rule with its stage's figures"
like "$RUN_OUT" $'\nproducts/outbox: WARN - [^\n]*, 3 failed[^\n]*\\(poison-rows\\)' "poison-rows: the outbox line"
is "$(perf products/outbox/failed)" "3;0;99;0;" "poison-rows: failed=3, warn 0 (failed_warn 1), crit 99"
"$DEMO" fault clear >"$TEST_TMP/fault.out" 2>&1
wait_snap 30 all_ok
ok "poison-rows: every pipeline ok after the clear" test $? -eq 0

# ----------------------------------------------------------------------
# Crit: the relay stops (worker-stalled).
# ----------------------------------------------------------------------
"$DEMO" fault stop-relay >"$TEST_TMP/fault.out" 2>&1
is "$?" 0 "fault stop-relay: injected"
wait_snap 20 headline products outbox worker-stalled crit
ok "stop-relay: the headline of products is worker-stalled" test $? -eq 0
nagios
is "$RUN_RC" 2 "stop-relay: exit code 2"
is "$CHECK_RC" 0 "stop-relay: the output follows the guideline"
like "$(first_line)" '^SYNCTOP CRITICAL - products: worker-stalled \([0-9,]+ pending, oldest [0-9.]+m?s\)' \
	"stop-relay: CRITICAL, products: worker-stalled (N pending, oldest T)"
like "$RUN_OUT" $'\nproducts/outbox: CRIT - [^\n]*\\(worker-stalled[,)]' "stop-relay: the outbox line names it"
like "$(perf products/outbox/drain_per_s)" '^0;;;;$' "stop-relay: drain_per_s=0"
"$DEMO" fault clear >"$TEST_TMP/fault.out" 2>&1

done_testing
