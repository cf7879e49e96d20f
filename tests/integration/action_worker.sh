#!/usr/bin/env bash
# action_worker.sh: `synctop action pause|resume` on a worker stage against a private worker
# stand-in with an HTTP admin API (tests/stack/worker_standin.py): exit codes, exactly the
# write requests each sends (the stand-in's record), none when refused or read-only, the JSON
# and the audit line, --once's paused metrics and worker-paused, a 500 that fails, a state
# whose field is not a boolean, worker.body and worker.paused_field, and the password in the
# URL never shown.
# needs: search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd jq curl
[[ -x /usr/bin/python3 ]] || skip_all "/usr/bin/python3 is missing (apt-get install python3)"
plan 77

SECRET=w0rker-s3cret
W=$TEST_TMP/worker
mkdir -p "$W"
printf '%s\n' "$SECRET" >"$W/pass"
REC=$W/requests
/usr/bin/python3 "$top_srcdir/tests/stack/worker_standin.py" --port 0 --port-file "$W/port" \
	--record "$REC" --log "$W/log" --user relay --password-file "$W/pass" 2>"$W/err" &
WPID=$!
at_exit kill_ours "$WPID"
for ((i = 0; i < 100; i++)); do
	[[ -s $W/port ]] && break
	sleep 0.05
done
[[ -s $W/port ]] || bail_out "the worker stand-in did not start: $(cat "$W/err")"
URL=http://127.0.0.1:$(<"$W/port")
AUTH=(-u "relay:$SECRET")

AUDIT=$TEST_TMP/state/audit.log
conf=$TEST_TMP/synctop.conf
# mkconf_worker [EXTRA-LINE...]: the config: the worker stage of pipeline orders, its
# credentials in the URL, pause and resume set, each EXTRA-LINE added to the pipeline.
mkconf_worker() {
	{
		printf '[synctop]\naudit_log = %s\nconfirm_timeout = 5s\n' "$AUDIT"
		printf '[http relay]\nurl = http://relay:%s@127.0.0.1:%s\ntimeout = 2s\n' "$SECRET" "${URL##*:}"
		printf '[pipeline orders]\nworker = relay\nworker.state = /admin/state\n'
		printf 'worker.pause = POST /admin/pause\nworker.resume = POST /admin/resume\n'
		printf '%s\n' "$@"
	} >"$conf"
	chmod 600 "$conf"
}
mkconf_worker
S=$(stage worker orders)
D=$(diagnoses orders)

# ctl PATH JSON: a control request to the stand-in (never recorded).
ctl() {
	curl -sS --max-time 5 "${AUTH[@]}" -X POST -d "$2" "$URL/_standin/$1" >/dev/null
}
standin_paused() {
	curl -sS --max-time 5 "$URL/_standin/state" | jq -r .paused
}
# writes: the recorded requests other than GET, "METHOD PATH STATUS" joined by commas; then
# the record is emptied.
writes() {
	jq -r 'select(.method != "GET") | "\(.method) \(.path) \(.status)"' "$REC" | paste -sd, -
	: >"$REC"
}
audit_lines() {
	if [[ -f $AUDIT ]]; then wc -l <"$AUDIT"; else echo 0; fi
}
audit_last() {
	tail -n 1 "$AUDIT" | jq -r '[.result, .action, .pipeline, .stage, .target, (.previewed|tostring),
		(.affected|tostring), (.answer|tostring)] | join(" | ")'
}
# no_secret DESC: the password is in none of the last run's output nor the audit log.
no_secret() {
	ok "$1: the password is never shown" _no_secret
}
# shellcheck disable=SC2317 # called through ok
_no_secret() {
	! grep -qF -- "$SECRET" <<<"$RUN_OUT$RUN_ERR" && ! grep -qsF -- "$SECRET" "$AUDIT"
}

# ----------------------------------------------------------------------
# Running: --once says so; resume does not apply
# ----------------------------------------------------------------------
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "running: --once exit 0"
is "$(jqr "$S.metrics | [.paused, .paused_since, .paused_for_s] | map(tostring) | join(\" \")")" \
	"false null null" "running: paused false, no paused_since"
is "$(jqr "$D | length")" 0 "running: no diagnosis"
run_once -c "$conf" --once-window 0
like "$RUN_OUT" "orders +worker +relay +/admin/state +OK [0-9]+s +running" "running: the text row says running (with the status's age)"
: >"$REC"

run_synctop -c "$conf" action resume orders --yes
is "$RUN_RC" 2 "resume when running: exit 2"
is "$RUN_OUT" "resume orders/worker refused: does not apply now: not paused" "resume when running: says why"
is "$(writes)" "" "resume when running: nothing but GET sent"
is "$(tail -n 1 "$AUDIT" | jq -r '.result + " " + .action')" "refused resume" "resume when running: audited as refused"

# ----------------------------------------------------------------------
# pause: POST /admin/pause, once
# ----------------------------------------------------------------------
n=$(audit_lines)
run_synctop -c "$conf" action pause orders --yes --format json
is "$RUN_RC" 0 "pause: exit 0"
json_is '.result' confirmed "pause: confirmed"
json_is '.target' "worker on relay (/admin/state)" "pause: the target names the connection and the state path"
json_is '.preview.summary' "the worker is running: POST /admin/pause pauses it" "pause: the preview's summary"
json_is '.preview.lines | join(" / ")' "will send: POST /admin/pause (any 2xx answer) / now: running (/paused is false)" \
	"pause: the preview's lines"
json_is '.preview.pin | [.state, .paused] | map(tostring) | join(" ")' "/admin/state false" \
	"pause: pinned: the state path and running"
json_is '.preview.count' 1 "pause: one worker changes"
json_is '.applied | [.sent, (.affected|tostring)] | join(" | ")' "POST /admin/pause | 1" "pause: sent the POST"
like "$(jqr .applied.answer)" '^HTTP 200: \{"paused": true, "since": "20[0-9-]+T[0-9:]+Z"\}$' \
	"pause: the answer is the status and the body"
json_is '.readback | [(.confirmed|tostring), .seen] | join(" ")' "true GET /admin/state says paused" \
	"pause: read back with GET"
is "$(writes)" "POST /admin/pause 200" "pause: exactly one POST /admin/pause, nothing else written"
is "$(standin_paused)" true "pause: the worker is paused"
is "$(audit_lines)" $((n + 1)) "pause: one more audit line"
like "$(audit_last)" '^confirmed \| pause \| orders \| worker \| worker on relay \(/admin/state\) \| 1 \| 1 \| HTTP 200: ' \
	"pause: the audit line's fields"
is "$(tail -n 1 "$AUDIT" | jq -r .reason)" "GET /admin/state says paused" "pause: the audit's reason is the read-back"
no_secret "pause"

# ----------------------------------------------------------------------
# Paused: --once shows it, with the rule
# ----------------------------------------------------------------------
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "paused: --once exit 1 (warn)"
json_is "$S.metrics.paused" true "paused: paused true"
like "$(jqr "$S.metrics.paused_since")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
	"paused: paused_since is a UTC time"
json_is "$S.metrics.paused_for_s" 0 "paused: paused_for_s 0 at first sight"
json_is "$S.reason" "worker paused for 0s" "paused: the stage's reason"
json_is "$D | map(.rule + \" \" + .severity + \" \" + .action) | join(\",\")" "worker-paused warn resume" \
	"paused: worker-paused, warn, action resume"
json_is "$D | .[0].next" "resume it: key u, or synctop action resume orders" "paused: next names the key and the command"
like "$(jqr "$D | .[0].evidence")" '^GET /admin/state on relay says paused for at least 0s \(seen since 20[0-9-]+T[0-9:]+Z\)$' \
	"paused: the evidence names the state path and the connection"
run_once -c "$conf" --once-window 0
like "$RUN_OUT" "orders +worker +relay +/admin/state +WARN [0-9]+s +paused 0s" "paused: the figures say paused"
: >"$REC"

# Already paused: pause refused, nothing sent.
run_synctop -c "$conf" action pause orders --yes
is "$RUN_RC" 2 "pause when paused: exit 2"
is "$RUN_OUT" "pause orders/worker refused: does not apply now: already paused" "pause when paused: says why"
is "$(writes)" "" "pause when paused: nothing written"

# ----------------------------------------------------------------------
# --read-only: resume refused, nothing sent
# ----------------------------------------------------------------------
n=$(audit_lines)
run_synctop -c "$conf" action resume orders --yes --read-only --format json
is "$RUN_RC" 2 "--read-only resume: exit 2"
json_is '.result' refused "--read-only resume: refused"
is "$(writes)" "" "--read-only resume: nothing written"
is "$(audit_lines)" $((n + 1)) "--read-only resume: one audit line"
is "$(tail -n 1 "$AUDIT" | jq -r '.result + " " + .action')" "refused resume" "--read-only resume: audited as refused"
is "$(standin_paused)" true "--read-only resume: still paused"

# ----------------------------------------------------------------------
# resume: POST /admin/resume, once
# ----------------------------------------------------------------------
run_synctop -c "$conf" action resume orders --yes --format json
is "$RUN_RC" 0 "resume: exit 0"
json_is '[.result, .preview.summary, .applied.sent, .readback.seen] | join(" | ")' \
	"confirmed | the worker is paused: POST /admin/resume resumes it | POST /admin/resume | GET /admin/state says running" \
	"resume: confirmed, the preview, what was sent and read back"
like "$(jqr '.preview.lines[1]')" '^now: paused \(/paused is true\)' "resume: the preview says paused now"
is "$(writes)" "POST /admin/resume 200" "resume: exactly one POST /admin/resume"
is "$(standin_paused)" false "resume: the worker runs"
like "$(audit_last)" '^confirmed \| resume \| orders \| worker \| worker on relay \(/admin/state\) \| 1 \| 1 \| HTTP 200: ' \
	"resume: the audit line's fields"
no_secret "resume"

# ----------------------------------------------------------------------
# A 500: failed, exit 2, still running
# ----------------------------------------------------------------------
ctl fail '{"status": 500}'
run_synctop -c "$conf" action pause orders --yes
is "$RUN_RC" 2 "500: exit 2"
is "$(tail -n 1 <<<"$RUN_OUT")" \
	'pause orders/worker failed: POST /admin/pause answered HTTP 500: {"error": "injected failure"} (the worker refused; nothing was applied, as far as it said)' \
	"500: says what was sent and the answer"
is "$(writes)" "POST /admin/pause 500" "500: the one POST was sent"
is "$(standin_paused)" false "500: still running"
is "$(tail -n 1 "$AUDIT" | jq -r '[.result, .action, (.affected|tostring)] | join(" ")')" "failed pause null" \
	"500: audited as failed"

# ----------------------------------------------------------------------
# The pin no longer holds: paused by hand between the preview and the apply; nothing sent
# ----------------------------------------------------------------------
: >"$REC"
run_synctop -c "$conf" action pause orders --dry-run
is "$RUN_RC" 0 "dry run: exit 0"
gets=$(jq -s length "$REC")
is "$(writes)" "" "dry run: nothing written"
ctl flip_after "{\"gets\": $gets}" # the apply's own GET finds it paused
run_synctop -c "$conf" action pause orders --yes --format json
is "$RUN_RC" 2 "changed: exit 2"
json_is '.line' "pause orders/worker refused: target changed, nothing applied: the worker is paused since the preview" \
	"changed: refused, saying what changed"
json_is '[.applied, .repreview.refuse, .repreview.summary] | map(tostring) | join(" | ")' \
	"null | already paused | the worker is paused: nothing to do" "changed: nothing applied; the new preview refuses"
is "$(writes)" "" "changed: nothing written"
is "$(tail -n 1 "$AUDIT" | jq -r '.result + " " + .action')" "refused pause" "changed: audited as refused"
ctl set '{"paused": false}'

# ----------------------------------------------------------------------
# A state whose field is not a boolean: unknown, nothing sent
# ----------------------------------------------------------------------
ctl field '{"value": "yes"}'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "not a boolean: --once exit 3 (unknown)"
json_is "[$S.status, $S.reason, ($S.metrics.paused|tostring)] | join(\" | \")" \
	"unknown | cannot tell whether the worker is paused: /paused in the answer is a string, not true or false | null" \
	"not a boolean: unknown, saying why, paused null"
: >"$REC"
run_synctop -c "$conf" action pause orders --yes
is "$RUN_RC" 2 "not a boolean: pause exit 2"
is "$RUN_OUT" "pause orders/worker refused: cannot tell whether the worker is paused: /paused in the answer is a string, not true or false" \
	"not a boolean: pause refused, saying why"
is "$(writes)" "" "not a boolean: nothing written"
ctl set '{"paused": false}'

# ----------------------------------------------------------------------
# worker.body and worker.paused_field
# ----------------------------------------------------------------------
mkconf_worker 'worker.body = {"by":"synctop"}'
run_synctop -c "$conf" action pause orders --yes --format json
is "$RUN_RC" 0 "body: pause exit 0"
json_is '.preview.lines[0]' 'will send: POST /admin/pause with body {"by":"synctop"} (any 2xx answer)' \
	"body: the preview shows the body"
is "$(curl -sS --max-time 5 "$URL/_standin/state" | jq -r '.bodies[-1]')" '{"by":"synctop"}' "body: the body was sent"
is "$(writes)" "POST /admin/pause 200" "body: one POST"
mkconf_worker 'worker.paused_field = /since'
run_once -c "$conf" --format json --once-window 0
json_is "$S.reason" "cannot tell whether the worker is paused: /since in the answer is a string, not true or false" \
	"paused_field: another field is read"
mkconf_worker
run_synctop -c "$conf" action resume orders --yes
is "$RUN_RC" 0 "back to running"
is "$(writes)" "POST /admin/resume 200" "back to running: one POST /admin/resume"

# A watch-only stage offers neither.
mkconf_worker
sed -i '/^worker\.\(pause\|resume\) = /d' "$conf"
run_synctop -c "$conf" action pause orders --yes
is "$RUN_RC" 2 "watch only: pause exit 2"
like "$RUN_OUT" "no worker.pause and worker.resume: this stage only watches" "watch only: says why"
is "$(writes)" "" "watch only: nothing written"
snapshots_valid
