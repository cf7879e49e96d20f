#!/usr/bin/env bash
# demo.sh: the README's first command: a small live polyglot system on this machine, and
# synctop watching it. Installs what is missing (as root), builds, starts the stack of
# tests/stack (PostgreSQL, the Kafka mock cluster, Redis, the Elasticsearch, Kafka Connect and
# Neo4j stand-ins, InfluxDB when installed) and the processes that make it move
# (contrib/demo-system.sh): traffic that changes products and writes their outbox events in one
# transaction, the reference outbox relay (contrib/synctop-relay), the reference indexer
# (contrib/synctop-indexer, which copies the products to the index and as nodes to the graph), a
# CDC consumer on a logical slot, and sessions written to Redis. Everything it started is stopped when it ends.
#
#   contrib/demo.sh                  the screen (q quits and tears the system down)
#   contrib/demo.sh --once [ARGS]    a snapshot of the running demo, or else of a new one
#                                    (started, warmed up, torn down); ARGS go to synctop --once,
#                                    e.g. --format json
#   contrib/demo.sh fault NAME       break the running demo (from a second terminal):
#                                    contrib/demo.sh fault list  names the faults
#   contrib/demo.sh fault clear      put everything right again
#   contrib/demo.sh action ACTION PIPELINE [ARGS]
#                                    synctop action on the running demo (the fix of a fault
#                                    from the command line, as its key does on the screen),
#                                    e.g. contrib/demo.sh action resume products
#   contrib/demo.sh up               the system without the screen, until Ctrl-C or SIGTERM
#   DEMO_SECONDS=N contrib/demo.sh   no screen: a snapshot every 2 s for N seconds, then exit 0
#
# Knobs: TRAFFIC_RATE (product changes a second, default 5), SYNCTOP (the binary; default: build
# ./synctop).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=contrib/lib-build.sh
. "$here/lib-build.sh"
# shellcheck source=tests/stack/pg.sh
. "$SYNCTOP_ROOT/tests/stack/pg.sh" # pg_tmpdir, pg__unset_env
# shellcheck source=contrib/demo-system.sh
. "$here/demo-system.sh"
# shellcheck source=contrib/demo-faults.sh
. "$here/demo-faults.sh"

state_dir=${XDG_RUNTIME_DIR:-/tmp}
[[ -d $state_dir && -w $state_dir ]] || state_dir=/tmp # XDG_RUNTIME_DIR set to nothing usable
state_file=$state_dir/synctop-demo-$(id -u).state
say() { printf '==> %s\n' "$*" >&2; }

usage() {
	sed -n '10,25s/^# \{0,1\}//p' "$0"
}

# The running demo, if any: loads its environment and sets DEMO_DIR. False when none runs.
running_demo() {
	local dir pid
	[[ -r $state_file ]] || return 1
	{
		read -r pid
		read -r dir
	} <"$state_file" || return 1
	[[ -n $pid && -d $dir ]] && kill -0 "$pid" 2>/dev/null || return 1
	pg__unset_env
	# shellcheck source=/dev/null
	. "$dir/env"
	DEMO_DIR=$dir
}

# ----------------------------------------------------------------------
# Subcommands that act on a running demo
# ----------------------------------------------------------------------
mode=screen
once_args=()
case ${1:-} in
-h | --help)
	usage
	exit 0
	;;
fault)
	if [[ ${2:-list} == list ]]; then
		demo_fault list
		exit 0
	fi
	running_demo || {
		echo "demo.sh: no demo is running (start one with contrib/demo.sh, in another terminal)" >&2
		exit 2
	}
	demo_fault "${2:-list}"
	exit $?
	;;
action)
	shift
	running_demo || {
		echo "demo.sh: no demo is running (start one with contrib/demo.sh, in another terminal)" >&2
		exit 2
	}
	exec "${SYNCTOP:-$SYNCTOP_ROOT/synctop}" -c "$DEMO_DIR/synctop.conf" action "$@"
	;;
--once)
	shift
	once_args=("$@")
	if running_demo; then
		exec "${SYNCTOP:-$SYNCTOP_ROOT/synctop}" --once -c "$DEMO_DIR/synctop.conf" "${once_args[@]}"
	fi
	mode=once
	;;
up) mode=up ;;
'') [[ -n ${DEMO_SECONDS:-} || ! -t 0 || ! -t 1 ]] && mode=frames ;;
*)
	echo "demo.sh: unknown argument '$1'" >&2
	usage >&2
	exit 2
	;;
esac
demo_seconds=${DEMO_SECONDS:-0}
[[ $demo_seconds =~ ^[0-9]+$ ]] || {
	echo "demo.sh: DEMO_SECONDS takes whole seconds" >&2
	exit 2
}
if [[ $mode != once ]] && running_demo; then
	echo "demo.sh: a demo is already running ($DEMO_DIR); quit it first, or use contrib/demo.sh fault" >&2
	exit 2
fi

# ----------------------------------------------------------------------
# Teardown first: whatever is started from here on is stopped, however this ends.
# ----------------------------------------------------------------------
dir=
tty=0
[[ -t 1 ]] && tty=1
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	((tty)) && [[ $mode == frames ]] && printf '\033[?25h' # the cursor back
	if [[ -n $dir ]]; then
		demo_system_down "$dir"
		# Only our own: a --once beside a starting demo must not take the demo's away.
		[[ $(head -n 1 "$state_file" 2>/dev/null) != "$$" ]] || rm -f "$state_file"
	fi
	say "stopped; everything the demo started is gone"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ----------------------------------------------------------------------
# Build: synctop, the reference relay and indexer, the Kafka mock
# ----------------------------------------------------------------------
t_start=${EPOCHREALTIME//[!0-9]/}
if [[ -z ${SYNCTOP:-} ]]; then
	synctop_packages_ensure >&2 || exit 1
	SYNCTOP=$SYNCTOP_ROOT/synctop
	buildlog=$(mktemp)
	say "building synctop (log: $buildlog)"
	if ! { synctop_build_if_needed && make -C "$SYNCTOP_ROOT" -j"$(nproc)" tests/stack/kafka_mock; } >"$buildlog" 2>&1; then
		tail -n 40 "$buildlog" >&2
		say "the build failed; full log in $buildlog"
		exit 1
	fi
	rm -f "$buildlog"
fi
[[ -x $SYNCTOP ]] || {
	echo "demo.sh: $SYNCTOP is not an executable" >&2
	exit 1
}

# ----------------------------------------------------------------------
# The system
# ----------------------------------------------------------------------
t_system=${EPOCHREALTIME//[!0-9]/}
dir=$(pg_tmpdir synctop-demo)
say "starting the system in $dir (PostgreSQL, Kafka mock cluster, Redis, Elasticsearch, Kafka Connect and Neo4j stand-ins)"
demo_system_up "$dir" || {
	say "the system did not start; logs in $dir/logs"
	exit 1
}
# A --once demo of its own is private: the state file names the demo others may act on.
[[ $mode == once ]] || printf '%s\n%s\n' "$$" "$dir" >"$state_file"
conf=$dir/synctop.conf
up_ms=$(((${EPOCHREALTIME//[!0-9]/} - t_system) / 1000))
say "system up in $((up_ms / 1000)).$(printf "%03d" $((up_ms % 1000))) s (after $(((t_system - t_start) / 1000)) ms checking the build)"

# Until every stage has been read once and documents have reached the index (at most 30 s).
warm_up() {
	local i out
	for ((i = 0; i < 60; i++)); do
		out=$("$SYNCTOP" --once --format json --once-window 0 -c "$conf" 2>/dev/null) || true
		if jq -e '[.pipelines[].stages[] | select(.status == "unknown")] | length == 0' <<<"$out" >/dev/null 2>&1 &&
			jq -e '[.pipelines[].stages[] | select(.kind == "search") | .metrics.docs // 0] | add > 0' <<<"$out" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.5
	done
	return 1
}

case $mode in
once)
	warm_up || say "warning: some stage is still unknown after 30 s"
	rc=0
	"$SYNCTOP" --once -c "$conf" "${once_args[@]}" || rc=$?
	exit "$rc"
	;;
up)
	say "the demo runs: synctop -c $conf; contrib/demo.sh fault list; Ctrl-C stops it"
	while sleep 1; do :; done
	;;
screen)
	say "synctop watches it now. Break it from another terminal: contrib/demo.sh fault list. Keys: q quits, ? help, Enter detail"
	sleep 1
	# q quits synctop; with a fault injected (and not cleared) the teardown is asked first.
	DEMO_DIR=$dir
	while :; do
		rc=0
		"$SYNCTOP" -c "$conf" || rc=$?
		faults=$(demo_faults_injected)
		[[ $rc == 0 && -n $faults && -t 0 ]] || break
		printf 'demo: a fault is injected (%s): quit and tear the demo down? [y/N] ' "$faults" >&2
		read -r answer || break
		[[ $answer == [yY]* ]] && break
	done
	exit "$rc"
	;;
esac

# frames: no terminal for a screen (or DEMO_SECONDS set): a snapshot every 2 s.
((tty)) && printf '\033[?25l'
start=$SECONDS
while :; do
	elapsed=$((SECONDS - start))
	((demo_seconds == 0 || elapsed < demo_seconds)) || break
	t0=${EPOCHREALTIME//[!0-9]/}
	rc=0
	frame=$("$SYNCTOP" --once --format text --once-window 1s -c "$conf" 2>&1) || rc=$?
	if ((tty)); then
		printf '\033[H\033[2J'
	else
		printf '\n---- %s s ----\n' "$elapsed"
	fi
	printf '%s\n\n' "$frame"
	printf 'synctop --once exit %d | %s s into the demo | contrib/demo.sh fault list | Ctrl-C stops\n' "$rc" "$elapsed"
	left_ms=$((2000 - (${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
	if ((left_ms > 0)); then
		sleep "$((left_ms / 1000)).$(printf '%03d' $((left_ms % 1000)))" &
		wait $! || true
	fi
done
exit 0
