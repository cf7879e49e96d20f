#!/usr/bin/env bash
# indexer_mongo.sh: contrib/synctop-indexer's catalogue copy (--mongo-url) against the MongoDB
# stand-in with SCRAM, on the whole pipeline (outbox rows published by contrib/synctop-relay to the
# Kafka mock, indexed into the Elasticsearch stand-in): each product's last payload upserted with
# updated_at a BSON date, a delete, a canary marker left out, the writes held back while MongoDB
# refuses them and sent once it takes them again, usage errors, and the password nowhere.
# needs: postgres kafka search mongoc
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/mongo_lib.sh
. "$(dirname "$0")/mongo_lib.sh"

INDEXER=${SYNCTOP_INDEXER:-$top_builddir/contrib/synctop-indexer}
RELAY=${SYNCTOP_RELAY:-$top_builddir/contrib/synctop-relay}
[[ -x $INDEXER ]] || skip_all "$INDEXER is not built (a build without Kafka, libcurl or PostgreSQL?)"
[[ -x $RELAY ]] || skip_all "$RELAY is not built (a build without Kafka or PostgreSQL?)"
need_pg
need_kafka
need_search
need_mongo
T=indexer-mongo-$$
G=$T
IX=$T
COLL=products_$$
URI="mongodb://synctop@127.0.0.1:$SYNCTOP_MONGO_PORT/"
PASSWORD=$(head -n 1 "$SYNCTOP_MONGO_PASSWORD_FILE")
MONGO=(--mongo-url "$URI" --mongo-password-file "$SYNCTOP_MONGO_PASSWORD_FILE" --mongo-collection "$COLL")

# run ARGS...: the indexer in the foreground on the test's topic, group and index; I_RC, I_ERR.
run() {
	timeout -k 5 60 "$INDEXER" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T" --group "$G" \
		--url "$SYNCTOP_SEARCH_URL" --index "$IX" "$@" >/dev/null 2>"$TEST_TMP/indexer.err" </dev/null
	I_RC=$?
	I_ERR=$(<"$TEST_TMP/indexer.err")
}

# outbox FROM TO [TYPE] [AGGREGATE]: events g = FROM..TO on the products P-(g % 50), published by
# the relay; updated_at 2026-01-01 plus g seconds and a quarter.
outbox() {
	psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload)
		SELECT '${4:-product}', 'P-' || lpad((g % 50)::text, 5, '0'), '${3:-product.updated}',
		       jsonb_build_object('id', 'P-' || lpad((g % 50)::text, 5, '0'), 'n', g, 'price', g * 0.5,
		                          'updated_at', timestamptz '2026-01-01 00:00:00.25+00' + g * interval '1 s')
		FROM generate_series($1, $2) AS g" >/dev/null || bail_out "inserting outbox rows failed"
	timeout -k 5 30 "$RELAY" -d "$SYNCTOP_DB" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T" --once \
		2>"$TEST_TMP/relay.err" || bail_out "the relay failed: $(<"$TEST_TMP/relay.err")"
}

# within SECONDS CMD...: CMD until it succeeds, every 0.1 s; false at the deadline.
within() {
	local until=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		(($(now_ms) < until)) || return 1
		sleep 0.1
	done
}

# docs: the collection's documents as "ID N UPDATED_AT", sorted.
docs() {
	mongo_ctl GET "documents?db=shop&collection=$COLL" |
		jq -r '.[] | "\(._id) \(.n) \(.updated_at["$date"])"' | sort
}
# is_n ID N: document ID has n N.
# shellcheck disable=SC2317 # run by within
is_n() { [[ $(doc_n "$1") == "$2" ]]; }
# doc_n ID: the n of document ID.
doc_n() {
	mongo_ctl GET "documents?db=shop&collection=$COLL" | jq -r --arg id "$1" '.[] | select(._id == $id) | .n'
}

fresh_db synctop_indexer_mongo
load_outbox_schema
kafka_ctl topic "$T" 2 >/dev/null || bail_out "cannot create topic $T on the mock"

# ----------------------------------------------------------------------
# 1. Each product's last payload, a delete, a canary marker left out.
# ----------------------------------------------------------------------
outbox 1 200
outbox 207 207 product.deleted
outbox 300 300 product.updated synctop-canary
run --once "${MONGO[@]}"
is "$I_RC" 0 "exact: --once exits 0"
is "$(docs | wc -l)" 49 "exact: 49 documents (50 products, P-00007 deleted; the canary's is no product)"
is "$(docs | grep -c '^P-00000 200 2026-01-01T00:03:20.250Z$')" 1 \
	"exact: P-00000 is its last payload (n 200), updated_at the BSON date of 2026-01-01 00:03:20.25"
# shellcheck disable=SC2016 # $date: extended JSON
is "$(mongo_ctl GET "documents?db=shop&collection=$COLL" | jq -cS '.[] | select(._id == "P-00042")')" \
	'{"_id":"P-00042","id":"P-00042","n":192,"price":96,"updated_at":{"$date":"2026-01-01T00:03:12.250Z"}}' \
	"exact: P-00042 field by field (_id the message key, the payload's fields)"
is "$(doc_n P-00007)" "" "exact: P-00007's delete removed it"
is "$(mongo_commands shop | sort -u | tr '\n' ' ')" "delete update " \
	"exact: writes only: update commands (the upserts) and delete commands"
unlike "$I_ERR" "$PASSWORD" "exact: the password is not printed"

# ----------------------------------------------------------------------
# 2. MongoDB refuses the writes: held back, the batches go on, sent once it takes them.
# ----------------------------------------------------------------------
mongo_fault error '"code": 91, "errmsg": "shutting down", "commands": ["update"]' || bail_out "no fault"
log=$TEST_TMP/bg.err
"$INDEXER" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T" --group "$G" --url "$SYNCTOP_SEARCH_URL" \
	--index "$IX" "${MONGO[@]}" 2>"$log" </dev/null &
pid=$!
at_exit kill_ours "$pid"
outbox 401 410
within 15 grep -q 'kept for another try' "$log"
like "$(<"$log")" "mongodb://synctop@127.0.0.1:$SYNCTOP_MONGO_PORT/: writing to shop.$COLL: shutting down \\(kept for another try\\)" \
	"refused: the failure is logged with the server's message, the URL without a password"
is "$(doc_n P-00010)" 160 "refused: P-00010 still has its old payload (n 160)"
mongo_fault clear
within 15 is_n P-00010 410
is "$(doc_n P-00010)" 410 "taken again: the held write reached MongoDB without a new batch (P-00010 n 410)"
outbox 411 411
within 15 is_n P-00011 411
is "$(doc_n P-00011)" 411 "taken again: and the new batch's (P-00011 n 411)"
like "$(<"$log")" "writing documents to shop.$COLL at mongodb://synctop@127.0.0.1:$SYNCTOP_MONGO_PORT/" \
	"taken again: the recovery is logged"
kill -TERM "$pid"
wait "$pid"
is "$?" 0 "SIGTERM: exit 0"
unlike "$(<"$log")" "$PASSWORD" "refused: the password is not printed"

# ----------------------------------------------------------------------
# 3. Usage errors, the password nowhere.
# ----------------------------------------------------------------------
run --mongo-url 'http://synctop:hunter2@127.0.0.1:1/'
is "$I_RC" 2 "usage: --mongo-url http://: exit 2"
is "$I_ERR" "synctop-indexer: --mongo-url: http://synctop:***@127.0.0.1:1/: Invalid URI Schema, expecting 'mongodb://' or 'mongodb+srv://'" \
	"usage: --mongo-url http://: libmongoc's reason, the password masked"
run --mongo-url "$URI" --mongo-password-file "$TEST_TMP/none"
is "$I_ERR" "synctop-indexer: --mongo-password-file: cannot read $TEST_TMP/none: No such file or directory" \
	"usage: a missing password file"
run --mongo-db 'a.b'
is "$I_ERR" "synctop-indexer: --mongo-db: expected a MongoDB database name, not 'a.b'" "usage: a database name with a dot"
run --mongo-collection "\$x"
is "$I_ERR" "synctop-indexer: --mongo-collection: expected a MongoDB collection name, not '\$x'" \
	"usage: a collection name with a \$"

done_testing
