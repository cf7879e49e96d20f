#!/usr/bin/env bash
# demo.sh: the README's first command: a small live system on this machine, and synctop
# watching it. Builds synctop if needed, starts a throwaway PostgreSQL (tests/stack/stack.sh),
# loads the reference outbox, runs a traffic generator and the reference relay, creates a
# logical slot that nobody consumes, and shows synctop watching it. After 20 s the relay is
# paused for 20 s (a fault to watch: the backlog grows, the status turns), then it resumes; the
# cycle repeats every minute.
#
# On a terminal (stdin and stdout) it opens synctop's interactive screen, with the traffic, the
# relay and the fault schedule in the background: q quits the screen and ends the demo.
# Otherwise, or with DEMO_SECONDS set, it prints a `synctop --once` snapshot every 2 s (cleared
# and redrawn on a terminal) until DEMO_SECONDS have passed or Ctrl-C. Either way everything it
# started is stopped when it ends.
#
#   contrib/demo.sh
#   DEMO_SECONDS=N contrib/demo.sh   run N seconds, then exit 0 (a non-interactive smoke run)
#
# Knobs: TRAFFIC_RATE (rows/s, default 5), DEMO_FAULT_AT and DEMO_FAULT_FOR (seconds into
# each minute-long cycle, defaults 20 and 20), SYNCTOP (the binary; default: build ./synctop).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=contrib/lib-build.sh
. "$here/lib-build.sh"
# shellcheck source=tests/stack/pg.sh
. "$SYNCTOP_ROOT/tests/stack/pg.sh" # for pg_tmpdir

demo_seconds=${DEMO_SECONDS:-0}
interactive=0
[[ -z ${DEMO_SECONDS:-} && -t 0 && -t 1 ]] && interactive=1
fault_at=${DEMO_FAULT_AT:-20}
fault_for=${DEMO_FAULT_FOR:-20}
cycle=$((fault_at + fault_for + 20))
for n in "$demo_seconds" "$fault_at" "$fault_for"; do
	[[ $n =~ ^[0-9]+$ ]] || {
		echo "demo.sh: DEMO_SECONDS, DEMO_FAULT_AT and DEMO_FAULT_FOR take whole seconds" >&2
		exit 2
	}
done

# ----------------------------------------------------------------------
# Teardown first: whatever was started is stopped, in reverse order.
# ----------------------------------------------------------------------
dir=
pids=()
tty=0
[[ -t 1 ]] && tty=1
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM HUP
	((tty)) && printf '\033[?25h' # the cursor back
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ -n $dir ]]; then
		"$SYNCTOP_ROOT/tests/stack/stack.sh" down "$dir/stack" >/dev/null 2>&1 || true
		rm -rf "$dir"
	fi
	printf 'demo.sh: stopped; everything it started is gone\n' >&2
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

say() { printf '==> %s\n' "$*" >&2; }

# ----------------------------------------------------------------------
# synctop itself
# ----------------------------------------------------------------------
if [[ -z ${SYNCTOP:-} ]]; then
	synctop_packages_ensure || exit 1
	SYNCTOP=$SYNCTOP_ROOT/synctop
	buildlog=$(mktemp)
	say "building synctop (log: $buildlog)"
	if ! synctop_build_if_needed >"$buildlog" 2>&1; then
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
# The system to watch
# ----------------------------------------------------------------------
# Kafka, when synctop was built with it: the stack's mock cluster (a test program) and the
# tool that produces and commits.
kafka=0
if grep -q '^#define HAVE_KAFKA 1' "$SYNCTOP_ROOT/autoconfig.h" 2>/dev/null &&
	make -C "$SYNCTOP_ROOT" tests/stack/kafka_mock tests/stack/kafka_tool >/dev/null 2>&1; then
	kafka=1
	export SYNCTOP_KAFKA_TOPICS="orders:4"
fi

dir=$(pg_tmpdir synctop-demo)
say "starting PostgreSQL$( ((kafka)) && echo ' and a Kafka mock cluster') (tests/stack/stack.sh up $dir/stack)"
"$SYNCTOP_ROOT/tests/stack/stack.sh" up "$dir/stack" >/dev/null
pg__unset_env # only the stack's PG* variables from here on
# shellcheck source=/dev/null
. "$dir/stack/env"
export PGDATABASE=synctop

psql -X -q -v ON_ERROR_STOP=1 -f "$SYNCTOP_ROOT/share/sql/outbox.sql"
# The CDC slot first: creating a logical slot waits for open transactions, and nobody will
# ever consume this one, so it shows inactive and retains more WAL as the traffic goes on.
psql -X -q -v ON_ERROR_STOP=1 \
	-c "SELECT pg_create_logical_replication_slot('demo_cdc', 'test_decoding')" >/dev/null

say "starting the traffic generator (${TRAFFIC_RATE:-5} rows/s) and the relay"
"$here/traffic.sh" >"$dir/traffic.log" 2>&1 &
pids+=("$!")
"$here/relay.sh" >"$dir/relay.log" 2>&1 &
pids+=("$!")

conf=$dir/synctop.conf
cat >"$conf" <<CONF
; synctop demo: one pipeline, the outbox and its CDC slot, on a throwaway PostgreSQL.
[synctop]
environment = demo
timeout = 2s

[postgres shop]
conninfo = host=$SYNCTOP_PG_SOCKDIR port=$SYNCTOP_PG_PORT dbname=synctop user=postgres

[pipeline orders]
outbox = shop
outbox.table = public.outbox
; tighter than the defaults (60s, 5m), so that a 20 s pause of the relay shows
outbox.oldest_warn = 5s
outbox.oldest_crit = 10s
slot = shop
slot.names = demo_cdc
CONF
if [[ -n ${SYNCTOP_REDIS_URL:-} ]]; then
	cat >>"$conf" <<CONF

[redis sessions]
url = $SYNCTOP_REDIS_URL

; the session store: 20 MiB, allkeys-lru (the stack's Redis); the writer below fills it
[pipeline sessions]
cache = sessions
CONF
	# Sessions: 100 a second of 4 KiB with a TTL; the 20 MiB fill in about a minute, and then
	# Redis evicts (cache-evicting: the debug guide's "session missing from Redis").
	(
				n=0
		while sleep 1; do
			# the loop runs in the pipeline's subshell: number the keys from outside it
			for ((i = n + 1; i <= n + 100; i++)); do
				printf 'SET session:%d %04096d EX 3600\n' "$i" 0
			done | redis-cli -u "$SYNCTOP_REDIS_URL" --pipe >/dev/null 2>&1
			n=$((n + 100))
		done
	) >"$dir/sessions.log" 2>&1 &
	pids+=("$!")
fi
if ((kafka)); then
	cat >>"$conf" <<CONF

[kafka main]
brokers = $SYNCTOP_KAFKA_BOOTSTRAP

; the search indexer consumes topic orders (4 partitions) as group search-indexer
[pipeline search]
kafka = main
kafka.group = search-indexer
kafka.topics = orders
kafka.window = 6s
CONF
	# The publisher and the indexer: 2 messages a second on each partition; the indexer
	# commits what was published every 2 s, but stands still 42-57 s into each minute (a
	# consumer stall to watch: STALL within the window, STOP after it).
	(
		tool=$SYNCTOP_ROOT/tests/stack/kafka_tool
		published=0 start=$SECONDS
		while sleep 1; do
			"$tool" -b "$SYNCTOP_KAFKA_BOOTSTRAP" produce orders all 2 >/dev/null 2>&1 && published=$((published + 2))
			phase=$(((SECONDS - start) % 60))
			if ((phase % 2 == 0 && (phase < 42 || phase >= 57))); then
				"$tool" -b "$SYNCTOP_KAFKA_BOOTSTRAP" commit search-indexer orders all "$published" >/dev/null 2>&1
			fi
		done
	) >"$dir/kafka-flow.log" 2>&1 &
	pids+=("$!")
fi

# ----------------------------------------------------------------------
# The fault schedule and the screen
# ----------------------------------------------------------------------
set_paused() { # true|false
	psql -X -q -v ON_ERROR_STOP=1 -c "UPDATE outbox_worker
		SET paused = $1, paused_at = CASE WHEN $1 THEN now() END, updated_at = now()
		WHERE name = 'relay'"
}

# fault_tick ELAPSED: pauses or resumes the relay as the schedule says at ELAPSED seconds,
# and sets banner to what is going on.
paused=false
banner=
fault_tick() {
	local phase=$(($1 % cycle)) want=false
	((phase >= fault_at && phase < fault_at + fault_for)) && want=true
	if [[ $want != "$paused" ]]; then
		set_paused "$want"
		paused=$want
	fi
	if [[ $paused == true ]]; then
		banner="FAULT: relay paused (outbox_worker.paused = true) for $((fault_at + fault_for - phase)) s more: the backlog grows"
	elif ((phase < fault_at)); then
		banner="no fault: relay running; it will be paused in $((fault_at - phase)) s"
	else
		banner="no fault: relay resumed; the backlog drains"
	fi
}

start=$SECONDS
if ((interactive)); then
	# The schedule runs beside the screen; its log says when it paused and resumed.
	(
		set +e
		trap 'exit 0' TERM
		last=
		while :; do
			fault_tick $((SECONDS - start)) >/dev/null 2>&1
			[[ $paused == "$last" ]] || printf '%s s: relay paused = %s\n' $((SECONDS - start)) "$paused"
			last=$paused
			sleep 1 &
			wait $!
		done
	) >"$dir/fault.log" 2>&1 &
	pids+=("$!")
	say "watch pipeline orders: ${fault_at} s in (then every ${cycle} s) the relay pauses for ${fault_for} s: the backlog grows, the outbox turns WARN then CRIT (worker-stalled), then drains$( ((kafka)) && echo '; pipeline search: 42 s into each minute the indexer stops committing for 15 s (STALL, then STOP)')$([[ -n ${SYNCTOP_REDIS_URL:-} ]] && echo '; pipeline sessions: Redis fills in about a minute, then evicts sessions'). Keys: q quits the demo, ? help, Enter detail"
	sleep 2 # time to read that line before the screen covers it
	rc=0
	"$SYNCTOP" -c "$conf" || rc=$?
	exit "$rc"
fi

((tty)) && printf '\033[?25l' # no cursor blinking over the figures
while :; do
	elapsed=$((SECONDS - start))
	((demo_seconds == 0 || elapsed < demo_seconds)) || break

	fault_tick "$elapsed"

	t0=${EPOCHREALTIME//[!0-9]/}
	rc=0
	frame=$("$SYNCTOP" --once --format text --once-window 1s -c "$conf" 2>&1) || rc=$?
	if ((tty)); then
		printf '\033[H\033[2J'
	else
		printf '\n---- %s s ----\n' "$elapsed"
	fi
	printf '%s\n\n%s\n\n' "$banner" "$frame"
	printf 'synctop --once exit %d | %s s into the demo | traffic %s rows/s | Ctrl-C stops\n' \
		"$rc" "$elapsed" "${TRAFFIC_RATE:-5}"

	# The next frame 2 s after this one started.
	left_ms=$((2000 - (${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
	if ((left_ms > 0)); then
		sleep "$((left_ms / 1000)).$(printf '%03d' $((left_ms % 1000)))" &
		wait $! || true
	fi
done
exit 0
