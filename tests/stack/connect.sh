# shellcheck shell=bash
# connect.sh: start and stop the Kafka Connect stand-in (tests/stack/connect_standin.py) for
# the tests, the demo and the benches (source it).
#
#   . tests/stack/connect.sh
#   connect_up [--detach] DIR   start a stand-in on a free loopback port, its log, pid and port
#                               files in DIR
#   connect_down [--log] [DIR]  stop it (SIGTERM, wait); --log prints the tail of its log
#   connect_bin                 the path of the Python interpreter, or status 1 without one
#
# connect_up exports SYNCTOP_CONNECT_URL (http://127.0.0.1:PORT), SYNCTOP_CONNECT_PORT,
# SYNCTOP_CONNECT_PID and SYNCTOP_CONNECT_LOG. Beside the log, DIR/connect.requests records every
# client request (--record: one JSON line each, see standin_http.py; a test may truncate
# it). It returns 2, having started nothing, when /usr/bin/python3 is missing (Debian: python3).
#
# Kafka Connect itself is not part of the stack: the stand-in serves the Connect REST API
# (3.x) that synctop reads and acts on, with Connect's state machine (a FAILED task under a
# RUNNING connector; a plain restart leaves it FAILED; restart?includeTasks=true goes
# RESTARTING then RUNNING), and fault injection under /_standin/ (see the head of
# connect_standin.py). It binds 127.0.0.1 only and picks its own free port (port 0), so there
# is no race for a port. Without --detach it dies with the shell that started it
# (setpriv --pdeathsig). Knobs: SYNCTOP_CONNECT_PYTHON (the interpreter; default
# /usr/bin/python3), SYNCTOP_CONNECT_PORT_WANTED (a port to use rather than a free one),
# SYNCTOP_CONNECT_ARGS (more arguments, split on blanks, e.g. "--user connect --password-file
# F" to require Basic authentication, or "--restart-ms 500"). The stand-in starts with the
# sink connector products-sink (2 tasks, topic shop.products) unless SYNCTOP_CONNECT_ARGS
# names connectors itself ("--connector NAME:TASKS[:TOPICS]", repeated; "--connector none"
# for none).

connect__here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/stack/daemon.sh
. "$connect__here/daemon.sh"

connect__die() {
	printf 'connect.sh: %s\n' "$*" >&2
	return 1
}

connect_bin() {
	local bin=${SYNCTOP_CONNECT_PYTHON:-/usr/bin/python3}
	[[ -x $bin ]] || return 1
	printf '%s' "$bin"
}

# A process that exists, is not a zombie, and runs the stand-in (guards against a recycled pid).
connect__is_ours() {
	daemon_is_ours "$1" connect_standin.py
}

# connect__ping URL: GET / answers 200 within a second (an unauthenticated 401 counts: the
# server is up).
connect__ping() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1/" 2>/dev/null) || return 1
	[[ $code == 200 || $code == 401 ]]
}

# connect__ready DIR PID: the stand-in of DIR answers; exports its variables (see the head).
connect__ready() {
	local dir=$1 port
	[[ -s $dir/connect.port ]] || return 1
	port=$(<"$dir/connect.port")
	connect__ping "http://127.0.0.1:$port" || return 1
	export SYNCTOP_CONNECT_PORT=$port SYNCTOP_CONNECT_PID=$2
	export SYNCTOP_CONNECT_URL=http://127.0.0.1:$port SYNCTOP_CONNECT_LOG=$dir/connect.log
}

connect_up() {
	local detach=0
	if [[ ${1:-} == --detach ]]; then
		detach=1
		shift
	fi
	local dir=${1:?usage: connect_up [--detach] DIR}
	local bin pid
	local -a args extra launch=(--pdeathsig TERM --disown)
	((detach)) && launch=(--detach --disown)

	bin=$(connect_bin) || return 2
	command -v curl >/dev/null 2>&1 || connect__die "curl is missing (apt-get install curl)" || return 1
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd -P) || return 1
	: >"$dir/connect.log"
	: >"$dir/connect.requests"
	rm -f "$dir/connect.port"

	args=("$connect__here/connect_standin.py" --port "${SYNCTOP_CONNECT_PORT_WANTED:-0}"
		--port-file "$dir/connect.port" --log "$dir/connect.log" --record "$dir/connect.requests")
	if [[ -n ${SYNCTOP_CONNECT_ARGS:-} ]]; then
		read -r -a extra <<<"$SYNCTOP_CONNECT_ARGS"
		args+=("${extra[@]}")
	fi
	[[ " ${extra[*]:-} " == *" --connector "* ]] || args+=(--connector products-sink:2)
	# --disown: out of the job table, so that a caller's bare `wait` (for its own background
	# jobs) does not wait for the server. It stays our child (pdeathsig) and bash still reaps it.
	daemon_start "${launch[@]}" "$dir/connect.log" "$dir/connect.pid" "$bin" "${args[@]}"
	pid=$DAEMON_PID
	daemon_wait "$pid" 250 0.02 connect__ready "$dir" "$pid" && return 0 # 5 s; it takes about 80 ms
	connect__stop "$pid"
	wait "$pid" 2>/dev/null
	rm -f "$dir/connect.pid"
	daemon_fail connect.sh "the Kafka Connect stand-in did not start" "$dir/connect.log"
}

# connect__stop PID: SIGTERM (and SIGCONT, for a server a test stopped), SIGKILL after 5 s (it
# exits in about 0.2 s).
connect__stop() {
	daemon_stop "connect.sh: Kafka Connect stand-in" "$1" TERM 5 KILL 0 connect_standin.py
}

connect_log_tail() {
	local dir=${1:-}
	[[ -z $dir && -n ${SYNCTOP_CONNECT_LOG:-} ]] && dir=${SYNCTOP_CONNECT_LOG%/*}
	[[ -n $dir ]] || return 0
	daemon_log_tail "$dir/connect.log" "${2:-30}"
}

connect_down() {
	local show_log=0
	if [[ ${1:-} == --log ]]; then
		show_log=1
		shift
	fi
	local dir=${1:-} pid rc=0
	[[ -z $dir && -n ${SYNCTOP_CONNECT_LOG:-} ]] && dir=${SYNCTOP_CONNECT_LOG%/*}
	[[ -n $dir && -d $dir ]] || return 0
	pid=$(cat "$dir/connect.pid" 2>/dev/null) || pid=
	if [[ -n $pid ]]; then
		connect__stop "$pid" || rc=1
		wait "$pid" 2>/dev/null # reap it when it is our child
	fi
	rm -f "$dir/connect.pid" "$dir/connect.port"
	((show_log)) && connect_log_tail "$dir" >&2
	if [[ $dir/connect.log == "${SYNCTOP_CONNECT_LOG:-}" ]]; then
		unset SYNCTOP_CONNECT_PORT SYNCTOP_CONNECT_PID SYNCTOP_CONNECT_URL SYNCTOP_CONNECT_LOG
	fi
	return "$rc"
}
