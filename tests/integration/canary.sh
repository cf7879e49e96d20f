#!/usr/bin/env bash
# canary.sh: the end-to-end canary (canary = true) against a real PostgreSQL, the Kafka mock and
# the reference relay: --serve inserts a marker through the outbox and times its hop; the insert
# is audited; the marker is cleaned up; the relay stopped makes canary-lost name the outbox hop;
# --once and read_only = true run without the canary (no marker, no write executor); what one
# canary costs in statements is counted (PostgreSQL's xact_commit and log_statement).
# needs: postgres kafka redis microhttpd
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/serve_lib.sh
. "$(dirname "$0")/serve_lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

RELAY=${SYNCTOP_RELAY:-$top_builddir/contrib/synctop-relay}
[[ -x $RELAY ]] || skip_all "$RELAY is not built (a build without Kafka or PostgreSQL?)"
require_cmd curl jq
need_pg
need_kafka
need_redis
fresh_db synctop_canary
load_outbox_schema

conf=$TEST_TMP/canary.conf
log=$TEST_TMP/canary.log
audit=$TEST_TMP/audit.log
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' \
	'canary = true' 'canary.interval = 1s' 'canary.timeout = 4s'
sed -i "s|^\[synctop\]\$|[synctop]\ninterval = 250ms\nlog_file = $log\naudit_log = $audit|" "$conf"
markers() { psql_synctop -c "SELECT count(*) FROM outbox WHERE aggregate_type = 'synctop-canary'"; }
pending_markers() { psql_synctop -c "SELECT count(*) FROM outbox WHERE aggregate_type = 'synctop-canary' AND NOT processed"; }

# ----------------------------------------------------------------------
# Read-only modes: no canary, no marker.
# ----------------------------------------------------------------------
SYNCTOP_TRACE_EXECUTOR=1 run_synctop -c "$conf" --once --once-window 0 --format json
is "$RUN_RC" 0 "--once with canary = true: exit 0"
is "$(jq -r '.pipelines[0].canary.state' <<<"$RUN_OUT")" off "--once: the canary is off"
is "$(jq -r '.pipelines[0].canary.off_reason' <<<"$RUN_OUT")" "read-only: no write executor" \
	"--once: it says why"
is "$(markers)" 0 "--once inserted no marker"
like "$(cat "$log")" 'write executor: none \(read-only: --once\)' "--once: no write executor"

run_synctop -c "$conf" action replay products --scope failed --dry-run
is "$RUN_RC" 2 "synctop action --dry-run with canary = true: exit 2 (no failed row to replay)"
is "$(markers)" 0 "synctop action runs no canary (the screen and --serve alone do)"
is "$( (grep -c '"action":"canary"' "$audit" 2>/dev/null) || true)" 0 "nor audits one"

ro=$TEST_TMP/ro.conf
sed 's|^\[synctop\]$|[synctop]\nread_only = true|' "$conf" >"$ro"
chmod 600 "$ro"
: >"$log"
SYNCTOP_TRACE_EXECUTOR=1 serve_start ro -c "$ro" --serve 0 || bail_out "synctop --serve did not start"
ok "--serve, read_only = true: the snapshot shows the canary off" \
	scrape_until /snapshot.json '"state": "off"'
sleep 1.5
is "$(markers)" 0 "--serve, read_only = true: no marker inserted"
like "$(cat "$SERVE_ERR")" 'the canary \(canary = true\) does not run here: read-only' "it says so once"
like "$(cat "$log")" 'write executor: none \(read-only: --serve\)' "no write executor"
stop_bg "$SERVE_PID"

# ----------------------------------------------------------------------
# The relay runs: the canary goes through.
# ----------------------------------------------------------------------
"$RELAY" -d "$SYNCTOP_DB" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --interval 100ms 2>"$TEST_TMP/relay.err" </dev/null &
RELAY_PID=$!
at_exit kill_ours "$RELAY_PID"

: >"$log"
psql_admin -c "SELECT pg_stat_reset()" >/dev/null
SYNCTOP_TRACE_EXECUTOR=1 serve_start rw -c "$conf" --serve 0 || bail_out "synctop --serve did not start"
like "$(cat "$log")" 'write executor: canary only \(--serve\)' "--serve with a canary: a canary-only write executor"
like "$(head -n 1 "$SERVE_ERR")" "^synctop: serving http://127\\.0\\.0\\.1:[0-9]+/metrics \\(read-only but for the canary's markers; pipelines: 1\\)\$" \
	"--serve with a canary says so when it starts"
ok "a canary went through every hop" scrape_until /snapshot.json '"done": [1-9]'
snap=$SCRAPE_BODY
total=$(jq -r '.pipelines[0].canary.canary_total_s' <<<"$snap")
hop=$(jq -r '.pipelines[0].canary.hops[0].canary_hop_s' <<<"$snap")
is "$(jq -r '.pipelines[0].canary.hops[0].hop' <<<"$snap")" outbox "its one hop is the outbox"
ok "its total time is positive ($total s)" awk -v t="$total" 'BEGIN { exit !(t > 0 && t < 4) }'
ok "the outbox hop's time is the total ($hop s)" awk -v t="$total" -v h="$hop" 'BEGIN { exit !(t == h) }'
like "$(jq -r '.pipelines[0].canary.line' <<<"$snap")" '^canary [0-9.]+s: outbox [0-9.]+$' \
	"the pane's line: canary TOTALs: outbox HOP"
line=$(grep -m 1 '"action":"canary"' "$audit")
like "$line" '"pipeline":"products","stage":"outbox","action":"canary","scope":"synctop-canary-[^"]*-[0-9]+-1"' \
	"the insert is audited: the marker id in scope"
like "$line" '"result":"applied","reason":"marker inserted"' "the audit line says it applied"
ok "the marker is cleaned up once seen (a cleanup audited)" \
	bash -c "for i in \$(seq 50); do grep -q 'marker removed' '$audit' && exit 0; sleep 0.1; done; exit 1"
ok "at most one marker in the table at any time" test "$(markers)" -le 1
stop_bg "$SERVE_PID"

# The screen runs it too, and shows it in the pane's bottom border; --wallboard does not.
if command -v tmux >/dev/null 2>&1; then
	tui_init
	# shellcheck disable=SC2034 # read by tui_lib.sh
	TUI_WAIT=15
	tui_start screen -- -c "$conf"
	ok "the screen: the pane's bottom border shows the canary's time at the outbox" \
		wait_like '└─ canary [0-9.]+s: outbox [0-9.]+ ─'
	send Enter
	ok "the detail view: the canary's section" wait_for "canary of products (every 1s, lost after 4s)"
	like "$SCREEN" '[0-9]+ inserted, [0-9]+ through, 0 lost, 0 failed steps since synctop started' \
		"the detail view: its counts"
	send Escape q
	ok "the screen: q quits" wait_for EXIT=0
	n0=$(grep -c '"reason":"marker inserted"' "$audit")
	tui_start ro -- -c "$conf" --read-only
	ok "--read-only: the pane says the canary is off, and why" \
		wait_for "canary off (read-only: no write executor)"
	send q
	tui_start wall -- -c "$conf" --wallboard
	ok "--wallboard: up" wait_for "wallboard"
	sleep 1.5
	send q
	is "$(grep -c '"reason":"marker inserted"' "$audit")" "$n0" "--read-only and --wallboard: no marker inserted"
else
	skip "the screen shows the canary" "tmux is not installed"
fi
n_insert=$(grep -c '"reason":"marker inserted"' "$audit")
n_done=$(jq -r '.pipelines[0].canary.done' <<<"$snap")
diag "canaries inserted $n_insert, through $n_done; audit: $(grep -c '"action":"canary"' "$audit") lines"

# ----------------------------------------------------------------------
# The whole pipeline (outbox, kafka, search) with the reference relay and indexer: one time per
# hop, each positive, in flow order; the marker removed from the table and the index. What one
# canary costs, counted: PostgreSQL statements (log_statement), search requests (the stand-in's
# counters); the kafka hop reads the poll's figures and sends nothing.
# ----------------------------------------------------------------------
INDEXER=${SYNCTOP_INDEXER:-$top_builddir/contrib/synctop-indexer}
if [[ -x $INDEXER ]] && need_search; then
	T=canary.products G=canary-indexer IX=canary-products
	kafka_ctl topic "$T" 3 >/dev/null || bail_out "cannot create topic $T on the mock"
	stop_bg "$RELAY_PID"
	"$RELAY" -d "$SYNCTOP_DB" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T" --interval 100ms \
		2>"$TEST_TMP/relay2.err" </dev/null &
	RELAY_PID=$!
	at_exit kill_ours "$RELAY_PID"
	"$INDEXER" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T" --group "$G" --index "$IX" \
		--url "$SYNCTOP_SEARCH_URL" 2>"$TEST_TMP/indexer.err" </dev/null &
	INDEXER_PID=$!
	at_exit kill_ours "$INDEXER_PID"
	full=$TEST_TMP/full.conf
	MKCONF_EXTRA=$(printf '[kafka main]\nbrokers = %s\n\n[search es]\nurl = %s\n' \
		"$SYNCTOP_KAFKA_BOOTSTRAP" "$SYNCTOP_SEARCH_URL") \
		mkconf "$full" 'outbox = shop' 'outbox.table = public.outbox' \
		"kafka = main" "kafka.group = $G" "kafka.topics = $T" "search = es" "search.index = $IX" \
		'canary = true' 'canary.interval = 1s' 'canary.timeout = 8s'
	sed -i "s|^\[synctop\]\$|[synctop]\ninterval = 250ms\naudit_log = $audit|" "$full"
	psql_admin -c "ALTER DATABASE $SYNCTOP_DB SET log_statement = 'all'" >/dev/null
	: >"$audit"
	gets0=$(scurl /_standin/state | jq -r --arg ix "$IX" '.indices[$ix].counters.get_total // 0')
	serve_start full -c "$full" --serve 0 || bail_out "synctop --serve did not start"
	SERVE_WAIT=30 ok "a canary went through outbox, kafka and the index" \
		scrape_until /snapshot.json '"done": [1-9]'
	snap=$SCRAPE_BODY
	scrape /metrics
	for h in outbox kafka index; do
		like "$SCRAPE_BODY" $'\nsynctop_canary_hop_seconds\\{pipeline="products",hop="'$h$'"\\} [0-9.]+\n' \
			"/metrics: the $h hop's time"
	done
	like "$SCRAPE_BODY" $'\nsynctop_canary_total_seconds\\{pipeline="products"\\} [0-9.]+\n' "/metrics: the total"
	like "$SCRAPE_BODY" $'\nsynctop_canary_lost\\{pipeline="products"\\} 0\n' "/metrics: not lost"
	printf '%s\n' "$snap" >"$TEST_TMP/full.json" && keep_snapshot "$TEST_TMP/full.json"
	is "$(jq -r '[.pipelines[0].canary.hops[].hop] | join(" ")' <<<"$snap")" "outbox kafka index" \
		"three hops, in flow order"
	hops=$(jq -r '[.pipelines[0].canary.hops[].canary_hop_s] | join(" ")' <<<"$snap")
	total=$(jq -r '.pipelines[0].canary.canary_total_s' <<<"$snap")
	diag "canary: total $total s, hops (outbox kafka index) $hops"
	ok "each hop took a positive time" awk -v h="$hops" 'BEGIN { n = split(h, a, " "); for (i = 1; i <= n; i++) if (!(a[i] > 0)) exit 1; exit n != 3 }'
	ok "the hops add up to the total" awk -v h="$hops" -v t="$total" \
		'BEGIN { split(h, a, " "); d = a[1] + a[2] + a[3] - t; exit !(d < 1e-6 && d > -1e-6) }'
	like "$(jq -r '.pipelines[0].canary.line' <<<"$snap")" \
		'^canary [0-9.]+s: outbox [0-9.]+ · kafka [0-9.]+ · index [0-9.]+$' "the pane's line names the three hops"
	marker=$(grep -m 1 '"reason":"marker inserted"' "$audit" | jq -r .scope)
	ok "the marker's document is removed from the index (audited)" \
		bash -c "for i in \$(seq 50); do grep -q '\"stage\":\"search\".*marker removed' '$audit' && exit 0; sleep 0.1; done; exit 1"
	stop_bg "$SERVE_PID"
	is "$(scurl "/$IX/_doc/$marker" | jq -r .found)" false "GET _doc of the marker: not found any more"
	gets=$(($(scurl /_standin/state | jq -r --arg ix "$IX" '.indices[$ix].counters.get_total // 0') - gets0))
	done_n=$(grep -c '"stage":"search".*marker removed' "$audit")
	inserts=$(grep -c '"reason":"marker inserted"' "$audit")
	# shellcheck disable=SC2016 # $1: the statement's parameter as the log shows it
	hop_selects=$(grep -cF 'SELECT count(*) FROM "public"."outbox" WHERE "id" = $1 AND (NOT processed)' "$SYNCTOP_PG_LOG")
	ins=$(grep -cF 'INSERT INTO "public"."outbox" (aggregate_type, aggregate_id, event_type, payload) VALUES' "$SYNCTOP_PG_LOG")
	dels=$(grep -cF "DELETE FROM \"public\".\"outbox\" WHERE aggregate_type = 'synctop-canary'" "$SYNCTOP_PG_LOG")
	diag "cost: $inserts markers inserted, $done_n through and removed; PostgreSQL: $ins INSERT and $dels DELETE" \
		"(each in BEGIN READ WRITE ... COMMIT: 3 statements), $hop_selects outbox-hop SELECTs (one per poll" \
		"of the outbox until processed); search: $gets GET _doc (one per poll until found), $done_n DELETE _doc;" \
		"kafka: 0 requests (the poll's figures)"
	psql_admin -c "ALTER DATABASE $SYNCTOP_DB RESET log_statement" >/dev/null
	stop_bg "$INDEXER_PID"
else
	skip "the whole pipeline" "no indexer or no search stand-in"
fi

# ----------------------------------------------------------------------
# canary.cache_key: the cache stage is a hop, seen once the key exists (nothing in the test stack
# writes the cache: the test does, as a cache writer would; until then the marker waits there).
# Without canary.cache_key the cache is no hop.
# ----------------------------------------------------------------------
cc=$TEST_TMP/cache.conf
MKCONF_EXTRA=$(printf '[redis sessions]\nurl = %s\n' "$SYNCTOP_REDIS_URL") \
	mkconf "$cc" 'outbox = shop' 'outbox.table = public.outbox' 'cache = sessions' \
	'canary = true' 'canary.interval = 1s' 'canary.timeout = 20s' 'canary.cache_key = product:{marker}'
sed -i "s|^\[synctop\]\$|[synctop]\ninterval = 250ms\naudit_log = $audit|" "$cc"
serve_start cache -c "$cc" --serve 0 || bail_out "synctop --serve did not start"
ok "canary.cache_key: two hops, outbox then cache" \
	scrape_until /snapshot.json '"hop": "outbox",[^]]*"hop": "cache"'
ok "the marker passed the outbox and waits at the cache" \
	scrape_until /snapshot.json '"line": "canary: first marker in flight"'
sleep 1
scrape /snapshot.json
is "$(jq -r '.pipelines[0].canary.done' <<<"$SCRAPE_BODY")" 0 "not through while the key is missing"
m=$(jq -r '.pipelines[0].canary.marker' <<<"$SCRAPE_BODY")
rcli SET "product:$m" 1 >/dev/null
ok "through once product:MARKER exists" scrape_until /snapshot.json '"done": 1'
like "$(jq -r '.pipelines[0].canary.line' <<<"$SCRAPE_BODY")" '^canary [0-9.]+s: outbox [0-9.]+ · cache [0-9.]+$' \
	"the line names the cache hop"
stop_bg "$SERVE_PID"
sed -i '/^canary.cache_key/d' "$cc"
run_synctop -c "$cc" --once --once-window 0 --format json
is "$(jq -r '[.pipelines[0].canary.hops[].hop] | join(" ")' <<<"$RUN_OUT")" outbox \
	"without canary.cache_key the cache is no hop"

# ----------------------------------------------------------------------
# The relay stops: the canary is lost at the outbox.
# ----------------------------------------------------------------------
stop_bg "$RELAY_PID"
serve_start lost -c "$conf" --serve 0 || bail_out "synctop --serve did not start"
SERVE_WAIT=20 ok "the canary is lost at the outbox" scrape_until /snapshot.json '"state": "lost"'
ok "canary-lost is a crit diagnosis" scrape_until /snapshot.json '"rule": "canary-lost"'
snap=$SCRAPE_BODY
printf '%s\n' "$snap" >"$TEST_TMP/lost.json" && keep_snapshot "$TEST_TMP/lost.json"
like "$(jq -r '.pipelines[0].diagnoses[] | select(.rule == "canary-lost") | .symptom' <<<"$snap")" \
	'^canary lost at outbox: inserted [0-9]+s ago, not processed by the relay$' "its symptom names the outbox hop"
is "$(jq -r '.pipelines[0].diagnoses[] | select(.rule == "canary-lost") | .severity' <<<"$snap")" crit "it is crit"
is "$(jq -r '.pipelines[0].status' <<<"$snap")" crit "the pipeline is crit"
is "$(jq -r '.pipelines[0].canary.lost_at' <<<"$snap")" outbox "lost_at: outbox"
scrape /metrics
like "$SCRAPE_BODY" $'\nsynctop_canary_lost\\{pipeline="products"\\} 1\n' "/metrics: synctop_canary_lost 1"
like "$SCRAPE_BODY" $'\nsynctop_diagnosis_active\\{pipeline="products",stage="outbox",rule="canary-lost",severity="crit"\\} 1\n' \
	"/metrics: canary-lost is active"
sleep 1.5
is "$(pending_markers)" 1 "one marker in flight at most: no second insert while the first is lost"
stop_bg "$SERVE_PID"

done_testing
