# shellcheck shell=bash
# mongo.sh: start and stop the MongoDB wire-protocol stand-in (tests/stack/mongo_standin.py) for
# the tests and the demo (source it).
#
#   . tests/stack/mongo.sh
#   mongo_up [--detach] DIR    start a stand-in on free loopback ports (the wire and the HTTP
#                              control), its files in DIR
#   mongo_down [--log] [DIR]   stop it (SIGTERM, wait); --log prints the tail of its log
#   mongo_bin                  the path of the Python interpreter, or status 1 without one or
#                              without Debian's python3-bson
#
# mongo_up exports SYNCTOP_MONGO_PORT (the wire), SYNCTOP_MONGO_CONTROL
# (http://127.0.0.1:CONTROL-PORT), SYNCTOP_MONGO_PASSWORD_FILE (DIR/mongo.password, made 0600
# with a random password), SYNCTOP_MONGO_URI (mongodb://synctop:PASSWORD@127.0.0.1:PORT/: a
# secret, never print it), SYNCTOP_MONGO_RECORD (DIR/mongo.commands: --record, one JSON line
# per command a client sent; a test may truncate it), SYNCTOP_MONGO_LOG and SYNCTOP_MONGO_PID.
# The user synctop lives in the admin database (a URI's default authSource). Knobs:
# SYNCTOP_MONGO_NO_AUTH=1 (no authentication; SYNCTOP_MONGO_URI then has no credentials),
# SYNCTOP_MONGO_ARGS (more arguments, split on blanks, e.g. "--auth-db shop"). It returns 2,
# having started nothing, when /usr/bin/python3 or python3-bson is missing. Without --detach
# it dies with the shell that started it (setpriv --pdeathsig).

mongo__here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/stack/daemon.sh
. "$mongo__here/daemon.sh"

mongo_bin() {
	local bin=${SYNCTOP_MONGO_PYTHON:-/usr/bin/python3}
	[[ -x $bin ]] && "$bin" -c 'import bson' 2>/dev/null || return 1
	printf '%s' "$bin"
}

# mongo__ping CONTROL-URL: the control port answers within a second.
mongo__ping() {
	curl -sf -o /dev/null --max-time 1 "$1/_standin/fault" 2>/dev/null
}

# mongo__ready DIR PID: both ports written and the control port answers; exports the variables.
mongo__ready() {
	local dir=$1 port control pass
	[[ -s $dir/mongo.port && -s $dir/mongo.control ]] || return 1
	port=$(<"$dir/mongo.port") control=http://127.0.0.1:$(<"$dir/mongo.control")
	mongo__ping "$control" || return 1
	export SYNCTOP_MONGO_PORT=$port SYNCTOP_MONGO_CONTROL=$control SYNCTOP_MONGO_PID=$2
	export SYNCTOP_MONGO_LOG=$dir/mongo.log SYNCTOP_MONGO_RECORD=$dir/mongo.commands
	export SYNCTOP_MONGO_PASSWORD_FILE=$dir/mongo.password
	if ((${SYNCTOP_MONGO_NO_AUTH:-0})); then
		export SYNCTOP_MONGO_URI=mongodb://127.0.0.1:$port/
	else
		pass=$(<"$dir/mongo.password")
		export SYNCTOP_MONGO_URI=mongodb://synctop:$pass@127.0.0.1:$port/
	fi
}

mongo_up() {
	local detach=0
	if [[ ${1:-} == --detach ]]; then
		detach=1
		shift
	fi
	local dir=${1:?usage: mongo_up [--detach] DIR}
	local bin pid
	local -a args extra launch=(--pdeathsig TERM --disown)
	((detach)) && launch=(--detach --disown)

	bin=$(mongo_bin) || return 2
	command -v curl >/dev/null 2>&1 || { printf 'mongo.sh: curl is missing (apt-get install curl)\n' >&2 && return 1; }
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd -P) || return 1
	: >"$dir/mongo.log"
	: >"$dir/mongo.commands"
	rm -f "$dir/mongo.port" "$dir/mongo.control"
	(umask 077 && od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$dir/mongo.password") || return 1
	args=("$mongo__here/mongo_standin.py" --port 0 --port-file "$dir/mongo.port" --control-port 0
		--control-port-file "$dir/mongo.control" --log "$dir/mongo.log" --record "$dir/mongo.commands")
	((${SYNCTOP_MONGO_NO_AUTH:-0})) || args+=(--user synctop --password-file "$dir/mongo.password")
	if [[ -n ${SYNCTOP_MONGO_ARGS:-} ]]; then
		read -r -a extra <<<"$SYNCTOP_MONGO_ARGS"
		args+=("${extra[@]}")
	fi
	daemon_start "${launch[@]}" "$dir/mongo.log" "$dir/mongo.pid" "$bin" "${args[@]}"
	pid=$DAEMON_PID
	daemon_wait "$pid" 250 0.02 mongo__ready "$dir" "$pid" && return 0 # 5 s; it takes about 100 ms
	mongo__stop "$pid"
	wait "$pid" 2>/dev/null
	rm -f "$dir/mongo.pid"
	daemon_fail mongo.sh "the MongoDB stand-in did not start" "$dir/mongo.log"
}

# mongo__stop PID: SIGTERM (and SIGCONT), SIGKILL after 5 s (it exits in about 0.2 s).
mongo__stop() {
	daemon_stop "mongo.sh: MongoDB stand-in" "$1" TERM 5 KILL 0 mongo_standin.py
}

mongo_down() {
	local show_log=0
	if [[ ${1:-} == --log ]]; then
		show_log=1
		shift
	fi
	local dir=${1:-} pid rc=0
	[[ -z $dir && -n ${SYNCTOP_MONGO_LOG:-} ]] && dir=${SYNCTOP_MONGO_LOG%/*}
	[[ -n $dir && -d $dir ]] || return 0
	pid=$(cat "$dir/mongo.pid" 2>/dev/null) || pid=
	if [[ -n $pid ]]; then
		mongo__stop "$pid" || rc=1
		wait "$pid" 2>/dev/null # reap it when it is our child
	fi
	rm -f "$dir/mongo.pid" "$dir/mongo.port" "$dir/mongo.control"
	((show_log)) && daemon_log_tail "$dir/mongo.log" 30 >&2
	if [[ $dir/mongo.log == "${SYNCTOP_MONGO_LOG:-}" ]]; then
		unset SYNCTOP_MONGO_PORT SYNCTOP_MONGO_CONTROL SYNCTOP_MONGO_PID SYNCTOP_MONGO_LOG SYNCTOP_MONGO_URI
		unset SYNCTOP_MONGO_RECORD SYNCTOP_MONGO_PASSWORD_FILE
	fi
	return "$rc"
}
