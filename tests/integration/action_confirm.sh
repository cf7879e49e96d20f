#!/usr/bin/env bash
# action_confirm.sh: how `synctop action` asks. On a terminal (tmux): "Apply? [y/N]", where y
# applies and anything else cancels; a replay of more than 100 rows asks for its row count
# typed, and a wrong count cancels. Without a terminal and without --yes: refused. An audit
# log that cannot be written: refused before anything is sent. Each ending audited (or, for the
# unwritable log, said on the terminal), and the stand-in's record shows what was sent.
# needs: postgres search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd tmux jq
need_pg
need_search
search_up_extra
tui_init
plan 22

URL=$EXTRA_SEARCH_URL
REC=$EXTRA_SEARCH_DIR/search.requests
AUDIT=$TEST_TMP/state/audit.log
fresh_db synctop_confirm
load_outbox_schema
psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, attempts, last_error)
	SELECT 'product', g::text, 'product.updated', 5, 'poison' FROM generate_series(1, 150) g" ||
	bail_out "cannot fill the outbox"
curl -sS --max-time 5 -XPUT "$URL/products" -H 'Content-Type: application/json' -d '{}' >/dev/null
conf=$TEST_TMP/c.conf
write_conf() { # AUDIT-PATH
	_conf_start "$conf"
	{
		printf 'audit_log = %s\nconfirm_timeout = 5s\n' "$1"
		printf '[postgres shop]\nconninfo = %s\n' "$(conninfo)"
		printf '[search es]\nurl = %s\n' "$URL"
		printf '[pipeline products]\noutbox = shop\nsearch = es\nsearch.index = products\n'
	} >>"$conf"
}
write_conf "$AUDIT"
posts() { jq -r 'select(.method == "POST") | .path' "$REC" | wc -l; }
pending_again() { psql_synctop -c "SELECT count(*) FROM outbox WHERE NOT processed AND attempts = 0"; }
: >"$REC"

# y applies.
tui_start ask-y -- -c "$conf" action refresh products
ok "a terminal: the preview, then Apply? [y/N]" wait_for "Apply? [y/N]"
like "$SCREEN" "target:  index products on es" "the preview names the target"
send y Enter
ok "y: applied and confirmed (exit 0)" wait_for EXIT=0
like "$SCREEN" "refresh products/search: POST /products/_refresh; confirmed: " "y: the result line"
is "$(posts)" 1 "y: one POST sent"

# Anything else cancels.
sleep 5 # one refresh per index per 5 s
tui_start ask-n -- -c "$conf" action refresh products
ok "again: Apply? [y/N]" wait_for "Apply? [y/N]"
send_text yes-please
send Enter
ok "an answer other than y: refused (exit 2)" wait_for EXIT=2
like "$SCREEN" "refresh products/search refused: cancelled by the operator" "it says cancelled"
is "$(posts)" 1 "cancelled: nothing sent"
is "$(tail -n 1 "$AUDIT" | jq -r '.result + ": " + .reason')" "refused: cancelled by the operator" \
	"cancelled: audited refused"

# More than 100 rows: the count typed.
tui_start count-bad -- -c "$conf" action replay products --scope failed
ok "150 rows: asks for the count" wait_for "Type the row count (150) to apply"
send_text 15
send Enter
ok "a wrong count: refused (exit 2)" wait_for EXIT=2
is "$(pending_again)" 0 "a wrong count: no row changed"
tui_start count-ok -- -c "$conf" action replay products --scope failed
ok "again: asks for the count" wait_for "Type the row count (150) to apply"
send_text 150
send Enter
ok "the right count: applied and confirmed (exit 0)" wait_for EXIT=0
is "$(pending_again)" 150 "the right count: the 150 rows pending again"

# No terminal, no --yes: refused, audited.
psql_synctop -c "UPDATE outbox SET attempts = 5, last_error = 'poison'" >/dev/null
run_synctop -c "$conf" action replay products --scope failed
is "$RUN_RC" 2 "no terminal and no --yes: exit 2"
is "$(tail -n 1 "$AUDIT" | jq -r '.result + ": " + .reason')" \
	"refused: cancelled: no --yes and no terminal to ask on" "no terminal: audited refused"
is "$(pending_again)" 0 "no terminal: no row changed"

# The audit log cannot be written (its directory would be under a regular file): refused
# before anything is sent.
: >"$TEST_TMP/not-a-dir"
write_conf "$TEST_TMP/not-a-dir/audit.log"
: >"$REC"
run_synctop -c "$conf" action refresh products --yes
is "$RUN_RC" 2 "audit log unwritable: exit 2"
like "$RUN_OUT" "refresh products/search refused: cannot write the audit log $TEST_TMP/not-a-dir/audit.log: Not a directory \\(NOT AUDITED: " \
	"audit log unwritable: says why, naming the path"
is "$(posts)" 0 "audit log unwritable: nothing sent"
done_testing
