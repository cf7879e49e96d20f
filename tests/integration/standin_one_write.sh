#!/usr/bin/env bash
# standin_one_write.sh: the HTTP stand-ins (tests/stack/standin_http.py and the search and
# Kafka Connect stand-ins built on it) send each answer, headers and body, in ONE write, with
# TCP_NODELAY. Written in two with Nagle's algorithm on, the body of every answer on a
# kept-alive connection waited for the client's delayed ACK of the headers: ~40 ms a request,
# in every HTTP figure measured against them (issue 18, item 8; bench/http_standin.sh shows
# the before and after). Checked from a raw socket, not by timing: three requests on one
# connection, each answer read whole by a single recv().
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

runs_no_c
need_search
need_connect

check=$top_srcdir/tests/stack/one_write_check.py

# one_write NAME URL PATH: three requests for PATH on one connection to URL, each answered 200
# and read whole by one recv.
one_write() {
	local name=$1 url=$2 path=$3 hostport out
	hostport=${url#*://}
	out=$(/usr/bin/python3 "$check" "${hostport%:*}" "${hostport##*:}" "$path" 3 2>&1)
	is "$(awk '{printf "%s %s;", $1, $2}' <<<"$out")" "200 whole;200 whole;200 whole;" \
		"$name: GET $path three times on one kept-alive connection, each answer in one recv"
	[[ $out == *whole* ]] || diag "$out"
}

if [[ $SYNCTOP_SEARCH_URL == https://* ]]; then
	skip "search stand-in: one write per answer" "the stack's search stand-in serves TLS"
	skip "search stand-in: one write per answer" "the stack's search stand-in serves TLS"
else
	one_write "search stand-in" "$SYNCTOP_SEARCH_URL" /
	one_write "search stand-in" "$SYNCTOP_SEARCH_URL" /_cluster/health
fi
one_write "connect stand-in" "$SYNCTOP_CONNECT_URL" /
one_write "connect stand-in" "$SYNCTOP_CONNECT_URL" /connectors

# A 404 (the error path of send_body) goes out in one write too.
hostport=${SYNCTOP_CONNECT_URL#*://}
is "$(/usr/bin/python3 "$check" "${hostport%:*}" "${hostport##*:}" /connectors/no-such-$$/status 2 |
	awk '{printf "%s %s;", $1, $2}')" "404 whole;404 whole;" \
	"connect stand-in: an error answer (404) in one recv, twice on one connection"

done_testing
