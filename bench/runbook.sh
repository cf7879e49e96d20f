#!/usr/bin/env bash
# runbook.sh: one snapshot of synctop against the manual runbook an operator types (issue 18,
# item 2). On a private stack (tests/stack/stack.sh) with one stage of every kind (outbox, slot,
# kafka, search, cache, connector), interleaved runs, RUNS rounds (default 21; --quick 7), the
# order rotated each round:
#   synctop    synctop --once --once-window 0 on a config watching all six stages
#   serial     the manual runbook, one command after another: psql (the outbox and the slot
#              queries), redis-cli x2 (INFO memory, INFO stats), the Kafka lag x2 (kafka_tool,
#              the project's kcat stand-in: the end offset and the group's committed offset),
#              curl x4 (_cluster/health, _stats, _settings, _count on the search stand-in)
#   parallel   the same nine commands started with & and waited for (what a skilled operator
#              scripts)
#   single     synctop --once --once-window 0 with one stage alone, for each kind: the slowest
#              single stage is what a snapshot of all of them can at best take
#   /bin/true  process start, the reference
# Prints medians in ms and the ratios serial/synctop (target >= 6x), parallel/synctop
# (>= 3x), synctop/slowest single stage (<= 1.10). The manual runbook reads no connector:
# synctop's snapshot does one stage more than it. Figures, never pass/fail; not part of make
# check.
#   bench/runbook.sh [--quick]
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
synctop=${SYNCTOP:-$top/synctop}
tool=$top/tests/stack/kafka_tool
runs=${RUNS:-21}
[[ ${1:-} == --quick ]] && runs=${RUNS:-7}
[[ -x $synctop ]] || bench_die "build synctop first ($synctop)"
[[ -x $tool && -x $top/tests/stack/kafka_mock ]] ||
	bench_die "build the mock and its tool first: make tests/stack/kafka_mock tests/stack/kafka_tool"
for c in psql redis-cli curl jq; do
	command -v "$c" >/dev/null || bench_die "$c is required"
done

dir=$(mktemp -d /tmp/synctop-bench-runbook.XXXXXX)
chmod 755 "$dir" # the stack's PostgreSQL runs as postgres when we are root
trap '"$top/tests/stack/stack.sh" down "$dir/stack" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
SYNCTOP_KAFKA_TOPICS=orders:4 "$top/tests/stack/stack.sh" up "$dir/stack" >"$dir/stack.log" 2>&1 ||
	{ cat "$dir/stack.log" >&2; bench_die "the stack did not start"; }
# shellcheck disable=SC1091
. "$dir/stack/env"
for v in SYNCTOP_KAFKA_BOOTSTRAP SYNCTOP_REDIS_URL SYNCTOP_SEARCH_URL SYNCTOP_CONNECT_URL; do
	[[ -n ${!v:-} ]] || bench_die "the stack has no $v (see its notes: $(cat "$dir/stack.log"))"
done
export PGDATABASE=synctop

# The fixture: every stage readable and with something to show.
psql -X -q -v ON_ERROR_STOP=1 -f "$top/share/sql/outbox.sql"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, processed, processed_at)
SELECT 'product', g::text, 'product.updated', g > 20, now() FROM generate_series(1, 1000) g;
VACUUM ANALYZE outbox;
SELECT pg_create_logical_replication_slot('bench_slot', 'test_decoding');
SQL
kt() { "$tool" -b "$SYNCTOP_KAFKA_BOOTSTRAP" -t 10 "$@"; }
{ kt produce orders all 10 && kt commit bench orders all 5; } >/dev/null || bench_die "the Kafka fixture failed"
for i in $(seq 1 100); do echo "SET session:$i x EX 3600"; done |
	redis-cli -u "$SYNCTOP_REDIS_URL" --pipe >/dev/null || bench_die "the Redis fixture failed"
scurl() { curl -sS --max-time 5 -H 'Content-Type: application/json' "$@"; }
scurl -XPUT "$SYNCTOP_SEARCH_URL/products" -d '{"settings":{"index":{"number_of_replicas":0}}}' >/dev/null
for i in 1 2 3; do
	scurl -XPOST "$SYNCTOP_SEARCH_URL/products/_doc?refresh=true" -d "{\"n\":$i}" >/dev/null
done

# conf FILE KIND...: a config with one pipeline of the stages KIND... (all six by default).
conf() {
	local file=$1 k
	shift
	{
		printf '[synctop]\ntimeout = 5s\n\n[postgres shop]\nconninfo = host=%s port=%s dbname=synctop user=postgres\n' \
			"$PGHOST" "$PGPORT"
		printf '\n[kafka main]\nbrokers = %s\n\n[redis sessions]\nurl = %s\n' "$SYNCTOP_KAFKA_BOOTSTRAP" "$SYNCTOP_REDIS_URL"
		printf '\n[search es]\nurl = %s\n\n[connect workers]\nurl = %s\n' "$SYNCTOP_SEARCH_URL" "$SYNCTOP_CONNECT_URL"
		printf '\n[pipeline all]\n'
		for k in "$@"; do
			case $k in
			outbox) printf 'outbox = shop\n' ;;
			slot) printf 'slot = shop\nslot.names = bench_slot\n' ;;
			kafka) printf 'kafka = main\nkafka.group = bench\nkafka.topics = orders\n' ;;
			search) printf 'search = es\nsearch.index = products\n' ;;
			cache) printf 'cache = sessions\ncache.key_prefix = session:\n' ;;
			connector) printf 'connector = workers\nconnector.name = products-sink\n' ;;
			esac
		done
	} >"$file"
}
kinds=(outbox slot kafka search cache connector)
conf "$dir/all.conf" "${kinds[@]}"
for k in "${kinds[@]}"; do conf "$dir/$k.conf" "$k"; done

# Sanity: every stage answers (a stage that fails fast would flatter synctop).
out=$("$synctop" --once --once-window 0 --format json -c "$dir/all.conf" 2>&1) || true
bad=$(jq -r '[.pipelines[].stages[] | select(.error != null or .status == "unknown") | "\(.kind): \(.error)"] | join("; ")' \
	<<<"$out" 2>/dev/null) || bad="not JSON: ${out:0:200}"
[[ -z $bad ]] || bench_die "a stage does not answer: $bad"
n=$(jq '[.pipelines[].stages[]] | length' <<<"$out")
((n == ${#kinds[@]})) || bench_die "the snapshot shows $n stages, not ${#kinds[@]}"

# The manual runbook: nine commands.
outbox_sql="SELECT count(*) AS pending, now() - min(created_at) AS oldest FROM outbox WHERE NOT processed"
slot_sql="SELECT slot_name, active, wal_status, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn))
 AS retained FROM pg_replication_slots"
es=$SYNCTOP_SEARCH_URL
serial() {
	psql -X -c "$outbox_sql" -c "$slot_sql"
	redis-cli -u "$SYNCTOP_REDIS_URL" INFO memory
	redis-cli -u "$SYNCTOP_REDIS_URL" INFO stats
	kt end orders 0
	kt committed bench orders 0
	curl -sS "$es/_cluster/health"
	curl -sS "$es/products/_stats"
	curl -sS "$es/products/_settings"
	curl -sS "$es/products/_count"
}
parallel() {
	psql -X -c "$outbox_sql" -c "$slot_sql" &
	redis-cli -u "$SYNCTOP_REDIS_URL" INFO memory &
	redis-cli -u "$SYNCTOP_REDIS_URL" INFO stats &
	kt end orders 0 &
	kt committed bench orders 0 &
	curl -sS "$es/_cluster/health" &
	curl -sS "$es/products/_stats" &
	curl -sS "$es/products/_settings" &
	curl -sS "$es/products/_count" &
	wait
}
# The runbook must work, or it measures error paths.
serial >"$dir/serial.out" 2>&1 || bench_die "the manual runbook failed: $(tail -n 5 "$dir/serial.out")"
for want in used_memory evicted_keys bench_slot '"status"' '"count"'; do
	grep -q "$want" "$dir/serial.out" || bench_die "the manual runbook's output has no $want"
done

declare -A t
variants=(true synctop serial parallel "${kinds[@]/#/single_}")
run_variant() {
	case $1 in
	true) /bin/true ;;
	synctop) "$synctop" --once --once-window 0 -c "$dir/all.conf" ;;
	serial) serial ;;
	parallel) parallel ;;
	single_*) "$synctop" --once --once-window 0 -c "$dir/${1#single_}.conf" ;;
	esac
}
nv=${#variants[@]}
for ((r = 0; r < runs; r++)); do
	for ((i = 0; i < nv; i++)); do
		v=${variants[(i + r) % nv]}
		t0=$(bench_us)
		run_variant "$v" >/dev/null 2>&1 || true # synctop exits 1-3 to say warn, crit, unknown
		t1=$(bench_us)
		t[$v]+="$(awk -v us=$((t1 - t0)) 'BEGIN { printf "%.2f", us / 1000 }') "
	done
done

declare -A med
for v in "${variants[@]}"; do
	med[$v]=$(tr ' ' '\n' <<<"${t[$v]}" | grep . | bench_median)
done
slowest=
for k in "${kinds[@]}"; do
	if [[ -z $slowest ]] || awk -v a="${med[single_$k]}" -v b="${med[single_$slowest]}" 'BEGIN { exit !(a > b) }'; then
		slowest=$k
	fi
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "one snapshot of 6 stages (outbox, slot, kafka, search, cache, connector) against the manual"
echo "runbook (9 commands), $runs interleaved rounds, median wall time in ms"
printf '%-58s %8s\n' "reference: /bin/true (process start)" "${med[true]}"
printf '%-58s %8s\n' "synctop --once --once-window 0, all 6 stages" "${med[synctop]}"
printf '%-58s %8s\n' "manual runbook, serial (9 commands)" "${med[serial]}"
printf '%-58s %8s\n' "manual runbook, parallel (& and wait)" "${med[parallel]}"
for k in "${kinds[@]}"; do
	printf '%-58s %8s\n' "synctop --once, $k alone" "${med[single_$k]}"
done
echo "the manual runbook's commands (outbox_sql: $outbox_sql; slot_sql: ${slot_sql//$'\n'/})":
declare -f serial | sed '1,2d;$d'
r_serial=$(ratio "${med[serial]}" "${med[synctop]}")
r_par=$(ratio "${med[parallel]}" "${med[synctop]}")
r_slow=$(ratio "${med[synctop]}" "${med[single_$slowest]}")
echo
printf '%-40s %6sx   (target >= 6x)\n' "serial / synctop:" "$r_serial"
printf '%-40s %6sx   (target >= 3x)\n' "parallel / synctop:" "$r_par"
printf '%-40s %6sx   (target <= 1.10)\n' "synctop / slowest single stage ($slowest):" "$r_slow"
bench_target 2 "snapshot vs manual runbook (serial)" "${r_serial}x (${med[synctop]} ms vs ${med[serial]} ms)" \
	">= 6x" "$(bench_met "$r_serial" '>=' 6)"
bench_target 2 "snapshot vs manual runbook (parallel, & and wait)" "${r_par}x (${med[synctop]} ms vs ${med[parallel]} ms)" \
	">= 3x" "$(bench_met "$r_par" '>=' 3)"
bench_target 2 "snapshot vs its slowest single stage ($slowest)" \
	"${r_slow}x (${med[synctop]} ms vs ${med[single_$slowest]} ms)" "<= 1.10x" "$(bench_met "$r_slow" '<=' 1.10)"
bench_target 2 "process start (/bin/true), the reference" "${med[true]} ms" "-" "n/a"
