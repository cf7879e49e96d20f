#!/usr/bin/env bash
# connect_lib.sh: the Kafka Connect stand-in's helpers, sourced by lib.sh (not run).
# shellcheck disable=SC2154 # top_srcdir: lib.sh's
# ----------------------------------------------------------------------
# Kafka Connect (the REST API stand-in of tests/stack/connect.sh)
# Connect: need_connect: use the running stack's Kafka Connect stand-in (SYNCTOP_CONNECT_URL
#         set) or start a private one torn down at exit; skips the whole test when
#         /usr/bin/python3 is missing. ccurl PATH [CURL-ARGS...]: curl -sS --max-time 5 (JSON
#         content type) on $SYNCTOP_CONNECT_URL/PATH, prints the body. connect_up_extra: one
#         more throwaway stand-in, given SYNCTOP_CONNECT_ARGS (e.g. auth, connectors)
#         (EXTRA_CONNECT_URL, EXTRA_CONNECT_PORT, EXTRA_CONNECT_PID, EXTRA_CONNECT_DIR).
# ----------------------------------------------------------------------
# shellcheck source=tests/stack/connect.sh
. "$top_srcdir/tests/stack/connect.sh"

need_connect() {
	_lib_need_standin connect "Kafka Connect stand-in"
}

_lib_connect_down() {
	_lib_down connect "$1"
}

# ccurl PATH [CURL-ARGS...]: a request to the test's Connect stand-in (5 s deadline); prints
# the body. PATH starts with a slash, e.g. ccurl /connectors/products-sink/status or
# ccurl /connectors/products-sink/pause -XPUT.
ccurl() {
	local path=$1
	shift
	curl -sS --max-time 5 -H 'Content-Type: application/json' "$@" "$SYNCTOP_CONNECT_URL$path"
}

# connect_up_extra: one more throwaway stand-in beside the one the test uses (which stays the
# one SYNCTOP_CONNECT_* name), started with SYNCTOP_CONNECT_ARGS (e.g. "--user connect
# --password-file F"). Sets EXTRA_CONNECT_URL, EXTRA_CONNECT_PORT, EXTRA_CONNECT_PID,
# EXTRA_CONNECT_DIR (give it to connect_down to stop it early); stopped at exit.
connect_up_extra() {
	_lib_up_extra connect
}
