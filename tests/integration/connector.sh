#!/usr/bin/env bash
# connector.sh: the connector stage against the Kafka Connect stand-in
# (tests/stack/connect_standin.py): RUNNING is ok; a FAILED task under a RUNNING connector is
# crit with its trace (a plain restart leaves it failed; the includeTasks restart clears it);
# PAUSED warns, and since when; a FAILED connector; 404, 409, 401, malformed answers and a
# worker that never answers are unknown with the reason.
# needs: search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_connect

conf=$TEST_TMP/synctop.conf
S=$(stage connector products)
D=$(diagnoses products)

# mkconf_connect FILE [LINE...]: connect `workers` at ${CONNECT_URL:-the stack's} and the pipeline
# `products` with the connector stage on products-sink, then LINE...
mkconf_connect() {
	local file=$1
	shift
	_conf_start "$file"
	{
		printf '[connect workers]\nurl = %s\n%s\n' "${CONNECT_URL:-$SYNCTOP_CONNECT_URL}" "${CONNECT_EXTRA:-}"
		printf '\n[pipeline products]\nconnector = workers\nconnector.name = %s\n' "${CONNECTOR:-products-sink}"
		printf '%s\n' "$@"
	} >>"$file"
}
severity() {
	jqr "$D | map(select(.rule == \"$1\")) | .[0].severity // \"\""
}

ccurl /_standin/state -X DELETE >/dev/null # the start-up connectors, RUNNING

mkconf_connect "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "RUNNING with 2 tasks: exit 0"
json_is "$S.metrics.state" RUNNING "state RUNNING"
json_is "$S.metrics.tasks" 2 "2 tasks"
json_is "$S.metrics.tasks_running" 2 "2 tasks running"
json_is "$S.metrics.tasks_failed" 0 "0 tasks failed"
json_is "$S.metrics.paused_since" null "not paused: paused_since null"
json_is "$S.metrics.type" sink "type sink"
json_is "$S.target" products-sink "target: the connector"

# ----------------------------------------------------------------------
# A failed task under a RUNNING connector: the runbook's connector-task-failed.
# ----------------------------------------------------------------------
ccurl /_standin/task_fail -X POST \
	-d '{"connector":"products-sink","task":1,"trace":"org.apache.kafka.connect.errors.ConnectException: sink rejected a record\n\tat Worker.run(Worker.java:1)"}' >/dev/null
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "a task FAILED: exit 2"
json_is "$S.metrics.state" RUNNING "a task FAILED: the connector still says RUNNING"
json_is "$S.metrics.tasks_failed" 1 "a task FAILED: tasks_failed 1"
json_is "$S.metrics.tasks_running" 1 "a task FAILED: tasks_running 1"
is "$(severity connector-task-failed)" crit "connector-task-failed, crit"
is "$(jqr "$D | map(select(.rule == \"connector-task-failed\")) | .[0].evidence")" \
	"products-sink: 1 of 2 tasks FAILED: task 1 (org.apache.kafka.connect.errors.ConnectException: sink rejected a record)" \
	"connector-task-failed: the evidence names the task and the first line of its trace"
like "$(jqr "$D | map(select(.rule == \"connector-task-failed\")) | .[0].next")" 'includeTasks=true&onlyFailed=true' \
	"connector-task-failed: the next step is the restart that restarts tasks"
json_is "$S.task_states | map(select(.state == \"FAILED\")) | .[0].id" 1 "the task list names task 1"

ccurl /connectors/products-sink/restart -X POST >/dev/null
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.tasks_failed" 1 "a plain connector restart: the task is still FAILED"
ccurl '/connectors/products-sink/restart?includeTasks=true&onlyFailed=true' -X POST >/dev/null
sleep 0.4 # RESTARTING, then RUNNING
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.tasks_failed" 0 "restart with includeTasks=true&onlyFailed=true: no failed task"
is "$RUN_RC" 0 "after the task restart: exit 0"

# ----------------------------------------------------------------------
# PAUSED: worker-paused, and since when synctop saw it (Connect does not say).
# ----------------------------------------------------------------------
ccurl /connectors/products-sink/pause -X PUT >/dev/null
run_once -c "$conf" --format json --once-window 1s
is "$RUN_RC" 1 "PAUSED: exit 1"
json_is "$S.metrics.state" PAUSED "PAUSED: state"
is "$(severity worker-paused)" warn "PAUSED: worker-paused, warn"
like "$(jqr "$S.metrics.paused_since")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "PAUSED: paused_since is an ISO time"
between "$(jqr "$S.metrics.paused_for_s * 10 | floor")" 3 20 "PAUSED: seen since the first poll, about the 1 s window"
json_is "$D | map(select(.rule == \"worker-paused\")) | .[0].action" resume "PAUSED: the fix is resume"
ccurl /connectors/products-sink/resume -X PUT >/dev/null

ccurl /_standin/connector_fail -X POST -d '{"connector":"products-sink","trace":"java.lang.IllegalStateException: bad config"}' >/dev/null
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.state" FAILED "a FAILED connector: state"
is "$(severity connector-task-failed)" crit "a FAILED connector: crit"
like "$(jqr "$D | map(select(.rule == \"connector-task-failed\")) | .[0].evidence")" 'connector products-sink is FAILED: java.lang.IllegalStateException: bad config' \
	"a FAILED connector: the trace's first line"
ccurl /_standin/state -X DELETE >/dev/null

# ----------------------------------------------------------------------
# Bad answers: unknown, with the reason.
# ----------------------------------------------------------------------
CONNECTOR=no-such mkconf_connect "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "a connector that is not there: exit 3"
like "$(jqr "$S.error")" '^HTTP 404 \(not found\) from GET /connectors/no-such/status: No status found for connector no-such' \
	"a connector that is not there: 404 and Connect's message"
CONNECTOR='a b/c' mkconf_connect "$conf"
run_once -c "$conf" --format json --once-window 0
like "$(jqr "$S.error")" '/connectors/a%20b%2Fc/status' "a connector name is URL-encoded"

mkconf_connect "$conf"
ccurl /_standin/rebalance -X POST -d '{"seconds":5,"scope":"all"}' >/dev/null
run_once -c "$conf" --format json --once-window 0
ccurl /_standin/rebalance -X DELETE >/dev/null
like "$(jqr "$S.error")" '^HTTP 409 \(conflict: a rebalance is in progress\)' "a rebalance: 409 named"
ccurl /_standin/fault -X POST -d '{"mode":"malformed"}' >/dev/null
run_once -c "$conf" --format json --once-window 0
ccurl /_standin/fault -X DELETE >/dev/null
like "$(jqr "$S.error")" '^malformed JSON from GET /connectors/products-sink/status' "malformed: named"
ccurl /_standin/fault -X POST -d '{"mode":"hang"}' >/dev/null
MKCONF_TIMEOUT=1s mkconf_connect "$conf"
run_once -c "$conf" --format json --once-window 0
ccurl /_standin/fault -X DELETE >/dev/null
like "$(jqr "$S.error")" '^timeout' "a worker that never answers: timeout"
between "$RUN_MS" 0 3000 "a worker that never answers, timeout = 1s: done within 1 s + 2 s"

printf 'c0nnect-pw\n' >"$TEST_TMP/pw"
SYNCTOP_CONNECT_ARGS="--user connect --password-file $TEST_TMP/pw" connect_up_extra
CONNECT_URL=$EXTRA_CONNECT_URL CONNECT_EXTRA=$'username = connect\npassword_file = '"$TEST_TMP/pw" mkconf_connect "$conf"
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "basic auth, the right password: ok"
CONNECT_URL=${EXTRA_CONNECT_URL/http:\/\//http://connect:wr0ng-pw@} mkconf_connect "$conf"
run_once -c "$conf" --format json --once-window 0
like "$(jqr "$S.error")" '^HTTP 401' "a wrong password: 401"
unlike "$RUN_OUT$RUN_ERR" 'wr0ng-pw|c0nnect-pw' "no password shows"

done_testing
