#!/usr/bin/env bash
# action_cli.sh: `synctop action` before any backend is asked: the usage errors (exit 3, no
# audit line), and the read-only refusal (exit 2, one audit line "refused", nothing sent).
# Nothing listens on port 1: the stage reads as unknown, which none of these cases needs.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd jq
plan 31

AUDIT=$TEST_TMP/state/audit.log
conf=$TEST_TMP/a.conf
{
	printf '[synctop]\ntimeout = 1s\naudit_log = %s\nenvironment = prod-eu\n' "$AUDIT"
	printf '[postgres shop]\nconninfo = host=127.0.0.1 port=1 dbname=x user=u password=hunter2\n'
	printf '[pipeline products]\noutbox = shop\n'
} >"$conf"
chmod 600 "$conf"

audit_lines() { [[ -f $AUDIT ]] && wc -l <"$AUDIT" || echo 0; }

# usage CASE WANT-STDERR ARGS...: exit 3, the message, no audit line.
usage() {
	local desc=$1 want=$2
	shift 2
	run_synctop "$@"
	is "$RUN_RC" 3 "$desc: exit 3"
	is "$RUN_ERR" "$want" "$desc: says why"
}

usage "no action" "synctop action: give an ACTION and a PIPELINE (see synctop action --help)" \
	-c "$conf" action
usage "no pipeline" "synctop action: give an ACTION and a PIPELINE (see synctop action --help)" \
	-c "$conf" action replay
usage "unknown action" "synctop action: unknown action 'purge' (see synctop action --help)" \
	-c "$conf" action purge products
usage "unknown pipeline" "synctop action: $conf: no pipeline named 'orders'" \
	action -c "$conf" replay orders
usage "no stage offers it" "synctop action: pipeline products has no stage that can refresh" \
	-c "$conf" action refresh products
usage "--stage of another kind" "synctop action: pipeline products has no cache stage that can replay" \
	-c "$conf" action replay products --stage cache
usage "bad format" "synctop action: --format: unknown format 'xml' (use text or json)" \
	-c "$conf" action replay products --format xml
usage "dry run and yes" "synctop action: --dry-run and --yes do not go together" \
	-c "$conf" action replay products --dry-run --yes
usage "too many" "synctop action: too many arguments (see synctop action --help)" \
	-c "$conf" action replay products extra
is "$(audit_lines)" 0 "usage errors write no audit line"

run_synctop -c "$conf" action --help
is "$RUN_RC" 0 "action --help: exit 0"
like "$RUN_OUT" "ACTION is one of: replay, refresh, restore-refresh, pause, resume, stop, restart." \
	"action --help lists the actions"

# Read-only: refused before anything is asked, audited, whichever way read-only is set.
run_synctop -c "$conf" action replay products --scope failed --yes --read-only --format json
is "$RUN_RC" 2 "--read-only: exit 2"
is "$(jqr '.result + " " + (.exit|tostring) + " " + .line')" \
	"refused 2 replay products/outbox refused: read-only: synctop runs without a write executor here (replay on products/outbox)" \
	"--read-only: the JSON says refused, and why"
is "$(audit_lines)" 1 "--read-only: one audit line"
is "$(jq -r '[.result, .action, .pipeline, .stage, .scope, .environment, (.previewed|tostring), (.affected|tostring)] | join(" ")' "$AUDIT")" \
	"refused replay products outbox failed prod-eu null null" "--read-only: the audit line's fields"
like "$(jq -r .reason "$AUDIT")" "^read-only: " "--read-only: the audit line says read-only"
is "$(stat -c %a "$AUDIT")" 600 "the audit log is mode 0600"
unlike "$(cat "$AUDIT")" "hunter2" "the audit log holds no password"

sed -i 's/^timeout = 1s$/timeout = 1s\nread_only = true/' "$conf"
run_synctop -c "$conf" action replay products --scope failed --yes
is "$RUN_RC" 2 "read_only = true: exit 2"
is "$RUN_OUT" "replay products/outbox refused: read-only: synctop runs without a write executor here (replay on products/outbox)" \
	"read_only = true: the line"
is "$(audit_lines)" 2 "read_only = true: a second audit line"
done_testing
