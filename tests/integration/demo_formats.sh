#!/usr/bin/env bash
# demo_formats.sh: the snapshot formats on the running demo (contrib/demo.sh, every stage kind),
# healthy, with a warn fault (poison-rows) and a crit one (stop-relay), one demo for all:
#   nagios      the exact exit code, the headline, the guideline's grammar (nagios_lib.sh);
#   markdown    the exit code, a table per pipeline with a row per stage of the JSON snapshot
#               and its status, the headline diagnosis, well-formed tables (cmark-gfm and
#               md_check.py), no raw HTML;
#   prometheus  the exit code, the statuses and diagnoses in the exposition, promtool clean,
#               and the shipped alert (contrib/prometheus/synctop.rules.yml) firing on the crit
#               snapshot's own series after its for:, not before.
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/demo_lib.sh
. "$(dirname "$0")/demo_lib.sh"
# shellcheck source=tests/integration/nagios_lib.sh
. "$(dirname "$0")/nagios_lib.sh"

require_cmd jq curl redis-cli python3 pg_recvlogical cmark-gfm promtool
[[ -x $top_builddir/contrib/synctop-relay ]] ||
	skip_all "contrib/synctop-relay is not built (a build without Kafka or PostgreSQL)"
[[ -x $top_builddir/tests/stack/kafka_mock ]] || skip_all "tests/stack/kafka_mock is not built"
if [[ $top_builddir != "$top_srcdir" ]]; then
	skip_all "the demo runs from a built source tree (make check in the source tree, not a VPATH build)"
fi

DEMO=$top_srcdir/contrib/demo.sh
MD_CHECK=$top_srcdir/tests/integration/md_check.py
md=$TEST_TMP/snapshot.md
# A private state file: a developer's own running demo is never touched.
export XDG_RUNTIME_DIR=$TEST_TMP XDG_STATE_HOME=$TEST_TMP/state
export SYNCTOP

demo_up_bg
wait_snap 40 demo_ready
ok "the demo is up" test $? -eq 0 || bail_out "the demo did not come up: $(tail -n 5 "$TEST_TMP/demo.err")"

# ----------------------------------------------------------------------
# The formats, each as a function of the state's name.
# ----------------------------------------------------------------------
# The demo lives between two snapshots: each format is taken again (up to 10 times, 1 s apart)
# until it exits WANT, the state's code; what it printed is kept in RUN_OUT, RUN_RC, RUN_ERR.
# once_until WANT FORMAT: `contrib/demo.sh --once --format FORMAT` into $TEST_TMP/run.out.
once_until() {
	local i
	for ((i = 0; i < 10; i++)); do
		RUN_CMD="contrib/demo.sh --once --format $2"
		"$DEMO" --once --format "$2" >"$TEST_TMP/run.out" 2>"$TEST_TMP/run.err" </dev/null
		RUN_RC=$?
		((RUN_RC == $1)) && break
		sleep 1
	done
	RUN_OUT=$(<"$TEST_TMP/run.out")
	RUN_ERR=$(<"$TEST_TMP/run.err")
	_tap_shown_run=0
}

# nagios WANT: PERF (the parsed perfdata) and CHECK_RC (the guideline's verdict) too.
nagios() {
	once_until "$1" nagios
	PERF=$(nagios_check "$TEST_TMP/run.out" "$RUN_RC" 2>"$TEST_TMP/check.err")
	CHECK_RC=$?
	[[ $CHECK_RC == 0 ]] || diag "$(<"$TEST_TMP/check.err")"
}
first_line() {
	sed -n 1p <<<"$RUN_OUT"
}

# markdown WANT: OUT is the outline md_check.py reads from it.
markdown() {
	once_until "$1" markdown
	cp "$TEST_TMP/run.out" "$md"
	OUT=$(/usr/bin/python3 "$MD_CHECK" outline "$md")
}
has() { # LINE DESC: OUT has LINE exactly
	ok "$2" grep -qxF -- "$1" <<<"$OUT" || diag "outline: $OUT"
}
# rows STATE: one table row per stage of the JSON snapshot SNAP, with its kind and status.
rows() {
	local kind st want=0 got=0
	while IFS=$'\t' read -r _ kind st; do
		want=$((want + 1))
		grep -qE "^ROW $kind	$st	" <<<"$OUT" && got=$((got + 1))
	done < <(jq -r '.pipelines[] | .name as $p | .stages[] | [$p, .kind, (.status | ascii_upcase)] | @tsv' <<<"$SNAP")
	is "$got/$want" "$want/$want" "$1: markdown: a row per stage, with the status JSON gives"
	is "$(grep -c '^H2 Pipeline ' <<<"$OUT")" "$(jq '.pipelines | length' <<<"$SNAP")" "$1: markdown: a section per pipeline"
	ok "$1: markdown: every table row has its header's number of cells" /usr/bin/python3 "$MD_CHECK" cells "$md"
	unlike "$OUT" $'(^|\n)HTML' "$1: markdown: no raw HTML"
}

# prom WANT: PROM is the exposition.
prom() {
	once_until "$1" prometheus
	PROM=$RUN_OUT
	local said
	said=$(promtool check metrics <<<"$PROM" 2>&1)
	is "$?:$said" "0:" "$2: prometheus: promtool check metrics is clean"
}
# value SERIES: the value of the one sample SERIES in PROM.
value() {
	S=$1 awk 'BEGIN { s = ENVIRON["S"] } index($0, s " ") == 1 { print substr($0, length(s) + 2); n++ } END { if (n != 1) print "<" n + 0 " samples>" }' <<<"$PROM"
}

# ----------------------------------------------------------------------
# Healthy.
# ----------------------------------------------------------------------
wait_snap 30 all_ok
ok "healthy: every pipeline ok" test $? -eq 0
pipelines=$(jq -r '.pipelines[].name' <<<"$SNAP" | sort | tr '\n' ' ')

# The stages: six, the graph one when the indexer is built (it writes the nodes), the
# timeseries one when the stack has InfluxDB (Debian's influxdb), and the document one when the
# demo has the MongoDB stand-in (python3-bson, synctop with libmongoc).
n_stages=6 ts_perf="" graph_perf="" doc_perf="" kinds=(outbox slot kafka connector search cache)
if [[ -x $top_builddir/contrib/synctop-indexer ]]; then
	n_stages=$((n_stages + 1)) graph_perf="products/graph " kinds+=(graph)
fi
[[ -z $(command -v influxd) ]] || { n_stages=$((n_stages + 1)) ts_perf="products/timeseries "; }
if demo_has_mongo; then
	n_stages=$((n_stages + 1)) doc_perf="products/document " kinds+=(document)
fi
nagios 0
is "$RUN_RC" 0 "healthy: nagios: exit code 0"
is "$CHECK_RC" 0 "healthy: nagios: the output follows the guideline"
like "$(first_line)" '^SYNCTOP OK - 3 pipelines in sync \| products/outbox/pending=[0-9]+;999;9999;0;$' \
	"healthy: nagios: 3 pipelines in sync, the first perfdata item"
is "$(grep -c ': OK - ' <<<"$RUN_OUT")" "$n_stages" "healthy: nagios: the $n_stages stage lines say OK"
is "$(perf products/outbox/failed)" "0;0;99;0;" "healthy: nagios: failed=0"
is "$(cut -f1 <<<"$PERF" | cut -d/ -f1-2 | sort -u | tr '\n' ' ')" \
	"${doc_perf}${graph_perf}products/kafka products/outbox products/search ${ts_perf}recommendations/connector recommendations/slot sessions/cache " \
	"healthy: nagios: perfdata of every stage"
is "$RUN_ERR" "" "healthy: nagios: nothing on stderr"

markdown 0
is "$RUN_RC" 0 "healthy: markdown: exit 0"
has "H1 synctop snapshot of demo (Kafka: librdkafka mock cluster): OK" "healthy: markdown: the heading"
rows healthy
unlike "$OUT" $'\nITEM (WARN|CRIT) ' "healthy: markdown: no diagnosis"

prom 0 healthy
is "$RUN_RC" 0 "healthy: prometheus: exit 0"
is "$(sed -n 's/^synctop_pipeline_status{pipeline="\([^"]*\)"} 0$/\1/p' <<<"$PROM" | sort | tr '\n' ' ')" "$pipelines" \
	"healthy: prometheus: every pipeline's status 0 ($pipelines)"
is "$(grep -c '^synctop_stage_up{.*} 0$' <<<"$PROM")" 0 "healthy: prometheus: no stage down"
for kind in "${kinds[@]}"; do
	like "$PROM" $'\n'"synctop_${kind}_[a-z_]+\\{pipeline=\"[a-z]+\",stage=\"$kind\"" "healthy: prometheus: the $kind stage's own metrics"
done
is "$(grep -c '^synctop_diagnosis_active{' <<<"$PROM")" 0 "healthy: prometheus: no diagnosis active"

# ----------------------------------------------------------------------
# Warn: 3 outbox rows at max attempts (poison-rows), nothing crit.
# ----------------------------------------------------------------------
"$DEMO" fault poison-rows >"$TEST_TMP/fault.out" 2>&1
is "$?" 0 "fault poison-rows: injected"
wait_snap 20 headline products outbox poison-rows warn
ok "poison-rows: the headline of products, nothing crit" test $? -eq 0

nagios 1
is "$RUN_RC" 1 "poison-rows: nagios: exit code 1"
is "$CHECK_RC" 0 "poison-rows: nagios: the output follows the guideline"
like "$(first_line)" '^SYNCTOP WARNING - products: poison-rows \([0-9,]+ pending, [^)]*\) \| ' \
	"poison-rows: nagios: WARNING, the headline is the rule with its stage's figures"
like "$RUN_OUT" $'\nproducts/outbox: WARN - [^\n]*, 3 failed[^\n]*\\(poison-rows\\)' "poison-rows: nagios: the outbox line"
is "$(perf products/outbox/failed)" "3;0;99;0;" "poison-rows: nagios: failed=3, warn 0 (failed_warn 1), crit 99"

markdown 1
is "$RUN_RC" 1 "poison-rows: markdown: exit 1"
has "H2 Pipeline products: WARN" "poison-rows: markdown: products is WARN"
like "$OUT" $'\nITEM WARN poison-rows on outbox: ' "poison-rows: markdown: the headline diagnosis"
like "$OUT" $'\nITEM Action: synctop action replay products' "poison-rows: markdown: its action"
SNAP=$(snap)
rows poison-rows

prom 1 poison-rows
is "$RUN_RC" 1 "poison-rows: prometheus: exit 1"
is "$(value 'synctop_pipeline_status{pipeline="products"}')" 1 "poison-rows: prometheus: pipeline products status 1"
is "$(value 'synctop_stage_status{pipeline="products",stage="outbox",kind="outbox"}')" 1 "poison-rows: prometheus: the outbox stage's status 1"
is "$(value 'synctop_diagnosis_active{pipeline="products",stage="outbox",rule="poison-rows",severity="warn"}')" 1 \
	"poison-rows: prometheus: synctop_diagnosis_active poison-rows, warn"
is "$(value 'synctop_outbox_failed{pipeline="products",stage="outbox",table="outbox"}')" 3 \
	"poison-rows: prometheus: synctop_outbox_failed counts the 3 poisoned rows"

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

nagios 2
is "$RUN_RC" 2 "stop-relay: nagios: exit code 2"
is "$CHECK_RC" 0 "stop-relay: nagios: the output follows the guideline"
like "$(first_line)" '^SYNCTOP CRITICAL - products: worker-stalled \([0-9,]+ pending, oldest [0-9.]+m?s\)' \
	"stop-relay: nagios: CRITICAL, products: worker-stalled (N pending, oldest T)"
like "$RUN_OUT" $'\nproducts/outbox: CRIT - [^\n]*\\(worker-stalled[,)]' "stop-relay: nagios: the outbox line names it"
like "$(perf products/outbox/drain_per_s)" '^0;;;;$' "stop-relay: nagios: drain_per_s=0"
diag "nagios, stop-relay:"
diag "$RUN_OUT"

markdown 2
is "$RUN_RC" 2 "stop-relay: markdown: exit 2"
has "H1 synctop snapshot of demo (Kafka: librdkafka mock cluster): CRIT" "stop-relay: markdown: the heading"
like "$OUT" $'\nITEM CRIT worker-stalled on outbox: ' "stop-relay: markdown: the headline diagnosis"
like "$OUT" $'\nROW outbox\tCRIT\t(≥ 1s|0s)\t' "stop-relay: markdown: the outbox row is CRIT, held for at least the window or since the second poll"
like "$OUT" $'\nROW cache\tOK\t≥ 1s\t' "stop-relay: markdown: the cache has been OK for at least the window (1s)"
like "$OUT" $'\nITEM Held for: (≥ 1s|0s)\n' "stop-relay: markdown: how long worker-stalled held, as far as the run saw"
diag "markdown, stop-relay:"
diag "$RUN_OUT"
SNAP=$(snap)
rows stop-relay

prom 2 stop-relay
is "$RUN_RC" 2 "stop-relay: prometheus: exit 2"
is "$(value 'synctop_pipeline_status{pipeline="products"}')" 2 "stop-relay: prometheus: pipeline products status 2"
active=$(grep '^synctop_diagnosis_active{pipeline="products",stage="outbox",rule="worker-stalled",severity="crit"} 1$' <<<"$PROM")
isnt "$active" "" "stop-relay: prometheus: synctop_diagnosis_active worker-stalled, crit"

# The shipped alert fires on that very series after its for:, not before.
rules=$top_srcdir/contrib/prometheus/synctop.rules.yml
for_s=$(awk '/rule="worker-stalled"/ { getline; sub(/s$/, "", $2); print $2 }' "$rules")
# its annotations as the rules file writes them (YAML double-quoted strings)
annotation() {
	awk -v k="$1" '/rule="worker-stalled"/ { on = 1 } on && $1 == k ":" { sub(/^ *[a-z]+: /, ""); print; exit }' "$rules"
}
cat >"$TEST_TMP/live.test.yml" <<YML
rule_files:
  - $rules
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
      - series: '${active% 1}'
        values: '1x8'
    alert_rule_test:
      - eval_time: $((for_s - 15))s
        alertname: SynctopWorkerStalled
        exp_alerts: []
      - eval_time: ${for_s}s
        alertname: SynctopWorkerStalled
        exp_alerts:
          - exp_labels:
              pipeline: products
              stage: outbox
              rule: worker-stalled
              severity: critical
            exp_annotations:
              summary: "products: worker-stalled on the outbox stage"
              description: $(annotation description)
              runbook: $(annotation runbook)
YML
said=$(promtool test rules "$TEST_TMP/live.test.yml" 2>&1)
is "$?" 0 "stop-relay: the alert SynctopWorkerStalled fires on the snapshot's series after ${for_s}s, not before"
((${_tap_failed:-0})) && diag "$said"
diag "prometheus, stop-relay (the products pipeline's series):"
diag "$(grep 'pipeline="products"' <<<"$PROM" | head -n 40)"
"$DEMO" fault clear >"$TEST_TMP/fault.out" 2>&1

done_testing
