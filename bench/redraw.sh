#!/usr/bin/env bash
# redraw.sh: builds bench/redraw (make bench/redraw: not built by make nor make check) and runs
# it: the main screen's redraw time at 100 pipelines against 1, drawn by the real code into a
# virtual terminal (see bench/redraw.c). Target (issue 18, item 5): under 5 ms a frame at 100.
#   bench/redraw.sh [--quick]      FRAMES=500 (--quick 100), PIPELINES=100, SIZE=200x50
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
frames=${FRAMES:-500}
[[ ${1:-} == --quick ]] && frames=${FRAMES:-100}
pipelines=${PIPELINES:-100}
make -C "$top" -s bench/redraw >/dev/null || bench_die "make bench/redraw failed"
out=$("$top/bench/redraw" -n "$frames" -p "$pipelines" -s "${SIZE:-200x50}") || bench_die "bench/redraw failed"
echo "$out"
for mode in redraw repaint; do
	read -r med p99 < <(sed -n "s/^$mode, $pipelines pipelines *\([0-9.]*\) *\([0-9.]*\).*/\1 \2/p" <<<"$out") ||
		bench_die "no $mode line for $pipelines pipelines in bench/redraw's output"
	met=$(bench_met "$med" '<' 5)
	[[ $met == met ]] && met=$(bench_met "$p99" '<' 5) # the median and the p99
	what="main screen $mode at $pipelines pipelines (${SIZE:-200x50})"
	[[ $mode == repaint ]] && what="$what, every cell sent"
	bench_target 5 "$what" "median $med ms, p99 $p99 ms" "< 5 ms" "$met"
done
