# shellcheck shell=bash
# graph.sh: start and stop the Neo4j stand-in (tests/stack/graph_standin.py) for
# the tests, the demo and the benches (source it).
#
#   . tests/stack/graph.sh
#   graph_up [--detach] DIR   start a stand-in on a free loopback port, its log, pid and port
#                             files in DIR
#   graph_down [--log] [DIR]  stop it (SIGTERM, wait); --log prints the tail of its log
#   graph_bin                 the path of the Python interpreter, or status 1 without one
#
# graph_up exports SYNCTOP_GRAPH_URL (http://127.0.0.1:PORT), SYNCTOP_GRAPH_PORT,
# SYNCTOP_GRAPH_PID and SYNCTOP_GRAPH_LOG. Beside the log, DIR/graph.requests records every
# client request (--record: one JSON line each, see standin_http.py; a test may truncate
# it). It returns 2, having started nothing, when /usr/bin/python3 is missing (Debian: python3).
#
# Neo4j itself is not part of the stack (no Debian package serves it): the stand-in serves the
# HTTP Query API that synctop's graph stage reads and synctop-indexer --graph-url writes (see the
# head of graph_standin.py), one database, neo4j, with no authentication unless
# SYNCTOP_GRAPH_ARGS says so. It binds 127.0.0.1 only and picks its own free port (port 0), so
# there is no race for a port. Without --detach it dies with the shell that started it
# (setpriv --pdeathsig). Knobs: SYNCTOP_GRAPH_PYTHON (the interpreter; default
# /usr/bin/python3), SYNCTOP_GRAPH_PORT_WANTED (a port to use rather than a free one),
# SYNCTOP_GRAPH_ARGS (more arguments, split on blanks, e.g. "--user neo4j --password-file F"
# to require Basic authentication, or "--database shop").

graph__here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/stack/daemon.sh
. "$graph__here/daemon.sh"

graph__die() {
	printf 'graph.sh: %s\n' "$*" >&2
	return 1
}

graph_bin() {
	local bin=${SYNCTOP_GRAPH_PYTHON:-/usr/bin/python3}
	[[ -x $bin ]] || return 1
	printf '%s' "$bin"
}

# A process that exists, is not a zombie, and runs the stand-in (guards against a recycled pid).
graph__is_ours() {
	daemon_is_ours "$1" graph_standin.py
}

# graph__ping URL: GET /_standin/nodes (a control endpoint: never recorded, never
# authenticated) answers 200 within a second.
graph__ping() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1/_standin/nodes" 2>/dev/null) || return 1
	[[ $code == 200 ]]
}

# graph__ready DIR PID: the stand-in of DIR answers; exports its variables (see the head).
graph__ready() {
	local dir=$1 port
	[[ -s $dir/graph.port ]] || return 1
	port=$(<"$dir/graph.port")
	graph__ping "http://127.0.0.1:$port" || return 1
	export SYNCTOP_GRAPH_PORT=$port SYNCTOP_GRAPH_PID=$2
	export SYNCTOP_GRAPH_URL=http://127.0.0.1:$port SYNCTOP_GRAPH_LOG=$dir/graph.log
}

graph_up() {
	local detach=0
	if [[ ${1:-} == --detach ]]; then
		detach=1
		shift
	fi
	local dir=${1:?usage: graph_up [--detach] DIR}
	local bin pid
	local -a args extra launch=(--pdeathsig TERM --disown)
	((detach)) && launch=(--detach --disown)

	bin=$(graph_bin) || return 2
	command -v curl >/dev/null 2>&1 || graph__die "curl is missing (apt-get install curl)" || return 1
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd -P) || return 1
	: >"$dir/graph.log"
	: >"$dir/graph.requests"
	rm -f "$dir/graph.port"

	args=("$graph__here/graph_standin.py" --port "${SYNCTOP_GRAPH_PORT_WANTED:-0}"
		--port-file "$dir/graph.port" --log "$dir/graph.log" --record "$dir/graph.requests")
	if [[ -n ${SYNCTOP_GRAPH_ARGS:-} ]]; then
		read -r -a extra <<<"$SYNCTOP_GRAPH_ARGS"
		args+=("${extra[@]}")
	fi
	# --disown: out of the job table, so that a caller's bare `wait` (for its own background
	# jobs) does not wait for the server. It stays our child (pdeathsig) and bash still reaps it.
	daemon_start "${launch[@]}" "$dir/graph.log" "$dir/graph.pid" "$bin" "${args[@]}"
	pid=$DAEMON_PID
	daemon_wait "$pid" 250 0.02 graph__ready "$dir" "$pid" && return 0 # 5 s; it takes about 80 ms
	graph__stop "$pid"
	wait "$pid" 2>/dev/null
	rm -f "$dir/graph.pid"
	daemon_fail graph.sh "the Neo4j stand-in did not start" "$dir/graph.log"
}

# graph__stop PID: SIGTERM (and SIGCONT, for a server a test stopped), SIGKILL after 5 s (it
# exits in about 0.2 s).
graph__stop() {
	daemon_stop "graph.sh: Neo4j stand-in" "$1" TERM 5 KILL 0 graph_standin.py
}

graph_log_tail() {
	local dir=${1:-}
	[[ -z $dir && -n ${SYNCTOP_GRAPH_LOG:-} ]] && dir=${SYNCTOP_GRAPH_LOG%/*}
	[[ -n $dir ]] || return 0
	daemon_log_tail "$dir/graph.log" "${2:-30}"
}

graph_down() {
	local show_log=0
	if [[ ${1:-} == --log ]]; then
		show_log=1
		shift
	fi
	local dir=${1:-} pid rc=0
	[[ -z $dir && -n ${SYNCTOP_GRAPH_LOG:-} ]] && dir=${SYNCTOP_GRAPH_LOG%/*}
	[[ -n $dir && -d $dir ]] || return 0
	pid=$(cat "$dir/graph.pid" 2>/dev/null) || pid=
	if [[ -n $pid ]]; then
		graph__stop "$pid" || rc=1
		wait "$pid" 2>/dev/null # reap it when it is our child
	fi
	rm -f "$dir/graph.pid" "$dir/graph.port"
	((show_log)) && graph_log_tail "$dir" >&2
	if [[ $dir/graph.log == "${SYNCTOP_GRAPH_LOG:-}" ]]; then
		unset SYNCTOP_GRAPH_PORT SYNCTOP_GRAPH_PID SYNCTOP_GRAPH_URL SYNCTOP_GRAPH_LOG
	fi
	return "$rc"
}
