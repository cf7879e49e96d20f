# shellcheck shell=bash
# influx.sh: start and stop a private InfluxDB 1.x server (Debian's influxd) for the tests and
# the demo (source it).
#
#   . tests/stack/influx.sh
#   influx_up [--detach] DIR   start influxd on two free loopback ports (HTTP and its RPC), its
#                              config, data, log and pid in DIR
#   influx_down [--log] [DIR]  stop it (SIGTERM, wait); --log prints the tail of its log
#   influx_bin                 the path of influxd, or status 1 when it is not installed
#
# influx_up exports SYNCTOP_INFLUX_PORT, SYNCTOP_INFLUX_PID, SYNCTOP_INFLUX_URL
# (http://127.0.0.1:PORT) and SYNCTOP_INFLUX_LOG. It returns 2, having started nothing, when
# influxd is not installed (Debian: influxdb). No usage reporting, no self-monitoring database,
# no continuous queries; port 8086 is never used (a developer's own server may be there).
# Without --detach it dies with the shell that started it. Knobs: SYNCTOP_INFLUXD (the program),
# SYNCTOP_INFLUX_AUTH=1 (auth-enabled: every request but /ping authenticated, the first user made
# by an unauthenticated CREATE USER ... WITH ALL PRIVILEGES).

# shellcheck source=tests/stack/daemon.sh
. "$(dirname "${BASH_SOURCE[0]}")/daemon.sh"

influx_bin() {
	local bin=${SYNCTOP_INFLUXD:-influxd}
	bin=$(command -v "$bin" 2>/dev/null) || return 1
	[[ -x $bin ]] || return 1
	printf '%s' "$bin"
}

# influx__ping PORT: /ping answers 204 from 127.0.0.1:PORT within a second.
influx__ping() {
	[[ $(curl -s -m 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/ping") == 204 ]]
}

influx__conf() { # DIR HTTP_PORT RPC_PORT
	local auth=false
	if ((${SYNCTOP_INFLUX_AUTH:-0})); then auth=true; fi
	cat <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$3"
[meta]
  dir = "$1/meta"
[data]
  dir = "$1/data"
  wal-dir = "$1/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$2"
  log-enabled = false
  auth-enabled = $auth
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
CONF
}

influx_up() {
	local detach=0
	if [[ ${1:-} == --detach ]]; then
		detach=1
		shift
	fi
	local dir=${1:?usage: influx_up [--detach] DIR}
	local bin port rpc pid attempt up
	local -a launch=(--pdeathsig TERM)
	((detach)) && launch=(--detach)
	bin=$(influx_bin) || return 2
	command -v curl >/dev/null 2>&1 || { echo "influx.sh: curl is missing" >&2; return 1; }
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd -P) || return 1
	: >"$dir/influxd.log"
	for ((attempt = 0; attempt < 10; attempt++)); do
		port=$(daemon_free_port 20000 40000) || break
		rpc=$(daemon_free_port 20000 40000) || break
		((port != 8086 && rpc != 8088 && port != rpc)) || continue
		influx__conf "$dir" "$port" "$rpc" >"$dir/influxdb.conf"
		daemon_start "${launch[@]}" "$dir/influxd.log" "$dir/influxd.pid" "$bin" run -config "$dir/influxdb.conf"
		pid=$DAEMON_PID
		up=0
		daemon_wait "$pid" 300 0.05 influx__ping "$port" && up=1 # 15 s; it takes about 0.5 s
		if ((up)); then
			export SYNCTOP_INFLUX_PORT=$port SYNCTOP_INFLUX_PID=$pid
			export SYNCTOP_INFLUX_URL=http://127.0.0.1:$port SYNCTOP_INFLUX_LOG=$dir/influxd.log
			return 0
		fi
		influx__stop "$pid"
		wait "$pid" 2>/dev/null
		rm -f "$dir/influxd.pid"
		grep -q -i 'address already in use' "$dir/influxd.log" || break
	done
	daemon_fail influx.sh "influxd did not start" "$dir/influxd.log"
}

# influx__stop PID: SIGTERM, SIGKILL after 10 s.
influx__stop() {
	daemon_stop "influx.sh: influxd" "$1" TERM 10 KILL 0 influxd
}

influx_down() {
	local show_log=0
	if [[ ${1:-} == --log ]]; then
		show_log=1
		shift
	fi
	local dir=${1:-} pid rc=0
	[[ -z $dir && -n ${SYNCTOP_INFLUX_LOG:-} ]] && dir=${SYNCTOP_INFLUX_LOG%/*}
	[[ -n $dir && -d $dir ]] || return 0
	pid=$(cat "$dir/influxd.pid" 2>/dev/null) || pid=
	if [[ -n $pid ]]; then
		influx__stop "$pid" || rc=1
		wait "$pid" 2>/dev/null
	fi
	rm -f "$dir/influxd.pid"
	((show_log)) && daemon_log_tail "$dir/influxd.log" >&2
	if [[ $dir/influxd.log == "${SYNCTOP_INFLUX_LOG:-}" ]]; then
		unset SYNCTOP_INFLUX_PORT SYNCTOP_INFLUX_PID SYNCTOP_INFLUX_URL SYNCTOP_INFLUX_LOG
	fi
	return "$rc"
}
