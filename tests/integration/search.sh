#!/usr/bin/env bash
# search.sh: the search stage against the Elasticsearch 8 stand-in (tests/stack/search_standin.py)
# and a real PostgreSQL: refresh off hides new documents (crit), a refresh shows them, the
# exact drift against the source, aliases and data streams, health, rejected documents, the
# newest document against the newest row, search-idle shards, and every way an answer can be
# bad: 401 with a wrong API key (never printed), 404, 429, 503, malformed JSON, a body cut
# short, a server that never answers.
# needs: postgres search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
need_search
fresh_db synctop_search

conf=$TEST_TMP/synctop.conf
S=$(stage search products)
D=$(diagnoses products)
URL=$SYNCTOP_SEARCH_URL

# es METHOD PATH [JSON]: one request to the stand-in; prints the body, fails on a transport error.
es() {
	local args=(-sS --max-time 5 -X "$1" "$URL$2")
	[[ -z ${3:-} ]] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
	curl "${args[@]}"
}
# bulk INDEX FIRST LAST [REFRESH]: documents FIRST..LAST with updated_at, through _bulk.
bulk() {
	awk -v ix="$1" -v a="$2" -v b="$3" 'BEGIN {
		for (i = a; i <= b; i++) {
			printf "{\"index\":{\"_index\":\"%s\",\"_id\":\"%d\"}}\n", ix, i
			printf "{\"name\":\"product %d\",\"updated_at\":\"2026-11-22T10:00:%02d.000Z\"}\n", i, i % 60
		}
	}' >"$TEST_TMP/bulk.ndjson"
	curl -sS --max-time 10 -X POST "$URL/_bulk?refresh=${4:-false}" \
		-H 'Content-Type: application/x-ndjson' --data-binary "@$TEST_TMP/bulk.ndjson" >"$TEST_TMP/bulk.out" ||
		bail_out "bulk indexing failed"
	jq -e '.errors == false' "$TEST_TMP/bulk.out" >/dev/null || bail_out "bulk indexing had errors: $(head -c 300 "$TEST_TMP/bulk.out")"
}
severity() {
	jqr "$D | map(select(.rule == \"$1\")) | .[0].severity // \"\""
}

# mkconf_es FILE [LINE...]: postgres `shop`, search `es` at $ES_URL (default the stack's), and the
# pipeline `products` with the search stage on index ${ES_INDEX:-products}, then LINE...
mkconf_es() {
	local file=$1
	shift
	[[ $* != *search.source_* ]] || set -- 'search.source = shop' "$@"
	mkconf "$file" 'search = es' "search.index = ${ES_INDEX:-products}" "$@"
	printf '\n[search es]\nurl = %s\n%s\n' "${ES_URL:-$URL}" "${ES_EXTRA:-}" >>"$file"
}

psql_synctop <<'SQL' || bail_out "creating the products table failed"
CREATE TABLE products (id bigint PRIMARY KEY, name text, updated_at timestamptz NOT NULL);
INSERT INTO products SELECT g, 'product ' || g, '2026-11-22 10:00:00+00' FROM generate_series(1, 130) g;
SQL

# ----------------------------------------------------------------------
# refresh_interval -1: 100 new documents stay invisible; crit with the runbook's reason.
# ----------------------------------------------------------------------
es DELETE /products >/dev/null 2>&1
es PUT /products '{"settings":{"index":{"refresh_interval":"-1","number_of_replicas":0}}}' >/dev/null || bail_out "cannot create the index"
bulk products 1 30 true
bulk products 31 130
mkconf_es "$conf" 'search.source_count = SELECT count(*) FROM products'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "refresh -1: exit 2 (crit)"
json_is "$S.status" crit "refresh -1: crit"
json_is "$S.metrics.refresh_interval" '-1' "refresh -1: refresh_interval \"-1\" as configured"
json_is "$S.metrics.docs" 30 "refresh -1: docs stays at the 30 visible before (100 indexed since)"
json_is "$S.metrics.source_docs" 130 "refresh -1: source_docs 130"
json_is "$S.metrics.missing_docs" 100 "refresh -1: missing_docs exactly 100"
json_is "$S.metrics.index_total" 130 "refresh -1: index_total counts all 130 index operations"
is "$(severity search-refresh-disabled)" crit "refresh -1: search-refresh-disabled, crit"
like "$(jqr "$D | map(select(.rule == \"search-refresh-disabled\")) | .[0].next")" 'bulk load' \
	"refresh -1: the next step names the bulk load"
is "$(jqr "$D | map(select(.rule == \"search-refresh-disabled\")) | .[0].action")" restore-refresh \
	"refresh -1: the fix is the restore-refresh action"

# Two polls 1 s apart: no refresh happened in between.
run_once -c "$conf" --format json --once-window 1s
json_is "$S.metrics.refresh_per_s" 0 "refresh -1: refresh_per_s 0 over 1 s"
json_is "$S.metrics.docs" 30 "refresh -1: still 30 a second later"

# ----------------------------------------------------------------------
# A refresh: the count matches the source; refresh back on (explicit 1s): ok.
# ----------------------------------------------------------------------
es POST /products/_refresh >/dev/null
es PUT /products/_settings '{"index":{"refresh_interval":"1s"}}' >/dev/null
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "after a refresh: exit 0"
json_is "$S.metrics.docs" 130 "after a refresh: docs 130"
json_is "$S.metrics.missing_docs" 0 "after a refresh: missing_docs 0"
json_is "$S.metrics.refresh_explicit" true "refresh_interval set: explicit"
json_is "$S.metrics.health" green "health green"
json_is "$S.metrics.indices" 1 "one index behind the name"

# ----------------------------------------------------------------------
# Drift: documents deleted behind the relay's back (dual-write-loss): the exact count.
# ----------------------------------------------------------------------
for id in 5 6 7; do es DELETE "/products/_doc/$id?refresh=true" >/dev/null; done
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.missing_docs" 3 "3 documents deleted: missing_docs 3"
json_is "$S.metrics.missing_docs_floor" 3 "3 documents deleted: the floor over the window is 3"
is "$(severity dual-write-loss)" warn "3 missing (warn at 1): dual-write-loss, warn"
like "$(jqr "$D | map(select(.rule == \"dual-write-loss\")) | .[0].evidence")" 'source 130 rows, index 127 documents: 3 missing' \
	"dual-write-loss: the evidence has the exact figures"
MKCONF_EXTRA='' mkconf_es "$conf" 'search.source_count = SELECT count(*) FROM products' 'search.missing_crit = 3'
run_once -c "$conf" --format json --once-window 0
is "$(severity dual-write-loss)" crit "3 missing with search.missing_crit = 3: crit"
is "$RUN_RC" 2 "3 missing, crit: exit 2"

# The floor: a gap that closes within the window does not count, one that stays does.
mkconf_es "$conf" 'search.source_count = SELECT count(*) FROM products' 'search.missing_window = 1m'
psql_synctop -c "INSERT INTO products VALUES (131, 'new', now())" >/dev/null
# In flight at the first poll (missing 4), indexed before the second (missing 3).
(sleep 0.5 && bulk products 131 131 true) &
run_once -c "$conf" --format json --once-window 1s
wait $!
json_is "$S.metrics.missing_docs" 3 "in flight, then indexed: missing_docs 3 at the second poll"
json_is "$S.metrics.missing_docs_floor" 3 "in flight, then indexed: the floor stays at the lost 3"
psql_synctop -c "DELETE FROM products WHERE id = 131" >/dev/null
es DELETE "/products/_doc/131?refresh=true" >/dev/null
bulk products 5 7 true
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.missing_docs" 0 "documents put back: missing_docs 0"

# More documents than rows: deleted rows still indexed.
psql_synctop -c "DELETE FROM products WHERE id > 125" >/dev/null
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.missing_docs" -5 "5 rows deleted, documents kept: missing_docs -5"
is "$(severity dual-write-loss)" warn "documents without rows: dual-write-loss, warn"
psql_synctop -c "INSERT INTO products SELECT g, 'product ' || g, '2026-11-22 10:00:00+00' FROM generate_series(126, 130) g" >/dev/null

# ----------------------------------------------------------------------
# Freshness: the newest document against the newest row.
# ----------------------------------------------------------------------
psql_synctop -c "UPDATE products SET updated_at = '2026-11-22 10:05:00+00' WHERE id = 1" >/dev/null
mkconf_es "$conf" 'search.source_count = SELECT count(*) FROM products' \
	'search.freshness_field = updated_at' 'search.source_freshness = SELECT max(updated_at) FROM products;'
run_once -c "$conf" --format json --once-window 0
# Newest document: 10:00:59 (i % 60 = 59 for id 59 and 119); newest row 10:05:00: 241 s behind.
json_is "$S.metrics.freshness_lag_s" 241 "freshness: the newest document is exactly 241 s behind"
is "$(severity search-stale)" warn "241 s behind (warn 30s, crit 5m): search-stale, warn"

# ----------------------------------------------------------------------
# An alias over two indices, and a data stream with two backing indices.
# ----------------------------------------------------------------------
es PUT /products-b '{"settings":{"index":{"refresh_interval":"1s","number_of_replicas":0}}}' >/dev/null
bulk products-b 1001 1020 true
es POST /_aliases '{"actions":[{"add":{"index":"products","alias":"all-products"}},{"add":{"index":"products-b","alias":"all-products"}}]}' >/dev/null
ES_INDEX=all-products mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.docs" 150 "alias over 2 indices: docs 130 + 20"
json_is "$S.metrics.indices" 2 "alias over 2 indices: 2 indices"
is "$(jqr "$S.index_settings | map(.index) | join(\",\")")" "products,products-b" "alias: both indices in the detail"
es PUT /products-b/_settings '{"index":{"refresh_interval":"-1"}}' >/dev/null
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.refresh_interval" '-1' "alias: refresh off on one index is refresh off"

es PUT /_index_template/logs-tpl '{"index_patterns":["logs-*"],"data_stream":{},"template":{"settings":{"number_of_replicas":0}}}' >/dev/null 2>&1
es PUT /_data_stream/logs-app >/dev/null
es POST /logs-app/_doc?refresh=true '{"@timestamp":"2026-11-22T10:00:00Z","m":"a"}' >/dev/null
es POST /logs-app/_rollover >/dev/null
es POST /logs-app/_doc?refresh=true '{"@timestamp":"2026-11-22T10:00:01Z","m":"b"}' >/dev/null
es PUT /logs-app/_settings '{"index":{"number_of_replicas":0}}' >/dev/null
ES_INDEX=logs-app mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "data stream: ok"
json_is "$S.metrics.docs" 2 "data stream: docs over both backing indices"
json_is "$S.metrics.indices" 2 "data stream: 2 backing indices"

# ----------------------------------------------------------------------
# Health, rejected documents, search-idle.
# ----------------------------------------------------------------------
mkconf_es "$conf"
es POST /_standin/health '{"status":"yellow","unassigned_shards":1}' >/dev/null
run_once -c "$conf" --format json --once-window 0
is "$(severity search-unhealthy)" warn "health yellow: search-unhealthy, warn"
json_is "$S.metrics.unassigned_shards" 1 "health yellow: 1 unassigned shard"
es POST /_standin/health '{"status":"red","unassigned_shards":2}' >/dev/null
run_once -c "$conf" --format json --once-window 0
is "$(severity search-unhealthy)" crit "health red: search-unhealthy, crit"
is "$RUN_RC" 2 "health red: exit 2"
es POST /_standin/health '{"status":"green","unassigned_shards":0}' >/dev/null

es PUT /typed '{"settings":{"index":{"refresh_interval":"1s","number_of_replicas":0}},"mappings":{"properties":{"updated_at":{"type":"date"}}}}' >/dev/null
ES_INDEX=typed mkconf_es "$conf"
(sleep 1.5 && es PUT /typed/_doc/1 '{"updated_at":"not a date"}' >/dev/null) &
run_once -c "$conf" --format json --once-window 3s
wait $!
json_is "$S.metrics.indexing_failed" 1 "a rejected document: indexing_failed 1"
json_is "$S.metrics.indexing_failed_new" 1 "a rejected document: 1 new in the window"
is "$(severity search-indexing-failed)" crit "a rejected document: search-indexing-failed, crit"

es PUT /idle '{"settings":{"index":{"number_of_replicas":0,"search":{"idle":{"after":"1s"}}}}}' >/dev/null
sleep 1.5
ES_INDEX=idle mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.refresh_explicit" false "search-idle: refresh_interval not set"
json_is "$S.metrics.search_idle" true "search-idle: the shard is search-idle"
is "$(severity search-idle)" warn "search-idle: warn"
json_is "$S.metrics.search_idle_after" 1s "search-idle: search_idle_after as set"

# ----------------------------------------------------------------------
# Bad answers: each unknown, with a precise reason.
# ----------------------------------------------------------------------
ES_INDEX=no-such-index mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "a missing index: exit 3"
like "$(jqr "$S.error")" '^HTTP 404 \(not found\) from GET /no-such-index/_settings.*index_not_found_exception: no such index \[no-such-index\]' \
	"a missing index: 404 and the ES error named"

ES_INDEX='we ird/name' mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
like "$(jqr "$S.error")" 'we%20ird%2Fname' "an index name is URL-encoded"

mkconf_es "$conf"
for mode in malformed truncate 429 503; do
	case $mode in
	4* | 5*) body="{\"mode\":\"status\",\"status\":$mode}" ;;
	*) body="{\"mode\":\"$mode\"}" ;;
	esac
	es POST /_standin/fault "$body" >/dev/null
	run_once -c "$conf" --format json --once-window 0
	es DELETE /_standin/fault >/dev/null
	is "$RUN_RC" 3 "fault $mode: exit 3"
	json_is "$S.status" unknown "fault $mode: unknown"
	case $mode in
	malformed) like "$(jqr "$S.error")" '^malformed JSON from GET /products/_settings: ' "malformed: named, the path without its query" ;;
	truncate) like "$(jqr "$S.error")" 'cut short' "a body cut short: named" ;;
	429) like "$(jqr "$S.error")" '^HTTP 429 \(too many requests.*es_rejected_execution_exception' "429: code and ES error type" ;;
	503) like "$(jqr "$S.error")" '^HTTP 503 from GET' "503: the code" ;;
	esac
done

# A 200 whose JSON is not an object: the message names the configured index, never {index}.
python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"[]")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
' >"$TEST_TMP/array.port" 2>/dev/null &
array_pid=$!
at_exit kill_ours "$array_pid"
for _ in {1..250}; do [[ -s $TEST_TMP/array.port ]] && break; sleep 0.02; done
ES_URL=http://127.0.0.1:$(<"$TEST_TMP/array.port") ES_INDEX=orders-2026 mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
is "$(jqr "$S.error")" "the answer to GET /orders-2026/_settings is not a JSON object" \
	"an answer that is not an object: the configured index in the message, no {index}"
kill_ours "$array_pid"
mkconf_es "$conf"

es POST /_standin/fault '{"mode":"hang"}' >/dev/null
MKCONF_TIMEOUT=1s mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
es DELETE /_standin/fault >/dev/null
is "$RUN_RC" 3 "a server that never answers: exit 3"
like "$(jqr "$S.error")" '^timeout' "a server that never answers: timeout"
between "$RUN_MS" 0 3000 "a server that never answers, timeout = 1s: done within 1 s + 2 s"

# ----------------------------------------------------------------------
# Authentication: an API key and a user, right and wrong; the key never printed.
# ----------------------------------------------------------------------
key=$(printf 'kid1:the-api-key-v4lue' | base64)
printf '%s\n' "$key" >"$TEST_TMP/key"
printf 'es-passw0rd\n' >"$TEST_TMP/pw"
SYNCTOP_SEARCH_ARGS="--api-key-file $TEST_TMP/key --user elastic --password-file $TEST_TMP/pw" search_up_extra
curl -sS -X PUT "$EXTRA_SEARCH_URL/products" -H "Authorization: ApiKey $key" -H 'Content-Type: application/json' \
	-d '{"settings":{"index":{"number_of_replicas":0}}}' >/dev/null
ES_URL=$EXTRA_SEARCH_URL ES_EXTRA="api_key_file = $TEST_TMP/key" mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "the right API key: ok"
wrong=$(printf 'kid1:wrong-key-s3cret' | base64)
printf '%s\n' "$wrong" >"$TEST_TMP/wrong"
ES_URL=$EXTRA_SEARCH_URL ES_EXTRA="api_key_file = $TEST_TMP/wrong" mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "a wrong API key: exit 3"
like "$(jqr "$S.error")" '^HTTP 401 \(unauthorized' "a wrong API key: 401 named"
unlike "$RUN_OUT$RUN_ERR" "$wrong|wrong-key-s3cret" "a wrong API key: the key is never printed"
ES_URL=$EXTRA_SEARCH_URL ES_EXTRA=$'username = elastic\npassword_file = '"$TEST_TMP/pw" mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "basic auth, the right password: ok"
printf 'nope\n' >"$TEST_TMP/pw2"
ES_URL=${EXTRA_SEARCH_URL/http:\/\//http://elastic:n0t-the-pw@} mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
like "$(jqr "$S.error")" '^HTTP 401' "a wrong password in the URL: 401"
unlike "$RUN_OUT$RUN_ERR" 'n0t-the-pw' "a password in the URL is never printed"

# ----------------------------------------------------------------------
# HTTPS, as Elasticsearch 8 serves by default: ca_file (the http_ca.crt), the system's CAs,
# insecure.
# ----------------------------------------------------------------------
pki=$TEST_TMP/pki
mkdir -p "$pki"
(
	cd "$pki" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out http_ca.crt -days 2 -subj '/CN=es test CA' &&
		openssl req -newkey rsa:2048 -nodes -keyout node.key -out node.csr -subj '/CN=localhost' &&
		printf 'subjectAltName = DNS:localhost, IP:127.0.0.1\n' >san.ext &&
		openssl x509 -req -in node.csr -CA http_ca.crt -CAkey ca.key -CAcreateserial -out node.crt -days 2 \
			-extfile san.ext
) >"$TEST_TMP/openssl.log" 2>&1 || bail_out "openssl could not make the test certificates"
SYNCTOP_SEARCH_ARGS="--tls-cert $pki/node.crt --tls-key $pki/node.key" search_up_extra
like "$EXTRA_SEARCH_URL" '^https://' "a TLS stand-in: https://"
curl -sS --cacert "$pki/http_ca.crt" -X PUT "$EXTRA_SEARCH_URL/products" -H 'Content-Type: application/json' \
	-d '{"settings":{"index":{"number_of_replicas":0}}}' >/dev/null
ES_URL=$EXTRA_SEARCH_URL ES_EXTRA="ca_file = $pki/http_ca.crt" mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "https with ca_file (http_ca.crt): ok"
json_is "$S.metrics.docs" 0 "https with ca_file: read"
# A ca_file that cannot be loaded (not a PEM bundle: a key, DER, a truncated copy) is named
# with what is wrong with it; the system's CAs are not to blame (they used to be).
for bad in "$pki/node.key" "$TEST_TMP/empty.crt"; do
	: >"$TEST_TMP/empty.crt"
	ES_URL=$EXTRA_SEARCH_URL ES_EXTRA="ca_file = $bad" mkconf_es "$conf"
	run_once -c "$conf" --format json --once-window 0
	is "$(jqr "$S.error")" "GET /products/_settings: ca_file $bad cannot be used: it holds no certificate that can be loaded (a PEM bundle is expected) (error setting certificate file: $bad)" \
		"ca_file = ${bad##*/} (no certificate in it): the error names ca_file and the reason"
done
ES_URL=$EXTRA_SEARCH_URL mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "https, a CA the system does not know: exit 3"
# (a machine without the ca-certificates package has no bundle at all: said so, naming ca_file)
like "$(jqr "$S.error")" '(SSL certificate problem|certificate verify failed|no CA bundle.*set ca_file)' \
	"https, an unknown CA: the certificate problem named"
ES_URL=$EXTRA_SEARCH_URL ES_EXTRA="insecure = true" mkconf_es "$conf"
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "insecure = true: read without checking"
json_is "$S.tls_verified" false "insecure = true: the JSON says tls_verified false"
run_once -c "$conf" --format text --once-window 0
like "$RUN_OUT" 'TLS NOT VERIFIED: connection es has insecure = true' "insecure = true: the text snapshot says it"

done_testing
