#!/usr/bin/env bash
# document.sh: the document stage against the MongoDB stand-in (tests/stack/mongo_standin.py,
# reached through libmongoc with SCRAM authentication) and a real PostgreSQL source: the count
# (estimated and exact) and the newest document against the source's rows, exact; copy-missing
# and copy-stale with their evidence and a near miss; a collection that does not exist told from
# an empty one; what the server says goes wrong, named (a wrong password, an error code, a hung
# server within the deadline), the password shown nowhere; and only read commands sent.
# needs: postgres mongoc
# shellcheck disable=SC2016 # MongoDB operators ($match, $ne) in single quotes
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/mongo_lib.sh
. "$(dirname "$0")/mongo_lib.sh"

need_pg
need_mongo
PASSWORD=$(<"$SYNCTOP_MONGO_PASSWORD_FILE")

fresh_db synctop_document
psql_synctop -c "CREATE TABLE products (id int PRIMARY KEY, updated_at timestamptz NOT NULL)" \
	-c "INSERT INTO products SELECT g, '2026-12-04T10:00:00Z'::timestamptz - (g || ' s')::interval
	    FROM generate_series(1, 15) g" >/dev/null || bail_out "creating products failed"
# The newest row: 10:00:00 less 1 s.
NEWEST_ROW=$(date -d '2026-12-04T09:59:59Z' +%s)

conf=$TEST_TMP/synctop.conf
S=$(stage document)
D=$(diagnoses products)
# mkconf_doc [LINE...]: the mongodb connection `catalog` (its password in a file) and the
# pipeline products: the document stage on shop.products, then LINE... (with any, its source:
# the connection shop).
mkconf_doc() {
	MKCONF_EXTRA=$(printf '[mongodb catalog]\nurl = mongodb://synctop@127.0.0.1:%s/\npassword_file = %s\ntimeout = %s' \
		"$SYNCTOP_MONGO_PORT" "${DOC_PASSWORD_FILE:-$SYNCTOP_MONGO_PASSWORD_FILE}" "${DOC_TIMEOUT:-2s}") \
		mkconf "$conf" 'document = catalog' 'document.database = shop' 'document.collection = products' \
		${1:+'document.source = shop'} "$@"
}
# commands: the commands synctop sent to shop since the record was emptied, counted.
commands() { mongo_commands shop | sort | uniq -c | tr -s ' ' | sed 's/^ //' | paste -sd, -; }

# ----------------------------------------------------------------------
# The count alone: 12 documents, no source SQL.
# ----------------------------------------------------------------------
mongo_collection shop products 12 "$((NEWEST_ROW - 100))" || bail_out "the stand-in refused the collection"
mkconf_doc
: >"$SYNCTOP_MONGO_RECORD"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "the count alone: exit 0"
json_is "$S.target" shop.products "target: database.collection"
json_is "$S.metrics.count" 12 "count 12"
json_is "$S.metrics.source_count" null "no source_count without document.source_count"
is "$(commands)" "1 count" "one command a poll: count (the estimated count)"
is "$(jq -r 'select(.command == "count") | .body.count' "$SYNCTOP_MONGO_RECORD")" products "count: the collection"
is "$(jq -r 'select(.command == "saslContinue") | .db' "$SYNCTOP_MONGO_RECORD" | head -1)" admin \
	"authenticated (SCRAM, its first step in the hello: saslContinue on admin)"

# ----------------------------------------------------------------------
# Against the source: 15 rows, 12 documents, the newest 100 s behind.
# ----------------------------------------------------------------------
mkconf_doc 'document.source_count = SELECT count(*) FROM products' 'document.missing_window = 0s' \
	'document.freshness_field = updated_at' 'document.source_freshness = SELECT max(updated_at) FROM products'
: >"$SYNCTOP_MONGO_RECORD"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "3 documents missing and 100 s behind: exit 1 (warn)"
json_is "$S.metrics.source_count" 15 "source_count 15"
json_is "$S.metrics.missing" 3 "missing 3"
json_ok "($S.metrics.freshness_lag_s - 100) | fabs < 1e-6" "freshness_lag_s 100: 09:59:59 against 09:58:19"
json_is "$D | map(.rule) | sort | join(\",\")" "copy-missing,copy-stale" "copy-missing and copy-stale"
json_is "$D | map(select(.rule == \"copy-missing\"))[0].evidence" \
	"source 15 rows, documents 12: 3 missing, at least 3 throughout the last 0s" "copy-missing: its evidence"
json_is "$D | map(select(.rule == \"copy-missing\"))[0].action" replay "copy-missing: the fix is a replay"
json_is "$D | map(select(.rule == \"copy-stale\"))[0].evidence" \
	"the newest source row is 1m40s newer than the newest of the collection shop.products" "copy-stale: its evidence"
is "$(commands)" "1 count,1 find" "two commands a poll: count and find"
is "$(jq -c 'select(.command == "find") | .body | {sort, limit, projection}' "$SYNCTOP_MONGO_RECORD")" \
	'{"sort":{"updated_at":-1},"limit":1,"projection":{"updated_at":1,"_id":0}}' \
	"find: the newest by the field, one document, only the field"

# Near misses: as many documents as rows, the newest 29 s behind (freshness_warn 30s).
mongo_collection shop products 15 "$((NEWEST_ROW - 29))"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "15 documents, 29 s behind: exit 0"
json_is "$D | length" 0 "near miss: no diagnosis"
run_once -c "$conf" --format text --once-window 0
like "$RUN_OUT" "15 documents, 0 missing of 15 rows, newest 29s behind" "text: the figures"

# Too many documents, and crit from freshness_crit (5m).
mongo_collection shop products 17 "$((NEWEST_ROW - 400))"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "17 documents, 400 s behind: exit 2"
json_is "$S.reason" "newest copy 6m40s behind the source" "reason: the worst, copy-stale crit"
json_is "$D | map(select(.rule == \"copy-missing\"))[0].evidence" \
	"source 15 rows, documents 17: 2 too many, at least 2 throughout the last 0s" "too many documents: the evidence"

# The exact count: the aggregate countDocuments sends; with document.filter, over real documents
# (inserted through the wire by pymongo): 5 items, 2 of them deleted.
mongo_collection shop products 15 "$NEWEST_ROW"
mkconf_doc 'document.count = exact' 'document.source_count = SELECT count(*) FROM products'
: >"$SYNCTOP_MONGO_RECORD"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "the exact count: exit 0"
json_is "$S.metrics.count" 15 "exact count 15"
is "$(commands)" "1 aggregate" "one command: aggregate"
/usr/bin/python3 - "$SYNCTOP_MONGO_URI" <<'PY' || bail_out "inserting the items failed"
import sys, pymongo
c = pymongo.MongoClient(sys.argv[1], serverSelectionTimeoutMS=3000)
c.shop.items.insert_many([{"_id": i, "deleted": i in (2, 4)} for i in range(1, 6)])
PY
MKCONF_EXTRA=$(printf '[mongodb catalog]\nurl = mongodb://synctop@127.0.0.1:%s/\npassword_file = %s' \
	"$SYNCTOP_MONGO_PORT" "$SYNCTOP_MONGO_PASSWORD_FILE") \
	mkconf "$conf" 'document = catalog' 'document.database = shop' 'document.collection = items' \
	'document.count = exact' 'document.filter = {"deleted": {"$ne": true}}'
: >"$SYNCTOP_MONGO_RECORD"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "the exact count of document.filter: exit 0"
json_is "$S.metrics.count" 3 "3 items not deleted, of 5"
is "$(jq -c 'select(.command == "aggregate") | .body.pipeline' "$SYNCTOP_MONGO_RECORD")" \
	'[{"$match":{"deleted":{"$ne":true}}},{"$group":{"_id":1,"n":{"$sum":1}}}]' "the pipeline: the filter, then one group"

# ----------------------------------------------------------------------
# What goes wrong, named.
# ----------------------------------------------------------------------
# An empty collection counts 0; one that does not exist counts 0 too, and is said.
mongo_collection shop products 0 absent
mkconf_doc
: >"$SYNCTOP_MONGO_RECORD"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "an empty collection: exit 0"
json_is "$S.metrics.count" 0 "count 0"
is "$(commands)" "1 count,1 listCollections" "a count of 0: listCollections tells empty from absent"
mongo_drop shop products
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "a collection that does not exist: exit 3"
json_is "$S.error" "no collection products in the database shop" "said as such"
mongo_collection shop products 15 "$NEWEST_ROW"

mkconf_doc 'document.source_count = SELECT count(*) FROM no_such_table'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "a source query that fails: exit 1 (warn)"
like "$(jqr "$S.reason")" '^document.source_count on shop: .*no_such_table' \
	"the reason names the option, the connection and the error"
json_is "$S.metrics.count" 15 "the collection's count still shows"

mongo_collection shop products 15 "$NEWEST_ROW" when
mkconf_doc 'document.freshness_field = when' 'document.source_freshness = SELECT max(updated_at) FROM products'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "another freshness field: exit 0"
json_ok "$S.metrics.freshness_lag_s | fabs < 1e-6" "its newest is the newest row"

mongo_fault error '"code": 13, "errmsg": "not authorized on shop to execute command { count: \"products\" }", "codeName": "Unauthorized"'
mkconf_doc
run_once -c "$conf" --format json --once-window 0
mongo_fault clear
is "$RUN_RC" 3 "the server's error: exit 3"
json_is "$S.error" 'the count: not authorized on shop to execute command { count: "products" } (Unauthorized)' \
	"the server's message and code name"

printf 'wr0ng-pw-%s\n' "$$" >"$TEST_TMP/wrong"
DOC_PASSWORD_FILE=$TEST_TMP/wrong mkconf_doc
run_once -c "$conf" --format text --once-window 0
is "$RUN_RC" 3 "a wrong password: exit 3"
like "$RUN_OUT" "the count: Authentication failed" "the driver says so"
unlike "$RUN_OUT$RUN_ERR" "wr0ng-pw-$$|$PASSWORD" "no password shows"

# The password in the URL: redacted everywhere it is shown.
MKCONF_EXTRA=$(printf '[mongodb catalog]\nurl = mongodb://synctop:%s@127.0.0.1:%s/' "$PASSWORD" "$SYNCTOP_MONGO_PORT") \
	mkconf "$conf" 'document = catalog' 'document.database = shop' 'document.collection = products'
chmod 600 "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "the password in the URL: exit 0"
json_is "$S.metrics.count" 15 "count 15 through it"
mongo_fault close
run_once -c "$conf" --format text --once-window 0
mongo_fault clear
is "$RUN_RC" 3 "a closed connection: exit 3"
unlike "$RUN_OUT$RUN_ERR" "$PASSWORD" "the URL's password shows nowhere, errors included"

# The server down, the password in the URL (one with an escaped '@'): not shown either.
MKCONF_EXTRA=$(printf '[mongodb catalog]\nurl = mongodb://synctop:XKdown%%40pw%s@127.0.0.1:1/' "$$") \
	mkconf "$conf" 'document = catalog' 'document.database = shop' 'document.collection = products'
chmod 600 "$conf"
run_once -c "$conf" --format text --once-window 0
is "$RUN_RC" 3 "the server down: exit 3"
like "$RUN_OUT" "connection refused" "the driver's reason"
unlike "$RUN_OUT$RUN_ERR" "XKdown|pw$$" "the password shows nowhere"

# A hung server: the poll ends at the connection's timeout.
mongo_fault hang
DOC_TIMEOUT=1s mkconf_doc
run_once -c "$conf" --format json --once-window 0
mongo_fault clear
is "$RUN_RC" 3 "a hung server: exit 3"
like "$(jqr "$S.error")" "the count: .*(timed out|timeout)" "a timeout, said"
between "$RUN_MS" 400 2500 "the poll ended within the 1 s timeout (and start-up)"

# Only read commands went out, whatever the test asked.
is "$(mongo_commands shop | sort -u | grep -vxE 'count|find|aggregate|listCollections' | paste -sd, -)" "" \
	"synctop sent nothing but count, find, aggregate and listCollections to shop"

# Config errors.
MKCONF_EXTRA=$(printf '[mongodb catalog]\nurl = mongodb://127.0.0.1:%s/' "$SYNCTOP_MONGO_PORT") mkconf "$conf" 'document = catalog'
run_once -c "$conf"
like "$RUN_ERR" "the document stage needs document.database and document.collection" "database and collection are required"

snapshots_valid
done_testing
