#!/usr/bin/env bash
# demo.sh: the live demo (contrib/demo.sh) as a newcomer drives it: `up` in the background,
# then every fault of `contrib/demo.sh fault list`, one at a time: the snapshot of
# `contrib/demo.sh --once --format json` shows the runbook's rule on the stage it names, and
# `fault clear` takes it away again. At the end the demo stops and leaves nothing running.
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/demo_lib.sh
. "$(dirname "$0")/demo_lib.sh"

require_cmd jq curl redis-cli python3 pg_recvlogical
[[ -x $top_builddir/contrib/synctop-relay ]] ||
	skip_all "contrib/synctop-relay is not built (a build without Kafka or PostgreSQL)"
[[ -x $top_builddir/tests/stack/kafka_mock ]] || skip_all "tests/stack/kafka_mock is not built"

DEMO=$top_srcdir/contrib/demo.sh
# A private state file: a developer's own running demo is never touched.
export XDG_RUNTIME_DIR=$TEST_TMP
export SYNCTOP
# The demo runs from the source tree's contrib/, its programs from the build tree.
if [[ $top_builddir != "$top_srcdir" ]]; then
	skip_all "the demo runs from a built source tree (make check in the source tree, not a VPATH build)"
fi

t0=$(now_ms)
demo_up_bg
wait_snap 30 demo_ready
ok "the demo is up, every stage read and documents indexed" test $? -eq 0 || {
	diag "$(tail -n 20 "$TEST_TMP/demo.err")"
	bail_out "the demo did not come up"
}
diag "up and warm in $(($(now_ms) - t0)) ms"
kinds=(outbox kafka search slot connector cache)
# InfluxDB is in the stack when Debian's influxdb is installed: the indexer writes its metrics there.
have_influx=0
[[ -n $(command -v influxd) ]] && have_influx=1 && kinds+=(timeseries)
# The Neo4j stand-in is in the stack (python3): the indexer MERGEs the products there.
have_graph=0
[[ -x $top_builddir/contrib/synctop-indexer ]] && have_graph=1 && kinds+=(graph)
# The MongoDB stand-in is the catalogue when python3-bson is there and synctop has libmongoc.
have_mongo=0
demo_has_mongo && have_mongo=1 && kinds+=(document)
for kind in "${kinds[@]}"; do
	is "$(jq -r --arg k "$kind" '[.pipelines[].stages[] | select(.kind == $k)] | length' <<<"$SNAP")" 1 "the demo has a $kind stage"
done
wait_snap 20 lacks_rule kafka kafka-no-commits
ok "the indexer commits (no kafka-no-commits)" test $? -eq 0

# fault NAME PIPELINE STAGE RULE SEVERITY SECONDS: inject; the pipeline's headline is the rule
# on that stage (a root) and nothing else anywhere is crit, then and for the next snapshots
# (HOLD, default 3: a consequence that turns up later must not take over); then FAULT_ALSO (a
# command, if set: more checks while the fault lasts); clear; every pipeline is ok again. The figures are the snapshots' (a --once each): the time to detect and
# to clear of a running synctop, with its damping, is bench/detect.sh's.
fault() {
	local name=$1 pipe=$2 stage=$3 rule=$4 sev=$5 secs=$6 t0 i held=1
	"$DEMO" fault "$name" >"$TEST_TMP/fault.out" 2>&1
	is "$?" 0 "fault $name: injected"
	t0=$(now_ms)
	if wait_snap "$secs" headline "$pipe" "$stage" "$rule" "$sev"; then
		ok "fault $name: the headline of $pipe is $stage $rule ($sev), no other crit"
		diag "fault $name: headline in $(($(now_ms) - t0)) ms"
		for ((i = 0; i < ${HOLD:-2}; i++)); do
			SNAP=$(snap) || true
			"${HOLD_PRED:-headline}" "$pipe" "$stage" "$rule" "$sev" || held=0
			((held)) || break
		done
		[[ -z ${FAULT_CHECK:-} ]] || "$FAULT_CHECK"
		ok "fault $name: it holds over ${HOLD:-2} more snapshots" test "$held" -eq 1 ||
			diag "$(jq -c '[.pipelines[] | {name, status, diagnoses: [.diagnoses[]? | {stage, rule, severity, because}]}]' <<<"$SNAP")"
	else
		ok "fault $name: the headline of $pipe is $stage $rule ($sev), no other crit" false
		diag "$(jq -c '[.pipelines[] | {name, status, diagnoses: [.diagnoses[]? | {stage, rule, severity, because}]}]' <<<"$SNAP")"
	fi
	[[ -z ${FAULT_ALSO:-} ]] || "$FAULT_ALSO"
	"$DEMO" fault clear >"$TEST_TMP/fault.out" 2>&1
	is "$?" 0 "fault $name: cleared"
	t0=$(now_ms)
	wait_snap 30 all_ok
	ok "fault $name: every pipeline ok after the clear" test $? -eq 0 ||
		diag "$(jq -c '[.pipelines[] | {name, status, diagnoses: [.diagnoses[]? | {stage, rule, severity}]}]' <<<"$SNAP")"
	diag "fault $name: ok again in $(($(now_ms) - t0)) ms"
}

fault stop-relay products outbox worker-stalled crit 15
fault pause-relay products outbox worker-paused warn 10
fault poison-rows products outbox poison-rows warn 10
fault refresh-off products search search-refresh-disabled crit 10
fault dual-write-loss products search dual-write-loss warn 15
# The sessions come in a burst of 20 a second (sleep 1, then redis-cli): a 1 s window of a
# loaded machine can fall between two bursts and see no eviction; 3 s see two or three.
SNAP_WINDOW=3s fault evict-sessions sessions cache cache-evicting warn 20
fault slot-stall recommendations slot slot-inactive warn 10
fault task-fail recommendations connector connector-task-failed crit 10
# The consumer is judged over kafka.window (3 s in the demo): a snapshot whose two polls span
# it, and are both inside it (window.c takes polls up to 1.25 windows old). Two polls of a
# consumer that commits in batches can miss its growth: no hold here (the screen judges it over
# every poll of the window: bench/detect.sh). What holds: no crit anywhere, and nothing but it.
# With InfluxDB the slow indexer also writes fewer metric points: writes-dropped, judged over
# timeseries.window (10 s), may still show in a snapshot whose polls miss the lag's growth.
CALM_ALSO="timeseries writes-dropped" HOLD_PRED=calm SNAP_WINDOW=3s fault lagging-indexer products kafka kafka-lagging warn 40
if ((have_influx)); then
	fault metrics-misroute products timeseries writes-stopped warn 20
else
	skip "metrics-misroute: no InfluxDB (apt-get install influxdb)"
fi
# catalog_check: what synctop says of the catalogue held back, word for word but the figures.
# shellcheck disable=SC2317 # run by fault (FAULT_CHECK)
catalog_check() {
	local d='.pipelines[] | select(.name == "products")'
	like "$(jq -r "$d | .stages[] | select(.kind == \"document\") | .reason" <<<"$SNAP")" \
		'^[0-9,]+ documents missing from the collection shop\.products$' "catalog-stale: the document stage's reason"
	like "$(jq -r "$d | .diagnoses[0].evidence" <<<"$SNAP")" \
		'^source [0-9,]+ rows, documents [0-9,]+: [0-9,]+ missing, at least [0-9,]+ throughout (the last 2s|the 1s seen so far \(of document\.missing_window 2s: too short to tell documents on their way from lost ones\))(; [0-9,]+ on their way)?$' \
		"catalog-stale: the evidence counts the rows and the documents"
}
if ((have_mongo)); then
	demo_dir=$(sed -n 2p "$XDG_RUNTIME_DIR/synctop-demo-$(id -u).state")
	FAULT_CHECK=catalog_check fault catalog-stale products document copy-missing warn 30
	like "$(grep -h 'mongodb: ' "$demo_dir/logs/indexer.log")" \
		'mongodb: paused \(.*/mongo/pause exists\): writes held back until it goes.*mongodb: resumed \(.*/mongo/pause is gone\): [1-9][0-9]* writes held back' \
		"catalog-stale: the indexer held its writes back and sent them once cleared"
	is "$(grep -rlF -- "$(head -n 1 "$demo_dir/mongo/password")" "$demo_dir/logs" "$demo_dir/synctop.conf")" "" \
		"the MongoDB password is in no log and not in the config"
else
	skip "catalog-stale: no MongoDB stand-in (python3-bson, libmongoc-dev)"
fi

# graph-read-only: the indexer's MERGEs refused, the new products have no node: copy-missing first
# (25 of them over 2 s), then copy-stale once the newest node is 15 s behind the newest row; the
# graph's count frozen meanwhile. The evidence as synctop words it.
# shellcheck disable=SC2317 # run by fault, through FAULT_ALSO
graph_frozen() {
	local g='.pipelines[] | select(.name == "products") | ' n0 n1
	n0=$(jq -r "$g.stages[] | select(.kind == \"graph\") | .metrics.count" <<<"$SNAP")
	like "$(jq -r "$g.diagnoses[] | select(.rule == \"copy-missing\") | .evidence" <<<"$SNAP")" \
		'^source [0-9]+ rows, nodes '"$n0"': [0-9]+ missing, at least [0-9]+ throughout the [^ ]+ seen so far \(of graph.missing_window 2s: too short to tell nodes on their way from lost ones\)' \
		"graph-read-only: copy-missing's evidence: rows against the $n0 nodes"
	wait_snap 30 has_rule graph copy-stale warn
	ok "graph-read-only: then copy-stale (warn), the newest node 15 s behind" test $? -eq 0
	is "$(jq -r "[$g.diagnoses[] | \"\(.stage) \(.rule) \(.severity) \(.because)\"] | join(\", \")" <<<"$SNAP")" \
		"graph copy-missing warn null, graph copy-stale warn null" "graph-read-only: two roots on the graph, nothing else"
	like "$(jq -r "$g.diagnoses[] | select(.rule == \"copy-stale\") | .evidence" <<<"$SNAP")" \
		'^the newest source row is [0-9]+s newer than the newest of the graph neo4j$' "graph-read-only: copy-stale's evidence"
	n1=$(jq -r "$g.stages[] | select(.kind == \"graph\") | .metrics.count" <<<"$SNAP")
	is "$n1" "$n0" "graph-read-only: the graph's count frozen ($n0 nodes), the writes refused"
}
if ((have_graph)); then
	FAULT_ALSO=graph_frozen fault graph-read-only products graph copy-missing warn 30
else
	skip "graph-read-only: no contrib/synctop-indexer"
fi

"$DEMO" fault no-such-fault >"$TEST_TMP/fault.out" 2>&1
is "$?" 2 "an unknown fault: exit 2"
like "$(cat "$TEST_TMP/fault.out")" 'stop-relay' "an unknown fault: the list of faults follows"

# Quit: everything the demo started is gone.
stack_dir=$(sed -n 2p "$XDG_RUNTIME_DIR/synctop-demo-$(id -u).state")
mapfile -t pids < <(cat "$stack_dir"/pids/*.pid "$stack_dir"/stack/*/*.pid 2>/dev/null)
kill -TERM "$demo_pid"
wait "$demo_pid"
is "$?" 143 "SIGTERM stops the demo (exit 143)"
# alive PID...: those still running (zombies waiting for init do not count).
alive() {
	local p st out=
	for p; do
		st=$(sed -e 's/^.*) //' -e 's/ .*//' "/proc/$p/stat" 2>/dev/null) || continue
		[[ $st == Z ]] || out+=" $p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60))"
	done
	printf '%s' "$out"
}
for ((i = 0; i < 50; i++)); do
	[[ -z $(alive "${pids[@]}") ]] && break
	sleep 0.1
done
is "$(alive "${pids[@]}")" "" "nothing the demo started is left running, 5 s after (pids: ${pids[*]})"
ok "its directory is gone" test ! -e "$stack_dir"
ok "its state file is gone" test ! -e "$XDG_RUNTIME_DIR/synctop-demo-$(id -u).state"

"$DEMO" fault clear >"$TEST_TMP/fault.out" 2>&1
is "$?" 2 "fault with no demo running: exit 2"

done_testing
