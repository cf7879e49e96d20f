#!/usr/bin/env bash
# demo_canary.sh: the demo's end-to-end canary (canary = true in its products pipeline): the
# exporter (--serve) on the demo's config shows the canary's time at each hop (outbox, kafka,
# index) through the reference relay and indexer; `contrib/demo.sh fault stop-relay` makes it
# lost at the outbox (canary-lost, crit) within canary.timeout; `fault clear` brings it through
# again. The passive freshness (the search stage's newest document against the newest source row)
# shows on the pipeline as freshness_s.
# needs: postgres kafka redis search microhttpd
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/demo_lib.sh
. "$(dirname "$0")/demo_lib.sh"
# shellcheck source=tests/integration/serve_lib.sh
. "$(dirname "$0")/serve_lib.sh"

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
demo_up_bg
state=$demo_state
wait_snap 30 demo_ready || bail_out "the demo did not come up: $(tail -n 20 "$TEST_TMP/demo.err")"
conf=$(sed -n 2p "$state")/synctop.conf
like "$(cat "$conf")" $'\ncanary = true\n' "the demo's products pipeline has the canary"

serve_start demo -c "$conf" --serve 0 || bail_out "synctop --serve did not start"
canary() { jq -r --arg f "$1" '.pipelines[] | select(.name == "products") | .canary[$f]' <<<"$SCRAPE_BODY"; }
SERVE_WAIT=30 ok "a canary went through every hop" scrape_until /snapshot.json '"done": [1-9]'
is "$(jq -r '.pipelines[] | select(.name == "products") | [.canary.hops[].hop] | join(" ")' <<<"$SCRAPE_BODY")" \
	"outbox kafka index" "its hops: outbox, kafka, index"
line=$(canary line)
like "$line" '^canary [0-9.]+s: outbox [0-9.]+ · kafka [0-9.]+ · index [0-9.]+' "the pane's line: $line"

fresh=$(jq -r '.pipelines[] | select(.name == "products") | .freshness_s' <<<"$SCRAPE_BODY")
ok "passive freshness: products has freshness_s ($fresh s), from its search stage" \
	awk -v f="$fresh" 'BEGIN { exit !(f >= 0 && f < 60) }'
is "$(jq -r '.pipelines[] | select(.name == "sessions") | .freshness_s' <<<"$SCRAPE_BODY")" null \
	"passive freshness: sessions has no stage that knows it (absent)"

t0=$(now_ms)
"$DEMO" fault stop-relay >"$TEST_TMP/fault.out" 2>&1
is "$?" 0 "fault stop-relay: injected"
SERVE_WAIT=40 ok "stop-relay: the canary is lost" scrape_until /snapshot.json '"state": "lost"'
diag "lost $(($(now_ms) - t0)) ms after the relay stopped (canary.interval 5s, canary.timeout 15s)"
is "$(canary lost_at)" outbox "stop-relay: lost at the outbox"
SERVE_WAIT=10 scrape_until /snapshot.json '"rule": "canary-lost"' # it holds confirm polls first
like "$(jq -r '.pipelines[] | select(.name == "products") | .diagnoses[] | select(.rule == "canary-lost") | .symptom' <<<"$SCRAPE_BODY")" \
	'^canary lost at outbox: inserted [0-9]+s ago, not processed by the relay$' "stop-relay: canary-lost names the outbox"

"$DEMO" fault clear >"$TEST_TMP/fault.out" 2>&1
is "$?" 0 "fault clear"
done0=$(canary "done")
SERVE_WAIT=30 ok "after the clear the lost marker comes through (late)" \
	scrape_until /snapshot.json '"lost_at": null'
ok "a canary completed since ($(canary "done") > $done0)" test "$(canary "done")" -gt "$done0"
# The diagnosis goes once its clear damping has seen the canary through (clear polls).
lost_diags() { jq -r '[.pipelines[] | .diagnoses[] | select(.rule == "canary-lost")] | length' <<<"$SCRAPE_BODY"; }
for ((i = 0; i < 100; i++)); do
	[[ $(lost_diags) == 0 ]] && break
	sleep 0.1
	scrape /snapshot.json
done
is "$(lost_diags)" 0 "canary-lost is gone"
stop_bg "$SERVE_PID"
is "$STOP_RC" 0 "--serve: SIGTERM, exit 0"

done_testing
