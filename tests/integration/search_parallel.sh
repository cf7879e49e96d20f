#!/usr/bin/env bash
# search_parallel.sh: the search stage's requests of one poll go out at once (curl multi),
# with the errors they gave one after another: the first request in the old order that fails
# is the one named (settings, health, stats, count, newest document), a failure that settles
# the poll ends it without waiting for the rest, the count goes out only once the stats are in
# (a count is a search, and a search wakes the search-idle shard the stats report), and every
# request keeps the poll's deadline. On a private stand-in (its faults and its request record
# are this test's alone).
# needs: search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
need_search
fresh_db synctop_search_parallel
search_up_extra
URL=$EXTRA_SEARCH_URL
REC=$EXTRA_SEARCH_DIR/search.requests
S='.pipelines[0].stages[0]'
conf=$TEST_TMP/synctop.conf

es() {
	local args=(-sS --max-time 5 -X "$1" "$URL$2")
	[[ -z ${3:-} ]] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
	curl "${args[@]}" >/dev/null || bail_out "$1 $2 failed"
}
# conf_es [TIMEOUT]: one pipeline, the search stage alone on index products.
conf_es() {
	MKCONF_TIMEOUT=${1:-2s} mkconf "$conf" 'search = es' 'search.index = products'
	printf '\n[search es]\nurl = %s\n' "$URL" >>"$conf"
}
# fault JSON: one fault on the stand-in (DELETE clears it)
fault() { es POST /_standin/fault "$1"; }

es PUT /products '{"settings":{"index":{"number_of_replicas":0}}}'
es POST '/products/_doc/1?refresh=true' '{"name":"one"}'
conf_es

run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "no fault: ok"
json_is "$S.metrics.docs" 1 "no fault: docs 1"

# ----------------------------------------------------------------------
# Concurrency: every answer 400 ms late. One after another, the four requests took 1.6 s;
# at once they take two rounds (settings, health and stats together, then the count that
# waits for the stats): 0.8 s. The bound, 1.2 s, is 3 rounds: room for a loaded machine,
# still well under the 1.6 s of requests made one after another.
# ----------------------------------------------------------------------
fault '{"mode":"delay","ms":400}'
: >"$REC"
run_once -c "$conf" --format json --once-window 0
es DELETE /_standin/fault
json_is "$S.status" ok "answers 400 ms late: ok (within the 2 s deadline)"
between "$(jqr "$S.latency_ms")" 800 1200 \
	"answers 400 ms late: the poll takes 2 rounds (0.8 s), not 4 (1.6 s one after another)"
is "$(jq -r '.path | sub("\\?.*"; "")' "$REC" | tr '\n' ' ')" \
	"$(jq -r '.path | sub("\\?.*"; "")' "$REC" | grep -v _count | tr '\n' ' ')/products/_count " \
	"the count goes out after the stats are in (it is the last answered)"
is "$(jq -r '.path | sub("\\?.*"; "")' "$REC" | sort | tr '\n' ' ')" \
	"/_cluster/health/products /products/_count /products/_settings /products/_stats/refresh,docs,indexing " \
	"one request each: settings, health, stats, count"

# ----------------------------------------------------------------------
# Errors: the same text as one after another.
# ----------------------------------------------------------------------
fault '{"mode":"status","status":503,"path_prefix":"/products/_stats"}'
run_once -c "$conf" --format json --once-window 0
es DELETE /_standin/fault
is "$RUN_RC" 3 "503 on the stats: exit 3"
is "$(jqr "$S.error")" \
	"HTTP 503 from GET /products/_stats/refresh,docs,indexing: cluster_block_exception: blocked by: [SERVICE_UNAVAILABLE/2/no master];" \
	"503 on the stats: the stats named, the code and ES's error"

# The health fails and the stats too: the health is named (the first in the old order).
fault '{"mode":"status","status":429,"path_prefix":"/"}'
run_once -c "$conf" --format json --once-window 0
es DELETE /_standin/fault
like "$(jqr "$S.error")" '^HTTP 429 \(too many requests: the cluster is pushing back\) from GET /products/_settings: ' \
	"every request fails: the settings named, as when they went out one after another"

# A missing index: the settings answer 404 at once while the health hangs: the poll ends on
# the 404, it does not wait for the health (it is abandoned).
MISSING=no-such-index
fault "{\"mode\":\"hang\",\"path_prefix\":\"/_cluster/health\"}"
MKCONF_TIMEOUT=5s mkconf "$conf" 'search = es' "search.index = $MISSING"
printf '\n[search es]\nurl = %s\n' "$URL" >>"$conf"
run_once -c "$conf" --format json --once-window 0
es DELETE /_standin/fault
like "$(jqr "$S.error")" "^HTTP 404 \\(not found\\) from GET /$MISSING/_settings: index_not_found_exception" \
	"a missing index, the health hung: the settings' 404 named"
between "$RUN_MS" 0 2500 "a missing index, the health hung: over at once, not at the 5 s deadline"

# A request that never answers: a timeout that names it, within the deadline.
conf_es 1s
fault '{"mode":"hang","path_prefix":"/products/_count"}'
run_once -c "$conf" --format json --once-window 0
es DELETE /_standin/fault
is "$RUN_RC" 3 "the count hangs: exit 3"
like "$(jqr "$S.error")" '^timeout: no whole answer to GET /products/_count within the deadline' \
	"the count hangs: a timeout naming the count"
between "$RUN_MS" 900 3000 "the count hangs, timeout = 1s: done within 1 s + 2 s"

# ----------------------------------------------------------------------
# The source meanwhile: its count takes 0.6 s (pg_sleep), the requests two rounds of 0.3 s.
# At once, the poll takes the longer (0.6 s); one after the other it took their sum (1.2 s).
# The bound, 1 s, leaves room for a loaded machine.
# ----------------------------------------------------------------------
psql_synctop -c 'CREATE TABLE products (id bigint PRIMARY KEY)' -c 'INSERT INTO products VALUES (1), (2), (3)' ||
	bail_out "creating the products table failed"
conf_es
sed -i 's/^search.index = products$/&\nsearch.source = shop\nsearch.source_count = WITH s AS (SELECT pg_sleep(0.6)) SELECT count(*) FROM products, s/' "$conf"
fault '{"mode":"delay","ms":300}'
run_once -c "$conf" --format json --once-window 0
es DELETE /_standin/fault
json_is "$S.metrics.source_docs" 3 "the source read meanwhile: source_docs 3"
json_is "$S.metrics.missing_docs" 2 "the source read meanwhile: missing_docs 3 - 1"
between "$(jqr "$S.latency_ms")" 600 1000 \
	"the source (0.6 s) while the requests (2 x 0.3 s) are in flight: the longer, not the sum (1.2 s)"

done_testing
