#!/usr/bin/env bash
# write_modes.sh: the write executor exists only in a mode that may write. Each mode says in the
# log file (SYNCTOP_TRACE_EXECUTOR set) whether its poller holds one: none under --once (or
# a redirected output), --read-only, read_only = true and --wallboard; one on the plain screen.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd tmux
tui_init

# Nothing listens on port 1: the stages read as unknown, which changes nothing here.
# mkconf_mode NAME [SYNCTOP-LINE...]: $TEST_TMP/NAME.conf logging to $TEST_TMP/NAME.log.
mkconf_mode() {
	local name=$1
	shift
	{
		echo "[synctop]"
		echo "log_file = $TEST_TMP/$name.log"
		echo "timeout = 1s"
		printf '%s\n' "$@"
		echo "[postgres shop]"
		echo "conninfo = host=127.0.0.1 port=1 dbname=x user=u"
		echo "[pipeline products]"
		echo "outbox = shop"
	} >"$TEST_TMP/$name.conf"
	chmod 600 "$TEST_TMP/$name.conf"
}

# The executor lines of a log, the timestamp and pid cut off (none: "").
executor_lines() {
	[[ -f $1 ]] || return 0
	sed -n 's/^[0-9T:Z-]* synctop\[[0-9]*\]: \(write executor: .*\)$/\1/p' "$1"
}

# screen_mode NAME WANT [ARGS...]: runs the screen with ARGS until it has drawn, quits it with
# q, and checks the one executor line of its log.
screen_mode() {
	local name=$1 want=$2
	shift 2
	mkconf_mode "$name" "${MODE_LINES[@]}"
	tui_start "$name" SYNCTOP_TRACE_EXECUTOR=1 -- -c "$TEST_TMP/$name.conf" "$@"
	ok "$name: the screen is up" wait_for "products"
	send q
	ok "$name: q quits with exit 0" wait_for EXIT=0
	is "$(executor_lines "$TEST_TMP/$name.log")" "$want" "$name: $want"
}

MODE_LINES=()
screen_mode plain "write executor: ready"
screen_mode read-only "write executor: none (read-only: --read-only)" --read-only
screen_mode wallboard "write executor: none (read-only: --wallboard)" --wallboard
screen_mode wallboard-ro "write executor: none (read-only: --wallboard)" --wallboard --read-only
MODE_LINES=("read_only = true")
screen_mode config-ro "write executor: none (read-only: read_only = true)"
MODE_LINES=()

# --once, and a redirected output (which runs as --once).
mkconf_mode once
SYNCTOP_TRACE_EXECUTOR=1 run_once -c "$TEST_TMP/once.conf" --once-window 0
is "$RUN_RC" 3 "--once: exit 3 (the stage is unknown)"
is "$(executor_lines "$TEST_TMP/once.log")" "write executor: none (read-only: --once)" \
	"--once: write executor: none"
mkconf_mode piped
SYNCTOP_TRACE_EXECUTOR=1 run_synctop -c "$TEST_TMP/piped.conf" --once-window 0
is "$(executor_lines "$TEST_TMP/piped.log")" "write executor: none (read-only: --once)" \
	"output redirected: write executor: none"

# Without the variable the log has no such line: the trace is for tests, not for every log.
mkconf_mode quiet
tui_start quiet -- -c "$TEST_TMP/quiet.conf"
ok "quiet: the screen is up" wait_for "products"
send q
ok "quiet: q quits with exit 0" wait_for EXIT=0
is "$(executor_lines "$TEST_TMP/quiet.log")" "" "without SYNCTOP_TRACE_EXECUTOR: no executor line"

done_testing
