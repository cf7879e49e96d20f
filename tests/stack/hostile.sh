# shellcheck shell=bash
# hostile.sh: start and stop tests/stack/hostile_server.py (a Redis, HTTP or PostgreSQL server
# that hangs, trickles, streams an endless reply, talks garbage or answers what it is told),
# for tests that prove synctop's deadlines and caps. Sourced, never run.
#
#   hostile_up PROTO MODE [ARGS...]   starts one on a free loopback port (ARGS: more options of
#                                     hostile_server.py, e.g. --error TEXT); sets HOSTILE_PORT
#                                     and HOSTILE_PID; a test stops it with hostile_down (or
#                                     at exit: at_exit hostile_down "$HOSTILE_PID")
#   hostile_down PID                  stops it
#   maxrss_run OUTFILE CMD...         runs CMD, writes the peak resident size (kB) of CMD and
#                                     its children to OUTFILE; returns CMD's exit status

# shellcheck source=tests/stack/daemon.sh
. "$(dirname "${BASH_SOURCE[0]}")/daemon.sh"

hostile_up() {
	local proto=$1 mode=$2 dir
	shift 2
	dir=$(mktemp -d "${TMPDIR:-/tmp}/synctop-hostile.XXXXXX") || return 1
	/usr/bin/python3 "${top_srcdir:-.}/tests/stack/hostile_server.py" --proto "$proto" --mode "$mode" \
		--port-file "$dir/port" "$@" >"$dir/log" 2>&1 &
	HOSTILE_PID=$!
	daemon_wait "$HOSTILE_PID" 200 0.02 test -s "$dir/port" # 4 s
	HOSTILE_PORT=$(<"$dir/port") 2>/dev/null
	rm -rf "$dir"
	[[ -n $HOSTILE_PORT ]]
}

hostile_down() {
	if kill -0 "$1" 2>/dev/null; then
		{ kill -TERM "$1" && wait "$1"; } 2>/dev/null
	fi
	return 0
}

maxrss_run() {
	local out=$1
	shift
	/usr/bin/python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc if rc >= 0 else 128 - rc)' "$out" "$@"
}
