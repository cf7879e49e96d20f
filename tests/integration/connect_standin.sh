#!/usr/bin/env bash
# connect_standin.sh: the Kafka Connect stand-in (tests/stack/connect_standin.py) against the
# Connect 3.x semantics that the connector stage and its actions rely on, with exact states:
# pause and resume (idempotent, 202), a FAILED task under a RUNNING connector
# (connector-task-failed), a plain restart that leaves it FAILED, restart?includeTasks=true&
# onlyFailed=true that goes RESTARTING then RUNNING, a task restart, stop (204, STOPPED, no tasks),
# Connect's error bodies, Basic authentication, every injected fault, the 409 of a rebalance,
# HTTP/1.1 keep-alive, the request log, and every key of the recorded reference bodies
# (tests/fixtures/connect/).
#
# On the shared stack every connector this test creates is named cst<pid>-..., and is deleted at
# exit; authentication, faults and rebalances go to private extra stand-ins.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

runs_no_c
need_connect

FIX=$top_srcdir/tests/fixtures/connect
X=cst$$ # the prefix of every connector this test creates
C=$X-sink
URL=$SYNCTOP_CONNECT_URL
ES_SINK=io.confluent.connect.elasticsearch.ElasticsearchSinkConnector

at_exit _cst_cleanup
# shellcheck disable=SC2317 # run by at_exit
_cst_cleanup() {
	URL=$SYNCTOP_CONNECT_URL
	creq DELETE "/connectors/$C"
	creq DELETE "/connectors/$X-new"
	return 0
}

# creq METHOD PATH [CURL-ARGS...]: a request to $URL; sets CODE (HTTP status, 000 when none),
# BODY and HDRS (the response headers).
creq() {
	local method=$1 path=$2
	shift 2
	CODE=$(curl -sS --max-time 5 -o "$TEST_TMP/body" -D "$TEST_TMP/hdrs" -w '%{http_code}' \
		-X "$method" -H 'Content-Type: application/json' "$@" "$URL$path" 2>"$TEST_TMP/curl.err")
	BODY=$(<"$TEST_TMP/body")
	HDRS=$(<"$TEST_TMP/hdrs")
	HDRS=${HDRS//$'\r'/}
}
# jb FILTER...: the values of FILTER... over the last BODY, separated by spaces (one jq run);
# "<not JSON>" when it is not JSON.
jb() {
	local f filters=
	for f; do filters+="${filters:+, }($f)"; done
	jq -r "[$filters] | map(if type == \"string\" then . else tojson end) | join(\" \")" \
		<<<"$BODY" 2>/dev/null || echo "<not JSON>"
}
# st [NAME [CURL-ARGS...]]: GET /connectors/NAME/status; sets ST to "CONNECTOR TASK0 TASK1..."
# (and BODY). The code and body of the request before are kept in CODE0 and BODY0.
st() {
	local name=${1:-$C}
	shift
	CODE0=$CODE BODY0=$BODY
	creq GET "/connectors/$name/status" "$@"
	ST=$(jb '[.connector.state] + [.tasks[].state] | join(" ")')
}
# keys_missing FIXTURE PREP: the key paths of the fixture that BODY lacks (values may differ;
# array elements merge into []); PREP renames dynamic keys (connector names) on both sides.
keys_missing() {
	jq -rn --slurpfile want "$1" --argjson got "$BODY" "
		def k: [paths | map(if type == \"number\" then \"[]\" else . end) | join(\".\")] | unique;
		(\$want[0] | $2 | k) - (\$got | $2 | k) | join(\" \")" 2>&1
}
no_missing_keys() { # DESC FIXTURE [PREP]
	is "$(keys_missing "$2" "${3:-.}")" "" "$1"
}
# until_states WANT MS: polls the status every 20 ms until it is WANT or MS passed; prints the
# milliseconds it took (or "timeout").
until_states() {
	local t0 got
	t0=$(now_ms)
	while (($(now_ms) - t0 < $2)); do
		st
		got=$ST
		[[ $got == "$1" ]] && echo $(($(now_ms) - t0)) && return 0
		sleep 0.02
	done
	echo "timeout ($got)"
}

# ----------------------------------------------------------------------
# The root and the HTTP basics
# ----------------------------------------------------------------------
creq GET /
is "$CODE" 200 "GET / answers 200"
like "$(jb .version)" '^3\.' "version is a Kafka 3.x"
like "$HDRS" $'\n''Content-Type: application/json' "Content-Type: application/json"
like "$HDRS" $'\n''Content-Length: '"${#BODY}" "Content-Length is the body's length"
no_missing_keys "GET / has every key of root.json" "$FIX/root.json"

conns=$(curl -sS --max-time 5 -o /dev/null -o /dev/null -w '%{num_connects} ' "$URL/" "$URL/connectors")
is "$conns" "1 0 " "HTTP/1.1 keep-alive: the second request reuses the connection"
like "$(curl -sS -v --max-time 5 -o /dev/null -o /dev/null "$URL/" "$URL/" 2>&1)" \
	'Re-using existing connection' "curl -v says it re-used the connection"

# ----------------------------------------------------------------------
# A connector of our own: create, read
# ----------------------------------------------------------------------
cfg="{\"connector.class\":\"$ES_SINK\",\"tasks.max\":\"2\",\"topics\":\"shop.products\"}"
creq PUT "/connectors/$C/config" -d "$cfg"
is "$CODE $(jb .name .type '.tasks | length')" "201 $C sink 0" \
	"PUT /config creates: 201, tasks not generated yet in the answer"
like "$HDRS" $'\n'"Location: http://[^/]+/connectors/$C"$'(\n|$)' "201 with a Location header"
creq PUT "/connectors/$C/config" -d "$cfg"
is "$CODE $(jb '.tasks | length')" "200 2" "the same PUT again: 200, two tasks"
creq GET /connectors
is "$(jb "index(\"$C\") != null")" true "GET /connectors lists it"
creq GET "/connectors/$C"
is "$(jb .name .type '[.tasks[].task] | join(",")' '.config.name')" "$C sink 0,1 $C" \
	"GET /connectors/NAME: name, type, tasks 0 and 1, config.name added"
no_missing_keys "GET /connectors/NAME has every key of connector-info.json" \
	"$FIX/connector-info.json" '.config = {}'
creq GET "/connectors/$C/config"
is "$(jb '."connector.class"' '."tasks.max"')" "$ES_SINK 2" "GET /config"
creq GET "/connectors/$C/tasks"
is "$(jb 'length' '.[1].id.task' '.[0].config."task.class"')" \
	"2 1 io.confluent.connect.elasticsearch.ElasticsearchSinkTask" \
	"GET /tasks: two, with the sink task class"
no_missing_keys "GET /tasks has every key of tasks.json" "$FIX/tasks.json"
st
is "$ST" "RUNNING RUNNING RUNNING" "status: the connector and its two tasks RUNNING"
is "$(jb .type '.connector.worker_id | test("^127\\.0\\.0\\.1:[0-9]+$")')" "sink true" \
	"type sink, worker_id host:port"
no_missing_keys "GET /status has every key of status-running.json" "$FIX/status-running.json"
creq GET "/connectors/$C/tasks/1/status"
is "$CODE $(jb .id .state 'has("trace")')" "200 1 RUNNING false" "GET /tasks/1/status"
no_missing_keys "GET /tasks/1/status has every key of task-status.json" "$FIX/task-status.json"
creq GET "/connectors?expand=status"
is "$(jb ".\"$C\".status.connector.state")" RUNNING "?expand=status"
no_missing_keys "?expand=status has every key of connectors-expand-status.json" \
	"$FIX/connectors-expand-status.json" 'with_entries(.key = "C")'
creq GET "/connectors?expand=info"
no_missing_keys "?expand=info has every key of connectors-expand-info.json" \
	"$FIX/connectors-expand-info.json" 'with_entries(.key = "C") | .C.info.config = {}'
creq GET "/connectors?expand=status&expand=info"
is "$(jb ".\"$C\" | keys | join(\",\")")" "info,status" "?expand=status&expand=info: both"

# ----------------------------------------------------------------------
# The state machine
# ----------------------------------------------------------------------
creq PUT "/connectors/$C/pause"
is "$CODE|$BODY" "202|" "PUT /pause: 202 Accepted, no body"
like "$HDRS" $'\n''Content-Length: 0' "with Content-Length: 0"
st
is "$ST" "PAUSED PAUSED PAUSED" "paused: the connector and both tasks PAUSED"
creq PUT "/connectors/$C/pause"
st
is "$CODE0 $ST" "202 PAUSED PAUSED PAUSED" "pause again: 202, no change (idempotent)"
creq PUT "/connectors/$C/resume"
st
is "$CODE0 $ST" "202 RUNNING RUNNING RUNNING" "PUT /resume: 202, all RUNNING"
creq PUT "/connectors/$C/resume"
st
is "$CODE0 $ST" "202 RUNNING RUNNING RUNNING" "resume again: 202, no change"

trace='org.apache.kafka.common.errors.RecordTooLargeException\n'
creq POST /_standin/task_fail -d "{\"connector\":\"$C\",\"task\":1,\"trace\":\"$trace\"}"
st
is "$CODE0 $ST" "200 RUNNING RUNNING FAILED" \
	"task_fail: the connector stays RUNNING, task 1 FAILED (connector-task-failed)"
is "$(jb '.tasks[1].trace' '.tasks[0] | has("trace")')" \
	"org.apache.kafka.common.errors.RecordTooLargeException"$'\n'" false" \
	"the FAILED task has the trace, the RUNNING one none"
no_missing_keys "the status has every key of status-task-failed.json" \
	"$FIX/status-task-failed.json"
creq GET "/connectors/$C/tasks/1/status"
is "$(jb .state '.trace | startswith("org.apache.kafka")')" "FAILED true" "GET /tasks/1/status: FAILED, trace"
creq PUT "/connectors/$C/pause"
st
is "$ST" "PAUSED PAUSED FAILED" "pause: the FAILED task stays FAILED"
creq PUT "/connectors/$C/resume"
st
is "$ST" "RUNNING RUNNING FAILED" "resume does not revive it either"

creq POST "/connectors/$C/restart"
is "$CODE|$BODY" "204|" "POST /restart: 204, no body"
unlike "$HDRS" $'\n''Content-Length' "a 204 has no Content-Length (RFC 9110)"
st
is "$ST" "RUNNING RUNNING FAILED" "a plain restart leaves the task FAILED (the runbook's point)"
is "$(jb '.tasks[1].trace | length > 0')" true "and its trace"

t0=$(now_ms)
creq POST "/connectors/$C/restart?includeTasks=true&onlyFailed=true"
is "$CODE $(jb '[.connector.state] + [.tasks[].state] | join(" ")')" \
	"202 RUNNING RUNNING RESTARTING" \
	"restart?includeTasks=true&onlyFailed=true: 202, the failed task RESTARTING"
no_missing_keys "the 202 has every key of restart-include-tasks.json" \
	"$FIX/restart-include-tasks.json"
st
el=$(($(now_ms) - t0))
if ((el < 400)); then
	is "$ST" "RUNNING RUNNING RESTARTING" "GET /status shows RESTARTING"
else # a loaded machine took most of the restart's 500 ms to get here
	like "$ST" '^RUNNING RUNNING (RESTARTING|RUNNING)$' "GET /status $el ms after the restart: RESTARTING, or RUNNING already"
fi
took=$(until_states "RUNNING RUNNING RUNNING" 2000)
st
between "$(($(now_ms) - t0))" 450 3000 "then RUNNING after about 500 ms ($took ms of polling; a loaded machine takes longer)"
is "$(jb '[.tasks[] | has("trace")] | any')" false "no trace left"

creq POST /_standin/task_fail -d "{\"connector\":\"$C\",\"task\":0}"
st
is "$ST" "RUNNING FAILED RUNNING" "task 0 FAILED (default trace)"
like "$(jb '.tasks[0].trace')" '^org\.apache\.kafka\.connect\.errors\.ConnectException: .*'$'\n\tat ' \
	"the default trace is a Java stack trace"
creq POST "/connectors/$C/tasks/0/restart"
is "$CODE|$BODY" "204|" "POST /tasks/0/restart: 204"
st
is "$ST" "RUNNING RUNNING RUNNING" "the task is RUNNING again"

creq POST "/connectors/$C/restart?includeTasks=true"
is "$(jb '[.connector.state] + [.tasks[].state] | join(" ")')" "RESTARTING RESTARTING RESTARTING" \
	"includeTasks=true alone restarts the connector and every task"
until_states "RUNNING RUNNING RUNNING" 2000 >/dev/null
creq POST "/connectors/$C/restart?onlyFailed=true"
is "$CODE $(jb '[.connector.state] + [.tasks[].state] | join(" ")')" "202 RUNNING RUNNING RUNNING" \
	"onlyFailed=true with nothing failed: 202, nothing restarts"

creq POST /_standin/connector_fail -d "{\"connector\":\"$C\"}"
st
is "$ST $(jb '.connector.trace | length > 0')" "FAILED RUNNING RUNNING true" \
	"connector_fail: the connector FAILED with a trace, its tasks still RUNNING"
creq POST "/connectors/$C/restart"
st
is "$CODE0 $ST" "204 RUNNING RUNNING RUNNING" "a plain restart revives a FAILED connector"

creq PUT "/connectors/$C/pause"
creq POST /_standin/task_fail -d "{\"connector\":\"$C\",\"task\":1}"
creq POST "/connectors/$C/restart?includeTasks=true&onlyFailed=true"
until_states "PAUSED PAUSED PAUSED" 2000 >/dev/null
st
is "$ST" "PAUSED PAUSED PAUSED" "a task restarted while paused comes back PAUSED"
creq PUT "/connectors/$C/resume"

creq PUT "/connectors/$C/stop"
is "$CODE|$BODY" "204|" "PUT /stop: 204 (KIP-875)"
st
is "$ST $(jb '.tasks | length')" "STOPPED 0" "STOPPED, no tasks (Kafka 3.5)"
creq GET "/connectors/$C"
is "$(jb '.tasks | length')" 0 "GET /connectors/NAME: no tasks"
creq PUT "/connectors/$C/resume"
st
is "$ST" "RUNNING RUNNING RUNNING" "resume after stop: the two tasks again"

# The request log proves what a client did.
creq GET /_standin/log
is "$(jb "[.requests[] | select(.connector == \"$C\") | .action] | join(\" \")")" \
	"config config pause pause resume resume pause resume restart restart task_restart restart restart restart pause restart resume stop resume" \
	"/_standin/log: every change request, in order"
is "$(jb "[.requests[] | select(.connector == \"$C\" and .action == \"restart\") |
	\"\\(.status):\\(.includeTasks):\\(.onlyFailed)\"] | join(\" \")")" \
	"204:false:false 202:true:true 202:true:false 202:false:true 204:false:false 202:true:true" \
	"each restart with its answer, includeTasks and onlyFailed"
is "$(jb "[.requests[] | select(.connector == \"$C\") | .t] | . == sort")" true \
	"with times, in order"

# ----------------------------------------------------------------------
# Errors, as Connect words them
# ----------------------------------------------------------------------
creq GET "/connectors/$X-nope"
is "$CODE $BODY" "404 {\"error_code\":404,\"message\":\"Connector $X-nope not found\"}" \
	"a missing connector: 404 and Connect's body"
like "$HDRS" $'\n''Content-Length: [0-9]+' "an error has a Content-Length"
creq GET "/connectors/$X-nope/status"
is "$(jb .message)" "No status found for connector $X-nope" "status: AbstractHerder's message"
no_missing_keys "the 404 has every key of error-404.json" "$FIX/error-404.json"
no_missing_keys "and of error-422.json (the error envelope)" "$FIX/error-422.json"
creq PUT "/connectors/$X-nope/pause"
is "$CODE $(jb .message)" "404 Unknown connector $X-nope" "pause: 404 Unknown connector"
creq POST "/connectors/$X-nope/restart"
is "$CODE $(jb .message)" "404 Unknown connector: $X-nope" "restart: 404 Unknown connector:"
creq GET "/connectors/$C/tasks/9/status"
is "$CODE $(jb .message)" "404 No status found for task $C-9" "a missing task: 404"
creq POST "/connectors/$C/tasks/9/restart"
is "$CODE $(jb .message)" "404 Unknown task: $C-9" "restart of a missing task: 404"
creq GET "/connectors/$C/tasks/x/status"
is "$CODE $(jb .message)" "404 HTTP 404 Not Found" "a task id that is no integer: Jersey's 404"
creq GET /nothing
is "$CODE $(jb .error_code .message)" "404 404 HTTP 404 Not Found" "an unknown path: 404"
creq DELETE "/connectors/$C/status"
is "$CODE $(jb .message)" "405 HTTP 405 Method Not Allowed" "a wrong method: 405"
creq POST /connectors -d "{\"name\":\"$C\",\"config\":$cfg}"
is "$CODE $(jb .message)" "409 Connector $C already exists" "POST of an existing connector: 409"
creq POST /connectors -d "{\"name\":\"$X-new\",\"config\":{\"tasks.max\":\"1\"}}"
is "$CODE" 400 "no connector.class: 400"
like "$(jb .message)" "^Connector config \\{.*\\} contains no connector type\$" "the herder's message"
creq PUT "/connectors/$C/config" -d "{\"connector.class\":\"$ES_SINK\",\"name\":\"other\"}"
is "$CODE $(jb .message)" \
	"400 Connector name configuration (other) doesn't match connector name in the URL ($C)" \
	"a name that does not match the URL: 400"
creq PUT "/connectors/$C/config" -d "{\"connector.class\":\"$ES_SINK\",\"tasks.max\":\"two\"}"
like "$CODE $(jb .message)" "^400 Connector configuration is invalid and contains the following 1 error" \
	"tasks.max not a number: 400"
creq POST /connectors -d '{"name": "x", "config": {'
is "$CODE $(jb .error_code)" "500 500" "a body that is not JSON: 500, as Connect (Jackson)"
is "$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -d '{}' "$URL/connectors")" 415 \
	"a body that is not declared JSON (curl -d): 415"
creq POST /connectors -d "{\"name\":\"$X-new\",\"config\":{\"connector.class\":\"$ES_SINK\",\"tasks.max\":\"1\"},\"initial_state\":\"PAUSED\"}"
st "$X-new"
is "$CODE0 $ST" "201 PAUSED PAUSED" "POST /connectors with initial_state PAUSED (KIP-980)"
creq DELETE "/connectors/$X-new"
is "$CODE|$BODY" "204|" "DELETE: 204"
creq GET "/connectors/$X-new"
is "$CODE" 404 "deleted: 404"
printf 'GARBAGE\r\n\r\n' >"$TEST_TMP/garbage"
curl -sS --max-time 2 "telnet://127.0.0.1:$SYNCTOP_CONNECT_PORT" <"$TEST_TMP/garbage" >/dev/null 2>&1
creq POST "/connectors/$C/tasks/0/restart" -d 'not json at all'
creq GET /
is "$CODE" 200 "a malformed request line and a junk body do not hurt the server"

# ----------------------------------------------------------------------
# Authentication and faults, on an extra stand-in
# ----------------------------------------------------------------------
printf 's3cret\n' >"$TEST_TMP/pw"
SYNCTOP_CONNECT_ARGS="--user connect --password-file $TEST_TMP/pw" connect_up_extra
URL=$EXTRA_CONNECT_URL
creq POST /_standin/fault -d '{"mode":"hang","path_prefix":"/connectors/products-sink/status"}'
t0=$(now_ms)
(
	curl -sS --max-time 1 -u connect:s3cret "$URL/connectors/products-sink/status" >/dev/null 2>&1
	echo "$? $(($(now_ms) - t0))" >"$TEST_TMP/hang"
) &
hang_pid=$!
creq GET /connectors
is "$CODE|$BODY" "401|User cannot access the resource." \
	"auth on: no credentials, 401 with JaasBasicAuthFilter's entity"
unlike "$HDRS" 'WWW-Authenticate' "no WWW-Authenticate challenge (as Connect)"
creq PUT /connectors/products-sink/pause -u connect:wrong
is "$CODE" 401 "a wrong password: 401"
creq GET /connectors -u connect:s3cret
is "$CODE $BODY" '200 ["products-sink"]' "the right one: 200; the default connector products-sink"
creq GET /connectors -H "Authorization: Bearer x"
is "$CODE" 401 "another scheme: 401"
creq GET /_standin/log
is "$CODE $(jb '[.requests[] | "\(.action):\(.status)"] | join(" ")')" "200 pause:401" \
	"the control endpoints need no credentials; the log shows the refused pause"
wait "$hang_pid"
read -r rc ms <"$TEST_TMP/hang"
is "$rc" 28 "hang: curl --max-time 1 times out"
between "$ms" 900 2500 "after about a second"
creq DELETE /_standin/fault
creq GET /connectors/products-sink/status -u connect:s3cret
is "$CODE $(jb '.tasks | length')" "200 2" "the fault cleared: status answers (products-sink has 2 tasks)"
creq POST /_standin/fault -d '{"mode":"malformed"}'
creq GET /connectors/products-sink/status
is "$CODE $(jb .name)" "200 <not JSON>" "malformed: 200 with a body that is not JSON"
creq POST /_standin/fault -d '{"mode":"truncate"}'
curl -sS --max-time 2 -o /dev/null "$URL/" 2>/dev/null
is "$?" 18 "truncate: curl reports a partial transfer (18)"
creq POST /_standin/fault -d '{"mode":"status","status":503,"count":1}'
creq GET /connectors/products-sink/status -u connect:s3cret
is "$CODE $(jb .error_code)" "503 503" "status 503, in Connect's error envelope"
creq GET /connectors/products-sink/status -u connect:s3cret
is "$CODE" 200 "a fault with count 1 fired once"

# ----------------------------------------------------------------------
# A rebalance: 409 for what the herder must serve
# ----------------------------------------------------------------------
creq POST /_standin/rebalance -d '{"seconds":5}'
creq POST /connectors/products-sink/restart -u connect:s3cret
is "$CODE $(jb .error_code)" "409 409" "during a rebalance: restart 409"
like "$(jb .message)" 'rebalance' "Connect's message names the rebalance"
creq POST "/connectors/products-sink/restart?includeTasks=true&onlyFailed=true" -u connect:s3cret
is "$CODE" 409 "restart?includeTasks=true: 409"
creq GET /connectors/products-sink/config -u connect:s3cret
is "$CODE" 409 "GET /config: 409"
creq GET /connectors/products-sink/status -u connect:s3cret
is "$CODE" 200 "GET /status still answers"
creq PUT /connectors/products-sink/pause -u connect:s3cret
st products-sink -u connect:s3cret
is "$CODE0 $ST" "202 PAUSED PAUSED PAUSED" "pause still works (no leader needed)"
creq DELETE /_standin/rebalance
creq POST /connectors/products-sink/restart -u connect:s3cret
is "$CODE" 204 "the rebalance over: restart 204"
creq POST /_standin/rebalance -d '{"seconds":5,"scope":"all"}'
creq GET /connectors/products-sink/status -u connect:s3cret
is "$CODE" 409 "scope all: even GET /status 409"
creq DELETE /_standin/state
creq GET /connectors/products-sink/status -u connect:s3cret
is "$CODE $(jb '[.connector.state] + [.tasks[].state] | join(" ")')" "200 RUNNING RUNNING RUNNING" \
	"DELETE /_standin/state: no rebalance, products-sink as at start"
connect_down "$EXTRA_CONNECT_DIR"
URL=$SYNCTOP_CONNECT_URL

# ----------------------------------------------------------------------
# The write endpoints of the actions on private stand-ins, per worker version, and the record
# of every request (DIR/connect.requests: only this test's requests)
# ----------------------------------------------------------------------
C0=$C
C=w
SYNCTOP_CONNECT_ARGS="--connector w:2 --restart-ms 1000" connect_up_extra
URL=$EXTRA_CONNECT_URL
REC=$EXTRA_CONNECT_DIR/connect.requests
: >"$REC"
creq GET /
is "$(jb .version)" 3.7.1 "the default worker: Kafka 3.7.1"
creq PUT /connectors/w/pause
st
is "$CODE0|$BODY0|$ST" "202||PAUSED PAUSED PAUSED" "pause: 202, no body; PAUSED"
creq POST /_standin/task_fail -d '{"connector":"w","task":1}'
creq POST /_standin/worker_restart
st
is "$ST" "PAUSED PAUSED PAUSED" \
	"a worker restart: the pause persists; the FAILED task restarts into the target state"
creq PUT /connectors/w/resume
st
is "$CODE0|$ST" "202|RUNNING RUNNING RUNNING" "resume: 202; RUNNING"
creq POST /_standin/task_fail -d '{"connector":"w","task":0}'
creq PUT /connectors/w/pause
st
is "$ST" "PAUSED FAILED PAUSED" "pause: the FAILED task stays FAILED"
creq PUT /connectors/w/resume
st
is "$ST" "RUNNING FAILED RUNNING" "resume: still FAILED"
creq POST /_standin/rebalance -d '{"seconds":5}'
creq POST "/connectors/w/restart?includeTasks=true&onlyFailed=true"
is "$CODE $(jb .error_code)" "409 409" "restart?includeTasks&onlyFailed during a rebalance: 409"
is "$(jb .message)" "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway." \
	"the 409's message"
creq DELETE /_standin/rebalance
creq POST "/connectors/w/restart?includeTasks=true&onlyFailed=true"
is "$CODE $(jb '[.connector.state] + [.tasks[].state] | join(" ")')" "202 RUNNING RESTARTING RUNNING" \
	"the rebalance over: 202, the failed task RESTARTING in the body"
st
is "$ST" "RUNNING RESTARTING RUNNING" "a GET at once: still RESTARTING (asynchronous)"
between "$(until_states "RUNNING RUNNING RUNNING" 3000)" 500 2000 "RUNNING at a later GET (restart-ms 1000)"
creq POST /_standin/task_fail -d '{"connector":"w","task":1}'
creq POST /connectors/w/tasks/1/restart
st
is "$CODE0|$BODY0|$ST" "204||RUNNING RUNNING RUNNING" "POST /tasks/1/restart: 204, no body; RUNNING"
creq PUT /connectors/w/stop
st
is "$CODE0|$BODY0|$ST $(jb '.tasks | length')" "204||STOPPED 0" "PUT /stop on 3.7: 204, no body; STOPPED, no tasks"
creq PUT /connectors/w/resume
st
is "$ST" "RUNNING RUNNING RUNNING" "resume after stop"
creq GET /_standin/state
is "$(jq -s -c '[.[] | select(.method != "GET")] | length' "$REC")" 9 \
	"the record: 9 requests other than GET (the status polls vary in number)"
is "$(jq -s -c '[.[] | select(.method == "GET") | .path] | unique' "$REC")" \
	'["/","/connectors/w/status"]' "the GETs: the root and the status polls"
is "$(jq -s '[.[] | select(.path | startswith("/_standin"))] | length' "$REC")" 0 \
	"no control request in the record"
is "$(jq -r 'select(.method != "GET") | "\(.method) \(.path) \(.status)"' "$REC" | tr '\n' ',')" \
	"PUT /connectors/w/pause 202,PUT /connectors/w/resume 202,PUT /connectors/w/pause 202,PUT /connectors/w/resume 202,POST /connectors/w/restart?includeTasks=true&onlyFailed=true 409,POST /connectors/w/restart?includeTasks=true&onlyFailed=true 202,POST /connectors/w/tasks/1/restart 204,PUT /connectors/w/stop 204,PUT /connectors/w/resume 202," \
	"the record: 9 write requests, each with its path, query and status, in order"
connect_down "$EXTRA_CONNECT_DIR"

SYNCTOP_CONNECT_ARGS="--connector w:2 --version 3.4.1" connect_up_extra
URL=$EXTRA_CONNECT_URL
creq GET /
is "$(jb .version)" 3.4.1 "--version 3.4.1: GET / says so"
creq PUT /connectors/w/stop
is "$CODE $BODY" '404 {"error_code":404,"message":"HTTP 404 Not Found"}' \
	"PUT /stop before 3.5: 404, as Jersey answers an unknown path"
st
is "$ST" "RUNNING RUNNING RUNNING" "nothing stopped"
creq POST /_standin/task_fail -d '{"connector":"w","task":0}'
creq POST "/connectors/w/restart?includeTasks=true&onlyFailed=true"
is "$CODE $(jb '[.tasks[].state] | join(" ")')" "202 RESTARTING RUNNING" "3.4 has KIP-745: 202"
connect_down "$EXTRA_CONNECT_DIR"

SYNCTOP_CONNECT_ARGS="--connector w:2 --version 2.8.2" connect_up_extra
URL=$EXTRA_CONNECT_URL
REC=$EXTRA_CONNECT_DIR/connect.requests
: >"$REC"
creq POST /_standin/task_fail -d '{"connector":"w","task":0}'
creq POST "/connectors/w/restart?includeTasks=true&onlyFailed=true"
st
is "$CODE0|$BODY0|$ST" "204||RUNNING FAILED RUNNING" \
	"before 3.0 the query parameters are ignored: 204, the connector restarted, the task still FAILED"
creq POST /connectors/w/tasks/0/restart
st
is "$CODE0 $ST" "204 RUNNING RUNNING RUNNING" "the per-task restart: 204, RUNNING"
creq PUT /connectors/w/stop
is "$CODE" 404 "PUT /stop on 2.8: 404"
is "$(jq -r '"\(.method) \(.path) \(.status)"' "$REC" | tr '\n' ',')" \
	"POST /connectors/w/restart?includeTasks=true&onlyFailed=true 204,GET /connectors/w/status 200,POST /connectors/w/tasks/0/restart 204,GET /connectors/w/status 200,PUT /connectors/w/stop 404," \
	"the record of the 2.8 worker: exactly the 5 requests made"
connect_down "$EXTRA_CONNECT_DIR"
C=$C0
URL=$SYNCTOP_CONNECT_URL

done_testing
