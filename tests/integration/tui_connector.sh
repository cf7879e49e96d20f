#!/usr/bin/env bash
# tui_connector.sh: the connector's actions from the screen, through a real terminal (tmux),
# against a private Kafka Connect stand-in: T offered only while a task is FAILED, its dialog
# shows the trace (control characters shown, not sent to the terminal), y restarts, "confirmed"
# once the tasks run; p pauses, then only u is offered. Skipped in a build whose connector kind
# has no restart action.
# needs: search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd tmux jq curl pgrep
connect_bin >/dev/null || skip_all "/usr/bin/python3 is missing (apt-get install python3)"

AUDIT=$TEST_TMP/audit.log
conf=$TEST_TMP/synctop.conf
SYNCTOP_CONNECT_ARGS="--connector w:2 --restart-ms 300 --version 3.7.1" connect_up_extra
URL=$EXTRA_CONNECT_URL
REC=$EXTRA_CONNECT_DIR/connect.requests
: >"$conf" && chmod 600 "$conf"
printf '[synctop]\ntimeout = 2s\ninterval = 1s\naudit_log = %s\nconfirm_timeout = 10s\n' "$AUDIT" >>"$conf"
printf '[connect workers]\nurl = %s\n[pipeline products]\nconnector = workers\nconnector.name = w\n' "$URL" >>"$conf"

run_synctop -c "$conf" action restart products --dry-run
if [[ $RUN_OUT$RUN_ERR == *"has no restart action"* ]]; then
	skip_all "the connector kind of this build has no restart action"
fi
rm -f "$AUDIT"
: >"$REC"

ctl() {
	curl -sS --max-time 5 -X POST -H 'Content-Type: application/json' -d "$2" "$URL$1" >/dev/null
}
# writes: the recorded requests other than GET, "METHOD PATH STATUS" one a line.
writes() {
	jq -r 'select(.method != "GET") | "\(.method) \(.path) \(.status)"' "$REC"
}
audit_last() {
	tail -n 1 "$AUDIT" | jq -r "$1"
}

tui_init
tui_start rw -- -c "$conf"
ok "setup: the connector is polled" wait_polled "┌─ products "
ok "offered: p only while every task runs" wait_like '│ connector .* \[p\] '
send T
ok "restart: T says why it does not apply" wait_like 'restart failed connector tasks \(T\): .*'
is "$(writes)" "" "restart: nothing sent"

ctl /_standin/task_fail "$(jq -cn '{connector: "w", task: 1, trace: "a.B: boom \u001b[2J\n\tat c.D(D.java:1)"}')"
ok "restart: T offered once a task is FAILED" wait_like '│ connector .* \[p T\] '
ok "restart: the failed-task diagnosis names key T (once confirmed, a poll later)" \
	wait_like 'next \(key T\): '
send T
ok "restart: T previews" wait_for "restart: restart failed connector tasks"
like "$SCREEN" 'task 1: FAILED on 127\.0\.0\.1:[0-9]+: a\.B: boom \\x1B\[2J' "restart: the trace's first line, its control characters shown"
send y
ok "restart: confirmed once the tasks run" wait_like '^restart products/connector: .*; confirmed: '
is "$(writes)" "POST /connectors/w/restart?includeTasks=true&onlyFailed=true 202" "restart: exactly the restart was sent"
is "$(audit_last '[.action, .result] | join(" ")')" "restart confirmed" "restart: audited confirmed"
ok "restart: T is no longer offered" wait_like '│ connector .* \[p\] '

send p
ok "pause: p previews" wait_for "pause: pause the worker"
send y
ok "pause: confirmed" wait_like '^pause products/connector: .*; confirmed: '
ok "pause: now u is offered, not p" wait_like '│ connector .* \[u( [a-zA-Z])*\] '
unlike "$(grep '│ connector' <<<"$SCREEN")" '\[p' "pause: p is gone"
send u
ok "resume: u previews" wait_for "resume: resume the worker"
send y
ok "resume: confirmed" wait_like '^resume products/connector: .*; confirmed: '
is "$(writes | cut -d' ' -f1,2 | paste -sd, -)" \
	"POST /connectors/w/restart?includeTasks=true&onlyFailed=true,PUT /connectors/w/pause,PUT /connectors/w/resume" \
	"writes: restart, pause, resume, nothing else"
send q
ok "quit: exits 0" wait_for "EXIT=0"

done_testing
