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
# SYNCTOP_SEARCH_PID and SYNCTOP_SEARCH_LOG. It returns 2, having started nothing, when
# /usr/bin/python3 is missing (Debian: python3).
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
	local pid=$1 state cmd
	[[ -n $pid && -r /proc/$pid/stat ]] || return 1
	state=$(sed -e 's/^.*) //' -e 's/ .*//' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z && $state != X ]] || return 1
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmd == *search_standin.py* ]]
}

# search__ping URL: GET / answers 200 within a second (an unauthenticated 401 counts: the
# server is up).
search__ping() {
	local code
	code=$(curl -s -k -o /dev/null -w '%{http_code}' --max-time 1 "$1/" 2>/dev/null) || return 1
	[[ $code == 200 || $code == 401 ]]
}

search_up() {
	local detach=0
	if [[ ${1:-} == --detach ]]; then
		detach=1
		shift
	fi
	local dir=${1:?usage: search_up [--detach] DIR}
	local bin pid port i scheme
	local -a args extra

	bin=$(search_bin) || return 2
	command -v curl >/dev/null 2>&1 || search__die "curl is missing (apt-get install curl)" || return 1
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd -P) || return 1
	: >"$dir/search.log"
	rm -f "$dir/search.port"

	args=("$search__here/search_standin.py" --port "${SYNCTOP_SEARCH_PORT_WANTED:-0}"
		--port-file "$dir/search.port" --log "$dir/search.log")
	if [[ -n ${SYNCTOP_SEARCH_ARGS:-} ]]; then
		read -r -a extra <<<"$SYNCTOP_SEARCH_ARGS"
		args+=("${extra[@]}")
	fi
	if ((detach)); then
		# Its own session: survives this shell, and a Ctrl-C meant for the caller.
		(cd / && exec setsid "$bin" "${args[@]}") </dev/null >>"$dir/search.log" 2>&1 &
	else
		(cd / && exec setpriv --pdeathsig TERM -- "$bin" "${args[@]}") \
			</dev/null >>"$dir/search.log" 2>&1 &
	fi
	pid=$!
	# Out of the job table: a caller's bare `wait` (for its own background jobs) must not wait
	# for the server. It stays our child (pdeathsig) and bash still reaps it.
	disown "$pid" 2>/dev/null
	printf '%s\n' "$pid" >"$dir/search.pid" # so that search_down can stop it from now on
	for ((i = 0; i < 250; i++)); do # 5 s; it takes about 80 ms
		kill -0 "$pid" 2>/dev/null || break
		if [[ -s $dir/search.port ]]; then
			port=$(<"$dir/search.port")
			scheme=http
			[[ ${SYNCTOP_SEARCH_ARGS:-} != *--tls-cert* ]] || scheme=https
			if search__ping "$scheme://127.0.0.1:$port"; then
				export SYNCTOP_SEARCH_PORT=$port SYNCTOP_SEARCH_PID=$pid
				export SYNCTOP_SEARCH_URL=$scheme://127.0.0.1:$port SYNCTOP_SEARCH_LOG=$dir/search.log
				return 0
			fi
		fi
		sleep 0.02
	done
	search__stop "$pid"
	wait "$pid" 2>/dev/null
	rm -f "$dir/search.pid"
	search__die "the search stand-in did not start; its log $dir/search.log:"
	tail -n 20 "$dir/search.log" >&2
	return 1
}

# search__stop PID: SIGTERM (and SIGCONT, for a server a test stopped), SIGKILL after 5 s.
search__stop() {
	local pid=$1 i
	search__is_ours "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	kill -CONT "$pid" 2>/dev/null
	for ((i = 0; i < 250; i++)); do # 5 s; it exits in about 0.2 s
		search__is_ours "$pid" || return 0
		sleep 0.02
	done
	printf 'search.sh: search stand-in %s still running after 5 s; sending SIGKILL\n' "$pid" >&2
	kill -KILL "$pid" 2>/dev/null
	return 1
}

search_log_tail() {
	local dir=${1:-} n=${2:-30}
	[[ -z $dir && -n ${SYNCTOP_SEARCH_LOG:-} ]] && dir=${SYNCTOP_SEARCH_LOG%/*}
	[[ -n $dir && -s $dir/search.log ]] || return 0
	printf -- '--- last %d lines of %s ---\n' "$n" "$dir/search.log"
	tail -n "$n" "$dir/search.log"
	printf -- '--- end of log ---\n'
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
