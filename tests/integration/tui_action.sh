#!/usr/bin/env bash
# tui_action.sh: an action from the screen, through a real terminal (tmux), against a private
# search stand-in: the keys offered where they apply (footer, stage line, the diagnosis's next
# line), key -> preview dialog -> cancel, key -> preview -> y -> the result line -> "confirmed"
# at a later read-back, a preview that refuses (the refresh rate limit), restore-refresh gone
# once applied, a quit while the dialog asks, and read-only (no key, no write); the audit lines
# and exactly the writes the stand-in recorded.
# needs: search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd tmux jq curl pgrep
need_search
search_up_extra
URL=$EXTRA_SEARCH_URL
REC=$EXTRA_SEARCH_DIR/search.requests
AUDIT=$TEST_TMP/audit.log
conf=$TEST_TMP/synctop.conf

sreq() {
	local args=(-sS --max-time 5 -X "$1" "$URL$2")
	[[ -z ${3:-} ]] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
	curl "${args[@]}"
}
# writes: the recorded requests that are not GETs, "METHOD PATH STATUS" one a line.
writes() {
	jq -r 'select(.method != "GET") | "\(.method) \(.path) \(.status)"' "$REC"
}
audit_lines() {
	if [[ -f $AUDIT ]]; then wc -l <"$AUDIT"; else echo 0; fi
}
# audit_last FILTER: jq -r FILTER over the audit log's last line.
audit_last() {
	tail -n 1 "$AUDIT" | jq -r "$1"
}

# Refresh off on products: 3 documents indexed and none visible.
sreq PUT /products '{"settings":{"index":{"refresh_interval":"-1"}}}' >/dev/null || bail_out "cannot create the index"
for i in 1 2 3; do
	sreq PUT "/products/_doc/$i" "{\"n\":$i}" >/dev/null || bail_out "cannot index a document"
done
: >"$conf" && chmod 600 "$conf"
cat >"$conf" <<CONF
[synctop]
timeout = 2s
interval = 1s
audit_log = $AUDIT
confirm_timeout = 5s

[search es]
url = $URL

[pipeline products]
search = es
search.index = products
CONF
: >"$REC"

tui_init
tui_start ro -- --read-only -c "$conf"
tui_start rw -- -c "$conf" --record "$TEST_TMP/rw.jsonl"

# ----------------------------------------------------------------------
# Offered where they apply now
# ----------------------------------------------------------------------
ok "offered: the search stage is polled" wait_polled "┌─ products "
ok "offered: the stage line shows F and I (refresh_interval is -1)" wait_like "│ search .* \[F I\] "
footer=$(tail -n 1 <<<"$SCREEN")
like "$footer" '^F refresh  I restore-refresh  q quit' "offered: the footer starts with F refresh and I restore-refresh"
like "$SCREEN" 'next \(key I\): ' "offered: the refresh-disabled diagnosis's next line names key I (restore-refresh)"

# ----------------------------------------------------------------------
# Key -> preview -> cancel: nothing sent, audited as refused
# ----------------------------------------------------------------------
send F
ok "cancel: F opens the dialog with the preview" wait_for "refresh: force an index refresh"
# The body comes with the preview's answer, the buttons last: a slow (sanitized) build may show
# the title before them, so the body is read once the buttons are there.
ok "cancel: two buttons, Cancel first" wait_like '\[ Cancel \]   \[ y: apply \]'
like "$SCREEN" 'target    index products on es' "cancel: the dialog pins the target"
like "$SCREEN" 'pipeline  products' "cancel: the dialog names the pipeline"
like "$SCREEN" 'stage     search on es' "cancel: the dialog names the stage and its connection"
like "$SCREEN" 'does      POST /\{index\}/_refresh, at most once per index per 5 s' "cancel: the dialog says what it does"
like "$SCREEN" 'y applies; any other key cancels' "cancel: the dialog says how to answer"
send n
ok "cancel: n cancels; the line says so" wait_for "refresh products/search refused: cancelled by the operator"
wait_gone "[ Cancel ]" >/dev/null
unlike "$SCREEN" '\[ Cancel \]' "cancel: the dialog is gone"
is "$(writes)" "" "cancel: no write reached the index"
is "$(audit_lines)" 1 "cancel: one audit line"
is "$(audit_last '[.action, .result, .reason, .pipeline, .stage] | join(" | ")')" \
	"refresh | refused | cancelled by the operator | products | search" "cancel: audited refused, cancelled"

# ----------------------------------------------------------------------
# Key -> preview -> y -> applied -> confirmed by a later read-back
# ----------------------------------------------------------------------
send F
ok "apply: F opens the dialog again" wait_for "[ Cancel ]"
send y
ok "apply: y applies; the result line ends confirmed" \
	wait_like '^refresh products/search: POST /products/_refresh; confirmed: refresh_total 1, up from 0; total 2, successful 1'
is "$(writes)" "POST /products/_refresh 200" "apply: exactly one POST /products/_refresh was sent"
is "$(audit_lines)" 2 "apply: a second audit line"
is "$(audit_last '[.action, .result, .target] | join(" | ")')" "refresh | confirmed | index products on es" \
	"apply: audited confirmed, with the target"
is "$(sreq GET /products/_count | jq .count)" 3 "apply: the 3 documents are visible now"
# The UI kept answering: the help opens and closes with the line still there.
send '?'
ok "apply: the keys still answer (help)" wait_for "keys (q or Esc closes this help)"
send q
ok "apply: the result line stays after the end" wait_like '^refresh products/search: .*confirmed: '

# ----------------------------------------------------------------------
# A preview that refuses: the second refresh within 5 s (the rate limit); nothing asked or sent
# ----------------------------------------------------------------------
send F
ok "refused: F again within 5 s is refused by its preview" \
	wait_like '^refresh products/search refused: refreshed [0-9.]+s ago; at most one refresh per 5 s'
unlike "$SCREEN" '\[ Cancel \]' "refused: no dialog"
is "$(writes)" "POST /products/_refresh 200" "refused: nothing more was sent"
is "$(audit_last '.result')" "refused" "refused: audited refused"

# ----------------------------------------------------------------------
# restore-refresh: applied, then no longer offered at a later poll
# ----------------------------------------------------------------------
send I
ok "restore: I opens its dialog" wait_for "restore-refresh: restore the index's default refresh interval"
send y
ok "restore: confirmed" \
	wait_like '^restore-refresh products/search: PUT /products/_settings \{"index":\{"refresh_interval":null\}\}; confirmed: refresh_interv'
is "$(writes | tail -n 1)" "PUT /products/_settings 200" "restore: the PUT was sent"
ok "restore: I is no longer offered on the stage line" wait_like "│ search .* \[F\] "
footer=$(tail -n 1 <<<"$SCREEN")
like "$footer" '^F refresh  q quit' "restore: the footer offers F only"
send I
ok "restore: I now says why it does not apply" wait_like "restore the index's default refresh interval \(I\): .*-1"
is "$(audit_lines)" 4 "restore: four audit lines in all"

# ----------------------------------------------------------------------
# The target changed between the preview and y (the index was recreated): nothing applied,
# refused, and the dialog asks again with the new preview
# ----------------------------------------------------------------------
sleep 5 # past the refresh rate limit: the preview asks again
send F
ok "changed: the dialog asks" wait_for "[ Cancel ]"
sreq DELETE /products >/dev/null
sreq PUT /products '{"settings":{"index":{"refresh_interval":"-1"}}}' >/dev/null
send y
ok "changed: the dialog asks again, saying why" \
	wait_like 'asked again: refresh products/search refused: target changed, nothing applied: the'
ok "changed: with its buttons" wait_like '\[ Cancel \]   \[ y: apply \]'
is "$(writes | grep -c _refresh)" 1 "changed: no second refresh was sent"
is "$(audit_lines)" 5 "changed: a fifth audit line"
like "$(audit_last '[.result, .reason] | join(" | ")')" \
	'^refused \| target changed, nothing applied: the indices behind the name changed since the preview \(uuids \{"products":"[^"]+"\}, now \{"products":"[^"]+"\}\)$' \
	"changed: audited refused, target changed (the uuids before and after)"
send n
ok "changed: n cancels the new question" wait_for "refresh products/search refused: cancelled by the operator"
is "$(audit_lines)" 6 "changed: the new question is audited too"

# ----------------------------------------------------------------------
# Quitting while the dialog asks: cancelled, audited
# ----------------------------------------------------------------------
send F
ok "quit: the dialog asks" wait_for "[ Cancel ]"
pid=$(synctop_pid)
kill -TERM "$pid"
ok "quit: synctop exits 0 on SIGTERM" wait_for "EXIT=0"
like "$SCREEN" 'synctop: refresh products/search refused: cancelled: synctop quit' "quit: the end is said on the terminal"
is "$(audit_lines)" 7 "quit: a seventh audit line"
is "$(audit_last '[.result, .reason] | join(" | ")')" "refused | cancelled: synctop quit" "quit: audited cancelled"
is "$(writes | grep -vc ' /products ')" 2 "quit: nothing more was sent (the refresh and the restore; the rest are the test's)"
# --record: every action is in the recording as the audit log has it, the last one included
is "$(jq -c 'select(.type == "action") | .audit' "$TEST_TMP/rw.jsonl")" "$(jq -c . "$AUDIT")" \
	"--record: the recording holds the seven actions as audited"

# ----------------------------------------------------------------------
# Read-only: no key offered, the key answers read-only, no write
# ----------------------------------------------------------------------
tui_use ro
ok "read-only: polled" wait_polled "┌─ products "
unlike "$SCREEN" '\[F' "read-only: no key on the stage line"
unlike "$(tail -n 1 <<<"$SCREEN")" 'refresh' "read-only: no action in the footer"
unlike "$SCREEN" 'next \(key' "read-only: no key on the next line"
send F
ok "read-only: F answers read-only" wait_for "read-only: F is not allowed here"
send '?'
ok "read-only: the help opens" wait_for "keys (q or Esc closes this help)"
unlike "$SCREEN" 'force an index refresh' "read-only: the help lists no action"
send q
send q
ok "read-only: quits" wait_for "EXIT=0"
is "$(writes | grep -vc ' /products ')" 2 "read-only: no write from the read-only session"
is "$(audit_lines)" 7 "read-only: no audit line"

done_testing
