#!/usr/bin/env bash
# action_pause_sql.sh: `synctop action pause|resume` on an outbox through the user's statements
# (outbox.pause_sql, resume_sql, paused_sql) on a custom control table in a real PostgreSQL: the
# table flipped and outbox_worker left alone, the JSON and the audit lines, --once's worker_paused
# and worker-paused from paused_sql, pause refused when already paused, a partial set refused at
# load, a paused_sql that fails offering neither action.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
fresh_db synctop_action_pause_sql
load_outbox_schema
psql_synctop >/dev/null <<-'SQL' || bail_out "creating relay_ctl failed"
	CREATE TABLE relay_ctl (id int PRIMARY KEY, enabled boolean NOT NULL);
	INSERT INTO relay_ctl VALUES (1, true), (2, true);
SQL
plan 56

conf=$TEST_TMP/synctop.conf
AUDIT=$TEST_TMP/audit.log
PAUSE='UPDATE relay_ctl SET enabled = false WHERE id = 1'
RESUME='UPDATE relay_ctl SET enabled = true WHERE id = 1'
PAUSED='SELECT NOT enabled FROM relay_ctl WHERE id = 1'

# mkconf_sql [LINE...]: the products pipeline on public.outbox with LINEs (default: the three
# statements).
mkconf_sql() {
	(($#)) || set -- "outbox.pause_sql = $PAUSE" "outbox.resume_sql = $RESUME" "outbox.paused_sql = $PAUSED"
	: >"$conf" && chmod 600 "$conf"
	{
		printf '[synctop]\ntimeout = 2s\naudit_log = %s\nconfirm_timeout = 5s\n\n' "$AUDIT"
		printf '[postgres shop]\nconninfo = %s\n\n' "$(conninfo)"
		printf '[pipeline products]\noutbox = shop\noutbox.table = public.outbox\n'
		printf '%s\n' "$@"
	} >>"$conf"
}
S=$(stage outbox)
D=$(diagnoses products)
# The flags of relay_ctl's rows and of outbox_worker's relay, which the statements replace.
ctl() { psql_synctop -c "SELECT string_agg(id || '=' || enabled, ',' ORDER BY id) FROM relay_ctl"; }
worker_row() { psql_synctop -c "SELECT paused, paused_at IS NULL FROM outbox_worker WHERE name = 'relay'"; }
audit_lines() { [[ -f $AUDIT ]] && wc -l <"$AUDIT" || echo 0; }
audit_last() {
	tail -n 1 "$AUDIT" | jq -r '[.result, .action, .pipeline, .stage, .target, (.previewed|tostring),
		(.affected|tostring), (.answer|tostring), .reason] | join(" | ")'
}

# ----------------------------------------------------------------------
# A partial set is refused at load, naming the file and line.
# ----------------------------------------------------------------------
mkconf_sql "outbox.pause_sql = $PAUSE" "outbox.paused_sql = $PAUSED"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "partial set: exit 3"
is "$RUN_ERR" "$conf:10: outbox.pause_sql, outbox.resume_sql and outbox.paused_sql go together: set all three or none (outbox.resume_sql is missing)" \
	"partial set: the message names the file, the stage's line and what is missing"
mkconf_sql "outbox.resume_sql = $RESUME"
run_synctop -c "$conf" action pause products --stage outbox --yes --format json
is "$RUN_RC" 3 "partial set, action: exit 3"
like "$RUN_ERR" "outbox.pause_sql and outbox.paused_sql are missing\)\$" "partial set, action: what is missing"
is "$(audit_lines)" 0 "partial set: nothing audited, nothing sent"

# ----------------------------------------------------------------------
# Running: --once reads paused_sql.
# ----------------------------------------------------------------------
mkconf_sql
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "running: --once exit 0"
json_is "$S.metrics.worker_paused" false "running: worker_paused false"
json_is "$S.metrics.paused_since" null "running: no paused_since"
json_is "$D | map(.rule) | join(\",\")" "" "running: no diagnosis"

# ----------------------------------------------------------------------
# Pause: the statement runs, outbox_worker is left alone.
# ----------------------------------------------------------------------
run_synctop -c "$conf" action pause products --stage outbox --yes --format json
is "$RUN_RC" 0 "pause: exit 0"
json_is .result confirmed "pause: confirmed"
json_is .preview.target "shop outbox.pause_sql" "pause: the target"
json_is .preview.summary "pause worker relay (now: running)" "pause: the preview's summary"
json_is '.preview.lines | join("; ")' \
	"$PAUSE; run as given, in one transaction, while outbox.paused_sql still says running" \
	"pause: the preview shows the statement that will run"
json_is .applied.sent "$PAUSE" "pause: the statement was sent"
json_is .applied.answer "UPDATE 1; COMMIT" "pause: its command tag"
json_is .applied.affected 1 "pause: its row count"
json_is .readback.seen "worker relay paused (outbox.paused_sql)" "pause: read back"
is "$(ctl)" "1=false,2=true" "pause: relay_ctl row 1 disabled, row 2 untouched"
is "$(worker_row)" "f|t" "pause: outbox_worker untouched"
is "$(audit_lines)" 1 "pause: one audit line"
is "$(audit_last)" \
	"confirmed | pause | products | outbox | shop outbox.pause_sql | 1 | 1 | UPDATE 1; COMMIT | worker relay paused (outbox.paused_sql)" \
	"pause: the audit line"

# ----------------------------------------------------------------------
# Paused: --once shows it, since the probe saw it.
# ----------------------------------------------------------------------
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "paused: --once exit 1 (warn)"
json_is "$S.metrics.worker_paused" true "paused: worker_paused true"
like "$(jqr "$S.metrics.paused_since")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
	"paused: paused_since is a UTC time"
json_is "$S.metrics.paused_for_s" 0 "paused: paused_for_s 0 at first sight"
json_is "$S.reason" "worker relay paused for 0s" "paused: the stage's reason"
json_is "$D | map(.rule + \" \" + .severity + \" \" + .action) | join(\",\")" "worker-paused warn resume" \
	"paused: worker-paused, warn, action resume"
like "$(jqr "$D | .[0].evidence")" \
	'^outbox.paused_sql says paused for worker relay, for at least 0s \(seen since 20[0-9-]+T[0-9:]+Z\)$' \
	"paused: the evidence says where from and since when"
json_is "$D | .[0].next" \
	"if the pause is over, resume the worker (key u, or synctop action resume products: runs outbox.resume_sql); ask first who paused it" \
	"paused: next names the key, the command and the statement"
run_once -c "$conf" --once-window 0
like "$RUN_OUT" "paused 0s, 0 pending" "paused: the figures start with paused"

# ----------------------------------------------------------------------
# Pause again: refused, nothing sent.
# ----------------------------------------------------------------------
run_synctop -c "$conf" action pause products --stage outbox --yes
is "$RUN_RC" 2 "pause when paused: exit 2"
is "$RUN_OUT" "pause products/outbox refused: does not apply now: already paused" "pause when paused: refused"
is "$(ctl)" "1=false,2=true" "pause when paused: relay_ctl unchanged"
is "$(tail -n 1 "$AUDIT" | jq -r '[.action, .result] | join(" ")')" "pause refused" "pause when paused: audited"

# ----------------------------------------------------------------------
# Resume.
# ----------------------------------------------------------------------
run_synctop -c "$conf" action resume products --stage outbox --yes --format json
is "$RUN_RC" 0 "resume: exit 0"
json_is .result confirmed "resume: confirmed"
like "$(jqr .preview.summary)" '^resume worker relay \(now: paused, seen paused since 20[0-9-]+T[0-9:]+Z\)$' \
	"resume: the preview's summary, with since when the probe saw it paused"
json_is .applied.sent "$RESUME" "resume: the statement was sent"
json_is .readback.seen "worker relay running (outbox.paused_sql)" "resume: read back"
is "$(ctl)" "1=true,2=true" "resume: relay_ctl row 1 enabled"
is "$(worker_row)" "f|t" "resume: outbox_worker untouched"
is "$(audit_last)" \
	"confirmed | resume | products | outbox | shop outbox.resume_sql | 1 | 1 | UPDATE 1; COMMIT | worker relay running (outbox.paused_sql)" \
	"resume: the audit line"
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.worker_paused" false "resumed: worker_paused false"
json_is "$D | map(.rule) | join(\",\")" "" "resumed: no diagnosis"

# ----------------------------------------------------------------------
# The pin: paused_sql answers otherwise inside apply's transaction than at preview (it reads
# whether the transaction may write: the preview's may not, apply's may): nothing runs.
# ----------------------------------------------------------------------
mkconf_sql "outbox.pause_sql = $PAUSE" "outbox.resume_sql = $RESUME" \
	"outbox.paused_sql = SELECT current_setting('transaction_read_only') = 'off'"
n=$(audit_lines)
run_synctop -c "$conf" action pause products --stage outbox --yes --format json
is "$RUN_RC" 2 "changed since the preview: exit 2"
json_is .line "pause products/outbox refused: target changed, nothing applied: outbox.paused_sql says the worker is paused now (by someone else since the preview): nothing was run" \
	"changed since the preview: refused, and why"
json_is .preview.summary "pause worker relay (now: running)" "changed since the preview: the new preview"
is "$(ctl)" "1=true,2=true" "changed since the preview: relay_ctl unchanged (rolled back before the statement)"
is "$(($(audit_lines) - n))" 1 "changed since the preview: one audit line"

# ----------------------------------------------------------------------
# A paused_sql that does not answer one boolean: unknown, and neither action is offered.
# ----------------------------------------------------------------------
mkconf_sql "outbox.pause_sql = $PAUSE" "outbox.resume_sql = $RESUME" \
	"outbox.paused_sql = SELECT NOT enabled FROM relay_ctl"
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.worker_paused" null "two rows: worker_paused unknown"
json_is "$S.control_error" \
	"outbox.paused_sql answered 2 rows of 1 columns: one row of one boolean expected" \
	"two rows: said in control_error"
run_synctop -c "$conf" action pause products --stage outbox --yes
is "$RUN_RC" 2 "two rows: pause exit 2"
is "$RUN_OUT" "pause products/outbox refused: does not apply now: outbox.paused_sql did not say whether worker relay is paused" \
	"two rows: pause refused, and why"
is "$(ctl)" "1=true,2=true" "two rows: relay_ctl unchanged"
snapshots_valid
done_testing
