#!/usr/bin/env bash
# bg_lib.sh: processes a test runs in the background, sourced by lib.sh (not run).
# ----------------------------------------------------------------------
# Background processes (the reference workers' tests: relay.sh, indexer.sh)
# ----------------------------------------------------------------------
# kill_ours PID: SIGKILL to PID, a child of this shell, if it is still running (at_exit kill_ours PID).
kill_ours() {
	if kill -0 "$1" 2>/dev/null; then
		{ kill -KILL "$1" && wait "$1"; } 2>/dev/null
	fi
	return 0
}

# stop_bg PID [SECONDS]: SIGTERM to PID, a child of this shell; its exit status in STOP_RC (124 if
# still running after SECONDS, 10 by default: then killed) and the time it took in STOP_MS.
stop_bg() {
	local i t0 tries=$((${2:-10} * 50))
	t0=$(now_ms)
	kill -TERM "$1" 2>/dev/null
	for ((i = 0; i < tries; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.02
	done
	# shellcheck disable=SC2034 # STOP_RC, STOP_MS: for the test that called us
	if kill -0 "$1" 2>/dev/null; then
		kill_ours "$1"
		STOP_RC=124
	else
		wait "$1"
		STOP_RC=$?
	fi
	# shellcheck disable=SC2034
	STOP_MS=$(($(now_ms) - t0))
}
