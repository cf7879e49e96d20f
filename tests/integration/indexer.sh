#!/usr/bin/env bash
# indexer.sh: contrib/synctop-indexer, the reference search indexer, on the whole pipeline: outbox rows
# in a real PostgreSQL, published by contrib/synctop-relay to the Kafka mock, indexed into the
# Elasticsearch stand-in. Exact figures (the last payload of each product wins), a delete, a document
# the index refuses, at least once across a SIGKILL between the index's acknowledgement and the commit
# (and no document twice), the pause file, a failing search cluster (nothing committed, retried),
# a clean SIGTERM, usage errors, and no secret in what it prints. --graph-url: the same products as
# nodes in the Neo4j stand-in, exact (count, newest), a delete, and a read-only database that refuses
# the writes without holding the index back.
# needs: postgres kafka search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

INDEXER=${SYNCTOP_INDEXER:-$top_builddir/contrib/synctop-indexer}
RELAY=${SYNCTOP_RELAY:-$top_builddir/contrib/synctop-relay}
[[ -x $INDEXER ]] || skip_all "$INDEXER is not built (a build without Kafka, libcurl or PostgreSQL?)"
[[ -x $RELAY ]] || skip_all "$RELAY is not built (a build without Kafka or PostgreSQL?)"
need_pg
need_kafka
need_search
need_graph
run=$$
T=indexer-test-$run  # the topic
G=indexer-test-$run  # the consumer group
IX=indexer-test-$run # the index
PARTS=3
GL=IndexerTest$run # the graph's label
GRAPH=(--graph-url "$SYNCTOP_GRAPH_URL" --graph-label "$GL")

# ----------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------
# indexer ARGS...: the indexer in the foreground on the test's topic, group and index, with a
# watchdog; sets I_RC, I_OUT, I_ERR, I_MS.
indexer() {
	local t0=${EPOCHREALTIME//[!0-9]/}
	timeout -k 5 60 "$INDEXER" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T" --group "$G" --index "$IX" \
		"$@" >"$TEST_TMP/indexer.out" 2>"$TEST_TMP/indexer.err" </dev/null
	I_RC=$?
	I_MS=$(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
	I_OUT=$(<"$TEST_TMP/indexer.out")
	I_ERR=$(<"$TEST_TMP/indexer.err")
	diag "indexer $* -> exit $I_RC in $I_MS ms"
}

# indexer_bg LOG ARGS...: the indexer in the background (topic, group and index as above), its
# stderr to LOG; INDEXER_PID. Killed at exit if still running.
indexer_bg() {
	local log=$1
	shift
	"$INDEXER" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T" --group "$G" --index "$IX" "$@" \
		2>"$log" </dev/null &
	INDEXER_PID=$!
	at_exit kill_ours "$INDEXER_PID"
}

# (kill_ours and stop_bg, for the indexers in the background: lib.sh.)

# wait_until SECONDS CMD...: runs CMD until it succeeds; false at the deadline.
# shellcheck disable=SC2317 # run by ok
wait_until() {
	local deadline=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		(($(now_ms) < deadline)) || return 1
		sleep 0.05
	done
}

# products FROM TO: the rows g = FROM..TO over the 300 products P-00000..P-00299 (g % 300), as
# (aggregate_id, event_type, payload); the payload says n = g.
products() {
	printf "SELECT 'P-' || lpad((g %% 300)::text, 5, '0'), 'product.updated',
		jsonb_build_object('id', 'P-' || lpad((g %% 300)::text, 5, '0'), 'n', g, 'price', round(g * 1.5, 2),
		                   'updated_at', timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second')
		FROM generate_series(%d, %d) AS g" "$1" "$2"
}

# publish SQL: outbox rows from SQL's (aggregate_id, event_type, payload), published to the topic by
# the relay.
publish() {
	psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload)
		SELECT 'product', a, e, p FROM ($1) AS s(a, e, p)" >/dev/null || bail_out "inserting outbox rows failed"
	timeout -k 5 30 "$RELAY" -d "$SYNCTOP_DB" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T" --once \
		2>"$TEST_TMP/relay.err" || bail_out "the relay failed: $(<"$TEST_TMP/relay.err")"
}

# committed_end [GROUP]: "committed/end" for each partition, e.g. "345/345 316/316 339/339".
committed_end() {
	local p out=()
	for ((p = 0; p < PARTS; p++)); do
		out+=("$(ktool committed "${1:-$G}" "$T" "$p")/$(ktool end "$T" "$p")")
	done
	echo "${out[*]}"
}
committed_total() {
	local p c sum=0
	for ((p = 0; p < PARTS; p++)); do
		c=$(ktool committed "${1:-$G}" "$T" "$p") || return 1
		[[ $c == none ]] || sum=$((sum + c))
	done
	echo "$sum"
}
end_total() {
	ktool watermarks "$T" 2>/dev/null | sed -n 's/.*end_total=//p'
}
# caught_up [GROUP]: every partition's committed offset is its end offset.
# shellcheck disable=SC2317 # run by ok
caught_up() {
	local pair
	for pair in $(committed_end "$@"); do
		[[ ${pair%/*} == "${pair#*/}" ]] || return 1
	done
}
# committed_is N, committed_ge N: the group's committed offsets add up to N, to N or more.
# shellcheck disable=SC2317 # run by ok
committed_is() { [[ $(committed_total) == "$1" ]]; }
# shellcheck disable=SC2317 # run by ok
committed_ge() { (($(committed_total) >= $1)); }

# count: the documents of the index, after a refresh.
count() {
	scurl "/$IX/_refresh" -XPOST >/dev/null
	scurl "/$IX/_count" | jq -r .count
}

# indexed: "ID N" for every document of the index, sorted; expected: what it should be: the last
# payload of each product whose last event is not a delete, the payloads with a bad date (which the
# index refuses) left out.
indexed() {
	scurl "/$IX/_refresh" -XPOST >/dev/null
	scurl "/$IX/_search?size=10000" | jq -r '.hits.hits[] | "\(._id) \(._source.n)"' | sort
}
expected() {
	psql_synctop -F ' ' -c "SELECT aggregate_id, payload->>'n' FROM (
		SELECT DISTINCT ON (aggregate_id) aggregate_id, event_type, payload FROM outbox
		WHERE payload->>'updated_at' IS DISTINCT FROM 'not a date' ORDER BY aggregate_id, id DESC) AS last
		WHERE event_type <> 'product.deleted'" | sort
}

# gnodes: the stand-in's graph of the label: {"count", "newest" (epoch seconds), "written"}.
gnodes() {
	curl -sS -m 5 "$SYNCTOP_GRAPH_URL/_standin/nodes" | jq -c --arg l "$GL" '.[$l]'
}
# graph_access ONLY|WRITE: ALTER DATABASE neo4j SET ACCESS READ ...
graph_access() {
	curl -sS -m 5 -XPOST "$SYNCTOP_GRAPH_URL/db/system/query/v2" -H 'Content-Type: application/json' \
		-d "{\"statement\": \"ALTER DATABASE neo4j SET ACCESS READ $1\"}" >/dev/null
}
# graph_sums: "merged created deleted found", each added up over the -v lines of the last run
# ("graph: M nodes merged (C created), D deleted (F found)", one a batch).
graph_sums() {
	sed -n 's/.*graph: \([0-9]*\) nodes merged (\([0-9]*\) created), \([0-9]*\) deleted (\([0-9]*\) found).*/\1 \2 \3 \4/p' <<<"$I_ERR" |
		awk '{ for (i = 1; i <= 4; i++) s[i] += $i } END { print s[1] + 0, s[2] + 0, s[3] + 0, s[4] + 0 }'
}
EPOCH0=$(date -ud '2026-01-01T00:00:00Z' +%s)

# index_ops: the index operations the stand-in counted on the index (deletes and refusals apart).
index_ops() {
	scurl /_standin/state | jq -r --arg ix "$IX" '.indices[$ix].counters.index_total'
}

fresh_db synctop_indexer
load_outbox_schema
kafka_ctl topic "$T" "$PARTS" >/dev/null || bail_out "cannot create topic $T on the mock"

# ----------------------------------------------------------------------
# 1. Exact figures: 1000 messages over 300 products; the last payload of each wins.
# ----------------------------------------------------------------------
publish "$(products 1 1000)"
is "$(end_total)" 1000 "setup: the relay published 1000 messages"
indexer --once -v "${GRAPH[@]}"
is "$I_RC" 0 "exact: --once exits 0 when the group has no lag left"
diag "indexed 1000 messages in $I_MS ms (the whole run: start, index creation, 2 bulks, commits, exit)"
between "$I_MS" 0 10000 "exact: 1000 messages indexed in under 10 s"
is "$(count)" 300 "exact: _count is 300 (one document per product)"
indexed >"$TEST_TMP/indexed"
expected >"$TEST_TMP/expected"
is "$(diff "$TEST_TMP/expected" "$TEST_TMP/indexed" | head -n 6)" "" \
	"exact: every document is its product's last payload (n = the highest g of its key)"
is "$(scurl "/$IX/_doc/P-00042" | jq -cS ._source)" \
	"$(psql_synctop -c "SELECT payload FROM outbox WHERE aggregate_id = 'P-00042' ORDER BY id DESC LIMIT 1" | jq -cS .)" \
	"exact: document P-00042 equals the last payload of its key (n = 942), field by field"
is "$(committed_end)" "$(committed_end | sed 's#[0-9]*/\([0-9]*\)#\1/\1#g')" \
	"exact: the group's committed offset of each partition is its end offset ($(committed_end))"
is "$(committed_total)" 1000 "exact: the committed offsets add up to 1000"
like "$I_ERR" 'stopped: 1000 documents indexed, 0 deleted, 0 rejected, 0 skipped, [0-9]+ bulk attempts' \
	"exact: the indexer counts 1000 documents indexed"
between "$(sed -n 's/.* \([0-9]*\) bulk attempts$/\1/p' <<<"$I_ERR")" 2 4 \
	"exact: in 2 to 4 _bulk requests (batches of up to 500, the default --batch)"
is "$(scurl "/$IX" | jq -r --arg ix "$IX" '.[$ix].mappings.properties.updated_at.type')" date \
	"exact: the index was created with updated_at as a date"
unlike "$I_ERR" 'synctop-relay' "exact: the log lines say synctop-indexer, not synctop-relay"
is "$(gnodes)" "{\"count\":300,\"newest\":$((EPOCH0 + 1000)),\"written\":300}" \
	"graph: 300 nodes, the newest updated_at that of g = 1000"
is "$(graph_sums)" "1000 300 0 0" "graph: 1000 rows merged (each message, the last of a product winning), 300 nodes created"

# Nothing new: --once finds no lag and exits at once.
indexer --once
is "$I_RC $(count)" "0 300" "no lag: --once exits 0 and changes nothing"

# ----------------------------------------------------------------------
# 2. A delete, a document the index refuses (a bad date), and two messages that cannot be documents
#    (no key): skipped, logged, committed past.
# ----------------------------------------------------------------------
ktool produce "$T" 0 2 >/dev/null || bail_out "kafka_tool produce failed"
publish "SELECT 'P-00007', 'product.deleted', jsonb_build_object('id', 'P-00007')
	UNION ALL SELECT 'P-00008', 'product.updated', jsonb_build_object('id', 'P-00008', 'n', 5000, 'updated_at', 'not a date')
	UNION ALL SELECT 'P-00009', 'product.updated', jsonb_build_object('id', 'P-00009', 'n', 5001, 'updated_at', '2026-02-01T00:00:00Z')"
indexer --once -v "${GRAPH[@]}"
is "$I_RC" 0 "delete/refused: --once exits 0"
is "$(count)" 299 "delete: _count is 299"
is "$(scurl "/$IX/_doc/P-00007" | jq -r .found)" false "delete: product.deleted removed document P-00007"
is "$(scurl "/$IX/_doc/P-00008" | jq -r ._source.n)" 908 "refused: P-00008 keeps its last good payload (n = 908)"
is "$(scurl "/$IX/_doc/P-00009" | jq -r ._source.n)" 5001 "refused: the rest of the batch is indexed (P-00009 n = 5001)"
is "$(grep -c 'rejected by the index: document P-00008 ' <<<"$I_ERR")" 1 "refused: logged once"
like "$I_ERR" 'rejected by the index: document P-00008 \(partition [0-9] offset [0-9]+\): 400 document_parsing_exception: .*updated_at' \
	"refused: the line names the product, where it is, the status and the reason"
like "$I_ERR" '1 deleted, 1 rejected, 2 skipped' "refused: the counts say 1 deleted, 1 rejected, 2 skipped"
is "$(grep -cE 'skipped: partition 0 offset [0-9]+ \(key \(none\)\): no key' <<<"$I_ERR")" 2 \
	"no key: each message without a key is logged, once"
ok "delete/refused/no key: committed = end on every partition (past the refused and skipped ones)" caught_up
is "$(gnodes)" "{\"count\":299,\"newest\":$(date -ud '2026-02-01T00:00:00Z' +%s),\"written\":299}" \
	"graph: P-00007 deleted, P-00009 at 2026-02-01 (the refused P-00008 not written)"
is "$(graph_sums)" "1 0 1 1" "graph: 1 node merged (none created), 1 deleted (found)"

# The graph's database read-only: every write refused, logged once; the index goes on, commits.
graph_access ONLY
publish "$(products 1001 1010)"
indexer --once -v "${GRAPH[@]}"
is "$I_RC" 0 "graph read-only: --once exits 0"
ok "graph read-only: committed = end on every partition" caught_up
is "$(scurl "/$IX/_doc/P-00105" | jq -r ._source.n)" 1005 "graph read-only: the index took the batch (P-00105 n = 1005)"
is "$(grep -c 'ForbiddenOnReadOnlyDatabase: This is a read only database' <<<"$I_ERR")" 1 \
	"graph read-only: the server's code and message, logged once"
like "$I_ERR" "graph: $SYNCTOP_GRAPH_URL: rows: Neo.ClientError.General.ForbiddenOnReadOnlyDatabase" \
	"graph read-only: the line names the graph and the statement's parameter"
is "$(gnodes)" "{\"count\":299,\"newest\":$(date -ud '2026-02-01T00:00:00Z' +%s),\"written\":299}" \
	"graph read-only: the graph unchanged"
graph_access WRITE

# ----------------------------------------------------------------------
# 3. A crash between the index's acknowledgement and the commit: the batch comes again, indexed
#    twice (harmless), no document lost or duplicated.
# ----------------------------------------------------------------------
publish "$(products 10001 11000)"
before_ops=$(index_ops)
before_committed=$(committed_total)
log=$TEST_TMP/crash.err
indexer_bg "$log" --batch 100 --test-delay-ms 300
pid=$INDEXER_PID
# The third batch is acknowledged by the index; the indexer waits 300 ms before its commit: kill it.
for ((i = 0; i < 500; i++)); do
	(($(grep -c 'acknowledged a batch' "$log" 2>/dev/null) >= 3)) && break
	sleep 0.02
done
{ kill -KILL "$pid" && wait "$pid"; } 2>/dev/null # (no "Killed" notice from bash)
killed_batch=$(grep 'acknowledged a batch' "$log" | tail -n 1 | sed -n 's/.*batch of \([0-9]*\) messages.*/\1/p')
at_kill=$(committed_total)
ops_at_kill=$(($(index_ops) - before_ops))
diag "at the SIGKILL: $((at_kill - before_committed)) messages committed, $ops_at_kill indexed (the last batch: ${killed_batch:-?})"
between "$((at_kill - before_committed))" 1 999 "crash: killed mid-run"
is "$ops_at_kill" "$((at_kill - before_committed + ${killed_batch:-0}))" \
	"crash: the index has the killed batch (${killed_batch:-?} messages) that the group has not committed"
indexer --once --batch 100
is "$I_RC" 0 "crash: the restarted indexer catches up and exits 0"
is "$(count)" 300 "crash: _count is exactly 300 after the restart (indexing by id is idempotent)"
indexed >"$TEST_TMP/indexed"
expected >"$TEST_TMP/expected"
is "$(diff "$TEST_TMP/expected" "$TEST_TMP/indexed" | head -n 6)" "" \
	"crash: every document is its product's last payload"
ok "crash: committed = end on every partition" caught_up
dups=$(($(index_ops) - before_ops - 1000))
diag "crash: $((dups + 1000)) index operations for 1000 messages: $dups indexed twice (the batch in hand at the kill)"
is "$dups" "${killed_batch:-?}" "crash: exactly the killed batch was indexed twice (at least once, no more)"

# ----------------------------------------------------------------------
# 4. One long run (--subscribe: a member of the group): the pause file, a failing search cluster,
#    SIGTERM.
# ----------------------------------------------------------------------
pause=$TEST_TMP/pause
log=$TEST_TMP/run.err
indexer_bg "$log" --subscribe --pause-file "$pause" --batch 50 --delay-ms 3 -v
pid=$INDEXER_PID
ok "subscribe: the group gives the indexer the 3 partitions" \
	wait_until 15 grep -q 'gave us 3 partitions' "$log"
base=$(committed_total)
publish "$(products 20001 20400)"
ok "pause: the indexer consumes the new messages (100 committed)" wait_until 10 committed_ge "$((base + 100))"
touch "$pause"
at_pause=$(committed_total)
ok "pause: the indexer says it is paused" wait_until 2 grep -q "paused ($pause exists)" "$log"
sleep 0.5 # settle: the batch in hand (50 messages, 3 ms each) is finished
c1=$(committed_total)
publish "$(products 20401 20450)"
sleep 1
c2=$(committed_total)
diag "pause: committed $at_pause at the touch, $c1 after 0.5 s, $c2 1 s later; end $(end_total)"
is "$c2" "$c1" "pause: the committed offsets stand still (1 s) while 50 more messages come"
# At the touch a batch may be acknowledged but not yet committed, and another in hand: both
# may still land (seen: 55 = 5 + 50 under load), nothing after them.
between "$((c1 - at_pause))" 0 100 "pause: at most the batch being committed and the batch in hand (2 x 50) went on"
ok "pause: the lag stays ($c2 committed < $(end_total))" test "$c2" -lt "$(end_total)"
rm -f "$pause"
t0=$(now_ms)
ok "resume: the indexer says so" wait_until 2 grep -q "resumed ($pause is gone)" "$log"
ok "resume: it catches up (committed = end)" wait_until 10 caught_up
diag "resume: caught up $(($(now_ms) - t0)) ms after the file went"
is "$(grep -c 'gave us' "$log")" 1 "pause: the group membership lived through the pause (no new assignment)"

# The search cluster answers every request with 503: nothing is committed while it lasts.
scurl /_standin/fault -XPOST -d '{"mode": "status", "status": 503}' >/dev/null
base=$(committed_total)
bulks_before=$(grep -c 'POST /_bulk' "$SYNCTOP_SEARCH_LOG")
publish "$(products 30001 30099) UNION ALL SELECT 'P-00011', 'product.updated',
	jsonb_build_object('id', 'P-00011', 'n', 30100, 'updated_at', 'not a date')"
sleep 2
ok "503: nothing committed while the index fails ($(committed_total) = $base)" committed_is "$base"
attempts=$(($(grep -c 'POST /_bulk' "$SYNCTOP_SEARCH_LOG") - bulks_before))
diag "503: $attempts _bulk attempts in 2 s"
between "$attempts" 2 5 "503: retried with backoff ($attempts attempts in 2 s, not a spin)"
is "$(grep -c 'search: .*HTTP 503: cluster_block_exception' "$log")" 1 "503: the failure is logged once, not per retry"
scurl /_standin/fault -XDELETE >/dev/null
t0=$(now_ms)
ok "503 cleared: everything is indexed and committed" wait_until 15 caught_up
diag "503 cleared: caught up $(($(now_ms) - t0)) ms after the fault went"
is "$(committed_total)" "$((base + 100))" "503 cleared: the 100 messages committed"
indexed >"$TEST_TMP/indexed"
expected >"$TEST_TMP/expected"
is "$(diff "$TEST_TMP/expected" "$TEST_TMP/indexed" | head -n 6)" "" \
	"503 cleared: every document is its product's last payload (300)"
is "$(grep -c 'rejected by the index: document P-00011 ' "$log")" 1 \
	"503 cleared: the refused document in the retried batch is logged once"
like "$(<"$log")" 'search: indexing into' "503 cleared: the recovery is logged"
stop_bg "$pid"
is "$STOP_RC" 0 "SIGTERM: exit 0"
between "$STOP_MS" 0 3000 "SIGTERM: gone in $STOP_MS ms"
like "$(<"$log")" 'stopped: [0-9]+ documents indexed' "SIGTERM: the last line sums up"

# The demo's lagging indexer (--delay-ms 200: 5 messages a second) still commits every second
# (a batch goes when its first message is 1 s old), so that its lag shows as slow, not stuck.
log=$TEST_TMP/lag.err
indexer_bg "$log" --group "indexer-lag-$run" --delay-ms 200 -v
pid=$INDEXER_PID
sleep 1.6
t_a=$(now_ms)
c1=$(committed_total "indexer-lag-$run")
sleep 1.2
c2=$(committed_total "indexer-lag-$run")
t_b=$(now_ms)
diag "--delay-ms 200: $c1 committed after 1.6 s, $c2 after 2.8 s"
ok "--delay-ms: commits within 1.6 s ($c1)" test "$c1" -gt 0
ok "--delay-ms: and again 1.2 s later ($c1 -> $c2)" test "$c2" -gt "$c1"
# The rate between the two readings, over the time they took (each runs kafka_tool: on a loaded
# machine 20 were committed "in 2.8 s" that were 4 s and more): 5 a second, and a batch of about
# 5 that the first reading just missed. Unthrottled, it would be the whole topic.
lag_ms=$((t_b - t_a))
between "$((c2 - c1))" 1 $((lag_ms * 5 / 1000 + 6)) \
	"--delay-ms: at about 5 messages a second ($((c2 - c1)) in $lag_ms ms)"
stop_bg "$pid"
is "$STOP_RC" 0 "--delay-ms: SIGTERM: exit 0"
between "$STOP_MS" 0 1500 "--delay-ms: SIGTERM ends the delay at once ($STOP_MS ms)"
like "$(<"$log")" 'stopping: the batch in hand was indexed and committed' \
	"--delay-ms: SIGTERM: the batch in hand is finished and committed"

# ----------------------------------------------------------------------
# 5. Secrets: an API key from a file, a password in the URL.
# ----------------------------------------------------------------------
key=$(printf 'indexer:%s' "s3cr3t-$run" | base64)
printf '%s\n' "$key" >"$TEST_TMP/api_key"
SYNCTOP_SEARCH_ARGS="--api-key-file $TEST_TMP/api_key" search_up_extra
G=indexer-key-$run # a new group: everything again, into the second stand-in
log=$TEST_TMP/nokey.err
indexer_bg "$log" --url "http://elastic:hunter2@127.0.0.1:$EXTRA_SEARCH_PORT" -vv
pid=$INDEXER_PID
ok "no key: the cluster refuses (401, logged)" wait_until 10 grep -q '401' "$log"
stop_bg "$pid"
is "$STOP_RC" 0 "no key: SIGTERM while retrying: exit 0"
like "$(<"$log")" "elastic:\*\*\*@127.0.0.1:$EXTRA_SEARCH_PORT" "no key: the URL is shown with its password masked"
unlike "$(<"$log")" hunter2 "no key: the password in the URL is never printed"
indexer --url "$EXTRA_SEARCH_URL" --api-key-file "$TEST_TMP/api_key" --once -vv
is "$I_RC" 0 "API key: --once exits 0"
is "$(curl -sS --max-time 5 -H "Authorization: ApiKey $key" -XPOST "$EXTRA_SEARCH_URL/$IX/_refresh" >/dev/null &&
	curl -sS --max-time 5 -H "Authorization: ApiKey $key" "$EXTRA_SEARCH_URL/$IX/_count" | jq -r .count)" 300 \
	"API key: the second cluster has the 300 documents"
ok "API key: the key is never printed (-vv)" test -z "$(grep -F -e "$key" -e "s3cr3t" <<<"$I_OUT$I_ERR")"

# ----------------------------------------------------------------------
# 6. Usage errors.
# ----------------------------------------------------------------------
bad_flag() { # FLAG-ERE ARGS...
	local want=$1
	shift
	indexer "$@"
	is "$I_RC" 2 "usage: $* exits 2"
	ok "usage: $*: one line naming $want" test "$(count_lines "$I_ERR")" = 1 -a -n "$(grep -E -- "$want" <<<"$I_ERR")"
}
bad_flag '^synctop-indexer: --batch: ' --batch 0
bad_flag '^synctop-indexer: --batch: ' --batch many
bad_flag '^synctop-indexer: --delay-ms: ' --delay-ms -1
bad_flag '^synctop-indexer: --index: ' --index Products
bad_flag '^synctop-indexer: --topic: ' --topic 'shop products'
bad_flag '^synctop-indexer: --url: ' --url 'ftp://u:hunter2@example.com/'
unlike "$I_ERR" hunter2 "usage: a bad --url with a password: the password is not printed"
bad_flag '^synctop-indexer: --graph-url: ' --graph-url 'ftp://neo4j:hunter3@example.com/'
unlike "$I_ERR" hunter3 "usage: a bad --graph-url with a password: the password is not printed"
bad_flag '^synctop-indexer: --graph-db: ' --graph-db 'shop/x'
bad_flag '^synctop-indexer: --graph-label: ' --graph-label 'Product) DETACH DELETE (n'
bad_flag '^synctop-indexer: --api-key-file: ' --api-key-file "$TEST_TMP/nonexistent"
bad_flag '^synctop-indexer: --nope: unknown option' --nope
bad_flag '^synctop-indexer: --once=1: --once takes no value' --once=1
bad_flag '^synctop-indexer: --pause-file: expected a value' --pause-file
bad_flag '^synctop-indexer: -X no.such.property: ' -X no.such.property=1
bad_flag '^synctop-indexer: stray: unexpected argument' stray
SYNCTOP_SEARCH_URL='' indexer --once
is "$I_RC" 2 "usage: no --url and no SYNCTOP_SEARCH_URL: exit 2"
like "$I_ERR" '^synctop-indexer: --url: no search URL' "usage: ... naming --url"
indexer --help
is "$I_RC" 0 "--help exits 0"
like "$I_OUT" '--pause-file' "--help lists the options on stdout"

done_testing
