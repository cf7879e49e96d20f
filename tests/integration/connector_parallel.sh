#!/usr/bin/env bash
# connector_parallel.sh: the connector stage's requests of one poll go out at once: on the
# first poll (and every 60th) the worker's version (GET /) beside the status (curl multi),
# with the status' errors as before. On a private
# Kafka Connect stand-in (its faults are this test's alone).
# needs: search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_connect
connect_up_extra
URL=$EXTRA_CONNECT_URL
S='.pipelines[0].stages[0]'
conf=$TEST_TMP/synctop.conf

cc() { curl -sS --max-time 5 -H 'Content-Type: application/json' "$@" >/dev/null || bail_out "curl $* failed"; }
# conf_connect NAME: the connector stage alone on connector NAME.
conf_connect() {
	_conf_start "$conf"
	printf '[connect workers]\nurl = %s\n\n[pipeline products]\nconnector = workers\nconnector.name = %s\n' \
		"$URL" "$1" >>"$conf"
}
version=$(curl -sS --max-time 5 "$URL/" | jq -r .version)

conf_connect products-sink
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "no fault: ok"
json_is "$S.metrics.worker_version" "$version" "no fault: the worker's version, read on the first poll"

# Every answer 400 ms late: the status and the version at once take one round (0.4 s), one
# after another two (0.8 s). The bound, 0.7 s, leaves room for a loaded machine.
cc -X POST "$URL/_standin/fault" -d '{"mode":"delay","ms":400}'
run_once -c "$conf" --format json --once-window 0
cc -X DELETE "$URL/_standin/fault"
json_is "$S.metrics.worker_version" "$version" "answers 400 ms late: the version read"
between "$(jqr "$S.latency_ms")" 400 700 \
	"answers 400 ms late: status and version at once (0.4 s), not one after another (0.8 s)"

# An unknown connector: the status' 404, as before; the version (asked beside it) abandoned.
conf_connect no-such-connector
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "an unknown connector: exit 3"
is "$(jqr "$S.error")" "HTTP 404 (not found) from GET /connectors/no-such-connector/status: No status found for connector no-such-connector" \
	"an unknown connector: the status' 404 and Connect's message"

# The status hangs: a timeout naming it, within the deadline (the version answered).
MKCONF_TIMEOUT=1s conf_connect products-sink
cc -X POST "$URL/_standin/fault" -d '{"mode":"hang","path_prefix":"/connectors"}'
run_once -c "$conf" --format json --once-window 0
cc -X DELETE "$URL/_standin/fault"
like "$(jqr "$S.error")" '^timeout: no whole answer to GET /connectors/products-sink/status within the deadline' \
	"the status hangs: a timeout naming it"
between "$RUN_MS" 900 3000 "the status hangs, timeout = 1s: done within 1 s + 2 s"

done_testing
