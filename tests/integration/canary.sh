#!/usr/bin/env bash
# canary.sh: the end-to-end canary (canary = true) against a real PostgreSQL, the Kafka mock and
# the reference relay: --serve inserts a marker through the outbox and times its hop; the insert
# is audited; the marker is cleaned up; the relay stopped makes canary-lost name the outbox hop;
# --once and read_only = true run without the canary (no marker, no write executor); what one
# canary costs in statements is counted (PostgreSQL's xact_commit and log_statement).
# needs: postgres kafka microhttpd
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/serve_lib.sh
. "$(dirname "$0")/serve_lib.sh"

RELAY=${SYNCTOP_RELAY:-$top_builddir/contrib/synctop-relay}
[[ -x $RELAY ]] || skip_all "$RELAY is not built (a build without Kafka or PostgreSQL?)"
require_cmd curl jq
need_pg
need_kafka
fresh_db synctop_canary
load_outbox_schema

conf=$TEST_TMP/canary.conf
log=$TEST_TMP/canary.log
audit=$TEST_TMP/audit.log
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' \
	'canary = true' 'canary.interval = 1s' 'canary.timeout = 4s'
sed -i "s|^\[synctop\]\$|[synctop]\ninterval = 250ms\nlog_file = $log\naudit_log = $audit|" "$conf"
markers() { psql_synctop -c "SELECT count(*) FROM outbox WHERE aggregate_type = 'synctop-canary'"; }

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
n_insert=$(grep -c '"reason":"marker inserted"' "$audit")
n_done=$(jq -r '.pipelines[0].canary.done' <<<"$snap")
diag "canaries inserted $n_insert, through $n_done; audit: $(grep -c '"action":"canary"' "$audit") lines"
stop_bg "$SERVE_PID"

# ----------------------------------------------------------------------
# The relay stops: the canary is lost at the outbox.
# ----------------------------------------------------------------------
stop_bg "$RELAY_PID"
serve_start lost -c "$conf" --serve 0 || bail_out "synctop --serve did not start"
SERVE_WAIT=20 ok "the canary is lost at the outbox" scrape_until /snapshot.json '"state": "lost"'
ok "canary-lost is a crit diagnosis" scrape_until /snapshot.json '"rule": "canary-lost"'
snap=$SCRAPE_BODY
like "$(jq -r '.pipelines[0].diagnoses[] | select(.rule == "canary-lost") | .symptom' <<<"$snap")" \
	'^canary lost at outbox: inserted [0-9]+s ago, not processed by the relay$' "its symptom names the outbox hop"
is "$(jq -r '.pipelines[0].diagnoses[] | select(.rule == "canary-lost") | .severity' <<<"$snap")" crit "it is crit"
is "$(jq -r '.pipelines[0].status' <<<"$snap")" crit "the pipeline is crit"
is "$(jq -r '.pipelines[0].canary.lost_at' <<<"$snap")" outbox "lost_at: outbox"
sleep 1.5
is "$(markers)" 1 "one marker in flight at most: no second insert while the first is lost"
stop_bg "$SERVE_PID"

done_testing
