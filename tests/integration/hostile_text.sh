#!/usr/bin/env bash
# hostile_text.sh: what servers say reaches no terminal raw. Error texts with escape sequences
# (a retitle, a screen clear), CR, newlines, C1 controls and bytes that are not UTF-8, from Redis,
# PostgreSQL, HTTP and a Kafka Connect task trace: the JSON keeps its error and reason keys (bad
# bytes as U+FFFD), and the JSON, the text, stderr and the log hold no control character but the
# newlines of their format. Garbage INFO fields make the cache stage unknown, the field named; a
# search.source_count out of the range of a count is an error, in the text output too.
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/stack/hostile.sh
. "$top_srcdir/tests/stack/hostile.sh"

require_cmd jq
[[ -x /usr/bin/python3 ]] || skip_all "/usr/bin/python3 is missing (apt-get install python3)"
need_pg
need_search
need_connect

conf=$TEST_TMP/synctop.conf
log=$TEST_TMP/synctop.log
FFFD=$'\xef\xbf\xbd'
# The hostile text (Python escapes, for hostile_server.py) and what synctop shows of it.
EVIL='ERR \x1b]0;pwned\x07 \x1b[2J\rX\nY \xc2\x9b1m \xff\xfe end'
SHOWN="ERR \\x1B]0;pwned\\x07 \\x1B[2J X Y \\x9B1m $FFFD$FFFD end"

# shellcheck disable=SC2317 # called through ok
# _no_controls TEXT: no byte below 0x20 but the newline, no DEL, no C1 control (UTF-8 C2 80-9F).
_no_controls() {
	! LC_ALL=C grep -qaP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' <<<"$1"
}

# clean_everywhere WHAT: the last run's stdout, stderr and the log, and every string the JSON
# holds once decoded, have no control character.
clean_everywhere() {
	ok "$1: stdout has no control character" _no_controls "$RUN_OUT"
	ok "$1: stderr has no control character" _no_controls "$RUN_ERR"
	ok "$1: the log has no control character" _no_controls "$(<"$log")"
	if [[ $RUN_OUT == '{'* ]]; then
		ok "$1: no JSON string holds a control character" _no_controls "$(jqr '.. | strings')"
	fi
}

# hconf LINE...: the config's head (timeout 1s, the log file), then LINE...
hconf() {
	_conf_start "$conf"
	sed -i "s|^timeout = .*|timeout = 1s\nlog_file = $log|" "$conf"
	printf '%s\n' "$@" >>"$conf"
	: >"$log"
}

# ----------------------------------------------------------------------
# Redis: an error reply.
# ----------------------------------------------------------------------
hostile_up redis reply --all --error "$EVIL" || bail_out "could not start hostile_server.py"
hconf '[redis c]' "url = redis://127.0.0.1:$HOSTILE_PORT/0" '[pipeline p]' 'cache = c'
S=$(stage cache p)
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "redis error reply: exit 3"
json_is "$S.error" "$SHOWN" "redis error reply: the error key is there, escaped, bad bytes as U+FFFD"
json_is "$S.reason" "$SHOWN" "redis error reply: the reason key too"
is "$RUN_ERR" "synctop: connection c: p/cache unknown: $SHOWN" "redis error reply: stderr, one line"
like "$(<"$log")" "^[0-9TZ:-]+ synctop\\[[0-9]+\\]: connection c: p/cache unknown: ERR \\\\x1B" \
	"redis error reply: the log has it, escaped"
is "$(count_lines "$(<"$log")")" 1 "redis error reply: one line in the log"
clean_everywhere "redis error reply, json"
run_once -c "$conf" --once-window 0
is "$(count_lines "$RUN_OUT")" 4 "redis error reply, text: header, blank, titles, the stage: 4 lines"
like "$RUN_OUT" "UNKNOWN [0-9]+s  ERR \\\\x1B\\]0;pwned\\\\x07 " "redis error reply, text: the error shown escaped"
clean_everywhere "redis error reply, text"
hostile_down "$HOSTILE_PID"

# ----------------------------------------------------------------------
# Redis: garbage in INFO (issue 12, case 10).
# ----------------------------------------------------------------------
info_case() { # INFO-TEXT ERROR DESC
	hostile_up redis reply --all --bulk "$1" || bail_out "could not start hostile_server.py"
	hconf '[redis c]' "url = redis://127.0.0.1:$HOSTILE_PORT/0" '[pipeline p]' 'cache = c'
	run_once -c "$conf" --format json --once-window 0
	hostile_down "$HOSTILE_PID"
	is "$RUN_RC" 3 "$3: exit 3"
	json_is "$S.status" unknown "$3: the stage is unknown"
	json_is "$S.error" "$2" "$3: the field named"
	json_is "$S.metrics.used_memory" null "$3: no figure made of it"
}
info_case 'used_memory:notanumber\r\nmaxmemory:100\r\n' \
	"INFO field used_memory is 'notanumber', not a number" "used_memory:notanumber"
info_case 'used_memory:5\r\nmaxmemory:-5\r\n' \
	"INFO field maxmemory is '-5', not a count (a whole number from 0)" "maxmemory:-5"
info_case 'used_memory:1e300\r\nmaxmemory:100\r\n' \
	"INFO field used_memory is '1e300', not a count (a whole number from 0)" "used_memory:1e300"
info_case 'used_memory:5\r\nmem_fragmentation_ratio:nan\r\n' \
	"INFO field mem_fragmentation_ratio is 'nan', not a ratio (a finite number from 0)" \
	"mem_fragmentation_ratio:nan"
# ... and sane INFO from the same server is read.
hostile_up redis reply --all --bulk 'used_memory:5\r\nmaxmemory:100\r\nmaxmemory_policy:allkeys-lru\r\n' ||
	bail_out "could not start hostile_server.py"
hconf '[redis c]' "url = redis://127.0.0.1:$HOSTILE_PORT/0" '[pipeline p]' 'cache = c'
run_once -c "$conf" --format json --once-window 0
hostile_down "$HOSTILE_PID"
json_is "$S.status" ok "sane INFO: ok"
json_is "$S.metrics.used_ratio" 0.05 "sane INFO: used_ratio 5 / 100"

# ----------------------------------------------------------------------
# PostgreSQL: an ErrorResponse, at start-up and to a query.
# ----------------------------------------------------------------------
pg_case() { # DESC [--at-startup]
	hostile_up pg reply --error 'denied \x1b]0;pwned\x07 \x1b[2J\r \xc2\x85 \xff end' "${@:2}" ||
		bail_out "could not start hostile_server.py"
	hconf '[postgres c]' "conninfo = host=127.0.0.1 port=$HOSTILE_PORT dbname=x user=u sslmode=disable" \
		'[pipeline p]' 'outbox = c' 'outbox.table = public.outbox'
	S=$(stage outbox p)
	run_once -c "$conf" --format json --once-window 0
	hostile_down "$HOSTILE_PID"
	is "$RUN_RC" 3 "$1: exit 3"
	like "$(jqr "$S.error")" "denied \\\\x1B\\]0;pwned\\\\x07 \\\\x1B\\[2J  \\\\x85 $FFFD end\$" \
		"$1: the error key is there, escaped, the bad byte as U+FFFD"
	clean_everywhere "$1"
}
pg_case "postgres error at start-up" --at-startup
pg_case "postgres error to a query"

# ----------------------------------------------------------------------
# HTTP: a 500 whose JSON body quotes control characters.
# ----------------------------------------------------------------------
hostile_up http reply --status 500 --content-type application/json \
	--body '{"error_code":500,"message":"boom \\u001b]0;pwned\\u0007 \\u001b[2J\\r\\nX \\u009b1m"}' ||
	bail_out "could not start hostile_server.py"
hconf '[connect c]' "url = http://127.0.0.1:$HOSTILE_PORT" '[pipeline p]' 'connector = c' 'connector.name = x'
S=$(stage connector p)
run_once -c "$conf" --format json --once-window 0
hostile_down "$HOSTILE_PID"
json_is "$S.error" 'HTTP 500 from GET /connectors/x/status: boom \x1B]0;pwned\x07 \x1B[2J X \x9B1m' \
	"http 500: the body's message, escaped"
clean_everywhere "http 500"

# ----------------------------------------------------------------------
# Kafka Connect: a failed task whose trace holds escape sequences (JSON \u escapes).
# ----------------------------------------------------------------------
ccurl /_standin/state -X DELETE >/dev/null
ccurl /_standin/task_fail -X POST \
	--data-binary '{"connector":"products-sink","task":0,"trace":"org.Boom: \u001b]0;pwned\u0007\u001b[2J oops\u0085\n\tat x.y(z.java:1)"}' \
	>/dev/null || bail_out "task_fail failed"
hconf '[connect c]' "url = $SYNCTOP_CONNECT_URL" '[pipeline p]' 'connector = c' 'connector.name = products-sink'
run_once -c "$conf" --format json --once-window 0
json_is "[$S.task_states[] | select(.id == 0) | .trace][0]" 'org.Boom: \x1B]0;pwned\x07\x1B[2J oops\x85' \
	"task trace: its first line, escaped"
like "$(jqr "$(diagnoses p) | map(.evidence) | join(\" \")")" 'org.Boom: \\x1B\]0;pwned\\x07\\x1B\[2J oops\\x85' \
	"task trace: the diagnosis's evidence quotes it, escaped"
clean_everywhere "task trace, json"
run_once -c "$conf" --once-window 0
clean_everywhere "task trace, text"
ccurl /_standin/state -X DELETE >/dev/null

# ----------------------------------------------------------------------
# search.source_count out of the range of a count (issue 12, case 11).
# ----------------------------------------------------------------------
fresh_db synctop_hostile_text
es() { curl -sS --max-time 5 -X "$1" "$SYNCTOP_SEARCH_URL$2" ${3:+-H 'Content-Type: application/json' --data-binary "$3"}; }
es DELETE /products >/dev/null 2>&1
es PUT /products '{"settings":{"index":{"number_of_replicas":0}}}' >/dev/null || bail_out "cannot create the index"
# shellcheck disable=SC2317 # called through ok
_has() { [[ $1 == *"$2"* ]]; }
source_case() { # SQL ERROR DESC
	mkconf "$conf" 'search = es' 'search.index = products' 'search.source = shop' "search.source_count = $1"
	printf '\n[search es]\nurl = %s\n' "$SYNCTOP_SEARCH_URL" >>"$conf"
	S=$(stage search)
	run_once -c "$conf" --format json --once-window 0
	json_is "$S.source_error" "search.source_count on shop: $2" "$3: the error names the query and the value"
	json_is "$S.metrics.source_docs" null "$3: no source_docs made of it"
	json_is "$S.metrics.missing_docs" null "$3: no missing_docs either"
	json_is "$S.status" warn "$3: the stage warns"
	run_once -c "$conf" --once-window 0
	ok "$3: the text output says it too" _has "$RUN_OUT" "search.source_count on shop: $2"
}
source_case 'SELECT 1e300::float8' 'the query returned 1e+300, not a count (0 to 2^63-1)' "1e300"
source_case 'SELECT -1e300::float8' 'the query returned -1e+300, not a count (0 to 2^63-1)' "-1e300"
source_case "SELECT 'NaN'::float8" "the query returned 'NaN', not a number" "NaN"
source_case 'SELECT 9223372036854775808::float8' \
	'the query returned 9.22337203685478e+18, not a count (0 to 2^63-1)' "2^63"
source_case 'SELECT -1' 'the query returned -1, not a count (0 to 2^63-1)' "-1"
# A count in range is read, and the refresh-off crit does not hide a source error in the text.
mkconf "$conf" 'search = es' 'search.index = products' 'search.source = shop' 'search.source_count = SELECT 0'
printf '\n[search es]\nurl = %s\n' "$SYNCTOP_SEARCH_URL" >>"$conf"
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.source_docs" 0 "SELECT 0: source_docs 0"
es PUT /products/_settings '{"index":{"refresh_interval":"-1"}}' >/dev/null || bail_out "cannot turn refresh off"
mkconf "$conf" 'search = es' 'search.index = products' 'search.source = shop' 'search.source_count = SELECT 1e300::float8'
printf '\n[search es]\nurl = %s\n' "$SYNCTOP_SEARCH_URL" >>"$conf"
run_once -c "$conf" --once-window 0
like "$RUN_OUT" "CRIT" "refresh off: the stage is crit"
ok "refresh off: the text output still says the source error" \
	_has "$RUN_OUT" "search.source_count on shop: the query returned 1e+300, not a count (0 to 2^63-1)"
es DELETE /products >/dev/null 2>&1

# ----------------------------------------------------------------------
# The screen: the Redis error reply changes neither the terminal's title nor its lines.
# ----------------------------------------------------------------------
if command -v tmux >/dev/null 2>&1; then
	# shellcheck source=tests/integration/tui_lib.sh
	. "$top_srcdir/tests/integration/tui_lib.sh"
	tui_init
	hostile_up redis reply --all --error "$EVIL" || bail_out "could not start hostile_server.py"
	hconf '[redis c]' "url = redis://127.0.0.1:$HOSTILE_PORT/0" '[pipeline p]' 'cache = c'
	tmx set-option -g set-titles off >/dev/null
	tui_start evil -- -c "$conf"
	ok "screen: the error is shown, escaped" wait_for 'ERR \x1B]0;pwned\x07 \x1B[2J X Y'
	isnt "$(tmx display-message -p -t evil '#{pane_title}')" pwned "screen: the terminal's title did not change"
	like "${SCREEN%%$'\n'*}" '^synctop ' "screen: the header is still on the first line"
	is "$(grep -c 'ERR ' <<<"$SCREEN")" 1 "screen: the error takes one line"
	send q
	hostile_down "$HOSTILE_PID"
else
	skip "screen checks" "tmux is missing (apt-get install tmux)"
fi

done_testing
