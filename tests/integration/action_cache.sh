#!/usr/bin/env bash
# action_cache.sh: `synctop action pause|resume` through a cache stage's flag key
# (cache.pause_key) on a private redis-server: the key set and deleted, exactly one SET and one
# DEL and no other write (redis-cli MONITOR), the JSON and the audit line, the flag in --once
# (paused, worker-paused), pause refused when already paused, --read-only sending nothing, pins
# that no longer hold (the key set, or deleted, by someone else between preview and answer), and
# a URL with another database and cache.pause_value.
# needs: redis
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_redis
# A server of our own whatever the stack: MONITOR must see no client but synctop and us.
redis_up_extra
RP=$EXTRA_REDIS_PORT
plan 71

xcli() {
	timeout 5 redis-cli -h 127.0.0.1 -p "$RP" "$@"
}

AUDIT=$TEST_TMP/state/audit.log
conf=$TEST_TMP/synctop.conf
# with_audit FILE: the audit log and a short confirm timeout in FILE's [synctop].
with_audit() {
	sed -i "s|^\[synctop\]\$|[synctop]\naudit_log = $AUDIT\nconfirm_timeout = 5s|" "$1"
}
MKCONF_TIMEOUT=2s MKCONF_REDIS_URL=redis://127.0.0.1:$RP/0 mkconf_redis "$conf" 'cache.pause_key = relay:paused'
with_audit "$conf"
S=$(stage cache web)
D=$(diagnoses web)

# The last audit line's fields, space-separated.
audit_last() {
	tail -n 1 "$AUDIT" | jq -r '[.result, .action, .pipeline, .stage, .target, (.previewed|tostring),
		(.affected|tostring), (.answer|tostring)] | join(" | ")'
}
audit_lines() { [[ -f $AUDIT ]] && wc -l <"$AUDIT" || echo 0; }

# MONITOR around one run of synctop: monitor_start, run it, monitor_stop; then sent_cmds prints
# the distinct commands synctop's connections sent (the clients that sent INFO: only synctop
# does), sorted, and sent_lines CMD their lines of CMD ("SET" "relay:paused" "1" "NX").
MON=$TEST_TMP/monitor.out
monitor_start() {
	local i
	: >"$MON"
	timeout 120 redis-cli -h 127.0.0.1 -p "$RP" MONITOR >"$MON" 2>&1 &
	MON_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '^OK' "$MON" && return 0
		sleep 0.05
	done
	bail_out "redis-cli MONITOR did not start"
}
monitor_stop() {
	local i mark=mark-$RANDOM
	xcli ECHO "$mark" >/dev/null
	for ((i = 0; i < 100; i++)); do
		grep -q "\"ECHO\" \"$mark\"" "$MON" && break
		sleep 0.05
	done
	kill "$MON_PID" 2>/dev/null
	wait "$MON_PID" 2>/dev/null
	return 0
}
_synctop_lines() {
	# A line: TIME [DB ADDRESS] "CMD" "ARG"...
	awk 'NR == FNR { if ($4 == "\"INFO\"") c[$3] = 1; next }
		($3 in c) { print substr($0, index($0, "] ") + 2) }' "$MON" "$MON"
}
sent_cmds() {
	_synctop_lines | sed -E 's/^"([^"]*)".*/\1/' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
sent_lines() {
	_synctop_lines | grep "^\"$1\"" || true
}

xcli FLUSHALL >/dev/null || bail_out "FLUSHALL failed"

# ----------------------------------------------------------------------
# Not paused: --once says so; resume does not apply
# ----------------------------------------------------------------------
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "not paused: --once exit 0"
is "$(jqr "$S.metrics | [.paused, .paused_since, .paused_for_s] | map(tostring) | join(\" \")")" \
	"false null null" "not paused: paused false, no paused_since"
is "$(jqr "$D | length")" 0 "not paused: no diagnosis"

monitor_start
run_synctop -c "$conf" action resume web --yes
monitor_stop
is "$RUN_RC" 2 "resume when not paused: exit 2"
is "$RUN_OUT" "resume web/cache refused: does not apply now: not paused (no key relay:paused)" \
	"resume when not paused: says why"
is "$(sent_cmds)" "EXISTS INFO" "resume when not paused: only INFO and EXISTS sent"

# ----------------------------------------------------------------------
# pause: SET relay:paused 1 NX, once
# ----------------------------------------------------------------------
monitor_start
run_synctop -c "$conf" action pause web --yes --format json
monitor_stop
is "$RUN_RC" 0 "pause: exit 0"
json_is '.result' confirmed "pause: confirmed"
json_is '.exit' 0 "pause: the JSON says exit 0"
json_is '.target' "key relay:paused on sessions" "pause: the target names the key and the connection"
json_is '.preview.summary' "key relay:paused is not set: SET relay:paused 1 NX pauses the worker that watches it" \
	"pause: the preview's summary"
json_is '.preview.lines | join(" / ")' "will send: SET relay:paused 1 NX (OK expected) / now: not set" "pause: the preview's lines"
json_is '.preview.pin | [.key, .existed] | map(tostring) | join(" ")' "relay:paused false" \
	"pause: pinned: the key did not exist"
json_is '.preview.count' 1 "pause: one key changes"
json_is '.applied | [.sent, .answer, (.affected|tostring)] | join(" | ")' "SET relay:paused 1 NX | OK | 1" \
	"pause: sent the SET, Redis answered OK"
json_is '.readback | [(.confirmed|tostring), .seen] | join(" ")' \
	"true key relay:paused is set: the worker is paused" "pause: read back with EXISTS"
is "$(xcli GET relay:paused) $(xcli TTL relay:paused)" "1 -1" "pause: the key is set to 1, without a TTL"
is "$(sent_lines SET)" '"SET" "relay:paused" "1" "NX"' "pause: exactly one SET, of the key"
is "$(sent_cmds)" "EXISTS INFO SET" "pause: no other command than INFO, EXISTS and the SET"
is "$(audit_lines)" 2 "pause: one more audit line"
is "$(audit_last)" "confirmed | pause | web | cache | key relay:paused on sessions | 1 | 1 | OK" \
	"pause: the audit line's fields"
is "$(tail -n 1 "$AUDIT" | jq -r .reason)" "key relay:paused is set: the worker is paused" \
	"pause: the audit line's reason is the read-back"

# ----------------------------------------------------------------------
# Paused: --once shows it, with the rule
# ----------------------------------------------------------------------
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "paused: --once exit 1 (warn)"
json_is "$S.metrics.paused" true "paused: paused true"
like "$(jqr "$S.metrics.paused_since")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
	"paused: paused_since is a UTC time"
json_is "$S.metrics.paused_for_s" 0 "paused: paused_for_s 0 at first sight"
json_is "$S.reason" "worker paused for 0s (key relay:paused)" "paused: the stage's reason"
json_is "$D | map(.rule + \" \" + .severity + \" \" + .action) | join(\",\")" "worker-paused warn resume" \
	"paused: worker-paused, warn, action resume"
json_is "$D | .[0].next" "resume it: key u, or synctop action resume web" "paused: next names the key and the command"
like "$(jqr "$D | .[0].evidence")" '^key relay:paused on sessions has been set for at least 0s \(seen since 20[0-9-]+T[0-9:]+Z\)$' \
	"paused: the evidence names the key and since when"
run_once -c "$conf" --once-window 0
like "$RUN_OUT" "paused 0s, mem " "paused: the figures start with paused"

# ----------------------------------------------------------------------
# Already paused: pause refused, nothing sent
# ----------------------------------------------------------------------
xcli SET relay:paused by-hand >/dev/null
monitor_start
run_synctop -c "$conf" action pause web --yes
monitor_stop
is "$RUN_RC" 2 "pause when paused: exit 2"
is "$RUN_OUT" "pause web/cache refused: does not apply now: already paused (key relay:paused is set)" \
	"pause when paused: says why"
is "$(sent_cmds)" "EXISTS INFO" "pause when paused: no write sent"
is "$(xcli GET relay:paused)" "by-hand" "pause when paused: the key is left as it was"
is "$(audit_lines)" 3 "pause when paused: audited"
is "$(tail -n 1 "$AUDIT" | jq -r '.result + " " + .reason')" \
	"refused does not apply now: already paused (key relay:paused is set)" "pause when paused: the audit line"

# ----------------------------------------------------------------------
# --read-only: resume refused, nothing sent
# ----------------------------------------------------------------------
monitor_start
run_synctop -c "$conf" action resume web --yes --read-only --format json
monitor_stop
is "$RUN_RC" 2 "--read-only resume: exit 2"
json_is '.line' "resume web/cache refused: read-only: synctop runs without a write executor here (resume on web/cache)" \
	"--read-only resume: says read-only"
is "$(sent_cmds)" "EXISTS INFO" "--read-only resume: no write sent"
is "$(xcli GET relay:paused)" "by-hand" "--read-only resume: the key is still set"
is "$(tail -n 1 "$AUDIT" | jq -r '.result + " " + .action')" "refused resume" "--read-only resume: audited as refused"

# ----------------------------------------------------------------------
# resume: DEL relay:paused, once
# ----------------------------------------------------------------------
monitor_start
run_synctop -c "$conf" action resume web --yes --format json
monitor_stop
is "$RUN_RC" 0 "resume: exit 0"
json_is '.result' confirmed "resume: confirmed"
json_is '.preview.summary' "key relay:paused is set: DEL relay:paused resumes the worker that watches it" \
	"resume: the preview's summary"
like "$(jqr '.preview.lines | join(" / ")')" '^will send: DEL relay:paused \(1 expected\) / now: set, no TTL, seen set since 20[0-9-]+T[0-9:]+Z$' \
	"resume: the preview's lines (the key's TTL, since when it was seen set)"
json_is '.preview.pin.existed' true "resume: pinned: the key existed"
json_is '.applied | [.sent, .answer, (.affected|tostring)] | join(" | ")' "DEL relay:paused | 1 | 1" \
	"resume: sent the DEL, Redis answered 1"
json_is '.readback.seen' "key relay:paused is gone: the worker may run" "resume: read back with EXISTS"
is "$(xcli EXISTS relay:paused)" 0 "resume: the key is gone"
is "$(sent_lines DEL)" '"DEL" "relay:paused"' "resume: exactly one DEL, of the key"
is "$(sent_cmds)" "DEL EXISTS INFO TTL" "resume: no other command than INFO, EXISTS, TTL and the DEL"
is "$(audit_last)" "confirmed | resume | web | cache | key relay:paused on sessions | 1 | 1 | 1" \
	"resume: the audit line's fields"

run_once -c "$conf" --format json --once-window 0
is "$RUN_RC|$(jqr "$S.metrics.paused")|$(jqr "$D | length")" "0|false|0" "resumed: --once says not paused, no diagnosis"

# ----------------------------------------------------------------------
# The pin: the key set by someone else between the preview and the confirmation
# ----------------------------------------------------------------------
# The operator answers on a terminal; before the answer, another client sets the key.
cat >"$TEST_TMP/confirm.py" <<'EOF'
import os, pty, subprocess, sys, time
argv, hook = sys.argv[1:-1], sys.argv[-1]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, deadline = b"", time.time() + 30
while b"[y/N] " not in out and time.time() < deadline:
    try:
        out += os.read(fd, 4096)
    except OSError:
        break
subprocess.run(hook, shell=True, check=True)
os.write(fd, b"y\n")
while time.time() < deadline:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace").replace("\r", ""))
sys.exit(os.waitstatus_to_exitcode(status))
EOF
monitor_start
RUN_WRAP=(/usr/bin/python3 "$TEST_TMP/confirm.py")
run_synctop -c "$conf" action pause web "timeout 5 redis-cli -h 127.0.0.1 -p $RP SET relay:paused someone-else >/dev/null"
RUN_WRAP=()
monitor_stop
is "$RUN_RC" 2 "pin: exit 2"
like "$RUN_OUT" "pause web/cache refused: target changed, nothing applied: key relay:paused was set since the preview" \
	"pin: refused, the target changed"
like "$RUN_OUT" "the new preview \(run the action again to apply it\):" "pin: the new preview follows"
like "$RUN_OUT" "preview: already paused: key relay:paused is set"$'\n'"  will send: SET relay:paused 1 NX \\(OK expected\\)"$'\n'"  now: set, no TTL" \
	"pin: the new preview says the key is set now"
is "$(xcli GET relay:paused)" "someone-else" "pin: the other client's value is left alone"
is "$(sent_cmds)" "EXISTS INFO TTL" "pin: synctop sent no write (the new preview read the TTL)"
is "$(tail -n 1 "$AUDIT" | jq -r '.result + " " + .reason')" \
	"refused target changed, nothing applied: key relay:paused was set since the preview" "pin: the audit line"

# The other way: resume previewed, then someone else deletes the key before the answer.
monitor_start
RUN_WRAP=(/usr/bin/python3 "$TEST_TMP/confirm.py")
run_synctop -c "$conf" action resume web "timeout 5 redis-cli -h 127.0.0.1 -p $RP DEL relay:paused >/dev/null"
RUN_WRAP=()
monitor_stop
is "$RUN_RC" 2 "pin, resume: exit 2"
like "$RUN_OUT" "resume web/cache refused: target changed, nothing applied: key relay:paused was deleted since the preview" \
	"pin, resume: refused, the target changed"
like "$RUN_OUT" "preview: not paused: key relay:paused is not set" "pin, resume: the new preview says the key is gone"
is "$(sent_cmds)" "EXISTS INFO TTL" "pin, resume: synctop sent no DEL"

# ----------------------------------------------------------------------
# Another database and cache.pause_value
# ----------------------------------------------------------------------
xcli FLUSHALL >/dev/null
conf3=$TEST_TMP/db3.conf
MKCONF_TIMEOUT=2s MKCONF_REDIS_URL=redis://127.0.0.1:$RP/3 mkconf_redis "$conf3" \
	'cache.pause_key = relay:paused' 'cache.pause_value = maintenance window'
with_audit "$conf3"
run_synctop -c "$conf3" action pause web --yes --format json
is "$RUN_RC" 0 "db 3: pause exit 0"
json_is '.applied.sent' 'SET relay:paused "maintenance window" NX' "db 3: the value is quoted where it is shown"
is "$(xcli -n 3 GET relay:paused)|$(xcli -n 0 EXISTS relay:paused)" "maintenance window|0" \
	"db 3: the key is set in database 3 to cache.pause_value, not in 0"
run_once -c "$conf3" --format json --once-window 0
json_is "$S.metrics.paused" true "db 3: --once reads the flag in database 3"
run_synctop -c "$conf3" action resume web --yes
is "$RUN_RC|$(xcli -n 3 EXISTS relay:paused)" "0|0" "db 3: resume deletes it there"
snapshots_valid
done_testing
