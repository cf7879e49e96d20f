#!/usr/bin/env bash
# tui_wall.sh: the wallboard for a room, the terminals that cannot draw and the colours,
# through a real terminal (tmux): tiles that fill the screen, the hint a key gets, TERM=dumb and
# a terminal without colour (vt100), NO_COLOR on every screen, theme = contrast, the
# environment's colour on the wallboard.
# No server: the stages cannot connect (UNKNOWN), which is all these need.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd tmux

# Nothing listens on port 1 of the loopback: every stage is UNKNOWN at once.
conf_with() { # FILE [EXTRA [synctop] LINE...]
	local f=$1
	shift
	: >"$f" && chmod 600 "$f"
	{
		printf '[synctop]\nenvironment = production\ntimeout = 1s\n'
		printf '%s\n' "$@"
		printf '\n[postgres shop]\nconninfo = host=127.0.0.1 port=1 dbname=x connect_timeout=1\n'
		printf '\n[pipeline alpha]\noutbox = shop\n\n[pipeline beta]\noutbox = shop\n'
	} >>"$f"
}
conf=$TEST_TMP/synctop.conf
conf_with "$conf"
contrast=$TEST_TMP/contrast.conf
conf_with "$contrast" "theme = contrast"

tui_init
tui_start wall -- --wallboard -c "$conf"
tui_start dumb TERM=dumb -- -c "$conf"
tui_start nc_main NO_COLOR=1 -- -c "$conf"
tui_start nc_wall NO_COLOR=1 -- --wallboard -c "$conf"
tui_start vt100 TERM=vt100 -- --wallboard -c "$conf"
tui_start plain -- -c "$conf"
tui_start contrast -- -c "$contrast"

# has_sgr_param N TEXT: an SGR sequence of TEXT sets attribute N (1 bold, 2 dim, 7 reverse,
# 40 black background...).
# shellcheck disable=SC2317 # called through ok
has_sgr_param() {
	local seq p
	local -a ps
	while IFS= read -r seq; do
		seq=${seq#$'\e['}
		IFS=';:' read -r -a ps <<<"${seq%m}"
		for p in "${ps[@]}"; do
			[[ $p == "$1" ]] && return 0
		done
	done < <(grep -o $'\e\\[[0-9;:]*m' <<<"$2")
	return 1
}
# shellcheck disable=SC2317 # called through ok
lacks_sgr_param() { ! has_sgr_param "$@"; }
# shellcheck disable=SC2317 # called through ok
no_color_sgr() { ! has_color_sgr "$1"; }

# ----------------------------------------------------------------------
# The wallboard (120x35, two pipelines): two tiles side by side, filling the screen.
# ----------------------------------------------------------------------
tui_use wall
ok "wallboard: the tiles show the stages' state" wait_for "cannot connect to shop"
is "$(line_of '^┌─ alpha ─+┐┌─ beta ─+┐$')" 2 "wallboard: one tile per pipeline, side by side under the header"
is "$(line_of '^└─+┘└─+┘$')" $((TUI_ROWS - 1)) "wallboard: the tiles reach down to the footer"
like "$(sed -n 3p <<<"$SCREEN")" '^│ █   █ █   █ █   █ █   █  ███  █   █ █   █ +││ █   █ ' \
	"wallboard: the status in block letters (UNKNOWN)"
header=$(screen_sgr | head -n 1)
# The header in production's red (background 41) from edge to the clock.
like "$header" $'\e\\[41m[^\e]*[0-2][0-9]:[0-5][0-9]:[0-5][0-9]  ' \
	"wallboard: production's red under the header's clock, not only the badge"
send x
ok "wallboard: a key shows the one-line hint" wait_for "wallboard: read-only; q quits"
is "$(tail -n 1 <<<"$SCREEN" | sed 's/ *$//')" "wallboard: read-only; q quits" "wallboard: the hint is the footer"
send /
send_text alpha
ok "wallboard: / opens no prompt: the tiles stay" wait_for "┌─ beta "
send q
ok "wallboard: q quits (exit 0)" wait_for EXIT=0

# ----------------------------------------------------------------------
# TERM=dumb cannot address the cursor: refused, pointing at --once, exit 3.
# ----------------------------------------------------------------------
tui_use dumb
ok "TERM=dumb: synctop exits 3" wait_for EXIT=3
like "$SCREEN" 'synctop: the terminal \(TERM=dumb\) cannot move the cursor.*use --once' \
	"TERM=dumb: the message names the terminal and --once"

# A terminal without colour but with cursor addressing (vt100): drawn, in bold and reverse.
tui_use vt100
ok "TERM=vt100: the wallboard is drawn" wait_for "cannot connect to shop"
sgr=$(screen_sgr)
ok "TERM=vt100: no colour SGR sequence" no_color_sgr "$sgr"
ok "TERM=vt100: the READ-ONLY badge in reverse (SGR 7)" has_sgr_param 7 "$sgr"

# ----------------------------------------------------------------------
# NO_COLOR: no colour on the main screen nor the wallboard (bold and reverse stay).
# ----------------------------------------------------------------------
for s in nc_main nc_wall; do
	tui_use "$s"
	wait_for "cannot connect to shop" >/dev/null
	sgr=$(screen_sgr)
	ok "NO_COLOR ($s): no colour SGR sequence" no_color_sgr "$sgr"
	ok "NO_COLOR ($s): bold still marks things" has_sgr_param 1 "$sgr"
done
# --once on a terminal: text, no escape sequence at all (NO_COLOR or not).
tui_start once -- --once -c "$conf"
ok "--once on a terminal: it ends" wait_like '^EXIT=[0-9]'
ok "--once on a terminal: no colour SGR sequence" no_color_sgr "$(screen_sgr)"

# ----------------------------------------------------------------------
# theme = contrast: nothing dim, borders white on black, statuses in reverse blocks.
# ----------------------------------------------------------------------
tui_use plain
wait_for "┌─ alpha " >/dev/null
ok "default theme: the footer is dim (SGR 2)" has_sgr_param 2 "$(screen_sgr)"
tui_use contrast
ok "contrast: the screen is drawn" wait_for "┌─ alpha "
sgr=$(screen_sgr)
ok "contrast: nothing dim (no SGR 2)" lacks_sgr_param 2 "$sgr"
like "$(head -n 2 <<<"$sgr" | tail -n 1)" $'^\e\\[[0-9;]*m\e\\[37m\e\\[40m┌' "contrast: borders white on black"
like "$(head -n 1 <<<"$sgr")" $'\e\\[1;7m\e\\[35m\e\\[40mUNKNOWN' "contrast: the status a bold reverse block"

done_testing
