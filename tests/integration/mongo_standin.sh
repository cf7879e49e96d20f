#!/usr/bin/env bash
# mongo_standin.sh: the MongoDB wire-protocol stand-in (tests/stack/mongo_standin.py) driven by
# the two real drivers there are here, with exact figures: pymongo 3.11 (Debian's
# python3-pymongo) and libmongoc 1.23 (the driver synctop's document stage links, through
# tests/stack/mongo_probe.c, built here when pkg-config finds libmongoc-1.0). SCRAM-SHA-1 and
# SCRAM-SHA-256, a wrong password, no authentication; estimated and exact counts, the newest
# document by a sort, a projection, a collection that does not exist, listCollections; writes
# (insert, upsert, update, delete, unacknowledged); every fault; the raw framing (checksum,
# OP_COMPRESSED); --record's lines; and the answers against tests/fixtures/mongodb/.
# shellcheck disable=SC2016 # $match, $date...: MongoDB's operators and extended JSON, written literally
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/mongo_lib.sh
. "$(dirname "$0")/mongo_lib.sh"

runs_no_c
require_cmd jq curl
/usr/bin/python3 -c 'import pymongo' 2>/dev/null || skip_all "python3-pymongo is missing (apt-get install python3-pymongo)"
need_mongo

FIX=$top_srcdir/tests/fixtures/mongodb
PASS=$(<"$SYNCTOP_MONGO_PASSWORD_FILE")
P=$SYNCTOP_MONGO_PORT
HOSTP=127.0.0.1:$P
OPTS=serverSelectionTimeoutMS=3000

# pm URI CODE: CODE run by pymongo with c = MongoClient(URI); out(X) prints X as relaxed
# extended JSON; a failure prints "error CODE ERRMSG" or "connfail CLASS".
cat >"$TEST_TMP/pm.py" <<'PY'
import datetime, os, sys
import bson, pymongo
from bson import json_util
from bson.binary import Binary
def out(x):
    print(json_util.dumps(x, json_options=json_util.RELAXED_JSON_OPTIONS, sort_keys=True))
def same(name, got, variable=()):
    """got against the fixture NAME: the same keys and types everywhere, the same values but
    at the paths in variable."""
    want = json_util.loads(open(sys.argv[3] + "/" + name + ".json").read())
    def walk(w, g, path):
        if isinstance(g, datetime.datetime) and g.tzinfo is None:  # db.command's codec: naive UTC
            g = g.replace(tzinfo=datetime.timezone.utc)
        if type(w) is not type(g):
            return "%s: %s, want %s" % (path, type(g).__name__, type(w).__name__)
        if isinstance(w, dict):
            if sorted(w) != sorted(g):
                return "%s: keys %s, want %s" % (path, sorted(g), sorted(w))
            return next((e for e in (walk(w[k], g[k], path + "." + k) for k in w) if e), None)
        if isinstance(w, list):
            if len(w) != len(g):
                return "%s: %d items, want %d" % (path, len(g), len(w))
            return next((e for e in (walk(a, b, "%s[%d]" % (path, i)) for i, (a, b) in enumerate(zip(w, g))) if e), None)
        if path not in variable and w != g:
            return "%s: %r, want %r" % (path, g, w)
        return None
    print(walk(want, got, "") or "same")
c = pymongo.MongoClient(sys.argv[1], connectTimeoutMS=1500, socketTimeoutMS=1500, tz_aware=True)
try:
    exec(sys.argv[2])
except pymongo.errors.OperationFailure as e:
    print("error %s %s" % (e.code, (e.details or {}).get("errmsg")))
except pymongo.errors.ConnectionFailure as e:
    print("connfail %s" % type(e).__name__)
sys.stdout.flush()
os._exit(0)  # not the half second pymongo's monitor threads take to stop at exit
PY
pm() {
	timeout 30 /usr/bin/python3 "$TEST_TMP/pm.py" "$1" "$2" "$FIX"
}
AUTH="mongodb://synctop:$PASS@$HOSTP/?$OPTS"
ANON="mongodb://$HOSTP/?$OPTS"
SHA1="mongodb://synctop:$PASS@$HOSTP/?$OPTS&authMechanism=SCRAM-SHA-1"
BAD="mongodb://synctop:wrong-$PASS@$HOSTP/?$OPTS"

# ---- the handshake and authentication (pymongo) ----
is "$(pm "$AUTH" 'out(c.server_info()["version"])')" '"6.0.0"' "pymongo: buildInfo says 6.0.0, authenticated (SCRAM-SHA-256 from saslSupportedMechs)"
is "$(pm "$AUTH" 'same("hello", c.admin.command("hello", helloOk=True, saslSupportedMechs="admin.synctop"), (".localTime", ".connectionId"))')" \
	same "hello: every field of the fixture, maxWireVersion 17, saslSupportedMechs when asked"
is "$(pm "$AUTH" 'd = c.admin.command("isMaster"); out([d["ismaster"], "isWritablePrimary" in d, "saslSupportedMechs" in d])')" \
	'[true, false, false]' "isMaster answers ismaster (not isWritablePrimary), no mechanisms unasked"
is "$(pm "$AUTH" 'out(c.admin.command("hello", saslSupportedMechs="admin.nobody").get("saslSupportedMechs"))')" \
	null "no mechanisms for a user that does not exist"
is "$(pm "$SHA1" 'out(c.shop.x.count_documents({}))')" 0 "SCRAM-SHA-1 (md5 of user:mongo:password) authenticates"
is "$(pm "$AUTH&authMechanism=SCRAM-SHA-256" 'out(c.shop.x.count_documents({}))')" 0 "SCRAM-SHA-256 named authenticates"
is "$(pm "$BAD" 'c.shop.x.count_documents({})')" "error 18 Authentication failed." "a wrong password: AuthenticationFailed (18)"
is "$(pm "mongodb://synctop:$PASS@$HOSTP/shop?$OPTS" 'c.shop.x.count_documents({})')" "error 18 Authentication failed." \
	"the user is in admin: authSource shop fails as a wrong password"
is "$(pm "$ANON" 'c.shop.x.count_documents({})')" "error 13 command aggregate requires authentication" \
	"no credentials: Unauthorized (13) for a read"
is "$(pm "$ANON" 'out([c.admin.command("ping"), c.admin.command("buildInfo")["versionArray"]])')" '[{"ok": 1.0}, [6, 0, 0, 0]]' \
	"no credentials: ping and buildInfo still answer"
is "$(pm "$ANON" 'same("error-unauthorized", c.shop.command("count", "products", check=False))')" same \
	"the Unauthorized answer, field for field"
is "$(pm "$ANON" '
d = c.admin.command("saslStart", mechanism="SCRAM-SHA-256", payload=Binary(b"n,,n=synctop,r=abcdefgh"), check=False)
r = dict(x.split(b"=", 1) for x in bytes(d["payload"]).split(b","))
print(d["done"], d["conversationId"], int(r[b"i"]), r[b"r"].startswith(b"abcdefgh"), len(r[b"r"]) > 8)
fin = b"c=biws,r=" + r[b"r"] + b",p=" + __import__("base64").b64encode(b"x" * 32)
same("error-authentication-failed", c.admin.command("saslContinue", conversationId=1, payload=Binary(fin), check=False))')" \
	"False 1 15000 True True
same" "saslStart by hand: iterations 15000, the client nonce extended; a wrong proof's answer, field for field"

# ---- reads ----
mongo_collection shop products 15 1733306400 || bail_out "the control port refused a collection"
is "$(pm "$AUTH" 'out([c.shop.products.estimated_document_count(), c.shop.products.count_documents({})])')" '[15, 15]' \
	"15 synthetic documents: estimated (count) and exact (aggregate) counts"
is "$(pm "$AUTH" 'same("count", c.shop.command("count", "products"))')" same "the count answer, field for field"
is "$(pm "$AUTH" 'same("aggregate-count", c.shop.command("aggregate", "products", pipeline=[{"$match": {}}, {"$group": {"_id": 1, "n": {"$sum": 1}}}], cursor={}))')" \
	same "countDocuments' pipeline, field for field"
is "$(pm "$AUTH" 'same("aggregate-empty", c.shop.command("aggregate", "nothing", pipeline=[{"$match": {}}, {"$group": {"_id": 1, "n": {"$sum": 1}}}], cursor={}))')" \
	same "the pipeline on a collection that does not exist: an empty batch"
is "$(pm "$AUTH" 'same("find-newest", c.shop.command("find", "products", filter={}, sort={"updated_at": -1}, projection={"updated_at": 1, "_id": 0}, limit=1))')" \
	same "find sorted -1, limit 1, projected: the newest, field for field"
is "$(pm "$AUTH" 'out(list(c.shop.products.find({}, {"_id": 1, "updated_at": 1}).sort("updated_at", 1).limit(2)))')" \
	'[{"_id": 15, "updated_at": {"$date": "2024-12-04T09:59:46Z"}}, {"_id": 14, "updated_at": {"$date": "2024-12-04T09:59:47Z"}}]' \
	"sorted 1: the oldest first, one second apart"
is "$(pm "$AUTH" 'out(list(c.shop.products.aggregate([{"$count": "n"}])) + list(c.shop.products.aggregate([{"$group": {"_id": None, "m": {"$max": "$updated_at"}}}])))')" \
	'[{"n": 15}, {"_id": null, "m": {"$date": "2024-12-04T10:00:00Z"}}]' "\$count and \$group \$max"
mongo_collection shop big 3000000 1733306400.25
is "$(pm "$AUTH" 'out([c.shop.big.count_documents({}), c.shop.big.find_one({}, {"updated_at": 1, "_id": 0}, sort=[("updated_at", -1)])])')" \
	'[3000000, {"updated_at": {"$date": "2024-12-04T10:00:00.250Z"}}]' "3 000 000 documents counted without being made; milliseconds kept"
is "$(pm "$AUTH" 'print(len(list(c.shop.big.find())))')" \
	"error 2 the stand-in makes at most 1000000 synthetic documents a command (this one needs 3000000: give a limit, or count with {} alone)" \
	"3 000 000 documents without a limit: refused, not made"
is "$(pm "$AUTH&maxPoolSize=1" 'd = c.shop.command("aggregate", "products", pipeline=[{"$limit": "x"}], cursor={}, check=False); out([d["code"], d["errmsg"], c.shop.products.count_documents({})])')" \
	'[2, "the stand-in cannot run this aggregate: invalid literal for int() with base 10: '"'x'"'", 15]' \
	"arguments the stand-in cannot read: BadValue (2), and the connection goes on"
mongo_collection shop nulls 4 null
mongo_collection shop bare 4 absent
is "$(pm "$AUTH" 'out([c.shop.nulls.find_one({}, sort=[("updated_at", -1)]), c.shop.bare.find_one({}, sort=[("updated_at", -1)])])')" \
	'[{"_id": 1, "updated_at": null}, {"_id": 1}]' 'newest null: the field null; absent: no field'
is "$(pm "$AUTH" 'out([c.shop.nothing.estimated_document_count(), c.shop.nothing.count_documents({}), c.shop.nothing.find_one()])')" \
	'[0, 0, null]' "a collection that does not exist: n 0, as mongod"
is "$(pm "$AUTH" 'out([c.shop.list_collection_names(), c.shop.list_collection_names(filter={"name": "products"}), c.other.list_collection_names()])')" \
	'[["bare", "big", "nulls", "products"], ["products"], []]' "listCollections, with a name filter"
is "$(pm "$AUTH" 'same("list-collections", c.shop.command("listCollections", filter={"name": "products"}, nameOnly=True))')" same \
	"the listCollections answer (nameOnly), field for field"
is "$(pm "$AUTH" 'same("error-command-not-found", c.shop.command("frobnicate", check=False))')" same "an unknown command: CommandNotFound (59), field for field"

# ---- writes ----
is "$(pm "$AUTH" 'same("update-upsert", c.shop.command("update", "items", updates=[{"q": {"_id": "sku-1"}, "u": {"$set": {"price": 5}}, "upsert": True}]))')" \
	same "update upsert: n 1, nModified 0, upserted [{index, _id}], field for field"
is "$(pm "$AUTH" '
r = c.shop.items.update_one({"_id": "sku-1"}, {"$set": {"price": 7}}, upsert=True)
out([r.matched_count, r.modified_count, r.upserted_id])
r = c.shop.items.update_one({"_id": "sku-1"}, {"$set": {"price": 7}}, upsert=True)
out([r.matched_count, r.modified_count])
out(len(c.shop.items.insert_many([{"_id": "sku-2", "price": 9}, {"price": 11}]).inserted_ids))
c.shop.items.with_options(write_concern=pymongo.WriteConcern(w=0)).insert_one({"_id": "sku-4", "price": 1})
out([c.shop.items.count_documents({}), c.shop.items.count_documents({"price": {"$gte": 7}}), c.shop.items.estimated_document_count()])
out(c.shop.items.delete_one({"_id": "sku-2"}).deleted_count)
out(c.shop.items.find_one({"_id": "sku-1"}))
try:
    c.shop.items.insert_one({"_id": "sku-1"})
except pymongo.errors.DuplicateKeyError as e:
    print("duplicate", e.code)')" '[1, 1, null]
[1, 0]
2
[4, 3, 4]
1
{"_id": "sku-1", "price": 7}
duplicate 11000' "upsert matched then unchanged, insert_many (document sequences), an unacknowledged insert (moreToCome), delete, duplicate key"
is "$(mongo_ctl GET collections | jq -c '.shop.items, .shop.products')" \
	'{"count":0,"field":"updated_at","documents":3,"newest":null,"has_field":false}
{"count":15,"field":"updated_at","documents":0,"newest":1733306400,"has_field":true}' "GET /_standin/collections describes each"
is "$(mongo_ctl GET 'documents?db=shop&collection=items' | jq -c 'map(.price)')" '[7,11,1]' "GET /_standin/documents: the real documents"
ok "DELETE /_standin/collection drops it" mongo_drop shop items
is "$(pm "$AUTH" 'out(c.shop.items.count_documents({}))')" 0 "... and it counts 0"

# ---- the raw framing ----
is "$(timeout 10 /usr/bin/python3 - "$P" <<'PY'
import socket, struct, sys, bson
def frame(op, body):
    return struct.pack("<iiii", 16 + len(body), 7, 0, op) + body
def ask(msg):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 3)
    s.sendall(msg)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if len(data) >= 4 and len(data) >= struct.unpack_from("<i", data)[0]:
                break
    except socket.timeout:
        return "timeout"
    if not data:
        return "closed"
    length, rid, to, op = struct.unpack_from("<iiii", data)
    return "op %d to %d %s" % (op, to, bson.decode(data[21:] if op == 2013 else data[36:]))
ping = bson.encode({"ping": 1, "$db": "admin"})
print(ask(frame(2013, struct.pack("<I", 1) + b"\0" + ping + b"\1\2\3\4")))
print(ask(frame(2004, struct.pack("<i", 0) + b"admin.$cmd\0" + struct.pack("<ii", 0, -1) + bson.encode({"ping": 1}))))
print(ask(frame(2012, struct.pack("<iib", 2013, 10, 0) + b"x" * 10)))
PY
)" "op 2013 to 7 {'ok': 1.0}
op 1 to 7 {'ok': 0.0, 'errmsg': 'Unsupported OP_QUERY command: ping. The client driver may require an upgrade. For more details see https://dochub.mongodb.org/core/legacy-opcode-removal', 'code': 352, 'codeName': 'UnsupportedOpQueryCommand'}
closed" \
	"raw: OP_MSG with a checksum answered; OP_QUERY for other than hello refused (352); OP_COMPRESSED: closed"

# ---- faults ----
mongo_fault error '"code": 50, "errmsg": "operation exceeded time limit"'
is "$(pm "$AUTH" 'out(c.admin.command("hello")["ok"]); c.shop.products.count_documents({})')" \
	'1.0
error 50 operation exceeded time limit' "fault error: the handshake and hello pass, a command answers the error"
is "$(pm "$AUTH" 'd = c.shop.command("count", "products", check=False); out([d["code"], d["codeName"]])')" '[50, "MaxTimeMSExpired"]' \
	"... with the codeName of its code"
mongo_fault error '"code": 2, "errmsg": "nope", "commands": ["find"]'
is "$(pm "$AUTH" 'out(c.shop.products.count_documents({})); c.shop.products.find_one()')" '15
error 2 nope' "fault error limited to find: the count answers"
mongo_fault close
is "$(pm "$AUTH" 'c.shop.products.count_documents({})')" "connfail AutoReconnect" "fault close: the connection closed on a command"
mongo_fault error '"code": 2, "errmsg": "once", "times": 1'
is "$(pm "$AUTH" 'print(c.shop.command("count", "products", check=False)["errmsg"], c.shop.command("count", "products")["n"])')" \
	"once 15" "fault times 1: the next command fails, the one after answers"
is "$(mongo_ctl GET fault)" null "... and the fault is gone"
mongo_fault delay '"ms": 400'
t0=$(now_ms)
is "$(pm "$AUTH" 'out(c.shop.products.estimated_document_count())')" 15 "fault delay: the right answer"
between $(($(now_ms) - t0)) 400 3000 "... 400 ms later"
: >"$SYNCTOP_MONGO_RECORD"
mongo_fault hang
t0=$(now_ms)
is "$(pm "$AUTH&socketTimeoutMS=600&retryReads=false" 'c.shop.products.count_documents({})')" "connfail NetworkTimeout" "fault hang: no answer (socketTimeoutMS 600)"
between $(($(now_ms) - t0)) 600 5000 "... after the client's deadline"
is "$(jq -c 'select(.command == "aggregate") | .ok' "$SYNCTOP_MONGO_RECORD")" null "... recorded at once, ok null"
mongo_fault clear
is "$(pm "$AUTH" 'out(c.shop.products.count_documents({}))')" 15 "fault cleared: answers again"
is "$(mongo_ctl GET fault)" null "GET /_standin/fault: null once cleared"

# ---- libmongoc ----
PROBE=$TEST_TMP/mongo_probe
# shellcheck disable=SC2046 # pkg-config's flags: split
if pkg-config --exists libmongoc-1.0 2>/dev/null &&
	cc -std=c11 -Wall -Wextra -Werror -o "$PROBE" "$top_srcdir/tests/stack/mongo_probe.c" \
		$(pkg-config --cflags --libs libmongoc-1.0) 2>"$TEST_TMP/cc.err"; then
	probe() {
		timeout 30 "$PROBE" "$@" 2>/dev/null
	}
	: >"$SYNCTOP_MONGO_RECORD"
	is "$(probe "$AUTH" shop products ping estimated count newest updated_at collections)" "ping ok
estimated 15
count 15
newest 1733306400000
collections bare,big,nulls,products" "libmongoc 1.23: ping, estimated and exact counts, the newest by find, the collections"
	is "$(mongo_commands '' | paste -sd ' ')" \
		"isMaster saslContinue ping count aggregate find listCollections endSessions" \
		"--record: every command libmongoc sent, the handshake (OP_QUERY isMaster) included; saslStart rode in it (speculativeAuthenticate)"
	is "$(jq -r 'select(.command == "find") | [.db, .ok, (.body | .find, (.sort | tojson), (.projection | tojson), .limit)] | join(" ")' "$SYNCTOP_MONGO_RECORD")" \
		'shop 1 products {"updated_at":-1} {"updated_at":1,"_id":0} 1' "--record: the find's body as sent"
	is "$(jq -r 'select(.command | startswith("sasl")) | .body.payload' "$SYNCTOP_MONGO_RECORD" | sort -u)" "<redacted>" \
		"--record: SCRAM payloads redacted"
	is "$(grep -cF -e "$PASS" "$SYNCTOP_MONGO_RECORD" "$SYNCTOP_MONGO_LOG" | paste -sd ' ')" \
		"$SYNCTOP_MONGO_RECORD:0 $SYNCTOP_MONGO_LOG:0" "the password is in neither the record nor the log"
	is "$(probe "$SHA1" shop products count)" "count 15" "libmongoc: SCRAM-SHA-1"
	is "$(mongo_commands '' | tail -n 4 | paste -sd ' ')" "isMaster saslContinue aggregate endSessions" \
		"... speculatively too (a SCRAM-SHA-1 saslStart in the handshake)"
	is "$(MONGO_PROBE_POOL=1 probe "$AUTH" shop products estimated count newest updated_at)" "estimated 15
count 15
newest 1733306400000" "libmongoc through a mongoc_client_pool_t (a monitoring thread and connection)"
	is "$(probe "$BAD" shop products count)" "error 1 11 Authentication failed." "libmongoc: a wrong password (MONGOC_ERROR_CLIENT, _CLIENT_AUTHENTICATE)"
	is "$(probe "$ANON" shop products count)" "error 17 13 command aggregate requires authentication" "libmongoc: no credentials (MONGOC_ERROR_SERVER 13)"
	is "$(probe "$AUTH" shop nothing estimated count newest updated_at)" "estimated 0
count 0
newest none" "libmongoc: a collection that does not exist"
	mongo_fault error '"code": 91, "errmsg": "The server is in quiesce mode and will shut down", "commands": ["aggregate"]'
	is "$(probe "$AUTH&retryReads=false" shop products ping count)" "ping ok
error 17 91 The server is in quiesce mode and will shut down" "libmongoc: fault error (ShutdownInProgress) on aggregate alone: ping answers, the count fails with it"
	mongo_fault hang
	t0=$(now_ms)
	like "$(probe "$AUTH&socketTimeoutMS=500&retryReads=false" shop products count)" "^error 2 [0-9]+ " "libmongoc: fault hang: a stream error after socketTimeoutMS"
	between $(($(now_ms) - t0)) 500 5000 "... within its deadline"
	mongo_fault close
	like "$(probe "$AUTH&retryReads=false" shop products count)" "^error 2 [0-9]+ " "libmongoc: fault close: a stream error"
	mongo_fault clear
	is "$(probe "$AUTH" shop products count)" "count 15" "libmongoc: answers again once cleared"
else
	skip "libmongoc" "libmongoc-1.0 not found by pkg-config or mongo_probe.c does not build: $(head -c 300 "$TEST_TMP/cc.err" 2>/dev/null)"
fi

# ---- the control port ----
is "$(curl -sS -m 5 -XPOST "$SYNCTOP_MONGO_CONTROL/_standin/collection" -d '{"db": "shop", "count": 1}' -w ' %{http_code}')" \
	'{"error": "\"db\" and \"collection\" (strings) are required"} 400' "control: a collection without a name refused (400)"
is "$(curl -sS -m 5 -XPOST "$SYNCTOP_MONGO_CONTROL/_standin/fault" -d '{"fault": "slow"}' -w ' %{http_code}')" \
	'{"error": "fault: \"hang\", \"error\", \"close\" or \"delay\""} 400' "control: an unknown fault refused (400)"

# ---- tests/stack/mongo.sh without authentication (a subshell: the test's variables stay) ----
like "$(
	export SYNCTOP_MONGO_NO_AUTH=1
	mongo_up "$TEST_TMP/noauth" >&2 || exit 1
	printf '%s %s\n' "$SYNCTOP_MONGO_URI" "$(mongo_collection shop products 3 absent && pm "$SYNCTOP_MONGO_URI?$OPTS" 'out(c.shop.products.count_documents({}))')"
	mongo_down "$TEST_TMP/noauth"
)" '^mongodb://127\.0\.0\.1:[0-9]+/ 3$' "mongo_up with SYNCTOP_MONGO_NO_AUTH=1: a URI without credentials, reads without authenticating"
done_testing
