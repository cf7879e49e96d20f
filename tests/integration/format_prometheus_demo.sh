#!/usr/bin/env bash
# format_prometheus_demo.sh: `contrib/demo.sh --once --format prometheus` on the live demo,
# healthy (exit 0), with a warn fault (poison-rows: exit 1) and a crit one (refresh-off: exit 2):
# the statuses and the diagnosis in the exposition, promtool clean; and the shipped alert
# (contrib/prometheus/synctop.rules.yml) fires on the crit snapshot's own series.
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/demo_lib.sh
. "$(dirname "$0")/demo_lib.sh"

require_cmd jq curl redis-cli python3 pg_recvlogical promtool
[[ -x $top_builddir/contrib/synctop-relay ]] ||
	skip_all "contrib/synctop-relay is not built (a build without Kafka or PostgreSQL)"
[[ -x $top_builddir/tests/stack/kafka_mock ]] || skip_all "tests/stack/kafka_mock is not built"
if [[ $top_builddir != "$top_srcdir" ]]; then
	skip_all "the demo runs from a built source tree (make check in the source tree, not a VPATH build)"
fi

DEMO=$top_srcdir/contrib/demo.sh
export XDG_RUNTIME_DIR=$TEST_TMP # a private state file: a developer's demo is never touched
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
wait_snap 30 demo_ready || {
	diag "$(tail -n 20 "$TEST_TMP/demo.err")"
	bail_out "the demo did not come up"
}

# prom_until SECONDS RC: --format prometheus snapshots of the demo into PROM until one exits RC
# (the demo is live: a state shows in the snapshots within its damping, not at once).
prom_until() {
	local until=$(($(now_ms) + $1 * 1000))
	while :; do
		PROM=$("$DEMO" --once --format prometheus 2>/dev/null)
		PROM_RC=$?
		((PROM_RC == $2)) && return 0
		(($(now_ms) < until)) || return 1
		sleep 0.5
	done
}
# value SERIES: the value of the one sample SERIES in PROM.
value() {
	S=$1 awk 'BEGIN { s = ENVIRON["S"] } index($0, s " ") == 1 { print substr($0, length(s) + 2); n++ } END { if (n != 1) print "<" n + 0 " samples>" }' <<<"$PROM"
}
promtool_ok() {
	local said
	said=$(promtool check metrics <<<"$PROM" 2>&1)
	is "$?:$said" "0:" "$1: promtool check metrics is clean"
}
pipelines=$(jq -r '.pipelines[].name' <<<"$SNAP" | sort | tr '\n' ' ')

# --- healthy ---
wait_snap 30 all_ok
prom_until 30 0
is "$PROM_RC" 0 "healthy: exit 0"
promtool_ok healthy
is "$(sed -n 's/^synctop_pipeline_status{pipeline="\([^"]*\)"} 0$/\1/p' <<<"$PROM" | sort | tr '\n' ' ')" "$pipelines" \
	"healthy: every pipeline's status 0 ($pipelines)"
is "$(grep -c '^synctop_stage_up{.*} 0$' <<<"$PROM")" 0 "healthy: no stage down"
for kind in outbox slot kafka connector search cache; do
	like "$PROM" $'\n'"synctop_${kind}_[a-z_]+\\{pipeline=\"[a-z]+\",stage=\"$kind\"" "healthy: the $kind stage's own metrics"
done
is "$(grep -c '^synctop_diagnosis_active{' <<<"$PROM")" 0 "healthy: no diagnosis active"

# --- warn: poison rows ---
"$DEMO" fault poison-rows >"$TEST_TMP/fault.out" 2>&1
is "$?" 0 "fault poison-rows: injected"
wait_snap 20 headline products outbox poison-rows warn
prom_until 20 1
is "$PROM_RC" 1 "warn (poison-rows): exit 1"
promtool_ok warn
is "$(value 'synctop_pipeline_status{pipeline="products"}')" 1 "warn: pipeline products status 1"
is "$(value 'synctop_stage_status{pipeline="products",stage="outbox",kind="outbox"}')" 1 "warn: the outbox stage's status 1"
is "$(value 'synctop_diagnosis_active{pipeline="products",stage="outbox",rule="poison-rows",severity="warn"}')" 1 \
	"warn: synctop_diagnosis_active poison-rows, warn"
like "$(value 'synctop_outbox_failed{pipeline="products",stage="outbox",table="outbox"}')" '^[1-9][0-9]*$' \
	"warn: synctop_outbox_failed counts the poisoned rows"
"$DEMO" fault clear >"$TEST_TMP/fault.out" 2>&1
wait_snap 30 all_ok
ok "fault poison-rows: cleared, every pipeline ok" test $? -eq 0

# --- crit: refresh off ---
"$DEMO" fault refresh-off >"$TEST_TMP/fault.out" 2>&1
is "$?" 0 "fault refresh-off: injected"
wait_snap 20 headline products search search-refresh-disabled crit
prom_until 20 2
is "$PROM_RC" 2 "crit (refresh-off): exit 2"
promtool_ok crit
is "$(value 'synctop_pipeline_status{pipeline="products"}')" 2 "crit: pipeline products status 2"
active=$(grep '^synctop_diagnosis_active{pipeline="products",stage="search",rule="search-refresh-disabled",severity="crit"} 1$' <<<"$PROM")
isnt "$active" "" "crit: synctop_diagnosis_active search-refresh-disabled, crit"

# The shipped alert fires on that very series after its for: (15s or 30s), not before.
rules=$top_srcdir/contrib/prometheus/synctop.rules.yml
for_s=$(awk '/rule="search-refresh-disabled"/ { getline; sub(/s$/, "", $2); print $2 }' "$rules")
# its annotations as the rules file writes them (YAML double-quoted strings)
annotation() {
	awk -v k="$1" '/rule="search-refresh-disabled"/ { on = 1 } on && $1 == k ":" { sub(/^ *[a-z]+: /, ""); print; exit }' "$rules"
}
cat >"$TEST_TMP/live.test.yml" <<YML
rule_files:
  - $top_srcdir/contrib/prometheus/synctop.rules.yml
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
      - series: '${active% 1}'
        values: '1x8'
    alert_rule_test:
      - eval_time: $((for_s - 15))s
        alertname: SynctopSearchRefreshDisabled
        exp_alerts: []
      - eval_time: ${for_s}s
        alertname: SynctopSearchRefreshDisabled
        exp_alerts:
          - exp_labels:
              pipeline: products
              stage: search
              rule: search-refresh-disabled
              severity: critical
            exp_annotations:
              summary: "products: search-refresh-disabled on the search stage"
              description: $(annotation description)
              runbook: $(annotation runbook)
YML
said=$(promtool test rules "$TEST_TMP/live.test.yml" 2>&1)
is "$?" 0 "the alert SynctopSearchRefreshDisabled fires on the snapshot's series after ${for_s}s, not before"
((${_tap_failed:-0})) && diag "$said"
"$DEMO" fault clear >"$TEST_TMP/fault.out" 2>&1

done_testing
