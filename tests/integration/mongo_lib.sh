# shellcheck shell=bash
# mongo_lib.sh: a MongoDB for a test: the wire-protocol stand-in tests/stack/mongo_standin.py
# (no Debian package serves MongoDB), started by tests/stack/mongo.sh. Source it after lib.sh.
#
#   need_mongo              use the running stack's stand-in (SYNCTOP_MONGO_CONTROL set, with
#                           the variables below) or start a private one, stopped at exit,
#                           requiring SCRAM authentication as user synctop (its password in a
#                           file); skips the whole test without /usr/bin/python3 or Debian's
#                           python3-bson. Exports
#                           SYNCTOP_MONGO_PORT            the wire port (127.0.0.1)
#                           SYNCTOP_MONGO_CONTROL         http://127.0.0.1:CONTROL-PORT
#                           SYNCTOP_MONGO_PASSWORD_FILE   synctop's password (one line)
#                           SYNCTOP_MONGO_RECORD          one JSON line per command a client sent
#                           SYNCTOP_MONGO_LOG, SYNCTOP_MONGO_PID (see tests/stack/mongo.sh)
#                           SYNCTOP_MONGO_URI             mongodb://synctop:PASSWORD@127.0.0.1:PORT/
#                                                         (the user lives in admin, the default
#                                                         authSource; a secret: never print it)
#                           MONGO_ARGS (set before): more arguments for the stand-in, e.g.
#                           "--auth-db shop"; MONGO_NO_AUTH=1: no authentication.
#   mongo_collection DB COLL COUNT NEWEST [FIELD]
#                           COLL in DB holds COUNT synthetic documents, FIELD (default
#                           updated_at) a datetime whose newest value is NEWEST epoch seconds
#                           (one second older per document), "null" for a null FIELD, "absent"
#                           for none; fails unless the stand-in accepted it
#   mongo_drop DB COLL      the collection gone (synthetic and inserted documents)
#   mongo_fault hang|error|close|delay [JSON-MEMBERS]
#                           every command but the handshake (hello, isMaster, saslStart,
#                           saslContinue) hangs, answers an error, has its connection closed or
#                           answers late; JSON-MEMBERS are added to the request, e.g. '"code": 91,
#                           "errmsg": "shutting down"', '"commands": ["count"]', '"handshake":
#                           true', '"times": 1' (then gone), '"ms": 800' (delay's)
#   mongo_fault clear       no fault (hung commands are let go: their connections closed)
#   mongo_commands [DB]     the names of the commands clients sent (to DB), one a line, in order,
#                           from SYNCTOP_MONGO_RECORD (truncate that file to start afresh)
#   mongo_ctl METHOD PATH [JSON]   a control request; prints the answer, fails unless 200
#   mongo_up_extra          one more throwaway stand-in beside the test's (which stays the one
#                           SYNCTOP_MONGO_* name), started with SYNCTOP_MONGO_ARGS and
#                           SYNCTOP_MONGO_NO_AUTH as the caller set them (mongo_bin must have
#                           answered first). Sets EXTRA_MONGO_PORT, _CONTROL, _PID, _RECORD,
#                           _PASSWORD_FILE, _URI and _DIR; stopped at exit.
# The stand-in's interface: the head of tests/stack/mongo_standin.py.

# shellcheck source=tests/stack/mongo.sh
. "$(dirname "${BASH_SOURCE[0]}")/../stack/mongo.sh"

need_mongo() {
	local dir
	require_cmd curl jq
	if [[ -n ${SYNCTOP_MONGO_CONTROL:-} ]]; then
		mongo__ping "$SYNCTOP_MONGO_CONTROL" ||
			bail_out "the stack's MongoDB stand-in (control $SYNCTOP_MONGO_CONTROL) does not answer"
		diag "using the running stack: MongoDB stand-in on 127.0.0.1:$SYNCTOP_MONGO_PORT"
		return 0
	fi
	mongo_bin >/dev/null || skip_all "/usr/bin/python3 or python3-bson is missing (apt-get install python3-bson)"
	dir=$(mktemp -d "${TMPDIR:-/tmp}/synctop-test-mongo.XXXXXX") || bail_out "cannot create a directory for MongoDB"
	at_exit _lib_mongo_down "$dir"
	if ((${MONGO_NO_AUTH:-0})); then export SYNCTOP_MONGO_NO_AUTH=1; fi
	SYNCTOP_MONGO_ARGS=${MONGO_ARGS:-} mongo_up "$dir/mongo" >&2 || bail_out "could not start the MongoDB stand-in (see above)"
	diag "started a private MongoDB stand-in on 127.0.0.1:$SYNCTOP_MONGO_PORT (control $SYNCTOP_MONGO_CONTROL)"
}

# _lib_mongo_down DIR: stops the stand-in started in DIR/mongo (its log shown when the test
# failed), removes DIR.
_lib_mongo_down() {
	_lib_down mongo "$1"
}

mongo_up_extra() {
	_lib_up_extra mongo CONTROL RECORD PASSWORD_FILE URI
}

mongo_ctl() {
	local out code
	local -a data=()
	[[ -z ${3:-} ]] || data=(-H 'Content-Type: application/json' -d "$3")
	out=$(curl -sS -m 5 -X "$1" -w '\n%{http_code}' "${data[@]}" "$SYNCTOP_MONGO_CONTROL/_standin/${2#/}") ||
		return 1
	code=${out##*$'\n'}
	printf '%s\n' "${out%$'\n'*}"
	[[ $code == 200 ]]
}

mongo_collection() {
	local newest=$4 body
	case $newest in
	absent) newest= ;;
	null) newest=', "newest": null' ;;
	*) newest=", \"newest\": $newest" ;;
	esac
	body=$(printf '{"db": "%s", "collection": "%s", "count": %s, "field": "%s"%s}' "$1" "$2" "$3" \
		"${5:-updated_at}" "$newest")
	mongo_ctl POST collection "$body" >/dev/null
}

mongo_drop() {
	mongo_ctl DELETE "collection?db=$1&collection=$2" >/dev/null
}

mongo_fault() {
	if [[ $1 == clear ]]; then
		mongo_ctl DELETE fault >/dev/null
	else
		mongo_ctl POST fault "{\"fault\": \"$1\"${2:+, $2}}" >/dev/null
	fi
}

mongo_commands() {
	jq -r --arg db "${1:-}" 'select($db == "" or .db == $db) | .command' "$SYNCTOP_MONGO_RECORD"
}
