#!/usr/bin/env bash
# demo_start.sh: how long the demo takes, from a built tree, to its first full screen: from
# `contrib/demo.sh up` until every stage of the demo has been read once (a `synctop --once
# --once-window 0` with no stage unknown: what the screen shows after its first poll), and
# until documents have gone all the way to the search index. Baseline in the same go: the
# bare stack (tests/stack/stack.sh up), which the demo starts first. Medians of RUNS runs
# (default 5). Not part of make check.
#   bench/demo_start.sh [--quick]     (--quick: 1 run)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
runs=${RUNS:-5}
[[ ${1:-} == --quick ]] && runs=${RUNS:-1}
export SYNCTOP=${SYNCTOP:-$top/synctop}
[[ -x $SYNCTOP && -x $top/contrib/synctop-relay ]] || {
	echo "demo_start.sh: build first (make; make tests/stack/kafka_mock)" >&2
	exit 1
}
work=$(mktemp -d /tmp/synctop-bench-demo.XXXXXX)
chmod 755 "$work" # the stack's PostgreSQL runs as postgres when we are root
export XDG_RUNTIME_DIR=$work # a private state file: never a developer's running demo
pid=
trap '[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT INT TERM HUP

ms() { echo $((${EPOCHREALTIME//[!0-9]/} / 1000)); }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

stack=() full=() docs=()
for ((r = 1; r <= runs; r++)); do
	t0=$(ms)
	"$top/tests/stack/stack.sh" up "$work/stack" >/dev/null 2>&1
	stack+=($(($(ms) - t0)))
	"$top/tests/stack/stack.sh" down "$work/stack" >/dev/null 2>&1

	t0=$(ms)
	"$top/contrib/demo.sh" up >"$work/demo.log" 2>&1 &
	pid=$!
	t_full='' t_docs=''
	while [[ -z $t_docs ]] && (($(ms) - t0 < 60000)); do
		# Until the demo says it runs, --once would start a demo of its own.
		[[ -s $work/synctop-demo-$(id -u).state ]] || {
			sleep 0.05
			continue
		}
		out=$("$top/contrib/demo.sh" --once --format json --once-window 0 2>/dev/null) || true
		if [[ -z $t_full ]] &&
			jq -e '(.pipelines | length) > 0 and ([.pipelines[].stages[] | select(.status == "unknown")] | length == 0)' <<<"$out" >/dev/null 2>&1; then
			t_full=$(($(ms) - t0))
		fi
		if [[ -n $t_full ]] &&
			jq -e '[.pipelines[].stages[] | select(.kind == "search") | .metrics.docs // 0] | add > 0' <<<"$out" >/dev/null 2>&1; then
			t_docs=$(($(ms) - t0))
		fi
		sleep 0.1
	done
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
	[[ -n $t_docs ]] || {
		echo "demo_start.sh: run $r did not come up in 60 s; its log:" >&2
		tail -n 20 "$work/demo.log" >&2
		exit 1
	}
	full+=("$t_full")
	docs+=("$t_docs")
	printf 'run %d: stack %d ms, first full screen %d ms, documents indexed %d ms\n' "$r" "${stack[-1]}" "$t_full" "$t_docs"
done
s=$(printf '%s\n' "${stack[@]}" | median)
f=$(printf '%s\n' "${full[@]}" | median)
d=$(printf '%s\n' "${docs[@]}" | median)
printf '\nmedian of %d runs: bare stack %d ms; demo to its first full screen %d ms (%.1fx the stack); to documents in the index %d ms\n' \
	"$runs" "$s" "$f" "$(echo "$f $s" | awk '{print $1 / $2}')" "$d"
printf 'target: under 10 s to the first full screen: %s\n' "$( ((f < 10000)) && echo met || echo MISSED)"
bench_target - "demo: contrib/demo.sh up to its first full screen (bare stack: $s ms)" "$f ms" "< 10 s" \
	"$(bench_met "$f" '<' 10000)"
