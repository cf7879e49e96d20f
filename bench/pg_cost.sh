#!/usr/bin/env bash
# pg_cost.sh: what one poll of the outbox stage costs the monitored PostgreSQL (issue 18, item 3).
#
#   bench/pg_cost.sh [--quick]   (10,000,000 outbox rows with 200,000 pending; --quick: 1,000,000
#                                 with 20,000; RUNS=N polls per timing, default 9, --quick 3)
#
# On a private stack it builds the outbox of share/sql/outbox.sql (its indexes included) in one
# INSERT ... generate_series: rows in insertion order, the newest POLL_PENDING still pending
# (the relay delivers oldest first) and one pending row in 4,000 poisoned (attempts at
# outbox.max_attempts and an error), then VACUUM ANALYZE. Then:
#   1. the statements synctop sends: one `synctop --once --once-window 0` with log_statement=all
#      set for its own session only (conninfo options), read back from the server log: the exact
#      text and parameters, nothing retyped here;
#   2. (a) each of them replayed in a session set up as synctop's (its own set_config statement),
#      under EXPLAIN (ANALYZE, BUFFERS): planning and execution time, shared buffers hit/read,
#      the indexes used, and whether any node is a Seq Scan on the outbox;
#   3. (c) one poll's wall time with only the outbox stage (--pipeline), median of RUNS runs
#      interleaved with `psql -c 'SELECT 1'` (the baseline), and the poll as the stage measured it
#      (latency_ms);
#   4. (b) the same without the indexes (DROP INDEX): what synctop says, and the poll's time
#      against outbox.count_cap and statement_timeout (the [synctop] timeout, 2 s by default).
# Also the slot stage's statements (a logical slot of test_decoding) in step 1 and 2.
# Prints figures, never pass/fail; with BENCH_TARGETS=FILE appends its target lines there.
# The machine's noise shows in the baseline: compare the ratio, not the milliseconds.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
synctop=${SYNCTOP:-$top/synctop}
quick=0
[[ ${1:-} == --quick ]] && quick=1
if ((quick)); then
	rows=1000000 pending=20000 runs=${RUNS:-3}
else
	rows=10000000 pending=200000 runs=${RUNS:-9}
fi
die() {
	printf 'bench/pg_cost.sh: %s\n' "$*" >&2
	exit 1
}
[[ -x $synctop ]] || die "build synctop first ($synctop)"
command -v jq >/dev/null || die "jq is required (apt-get install jq)"

# shellcheck source=tests/stack/pg.sh
. "$top/tests/stack/pg.sh"
dir=$(pg_tmpdir synctop-bench-pgcost) || die "no temporary directory"
trap '"$top/tests/stack/stack.sh" down "$dir/stack" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
"$top/tests/stack/stack.sh" up "$dir/stack" >/dev/null 2>"$dir/stack.log" || {
	cat "$dir/stack.log" >&2
	die "the stack did not start"
}
pg__unset_env
# shellcheck source=/dev/null
. "$dir/stack/env"
export PGDATABASE=synctop
log=$SYNCTOP_PG_LOG
# The server's own psql: Debian's /usr/bin/psql is a Perl wrapper that costs ~50 ms a start.
psql() { "$SYNCTOP_PG_BINDIR/psql" "$@"; }

sql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
sql -c "SELECT pg_create_logical_replication_slot('bench_slot', 'test_decoding')" >/dev/null
sql -f "$top/share/sql/outbox.sql"
t0=${EPOCHREALTIME//[!0-9]/}
done_rows=$((rows - pending))
sql <<SQL
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, created_at, processed, processed_at,
                    attempts, last_error)
SELECT 'product', g::text, 'product.updated', now() - (($rows - g) || ' ms')::interval,
       g <= $done_rows, CASE WHEN g <= $done_rows THEN now() END,
       CASE WHEN g > $done_rows AND g % 4000 = 0 THEN 5 ELSE 0 END,
       CASE WHEN g > $done_rows AND g % 4000 = 0 THEN 'broker said no' END
FROM generate_series(1, $rows) g;
VACUUM ANALYZE outbox;
SQL
build_ms=$(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
indexes=$(psql -X -At -c "SELECT string_agg(indexname, ', ' ORDER BY indexname) FROM pg_indexes
	WHERE tablename = 'outbox' AND indexname <> 'outbox_pkey'")
size=$(psql -X -At -c "SELECT pg_size_pretty(pg_total_relation_size('outbox'))")

conninfo="host=$PGHOST port=$PGPORT dbname=synctop user=postgres"
conf() { # FILE [CONNINFO OPTIONS]
	local extra=
	[[ -z ${2:-} ]] || extra=" options='$2'"
	cat >"$1" <<CONF
[postgres shop]
conninfo = $conninfo$extra

[pipeline bench]
outbox = shop

[pipeline slots]
slot = shop
slot.names = bench_slot
CONF
}
conf "$dir/bench.conf"
conf "$dir/logged.conf" "-c log_statement=all"
cap=$("$synctop" --list-options | awk -F'\t' '$2 == "outbox.count_cap" { print $4 }')
[[ $cap =~ ^[0-9]+$ ]] || die "no default for outbox.count_cap in synctop --list-options"

echo "outbox: $rows rows, $pending pending (1 in 4,000 of them poisoned), $size with its indexes;"
echo "built in $((build_ms / 1000)) s; indexes besides the primary key: ${indexes:-none}"

# --- 1. the statements, as the server received them -------------------------------------------
# capture CONF: runs one poll with CONF and prints the statements its session sent, one a line:
# SQL<TAB>PARAMS (PARAMS: the literals of the DETAIL line, e.g. '100001', '5').
capture() {
	local before
	before=$(wc -l <"$log")
	"$synctop" --once --once-window 0 -c "$1" >/dev/null 2>&1 || true
	sleep 0.2 # the logger's last lines
	tail -n +"$((before + 1))" "$log" | awk '
		/ LOG:  (execute [^:]*|statement): / {
			if (sql != "") print sql "\t" params
			sub(/.* LOG:  (execute [^:]*|statement): /, ""); sql = $0; params = ""; next }
		/ DETAIL:  parameters: / && sql != "" {
			sub(/.* DETAIL:  parameters: /, ""); gsub(/\$[0-9]+ = /, ""); params = $0; next }
		END { if (sql != "") print sql "\t" params }'
}
capture "$dir/logged.conf" >"$dir/statements"
[[ -s $dir/statements ]] || die "no statement of synctop's in the server log ($log)"
setup=$(grep -m1 "^SELECT set_config('default_transaction_read_only'" "$dir/statements" | cut -f1) ||
	die "synctop's session setup statement was not captured"
timeout_ms=$(sed -n "s/.*'statement_timeout', '\([0-9]*\)'.*/\1/p" <<<"$setup")
echo "outbox.count_cap $cap, statement_timeout $timeout_ms ms (synctop's defaults); median of $runs runs"
echo "(a noisy machine shows in the baseline: read the ratios)"

# --- 2. (a) EXPLAIN (ANALYZE, BUFFERS) of each ----------------------------------------------------
# explain SQL PARAMS: one line of figures for the statement, run in a session set up as synctop's.
explain() {
	local stmt=$1 params=$2 body out plain=-
	if [[ $stmt == EXPLAIN* ]]; then
		# synctop's own EXPLAIN: planning only; its planning time is what it costs
		body=${stmt#EXPLAIN (FORMAT JSON) }
		out=$(psql -X -q -At -v ON_ERROR_STOP=1 \
			-c "$setup" -c "EXPLAIN (FORMAT JSON, SUMMARY ON, BUFFERS) $body" 2>&1 | tail -n +2) || return 1
	else
		out=$(psql -X -q -At -v ON_ERROR_STOP=1 -c "$setup" -c "PREPARE s AS $stmt" \
			-c "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE s${params:+($params)}" 2>&1 | tail -n +2) ||
			return 1
		# the execution time without the per-node clock readings of ANALYZE (they cost per row)
		plain=$(psql -X -q -At -v ON_ERROR_STOP=1 -c "$setup" -c "PREPARE s AS $stmt" \
			-c "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) EXECUTE s${params:+($params)}" 2>&1 |
			tail -n +2 | jq -r '.[0]."Execution Time"') || plain=-
	fi
	jq -r '.[0] as $e
		| [..|objects|select(."Node Type"? == "Seq Scan" and ."Relation Name"? == "outbox")] as $seq
		| [..|objects|."Index Name"? // empty] | unique as $idx
		| [($e."Planning Time" // 0), ($e."Execution Time" // "-"), $plain,
		   ($e.Plan."Shared Hit Blocks" // 0) + ($e.Planning."Shared Hit Blocks" // 0),
		   ($e.Plan."Shared Read Blocks" // 0) + ($e.Planning."Shared Read Blocks" // 0),
		   ($seq | length), (if ($idx | length) > 0 then $idx | join(",") else "-" end)]
		| @tsv' --arg plain "$plain" <<<"$out"
}
# report_statements FILE: the table of step 2; sets SEQSCANS (Seq Scans on the outbox, every
# statement) and STATEMENTS (how many per poll).
report_statements() {
	local stmt params fig n=0
	SEQSCANS=0 STATEMENTS=0
	printf '%-3s %8s %9s %9s %7s %5s %4s  %-32s %s\n' "#" "plan ms" "exec ms" "no-tim ms" "hit" "read" "seq" "indexes" "statement"
	while IFS=$'\t' read -r stmt params; do
		n=$((n + 1))
		if [[ $stmt == "$setup" ]]; then
			printf '%-3s %s\n' "$n" "(once per connection) ${stmt:0:100}"
			continue
		fi
		STATEMENTS=$((STATEMENTS + 1))
		fig=$(explain "$stmt" "$params") || fig=$'-\t-\t-\t-\t-\t-\tfailed'
		IFS=$'\t' read -r p e t h r s i <<<"$fig"
		[[ $s =~ ^[0-9]+$ ]] && SEQSCANS=$((SEQSCANS + s))
		printf '%-3s %8s %9s %9s %7s %5s %4s  %-32s %s\n' "$n" "$p" "$e" "$t" "$h" "$r" "$s" "$i" \
			"${stmt:0:160}${params:+ [params: $params]}"
	done <"$1"
}
echo
echo "== (a) the statements of one poll (outbox and slot stages), as the server received them, under"
echo "EXPLAIN (ANALYZE, BUFFERS) with the reference indexes (hit/read: shared buffers, planning"
echo "included; no-tim: the execution time under ANALYZE, TIMING OFF; seq: Seq Scan nodes on the outbox)"
report_statements "$dir/statements"
seq_idx=$SEQSCANS stmts=$STATEMENTS
printf '%d statements per poll; Seq Scans on the outbox: %d\n' "$stmts" "$seq_idx"
sed 's/\t.*//' "$dir/statements" >"$dir/statements.sql" # the full texts, for the curious

# --- 3. (c) one poll's wall time ------------------------------------------------------------------
us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }'; }
# timings CONF: RUNS rounds of psql SELECT 1 then synctop --once (the outbox pipeline only);
# prints "BASE WALL LATENCY WARM" medians in ms (WARM: latency_ms of a run's second poll). Interleaved, so that the noise hits both alike.
timings() {
	local i t0 t1 out b=() w=() l=() m=()
	for ((i = 0; i < runs; i++)); do
		t0=$(us)
		psql -X -At -c 'SELECT 1' >/dev/null
		t1=$(us)
		b+=("$(((t1 - t0) / 100))")
		t0=$(us)
		out=$("$synctop" --once --once-window 0 --format json --pipeline bench -c "$1" 2>/dev/null) || true
		t1=$(us)
		w+=("$(((t1 - t0) / 100))")
		l+=("$(jq -r '.pipelines[0].stages[0].latency_ms' <<<"$out")")
		# warm: the second poll of a run (connection up, no EXPLAIN), as on the screen
		out=$("$synctop" --once --once-window 0.3s --format json --pipeline bench -c "$1" 2>/dev/null) || true
		m+=("$(jq -r '.pipelines[0].stages[0].latency_ms' <<<"$out")")
	done
	printf '%s %s %s %s\n' "$(printf '%s\n' "${b[@]}" | median | awk '{ print $1 / 10 }')" \
		"$(printf '%s\n' "${w[@]}" | median | awk '{ print $1 / 10 }')" "$(printf '%s\n' "${l[@]}" | median)" \
		"$(printf '%s\n' "${m[@]}" | median)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
read -r base wall lat warm < <(timings "$dir/bench.conf")
echo
echo "== (c) one poll of the outbox stage (synctop --once --once-window 0 --pipeline bench)"
printf '%-52s %8s ms\n' "baseline: psql -X -c 'SELECT 1'" "$base"
printf '%-52s %8s ms  (%s the baseline)\n' "synctop --once, wall (process start included)" "$wall" "$(ratio "$wall" "$base")"
printf '%-52s %8s ms\n' "the outbox poll as synctop measured it (latency_ms)" "$lat"
printf '%-52s %8s ms\n' "a warm poll (the second of --once-window 0.3s)" "$warm"
once=$("$synctop" --once --once-window 0 --format json --pipeline bench -c "$dir/bench.conf" 2>/dev/null) || true
jq -r '.pipelines[0].stages[0] | "figures: pending \(.metrics.pending) (capped: \(.metrics.pending_capped)), failed \(.metrics.failed), oldest \(.metrics.oldest_pending_age_s | floor) s"' <<<"$once"

# --- 4. (b) without the indexes -------------------------------------------------------------------
sql -c "SET client_min_messages = warning" -c "DROP INDEX IF EXISTS outbox_pending_idx" \
	-c "DROP INDEX IF EXISTS outbox_failed_idx"
echo
echo "== (b) without the indexes (DROP INDEX outbox_pending_idx, outbox_failed_idx)"
"$synctop" --once --once-window 0 --pipeline bench -c "$dir/bench.conf" >"$dir/noidx.txt" 2>&1 || true
sed 's/^/  | /' "$dir/noidx.txt"
noidx=$("$synctop" --once --once-window 0 --format json --pipeline bench -c "$dir/bench.conf" 2>/dev/null) || true
# Said either way: the outbox-no-index diagnosis when the counts answered, or, when they ran
# out of time, the stage's error naming the index to create.
diag=$(jq -r '[.pipelines[0].diagnoses[]? | select(.rule == "outbox-no-index")] | length' <<<"$noidx")
err=$(jq -r '.pipelines[0].stages[0].error // "none"' <<<"$noidx")
says=$diag
[[ $err == *"no index serves the pending predicate"* ]] && says=$((says + 1))
capped=$(jq -r '.pipelines[0].stages[0].metrics.pending_capped | tostring' <<<"$noidx")
read -r nbase nwall nlat nwarm < <(timings "$dir/bench.conf")
printf '%-52s %8s ms\n' "baseline: psql -X -c 'SELECT 1'" "$nbase"
printf '%-52s %8s ms  (%s the baseline)\n' "synctop --once, wall" "$nwall" "$(ratio "$nwall" "$nbase")"
printf '%-52s %8s ms  (statement_timeout %d ms)\n' "the outbox poll (latency_ms)" "$nlat" "$timeout_ms"
printf '%-52s %8s ms\n' "a warm poll (the second of --once-window 0.3s)" "$nwarm"
printf 'outbox-no-index diagnosis: %s; pending capped: %s; stage error: %s\n' \
	"$([[ $diag -gt 0 ]] && echo shown || echo "not shown")" "$capped" "$err"
printf 'says that no index serves the pending predicate: %s\n' "$([[ $says -gt 0 ]] && echo yes || echo NO)"
echo "the statements without the indexes (plans only: EXPLAIN ANALYZE would run them to the end):"
capture "$dir/logged.conf" | grep -v '^SELECT set_config' | while IFS=$'\t' read -r stmt params; do
	[[ $stmt == EXPLAIN* ]] && continue
	nodes=$(psql -X -q -At -c "$setup" -c "PREPARE s AS $stmt" \
		-c "EXPLAIN (FORMAT JSON) EXECUTE s${params:+($params)}" 2>/dev/null | tail -n +2 |
		jq -r '[..|objects|select(."Relation Name"? == "outbox")|"\(."Node Type")"] | group_by(.) | map("\(length)x \(.[0])") | join(", ")') ||
		nodes="(not explained)"
	printf '  %-40s %s\n' "${nodes:-no outbox scan}" "${stmt:0:110}"
done

# --- targets --------------------------------------------------------------------------------------
if [[ -n ${BENCH_TARGETS:-} ]]; then
	met() { if [[ $1 == 1 ]]; then echo met; else echo "not met"; fi; }
	bounded=$(awk -v w="$nlat" -v t="$timeout_ms" 'BEGIN { print (w <= t + 500) ? 1 : 0 }')
	{
		# The target is the poll (the cost to the server: a new session's first poll, connecting
		# and the EXPLAIN included); the wall adds synctop's own start, shown beside psql's.
		printf '3\toutbox poll, %s rows / %s pending, reference indexes: the first poll, connecting included (warm poll %s ms; --once wall %s ms against psql SELECT 1 %s ms)\t%s ms\t< 50 ms\t%s\n' \
			"$rows" "$pending" "$warm" "$wall" "$base" "$lat" \
			"$(met "$(awk -v l="$lat" 'BEGIN { print (l < 50) ? 1 : 0 }')")"
		printf '3\tSeq Scans on the outbox in the %d statements of a poll (EXPLAIN ANALYZE)\t%d\tnone\t%s\n' \
			"$stmts" "$seq_idx" "$(met "$((seq_idx == 0))")"
		printf '3\twithout the index: outbox-no-index said, poll bounded (cap %s, statement_timeout %s ms)\t%s; %s ms (%s)\tsays so + bounded\t%s\n' \
			"$cap" "$timeout_ms" "$([[ $says -gt 0 ]] && echo said || echo "not said")" "$nlat" \
			"$([[ $err == none ]] && echo "answered" || echo "stage error: ${err:0:60}")" \
			"$(met "$(((says > 0) && bounded))")"
	} >>"$BENCH_TARGETS"
fi
