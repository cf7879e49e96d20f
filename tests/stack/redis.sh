# shellcheck shell=bash
# redis.sh: start and stop a private redis-server for the tests, the demo and the benches
# (source it).
#
#   . tests/stack/redis.sh
#   redis_up [--detach] DIR   start a redis-server on a free loopback port, its log, pid and
#                             (unused) working directory in DIR
#   redis_down [--log] [DIR]  stop it (SIGTERM, wait); --log prints the tail of its log
#   redis_bin                 the path of redis-server, or status 1 when it is not installed
#
# redis_up exports SYNCTOP_REDIS_PORT, SYNCTOP_REDIS_PID, SYNCTOP_REDIS_URL
# (redis://127.0.0.1:PORT/0) and SYNCTOP_REDIS_LOG. It returns 2, having started nothing, when
# redis-server is not installed (Debian: redis-server; redis-cli comes with redis-tools).
#
# The server persists nothing (--save '' --appendonly no) and holds at most 20 MiB with
# allkeys-lru, the settings the cache tests expect. Without --detach it dies with the shell
# that started it (setpriv --pdeathsig). Port 6379 is never used: a developer's own Redis
# may be there. Knobs: SYNCTOP_REDIS_SERVER (the program), SYNCTOP_REDIS_PORT_WANTED (a port
# to use rather than a random free one, e.g. to restart a server where it was),
# SYNCTOP_REDIS_EXTRA_ARGS (more arguments, split on blanks, e.g. --tls-port for the TLS test).

# shellcheck source=tests/stack/daemon.sh
. "$(dirname "${BASH_SOURCE[0]}")/daemon.sh"

redis__die() {
	printf 'redis.sh: %s\n' "$*" >&2
	return 1
}

redis_bin() {
	local bin=${SYNCTOP_REDIS_SERVER:-redis-server}
	bin=$(command -v "$bin" 2>/dev/null) || return 1
	[[ -x $bin ]] || return 1
	printf '%s' "$bin"
}

# redis__ping PORT: PONG from 127.0.0.1:PORT within a second.
redis__ping() {
	[[ $(timeout 1 redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null) == PONG ]]
}

# redis__info_pid PORT: the process_id that the server on PORT reports.
redis__info_pid() {
	timeout 1 redis-cli -h 127.0.0.1 -p "$1" INFO server 2>/dev/null |
		sed -n 's/^process_id:\([0-9]*\).*$/\1/p'
}

# A random port in 20000-59999 that nothing listens on now (the bind may still lose a race:
# redis_up retries).
redis__pick_port() {
	daemon_free_port 20000 40000
}

redis_up() {
	local detach=0
	if [[ ${1:-} == --detach ]]; then
		detach=1
		shift
	fi
	local dir=${1:?usage: redis_up [--detach] DIR}
	local bin port pid attempt up
	local -a args extra launch=(--pdeathsig TERM)
	((detach)) && launch=(--detach)

	bin=$(redis_bin) || return 2
	command -v redis-cli >/dev/null 2>&1 ||
		redis__die "redis-cli is missing (Debian: apt-get install redis-tools)" || return 1
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd -P) || return 1
	: >"$dir/redis.log"

	for ((attempt = 0; attempt < 10; attempt++)); do
		if [[ -n ${SYNCTOP_REDIS_PORT_WANTED:-} ]]; then
			port=$SYNCTOP_REDIS_PORT_WANTED
		else
			port=$(redis__pick_port) || redis__die "no free loopback port found" || return 1
		fi
		((port != 6379)) || continue
		args=(--bind 127.0.0.1 --port "$port" --dir "$dir" --save '' --appendonly no
			--maxmemory 20mb --maxmemory-policy allkeys-lru --daemonize no
			--logfile "$dir/redis.log")
		if [[ -n ${SYNCTOP_REDIS_EXTRA_ARGS:-} ]]; then
			read -r -a extra <<<"$SYNCTOP_REDIS_EXTRA_ARGS"
			args+=("${extra[@]}")
		fi
		daemon_start "${launch[@]}" "$dir/redis.log" "$dir/redis.pid" "$bin" "${args[@]}"
		pid=$DAEMON_PID
		up=0
		daemon_wait "$pid" 200 0.02 redis__ping "$port" && up=1 # 10 s; it takes about 20 ms
		if ((up)) && [[ $(redis__info_pid "$port") == "$pid" ]]; then
			export SYNCTOP_REDIS_PORT=$port SYNCTOP_REDIS_PID=$pid
			export SYNCTOP_REDIS_URL=redis://127.0.0.1:$port/0 SYNCTOP_REDIS_LOG=$dir/redis.log
			return 0
		fi
		# Someone else answers there, or ours died (the port was taken): try another port.
		redis__stop "$pid"
		wait "$pid" 2>/dev/null
		rm -f "$dir/redis.pid"
		[[ -z ${SYNCTOP_REDIS_PORT_WANTED:-} ]] || break
		grep -q -i 'address already in use' "$dir/redis.log" || ((up)) || break
	done
	daemon_fail redis.sh "redis-server did not start" "$dir/redis.log"
}

# redis__stop PID: SIGTERM (and SIGCONT, for a server a test stopped), SIGKILL after 5 s (it
# exits in about 0.1 s).
redis__stop() {
	daemon_stop "redis.sh: redis-server" "$1" TERM 5 KILL 0 redis-server
}

redis_log_tail() {
	local dir=${1:-}
	[[ -z $dir && -n ${SYNCTOP_REDIS_LOG:-} ]] && dir=${SYNCTOP_REDIS_LOG%/*}
	[[ -n $dir ]] || return 0
	daemon_log_tail "$dir/redis.log" "${2:-30}"
}

redis_down() {
	local show_log=0
	if [[ ${1:-} == --log ]]; then
		show_log=1
		shift
	fi
	local dir=${1:-} pid rc=0
	[[ -z $dir && -n ${SYNCTOP_REDIS_LOG:-} ]] && dir=${SYNCTOP_REDIS_LOG%/*}
	[[ -n $dir && -d $dir ]] || return 0
	pid=$(cat "$dir/redis.pid" 2>/dev/null) || pid=
	if [[ -n $pid ]]; then
		redis__stop "$pid" || rc=1
		wait "$pid" 2>/dev/null # reap it when it is our child
	fi
	rm -f "$dir/redis.pid"
	((show_log)) && redis_log_tail "$dir" >&2
	if [[ $dir/redis.log == "${SYNCTOP_REDIS_LOG:-}" ]]; then
		unset SYNCTOP_REDIS_PORT SYNCTOP_REDIS_PID SYNCTOP_REDIS_URL SYNCTOP_REDIS_LOG
	fi
	return "$rc"
}
