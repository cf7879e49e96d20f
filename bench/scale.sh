#!/usr/bin/env bash
# scale.sh: synctop with many pipelines (issue 18, item 5). Each pipeline is an outbox stage on
# its OWN small outbox table (outbox_N: 200 rows, 10 pending; in outbox_1 alone, 2 of them are
# failed, so its poison rows are read too; partial index)
# and a cache stage, all on one PostgreSQL connection (`shop`) and one Redis connection
# (`sessions`) of a private stack. For 1, 10, 100 and 1,000 pipelines it measures:
#   - wall time of `synctop --once --once-window 0` (median of RUNS runs, the sizes interleaved),
#   - max RSS of that run (GNU time -f %M, median),
#   - connections per backend during a live run (pg_stat_activity, Redis CLIENT LIST),
#   - CPU of the live poller (`--serve` at --interval 1s) over BENCH_SECONDS (default 30 s),
#     utime + stime from /proc/PID/stat, in % of one core,
#   - Redis INFO calls and PostgreSQL statements per poll (INFO commandstats; pg_stat_statements
#     is not loaded on the stack, so statements are counted from xact_commit of the database),
#   - the baseline for the largest size: psql on a new session sending the core of each outbox
#     stage's statements (its count and the EXPLAIN of it) for every table, one after another:
#     what a new session costs the server on that many tables (their catalog entries are read
#     and each statement planned, cold), which a --once run pays as well.
# Prints per-pipeline figures and ratios against 1 pipeline. Figures, never pass/fail; not part
# of make check.
#
#   bench/scale.sh            sizes 1 10 100 1000, RUNS=5, BENCH_SECONDS=30
#   bench/scale.sh --quick    sizes 1 100 1000, RUNS=3, BENCH_SECONDS=10
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
synctop=${SYNCTOP:-$top/synctop}
quick=0
[[ ${1:-} == --quick ]] && quick=1
if ((quick)); then
	sizes=(1 100 1000)
	runs=${RUNS:-3}
	seconds=${BENCH_SECONDS:-10}
else
	sizes=(1 10 100 1000)
	runs=${RUNS:-5}
	seconds=${BENCH_SECONDS:-30}
fi
[[ -x $synctop ]] || { echo "scale.sh: build synctop first ($synctop)" >&2; exit 1; }
[[ $runs =~ ^[0-9]+$ && $runs -ge 1 && $seconds =~ ^[0-9]+$ && $seconds -ge 2 ]] ||
	{ echo "scale.sh: RUNS takes a whole number >= 1, BENCH_SECONDS >= 2" >&2; exit 2; }

gnutime=/usr/bin/time
if ! "$gnutime" -f %M true >/dev/null 2>&1; then
	if ((EUID == 0)) && command -v apt-get >/dev/null; then
		echo "scale.sh: installing GNU time with apt-get" >&2
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends time; } \
			</dev/null >/dev/null 2>&1 || true
	fi
	"$gnutime" -f %M true >/dev/null 2>&1 ||
		{ echo "scale.sh: GNU time is needed (apt-get install time)" >&2; exit 1; }
fi

dir=$(mktemp -d /tmp/synctop-bench-XXXXXX)
chmod 755 "$dir"
live_pid=
cleanup() {
	[[ -z $live_pid ]] || kill "$live_pid" 2>/dev/null || true
	"$top/tests/stack/stack.sh" down "$dir/stack" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
"$top/tests/stack/stack.sh" up "$dir/stack" >/dev/null
# shellcheck disable=SC1091
. "$dir/stack/env"
export PGDATABASE=synctop
rcli() { redis-cli -p "$SYNCTOP_REDIS_PORT" "$@"; }

max=${sizes[-1]}
psql -X -q -v ON_ERROR_STOP=1 -f "$top/share/sql/outbox.sql"
# outbox_1..outbox_max, 200 rows each: 10 pending; 2 of outbox_1's failed (first_poison_rows is read).
psql -X -q -v ON_ERROR_STOP=1 <<SQL
DO \$\$
BEGIN
  FOR i IN 1..$max LOOP
    EXECUTE format('CREATE TABLE outbox_%s (LIKE outbox INCLUDING ALL)', i);
    EXECUTE format('INSERT INTO outbox_%s (aggregate_type, aggregate_id, event_type, processed,'
                   ' processed_at, created_at)'
                   ' SELECT ''product'', g::text, ''updated'', g > 10, now(),'
                   ' now() - (g || '' s'')::interval FROM generate_series(1, 200) g', i);
  END LOOP;
END
\$\$;
UPDATE outbox_1 SET attempts = 5, last_error = 'broker down'
WHERE id IN (SELECT id FROM outbox_1 WHERE NOT processed ORDER BY id LIMIT 2);
ANALYZE;
SQL

# conf N: a config of N pipelines
conf() {
	local n=$1 f=$dir/scale-$1.conf i
	{
		printf '[synctop]\nenvironment = bench\ninterval = 1s\n\n'
		printf '[postgres shop]\nconninfo = host=%s port=%s dbname=synctop user=postgres\n\n' "$PGHOST" "$PGPORT"
		printf '[redis sessions]\nurl = %s\n' "$SYNCTOP_REDIS_URL"
		for ((i = 1; i <= n; i++)); do
			printf '\n[pipeline p%d]\noutbox = shop\noutbox.table = public.outbox_%d\ncache = sessions\n' "$i" "$i"
		done
	} >"$f"
	echo "$f"
}
for n in "${sizes[@]}"; do conf "$n" >/dev/null; done

median() { sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.1f", (a[int((NR+1)/2)] + a[int(NR/2)+1]) / 2}'; }
# one_run N: "ms kB" of one --once run on N pipelines
one_run() {
	local t0 t1 kb
	t0=$(date +%s%N)
	# synctop exits 1-3 for warn/crit/unknown: its verdict, not a failure here
	"$gnutime" -o "$dir/time.out" -f %M "$synctop" --once --once-window 0 -c "$dir/scale-$1.conf" \
		>/dev/null 2>&1 || true
	t1=$(date +%s%N)
	kb=$(tail -n1 "$dir/time.out")
	echo "$(((t1 - t0) / 1000)) $kb"
}
info_calls() { rcli INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_info:calls=\([0-9]*\),.*/\1/p'; }
xacts() { psql -X -At -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'synctop'"; }

# The baseline's statements: per table, the count synctop's main statement makes (capped) with
# the age of the oldest pending row and the newest id, and the EXPLAIN of the count.
for ((i = 1; i <= max; i++)); do
	printf 'SELECT (SELECT count(*) FROM (SELECT 1 FROM outbox_%d WHERE NOT processed LIMIT 100000) p),' "$i"
	printf ' (SELECT EXTRACT(EPOCH FROM (now() - min(created_at)))::float8 FROM outbox_%d WHERE NOT processed),' "$i"
	printf ' (SELECT o.id::text FROM outbox_%d o ORDER BY o.id DESC LIMIT 1);\n' "$i"
	printf 'EXPLAIN (FORMAT JSON) SELECT count(*) FROM outbox_%d WHERE (NOT processed);\n' "$i"
done >"$dir/baseline.sql"
baseline_run() {
	local t0 t1
	t0=$(date +%s%N)
	psql -X -q -v ON_ERROR_STOP=1 -f "$dir/baseline.sql" >/dev/null
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000))"
}

declare -A wall rss infos stmts conns_pg conns_redis cpu
for n in "${sizes[@]}"; do
	: >"$dir/runs-$n"
done
# Interleaved: every size once per pass, and the baseline.
: >"$dir/runs-baseline"
for ((r = 1; r <= runs; r++)); do
	for n in "${sizes[@]}"; do
		one_run "$n" >>"$dir/runs-$n"
	done
	baseline_run >>"$dir/runs-baseline"
done
base_ms=$(awk '{print $1 / 1000}' "$dir/runs-baseline" | median)
for n in "${sizes[@]}"; do
	wall[$n]=$(awk '{print $1 / 1000}' "$dir/runs-$n" | median)
	rss[$n]=$(awk '{print $2 / 1024}' "$dir/runs-$n" | median)
	# Backend calls of one --once run (one round: --once-window 0).
	i0=$(info_calls)
	x0=$(xacts)
	"$synctop" --once --once-window 0 -c "$dir/scale-$n.conf" >/dev/null 2>&1 || true
	i1=$(info_calls)
	x1=$(xacts)
	infos[$n]=$((i1 - i0 - 1)) # the INFO commandstats of the count itself
	stmts[$n]=$((x1 - x0 - 1)) # the first xacts query
done

# Live: --serve at 1 s; connections counted once the first round is in, CPU over $seconds s.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
for n in "${sizes[@]}"; do
	"$synctop" --serve 127.0.0.1:0 --interval 1s -c "$dir/scale-$n.conf" >"$dir/serve.out" 2>&1 &
	live_pid=$!
	# wait until the poller has connected to both backends
	for _ in $(seq 200); do
		c_pg=$(psql -X -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'synctop'")
		c_rd=$(rcli CLIENT LIST | grep -vc 'cmd=client' || true)
		((c_pg >= 1 && c_rd >= 1)) && break
		sleep 0.1
	done
	sleep 2 # two more rounds: a connection per stage would show by now
	conns_pg[$n]=$(psql -X -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'synctop'")
	conns_redis[$n]=$(rcli CLIENT LIST | grep -vc 'cmd=client' || true)
	t0=$(ticks "$live_pid")
	s0=$(date +%s%N)
	sleep "$seconds"
	t1=$(ticks "$live_pid")
	s1=$(date +%s%N)
	cpu[$n]=$(awk -v t="$((t1 - t0))" -v hz="$hz" -v ns="$((s1 - s0))" 'BEGIN {printf "%.1f", 100 * t / hz / (ns / 1e9)}')
	kill "$live_pid" 2>/dev/null || true
	wait "$live_pid" 2>/dev/null || true
	live_pid=
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1fx", a / b; else print "-"}'; }
echo "synctop with many pipelines (outbox on its own table + cache each; one PostgreSQL, one Redis)"
echo "--once --once-window 0: median of $runs interleaved runs; live: --serve --interval 1s over $seconds s"
printf '%-10s %10s %8s %10s %8s %9s %9s %7s %7s %9s\n' pipelines "wall ms" "x 1p" "RSS MB" "x 1p" \
	"INFO/poll" "PG xacts" "PG conn" "Rd conn" "CPU %"
b=${sizes[0]}
for n in "${sizes[@]}"; do
	printf '%-10s %10s %8s %10s %8s %9s %9s %7s %7s %9s\n' "$n" "${wall[$n]}" "$(ratio "${wall[$n]}" "${wall[$b]}")" \
		"${rss[$n]}" "$(ratio "${rss[$n]}" "${rss[$b]}")" "${infos[$n]}" "${stmts[$n]}" \
		"${conns_pg[$n]}" "${conns_redis[$n]}" "${cpu[$n]}"
done
echo "baseline: psql, a new session, the count and its EXPLAIN on each of the $max tables: $base_ms ms"
echo
echo "per additional pipeline (1 -> $max):"
awk -v w1="${wall[$b]}" -v wn="${wall[$max]}" -v r1="${rss[$b]}" -v rn="${rss[$max]}" -v n="$max" -v b="$b" \
	'BEGIN {printf "  wall %.3f ms, RSS %.1f kB\n", (wn - w1) / (n - b), (rn - r1) * 1024 / (n - b)}'

if [[ -n ${BENCH_TARGETS:-} ]]; then
	met() { awk -v a="$1" -v b="$2" 'BEGIN {print (a < b) ? "met" : "not met"}'; }
	tab=$'\t'
	{
		for n in 100 1000; do
			[[ -n ${rss[$n]:-} ]] || continue
			lim=$((n == 100 ? 30 : 100))
			echo "5${tab}RSS, --once, $n pipelines${tab}${rss[$n]} MB ($(ratio "${rss[$n]}" "${rss[$b]}") 1 pipeline)${tab}< $lim MB${tab}$(met "${rss[$n]}" "$lim")"
		done
		if [[ -n ${wall[1000]:-} ]]; then
			echo "5${tab}poll of 1,000 pipelines (--once-window 0)${tab}${wall[1000]} ms ($(ratio "${wall[1000]}" "${wall[$b]}") 1 pipeline)${tab}< 300 ms${tab}$(met "${wall[1000]}" 300)"
			echo "5${tab}baseline: psql on a new session, count and EXPLAIN of each of the 1,000 tables${tab}${base_ms} ms${tab}-${tab}n/a"
			ok=$(((infos[1000] == 1) ? 1 : 0))
			echo "5${tab}Redis INFO calls per poll, 1,000 cache stages on one connection${tab}${infos[1000]}${tab}1${tab}$( ((ok)) && echo met || echo "not met")"
			ok=$(((conns_pg[1000] == 1 && conns_redis[1000] == 1) ? 1 : 0))
			echo "5${tab}connections per backend, 1,000 pipelines${tab}PG ${conns_pg[1000]}, Redis ${conns_redis[1000]}${tab}1 per connection name${tab}$( ((ok)) && echo met || echo "not met")"
			echo "5${tab}CPU at interval 1s, 1,000 pipelines${tab}${cpu[1000]}% of a core${tab}-${tab}n/a"
		fi
	} >>"$BENCH_TARGETS"
fi
