#!/usr/bin/env bash
# graph.sh: the graph stage against the Neo4j Query API stand-in (tests/stack/graph_standin.py)
# and a real PostgreSQL source: the count and the newest node against the source's rows, exact;
# copy-missing (too few nodes, too many), copy-stale (warn, crit) with their evidence and a near
# miss of each; a source query that fails; what the server says goes wrong, named (a database
# that does not exist, a statement it refuses, a wrong password), the password shown nowhere;
# two requests a poll, both POST. The stand-in's write path (synctop-indexer's --graph-url): the
# nodes MERGEd and deleted, counted exactly (the counters, and the stage's count and newest beside
# the synthetic nodes), a read-only database that refuses them, a statement all or nothing.
# needs: postgres search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
require_cmd jq curl python3

SECRET=n3o4j-s3cret
G=$TEST_TMP/graph
mkdir -p "$G"
printf '%s\n' "$SECRET" >"$G/pass"
REC=$G/requests
/usr/bin/python3 "$top_srcdir/tests/stack/graph_standin.py" --port 0 --port-file "$G/port" \
	--record "$REC" --log "$G/log" --user neo4j --password-file "$G/pass" 2>"$G/err" &
GPID=$!
at_exit kill_ours "$GPID"
for ((i = 0; i < 100; i++)); do
	[[ -s $G/port ]] && break
	sleep 0.05
done
[[ -s $G/port ]] || bail_out "the graph stand-in did not start: $(cat "$G/err")"
PORT=$(<"$G/port")
# nodes LABEL COUNT NEWEST: what the stand-in's graph holds.
nodes() {
	curl -sS -m 5 -XPOST "http://127.0.0.1:$PORT/_standin/nodes" \
		-d "{\"label\": \"$1\", \"count\": $2, \"newest\": $3}" >/dev/null
}

fresh_db synctop_graph
psql_synctop -c "CREATE TABLE products (id int PRIMARY KEY, updated_at timestamptz NOT NULL)" \
	-c "INSERT INTO products SELECT g, '2026-12-04T10:00:00Z'::timestamptz - (g || ' s')::interval
	    FROM generate_series(1, 15) g" >/dev/null || bail_out "creating products failed"
# The newest row: 10:00:00 less 1 s.
NEWEST_ROW=$(date -d '2026-12-04T09:59:59Z' +%s)

conf=$TEST_TMP/synctop.conf
S=$(stage graph)
D=$(diagnoses products)
# mkconf_graph [LINE...]: the http connection `neo` (the password in the URL) and the pipeline
# products: the graph stage, its source the postgres connection shop, then LINE...
mkconf_graph() {
	MKCONF_EXTRA=$(printf '[http neo]\nurl = http://neo4j:%s@127.0.0.1:%s' "${GRAPH_PASSWORD:-$SECRET}" "$PORT") \
		mkconf "$conf" 'graph = neo' 'graph.count = MATCH (p:Product) RETURN count(p)' 'graph.source = shop' "$@"
}

# ----------------------------------------------------------------------
# The count alone: 12 nodes, no source SQL.
# ----------------------------------------------------------------------
nodes Product 12 "$((NEWEST_ROW - 100))"
MKCONF_EXTRA=$(printf '[http neo]\nurl = http://neo4j:%s@127.0.0.1:%s' "$SECRET" "$PORT") \
	mkconf "$conf" 'graph = neo' 'graph.count = MATCH (p:Product) RETURN count(p)'
: >"$REC"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "the count alone: exit 0"
json_is "$S.target" neo4j "target: the database (graph.database, default neo4j)"
json_is "$S.metrics.count" 12 "count 12"
json_is "$S.metrics.source_count" null "no source_count without graph.source_count"
is "$(jq -r '[.method, .path, .status] | join(" ")' "$REC")" "POST /db/neo4j/query/v2 202" \
	"one request: POST /db/neo4j/query/v2, answered 202"

# ----------------------------------------------------------------------
# Against the source: 15 rows, 12 nodes.
# ----------------------------------------------------------------------
mkconf_graph 'graph.source_count = SELECT count(*) FROM products' 'graph.missing_window = 0s' \
	'graph.freshness = MATCH (p:Product) RETURN max(p.updated_at).epochSeconds' \
	'graph.source_freshness = SELECT max(updated_at) FROM products'
: >"$REC"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "3 nodes missing and 100 s behind: exit 1 (warn)"
json_is "$S.metrics.source_count" 15 "source_count 15"
json_is "$S.metrics.missing" 3 "missing 3"
json_is "$S.metrics.missing_floor" 3 "missing_floor 3"
json_ok "($S.metrics.freshness_lag_s - 100) | fabs < 1e-6" "freshness_lag_s 100: 09:59:59 against 09:58:19"
json_is "$D | map(.rule) | sort | join(\",\")" "copy-missing,copy-stale" "copy-missing and copy-stale"
json_is "$D | map(select(.rule == \"copy-missing\"))[0].evidence" \
	"source 15 rows, nodes 12: 3 missing, at least 3 throughout the last 0s" "copy-missing: its evidence"
json_is "$D | map(select(.rule == \"copy-missing\"))[0].action" replay "copy-missing: the fix is a replay"
json_is "$D | map(select(.rule == \"copy-stale\"))[0].severity" warn "copy-stale: warn (100 s, under 5m)"
json_is "$D | map(select(.rule == \"copy-stale\"))[0].evidence" \
	"the newest source row is 1m40s newer than the newest of the graph neo4j" "copy-stale: its evidence"
is "$(jq -r '.method' "$REC" | sort | uniq -c | tr -s ' ')" " 2 POST" "two requests a poll, both POST"

# Near misses: as many nodes as rows, the newest node 29 s behind (freshness_warn 30s).
nodes Product 15 "$((NEWEST_ROW - 29))"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "15 nodes, 29 s behind: exit 0"
json_is "$D | length" 0 "near miss: no diagnosis"
run_once -c "$conf" --format text --once-window 0
like "$RUN_OUT" "15 nodes, 0 missing of 15 rows, newest 29s behind" "text: the figures"

# Too many nodes; and crit from freshness_crit (5m).
nodes Product 17 "$((NEWEST_ROW - 400))"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "17 nodes, 400 s behind: exit 2"
json_is "$S.reason" "newest copy 6m40s behind the source" "reason: the worst, copy-stale crit"
json_is "$D | map(select(.rule == \"copy-missing\"))[0].evidence" \
	"source 15 rows, nodes 17: 2 too many, at least 2 throughout the last 0s" "too many nodes: the evidence"
json_is "$D | map(select(.rule == \"copy-stale\"))[0].severity" crit "copy-stale crit from 5m"

# ----------------------------------------------------------------------
# What goes wrong, named.
# ----------------------------------------------------------------------
nodes Product 15 "$NEWEST_ROW"
mkconf_graph 'graph.source_count = SELECT count(*) FROM no_such_table'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "a source query that fails: exit 1 (warn)"
json_like() { like "$(jqr "$1")" "$2" "$3"; }
json_like "$S.reason" '^graph.source_count on shop: .*no_such_table' "the reason names the option, the connection and the error"
json_is "$S.metrics.count" 15 "the graph's count still shows"

mkconf_graph 'graph.database = other' 'graph.source_count = SELECT count(*) FROM products'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "a database that does not exist: exit 3"
json_is "$S.error" "graph.count: Neo.ClientError.Database.DatabaseNotFound: Database does not exist. Database name: 'other'." \
	"the server's code and message"

MKCONF_EXTRA=$(printf '[http neo]\nurl = http://neo4j:%s@127.0.0.1:%s' "$SECRET" "$PORT") \
	mkconf "$conf" 'graph = neo' 'graph.count = MATCH (p) RETURN p'
run_once -c "$conf" --format json --once-window 0
json_like "$S.error" '^graph.count: Neo.ClientError.Statement.SyntaxError: ' "a statement the server refuses: its SyntaxError"

GRAPH_PASSWORD=wr0ng-pw-$$ mkconf_graph 'graph.source_count = SELECT count(*) FROM products'
run_once -c "$conf" --format text --once-window 0
is "$RUN_RC" 3 "a wrong password: exit 3"
like "$RUN_OUT" "HTTP 401 \\(unauthorized[^)]*\\) from POST /db/neo4j/query/v2: Neo.ClientError.Security.Unauthorized: Invalid username or password." \
	"401: the server's code and message"
unlike "$RUN_OUT$RUN_ERR" "wr0ng-pw-$$|$SECRET" "no password shows"

# ----------------------------------------------------------------------
# The write path: what synctop-indexer --graph-url sends.
# ----------------------------------------------------------------------
# cypher DB BODY: the stand-in's answer to BODY ({"statement", "parameters", ...}) on DB.
cypher() {
	curl -sS -m 5 -u "neo4j:$SECRET" -H 'Content-Type: application/json' \
		-XPOST "http://127.0.0.1:$PORT/db/$1/query/v2" -d "$2"
}
# shellcheck disable=SC2016 # Cypher parameters, not shell ones
MERGE_ROWS='UNWIND $rows AS r MERGE (p:Product {id: r.id}) SET p.updated_at = datetime(r.updated_at)'
# shellcheck disable=SC2016 # the same
DELETE_IDS='UNWIND $ids AS id MATCH (p:Product {id: id}) DETACH DELETE p'
# merge ROWS-JSON: the MERGE of those rows, with its counters; prints created,set,deleted or the error.
merge() {
	cypher neo4j "{\"statement\": \"$MERGE_ROWS\", \"parameters\": {\"rows\": $1}, \"includeCounters\": true}" |
		jq -r 'if .errors then .errors[0].code else (.counters | "\(.nodesCreated),\(.propertiesSet),\(.nodesDeleted)") end'
}
curl -sS -m 5 -XDELETE "http://127.0.0.1:$PORT/_standin/nodes" >/dev/null
is "$(merge '[{"id": "P-1", "updated_at": "2026-12-04T09:59:50+00:00"}, {"id": "P-2", "updated_at": "2026-12-04T09:59:51.250000+00:00"}, {"id": "P-3", "updated_at": "2026-12-04T09:59:52Z"}]')" \
	"3,6,0" "merge 3 new rows: 3 nodes created, 6 properties set (id, updated_at)"
is "$(merge '[{"id": "P-3", "updated_at": "2026-12-04T09:59:59.600000+00:00"}, {"id": "P-4", "updated_at": "2026-12-04T09:59:40+00:00"}]')" \
	"1,3,0" "merge 1 known and 1 new row: 1 node created, 3 properties set"
ans=$(cypher neo4j "{\"statement\": \"$MERGE_ROWS\", \"parameters\": {\"rows\": []}, \"includeCounters\": true}")
is "$(jq -c '.counters | to_entries | map("\(.key):\(.value | type)")' <<<"$ans")" \
	"$(jq -c '.counters | to_entries | map("\(.key):\(.value | type)")' "$top_srcdir/tests/fixtures/neo4j/query-counters.json")" \
	"a write's counters: the reference's fields, in its order, of its types"
is "$(jq -c '.counters | [.containsUpdates, .nodesCreated, .propertiesSet]' <<<"$ans")" '[false,0,0]' \
	"no rows: nothing created, containsUpdates false"
ans=$(cypher neo4j "{\"statement\": \"$MERGE_ROWS\", \"parameters\": {\"rows\": []}}")
is "$(jq -c '[.data, .queryType, has("counters")]' <<<"$ans")" '[{"fields":[],"values":[]},"w",false]' \
	"a write's answer: no fields, no values, queryType w, no counters unless asked"
is "$(cypher neo4j "{\"statement\": \"$DELETE_IDS\", \"parameters\": {\"ids\": [\"P-4\", \"P-99\"]}, \"includeCounters\": true}" |
	jq -c '.counters | [.nodesDeleted, .containsUpdates]')" '[1,true]' "delete P-4 and P-99: 1 node deleted"
# A statement is all or nothing: a bad date in the second row, the first row not written.
is "$(merge '[{"id": "P-5", "updated_at": "2026-12-04T10:00:00Z"}, {"id": "P-6", "updated_at": "yesterday"}]')" \
	"Neo.ClientError.Statement.ArgumentError" "a row whose date does not parse: ArgumentError"
is "$(merge '[{"id": 7, "updated_at": null}]')" "Neo.ClientError.Statement.TypeError" "a row whose id is not a string: TypeError"
is "$(curl -sS -m 5 "http://127.0.0.1:$PORT/_standin/nodes" | jq -c .Product)" \
	'{"count":3,"newest":1796378399,"written":3}' "3 nodes written (P-1..P-3), the newest 09:59:59.6: 09:59:59"

# The graph stage counts the written nodes beside 12 synthetic ones: 15 against 15 rows, the
# newest (09:59:59.6, epochSeconds 09:59:59) as new as the newest row.
nodes Product 12 "$((NEWEST_ROW - 500))"
mkconf_graph 'graph.source_count = SELECT count(*) FROM products' 'graph.missing_window = 0s' \
	'graph.freshness = MATCH (p:Product) RETURN max(p.updated_at).epochSeconds' \
	'graph.source_freshness = SELECT max(updated_at) FROM products'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "12 synthetic and 3 written nodes, as new as the source: exit 0"
json_is "$S.metrics.count" 15 "count 15: 12 synthetic, 3 written"
json_is "$S.metrics.missing" 0 "missing 0"
json_ok "$S.metrics.freshness_lag_s == 0" "freshness_lag_s 0: the written node's date"

# A read-only database (ALTER DATABASE on the system database): the writes refused, the reads answered.
is "$(cypher system '{"statement": "ALTER DATABASE neo4j SET ACCESS READ ONLY"}' | jq -c .errors)" null \
	"ALTER DATABASE neo4j SET ACCESS READ ONLY: no error"
is "$(merge '[{"id": "P-8", "updated_at": "2026-12-04T10:00:00Z"}]')" "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase" \
	"read only: a MERGE is refused"
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.count" 15 "read only: the count still read, 15"
cypher system '{"statement": "ALTER DATABASE neo4j SET ACCESS READ WRITE"}' >/dev/null
is "$(merge '[{"id": "P-8", "updated_at": "2026-12-04T10:00:00Z"}]')" "1,2,0" "read write again: the MERGE creates P-8"
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.count" 16 "16 nodes: 1 too many"
curl -sS -m 5 -XDELETE "http://127.0.0.1:$PORT/_standin/nodes" >/dev/null

# Config errors.
MKCONF_EXTRA=$(printf '[http neo]\nurl = http://127.0.0.1:%s' "$PORT") mkconf "$conf" 'graph = neo'
run_once -c "$conf"
like "$RUN_ERR" "the graph stage needs graph.count" "graph.count is required"
mkconf_graph 'graph.freshness = MATCH (p:Product) RETURN max(p.updated_at).epochSeconds'
run_once -c "$conf"
like "$RUN_ERR" "graph.freshness and graph.source_freshness go together" "freshness needs its source"

snapshots_valid
done_testing
