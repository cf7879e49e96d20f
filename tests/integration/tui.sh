#!/usr/bin/env bash
# tui.sh: the interactive screen as a person uses it, through a real terminal (tmux): the
# figures match the JSON snapshot, worst first, sort, filter, detail, help, resize, a hung
# backend that never freezes the keys, NO_COLOR, ASCII, the wallboard, read-only mode, the
# fallbacks when there is no usable terminal, and quitting.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd tmux jq pgrep
need_pg
slot=synctop_tui_slot
drop_slot() {
	psql_admin -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
	               WHERE slot_name = '$slot'" >/dev/null
}
drop_slot || bail_out "cannot drop a leftover slot $slot"
fresh_db synctop_tui
at_exit drop_slot
psql_synctop -c "SELECT pg_create_logical_replication_slot('$slot', 'test_decoding')" >/dev/null ||
	bail_out "cannot create slot $slot"
load_outbox_schema

# products: 137 pending rows, the oldest 10 minutes old, 5 of them failed -> CRIT (and its
# slot, inactive, WARN). orders: an empty outbox -> OK. The config lists orders first.
psql_synctop <<'SQL' || bail_out "loading the outbox rows failed"
CREATE TABLE orders_outbox (LIKE outbox INCLUDING ALL);
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload, created_at)
SELECT 'product', 'P-' || g, 'product.updated', jsonb_build_object('n', g),
       now() - interval '10 minutes' + (g - 1) * interval '1 second'
FROM generate_series(1, 137) AS g;
UPDATE outbox SET attempts = 5
WHERE id IN (SELECT id FROM outbox WHERE NOT processed ORDER BY id LIMIT 3 OFFSET 10);
UPDATE outbox SET attempts = 1, last_error = 'broker unavailable'
WHERE id IN (SELECT id FROM outbox WHERE NOT processed ORDER BY id LIMIT 2 OFFSET 20);
ANALYZE outbox;
SQL

conf=$TEST_TMP/synctop.conf
: >"$conf" && chmod 600 "$conf"
cat >"$conf" <<CONF
[synctop]
environment = staging
timeout = 2s

[postgres shop]
conninfo = $(conninfo)

[pipeline orders]
outbox = shop
outbox.table = public.orders_outbox

[pipeline products]
outbox = shop
outbox.table = public.outbox
slot = shop
slot.names = $slot
CONF

# What the screen must agree with.
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "fixture: the JSON snapshot exits 2 (crit)"
P=$(stage outbox products)
want_pending=$(jqr "$P.metrics.pending")
want_failed=$(jqr "$P.metrics.failed")
want_overall=$(jqr '.status | ascii_upcase')
is "$want_pending/$want_failed" 132/5 "fixture: JSON says 132 pending (the 137 less the 5 failed), 5 failed"
# From here on a failure is about the screen: lib.sh need not show this run again.
RUN_CMD=

tui_init

# Sessions that only need time to poll start now, and are checked further down.
tui_start nocolor NO_COLOR=1 -- -c "$conf"
tui_start ascii -- --ascii -c "$conf"
tui_start langc LANG=C -- -c "$conf"
tui_start wall -- --wallboard --interval 60s -c "$conf"
tui_start ro -- --read-only -c "$conf"
tui_start main -- -c "$conf"
# Issue 17, item 1: polled every 30 s, then - to 1 s (checked below).
psql_synctop -c "CREATE TABLE interval_outbox (LIKE outbox INCLUDING ALL)" ||
	bail_out "cannot create interval_outbox"
conf_iv=$TEST_TMP/interval.conf
: >"$conf_iv" && chmod 600 "$conf_iv"
cat >"$conf_iv" <<CONF
[postgres shop]
conninfo = $(conninfo)

[pipeline slowpoke]
outbox = shop
outbox.table = public.interval_outbox
CONF
tui_start slow -- --interval 30s -c "$conf_iv"

# ----------------------------------------------------------------------
# The main view agrees with the JSON snapshot.
# ----------------------------------------------------------------------
tui_use main
ok "main: a round of polls shows (products: $want_pending pending)" wait_polled "$want_pending pending"
products_pane=$(pane_lines products)
orders_pane=$(pane_lines orders)
outbox_line=$(grep -m 1 '^│ outbox ' <<<"$products_pane")
like "$outbox_line" "(^|[^0-9])$want_pending pending" "main: products/outbox shows $want_pending pending, as the JSON does"
like "$outbox_line" "(^|[^0-9])$want_failed failed" "main: products/outbox shows $want_failed failed, as the JSON does"
like "$outbox_line" ' CRIT ' "main: products/outbox is CRIT, as the JSON stage status ($(jqr "$P.status"))"
for pipe in products orders; do
	want=$(jqr ".pipelines[] | select(.name == \"$pipe\") | .status | ascii_upcase")
	pane=$(pane_lines "$pipe")
	like "${pane%%$'\n'*}" "^┌─ $pipe ─+ $want ─┐$" "main: the $pipe pane title says $want, as the JSON does"
done
like "$(grep -m 1 '^│ slot ' <<<"$products_pane")" "$slot inactive.* WARN |WARN .*$slot inactive" \
	"main: the slot stage of products shows the inactive slot, WARN"
header=$(head -n 1 <<<"$SCREEN")
like "$header" ' staging ' "main: the header shows the environment"
is "${header##* }" "$want_overall" "main: the header ends with the overall status"
unlike "$SCREEN" hunter2 "main: the password is not shown"
products_at=$(line_of '^┌─ products ')
orders_at=$(line_of '^┌─ orders ')
ok "main: worst first: products (CRIT, line $products_at) above orders (OK, line $orders_at)" \
	test "$products_at" -gt 0 -a "$products_at" -lt "$orders_at"
like "$orders_pane" '│ outbox +([^│]* )?OK .*0 pending' "main: orders/outbox shows OK and 0 pending"

# At start the selection is on the first stage of the top pane: Enter opens products/outbox.
send Enter
ok "main: Enter opens a detail view" wait_for metrics
is "$(sed -n 2p <<<"$SCREEN" | sed 's/^ *//; s/ on .*//')" "products / outbox" \
	"main: at start, Enter opens the top pane's first stage (products / outbox)"
send Escape
ok "main: Esc leaves the detail view" wait_for "┌─ products "

# ----------------------------------------------------------------------
# Filter, sort.
# ----------------------------------------------------------------------
send /
send_text ord
ok "filter: the prompt shows what is typed" wait_for "/ord_"
send Enter
ok "filter: the footer says filter \"ord\": 1 of 2" wait_for 'filter "ord": 1 of 2'
ok "filter: the orders pane is shown" _tui_has "┌─ orders "
ok "filter: the products pane is not" _tui_lacks "┌─ products "
send Escape
ok "filter: Esc clears it: both panes again" wait_for "┌─ products "
ok "filter: Esc clears it: no filter in the footer" _tui_lacks 'filter "'

send s
ok "sort: s says config order in the footer" wait_for "pipelines in config order"
ok "sort: config order puts orders (listed first) above products" \
	test "$(line_of '^┌─ orders ')" -gt 0 -a "$(line_of '^┌─ orders ')" -lt "$(line_of '^┌─ products ')"
send s
ok "sort: s again says worst first" wait_for "pipelines sorted worst first"
ok "sort: worst first again: products above orders" \
	test "$(line_of '^┌─ products ')" -gt 0 -a "$(line_of '^┌─ products ')" -lt "$(line_of '^┌─ orders ')"

# ----------------------------------------------------------------------
# Detail view of products/outbox (k twice reaches it from anywhere in that pane or below).
# ----------------------------------------------------------------------
send k
send k
send Enter
ok "detail: opens" wait_for metrics
like "$(sed -n 2p <<<"$SCREEN")" '^ products / outbox on shop, public\.outbox' "detail: the title names products / outbox"
ok "detail: lists the metrics by name (pending_capped)" _tui_has pending_capped
like "$SCREEN" "pending +$want_pending" "detail: pending $want_pending"
like "$SCREEN" "failed +$want_failed" "detail: failed $want_failed"
ok "detail: shows the diagnosis's next step (next:, with its key where one applies)" _tui_like 'next( \(key [A-Za-z]\))?: '
like "$SCREEN" 'outbox-backlog|worker-stalled' "detail: names the diagnosis rule"
like "$SCREEN" 'password=\*\*\*' "detail: the connection is shown redacted"
unlike "$SCREEN" hunter2 "detail: the password is not shown"
send Escape
ok "detail: Esc returns to the panes" wait_for "┌─ products "

# ----------------------------------------------------------------------
# Help: every key of the table (synctop --list-keys) is on it.
# ----------------------------------------------------------------------
# The keys of a live session: the time cursor's (--replay: ...) show in a replay's help alone.
mapfile -t labels < <("$SYNCTOP" --list-keys | awk '/^\.B / { l = substr($0, 4); next }
	l != "" { if ($0 !~ /^\\-\\-replay:/) print l; l = "" }' | sed 's/\\-/-/g')
ok "help: --list-keys lists keys (${#labels[@]})" test "${#labels[@]}" -ge 15
send '?'
ok "help: ? opens it" wait_for "keys (q or Esc closes this help)"
# A page of the help drawn whole, down to its footer (capture-pane leaves out trailing blank
# lines: a page drawn half-way on a loaded machine has fewer), and (after PgDn) a new one.
# shellcheck disable=SC2317 # called through wait_until
_help_whole() { (($(count_lines "$SCREEN") == TUI_ROWS)); }
# shellcheck disable=SC2317 # called through wait_until
_tui_changed() { [[ $SCREEN != "$before_page" ]] && _help_whole; }
wait_until _help_whole
help_text=$SCREEN
# missing_labels: the labels help_text does not show yet, into missing.
missing_labels() {
	missing=()
	for label in "${labels[@]}"; do
		prefix=$(printf '   %-11s ' "$label")
		grep -qF -- "$prefix" <<<"$help_text" || missing+=("$label")
	done
}
# Page down until every label was seen or the help ends (the selected stage's diagnoses' help
# above the keys takes pages of its own).
for ((page = 0; page < 8; page++)); do
	missing_labels
	((${#missing[@]})) || break
	before_page=$SCREEN
	send PgDn
	wait_until _tui_changed || break
	help_text+=$'\n'$SCREEN
done
# The diagnoses' help above the keys grows and shrinks as the stage's findings come and go, which
# moves the keys between two pages: back up the pages too when some were not seen on the way down.
for ((page = 0; page < 8; page++)); do
	missing_labels
	((${#missing[@]})) || break
	before_page=$SCREEN
	send PgUp
	wait_until _tui_changed || break
	help_text+=$'\n'$SCREEN
done
missing_labels
is "${missing[*]}" "" "help: every key of --list-keys is listed (${#labels[@]} keys)"
send q
ok "help: q closes it (and does not quit)" wait_for "┌─ products "

# ----------------------------------------------------------------------
# Keys that write: one that applies nowhere here says why and sends nothing; refused in
# read-only mode.
# ----------------------------------------------------------------------
send F
ok "actions: F with no search stage says why" \
	wait_like "force an index refresh \(F\): the (outbox|slot) stage has no refresh action"
send ' '
ok "freeze: Space shows FROZEN in the header" wait_like '^synctop .* FROZEN '
send ' '
# shellcheck disable=SC2317 # called through ok or wait_until
_tui_not_frozen() { [[ ${SCREEN%%$'\n'*} != *" FROZEN "* ]]; }
ok "freeze: Space again follows live" wait_until _tui_not_frozen
send +
ok "interval: + polls less often (2s -> 5s)" wait_for "polling every 5s"
like "$(head -n 1 <<<"$SCREEN")" ' every 5s ' "interval: the header says every 5s"
send -- -
ok "interval: - polls more often again" wait_for "polling every 2s"

# A new interval applies at once: the poller is woken, not left to wait out the old 30 s.
tui_use slow
ok "interval wake: the first round shows slowpoke empty" wait_polled "0 pending"
psql_synctop -c "INSERT INTO interval_outbox (aggregate_type, aggregate_id, event_type, payload)
                 SELECT 'x', 'X-' || g, 'x.made', '{}' FROM generate_series(1, 7) AS g" ||
	bail_out "cannot insert into interval_outbox"
send -- - - - -
ok "interval wake: - four times goes from 30s to 1s" wait_for "polling every 1s"
TUI_WAIT=2 ok "interval wake: the rows inserted show within 2 s, not after 30 s" wait_for "7 pending"

tui_use ro
ok "read-only: the header shows READ-ONLY" wait_like "^synctop .* READ-ONLY .*$want_overall\$"
send R
ok "read-only: R is refused in the footer" wait_for "read-only: R is not allowed here"

# ----------------------------------------------------------------------
# Colour: NO_COLOR drops every colour (bold and reverse stay); without it there is colour.
# ----------------------------------------------------------------------
tui_use main
wait_for "┌─ products " >/dev/null
ok "colour: without NO_COLOR the screen uses colour SGR sequences" has_color_sgr "$(screen_sgr)"
tui_use nocolor
ok "NO_COLOR: the screen is drawn" wait_for "$want_pending pending"
colored=$(screen_sgr)
# shellcheck disable=SC2317 # called through ok or wait_until
no_color_sgr() { ! has_color_sgr "$1"; }
ok "NO_COLOR: no colour SGR sequence (30-37, 38, 40-47, 48, 90-97, 100-107)" no_color_sgr "$colored"
like "$colored" $'\e\\[([0-9;]*;)?(1|7)(;[0-9;]*)?m' "NO_COLOR: bold or reverse video still marks things"

# ----------------------------------------------------------------------
# ASCII: --ascii, and LANG=C (no UTF-8 locale), draw + - | and no box-drawing characters.
# ----------------------------------------------------------------------
# shellcheck disable=SC2317 # called through ok or wait_until
no_box_chars() { ! LC_ALL=C grep -q $'\xe2[\x94-\x96]' <<<"$1"; }
for s in ascii langc; do
	tui_use "$s"
	ok "$s: the screen is drawn" wait_for "$want_pending pending"
	like "$SCREEN" $'(^|\n)\\+- products -+ CRIT -\\+(\n|$)' "$s: pane borders are + and -"
	like "$SCREEN" $'(^|\n)\\| outbox ' "$s: pane sides are |"
	ok "$s: no box-drawing or block characters (U+2500-U+259F)" no_box_chars "$SCREEN"
done

# ----------------------------------------------------------------------
# The wallboard.
# ----------------------------------------------------------------------
tui_use wall
ok "wallboard: a round of polls shows" wait_polled "┌─ orders "
ok "wallboard: tiles are drawn" wait_like '^│ +(outbox-backlog|worker-stalled):'
header=$(head -n 1 <<<"$SCREEN")
like "$header" ' READ-ONLY ' "wallboard: the header shows READ-ONLY"
like "$header" "[0-2][0-9]:[0-5][0-9]:[0-5][0-9]  $want_overall\$" "wallboard: the header ends with a clock and the overall status"
tiles=$(grep -m 1 '^┌─ ' <<<"$SCREEN")
like "$tiles" '^┌─ products .*┌─ orders ' "wallboard: worst first: the products tile, then orders"
tile_body=$(grep -A 1 -m 1 '^┌─ ' <<<"$SCREEN" | tail -n 1)
like "$tile_body" '^│   ████████  ████████    ██████████  ██████████ +││   ██████    ██      ██ +│$' \
	"wallboard: the tiles say CRIT and OK in block letters (twice the size: they fill the screen)"
like "$SCREEN" $'(^|\n)│ (outbox-backlog|worker-stalled):' \
	"wallboard: the products tile names its worst diagnosis"
clock() { sed -n '1s/.*\([0-2][0-9]:[0-5][0-9]:[0-5][0-9]\)  [A-Z]*$/\1/p' <<<"$1"; }
clock0=$(clock "$SCREEN")
# shellcheck disable=SC2317 # called through ok or wait_until
_tui_clock_moved() { [[ $(clock "$SCREEN") != "$clock0" ]]; }
ok "wallboard: the clock ticks (was $clock0)" wait_until _tui_clock_moved
# Without the clock, the screen must not change when action keys and / are pressed, but for
# the footer's hint: with --interval 60s nothing is polled meanwhile.
masked() {
	sed -E -e '1s/[0-2][0-9]:[0-5][0-9]:[0-5][0-9]  ([A-Z]*)$/HH:MM:SS  \1/' -e '$d' <<<"$1"
}
before=$(masked "$(screen)")
send R
send p
send u
send F
send T
send /
send_text ord
ok "wallboard: the keys get the one-line hint" wait_for "wallboard: read-only; q quits"
now=$(masked "$SCREEN")
is "$now" "$before" "wallboard: R p u F T / change nothing else on the screen"
unlike "$now" 'not allowed|read-only:' "wallboard: no read-only notice"
[[ $now == "$before" ]] || diag "before:" "$before" "after:" "$now"
# If / had opened a prompt, q would be typed into it.
send q
ok "wallboard: q quits it with exit 0 (no prompt swallowed it)" wait_for EXIT=0

# ----------------------------------------------------------------------
# A hung backend: the screen keeps answering keys while the poll waits for its deadline.
# ----------------------------------------------------------------------
pg_up_extra
"$SYNCTOP_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$EXTRA_PG_DIR" -p "$EXTRA_PG_PORT" \
	-U postgres -d synctop -f "$top_srcdir/share/sql/outbox.sql" >/dev/null ||
	bail_out "loading the schema into the second server failed"
hung_conf=$TEST_TMP/hung.conf
: >"$hung_conf" && chmod 600 "$hung_conf"
cat >"$hung_conf" <<CONF
[synctop]
environment = staging
timeout = 1s
interval = 1s

[postgres shop]
conninfo = $(conninfo)

[postgres stuck]
conninfo = host=127.0.0.1 port=$EXTRA_PG_PORT dbname=synctop user=postgres password=hunter2

[pipeline orders]
outbox = shop
outbox.table = public.orders_outbox

[pipeline hung]
outbox = stuck
outbox.table = public.outbox
CONF
tui_start hung -- -c "$hung_conf"
ok "hung: both pipelines OK while the second server runs" wait_like '^┌─ hung ─+ OK ─┐$'
# Stop the postmaster and its backends: the open session and any new one hang.
mapfile -t stopped < <(
	echo "$EXTRA_PG_PID"
	pgrep -P "$EXTRA_PG_PID"
)
at_exit kill -CONT "${stopped[@]}" # before the server's teardown (registered earlier)
kill -STOP "${stopped[@]}" || bail_out "cannot stop the second server"
send '?'
ok "hung: ? opens the help while the poll hangs" wait_for "keys (q or Esc closes this help)"
send q
ok "hung: q closes the help" wait_for "┌─ "
ok "hung: its pipeline turns UNKNOWN" wait_like '^┌─ hung ─+ UNKNOWN ─┐$'
# Damped (confirm = 2), UNKNOWN shows at the second failed poll: the hung one's timeout, or
# the next one's refused connection.
like "$(pane_lines hung)" '│ outbox +([^│]* )?UNKNOWN +[0-9]+s +(.*timeout|cannot connect to stuck)' \
	"hung: the stage line says UNKNOWN and why"
like "$(head -n 1 <<<"$SCREEN")" ' UNKNOWN$' "hung: the overall status is UNKNOWN"
unlike "$SCREEN" hunter2 "hung: the password is not shown"
send '?'
ok "hung: the help still opens after the timeout" wait_for "keys (q or Esc closes this help)"
send q
send q
ok "hung: q quits at once (exit 0) with the server still stopped" wait_for EXIT=0
kill -CONT "${stopped[@]}"

# ----------------------------------------------------------------------
# Resize: the screen stays whole at 60x15 and 200x50; below 60x15 it says so.
# ----------------------------------------------------------------------
# shellcheck disable=SC2317 # called through ok or wait_until
whole_at() { screen_whole "$1" "$2"; }
check_whole() { # COLS ROWS
	local cols=$1 rows=$2 line wide=0 bad=0 n=0
	while IFS= read -r line; do
		((${#line} > cols)) && wide=$((wide + 1))
		if [[ $line == ┌* ]]; then
			n=$((n + 1))
			[[ $line == ┌*┐ ]] || bad=$((bad + 1))
		fi
	done <<<"$SCREEN"
	is "$wide" 0 "resize ${cols}x$rows: no line wider than $cols columns"
	is "$(count_lines "$SCREEN")" "$rows" "resize ${cols}x$rows: $rows lines"
	ok "resize ${cols}x$rows: pane top borders ($n) start with ┌ and end with ┐" test "$n" -gt 0 -a "$bad" -eq 0
	is "$(head -n 1 <<<"$SCREEN" | awk '{ print $NF }')" "$want_overall" "resize ${cols}x$rows: the header still ends with the overall status"
}
tui_use main
tmx resize-window -t main -x 60 -y 15
ok "resize 60x15: redrawn" wait_until whole_at 60 15
check_whole 60 15
tmx resize-window -t main -x 59 -y 15
ok "resize 59x15: says the terminal is too small" wait_for "terminal too small"
tmx resize-window -t main -x 200 -y 50
ok "resize 200x50: redrawn" wait_until whole_at 200 50
check_whole 200 50
tmx resize-window -t main -x "$TUI_COLS" -y "$TUI_ROWS"

# ----------------------------------------------------------------------
# Leaving: q exits 0; Ctrl-C (bound to quit in the key table) too, with the terminal restored.
# ----------------------------------------------------------------------
send q
ok "q quits with exit 0" wait_for EXIT=0
is "$(tmx display-message -p -t main '#{alternate_on} #{cursor_flag}')" "0 1" \
	"q: the terminal is restored (normal screen, cursor shown)"

tui_use ro
send C-c
ok "Ctrl-C: synctop exits" wait_like '^EXIT=[0-9]+'
is "$(grep -Eo '^EXIT=[0-9]+' <<<"$SCREEN")" EXIT=0 "Ctrl-C quits like q (exit 0), as the key table binds it"
is "$(tmx display-message -p -t ro '#{alternate_on} #{cursor_flag}')" "0 1" \
	"Ctrl-C: the terminal is restored (normal screen, cursor shown)"

# ----------------------------------------------------------------------
# No usable terminal.
# ----------------------------------------------------------------------
# stdin at end of file (here /dev/null) must not make the screen spin: it either leaves or
# idles. (A spinning loop costs ~100% of a core; an idle screen well under 5%.)
TUI_STDIN=/dev/null tui_start nostdin -- -c "$conf"
wait_like "$want_pending pending|^EXIT=" >/dev/null
pid=$(synctop_pid)
if [[ -n $pid ]]; then
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
	w0=${EPOCHREALTIME//[!0-9]/}
	sleep 1
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo "$t0")
	w1=${EPOCHREALTIME//[!0-9]/}
	pct=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v us=$((w1 - w0)) \
		'BEGIN { printf "%.0f", 100 * t / hz / (us / 1e6) }')
	between "$pct" 0 50 "stdin at EOF (</dev/null): synctop does not spin (used ${pct}% of a core over 1 s)"
else
	pass_text=$(screen)
	like "$pass_text" 'EXIT=' "stdin at EOF (</dev/null): synctop left"
fi
tmx kill-session -t nostdin

# Piped: a text snapshot, with the status as exit code.
out=$("$SYNCTOP" -c "$conf" --once-window 0 </dev/null 2>"$TEST_TMP/pipe.err" | cat)
rcs=("${PIPESTATUS[@]}")
is "${rcs[0]}" 2 "stdout piped: exits with the status code (2, crit), as --once"
like "$out" '^synctop [0-9.]+ +environment staging .*status CRIT' "stdout piped: prints the text snapshot header"
like "$out" "products +outbox .*$want_pending pending" "stdout piped: prints the figures"
unlike "$out" $'\e' "stdout piped: no escape sequences"

tui_start badterm TERM=nosuchterm -- -c "$conf"
ok "TERM=nosuchterm: synctop exits 3" wait_for EXIT=3
like "$SCREEN" 'TERM=nosuchterm.*--once' "TERM=nosuchterm: the message names the terminal and --once"

# ----------------------------------------------------------------------
# The wallboard's systemd unit.
# ----------------------------------------------------------------------
unit_src=$top_srcdir/contrib/synctop-wallboard.service
unit=$(<"$unit_src")
like "$unit" $'\nExecStart=[^\n]*/synctop --wallboard -c ' "unit: runs synctop --wallboard -c CONFIG"
like "$unit" $'\nTTYPath=/dev/tty[0-9]+\n' "unit: on a tty (TTYPath=)"
like "$unit" $'\nStandardInput=tty\n' "unit: StandardInput=tty (keys come from the tty)"
like "$unit" $'\nStandardError=journal\n' "unit: stderr goes to the journal, never on the wallboard"
like "$unit" $'\nRestart=always\n' "unit: Restart=always"
if command -v systemd-analyze >/dev/null 2>&1; then
	# Verified with the built binary and the test's config in place of the installed ones.
	mkdir -p "$TEST_TMP/unit"
	sed -e "s|^ExecStart=/usr/local/bin/synctop |ExecStart=$SYNCTOP |" \
		-e "s|^LoadCredential=synctop.conf:/etc/synctop.conf$|LoadCredential=synctop.conf:$conf|" \
		"$unit_src" >"$TEST_TMP/unit/synctop-wallboard.service"
	verify=$(cd "$TEST_TMP/unit" && systemd-analyze verify --man=no ./synctop-wallboard.service 2>&1)
	rc=$?
	is "$rc" 0 "unit: systemd-analyze verify accepts it"
	is "$verify" "" "unit: systemd-analyze verify has nothing to say"
else
	skip "unit: systemd-analyze verify" "systemd-analyze is not installed (apt-get install systemd)"
	skip "unit: systemd-analyze verify has nothing to say" "systemd-analyze is not installed"
fi

done_testing
