# shellcheck shell=bash
# mongo_lib.sh: a MongoDB for a test: the wire-protocol stand-in tests/stack/mongo_standin.py
# (no Debian package serves MongoDB). Source it after lib.sh.
#
#   need_mongo              start a private stand-in, stopped at exit, requiring SCRAM
#                           authentication as user synctop (its password in a file); skips the
#                           whole test without /usr/bin/python3 or Debian's python3-bson. Exports
#                           SYNCTOP_MONGO_PORT            the wire port (127.0.0.1)
#                           SYNCTOP_MONGO_CONTROL         http://127.0.0.1:CONTROL-PORT
#                           SYNCTOP_MONGO_PASSWORD_FILE   synctop's password (one line)
#                           SYNCTOP_MONGO_RECORD          one JSON line per command a client sent
#                           SYNCTOP_MONGO_LOG, SYNCTOP_MONGO_PID
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
#   mongo_fault hang|error|close [JSON-MEMBERS]
#                           every command but the handshake (hello, isMaster, saslStart,
#                           saslContinue) hangs, answers an error or has its connection closed;
#                           JSON-MEMBERS are added to the request, e.g. '"code": 91, "errmsg":
#                           "shutting down"', '"commands": ["count"]', '"handshake": true'
#   mongo_fault clear       no fault (hung commands are let go: their connections closed)
#   mongo_commands [DB]     the names of the commands clients sent (to DB), one a line, in order,
#                           from SYNCTOP_MONGO_RECORD (truncate that file to start afresh)
#   mongo_ctl METHOD PATH [JSON]   a control request; prints the answer, fails unless 200
# The stand-in's interface: the head of tests/stack/mongo_standin.py.
# shellcheck disable=SC2154 # top_srcdir, TEST_TMP: set by lib.sh

need_mongo() {
	local dir=$TEST_TMP/mongo i
	local -a args
	require_cmd curl jq
	[[ -x /usr/bin/python3 ]] || skip_all "/usr/bin/python3 is missing (apt-get install python3)"
	/usr/bin/python3 -c 'import bson' 2>/dev/null || skip_all "python3-bson is missing (apt-get install python3-bson)"
	mkdir -p "$dir" || bail_out "cannot create $dir"
	# shellcheck disable=SC2206 # MONGO_ARGS: split on blanks
	args=(--port 0 --port-file "$dir/port" --control-port 0 --control-port-file "$dir/control"
		--log "$dir/log" --record "$dir/record" ${MONGO_ARGS:-})
	export SYNCTOP_MONGO_PASSWORD_FILE=$dir/password
	printf 'm0ng0-%s\n' "$RANDOM$RANDOM" >"$SYNCTOP_MONGO_PASSWORD_FILE"
	((${MONGO_NO_AUTH:-0})) || args+=(--user synctop --password-file "$SYNCTOP_MONGO_PASSWORD_FILE")
	/usr/bin/python3 "$top_srcdir/tests/stack/mongo_standin.py" "${args[@]}" 2>"$dir/stderr" &
	SYNCTOP_MONGO_PID=$!
	at_exit _mongo_down "$SYNCTOP_MONGO_PID" "$dir"
	for ((i = 0; i < 200; i++)); do
		[[ -s $dir/port && -s $dir/control ]] && break
		kill -0 "$SYNCTOP_MONGO_PID" 2>/dev/null || break
		sleep 0.025
	done
	[[ -s $dir/port && -s $dir/control ]] || bail_out "the MongoDB stand-in did not start: $(head -c 2000 "$dir/stderr")"
	SYNCTOP_MONGO_PORT=$(<"$dir/port")
	SYNCTOP_MONGO_CONTROL=http://127.0.0.1:$(<"$dir/control")
	SYNCTOP_MONGO_URI="mongodb://synctop:$(<"$SYNCTOP_MONGO_PASSWORD_FILE")@127.0.0.1:$SYNCTOP_MONGO_PORT/"
	export SYNCTOP_MONGO_PORT SYNCTOP_MONGO_CONTROL SYNCTOP_MONGO_URI SYNCTOP_MONGO_PID
	export SYNCTOP_MONGO_RECORD=$dir/record SYNCTOP_MONGO_LOG=$dir/log
	diag "started a private MongoDB stand-in on 127.0.0.1:$SYNCTOP_MONGO_PORT (control $SYNCTOP_MONGO_CONTROL)"
}

# _mongo_down PID DIR: stops the stand-in; its log shown when the test failed.
_mongo_down() {
	kill_ours "$1"
	if ((${_LIB_RC:-0})); then
		diag "MongoDB stand-in log (tail):"
		tail -n 30 "$2/log" "$2/stderr" >&2 2>/dev/null
	fi
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
