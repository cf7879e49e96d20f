#!/usr/bin/env bash
# once.sh: how long `synctop --once --once-window 0` takes on a large outbox, with and without
# the partial index, beside `psql -c 'SELECT 1'` run in the same go as the baseline.
# Prints medians of RUNS runs and ratios. Not part of make check.
#   bench/once.sh [ROWS]     (default 1000000 rows, 2% pending)
#   bench/once.sh --quick    100000 rows, 5 runs
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
synctop=${SYNCTOP:-$top/synctop}
runs=${RUNS:-9}
if [[ ${1:-} == --quick ]]; then
	shift
	set -- "${1:-100000}"
	runs=${RUNS:-5}
fi
rows=${1:-1000000}
[ -x "$synctop" ] || { echo "once.sh: build synctop first ($synctop)" >&2; exit 1; }

dir=$(mktemp -d /tmp/synctop-bench-XXXXXX)
chmod 755 "$dir"
trap '"$top/tests/stack/stack.sh" down "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT INT TERM HUP
"$top/tests/stack/stack.sh" up "$dir" >/dev/null
# shellcheck disable=SC1091
. "$dir/env"

psql -X -q -v ON_ERROR_STOP=1 -d synctop -f "$top/share/sql/outbox.sql"
pending=$((rows / 50))
psql -X -q -v ON_ERROR_STOP=1 -d synctop <<SQL
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, processed, processed_at, created_at)
SELECT 'product', g::text, 'updated', g > $pending, now(), now() - (g || ' ms')::interval
FROM generate_series(1, $rows) g;
VACUUM ANALYZE outbox;
SQL

conf="$dir/bench.conf"
cat > "$conf" <<CONF
[postgres shop]
conninfo = host=$PGHOST port=$PGPORT dbname=synctop user=postgres
[pipeline bench]
outbox = shop
CONF

ms() { date +%s%N; }
# median_of CMD...: runs CMD $runs times, prints the median wall time in ms
median_of() {
	local times=() t0 t1
	for _ in $(seq "$runs"); do
		t0=$(ms)
		"$@" >/dev/null 2>&1 || true
		t1=$(ms)
		times+=("$(( (t1 - t0) / 1000 ))")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
# median latency_ms of the outbox stage as synctop measured it
median_latency() {
	for _ in $(seq "$runs"); do
		# synctop exits 1-3 for warn/crit/unknown: that is its verdict, not a failure here
		{ "$synctop" --once --once-window 0 --format json -c "$conf" 2>/dev/null || true; } |
			jq -r '.pipelines[0].stages[0].latency_ms'
	done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'
}

base=$(median_of psql -X -At -c 'SELECT 1')
with_idx=$(median_of "$synctop" --once --once-window 0 -c "$conf")
with_idx_lat=$(median_latency)
psql -X -q -d synctop -c 'DROP INDEX outbox_pending_idx'
no_idx=$(median_of "$synctop" --once --once-window 0 -c "$conf")
no_idx_lat=$(median_latency)

echo "synctop --once on $rows outbox rows ($pending pending), median of $runs runs"
printf '%-44s %9s ms\n' "baseline: psql -c 'SELECT 1'" "$base"
printf '%-44s %9s ms  (%.1fx baseline; outbox poll %s ms)\n' "--once-window 0, partial index" "$with_idx" \
	"$(awk -v a="$with_idx" -v b="$base" 'BEGIN{print a/b}')" "$with_idx_lat"
printf '%-44s %9s ms  (%.1fx baseline; outbox poll %s ms)\n' "--once-window 0, no index (seq scan)" "$no_idx" \
	"$(awk -v a="$no_idx" -v b="$base" 'BEGIN{print a/b}')" "$no_idx_lat"
bench_target 3 "outbox poll on $rows rows ($pending pending), partial index (stage latency_ms)" "$with_idx_lat ms" \
	"< 50 ms" "$(bench_met "$with_idx_lat" '<' 50)"
bench_target 3 "outbox poll on $rows rows, no index (seq scan, bounded by the count cap)" "$no_idx_lat ms" "-" "n/a"
bench_target - "synctop --once on $rows outbox rows vs psql -c 'SELECT 1'" \
	"$with_idx ms vs $base ms ($(awk -v a="$with_idx" -v b="$base" 'BEGIN{printf "%.1f", a/b}')x)" "-" "n/a"
