#!/usr/bin/env bash
# tui_keys.sh: how the screen answers a newcomer's q, resize and mouse, through a real terminal
# (tmux) against a private search stand-in: q goes back one level in the detail view and the
# help and quits only from the pipelines; a resize at any moment (a dialog open too) never
# garbles the screen, below 60x15 a notice, and growing back shows the view with its selection;
# a click selects a stage, a double click opens it, the wheel scrolls; mouse = false, none.
# needs: search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd tmux jq curl pgrep
need_search
search_up_extra
URL=$EXTRA_SEARCH_URL
conf=$TEST_TMP/synctop.conf

sreq() {
	curl -sS --max-time 5 -X "$1" "$URL$2" -H 'Content-Type: application/json' --data-binary "$3"
}
# products: refresh off (CRIT, F and I offered); orders and users: OK.
sreq PUT /products '{"settings":{"index":{"refresh_interval":"-1"}}}' >/dev/null || bail_out "cannot create an index"
for ix in orders users; do
	sreq PUT "/$ix" '{}' >/dev/null || bail_out "cannot create an index"
done
: >"$conf" && chmod 600 "$conf"
cat >"$conf" <<CONF
[synctop]
timeout = 2s
interval = 1s
audit_log = $TEST_TMP/audit.log

[search es]
url = $URL

[pipeline products]
search = es
search.index = products

[pipeline orders]
search = es
search.index = orders

[pipeline users]
search = es
search.index = users
CONF

tui_init
# title: the detail view's title line (its second line), up to " on ".
title() { sed -n 2p <<<"$SCREEN" | sed 's/^ *//; s/ on .*//'; }
# shellcheck disable=SC2317 # called through ok
running() { [[ -n $(synctop_pid) ]]; }

# ----------------------------------------------------------------------
# q goes back one level; it quits from the pipelines only.
# ----------------------------------------------------------------------
tui_start q -- -c "$conf"
ok "q: polled" wait_polled "┌─ products "
send Enter
ok "q: Enter opens the detail view" wait_for metrics
is "$(title)" "products / search" "q: the detail of products/search"
like "$(tail -n 1 <<<"$SCREEN")" '(^|  )q/Esc back  \? help' "q: the detail's footer says q goes back"
send q
ok "q in the detail view: back to the pipelines" wait_for "┌─ products "
ok "q in the detail view: synctop still runs" running
send '?'
ok "q: ? opens the help" wait_for "keys (q or Esc closes this help)"
send q
ok "q in the help: back to the pipelines" wait_for "┌─ products "
send Enter '?'
ok "q: the help over the detail view" wait_for "keys (q or Esc closes this help)"
send q
ok "q in the help over the detail view: back to the detail" wait_for metrics
is "$(title)" "products / search" "q: the same detail view"
send q
ok "q again: back to the pipelines" wait_for "┌─ products "
ok "q: synctop still runs" running
send q
ok "q on the pipelines: quits with exit 0" wait_for EXIT=0

# ----------------------------------------------------------------------
# Resize: below 60x15 a notice; back, the view with its selection; a dialog survives it.
# ----------------------------------------------------------------------
# shellcheck disable=SC2317 # called through ok or wait_until
# whole_at COLS: a whole frame COLS x TUI_ROWS (screen_whole) with the header on its first line.
whole_at() { screen_whole "$1" "$TUI_ROWS" && [[ ${SCREEN%%$'\n'*} == synctop* ]]; }
tui_start rs -- -c "$conf"
ok "resize: polled" wait_polled "┌─ users "
send Tab j # the selection on orders/search... and down to users/search
tmx resize-window -t rs -x 50 -y 10
ok "resize 50x10: the notice" wait_for "terminal too small (50x10, need 60x15)"
is "$(grep -c . <<<"$SCREEN")" 1 "resize 50x10: the notice alone, nothing of the layout"
tmx resize-window -t rs -x 120 -y 35
ok "resize back to 120x35: the whole screen again" wait_until whole_at 120
send Enter
ok "resize back: Enter opens the detail" wait_for metrics
is "$(title)" "users / search" "resize back: the selection was kept (users/search)"
tmx resize-window -t rs -x 59 -y 15
ok "resize 59x15 in the detail view: the notice" wait_for "terminal too small (59x15, need 60x15)"
tmx resize-window -t rs -x 120 -y 35
ok "resize back: the detail view again" wait_for metrics
is "$(title)" "users / search" "resize back: the same detail view"
send Escape

# The dialog: asked, the terminal shrunk and grown while it asks, still asking, n cancels.
send BTab BTab # products, whose search stage offers F
ok "dialog: on products" wait_like '(^|  )F refresh'
send F
ok "dialog: F opens it" wait_like '\[ Cancel \]   \[ y: apply \]'
# dialog_box: the dialog's box as drawn in $SCREEN, from its title's line to its bottom border,
# its columns only (the panes behind it change with every poll).
dialog_box() {
	local line col=-1 pre
	while IFS= read -r line; do
		if ((col < 0)) && [[ $line == *"┌─ refresh: "* ]]; then
			pre=${line%%┌─ refresh: *}
			col=${#pre}
		fi
		((col < 0)) && continue
		printf '%s\n' "${line:col:96}"
		[[ ${line:col:1} == └ ]] && break
	done <<<"$SCREEN"
}
dialog_before=$(dialog_box)
ok "dialog: its box is read (${#dialog_before} characters)" test "${#dialog_before}" -gt 500
tmx resize-window -t rs -x 50 -y 10
ok "dialog, 50x10: the notice" wait_for "terminal too small (50x10, need 60x15)"
is "$(grep -v '^ *$' <<<"$SCREEN")" "terminal too small (50x10, need 60x15)
a dialog asks: enlarge the terminal to answer it" "dialog, 50x10: the notice says a dialog asks, and nothing of it shows"
# y to a dialog not shown applies nothing: the notice says the key was ignored.
send y
ok "dialog, 50x10: y is ignored, and the screen says so" wait_for "key ignored: the dialog is hidden"
tmx resize-window -t rs -x 120 -y 35
ok "dialog, back to 120x35: the dialog asks again" wait_like '\[ Cancel \]   \[ y: apply \]'
ok "dialog, back: the screen is whole" wait_until whole_at 120
is "$(dialog_box)" "$dialog_before" "dialog, back: the same dialog as before the resizes"
send n
ok "dialog: n cancels after the resizes" wait_for "refresh products/search refused: cancelled by the operator"
is "$(jq -r .result "$TEST_TMP/audit.log")" refused "dialog: one audit line, refused: nothing was applied"
send q
ok "resize: q quits" wait_for EXIT=0

# ----------------------------------------------------------------------
# The mouse: xterm's reports (X10 encoding, the kmous of the terminfo) typed into the pane.
# ----------------------------------------------------------------------
# mouse_bytes BUTTON Y X: one report, as hex for send -H (Y, X 0-based screen cells).
mouse_bytes() {
	printf '1b 5b 4d %x %x %x' $((32 + $1)) $(($3 + 33)) $(($2 + 33))
}
# click LINE: a left click (press, release) on LINE (1-based, as line_of says), column 6.
click() {
	# shellcheck disable=SC2046 # the bytes are words
	send -H $(mouse_bytes 0 $(($1 - 1)) 5) $(mouse_bytes 3 $(($1 - 1)) 5)
}
# double_click LINE: two clicks at once (synctop: two presses on a row within 0.4 s).
double_click() {
	# shellcheck disable=SC2046 # the bytes are words
	send -H $(mouse_bytes 0 $(($1 - 1)) 5) $(mouse_bytes 3 $(($1 - 1)) 5) \
		$(mouse_bytes 0 $(($1 - 1)) 5) $(mouse_bytes 3 $(($1 - 1)) 5)
}
# wheel up|down: a notch of the wheel (buttons 4 and 5) over the middle of the screen.
wheel() {
	local button=64
	[[ $1 == down ]] && button=65
	# shellcheck disable=SC2046 # the bytes are words
	send -H $(mouse_bytes "$button" 10 40)
}
# shellcheck disable=SC2317 # called through wait_until
line_is() { [[ $(line_of "$1") == "$2" ]]; }
# shellcheck disable=SC2317 # called through wait_until
title_is() { [[ $(title) == "$1" ]]; }

tui_start m -- -c "$conf"
ok "mouse: polled" wait_polled "┌─ users "
is "$(tmx display-message -p -t m '#{mouse_standard_flag}')" 1 "mouse: synctop asks the terminal for clicks"
L=$(line_of '^│ search .* users ')
ok "mouse: the users stage is on a line ($L)" test "$L" -gt 1
click "$L"
send Enter
ok "mouse: a click on users' stage selects it (Enter opens users / search)" wait_until title_is "users / search"
send Escape
ok "mouse: back" wait_for "┌─ users "
double_click "$(line_of '^│ search .* orders ')"
ok "mouse: a double click on orders' stage opens its detail" wait_until title_is "orders / search"
# The detail view scrolls 3 lines a notch, on a terminal too short for it.
tmx resize-window -t m -x 120 -y 20
ok "mouse: the detail at 120x20" wait_like '^   refresh_total '
at=$(line_of '^   refresh_total ')
wheel down
ok "mouse: the wheel scrolls the detail view 3 lines down" wait_until line_is '^   refresh_total ' $((at - 3))
wheel up
ok "mouse: and back up" wait_until line_is '^   refresh_total ' "$at"
send '?'
ok "mouse: the help" wait_for "keys (q or Esc closes this help)"
at=$(line_of '^   Tab ')
wheel down
ok "mouse: the wheel scrolls the help 3 lines down" wait_until line_is '^   Tab ' $((at - 3))
send q q
tmx resize-window -t m -x 120 -y 35
ok "mouse: back on the pipelines" wait_for "┌─ users "
# On the pipelines the wheel moves the selection a stage: from orders down to users.
wheel down
send Enter
ok "mouse: the wheel moves the selection (orders -> users)" wait_until title_is "users / search"
send q q
ok "mouse: quits" wait_for EXIT=0
is "$(tmx display-message -p -t m '#{mouse_standard_flag}')" 0 "mouse: the terminal's clicks given back at the end"

# mouse = false: the terminal keeps the mouse (for selecting text).
sed 's/^interval = 1s$/&\nmouse = false/' "$conf" >"$TEST_TMP/nomouse.conf"
chmod 600 "$TEST_TMP/nomouse.conf"
tui_start nm -- -c "$TEST_TMP/nomouse.conf"
ok "mouse = false: polled" wait_polled "┌─ users "
is "$(tmx display-message -p -t nm '#{mouse_standard_flag} #{mouse_any_flag} #{mouse_button_flag}')" "0 0 0" \
	"mouse = false: synctop asks the terminal for no mouse report"
send q
ok "mouse = false: quits" wait_for EXIT=0

done_testing
