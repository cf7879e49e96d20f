#!/usr/bin/env bash
# detect.sh: how long a running synctop takes to name each demo fault, and to say ok again
# once it is cleared. The demo runs on its screen (contrib/demo.sh in tmux, as an operator
# starts it), whose log_file gets one line per status change (its events). For each fault of
# `contrib/demo.sh fault list`, RUNS times (default 3): inject it; the time until the log shows
# the fault's rule on its stage (detect); clear it; the time until that stage's status is ok
# again (clear). Both also in polls of the demo's interval (1s): the target is under 3. The
# headline and the absence of any other crit are make check's (tests/integration/demo.sh); this
# prints figures, medians of the runs. Not part of make check.
#   bench/detect.sh [--quick] [FAULT...]    (--quick: pause-relay, 1 run)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
runs=${RUNS:-3}
if [[ ${1:-} == --quick ]]; then
	shift
	runs=${RUNS:-1}
	(($#)) || set -- pause-relay
fi
export SYNCTOP=${SYNCTOP:-$top/synctop}
[[ -x $SYNCTOP && -x $top/contrib/synctop-relay ]] || {
	echo "detect.sh: build first (make; make tests/stack/kafka_mock)" >&2
	exit 1
}
command -v tmux >/dev/null || { echo "detect.sh: tmux is required" >&2; exit 1; }
work=$(mktemp -d /tmp/synctop-bench-detect.XXXXXX)
chmod 755 "$work" # the stack's PostgreSQL runs as postgres when we are root
export XDG_RUNTIME_DIR=$work XDG_STATE_HOME=$work/state # never a developer's running demo
sock=synctop-bench-$$
tmx() { env -i PATH="$PATH" HOME="${HOME:-/}" LC_ALL=C.UTF-8 tmux -L "$sock" -f /dev/null "$@"; }
trap 'tmx send-keys -t demo q 2>/dev/null || true; sleep 2; tmx kill-server 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM HUP # (set -e holds in the trap: kill-server fails once q has ended the demo)

ms() { echo $((${EPOCHREALTIME//[!0-9]/} / 1000)); }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
demo() { "$top/contrib/demo.sh" "$@"; }

bench_demo_screen || { echo "detect.sh: the demo did not start" >&2; exit 1; }
state=$work/synctop-demo-$(id -u).state
log=$(sed -n 2p "$state")/logs/synctop.log

# all_ok: a snapshot of the demo with every pipeline ok (what the screen settles to).
all_ok() {
	demo --once --format json --once-window 1s 2>/dev/null |
		jq -e '[.pipelines[] | select(.status != "ok")] | length == 0' >/dev/null 2>&1
}
settle() {
	local until=$(($(ms) + 90000))
	until all_ok; do
		(($(ms) < until)) || { echo "detect.sh: the demo did not settle to ok" >&2; return 1; }
		sleep 1
	done
	sleep 3 # the screen's damping: its last "-> ok" is written after the snapshot's
}
settle

# wait_line ERE FROM: ms until a line after byte FROM of the log matches ERE (-1 after 60 s).
wait_line() {
	local t0 until
	t0=$(ms)
	until=$((t0 + 60000))
	while (($(ms) < until)); do
		if tail -c +"$(($2 + 1))" "$log" 2>/dev/null | grep -qE "$1"; then
			echo $(($(ms) - t0))
			return 0
		fi
		sleep 0.05
	done
	echo -1
}

# fault NAME PIPELINE STAGE RULE
declare -A det clr
fault() {
	local name=$1 pipe=$2 stage=$3 rule=$4 r from d c
	for ((r = 1; r <= runs; r++)); do
		from=$(stat -c %s "$log")
		demo fault "$name" >/dev/null
		d=$(wait_line " $pipe/$stage [a-z]+ -> (warn|crit) $rule(:|$)" "$from")
		from=$(stat -c %s "$log")
		demo fault clear >/dev/null
		c=$(wait_line " $pipe/$stage [a-z]+ -> ok" "$from")
		det[$name]+="$d " clr[$name]+="$c "
		settle
	done
}

faults=("$@")
((${#faults[@]})) || faults=(stop-relay pause-relay poison-rows refresh-off dual-write-loss evict-sessions
	slot-stall task-fail lagging-indexer graph-read-only)
# With InfluxDB (Debian's influxdb) the demo has the indexer's metrics there, and their fault.
[[ $# -gt 0 || -z $(command -v influxd) ]] || faults+=(metrics-misroute)
# With python3-bson and libmongoc the demo has the catalogue in the MongoDB stand-in, and its fault.
printf '[mongodb probe]\nurl = mongodb://127.0.0.1:1/\n' >"$work/mongo_probe.conf"
if (($# == 0)) && /usr/bin/python3 -c 'import bson' 2>/dev/null &&
	"$SYNCTOP" --once --once-window 0 -c "$work/mongo_probe.conf" >/dev/null 2>&1; then
	faults+=(catalog-stale)
fi
declare -A where=(
	[stop-relay]="products outbox worker-stalled" [pause-relay]="products outbox worker-paused"
	[poison-rows]="products outbox poison-rows" [refresh-off]="products search search-refresh-disabled"
	[dual-write-loss]="products search dual-write-loss" [evict-sessions]="sessions cache cache-evicting"
	[slot-stall]="recommendations slot slot-inactive"
	[task-fail]="recommendations connector connector-task-failed"
	[lagging-indexer]="products kafka kafka-lagging"
	[metrics-misroute]="products timeseries writes-stopped"
	[graph-read-only]="products graph copy-missing"
	[catalog-stale]="products document copy-missing")
for f in "${faults[@]}"; do
	[[ -n ${where[$f]:-} ]] || { echo "detect.sh: no fault $f" >&2; exit 2; }
	# shellcheck disable=SC2086 # PIPELINE STAGE RULE
	fault "$f" ${where[$f]}
done

interval=1000 # the demo's [synctop] interval
printf '%-16s %-40s %10s %8s %10s %8s   %s\n' fault "headline rule" "detect ms" polls "clear ms" polls "runs (detect/clear; -1: not within 60 s)"
for f in "${faults[@]}"; do
	d=$(tr ' ' '\n' <<<"${det[$f]}" | grep . | median)
	c=$(tr ' ' '\n' <<<"${clr[$f]}" | grep . | median)
	dp=$(awk -v v="$d" -v i="$interval" 'BEGIN {printf "%.1f", v / i}')
	cp=$(awk -v v="$c" -v i="$interval" 'BEGIN {printf "%.1f", v / i}')
	printf '%-16s %-40s %10s %8s %10s %8s   %s / %s\n' "$f" "$(cut -d' ' -f2- <<<"${where[$f]}")" "$d" \
		"$dp" "$c" "$cp" "${det[$f]% }" "${clr[$f]% }"
	met=not\ met
	((d >= 0 && c >= 0)) && [[ $(bench_met "$dp" '<' 3) == met && $(bench_met "$cp" '<' 3) == met ]] && met=met
	bench_target - "demo fault $f: detected, then ok again once cleared (polls of 1s)" "$dp / $cp polls" \
		"< 3 polls each" "$met"
done
timeline=${TIMELINE:-/tmp/synctop-detect-events.log}
cp "$log" "$timeline"
echo "the screen's event log (the timeline of this run): $timeline"
