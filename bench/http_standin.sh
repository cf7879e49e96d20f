#!/usr/bin/env bash
# http_standin.sh: what the HTTP stand-ins' write pattern costs the figures measured against
# them (issue 18, item 8). Two search stand-ins side by side: one as it is (each answer in one
# write, TCP_NODELAY) and one with STANDIN_SPLIT_WRITES=1 (the old pattern: headers and body
# in two writes, Nagle's algorithm on, so the body of an answer on a kept-alive connection
# waits for the client's delayed ACK of the headers). Interleaved runs of:
#   - the search stage's poll as synctop measures it (latency_ms of
#     `synctop --once --once-window 0 --format json`, a pipeline with only the search stage);
#   - curl's time_total of the 2nd of two requests on one kept-alive connection;
#   - the search stage's poll with every answer DELAY ms late (the stand-in's delay fault, on
#     the new stand-in): its four requests at once take two rounds (settings, health and stats
#     together, then the count, which waits for the stats), where one after another took four.
# The old pattern costs ~40 ms for each request on a reused connection: a --once poll, its
# requests at once on fresh connections, reuses one (the count's); a running synctop reuses
# all four every poll (and the search stage one after another, before curl multi, three).
# Prints medians of RUNS runs and the ratio old/new. Not part of make check.
#   bench/http_standin.sh [--quick]
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
synctop=${SYNCTOP:-$top/synctop}
quick=0
[[ ${1:-} == --quick ]] && quick=1
runs=${RUNS:-$((quick ? 5 : 15))}
[ -x "$synctop" ] || {
	echo "http_standin.sh: build synctop first ($synctop)" >&2
	exit 1
}
for c in curl jq; do
	command -v "$c" >/dev/null || {
		echo "http_standin.sh: $c is missing (apt-get install $c)" >&2
		exit 1
	}
done

dir=$(mktemp -d /tmp/synctop-bench-XXXXXX)
# shellcheck source=tests/stack/search.sh
. "$top/tests/stack/search.sh"
cleanup() {
	search_down "$dir/new" >/dev/null 2>&1 || true
	search_down "$dir/old" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM HUP

search_up "$dir/new" >/dev/null
new_url=$SYNCTOP_SEARCH_URL
STANDIN_SPLIT_WRITES=1 search_up "$dir/old" >/dev/null
old_url=$SYNCTOP_SEARCH_URL

for which in new old; do
	url=${which}_url
	url=${!url}
	curl -sS --max-time 5 -o /dev/null -X PUT "$url/products" -H 'Content-Type: application/json' -d '{}'
	curl -sS --max-time 5 -o /dev/null -X POST "$url/products/_doc?refresh=true" \
		-H 'Content-Type: application/json' -d '{"name":"one"}'
	printf '[search es]\nurl = %s\n[pipeline p]\nsearch = es\nsearch.index = products\n' "$url" \
		>"$dir/$which.conf"
done

# poll_ms CONF: the search stage's latency_ms of one --once run
poll_ms() {
	# synctop exits 1-3 for warn/crit/unknown: that is its verdict, not a failure here
	{ "$synctop" --once --once-window 0 --format json -c "$1" 2>/dev/null || true; } |
		jq -r '.pipelines[0].stages[0].latency_ms'
}
# second_ms URL: curl's time_total (ms) of the 2nd of two requests on one connection
second_ms() {
	curl -s --max-time 5 -o /dev/null -o /dev/null -w '%{time_total}\n' \
		"$1/_cluster/health" "$1/_cluster/health" | awk 'NR == 2 {printf "%.2f\n", $1 * 1000}'
}
delay=100
# delayed_ms: the search poll (latency_ms) on the new stand-in with every answer $delay ms late
delayed_ms() {
	curl -sS --max-time 5 -o /dev/null -X POST "$new_url/_standin/fault" -d "{\"mode\":\"delay\",\"ms\":$delay}"
	poll_ms "$dir/new.conf"
	curl -sS --max-time 5 -o /dev/null -X DELETE "$new_url/_standin/fault"
}
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'; }

: >"$dir/poll.new" && : >"$dir/poll.old" && : >"$dir/curl.new" && : >"$dir/curl.old" && : >"$dir/delayed"
for _ in $(seq "$runs"); do # interleaved: the machine's noise falls on both alike
	poll_ms "$dir/new.conf" >>"$dir/poll.new"
	poll_ms "$dir/old.conf" >>"$dir/poll.old"
	second_ms "$new_url" >>"$dir/curl.new"
	second_ms "$old_url" >>"$dir/curl.old"
	delayed_ms >>"$dir/delayed"
done
dl=$(median <"$dir/delayed")
pn=$(median <"$dir/poll.new")
po=$(median <"$dir/poll.old")
cn=$(median <"$dir/curl.new")
co=$(median <"$dir/curl.old")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

echo "HTTP stand-in write pattern, median of $runs interleaved runs"
printf '%-58s %8s ms\n' "search poll, one write + TCP_NODELAY (now)" "$pn"
printf '%-58s %8s ms  (%sx now)\n' "search poll, STANDIN_SPLIT_WRITES=1 (before)" "$po" "$(ratio "$po" "$pn")"
printf '%-58s %8s ms\n' "curl 2nd request on a kept-alive connection (now)" "$cn"
printf '%-58s %8s ms  (%sx now)\n' "curl 2nd request on a kept-alive connection (before)" "$co" \
	"$(ratio "$co" "$cn")"
printf '%-58s %8s ms  (one after another: >= %d ms; %sx)\n' "search poll, every answer $delay ms late" "$dl" \
	$((4 * delay)) "$(ratio $((4 * delay)) "$dl")"

if [[ -n ${BENCH_TARGETS:-} ]]; then
	met=$(awk -v c="$cn" 'BEGIN { print (c < 20 ? "met" : "not met") }')
	printf '8\tstand-in: 2nd request on a kept-alive connection\t%s ms (before: %s ms)\t< 20 ms (no delayed-ACK wait)\t%s\n' \
		"$cn" "$co" "$met" >>"$BENCH_TARGETS"
	printf '8\tstand-in: search stage poll\t%s ms (before: %s ms, %sx)\tn/a (measured)\tn/a\n' \
		"$pn" "$po" "$(ratio "$po" "$pn")" >>"$BENCH_TARGETS"
	met=$(awk -v d="$dl" -v r="$delay" 'BEGIN { print (d < 3 * r ? "met" : "not met") }')
	printf '2\tsearch stage requests at once (answers %d ms late)\t%s ms (one after another: >= %d ms)\t< %d ms (2 rounds, not 4)\t%s\n' \
		"$delay" "$dl" $((4 * delay)) $((3 * delay)) "$met" >>"$BENCH_TARGETS"
fi
