# shellcheck shell=bash
# search.sh: start and stop the Elasticsearch stand-in (tests/stack/search_standin.py) for the
# tests, the demo and the benches (source it).
#
#   . tests/stack/search.sh
#   search_up [--detach] DIR   start a stand-in on a free loopback port, its log, pid and port
#                              files in DIR
#   search_down [--log] [DIR]  stop it (SIGTERM, wait); --log prints the tail of its log
#   search_bin                 the path of the Python interpreter, or status 1 without one
#
# search_up exports SYNCTOP_SEARCH_URL (http://127.0.0.1:PORT), SYNCTOP_SEARCH_PORT,
# SYNCTOP_SEARCH_PID and SYNCTOP_SEARCH_LOG. Beside the log, DIR/search.requests records every
# client request (--record: one JSON line each, see standin_http.py; a test may truncate
# it). It returns 2, having started nothing, when /usr/bin/python3 is missing (Debian: python3).
#
# Elasticsearch itself cannot be installed here: the stand-in serves the ES 8 responses that
# synctop reads, with ES's refresh semantics, and fault injection under /_standin/ (see the
# head of search_standin.py). It binds 127.0.0.1 only and picks its own free port (port 0),
# so there is no race for a port. Without --detach it dies with the shell that started it
# (setpriv --pdeathsig). Knobs: SYNCTOP_SEARCH_PYTHON (the interpreter; default
# /usr/bin/python3: a pyenv shim on PATH costs ~100 ms a call), SYNCTOP_SEARCH_PORT_WANTED
# (a port to use rather than a free one), SYNCTOP_SEARCH_ARGS (more arguments, split on
# blanks, e.g. "--user elastic --password-file F" or "--api-key-file F" to require
# authentication, or "--flavor opensearch").

search__here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/stack/daemon.sh
. "$search__here/daemon.sh"

search__die() {
	printf 'search.sh: %s\n' "$*" >&2
	return 1
}

search_bin() {
	local bin=${SYNCTOP_SEARCH_PYTHON:-/usr/bin/python3}
	[[ -x $bin ]] || return 1
	printf '%s' "$bin"
}

# A process that exists, is not a zombie, and runs the stand-in (guards against a recycled pid).
search__is_ours() {
	daemon_is_ours "$1" search_standin.py
}

# search__ping URL: GET / answers 200 within a second (an unauthenticated 401 counts: the
# server is up).
search__ping() {
	local code
	code=$(curl -s -k -o /dev/null -w '%{http_code}' --max-time 1 "$1/" 2>/dev/null) || return 1
	[[ $code == 200 || $code == 401 ]]
}

# search__ready DIR PID: the stand-in of DIR answers; exports its variables (see the head).
search__ready() {
	local dir=$1 port scheme=http
	[[ -s $dir/search.port ]] || return 1
	port=$(<"$dir/search.port")
	[[ ${SYNCTOP_SEARCH_ARGS:-} != *--tls-cert* ]] || scheme=https
	search__ping "$scheme://127.0.0.1:$port" || return 1
	export SYNCTOP_SEARCH_PORT=$port SYNCTOP_SEARCH_PID=$2
	export SYNCTOP_SEARCH_URL=$scheme://127.0.0.1:$port SYNCTOP_SEARCH_LOG=$dir/search.log
}

search_up() {
	local detach=0
	if [[ ${1:-} == --detach ]]; then
		detach=1
		shift
	fi
	local dir=${1:?usage: search_up [--detach] DIR}
	local bin pid
	local -a args extra launch=(--pdeathsig TERM --disown)
	((detach)) && launch=(--detach --disown)

	bin=$(search_bin) || return 2
	command -v curl >/dev/null 2>&1 || search__die "curl is missing (apt-get install curl)" || return 1
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd -P) || return 1
	: >"$dir/search.log"
	: >"$dir/search.requests"
	rm -f "$dir/search.port"

	args=("$search__here/search_standin.py" --port "${SYNCTOP_SEARCH_PORT_WANTED:-0}"
		--port-file "$dir/search.port" --log "$dir/search.log" --record "$dir/search.requests")
	if [[ -n ${SYNCTOP_SEARCH_ARGS:-} ]]; then
		read -r -a extra <<<"$SYNCTOP_SEARCH_ARGS"
		args+=("${extra[@]}")
	fi
	# --disown: out of the job table, so that a caller's bare `wait` (for its own background
	# jobs) does not wait for the server. It stays our child (pdeathsig) and bash still reaps it.
	daemon_start "${launch[@]}" "$dir/search.log" "$dir/search.pid" "$bin" "${args[@]}"
	pid=$DAEMON_PID
	daemon_wait "$pid" 250 0.02 search__ready "$dir" "$pid" && return 0 # 5 s; it takes about 80 ms
	search__stop "$pid"
	wait "$pid" 2>/dev/null
	rm -f "$dir/search.pid"
	daemon_fail search.sh "the search stand-in did not start" "$dir/search.log"
}

# search__stop PID: SIGTERM (and SIGCONT, for a server a test stopped), SIGKILL after 5 s (it
# exits in about 0.2 s).
search__stop() {
	daemon_stop "search.sh: search stand-in" "$1" TERM 5 KILL 0 search_standin.py
}

search_log_tail() {
	local dir=${1:-}
	[[ -z $dir && -n ${SYNCTOP_SEARCH_LOG:-} ]] && dir=${SYNCTOP_SEARCH_LOG%/*}
	[[ -n $dir ]] || return 0
	daemon_log_tail "$dir/search.log" "${2:-30}"
}

search_down() {
	local show_log=0
	if [[ ${1:-} == --log ]]; then
		show_log=1
		shift
	fi
	local dir=${1:-} pid rc=0
	[[ -z $dir && -n ${SYNCTOP_SEARCH_LOG:-} ]] && dir=${SYNCTOP_SEARCH_LOG%/*}
	[[ -n $dir && -d $dir ]] || return 0
	pid=$(cat "$dir/search.pid" 2>/dev/null) || pid=
	if [[ -n $pid ]]; then
		search__stop "$pid" || rc=1
		wait "$pid" 2>/dev/null # reap it when it is our child
	fi
	rm -f "$dir/search.pid" "$dir/search.port"
	((show_log)) && search_log_tail "$dir" >&2
	if [[ $dir/search.log == "${SYNCTOP_SEARCH_LOG:-}" ]]; then
		unset SYNCTOP_SEARCH_PORT SYNCTOP_SEARCH_PID SYNCTOP_SEARCH_URL SYNCTOP_SEARCH_LOG
	fi
	return "$rc"
}
