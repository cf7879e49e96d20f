#!/usr/bin/env bash
# tui_replay.sh: replay and pause/resume from the screen, through a real terminal (tmux), on an
# outbox in a real PostgreSQL: R asks for the scope (a wrong one says why and stays), previews,
# y applies, "confirmed" at a later read-back, exactly the scope's rows reset; more than 100 rows
# ask for the row count (a wrong count cancels, nothing changes); p pauses, then only u is
# offered, u resumes; the audit lines. Skipped in a build whose outbox kind has no replay action.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd tmux jq pgrep
need_pg
fresh_db synctop_tui_replay
load_outbox_schema

conf=$TEST_TMP/synctop.conf
AUDIT=$TEST_TMP/audit.log
: >"$conf" && chmod 600 "$conf"
cat >"$conf" <<CONF
[synctop]
timeout = 2s
interval = 1s
audit_log = $AUDIT
confirm_timeout = 5s

[postgres shop]
conninfo = $(conninfo)

[pipeline products]
outbox = shop
outbox.table = public.outbox
CONF

run_synctop -c "$conf" action replay products --scope failed --dry-run
if [[ $RUN_OUT$RUN_ERR == *"has no replay action"* ]]; then
	skip_all "the outbox kind of this build has no replay action"
fi
rm -f "$AUDIT" # that probe's line (no row to replay yet) is not the screen's

# 150 rows, all published but 21..25 (failed: pending at 5 attempts or with an error).
psql_synctop <<'SQL' >/dev/null || bail_out "loading the outbox rows failed"
TRUNCATE outbox;
INSERT INTO outbox (id, aggregate_type, aggregate_id, event_type, payload, created_at, processed, processed_at, attempts)
SELECT g, 'product', 'P-' || g, 'product.updated', jsonb_build_object('n', g),
       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute', true,
       timestamptz '2026-01-01 04:00:00+00', 1
FROM generate_series(1, 150) AS g;
SELECT setval('outbox_id_seq', 150);
UPDATE outbox SET processed = false, processed_at = NULL, attempts = 5 WHERE id BETWEEN 21 AND 23;
UPDATE outbox SET processed = false, processed_at = NULL, last_error = 'broker unavailable' WHERE id BETWEEN 24 AND 25;
UPDATE outbox_worker SET paused = false, paused_at = NULL;
SQL

# The ids a replay reset (pending, attempts 0, no error), as "FIRST-LAST COUNT", or "-".
reset_ids() {
	psql_synctop -c "SELECT coalesce(min(id) || '-' || max(id) || ' ' || count(*), '-') FROM outbox
	                 WHERE NOT processed AND processed_at IS NULL AND attempts = 0 AND last_error IS NULL"
}
pending() {
	psql_synctop -c "SELECT count(*) FROM outbox WHERE NOT processed"
}
audit_last() {
	tail -n 1 "$AUDIT" | jq -r "$1"
}

# clear_scope: the scope prompt is open; whatever a diagnosis put in it (the screen may still
# show the poison rows just replayed) is erased; true once it is empty.
# shellcheck disable=SC2317 # called through ok
clear_scope() {
	wait_for "replay scope on products/outbox: " >/dev/null || return 1
	for _ in $(seq 24); do send BSpace; done
	wait_for "replay scope on products/outbox: _"
}

tui_init
tui_start rw -- -c "$conf"
ok "setup: the outbox is polled" wait_polled "┌─ products "
ok "offered: R and p on the outbox (rows failed, the worker runs)" wait_like '│ outbox .* \[R p\] '
like "$(tail -n 1 <<<"$SCREEN")" '^R replay  p pause  q quit' "offered: the footer starts with R replay and p pause"

# ----------------------------------------------------------------------
# R: the scope first, then the preview; y applies; confirmed by a read-back
# ----------------------------------------------------------------------
send R
ok "replay: R asks for the scope, starting from the poison-rows diagnosis's: failed" \
	wait_for "replay scope on products/outbox: failed_"
like "$SCREEN" 'replay needs a scope: failed, ids:FROM-TO or created:FROM..TO' "replay: the forms it takes are shown"
for _ in 1 2 3 4 5 6; do send BSpace; done
ok "replay: Backspace edits it" wait_for "replay scope on products/outbox: _"
send_text "nonsense"
send Enter
ok "replay: a wrong scope says why and stays" wait_for 'unknown scope "nonsense"'
like "$(tail -n 1 <<<"$SCREEN")" 'replay scope on products/outbox: nonsense_' "replay: the prompt stays open"
send C-u
for _ in 1 2 3 4 5 6 7 8; do send BSpace; done
send_text "failed"
send Enter
ok "replay: failed previews 5 rows" wait_like '│ 5 rows'
like "$SCREEN" 'target    ' "replay: the target is pinned in the dialog"
# The dialog's last lines may be drawn after its count (a slow, sanitized build): wait for them.
ok "replay: 5 rows are confirmed with y" wait_for 'y applies; any other key cancels'
is "$(reset_ids)" "-" "replay: nothing changed before y"
send y
ok "replay: confirmed at a read-back" wait_like '^replay products/outbox: .*; confirmed: '
is "$(reset_ids)" "21-25 5" "replay: exactly the 5 failed rows are pending again"
is "$(audit_last '[.action, .scope, .result, (.previewed|tostring), (.affected|tostring)] | join(" | ")')" \
	"replay | failed | confirmed | 5 | 5" "replay: audited, 5 previewed, 5 affected, confirmed"

# ----------------------------------------------------------------------
# More than 100 rows: the count is typed; a wrong one cancels
# ----------------------------------------------------------------------
send R
ok "count: R asks for the scope again" clear_scope
send_text "ids:1-150"
send Enter
ok "count: 150 rows ask for the row count" wait_for "type the row count (150) and Enter to apply: _"
send_text "149"
send Enter
ok "count: a wrong count cancels" wait_for "replay products/outbox refused: cancelled by the operator"
is "$(pending)" 5 "count: nothing changed"
is "$(audit_last '[.result, (.previewed|tostring)] | join(" | ")')" "refused | 150" "count: audited refused"
send R
ok "count: asks again" clear_scope
send_text "ids:1-150"
send Enter
ok "count: the row count again" wait_for "type the row count (150) and Enter to apply: _"
send y
ok "count: y is no answer here: it cancels" wait_for "replay products/outbox refused: cancelled by the operator"
send R
ok "count: a third time" clear_scope
send_text "ids:1-150"
send Enter
ok "count: the row count a third time" wait_for "type the row count (150) and Enter to apply: _"
send_text "150"
ok "count: the digits show as typed" wait_for "type the row count (150) and Enter to apply: 150_"
send Enter
ok "count: the right count applies; confirmed" wait_like '^replay products/outbox: .*; confirmed: '
is "$(pending)" 150 "count: all 150 rows pending again"

# ----------------------------------------------------------------------
# p pauses; then u only (resume only when paused); u resumes
# ----------------------------------------------------------------------
send p
ok "pause: p previews" wait_for "pause: pause the worker"
send y
ok "pause: confirmed" wait_like '^pause products/outbox: .*; confirmed: '
is "$(psql_synctop -c "SELECT paused FROM outbox_worker WHERE name = 'relay'")" t "pause: the flag is set"
ok "pause: now u is offered and p is not" wait_like '│ outbox .* \[R u\] '
send p
ok "pause: p says why it does not apply" wait_for "pause the worker (p): already paused"
send u
ok "resume: u previews" wait_for "resume: resume the worker"
send y
ok "resume: confirmed" wait_like '^resume products/outbox: .*; confirmed: '
is "$(psql_synctop -c "SELECT paused FROM outbox_worker WHERE name = 'relay'")" f "resume: the flag is cleared"
ok "resume: p is offered again" wait_like '│ outbox .* \[R p\] '
is "$(jq -r '[.action, .scope // "-", .result] | join(" ")' "$AUDIT")" "replay failed confirmed
replay ids:1-150 refused
replay ids:1-150 refused
replay ids:1-150 confirmed
pause - confirmed
resume - confirmed" "audit: one line per action: 2 replays, 2 cancelled, pause, resume"
send q
ok "quit: exits 0" wait_for "EXIT=0"

done_testing
