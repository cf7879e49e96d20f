# shellcheck shell=bash
# tui_lib.sh: drive synctop's screen through a real terminal: a private tmux server, one
# session per synctop, the pane read back as text. Source it after lib.sh.
#
#   tui_init                       start the private tmux server (killed at exit)
#   tui_start NAME [VAR=VALUE...] -- ARGS...
#                                  run `synctop ARGS` in a new session NAME (TUI_COLS x TUI_ROWS,
#                                  default 120x35) as `sh -c 'synctop ARGS; echo EXIT=$?; sleep 60'`
#                                  (the shell survives a Ctrl-C meant for synctop),
#                                  with a pinned environment (LANG=C.UTF-8, TZ=UTC, no LC_*,
#                                  NO_COLOR or PG*; TERM as tmux sets it) plus VAR=VALUE...;
#                                  makes NAME the current session; TUI_STDIN=FILE redirects its stdin
#   tui_use NAME                   make NAME the current session
#   screen                         the current pane as text (capture-pane -p)
#   screen_sgr                     the same with its attributes as SGR sequences (capture-pane -p -e)
#   send KEYS...                   tmux send-keys to the current pane (key names: Enter, Escape...)
#   send_text TEXT                 the characters of TEXT, literally
#   wait_for TEXT                  poll the pane every 50 ms until it contains TEXT (up to TUI_WAIT
#                                  seconds, default 5); SCREEN holds the last capture; on a
#                                  timeout the screen is printed as a diagnostic
#   wait_like ERE / wait_gone TEXT like wait_for: until a line matches ERE / until TEXT is gone
#   wait_polled TEXT               like wait_for, and the header says a round of polls completed
#                                  (`every N` without `first poll running`): every stage has
#                                  been read at least once
#   wait_until PRED [ARGS...]      until `PRED ARGS...` succeeds (PRED reads the capture in $SCREEN)
#   synctop_pid                    the pid of synctop in the current pane (empty once it exited)
#   pane_lines PIPELINE [TEXT]     the lines of that pipeline's pane in TEXT (default $SCREEN),
#                                  from its top border to its bottom border
#   line_of ERE [TEXT]             the number (1-based) of the first line matching ERE, or 0
#   has_color_sgr TEXT             true when an SGR sequence in TEXT sets a colour
#   screen_whole COLS ROWS         $SCREEN is a whole frame: no line wider than COLS, a top border
#                                  COLS wide, ROWS lines down to the footer (capture-pane leaves out
#                                  trailing blank lines: a frame drawn half-way has fewer)

TUI_COLS=${TUI_COLS:-120}
TUI_ROWS=${TUI_ROWS:-35}
TUI_WAIT=${TUI_WAIT:-5}
TUI_SOCKET=synctop-test-$$
TUI_SESSION=
SCREEN=

# tmux with a clean environment: the server (and so every pane) starts from this, never from
# the caller's TMUX, TERM, LC_*, NO_COLOR or PG* variables.
tmx() {
	# Sanitizer settings pass through, so that a --enable-sanitizers build is checked in panes too.
	local -a san=()
	local v
	for v in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
		[[ -n ${!v:-} ]] && san+=("$v=${!v}")
	done
	env -i PATH="$PATH" HOME="${HOME:-/}" LC_ALL=C.UTF-8 "${san[@]}" \
		tmux -L "$TUI_SOCKET" -f /dev/null "$@"
}

tui_init() {
	require_cmd tmux
	local term=screen-256color
	infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color
	# A placeholder session keeps the server up between the sessions of the test.
	tmx new-session -d -s _keep -x "$TUI_COLS" -y "$TUI_ROWS" 'sleep 3600' ||
		bail_out "cannot start a tmux server"
	at_exit _tui_down
	tmx set-option -g default-shell /bin/sh \; \
		set-option -g default-terminal "$term" \; \
		set-option -g history-limit 0 \; \
		set-option -g escape-time 0 >/dev/null ||
		bail_out "cannot configure the tmux server"
	diag "$(tmux -V) on socket $TUI_SOCKET, panes with TERM=$term"
}

_tui_down() {
	tmx kill-server 2>/dev/null || true
}

tui_start() {
	local name=$1
	shift
	local -a envs=()
	while (($#)) && [[ $1 != -- ]]; do
		envs+=("$1")
		shift
	done
	[[ ${1:-} == -- ]] && shift
	local cmd
	cmd=$(printf '%q ' env -u LC_ALL -u LC_CTYPE -u LC_MESSAGES -u LANGUAGE -u NO_COLOR \
		-u COLORTERM -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGPASSWORD \
		LANG=C.UTF-8 TZ=UTC "${envs[@]}" "$SYNCTOP" "$@")
	[[ -z ${TUI_STDIN:-} ]] || cmd+=$(printf '<%q' "$TUI_STDIN")
	tmx new-session -d -s "$name" -x "$TUI_COLS" -y "$TUI_ROWS" \
		"trap : INT; $cmd; echo EXIT=\$?; sleep 60" || bail_out "cannot start tmux session $name"
	TUI_SESSION=$name
}

tui_use() {
	TUI_SESSION=$1
}

screen() {
	tmx capture-pane -p -t "$TUI_SESSION"
}

screen_sgr() {
	tmx capture-pane -p -e -t "$TUI_SESSION"
}

send() {
	tmx send-keys -t "$TUI_SESSION" "$@"
}

send_text() {
	tmx send-keys -t "$TUI_SESSION" -l -- "$1"
}

_tui_now_ms() {
	local us=${EPOCHREALTIME//[!0-9]/}
	echo $((us / 1000))
}

# wait_until PRED [ARGS...]: polls the pane until PRED ARGS... succeeds; PRED reads $SCREEN.
wait_until() {
	local deadline
	deadline=$(($(_tui_now_ms) + TUI_WAIT * 1000))
	while :; do
		SCREEN=$(screen)
		"$@" && return 0
		(($(_tui_now_ms) < deadline)) || break
		sleep 0.05
	done
	diag "waited ${TUI_WAIT}s in session $TUI_SESSION for: ${*:2}"
	diag "the screen was:"
	diag "$SCREEN"
	return 1
}

# The predicates take the pattern first, so that `wait_until` can pass them along; SCREEN is
# set by wait_until before each call.
_tui_has() { [[ $SCREEN == *"$1"* ]]; }
_tui_lacks() { [[ $SCREEN != *"$1"* ]]; }
_tui_like() { grep -Eq -- "$1" <<<"$SCREEN"; }
_tui_polled() {
	local head=${SCREEN%%$'\n'*}
	[[ $head == *" every "* && $head != *"first poll running"* && $SCREEN == *"$1"* ]]
}

wait_for() { wait_until _tui_has "$1"; }
wait_gone() { wait_until _tui_lacks "$1"; }
wait_like() { wait_until _tui_like "$1"; }
wait_polled() { wait_until _tui_polled "$1"; }

synctop_pid() {
	local shell_pid
	shell_pid=$(tmx display-message -p -t "$TUI_SESSION" '#{pane_pid}' 2>/dev/null) || return 0
	pgrep -P "$shell_pid" -x synctop 2>/dev/null | head -n 1
}

pane_lines() {
	local name=$1 text=${2-$SCREEN} line in=0
	while IFS= read -r line; do
		if ((in)); then
			printf '%s\n' "$line"
			[[ $line == └* ]] && break
		elif [[ $line == "┌─ $name "* ]]; then
			in=1
			printf '%s\n' "$line"
		fi
	done <<<"$text"
}

line_of() {
	local n
	n=$(grep -En -m 1 -- "$1" <<<"${2-$SCREEN}" | cut -d: -f1)
	echo "${n:-0}"
}

# Colour: 30-37, 38 (extended), 40-47, 48, 90-97, 100-107. Not colour: 39/49 (the default
# colours), bold, dim, reverse, underline, reset.
has_color_sgr() {
	local seq p
	local -a ps
	while IFS= read -r seq; do
		seq=${seq#$'\e['}
		IFS=';:' read -r -a ps <<<"${seq%m}"
		for p in "${ps[@]}"; do
			case $p in
			3[0-8] | 4[0-8] | 9[0-7] | 10[0-7]) return 0 ;;
			esac
		done
	done < <(grep -o $'\e\\[[0-9;:]*m' <<<"$1")
	return 1
}

screen_whole() {
	local line top=0
	while IFS= read -r line; do
		((${#line} <= $1)) || return 1
		[[ $line == ┌*┐ ]] && ((${#line} == $1)) && top=1
	done <<<"$SCREEN"
	((top)) && (($(count_lines "$SCREEN") == $2))
}
