#!/usr/bin/env bash
# search_standin.sh: the Elasticsearch stand-in (tests/stack/search_standin.py) against the
# ES 8 semantics the search stage relies on, with exact figures: refresh_interval -1 and
# explicit refreshes, the periodic refresh, search-idle shards, nested documents in _stats
# against _count, aliases over two indices, a data stream's rollover, max aggregations on
# dates, ES's error bodies, basic and API-key authentication, every injected fault, HTTP/1.1
# keep-alive, and every key of the recorded reference bodies (tests/fixtures/search/).
#
# On the shared stack every name starts with sst<pid>-, and everything is deleted at exit;
# faults and authentication go to private extra stand-ins.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

runs_no_c
need_search

FIX=$top_srcdir/tests/fixtures/search
X=sst$$ # the prefix of every name this test creates
URL=$SYNCTOP_SEARCH_URL

at_exit _sst_cleanup
# shellcheck disable=SC2317 # run by at_exit
_sst_cleanup() {
	URL=$SYNCTOP_SEARCH_URL
	sreq DELETE "/_data_stream/$X-*"
	sreq DELETE "/_index_template/$X-tmpl"
	sreq DELETE "/$X-*"
	return 0
}

# sreq METHOD PATH [CURL-ARGS...]: a request to $URL; sets CODE (HTTP status, 000 when none),
# BODY and HDRS (the response headers).
sreq() {
	local method=$1 path=$2
	shift 2
	CODE=$(curl -sS --max-time 5 -o "$TEST_TMP/body" -D "$TEST_TMP/hdrs" -w '%{http_code}' \
		-X "$method" -H 'Content-Type: application/json' "$@" "$URL$path" 2>"$TEST_TMP/curl.err")
	BODY=$(<"$TEST_TMP/body")
	HDRS=$(<"$TEST_TMP/hdrs")
	HDRS=${HDRS//$'\r'/}
}
# jb FILTER...: the values of FILTER... over the last BODY, separated by spaces (one jq run:
# each costs 40 ms); "<not JSON>" when it is not JSON.
jb() {
	local f filters=
	for f; do filters+="${filters:+, }($f)"; done
	jq -r "[$filters] | map(if type == \"string\" then . else tojson end) | join(\" \")" \
		<<<"$BODY" 2>/dev/null || echo "<not JSON>"
}
# stats INDEX: sets RT ET (refresh total, external_total), DC (docs.count), IT IF (indexing
# index_total, index_failed) from _stats/refresh,docs,indexing (one jq: it costs 40 ms a run).
stats() {
	sreq GET "/$1/_stats/refresh,docs,indexing"
	read -r RT ET DC IT IF < <(jb ._all.primaries.refresh.total ._all.primaries.refresh.external_total \
		._all.primaries.docs.count ._all.primaries.indexing.index_total \
		._all.primaries.indexing.index_failed)
}
count() {
	sreq GET "/$1/_count"
	jb .count
}
# bulk_docs INDEX N [FIRST]: N documents {"n": i} with ids FIRST.., no refresh.
bulk_docs() {
	local i first=${3:-1}
	for ((i = first; i < first + $2; i++)); do
		printf '{"index":{"_index":"%s","_id":"%d"}}\n{"n":%d}\n' "$1" "$i" "$i"
	done >"$TEST_TMP/bulk.ndjson"
	sreq POST /_bulk --data-binary "@$TEST_TMP/bulk.ndjson"
}
# keys_missing FIXTURE PREP: the key paths of the fixture that BODY lacks (values may differ;
# array elements merge into []); PREP renames dynamic keys (index names...) on both sides.
keys_missing() {
	jq -rn --slurpfile want "$1" --argjson got "$BODY" "
		def k: [paths | map(if type == \"number\" then \"[]\" else . end) | join(\".\")] | unique;
		(\$want[0] | $2 | k) - (\$got | $2 | k) | join(\" \")" 2>&1
}
no_missing_keys() { # DESC FIXTURE [PREP]
	is "$(keys_missing "$2" "${3:-.}")" "" "$1"
}

# ----------------------------------------------------------------------
# The root and the HTTP basics
# ----------------------------------------------------------------------
sreq GET /
is "$CODE" 200 "GET / answers 200"
like "$(jb .version.number)" '^8\.' "version.number is an 8.x"
like "$HDRS" $'\n''X-elastic-product: Elasticsearch' "X-elastic-product: Elasticsearch"
like "$HDRS" $'\n''Content-Type: application/json' "Content-Type: application/json"
like "$HDRS" $'\n''Content-Length: '"${#BODY}" "Content-Length is the body's length"
no_missing_keys "GET / has every key of es8/root.json" "$FIX/es8/root.json"

sreq GET /_cluster/health
like "$(jb .status)" '^(green|yellow)$' "cluster health status"
no_missing_keys "GET /_cluster/health has every key of es8/cluster-health.json" \
	"$FIX/es8/cluster-health.json"

# Keep-alive: two URLs in one curl invocation share one connection.
conns=$(curl -sS --max-time 5 -o /dev/null -o /dev/null -w '%{num_connects} ' "$URL/" "$URL/_cluster/health")
is "$conns" "1 0 " "HTTP/1.1 keep-alive: the second request reuses the connection"
like "$(curl -sS -v --max-time 5 -o /dev/null -o /dev/null "$URL/" "$URL/" 2>&1)" \
	'Re-using existing connection' "curl -v says it re-used the connection"

# ----------------------------------------------------------------------
# refresh_interval -1: nothing new is visible until an explicit refresh
# ----------------------------------------------------------------------
# The search-idle index of a later section is filled now: it is idle during the sleep below.
# Writes do not count as searches; neither does _stats.
sreq PUT "/$X-idle" -d '{"settings":{"number_of_replicas":0,"index.search.idle.after":"1s"}}'
is "$CODE" 200 "create $X-idle (search.idle.after 1s)"
bulk_docs "$X-idle" 5
idle_t0=$(now_ms)
stats "$X-idle"
ri=$RT

sreq PUT "/$X-off" -d '{"settings":{"index":{"refresh_interval":"-1","number_of_replicas":0}}}'
is "$(jb .acknowledged .index)" "true $X-off" "create $X-off with refresh_interval -1"
bulk_docs "$X-off" 5
sreq POST "/$X-off/_refresh"
is "$(count "$X-off")" 5 "5 documents visible after the first explicit refresh"
stats "$X-off"
r0=$RT e0=$ET
bulk_docs "$X-off" 100 6
is "$(jb .errors '.items | length' '.items[0].index.status')" "false 100 201" \
	"bulk: 100 items, created"
is "$(count "$X-off")" 5 "_count stays at 5 right after the bulk"
sleep 2
is "$(count "$X-off")" 5 "_count still 5 after 2 s (refresh_interval -1)"
stats "$X-off"
is "$RT" "$r0" "refresh.total unchanged after 2 s"
is "$DC" 5 "_stats docs.count unchanged too"
is "$IT" 105 "indexing.index_total counts all 105"
sreq POST "/$X-off/_refresh"
is "$CODE $(jb ._shards.failed)" "200 0" "POST /$X-off/_refresh"
is "$(count "$X-off")" 105 "_count 105 after the refresh"
stats "$X-off"
is "$RT" $((r0 + 1)) "refresh.total +1"
is "$ET" $((e0 + 1)) "refresh.external_total +1"
# A realtime GET of a document not yet refreshed refreshes the internal reader only.
sreq PUT "/$X-off/_doc/late" -d '{"n":0}'
is "$CODE $(jb .result)" "201 created" "PUT a document"
sreq GET "/$X-off/_doc/late"
is "$(jb .found ._version)" "true 1" "a realtime GET sees it"
stats "$X-off"
is "$RT,$ET" \
	"$((r0 + 2)),$((e0 + 1))" "the GET cost an internal refresh, not an external one"
is "$(count "$X-off")" 105 "_count does not see it yet"
sreq PUT "/$X-off/_settings" -d '{"index":{"refresh_interval":null}}'
is "$(jb .acknowledged)" true "PUT _settings refresh_interval null (back to the default)"
sreq GET "/$X-off/_settings?include_defaults=true&flat_settings=true"
is "$(jb ".\"$X-off\".settings[\"index.refresh_interval\"] // \"unset\"")" unset \
	"refresh_interval no longer set explicitly"
is "$(jb ".\"$X-off\".defaults[\"index.refresh_interval\"]")" 1s "the default shows: 1s"
sreq PUT "/$X-off/_settings" -d '{"index":{"refresh_interval":"soon"}}'
is "$CODE $(jb .error.type)" "400 illegal_argument_exception" "an invalid refresh_interval: 400"

# ----------------------------------------------------------------------
# Search-idle: no search for search.idle.after, no explicit refresh_interval
# ----------------------------------------------------------------------
while (($(now_ms) - idle_t0 < 1300)); do sleep 0.05; done
sreq GET "/$X-idle/_stats/refresh,docs?level=shards"
is "$(jb ".indices.\"$X-idle\".shards.\"0\"[0].search_idle")" true "the shard is search-idle"
is "$(jb ._all.primaries.refresh.total ._all.primaries.docs.count)" "$ri 0" \
	"search-idle: the scheduled refresh was skipped"
is "$(count "$X-idle")" 5 "a _count refreshes the search-idle shard first: 5"
# At once (idle again 1 s after that search: a loaded machine once took longer between requests).
sreq GET "/$X-idle/_stats/refresh?level=shards"
is "$(jb ".indices.\"$X-idle\".shards.\"0\"[0].search_idle")" false "no longer search-idle"
stats "$X-idle"
is "$RT" $((ri + 1)) "refresh.total +1"

# ----------------------------------------------------------------------
# The default refresh_interval, and refresh=wait_for
# ----------------------------------------------------------------------
sreq PUT "/$X-live" -d '{"settings":{"number_of_replicas":0}}'
count "$X-live" >/dev/null # searched: not search-idle
bulk_docs "$X-live" 10
t0=$(now_ms)
while (($(count "$X-live") < 10 && $(now_ms) - t0 < 3000)); do sleep 0.05; done
between "$(($(now_ms) - t0))" 0 1500 "10 documents visible within 1.5 s (refresh_interval 1s)"
t0=$(now_ms)
sreq POST "/$X-live/_doc?refresh=wait_for" -d '{"n":11}'
is "$CODE $(jb .result '._id | length')" "201 created 20" "POST _doc: a generated 20-char id"
between "$(($(now_ms) - t0))" 0 1500 "refresh=wait_for returned within a refresh interval"
is "$(count "$X-live")" 11 "and the document is visible"
sreq PUT "/$X-live/_doc/x?refresh=true" -d '{"n":12}'
is "$(jb .forced_refresh) $(count "$X-live")" "true 12" "refresh=true: forced_refresh, visible"

# ----------------------------------------------------------------------
# Nested documents: Lucene documents in _stats, top-level documents in _count
# ----------------------------------------------------------------------
sreq PUT "/$X-nest" -d '{"settings":{"number_of_replicas":0},
	"mappings":{"properties":{"lines":{"type":"nested"}}}}'
sreq PUT "/$X-nest/_doc/1" -d '{"lines":[{"sku":"a"},{"sku":"b"},{"sku":"c"}]}'
sreq PUT "/$X-nest/_doc/2?refresh=true" -d '{"lines":[]}'
is "$(count "$X-nest")" 2 "_count: 2 documents"
stats "$X-nest"
is "$DC" 5 "_stats docs.count: 1+3 and 1 Lucene documents"

# ----------------------------------------------------------------------
# An alias over two indices
# ----------------------------------------------------------------------
sreq PUT "/$X-a1" -d '{"settings":{"number_of_replicas":0}}'
sreq PUT "/$X-a2" -d '{"settings":{"number_of_replicas":0}}'
bulk_docs "$X-a1" 3
bulk_docs "$X-a2" 4
sreq POST "/$X-a1,$X-a2/_refresh"
sreq POST /_aliases -d "{\"actions\":[{\"add\":{\"index\":\"$X-a1\",\"alias\":\"$X-al\"}},
	{\"add\":{\"index\":\"$X-a2\",\"alias\":\"$X-al\"}}]}"
is "$(jb .acknowledged)" true "POST /_aliases: one alias on both"
is "$(count "$X-al")" 7 "_count over the alias: 3 + 4"
sreq GET "/$X-al/_settings"
is "$(jb 'keys | join(",")')" "$X-a1,$X-a2" "_settings over the alias: both concrete indices"
sreq GET "/$X-al/_stats/docs"
is "$(jb '.indices | keys | join(",")' ._all.primaries.docs.count)" "$X-a1,$X-a2 7" \
	"_stats over the alias: both, 7 documents"
sreq PUT "/$X-al/_doc/9" -d '{"n":9}'
is "$CODE $(jb .error.type)" "400 illegal_argument_exception" "a write to a two-index alias: 400"
like "$(jb .error.reason)" '^no write index is defined for alias' "ES's reason"
sreq PUT "/$X-a2/_alias/$X-al" -d '{"is_write_index":true}'
sreq PUT "/$X-al/_doc/9" -d '{"n":9}'
is "$CODE $(jb ._index)" "201 $X-a2" "with is_write_index the write goes to $X-a2"
sreq PUT "/$X-a1/_alias/2030-$X" -d '{"filter":{"term":{"year":2030}}}'
sreq GET "/_alias/2030-$X"
is "$(jb 'keys | join(",")')" "$X-a1" "GET /_alias/NAME: the index that has it"
no_missing_keys "GET /_alias/NAME has every key of es8/alias-get.json" "$FIX/es8/alias-get.json" \
	'with_entries(.key = "I" | .value.aliases |= with_entries(.key = "A"))'
sreq GET "/_alias/nope-$X"
is "$CODE $(jb .error)" "404 alias [nope-$X] missing" "a missing alias: 404"

# ----------------------------------------------------------------------
# A data stream and its rollover
# ----------------------------------------------------------------------
sreq PUT "/$X-ds"
sreq PUT "/_data_stream/$X-ds2"
is "$CODE $(jb .error.type)" "400 illegal_argument_exception" "a data stream needs a template"
sreq PUT "/_index_template/$X-tmpl" -d "{\"index_patterns\":[\"$X-ds*\"],\"data_stream\":{},
	\"priority\":500,\"_meta\":{\"my-meta-field\":\"foo\"},
	\"template\":{\"settings\":{\"index.lifecycle.name\":\"my-lifecycle-policy\",\"number_of_replicas\":0}}}"
is "$(jb .acknowledged)" true "PUT /_index_template with data_stream"
sreq PUT "/_data_stream/$X-ds2"
is "$(jb .acknowledged)" true "PUT /_data_stream/$X-ds2"
sreq GET "/_data_stream/$X-ds2"
b1=$(jb '.data_streams[0].indices[0].index_name')
like "$b1" "^\\.ds-$X-ds2-[0-9]{4}\\.[0-9]{2}\\.[0-9]{2}-000001\$" "backing index .ds-NAME-DATE-000001"
is "$(jb '.data_streams[0].generation')" 1 "generation 1"
sreq POST "/$X-ds2/_doc" -d '{"@timestamp":"2026-11-22T10:00:00Z","n":1}'
is "$CODE $(jb ._index)" "201 $b1" "a document goes to the write index"
sreq POST "/$X-ds2/_doc" -d '{"n":1}'
is "$CODE $(jb .error.type)" "400 document_parsing_exception" "no @timestamp: 400"
sreq POST "/$X-ds2/_rollover"
b2=$(jb .new_index)
is "$(jb .rolled_over .old_index)" "true $b1" "rollover"
like "$b2" '-000002$' "the new backing index is 000002"
sreq POST "/$X-ds2/_doc?refresh=true" -d '{"@timestamp":"2026-11-22T11:00:00Z","n":2}'
is "$(jb ._index)" "$b2" "the next document goes to 000002"
sreq POST "/$X-ds2/_refresh"
is "$(count "$X-ds2")" 2 "_count over the stream covers both backing indices"
sreq GET "/$X-ds2/_stats/docs"
is "$(jb '.indices | keys | join(",")')" "$b1,$b2" "_stats keyed by backing index names"
sreq GET "/$X-ds2/_settings"
is "$(jb 'keys | join(",")')" "$b1,$b2" "_settings keyed by backing index names"
sreq GET "/_data_stream/$X-ds2"
is "$(jb '.data_streams[0].generation' '.data_streams[0].indices | length')" "2 2" \
	"GET /_data_stream: generation 2, two backing indices"
no_missing_keys "GET /_data_stream has every key of es8/data-stream-get.json" \
	"$FIX/es8/data-stream-get.json"

# ----------------------------------------------------------------------
# max aggregations, dates, mapping conflicts
# ----------------------------------------------------------------------
# No periodic refresh (the index was searched, so not search-idle): a loaded machine that took
# over a second between the writes and the search made them visible (a CI run).
sreq PUT "/$X-max" -d '{"settings":{"number_of_replicas":0,"refresh_interval":"-1"}}'
sreq POST "/$X-max/_search?size=0" -d '{"aggs":{"newest":{"max":{"field":"created_at"}}}}'
is "$(jb .aggregations.newest.value '.aggregations.newest | has("value_as_string")')" \
	"null false" "max over no documents: null, no value_as_string"
sreq PUT "/$X-max/_doc/1" -d '{"created_at":"2026-11-22T10:00:00Z","price":150}'
sreq PUT "/$X-max/_doc/2" -d '{"created_at":"2026-11-21T09:30:00.250+01:00","price":200}'
sreq POST "/$X-max/_search?size=0" -d '{"aggs":{"newest":{"max":{"field":"created_at"}}}}'
is "$(jb .aggregations.newest.value)" null "documents not refreshed yet do not count"
sreq POST "/$X-max/_refresh"
sreq PUT "/$X-max/_settings" -d '{"index":{"refresh_interval":null}}' # the default again
sreq POST "/$X-max/_search?size=0" -d '{"aggs":{"newest":{"max":{"field":"created_at"}},
	"oldest":{"min":{"field":"created_at"}}}}'
is "$(jb .aggregations.newest.value)" 1795341600000 "max: epoch milliseconds"
is "$(jb .aggregations.newest.value_as_string)" 2026-11-22T10:00:00.000Z "max: value_as_string"
is "$(jb .aggregations.oldest.value_as_string)" 2026-11-21T08:30:00.250Z "min: offset and millis"
is "$(jb .hits.total.value '.hits.hits | length' .hits.max_score)" "2 0 null" \
	"size=0: total 2, no hits"
sreq POST "/$X-max/_search?size=0" -d '{"aggs":{"max_price":{"max":{"field":"price"}}}}'
is "$(jb .aggregations.max_price.value)" 200 "max on a number"
no_missing_keys "POST _search with max has every key of es8/search-max-agg.json" \
	"$FIX/es8/search-max-agg.json"
sreq GET "/$X-max/_count"
no_missing_keys "GET _count has every key of es8/count.json" "$FIX/es8/count.json"
stats "$X-max"
f0=$IF
sreq PUT "/$X-max/_doc/3" -d '{"created_at":"not-a-date"}'
is "$CODE $(jb .error.type)" "400 document_parsing_exception" "a string that is no date: 400"
like "$(jb .error.reason)" "failed to parse field \\[created_at\\] of type \\[date\\]" "ES's reason"
stats "$X-max"
is "$IF" $((f0 + 1)) "indexing.index_failed +1"
no_missing_keys "GET _stats/refresh,docs,indexing has every key of es8/stats-...json" \
	"$FIX/es8/stats-refresh-docs-indexing.json" '.indices |= with_entries(.key = "I")'
sreq GET "/$X-max/_settings?include_defaults=true"
no_missing_keys "GET _settings?include_defaults has every key of es8/settings-...json" \
	"$FIX/es8/settings-include-defaults.json" 'with_entries(.key = "I")'

# ----------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------
sreq GET "/$X-nope/_count"
is "$CODE $(jb .status)" "404 404" "a missing index: 404"
is "$(jb '[.error.type, .error.reason, .error["resource.type"], .error["resource.id"],
	.error.index_uuid, .error.index, .error.root_cause[0].type] | join("|")')" \
	"index_not_found_exception|no such index [$X-nope]|index_or_alias|$X-nope|_na_|$X-nope|index_not_found_exception" \
	"index_not_found_exception with ES's fields"
no_missing_keys "the 404 has every key of es8/error-index-not-found.json" \
	"$FIX/es8/error-index-not-found.json"
like "$HDRS" $'\n''Content-Length: [0-9]+' "an error has a Content-Length"
sreq PUT "/$X-off"
is "$CODE $(jb .error.type)" "400 resource_already_exists_exception" "PUT of an existing index"
sreq POST "/$X-off/_search" -d '{"query": {'
is "$CODE $(jb .error.type)" "400 json_parse_exception" "bad JSON: json_parse_exception"
sreq POST "/$X-off/_doc/1" --data-binary '{"x": }'
is "$CODE $(jb .error.type .error.caused_by.type)" \
	"400 document_parsing_exception json_parse_exception" "a bad document"
is "$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -d '{"x":1}' "$URL/$X-off/_doc/1")" 406 \
	"a body that is not declared JSON (curl -d): 406, as ES"
printf 'GARBAGE\r\n\r\n' >"$TEST_TMP/garbage"
curl -sS --max-time 2 "telnet://127.0.0.1:$SYNCTOP_SEARCH_PORT" <"$TEST_TMP/garbage" >/dev/null 2>&1
sreq GET /
is "$CODE" 200 "a malformed request line does not hurt the server"

# ----------------------------------------------------------------------
# Authentication, faults, the OpenSearch flavor: on extra stand-ins
# ----------------------------------------------------------------------
printf 's3cret\n' >"$TEST_TMP/pw"
key=$(printf 'VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw' | base64 -w0)
printf '%s\n' "$key" >"$TEST_TMP/key"
SYNCTOP_SEARCH_ARGS="--user elastic --password-file $TEST_TMP/pw --api-key-file $TEST_TMP/key" \
	search_up_extra
URL=$EXTRA_SEARCH_URL
# A hung request under /_cluster, in the background while the authentication checks run.
sreq POST /_standin/fault -d '{"mode":"hang","path_prefix":"/_cluster"}'
t0=$(now_ms)
(
	curl -sS --max-time 1 -u elastic:s3cret "$URL/_cluster/health" >/dev/null 2>&1
	echo "$? $(($(now_ms) - t0))" >"$TEST_TMP/hang"
) &
hang_pid=$!
sreq GET /
is "$CODE" 401 "auth on: no credentials, 401"
is "$(jb .error.reason)" "missing authentication credentials for REST request [/]" "ES's reason"
like "$HDRS" $'\n''WWW-Authenticate: Basic realm="security" charset="UTF-8", ApiKey' \
	"WWW-Authenticate header"
no_missing_keys "the 401 has every key of es8/error-security-401.json" \
	"$FIX/es8/error-security-401.json"
sreq GET / -u elastic:wrong
is "$CODE $(jb .error.reason)" "401 unable to authenticate user [elastic] for REST request [/]" \
	"a wrong password: 401"
sreq GET / -u elastic:s3cret
is "$CODE" 200 "basic auth: 200"
sreq GET / -H "Authorization: ApiKey $key"
is "$CODE" 200 "API key: 200"
sreq GET / -H "Authorization: ApiKey $(printf 'nope:nope' | base64)"
is "$CODE $(jb .error.type)" "401 security_exception" "a wrong API key: 401"
like "$(jb .error.reason)" '^unable to authenticate with provided credentials' "ES's reason"
sreq GET /_standin/state
is "$CODE" 200 "the control endpoints need no credentials"

sreq GET / -u elastic:s3cret
is "$CODE" 200 "paths outside the hang fault's path_prefix still answer"
wait "$hang_pid"
read -r rc ms <"$TEST_TMP/hang"
is "$rc" 28 "hang: curl --max-time 1 times out"
between "$ms" 900 2500 "after about a second"
sreq DELETE /_standin/fault
sreq GET /_cluster/health -u elastic:s3cret
is "$CODE" 200 "the fault cleared: health answers"
sreq POST /_standin/fault -d '{"mode":"malformed"}'
sreq GET /_cluster/health
is "$CODE $(jb .status)" "200 <not JSON>" "malformed: 200 with a body that is not JSON"
sreq POST /_standin/fault -d '{"mode":"truncate"}'
curl -sS --max-time 2 -o /dev/null "$URL/" 2>/dev/null
is "$?" 18 "truncate: curl reports a partial transfer (18)"
sreq POST /_standin/fault -d '{"mode":"status","status":503}'
sreq GET /_cluster/health
is "$CODE $(jb .status .error.type)" "503 503 cluster_block_exception" "status 503"
sreq POST /_standin/fault -d '{"mode":"status","status":429,"count":1}'
sreq GET /x/_count
is "$CODE $(jb .error.type)" "429 es_rejected_execution_exception" "status 429"
no_missing_keys "the 429 has every key of es8/error-429.json" "$FIX/es8/error-429.json"
sreq GET / -u elastic:s3cret
is "$CODE" 200 "a fault with count 1 fired once"
sreq POST /_standin/health -d '{"status":"red","unassigned_shards":4}'
sreq GET /_cluster/health -u elastic:s3cret
is "$(jb .status .unassigned_shards)" "red 4" "POST /_standin/health overrides health"
search_down "$EXTRA_SEARCH_DIR"

SYNCTOP_SEARCH_ARGS="--flavor opensearch" search_up_extra
URL=$EXTRA_SEARCH_URL
sreq GET /
is "$(jb .version.distribution '.version.number | split(".")[0]')" "opensearch 2" \
	"opensearch flavor: distribution opensearch, 2.x"
unlike "$HDRS" 'X-elastic-product' "opensearch flavor: no X-elastic-product"
no_missing_keys "GET / has every key of opensearch2/root.json" "$FIX/opensearch2/root.json"
sreq GET /_cluster/health
no_missing_keys "health has every key of opensearch2/cluster-health.json" \
	"$FIX/opensearch2/cluster-health.json"
search_down "$EXTRA_SEARCH_DIR"
URL=$SYNCTOP_SEARCH_URL

# The hidden delete of the dual-write-loss demo fault.
sreq POST /_standin/delete_hidden -d "{\"index\":\"$X-live\",\"count\":2}"
is "$(jb .deleted) $(count "$X-live")" "2 10" "delete_hidden: 2 documents gone from _count"

# ----------------------------------------------------------------------
# The write endpoints of the refresh actions, and the record of every request (a private
# stand-in: its --record file holds only this test's requests)
# ----------------------------------------------------------------------
search_up_extra
URL=$EXTRA_SEARCH_URL
REC=$EXTRA_SEARCH_DIR/search.requests
: >"$REC"
sreq PUT /w1 -d '{"settings":{"index":{"refresh_interval":"-1"}}}'
bulk_docs w1 3
stats w1
r0=$RT
is "$(count w1)" 0 "refresh_interval -1: 3 documents indexed, none countable yet"
sreq POST /w1/_refresh
is "$CODE $BODY" '200 {"_shards":{"total":2,"successful":1,"failed":0}}' \
	"POST /w1/_refresh with one replica: total 2, successful 1, failed 0 (unassigned, not failed)"
is "$(count w1)" 3 "the refresh made the 3 documents countable"
stats w1
is "$RT $ET" "$((r0 + 1)) 1" "refresh.total +1, external_total 1"
sreq PUT /w2 -d '{"settings":{"index":{"refresh_interval":"-1","number_of_replicas":0}}}'
sreq POST /_aliases -d '{"actions":[{"add":{"index":"w1","alias":"wall"}},{"add":{"index":"w2","alias":"wall"}}]}'
bulk_docs w2 2
sreq POST /wall/_refresh
is "$CODE $BODY" '200 {"_shards":{"total":3,"successful":2,"failed":0}}' \
	"POST /wall/_refresh: an alias refreshes every index behind it (2 + 1 shard copies)"
is "$(count w2)" 2 "w2's documents countable after the alias's refresh"
sreq POST /_refresh
is "$CODE $BODY" '200 {"_shards":{"total":3,"successful":2,"failed":0}}' "POST /_refresh: every index"
sreq POST /nope/_refresh
is "$CODE $(jb .error.type .error.index)" "404 index_not_found_exception nope" \
	"POST /nope/_refresh: 404 index_not_found_exception"
# Faults: a shard failure, a partial one, no shard available
bulk_docs w1 2 4
sreq POST /_standin/refresh_fault -d '{"mode":"fail","index":"w1","count":1}'
is "$CODE $(jb .refresh_fault.mode .refresh_fault.count)" "200 fail 1" "POST /_standin/refresh_fault"
stats w1
r0=$RT
sreq POST /w1/_refresh
is "$CODE $(jb ._shards.total ._shards.successful ._shards.failed)" "500 2 0 1" \
	"a failed primary: 500 (the failure's status), total 2, successful 0, failed 1"
is "$(jb '._shards.failures[0] | [.shard, .index, .status, .reason.type] | join(" ")')" \
	"0 w1 INTERNAL_SERVER_ERROR refresh_failed_engine_exception" "the failure: shard, index, status, reason"
is "$(count w1)" 3 "the failed refresh made nothing visible: still 3"
stats w1
is "$RT" "$r0" "refresh.total unchanged by the failed refresh"
sreq POST /w1/_refresh
is "$CODE $(jb ._shards.failed) $(count w1)" "200 0 5" "count 1: the next refresh works (5 countable)"
sreq PUT /w3 -d '{"settings":{"index":{"number_of_shards":2,"number_of_replicas":0}}}'
sreq POST /_standin/refresh_fault -d '{"mode":"fail","index":"w3","shards":1,"status":503}'
sreq POST /w3/_refresh
is "$CODE $(jb ._shards.total ._shards.successful ._shards.failed ._shards.failures[0].status)" \
	"200 2 1 1 SERVICE_UNAVAILABLE" "one of two primaries failed: 200, the failure listed"
sreq POST /_standin/refresh_fault -d '{"mode":"unavailable"}'
sreq POST /wall/_refresh
is "$CODE $BODY" '503 {"_shards":{"total":3,"successful":0,"failed":0}}' \
	"no shard available: 503 with the _shards body (ES's RestStatus.status)"
sreq DELETE /_standin/refresh_fault
sreq POST /wall/_refresh
is "$CODE" 200 "DELETE /_standin/refresh_fault: refresh answers 200 again"
# refresh_interval set and reset
sreq PUT /w1/_settings -d '{"index":{"refresh_interval":"5s"}}'
is "$CODE $BODY" '200 {"acknowledged":true}' "PUT /w1/_settings refresh_interval 5s"
sreq GET "/w1/_settings?flat_settings=true"
is "$(jb '.w1.settings["index.refresh_interval"]')" 5s "refresh_interval 5s, explicit"
sreq PUT /w1/_settings -d '{"index":{"refresh_interval":null}}'
is "$CODE $BODY" '200 {"acknowledged":true}' "PUT /w1/_settings refresh_interval null"
sreq GET "/w1/_settings?flat_settings=true&include_defaults=true"
is "$(jb '.w1.settings["index.refresh_interval"] // "unset"' '.w1.defaults["index.refresh_interval"]')" \
	"unset 1s" "null: no explicit refresh_interval any more, the default 1s"
# The record: every client request, none of the control ones
sreq GET /_standin/state
is "$(wc -l <"$REC")" 29 "the record holds the 29 client requests (GET /_standin/state not among them)"
is "$(jq -s '[.[] | select(.path | startswith("/_standin"))] | length' "$REC")" 0 \
	"no control request in the record"
is "$(jq -s '[.[] | select(.method != "GET")] | length' "$REC")" 18 "18 of them not GET"
is "$(jq -r 'select(.method != "GET") | "\(.method) \(.path) \(.status)"' "$REC" | tr '\n' ',')" \
	"PUT /w1 200,POST /_bulk 200,POST /w1/_refresh 200,PUT /w2 200,POST /_aliases 200,POST /_bulk 200,POST /wall/_refresh 200,POST /_refresh 200,POST /nope/_refresh 404,POST /_bulk 200,POST /w1/_refresh 500,POST /w1/_refresh 200,PUT /w3 200,POST /w3/_refresh 200,POST /wall/_refresh 503,POST /wall/_refresh 200,PUT /w1/_settings 200,PUT /w1/_settings 200," \
	"the record lists each write request with its path and status, in order"
like "$(head -n 1 "$REC")" '^\{"time": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z", "method": "PUT", "path": "/w1", "status": 200\}$' \
	"a record line: time (UTC, ms), method, path, status"
sreq GET "/w1/_count?q=n:1"
is "$(tail -n 1 "$REC" | jq -r '"\(.method) \(.path)"')" "GET /w1/_count?q=n:1" "the path keeps its query"
search_down "$EXTRA_SEARCH_DIR"
URL=$SYNCTOP_SEARCH_URL

done_testing
