#!/usr/bin/env bash
# stack.sh: the local stack of real servers that the integration tests and the demo share.
#
#   stack.sh run [--] COMMAND...   start a private stack, run COMMAND with its environment,
#                                  tear the stack down, exit with COMMAND's status
#   stack.sh up DIR                start a stack in DIR and leave it running; its environment
#                                  goes to DIR/env (and stdout) as `export NAME=VALUE` lines
#   stack.sh down DIR              stop the stack that `stack.sh up DIR` started, remove DIR
#
# Servers listen on loopback only, on free ports, with their data under the stack directory.
# On failure the tail of every server log is printed. Services today: PostgreSQL (pg.sh), the
# Kafka mock cluster (kafka.sh; skipped with a note while tests/stack/kafka_mock is not built),
# Redis (redis.sh; skipped with a note when redis-server is not installed), the
# Elasticsearch stand-in (search.sh; skipped with a note when /usr/bin/python3 is missing) and
# the Kafka Connect stand-in (connect.sh; the same; one sink connector, products-sink) and
# InfluxDB 1.x (influx.sh; skipped with a note when influxd is not installed). Each
# starts, waits for and stops its server through tests/stack/daemon.sh.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/stack/pg.sh
. "$here/pg.sh"
# shellcheck source=tests/stack/kafka.sh
. "$here/kafka.sh"
# shellcheck source=tests/stack/redis.sh
. "$here/redis.sh"
# shellcheck source=tests/stack/search.sh
. "$here/search.sh"
# shellcheck source=tests/stack/connect.sh
. "$here/connect.sh"
# shellcheck source=tests/stack/influx.sh
. "$here/influx.sh"
# shellcheck source=tests/stack/graph.sh
. "$here/graph.sh"

# ----------------------------------------------------------------------
# Services, in start order; teardown runs in reverse. To add one (Redis, the Kafka mock,
# the Elasticsearch stand-in): add its name here and define svc_NAME_up DIR DETACH,
# svc_NAME_down DIR SHOWLOG and svc_NAME_vars (the variables it exports). Each service
# keeps its files in its own subdirectory DIR/NAME.
# ----------------------------------------------------------------------
SERVICES=(pg kafka redis search connect influx graph)

svc_pg_up() {
	if (($2)); then pg_up --detach "$1/pg"; else pg_up "$1/pg"; fi
}
svc_pg_down() {
	if (($2)); then pg_down --log "$1/pg"; else pg_down "$1/pg"; fi
}
svc_pg_vars() {
	echo PGHOST PGPORT PGUSER SYNCTOP_PG_PORT SYNCTOP_PG_SOCKDIR SYNCTOP_PG_PID \
		SYNCTOP_PG_DATA SYNCTOP_PG_LOG SYNCTOP_PG_BINDIR
}

# The Kafka mock is a program of this tree, built by `make check`: without it (a
# --without-kafka build, or make check not run yet) the stack goes on without Kafka.
svc_kafka_up() {
	local rc
	if (($2)); then kafka_up --detach "$1/kafka"; else kafka_up "$1/kafka"; fi
	rc=$?
	if ((rc == 2)); then
		printf 'stack.sh: note: no Kafka mock cluster: %s is not built (make check builds it)\n' \
			"${SYNCTOP_KAFKA_MOCK:-tests/stack/kafka_mock}" >&2
		return 0
	fi
	return "$rc"
}
svc_kafka_down() {
	if (($2)); then kafka_down --log "$1/kafka"; else kafka_down "$1/kafka"; fi
}
svc_kafka_vars() {
	# Nothing when the service was skipped.
	[[ -n ${SYNCTOP_KAFKA_BOOTSTRAP:-} ]] || return 0
	echo SYNCTOP_KAFKA_BOOTSTRAP SYNCTOP_KAFKA_CTL SYNCTOP_KAFKA_PID SYNCTOP_KAFKA_LOG
}

# Redis: the Debian redis-server; without it the stack goes on without Redis.
svc_redis_up() {
	local rc
	if (($2)); then redis_up --detach "$1/redis"; else redis_up "$1/redis"; fi
	rc=$?
	if ((rc == 2)); then
		printf 'stack.sh: note: no Redis: %s is not installed (apt-get install redis-server redis-tools)\n' \
			"${SYNCTOP_REDIS_SERVER:-redis-server}" >&2
		return 0
	fi
	return "$rc"
}
svc_redis_down() {
	if (($2)); then redis_down --log "$1/redis"; else redis_down "$1/redis"; fi
}
svc_redis_vars() {
	# Nothing when the service was skipped.
	[[ -n ${SYNCTOP_REDIS_PORT:-} ]] || return 0
	echo SYNCTOP_REDIS_PORT SYNCTOP_REDIS_PID SYNCTOP_REDIS_URL SYNCTOP_REDIS_LOG
}

# The Elasticsearch stand-in (search_standin.py): without python3 the stack goes on without it.
svc_search_up() {
	local rc
	if (($2)); then search_up --detach "$1/search"; else search_up "$1/search"; fi
	rc=$?
	if ((rc == 2)); then
		printf 'stack.sh: note: no Elasticsearch stand-in: %s is missing (apt-get install python3)\n' \
			"${SYNCTOP_SEARCH_PYTHON:-/usr/bin/python3}" >&2
		return 0
	fi
	return "$rc"
}
svc_search_down() {
	if (($2)); then search_down --log "$1/search"; else search_down "$1/search"; fi
}
svc_search_vars() {
	# Nothing when the service was skipped.
	[[ -n ${SYNCTOP_SEARCH_URL:-} ]] || return 0
	echo SYNCTOP_SEARCH_URL SYNCTOP_SEARCH_PORT SYNCTOP_SEARCH_PID SYNCTOP_SEARCH_LOG
}

# The Kafka Connect stand-in (connect_standin.py): without python3 the stack goes on without it.
# It starts after search, so that products-sink's connection.url is the search stand-in's.
svc_connect_up() {
	local rc
	if (($2)); then connect_up --detach "$1/connect"; else connect_up "$1/connect"; fi
	rc=$?
	if ((rc == 2)); then
		printf 'stack.sh: note: no Kafka Connect stand-in: %s is missing (apt-get install python3)\n' \
			"${SYNCTOP_CONNECT_PYTHON:-/usr/bin/python3}" >&2
		return 0
	fi
	return "$rc"
}
svc_connect_down() {
	if (($2)); then connect_down --log "$1/connect"; else connect_down "$1/connect"; fi
}
svc_connect_vars() {
	# Nothing when the service was skipped.
	[[ -n ${SYNCTOP_CONNECT_URL:-} ]] || return 0
	echo SYNCTOP_CONNECT_URL SYNCTOP_CONNECT_PORT SYNCTOP_CONNECT_PID SYNCTOP_CONNECT_LOG
}

# InfluxDB 1.x: the Debian influxd; without it the stack goes on without InfluxDB.
svc_influx_up() {
	local rc
	if (($2)); then influx_up --detach "$1/influx"; else influx_up "$1/influx"; fi
	rc=$?
	if ((rc == 2)); then
		printf 'stack.sh: note: no InfluxDB: %s is not installed (apt-get install influxdb)\n' \
			"${SYNCTOP_INFLUXD:-influxd}" >&2
		return 0
	fi
	return "$rc"
}
svc_influx_down() {
	if (($2)); then influx_down --log "$1/influx"; else influx_down "$1/influx"; fi
}
svc_influx_vars() {
	# Nothing when the service was skipped.
	[[ -n ${SYNCTOP_INFLUX_PORT:-} ]] || return 0
	echo SYNCTOP_INFLUX_PORT SYNCTOP_INFLUX_PID SYNCTOP_INFLUX_URL SYNCTOP_INFLUX_LOG
}

# The Neo4j stand-in (graph_standin.py): without python3 the stack goes on without it.
svc_graph_up() {
	local rc
	if (($2)); then graph_up --detach "$1/graph"; else graph_up "$1/graph"; fi
	rc=$?
	if ((rc == 2)); then
		printf 'stack.sh: note: no Neo4j stand-in: %s is missing (apt-get install python3)\n' \
			"${SYNCTOP_GRAPH_PYTHON:-/usr/bin/python3}" >&2
		return 0
	fi
	return "$rc"
}
svc_graph_down() {
	if (($2)); then graph_down --log "$1/graph"; else graph_down "$1/graph"; fi
}
svc_graph_vars() {
	# Nothing when the service was skipped.
	[[ -n ${SYNCTOP_GRAPH_URL:-} ]] || return 0
	echo SYNCTOP_GRAPH_URL SYNCTOP_GRAPH_PORT SYNCTOP_GRAPH_PID SYNCTOP_GRAPH_LOG
}

MARKER=.synctop-stack

die() {
	printf 'stack.sh: %s\n' "$*" >&2
	exit 2
}

usage() {
	sed -n '3,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

# Starts every service into DIR; returns non-zero at the first that fails (the caller tears
# down). STARTED lists what was started, for teardown.
STARTED=()
stack_up() {
	local dir=$1 detach=$2 svc
	for svc in "${SERVICES[@]}"; do
		STARTED+=("$svc")
		"svc_${svc}_up" "$dir" "$detach" || {
			printf 'stack.sh: %s failed to start\n' "$svc" >&2
			return 1
		}
	done
	export SYNCTOP_STACK_DIR=$dir
}

stack_down() {
	local dir=$1 showlog=$2 i rc=0
	for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
		"svc_${STARTED[i]}_down" "$dir" "$showlog" || rc=1
	done
	STARTED=()
	return "$rc"
}

# ----------------------------------------------------------------------
# stack.sh run -- COMMAND...
# ----------------------------------------------------------------------
RUN_DIR=
CHILD=
RC=0
run_on_exit() {
	local rc=$?
	trap - EXIT INT TERM HUP
	((RC)) || RC=$rc
	if [[ -n $RUN_DIR ]]; then
		if ((RC)); then
			printf 'stack.sh: command exited with status %d; server logs follow\n' "$RC" >&2
		fi
		stack_down "$RUN_DIR" "$((RC != 0))"
		rm -rf "$RUN_DIR"
	fi
	exit "$RC"
}
# The pids of every descendant of PID (from /proc; a snapshot).
descendants() {
	local f line rest pid ppid
	local -a fields queue
	local -A kids=()
	for f in /proc/[0-9]*/stat; do
		read -r line <"$f" 2>/dev/null || continue
		pid=${line%% *}
		rest=${line##*) } # after "pid (comm) ": state ppid ...
		read -r -a fields <<<"$rest"
		ppid=${fields[1]}
		kids[$ppid]+=" $pid"
	done
	queue=("$1")
	while ((${#queue[@]})); do
		pid=${queue[0]}
		queue=("${queue[@]:1}")
		for f in ${kids[$pid]:-}; do
			printf '%s\n' "$f"
			queue+=("$f")
		done
	done
}

any_alive() {
	local pid
	for pid; do
		daemon_alive "$pid" && return 0
	done
	return 1
}

run_on_signal() {
	local sig=$1 num=$2 i
	local -a tree
	trap '' INT TERM HUP # one teardown at a time
	printf 'stack.sh: caught SIG%s; stopping\n' "$sig" >&2
	if [[ -n $CHILD ]] && kill -0 "$CHILD" 2>/dev/null; then
		# The command runs in the background, which ignores SIGINT: pass on a TERM, to the
		# whole tree (make does not stop its sub-makes and tests), so that nothing is left
		# using the servers when they go down.
		mapfile -t tree < <(descendants "$CHILD")
		kill -TERM "$CHILD" "${tree[@]}" 2>/dev/null
		wait "$CHILD"
		for ((i = 0; i < 200; i++)); do # up to 10 s for their cleanups
			any_alive "${tree[@]}" || break
			sleep 0.05
		done
	fi
	RC=$((128 + num))
	exit "$RC"
}

cmd_run() {
	[[ ${1:-} == -- ]] && shift
	(($#)) || die "usage: stack.sh run [--] COMMAND..."
	# Traps first: whatever happens from here on, what was started is stopped.
	trap run_on_exit EXIT
	trap 'run_on_signal INT 2' INT
	trap 'run_on_signal TERM 15' TERM
	trap 'run_on_signal HUP 1' HUP

	RUN_DIR=$(pg_tmpdir synctop-stack) || die "cannot create a stack directory"
	local t0=${EPOCHREALTIME//[!0-9]/} ms
	if ! stack_up "$RUN_DIR" 0; then
		RC=3
		exit 3
	fi
	ms=$(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
	printf 'stack.sh: stack up in %d ms (PostgreSQL on 127.0.0.1:%s, socket dir %s%s%s%s%s%s)\n' \
		"$ms" "$SYNCTOP_PG_PORT" "$SYNCTOP_PG_SOCKDIR" \
		"${SYNCTOP_KAFKA_BOOTSTRAP:+; Kafka mock at $SYNCTOP_KAFKA_BOOTSTRAP}" \
		"${SYNCTOP_REDIS_URL:+; Redis at $SYNCTOP_REDIS_URL}" \
		"${SYNCTOP_SEARCH_URL:+; search stand-in at $SYNCTOP_SEARCH_URL}" \
		"${SYNCTOP_CONNECT_URL:+; Kafka Connect stand-in at $SYNCTOP_CONNECT_URL}" \
		"${SYNCTOP_GRAPH_URL:+; Neo4j stand-in at $SYNCTOP_GRAPH_URL}" >&2

	# In the background so that the traps run as soon as a signal arrives (bash defers
	# traps while a foreground command runs). Background commands get /dev/null as stdin
	# unless told otherwise: keep ours.
	{ exec 3<&0; } 2>/dev/null || exec 3</dev/null # stdin may be closed (CI)
	"$@" <&3 3<&- &
	CHILD=$!
	exec 3<&-
	wait "$CHILD"
	RC=$?
	CHILD=
	exit "$RC"
}

# ----------------------------------------------------------------------
# stack.sh up DIR / stack.sh down DIR
# ----------------------------------------------------------------------
cmd_up() {
	local dir=${1:?usage: stack.sh up DIR} svc v
	[[ ! -e $dir/$MARKER ]] || die "a stack is already up in $dir (stack.sh down $dir)"
	mkdir -p "$dir" || die "cannot create $dir"
	dir=$(cd "$dir" && pwd -P)
	chmod 755 "$dir"
	: >"$dir/$MARKER"
	if ! stack_up "$dir" 1; then
		stack_down "$dir" 1
		rm -f "$dir/$MARKER"
		exit 3
	fi
	{
		echo "# synctop test stack in $dir; stop it with: tests/stack/stack.sh down $dir"
		for svc in "${SERVICES[@]}"; do
			for v in $("svc_${svc}_vars"); do
				printf 'export %s=%q\n' "$v" "${!v}"
			done
		done
		printf 'export SYNCTOP_STACK_DIR=%q\n' "$dir"
	} >"$dir/env"
	cat "$dir/env"
}

cmd_down() {
	local dir=${1:?usage: stack.sh down DIR} svc rc=0
	[[ -d $dir ]] || return 0
	[[ -e $dir/$MARKER ]] || die "$dir does not hold a stack started by stack.sh up"
	STARTED=("${SERVICES[@]}")
	stack_down "$dir" 0 || rc=1
	for svc in "${SERVICES[@]}"; do
		rm -rf "${dir:?}/$svc"
	done
	rm -f "$dir/env" "$dir/$MARKER"
	rmdir "$dir" 2>/dev/null
	return "$rc"
}

case ${1:-} in
run) shift && cmd_run "$@" ;;
up) shift && cmd_up "$@" ;;
down) shift && cmd_down "$@" ;;
-h | --help | help) usage ;;
*)
	usage >&2
	exit 2
	;;
esac
