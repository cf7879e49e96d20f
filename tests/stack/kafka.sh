# shellcheck shell=bash
# kafka.sh: start and stop a librdkafka mock cluster (tests/stack/kafka_mock) for the tests,
# the demo and the benches (source it).
#
#   . tests/stack/kafka.sh
#   kafka_up [--detach] DIR   start a mock cluster whose control FIFO, output and log live in DIR
#   kafka_down [--log] [DIR]  stop it (SIGTERM); --log prints the tail of its log
#   kafka_ctl CMD...          send one command to the running mock and print its answer:
#                             down ID | up ID | rtt ID MS (ID -1: every broker),
#                             topic NAME PARTITIONS, errors KEY CODE N (the next N requests
#                             of API key KEY fail with CODE), clear KEY; status 0 on "ok",
#                             1 on "error: ...",
#                             2 when the mock does not answer
#   kafka_mock_bin            the path of the kafka_mock program, or status 1 when it is not built
#
# kafka_up exports SYNCTOP_KAFKA_BOOTSTRAP (host:port,... of the brokers), SYNCTOP_KAFKA_CTL
# (the control FIFO; the answers go to $SYNCTOP_KAFKA_CTL.out), SYNCTOP_KAFKA_PID and
# SYNCTOP_KAFKA_LOG. It returns 2, having started nothing, when kafka_mock is not built
# (a --without-kafka build, or before `make check` built it).
#
# The mock reads its commands from the FIFO, which it holds open for reading and writing:
# it never sees the end of its input, and lives until kafka_down (or, without --detach, until
# the shell that started it dies: setpriv --pdeathsig). kafka_ctl callers are serialized with
# flock, so that each reads the answer to its own command.
#
# Knobs: SYNCTOP_KAFKA_MOCK (the program; default $top_builddir/tests/stack/kafka_mock, where
# top_builddir defaults to the source tree), SYNCTOP_KAFKA_BROKERS (default 3),
# SYNCTOP_KAFKA_TOPICS (default "orders:4 idle:2 busy:3"), SYNCTOP_KAFKA_DEBUG (librdkafka debug
# contexts of the mock, logged to SYNCTOP_KAFKA_LOG; "mock" logs every request a broker receives).

kafka__here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/stack/daemon.sh
. "$kafka__here/daemon.sh"

kafka__die() {
	printf 'kafka.sh: %s\n' "$*" >&2
	return 1
}

kafka_mock_bin() {
	local bin=${SYNCTOP_KAFKA_MOCK:-${top_builddir:-$kafka__here/../..}/tests/stack/kafka_mock}
	[[ -x $bin ]] || return 1
	printf '%s' "$bin"
}

# A process that exists, is not a zombie, and runs kafka_mock (guards against a recycled pid).
kafka__is_ours() {
	daemon_is_ours "$1" kafka_mock
}

# kafka__bootstrap DIR: the brokers the mock of DIR announced (its first line of output), or
# status 1 before it did.
kafka__bootstrap() {
	local b
	b=$(sed -n '1s/^BOOTSTRAP=//p' "$1/ctl.out" 2>/dev/null)
	[[ -n $b ]] && printf '%s' "$b"
}

kafka_up() {
	local detach=0
	if [[ ${1:-} == --detach ]]; then
		detach=1
		shift
	fi
	local dir=${1:?usage: kafka_up [--detach] DIR}
	local bin pid bootstrap t
	local -a args launch=(--pdeathsig TERM)
	((detach)) && launch=(--detach)

	bin=$(kafka_mock_bin) || return 2
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd -P) || return 1
	rm -f "$dir/ctl" "$dir/ctl.out" "$dir/ctl.lock"
	mkfifo -m 600 "$dir/ctl" || kafka__die "cannot create the FIFO $dir/ctl" || return 1
	: >"$dir/ctl.out"
	: >"$dir/kafka_mock.log"

	args=(--brokers "${SYNCTOP_KAFKA_BROKERS:-3}")
	[[ -z ${SYNCTOP_KAFKA_DEBUG:-} ]] || args+=(--debug "$SYNCTOP_KAFKA_DEBUG")
	for t in ${SYNCTOP_KAFKA_TOPICS-orders:4 idle:2 busy:3}; do
		args+=(--topic "$t")
	done
	daemon_start "${launch[@]}" --stdin-rw "$dir/ctl" --stdout "$dir/ctl.out" \
		"$dir/kafka_mock.log" "$dir/kafka_mock.pid" "$bin" "${args[@]}"
	pid=$DAEMON_PID
	# 10 s; it takes about 10 ms
	daemon_wait "$pid" 200 0.05 kafka__bootstrap "$dir" >/dev/null
	bootstrap=$(kafka__bootstrap "$dir")
	if [[ -z $bootstrap ]]; then
		daemon_fail kafka.sh "kafka_mock did not start" "$dir/kafka_mock.log"
		kafka_down "$dir"
		return 1
	fi
	export SYNCTOP_KAFKA_BOOTSTRAP=$bootstrap SYNCTOP_KAFKA_CTL=$dir/ctl
	export SYNCTOP_KAFKA_PID=$pid SYNCTOP_KAFKA_LOG=$dir/kafka_mock.log
}

kafka_log_tail() {
	local dir=${1:-}
	[[ -z $dir && -n ${SYNCTOP_KAFKA_CTL:-} ]] && dir=${SYNCTOP_KAFKA_CTL%/*}
	[[ -n $dir ]] || return 0
	daemon_log_tail "$dir/kafka_mock.log" "${2:-30}"
}

kafka_down() {
	local show_log=0
	if [[ ${1:-} == --log ]]; then
		show_log=1
		shift
	fi
	local dir=${1:-} pid rc=0
	[[ -z $dir && -n ${SYNCTOP_KAFKA_CTL:-} ]] && dir=${SYNCTOP_KAFKA_CTL%/*}
	[[ -n $dir && -d $dir ]] || return 0
	pid=$(cat "$dir/kafka_mock.pid" 2>/dev/null) || pid=
	if [[ -n $pid ]]; then
		# SIGTERM: it exits at once. SIGKILL after 5 s: nothing to lose, the mock keeps
		# everything in memory.
		daemon_stop "kafka.sh: kafka_mock" "$pid" TERM 5 KILL 0 kafka_mock || rc=1
		wait "$pid" 2>/dev/null # reap it when it is our child
	fi
	rm -f "$dir/kafka_mock.pid" "$dir/ctl" "$dir/ctl.lock"
	((show_log)) && kafka_log_tail "$dir" >&2
	if [[ $dir/ctl == "${SYNCTOP_KAFKA_CTL:-}" ]]; then
		unset SYNCTOP_KAFKA_BOOTSTRAP SYNCTOP_KAFKA_CTL SYNCTOP_KAFKA_PID SYNCTOP_KAFKA_LOG
	fi
	return "$rc"
}

# kafka_ctl CMD...: one command to the mock of $SYNCTOP_KAFKA_CTL; prints the answer.
kafka_ctl() {
	local ctl=${SYNCTOP_KAFKA_CTL:-} lock fd n i answer=
	[[ -n $ctl && -p $ctl && -f $ctl.out ]] ||
		kafka__die "kafka_ctl: no mock control channel (SYNCTOP_KAFKA_CTL='$ctl')" || return 2
	(($#)) || kafka__die "usage: kafka_ctl CMD..." || return 2
	exec {lock}>>"$ctl.lock" || return 2
	if ! flock -w 10 "$lock"; then
		exec {lock}>&-
		kafka__die "kafka_ctl: $ctl.lock is held by someone else for 10 s" || return 2
	fi
	n=$(wc -l <"$ctl.out")
	# Read-write: never blocks, even when the mock is gone (the command is then lost).
	exec {fd}<>"$ctl"
	printf '%s\n' "$*" >&"$fd"
	exec {fd}>&-
	for ((i = 0; i < 1000; i++)); do # 10 s
		if (($(wc -l <"$ctl.out") > n)); then
			answer=$(sed -n "$((n + 1))p" "$ctl.out")
			break
		fi
		sleep 0.01
	done
	exec {lock}>&-
	if [[ -z $answer ]]; then
		kafka__die "kafka_ctl: no answer to '$*' in 10 s (is kafka_mock running?)"
		return 2
	fi
	printf '%s\n' "$answer"
	[[ $answer == ok ]]
}
