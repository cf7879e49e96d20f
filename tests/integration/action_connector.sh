#!/usr/bin/env bash
# action_connector.sh: `synctop action pause|resume|stop|restart` on a connector stage against
# private Kafka Connect stand-ins (one per worker version): the exit codes, exactly the write
# requests each sends (the stand-in's record), none when refused, the audit line's fields, a
# 409 then the retry, the per-task restart of a worker older than 3.0, and stop, offered only
# from Connect 3.5.
# needs: search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd jq curl
connect_bin >/dev/null || skip_all "/usr/bin/python3 is missing (apt-get install python3)"

AUDIT=$TEST_TMP/state/audit.log
conf=$TEST_TMP/synctop.conf

# worker VERSION: a private stand-in playing Kafka VERSION with connector w (2 tasks), the
# config on it; URL and REC (its record of requests, emptied).
worker() {
	SYNCTOP_CONNECT_ARGS="--connector w:2 --restart-ms 300 --version $1" connect_up_extra
	URL=$EXTRA_CONNECT_URL
	REC=$EXTRA_CONNECT_DIR/connect.requests
	: >"$REC"
	{
		printf '[synctop]\naudit_log = %s\nenvironment = staging\n' "$AUDIT"
		printf '[connect workers]\nurl = %s\n' "$URL"
		printf '[pipeline products]\nconnector = workers\nconnector.name = w\n'
	} >"$conf"
}
# ctl PATH JSON: a control request to the stand-in.
ctl() {
	curl -sS --max-time 5 -X POST -H 'Content-Type: application/json' -d "$2" "$URL$1" >/dev/null
}
# act ACTION [ARGS...]: synctop action ACTION products --yes --format json.
act() {
	local a=$1
	shift
	run_synctop -c "$conf" action "$a" products --yes --format json "$@"
}
# writes: the recorded requests other than GET, "METHOD PATH STATUS" joined by commas.
writes() {
	jq -r 'select(.method != "GET") | "\(.method) \(.path) \(.status)"' "$REC" | paste -sd, -
}
# last_audit FILTER: FILTER over the last audit line.
last_audit() {
	tail -n 1 "$AUDIT" | jq -r "$1"
}
audit_lines() {
	if [[ -f $AUDIT ]]; then wc -l <"$AUDIT"; else echo 0; fi
}
states() {
	curl -sS --max-time 5 "$URL/connectors/w/status" | jq -r '[.connector.state] + [.tasks[].state] | join(" ")'
}

# ----------------------------------------------------------------------
# pause and resume on Connect 3.7
# ----------------------------------------------------------------------
worker 3.7.1
act pause
is "$RUN_RC" 0 "pause: exit 0 (applied and confirmed)"
is "$(jqr '[.result, .applied.sent, .applied.answer, .readback.seen] | join("|")')" \
	"confirmed|PUT /connectors/w/pause|202 Accepted|connector w PAUSED (task 0 PAUSED, task 1 PAUSED)" \
	"pause: confirmed, what was sent, the answer, what was read back"
is "$(writes)" "PUT /connectors/w/pause 202" "pause: exactly one PUT .../pause"
is "$(states)" "PAUSED PAUSED PAUSED" "pause: the worker has it PAUSED"
like "$(jqr '.preview.lines | join("\n")')" "a Connect pause persists across worker restarts" \
	"pause: the preview says a pause persists across worker restarts"
is "$(last_audit '[.action, .pipeline, .stage, .target, .environment, .previewed, .affected, .answer, .result, .reason] | map(tostring) | join("|")')" \
	"pause|products|connector|connector w on workers|staging|1|1|202 Accepted|confirmed|connector w PAUSED (task 0 PAUSED, task 1 PAUSED)" \
	"pause: the audit line's fields"

act pause
is "$RUN_RC" 2 "pause when PAUSED: exit 2 (refused)"
is "$(jqr .line)" "pause products/connector refused: does not apply now: the connector is PAUSED, not RUNNING" \
	"pause when PAUSED: says why"
is "$(writes)" "PUT /connectors/w/pause 202" "pause when PAUSED: nothing sent"
is "$(last_audit '[.action, .result, .reason, .affected] | map(tostring) | join("|")')" \
	"pause|refused|does not apply now: the connector is PAUSED, not RUNNING|null" "pause when PAUSED: audited as refused"

ctl /_standin/worker_restart '{}'
is "$(states)" "PAUSED PAUSED PAUSED" "a worker restart: the pause persists"

n=$(audit_lines)
run_synctop -c "$conf" action resume products --dry-run --format json
is "$RUN_RC|$(jqr .result)|$(jqr '.preview.lines | map(select(startswith("will send"))) | .[0]')" \
	"0|previewed|will send: PUT /connectors/w/resume (202 expected)" "resume --dry-run: exit 0, the PUT it would send"
is "$(writes)|$(audit_lines)" "PUT /connectors/w/pause 202|$n" "resume --dry-run: nothing sent, no audit line"

act resume
is "$RUN_RC" 0 "resume: exit 0"
is "$(jqr '[.result, .applied.sent, .applied.answer, .readback.seen] | join("|")')" \
	"confirmed|PUT /connectors/w/resume|202 Accepted|connector w RUNNING (task 0 RUNNING, task 1 RUNNING)" \
	"resume: confirmed RUNNING"
is "$(writes)" "PUT /connectors/w/pause 202,PUT /connectors/w/resume 202" "resume: one PUT .../resume"
act resume
is "$RUN_RC|$(jqr .line)" "2|resume products/connector refused: does not apply now: not paused: the connector is RUNNING" \
	"resume when RUNNING: refused"

# A FAILED task stays FAILED under a pause: confirmed on the connector's state.
ctl /_standin/task_fail '{"connector":"w","task":0,"trace":"x.Y: z"}'
act pause
is "$RUN_RC|$(jqr .readback.seen)" "0|connector w PAUSED (task 0 FAILED, task 1 PAUSED); FAILED tasks stay FAILED" \
	"pause with a FAILED task: confirmed, the FAILED task named"
is "$(jqr '.preview.lines | map(select(startswith("FAILED tasks"))) | .[0]')" \
	"FAILED tasks do not become PAUSED: they stay FAILED until restarted" "pause with a FAILED task: said before"
act resume
is "$RUN_RC" 0 "resume"

# ----------------------------------------------------------------------
# restart of the failed tasks: a 409 (rebalance), then the one retry
# ----------------------------------------------------------------------
: >"$REC"
ctl /_standin/task_fail "$(jq -cn '{connector: "w", task: 1, trace: "a.B: boom \u001b[2J\n\tat c.D(D.java:1)"}')"
ctl /_standin/fault '{"mode":"status","status":409,"path_prefix":"/connectors/w/restart","count":1}'
act restart
is "$RUN_RC" 0 "restart after a 409: exit 0"
is "$(writes)" "POST /connectors/w/restart?includeTasks=true&onlyFailed=true 409,POST /connectors/w/restart?includeTasks=true&onlyFailed=true 202" \
	"restart: 409, then the one retry, 202"
is "$(jqr .applied.answer)" "409 Conflict (a rebalance was under way: retried after 1 s), 202 Accepted: task 0 RESTARTING, task 1 RESTARTING" \
	"restart: the answer says 409, the retry and the 202"
is "$(jqr '[.preview.summary, .preview.count, (.preview.pin.failed | tostring)] | map(tostring) | join("|")')" \
	"restart 2 FAILED tasks (0, 1) of w|2|[0,1]" "restart: the preview names the failed tasks"
is "$(jqr '.preview.traces | map(select(.task == 1)) | .[0].trace | join("|")')" \
	'a.B: boom \x1B[2J| at c.D(D.java:1)' "restart: the whole trace, by line, control characters shown, not sent"
like "$(jqr '.preview.lines | join("\n")')" 'task 1: FAILED on 127\.0\.0\.1:[0-9]+: a\.B: boom \\x1B\[2J' \
	"restart: the first line of the trace on the preview's line"
is "$(jqr '.preview.lines | map(select(startswith("trace of task 1") or startswith("  a.B") or startswith("   at"))) | join("|")')" \
	'trace of task 1:|  a.B: boom \x1B[2J|   at c.D(D.java:1)' "restart: the preview's lines end with each trace in full, before the restart"
like "$(jqr .readback.seen)" '^task 0 RUNNING, task 1 RUNNING \(restart sent at [0-9-]{10}T[0-9:]{8}Z\)$' \
	"restart: the read-back names each task RUNNING and when the restart was sent"
is "$(states)" "RUNNING RUNNING RUNNING" "restart: every task RUNNING"
is "$(last_audit '[.action, .previewed, .affected, .result] | map(tostring) | join("|")')" "restart|2|2|confirmed" \
	"restart: the audit line"
like "$(last_audit .answer)" '^409 Conflict \(a rebalance was under way: retried after 1 s\), 202 Accepted' \
	"restart: the audit line holds the answers"

act restart
is "$RUN_RC|$(jqr .line)" "2|restart products/connector refused: does not apply now: no failed task: the connector is RUNNING" \
	"restart with no failed task: refused"

# A rebalance that outlasts the retry: failed, nothing restarted, said so.
: >"$REC"
ctl /_standin/task_fail '{"connector":"w","task":1}'
ctl /_standin/rebalance '{"seconds":30}'
act restart
curl -sS --max-time 5 -X DELETE "$URL/_standin/rebalance" >/dev/null
is "$RUN_RC|$(jqr .result)" "2|failed" "restart during a long rebalance: exit 2, failed"
like "$(jqr .line)" 'answered 409 Conflict \(a rebalance was under way: retried after 1 s\), 409 Conflict: Cannot complete request momentarily.*: nothing was changed$' \
	"restart during a long rebalance: both 409s and that nothing changed"
is "$(writes)" "POST /connectors/w/restart?includeTasks=true&onlyFailed=true 409,POST /connectors/w/restart?includeTasks=true&onlyFailed=true 409" \
	"restart during a long rebalance: two requests"
is "$(last_audit .result)" failed "restart during a long rebalance: audited as failed"
ctl /connectors/w/tasks/1/restart '' # back to RUNNING

# ----------------------------------------------------------------------
# stop: Connect 3.5 or later
# ----------------------------------------------------------------------
: >"$REC"
act stop
is "$RUN_RC|$(jqr '[.applied.sent, .applied.answer, .readback.seen] | join("|")')" \
	"0|PUT /connectors/w/stop|204 No Content|connector w STOPPED" "stop on 3.7: 204, STOPPED"
act stop
is "$RUN_RC|$(jqr .line)" "2|stop products/connector refused: does not apply now: the connector is already STOPPED" \
	"stop when STOPPED: refused"
act resume
is "$RUN_RC|$(jqr .readback.seen)" "0|connector w RUNNING (task 0 RUNNING, task 1 RUNNING)" "resume after a stop: RUNNING"
is "$(writes)" "PUT /connectors/w/stop 204,PUT /connectors/w/resume 202" "stop then resume: one PUT each"

run_synctop -c "$conf" action pause products --yes --read-only --format json
is "$RUN_RC|$(jqr .result)|$(writes)" "2|refused|PUT /connectors/w/stop 204,PUT /connectors/w/resume 202" \
	"--read-only: refused, nothing sent"
connect_down "$EXTRA_CONNECT_DIR"

worker 3.4.1
act stop
is "$RUN_RC" 2 "stop on 3.4: exit 2"
is "$(jqr .line)" "stop products/connector refused: does not apply now: Kafka Connect 3.4.1 has no stop (it came with 3.5): pause instead" \
	"stop on 3.4: not offered, and why"
is "$(writes)" "" "stop on 3.4: nothing sent"
is "$(last_audit '[.action, .result] | join("|")')" "stop|refused" "stop on 3.4: audited as refused"
connect_down "$EXTRA_CONNECT_DIR"

# ----------------------------------------------------------------------
# A worker older than 3.0 (no KIP-745): one restart per FAILED task
# ----------------------------------------------------------------------
worker 2.8.2
ctl /_standin/task_fail '{"connector":"w","task":0}'
ctl /_standin/task_fail '{"connector":"w","task":1}'
act restart
is "$RUN_RC" 0 "restart on 2.8: exit 0"
is "$(writes)" "POST /connectors/w/tasks/0/restart 204,POST /connectors/w/tasks/1/restart 204" \
	"restart on 2.8: one POST per failed task, 204 each"
is "$(jqr '[.applied.answer, (.applied.affected | tostring), (.preview.pin.per_task | tostring)] | join("|")')" \
	"204 No Content, 204 No Content|2|true" "restart on 2.8: the answers"
like "$(jqr '.preview.lines | join("\n")')" 'Kafka Connect 2\.8\.2 predates restart\?includeTasks \(3\.0\): one restart per task' \
	"restart on 2.8: the preview says why"
is "$(states)" "RUNNING RUNNING RUNNING" "restart on 2.8: RUNNING"
connect_down "$EXTRA_CONNECT_DIR"

done_testing
