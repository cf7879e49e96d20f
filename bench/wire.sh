#!/usr/bin/env bash
# wire.sh: what synctop asks of every backend per poll: queries (or requests) and bytes each
# way, for the demo's config (contrib/demo-system.sh) and a worker stage: a stage of every kind
# (issue 18, item 3).
#
#   bench/wire.sh [--quick]   (RUNS=N --once runs, default 5, --quick 3; the live run: POLLS
#                              polls at a 1 s interval, default 10, --quick 3)
#
# On a private stack (tests/stack/stack.sh, the Kafka mock with its request log) and a worker
# stand-in, bench/count_proxy.py sits between synctop and PostgreSQL, Redis, the search and
# Connect stand-ins and the worker: it counts bytes each way and requests per protocol
# (PostgreSQL: a round trip is a Sync or a simple Query, statements are Parse messages; Redis:
# commands; HTTP: request lines). Kafka is not proxied (the mock advertises its brokers' own
# ports): its requests are counted by API from the mock's log, as bench/kafka.sh does, and its
# bytes, in the live run, from the kernel's counters of synctop's sockets (ss -ti).
# Two figures per backend:
#   --once: `synctop --once --once-window 0`, median of RUNS runs: a cold poll (connections,
#           handshakes and the outbox's EXPLAIN included);
#   live:   `synctop --serve` at a 1 s interval, the counters read after its first poll and
#           POLLS polls later, divided by the polls: the steady cost of a poll on the screen.
# Prints figures, never pass/fail; with BENCH_TARGETS=FILE appends its lines (target "report").
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
synctop=${SYNCTOP:-$top/synctop}
quick=0
[[ ${1:-} == --quick ]] && quick=1
if ((quick)); then runs=${RUNS:-3} polls=${POLLS:-3}; else runs=${RUNS:-5} polls=${POLLS:-10}; fi
die() {
	printf 'bench/wire.sh: %s\n' "$*" >&2
	exit 1
}
[[ -x $synctop ]] || die "build synctop first ($synctop)"
[[ -x $top/tests/stack/kafka_tool && -x $top/tests/stack/kafka_mock ]] ||
	die "build the mock and its tool first: make tests/stack/kafka_mock tests/stack/kafka_tool"
for c in jq curl ss redis-cli; do
	command -v "$c" >/dev/null || die "$c is required"
done

# shellcheck source=tests/stack/pg.sh
. "$top/tests/stack/pg.sh"
dir=$(pg_tmpdir synctop-bench-wire) || die "no temporary directory"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	"$top/tests/stack/stack.sh" down "$dir/stack" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
SYNCTOP_KAFKA_TOPICS="shop.products:4" SYNCTOP_KAFKA_DEBUG=mock "$top/tests/stack/stack.sh" up "$dir/stack" >/dev/null 2>"$dir/stack.log" || {
	cat "$dir/stack.log" >&2
	die "the stack did not start"
}
pg__unset_env
# shellcheck source=/dev/null
. "$dir/stack/env"
[[ -n ${SYNCTOP_KAFKA_BOOTSTRAP:-} && -n ${SYNCTOP_REDIS_PORT:-} && -n ${SYNCTOP_SEARCH_PORT:-} &&
	-n ${SYNCTOP_CONNECT_PORT:-} ]] || die "the stack lacks a server (see $dir/stack.log)"
export PGDATABASE=synctop
psql() { "$SYNCTOP_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
ktool() { "$top/tests/stack/kafka_tool" -b "$SYNCTOP_KAFKA_BOOTSTRAP" -t 30 "$@"; }

# --- the fixtures: a little of everything, as in the demo ------------------------------------
psql -c "SELECT pg_create_logical_replication_slot('demo_cdc', 'test_decoding')" >/dev/null
psql -f "$top/share/sql/outbox.sql" -f "$top/contrib/shop.sql"
psql <<'SQL'
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, created_at, processed, processed_at,
                    attempts, last_error)
SELECT 'product', g::text, 'product.updated', now() - ((1000 - g) || ' s')::interval, g <= 950,
       CASE WHEN g <= 950 THEN now() END, CASE WHEN g = 960 THEN 5 ELSE 0 END,
       CASE WHEN g = 970 THEN 'broker said no' END
FROM generate_series(1, 1000) g;
INSERT INTO products (id, price, stock) SELECT 'P-' || g, 10, 1 FROM generate_series(1, 100) g;
VACUUM ANALYZE outbox, products;
SQL
ktool produce shop.products all 10 >/dev/null
ktool commit search-indexer shop.products all 5 >/dev/null
curl -sS --max-time 5 -X PUT "$SYNCTOP_SEARCH_URL/products" -H 'Content-Type: application/json' \
	-d '{"mappings":{"properties":{"updated_at":{"type":"date"}}}}' >/dev/null
for i in $(seq 1 90); do
	printf '{"index":{"_id":"%d"}}\n{"updated_at":"2026-01-01T00:00:00Z"}\n' "$i"
done | curl -sS --max-time 5 -X POST "$SYNCTOP_SEARCH_URL/products/_bulk?refresh=true" \
	-H 'Content-Type: application/x-ndjson' --data-binary @- >/dev/null
for i in $(seq 1 50); do printf 'SET session:%d x EX 3600\n' "$i"; done |
	redis-cli -p "$SYNCTOP_REDIS_PORT" >/dev/null

/usr/bin/python3 "$top/tests/stack/worker_standin.py" --port 0 --port-file "$dir/worker.port" \
	>"$dir/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -s $dir/worker.port ]] && break; sleep 0.05; done
[[ -s $dir/worker.port ]] || die "the worker stand-in did not start ($(cat "$dir/worker.log"))"
/usr/bin/python3 "$top/bench/count_proxy.py" --ports "$dir/proxy.ports" --stats "$dir/stats.json" \
	"postgres=pg:127.0.0.1:$PGPORT" "redis=redis:127.0.0.1:$SYNCTOP_REDIS_PORT" \
	"search=http:127.0.0.1:$SYNCTOP_SEARCH_PORT" "connect=http:127.0.0.1:$SYNCTOP_CONNECT_PORT" \
	"worker=http:127.0.0.1:$(cat "$dir/worker.port")" >/dev/null 2>"$dir/proxy.log" &
proxy=$!
pids+=("$proxy")
for _ in $(seq 100); do [[ -s $dir/proxy.ports ]] && break; sleep 0.05; done
[[ -s $dir/proxy.ports ]] || die "the proxy did not start ($(cat "$dir/proxy.log"))"
port() { awk -v n="$1" '$1 == n { print $2 }' "$dir/proxy.ports"; }

# The demo's own config (contrib/demo-system.sh), its servers behind the proxy, and a worker
# stage (the demo has none) on the worker stand-in.
conf=$dir/synctop.conf
mkdir -p "$dir/logs"
# shellcheck source=contrib/demo-system.sh
. "$top/contrib/demo-system.sh"
[[ -x $demo__relay_bin ]] || die "build contrib/synctop-relay first (the demo config has a kafka stage with it)"
(
	SYNCTOP_PG_SOCKDIR=127.0.0.1 SYNCTOP_PG_PORT=$(port postgres) DEMO_DIR=$dir
	SYNCTOP_SEARCH_URL=http://127.0.0.1:$(port search) SYNCTOP_CONNECT_URL=http://127.0.0.1:$(port connect)
	SYNCTOP_REDIS_URL=redis://127.0.0.1:$(port redis)/0
	demo__config
	printf '\n[http relay]\nurl = http://127.0.0.1:%s\n' "$(port worker)"
	printf '\n[pipeline workers]\nworker = relay\nworker.state = /admin/state\nworker.paused_field = /paused\n'
) >"$conf"
out=$("$synctop" --once --once-window 0 --format json -c "$conf" 2>&1) || true
unknown=$(jq -r '[.pipelines[].stages[] | select(.status == "unknown") | "\(.kind): \(.error)"] | join("; ")' <<<"$out" 2>/dev/null) ||
	die "synctop did not print a snapshot: ${out:0:300}"
kinds=$(jq -r '[.pipelines[].stages[].kind] | join(" ")' <<<"$out")
[[ -z $unknown ]] || die "stages without an answer: $unknown"

# --- the counters -------------------------------------------------------------------------------
# stats FILE: the proxy's counters into FILE
stats() {
	rm -f "$dir/stats.json"
	kill -USR1 "$proxy"
	for _ in $(seq 100); do [[ -s $dir/stats.json ]] && break; sleep 0.02; done
	mv "$dir/stats.json" "$1"
}
klog=$SYNCTOP_KAFKA_LOG
# kafka_reqs FROM TO: the requests the brokers logged between two line counts, one API a line
kafka_reqs() {
	sed -n "$(($1 + 1)),$2p" "$klog" |
		sed -n 's/.*Broker \([0-9][0-9]*\): Received \([A-Za-z]*\)RequestV[0-9]*.*/\2/p'
}
# kafka_bytes PID: "SENT RECEIVED", the bytes of PID's sockets to the brokers (ss -ti)
brokers=" $(tr ',' '\n' <<<"${SYNCTOP_KAFKA_BOOTSTRAP//\\/}" | sed 's/.*://' | tr '\n' ' ')"
kafka_bytes() {
	ss -tinpH state established 2>/dev/null | awk -v pid="pid=$1," -v brokers="$brokers" '
		/users:/ { peer = $4; sub(/.*:/, "", peer); mine = index($0, pid) > 0 && index(brokers, " " peer " ") > 0; next }
		mine { for (i = 1; i <= NF; i++) {
				if ($i ~ /^bytes_sent:/) { sub(/.*:/, "", $i); s += $i }
				if ($i ~ /^bytes_received:/) { sub(/.*:/, "", $i); r += $i } }
			mine = 0 }
		END { print s + 0, r + 0 }'
}
# delta A B: per backend "NAME CONNS SENT RECEIVED REQUESTS-JSON" of B - A
delta() {
	jq -r --slurpfile a "$1" '
		to_entries[] | .key as $k | .value as $b | ($a[0][$k]) as $o
		| [$k, $b.conns - $o.conns, $b.sent - $o.sent, $b.received - $o.received,
		   ($b.requests | with_entries(.value -= ($o.requests[.key] // 0)) | with_entries(select(.value > 0)) | tojson)]
		| @tsv' "$2"
}

# --once: RUNS runs, a delta each
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }
: >"$dir/once.tsv"
: >"$dir/once.kafka"
for ((r = 0; r < runs; r++)); do
	stats "$dir/a.json"
	k0=$(wc -l <"$klog")
	"$synctop" --once --once-window 0 -c "$conf" >/dev/null 2>&1 || true
	sleep 0.3 # the brokers' last log lines
	stats "$dir/b.json"
	delta "$dir/a.json" "$dir/b.json" >>"$dir/once.tsv"
	kafka_reqs "$k0" "$(wc -l <"$klog")" | sort | uniq -c | awk -v r="$r" '{ print r, $2, $1 }' >>"$dir/once.kafka"
done

# live: synctop --serve at 1 s, counters after the first poll and POLLS polls later
sport=$(daemon_free_port 20000 30000) || die "no free port for --serve"
"$synctop" --serve "127.0.0.1:$sport" --interval 1s -c "$conf" >"$dir/serve.log" 2>&1 &
serve=$!
pids+=("$serve")
taken() { curl -sf --max-time 2 "http://127.0.0.1:$sport/snapshot.json" | jq -r '.taken_at' 2>/dev/null; }
first=
for _ in $(seq 100); do first=$(taken) && [[ -n $first && $first != null ]] && break; sleep 0.1; done
[[ -n $first && $first != null ]] || die "synctop --serve gave no snapshot ($(tail -3 "$dir/serve.log"))"
# wait for the next poll to begin and end, then read the counters half-way to the one after
while [[ $(taken) == "$first" ]]; do sleep 0.05; done
sleep 0.5
t0=$(taken)
stats "$dir/live_a.json"
k0=$(wc -l <"$klog")
read -r ks0 kr0 < <(kafka_bytes "$serve")
while [[ $(taken) == "$t0" ]]; do sleep 0.05; done
sleep "$((polls - 1)).5"
t1=$(taken)
stats "$dir/live_b.json"
k1=$(wc -l <"$klog")
read -r ks1 kr1 < <(kafka_bytes "$serve")
n=$(($(date -d "$t1" +%s) - $(date -d "$t0" +%s)))
((n > 0)) || die "no poll between the two reads ($t0, $t1)"
delta "$dir/live_a.json" "$dir/live_b.json" >"$dir/live.tsv"
kill -TERM "$serve" 2>/dev/null || true

# --- the table ----------------------------------------------------------------------------------
# per backend: the median over the --once runs of each figure, and the live delta / n
per() { awk -v n="$1" '{ printf "%.1f", $1 / n }'; }
once_fig() { # NAME COLUMN
	awk -F'\t' -v k="$1" -v c="$2" '$1 == k { print $c }' "$dir/once.tsv" | median
}
once_reqs() { # NAME: the median run's requests by kind
	awk -F'\t' -v k="$1" '$1 == k { print $5 }' "$dir/once.tsv" | sort | uniq -c | sort -rn | head -1 |
		sed 's/^ *[0-9]* //'
}
live_fig() { awk -F'\t' -v k="$1" -v c="$2" '$1 == k { print $c }' "$dir/live.tsv"; }
total() { jq -r --arg kind "${2:-}" 'if $kind == "" then ([.[]] | add // 0) else ([to_entries[] | select(.key | test($kind)) | .value] | add // 0) end' <<<"$1"; }
fmt() { jq -r 'to_entries | map("\(.key) \(.value)") | join(", ")' <<<"$1"; }
fmt_per() { jq -r --argjson n "$2" 'to_entries | map("\(.key) \(.value / $n * 10 | round / 10)") | join(", ")' <<<"$1"; }

echo "stages: $kinds (all answering); synctop --once --once-window 0 median of $runs runs; live:"
echo "synctop --serve --interval 1s, $n polls after the first (connections up), per poll"
echo "(bytes: sent = synctop to the server; a noisy machine changes times, not these counts)"
echo
printf '%-9s | %-34s %9s %9s | %-30s %9s %9s\n' "backend" "--once: requests" "sent B" "recv B" \
	"live, per poll: requests" "sent B" "recv B"
declare -A lines
for b in postgres redis search connect worker; do
	oreq=$(once_reqs "$b")
	[[ -n $oreq ]] || oreq='{}'
	lreq=$(live_fig "$b" 5)
	[[ -n $lreq ]] || lreq='{}'
	if [[ $b == postgres ]]; then
		o=$(printf '%s round trips, %s statements' "$(total "$oreq" '^[SQ]$')" "$(total "$oreq" '^[PQ]$')")
		l=$(printf '%s round trips, %s statements' "$(total "$lreq" '^[SQ]$' | per "$n")" \
			"$(total "$lreq" '^[PQ]$' | per "$n")")
	else
		o="$(total "$oreq") requests"
		l="$(total "$lreq" | per "$n") requests"
	fi
	printf '%-9s | %-34s %9s %9s | %-30s %9s %9s\n' "$b" "$o" "$(once_fig "$b" 3)" "$(once_fig "$b" 4)" "$l" \
		"$(live_fig "$b" 3 | per "$n")" "$(live_fig "$b" 4 | per "$n")"
	lines[$b]="$o; --once $(once_fig "$b" 3)/$(once_fig "$b" 4) B; live per poll: $l, $(live_fig "$b" 3 | per "$n")/$(live_fig "$b" 4 | per "$n") B"
	lines[$b.detail]="--once: $(fmt "$oreq"); live, per poll: $(fmt_per "$lreq" "$n")"
done
# Kafka: the median run's count of each API
kreq_once=$(awk '{ c[$2] = c[$2] " " $3 } END { for (k in c) print k, c[k] }' "$dir/once.kafka" |
	while read -r api counts; do
		m=$(tr ' ' '\n' <<<"$counts" | median)
		# runs where the API did not appear count as 0
		have=$(wc -w <<<"$counts")
		((have * 2 > runs)) || m=0
		((m > 0)) && printf '%s %s\n' "$api" "$m"
	done | sort)
kreq_live=$(kafka_reqs "$k0" "$k1" | sort | uniq -c | awk -v n="$n" '{ printf "%s %.1f\n", $2, $1 / n }')
ko=$(awk '{ s += $2 } END { print s + 0 }' <<<"$kreq_once")
kl=$(awk '{ s += $2 } END { printf "%.1f", s }' <<<"$kreq_live")
printf '%-9s | %-34s %9s %9s | %-30s %9s %9s\n' "kafka" "$ko requests" "-" "-" "$kl requests" \
	"$(echo $((ks1 - ks0)) | per "$n")" "$(echo $((kr1 - kr0)) | per "$n")"
echo
echo "requests by kind (PostgreSQL: P parse, B bind, E execute, S sync, Q simple query, X terminate):"
for b in postgres redis search connect worker; do
	printf '  %-9s %s\n' "$b" "${lines[$b.detail]}"
done
printf '  %-9s --once: %s; live, per poll: %s\n' kafka "$(paste -sd, <<<"$kreq_once" | sed 's/,/, /g')" \
	"$(paste -sd, <<<"$kreq_live" | sed 's/,/, /g')"
echo "kafka bytes: the kernel's counters of synctop's sockets to the brokers (not proxied), live only"

if [[ -n ${BENCH_TARGETS:-} ]]; then
	{
		for b in postgres redis search connect worker; do
			printf '3\twire: %s per poll\t%s\treport\tn/a\n' "$b" "${lines[$b]}"
		done
		printf '3\twire: kafka per poll\t%s requests --once (%s); live per poll %s requests, %s/%s B\treport\tn/a\n' \
			"$ko" "$(paste -sd, <<<"$kreq_once")" "$kl" "$(echo $((ks1 - ks0)) | per "$n")" "$(echo $((kr1 - kr0)) | per "$n")"
	} >>"$BENCH_TARGETS"
fi
