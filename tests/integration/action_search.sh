#!/usr/bin/env bash
# action_search.sh: `synctop action refresh` and `restore-refresh` against the search stand-in
# (a private one: its record holds only this test's requests): the preview, the _shards answer
# (one node with a replica: total 2, successful 1), the read-back of refresh_total, the 503 and
# 500 answers, restore-refresh offered only when refresh_interval is -1, an alias over two
# indices, a missing index, read-only; the audit lines and exactly the writes recorded. The
# rate limit (one refresh per index per 5 s within a process) is test_act's: each `synctop
# action` is a process of its own.
# needs: search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_search
search_up_extra
URL=$EXTRA_SEARCH_URL
REC=$EXTRA_SEARCH_DIR/search.requests
AUDIT=$TEST_TMP/state/audit.log
conf=$TEST_TMP/synctop.conf

# sreq METHOD PATH [JSON]: one request to the private stand-in; prints the body.
sreq() {
	local args=(-sS --max-time 5 -X "$1" "$URL$2")
	[[ -z ${3:-} ]] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
	curl "${args[@]}"
}
# writes: the recorded requests that are not GETs, "METHOD PATH STATUS" one a line.
writes() {
	jq -r 'select(.method != "GET") | "\(.method) \(.path) \(.status)"' "$REC"
}
# last_audit FILTER: jq -r FILTER over the audit log's last line.
last_audit() {
	tail -n 1 "$AUDIT" | jq -r "$1"
}
audit_lines() {
	if [[ -f $AUDIT ]]; then wc -l <"$AUDIT"; else echo 0; fi
}
# writeconf INDEX: the config: the search stage of pipeline products on INDEX.
writeconf() {
	: >"$conf"
	chmod 600 "$conf"
	printf '[synctop]\ntimeout = 2s\naudit_log = %s\nconfirm_timeout = 5s\nenvironment = test-eu\n' \
		"$AUDIT" >>"$conf"
	printf '[search es]\nurl = %s\n[pipeline products]\nsearch = es\nsearch.index = %s\n' "$URL" "$1" >>"$conf"
}

# Refresh off, one replica (unassigned on one node), 3 documents indexed and not yet visible.
sreq PUT /products '{"settings":{"index":{"refresh_interval":"-1"}}}' >/dev/null || bail_out "cannot create the index"
for i in 1 2 3; do
	sreq PUT "/products/_doc/$i" "{\"n\":$i}" >/dev/null || bail_out "cannot index a document"
done
is "$(sreq GET /products/_count | jq .count)" 0 "setup: 3 documents indexed, none visible (refresh_interval -1)"
writeconf products
: >"$REC"

# ----------------------------------------------------------------------
# The dry run: the preview, nothing sent
# ----------------------------------------------------------------------
run_synctop -c "$conf" action refresh products --dry-run
is "$RUN_RC" 0 "refresh --dry-run: exit 0"
is "$(sed -n '2,7p' <<<"$RUN_OUT")" "  target:  index products on es
  preview: POST /products/_refresh: a one-off refresh (refresh_interval is -1); refresh_total 0
  POST /products/_refresh
  refresh_interval -1 (set on the index)
  refresh_interval is -1: periodic refresh is off, so this refresh is one-off (documents indexed after it stay invisible); I (restore-refresh) puts the default back
  refresh_total 0: the read-back waits for it to go up" "refresh --dry-run: the target, what is sent, the current refresh_interval, one-off and I"
is "$(tail -n 1 <<<"$RUN_OUT")" "dry run: nothing was sent" "refresh --dry-run: says nothing was sent"
is "$(writes)" "" "refresh --dry-run: no write reached the index"
is "$(audit_lines)" 0 "refresh --dry-run: no audit line"

# ----------------------------------------------------------------------
# The refresh: _shards total 2, successful 1 (the unassigned replica is not a failure)
# ----------------------------------------------------------------------
run_synctop -c "$conf" action refresh products --yes --format json
is "$RUN_RC" 0 "refresh: exit 0 (applied and confirmed)"
is "$(jqr '[.result, .target, .applied.sent] | join(" | ")')" \
	"confirmed | index products on es | POST /products/_refresh" "refresh: confirmed, target and what was sent"
is "$(jqr '.applied.answer | "\(.total) \(.successful) \(.failed) \(has("failures"))"')" "2 1 0 false" \
	"refresh: the _shards answer, total 2, successful 1, failed 0, no failures"
is "$(jqr .applied.shards)" \
	"total 2, successful 1, failed 0 (1 copy unassigned, as a replica on a single node: not a failure)" \
	"refresh: the line says the replica is unassigned, not a failure"
is "$(jqr '.readback | "\(.confirmed) \(.refresh_total)"')" "true 1" "refresh: read back refresh_total 1"
is "$(jqr .line)" "refresh products/search: POST /products/_refresh; confirmed: refresh_total 1, up from 0; total 2, successful 1, failed 0 (1 copy unassigned, as a replica on a single node: not a failure) ($(jqr '.line | capture("\\((?<s>[0-9.]+ m?s)\\)$").s'))" \
	"refresh: the result line"
is "$(writes)" "POST /products/_refresh 200" "refresh: exactly one POST /products/_refresh"
is "$(sreq GET /products/_count | jq .count)" 3 "refresh: the 3 documents are visible"
is "$(audit_lines)" 1 "refresh: one audit line"
is "$(last_audit '[.result, .action, .pipeline, .stage, .target, (.previewed|tostring), (.affected|tostring), .environment, (.scope|tostring)] | join("|")')" \
	"confirmed|refresh|products|search|index products on es|null|1|test-eu|null" "refresh: the audit line's fields"
is "$(last_audit '.answer | "\(.total) \(.successful) \(.failed)"')" "2 1 0" "refresh: the audit line holds the _shards answer"
like "$(last_audit .reason)" "^refresh_total 1, up from 0; " "refresh: the audit line's reason is the read-back"

# ----------------------------------------------------------------------
# 503: no shard copy could refresh; 500: a shard failed
# ----------------------------------------------------------------------
: >"$REC"
sreq POST /_standin/refresh_fault '{"mode":"unavailable","count":1}' >/dev/null
run_synctop -c "$conf" action refresh products --yes --format json
is "$RUN_RC" 2 "503: exit 2"
is "$(jqr '[.result, .line] | join(" | ")')" \
	"failed | refresh products/search failed: HTTP 503 (no shard copy could refresh) from POST /products/_refresh: total 2, successful 0, failed 0 (no shard copy active: nothing refreshed)" \
	"503: failed, with the status and the _shards"
is "$(last_audit '[.result, .reason, (.affected|tostring)] | join("|")')" \
	"failed|HTTP 503 (no shard copy could refresh) from POST /products/_refresh: total 2, successful 0, failed 0 (no shard copy active: nothing refreshed)|null" \
	"503: the audit line says failed and why"
sreq POST /_standin/refresh_fault '{"mode":"fail","count":1}' >/dev/null
run_synctop -c "$conf" action refresh products --yes --format json
is "$RUN_RC" 2 "500: exit 2"
is "$(jqr .line)" \
	"refresh products/search failed: HTTP 500 from POST /products/_refresh: total 2, successful 0, failed 1 (1 copy unassigned, as a replica on a single node: not a failure); failures: shard 0 of products (INTERNAL_SERVER_ERROR): refresh_failed_engine_exception: Refresh failed" \
	"500: the failure's shard, index, status and reason"
is "$(last_audit .result)" failed "500: audited as failed"
sreq POST /_standin/fault '{"mode":"status","status":403,"path_prefix":"/products/_refresh","count":1}' >/dev/null
run_synctop -c "$conf" action refresh products --yes --format json
is "$RUN_RC $(jqr .result)" "2 failed" "403: exit 2, failed"
is "$(jqr .line)" \
	"refresh products/search failed: HTTP 403 (forbidden: the user lacks the maintenance or manage index privilege) from POST /products/_refresh: security_exception: action [indices:data/read/search] is unauthorized" \
	"403: names the privilege a refresh needs"
is "$(writes)" "POST /products/_refresh 503
POST /products/_refresh 500
POST /products/_refresh 403" "503, 500 and 403: one POST each, nothing else written"
is "$(audit_lines)" 4 "503, 500 and 403: an audit line each"

# ----------------------------------------------------------------------
# restore-refresh: offered only while refresh_interval is -1
# ----------------------------------------------------------------------
: >"$REC"
run_synctop -c "$conf" action restore-refresh products --yes --format json
is "$RUN_RC" 0 "restore-refresh: exit 0 (applied and confirmed)"
is "$(jqr '[.result, .preview.summary, (.preview.count|tostring)] | join(" | ")')" \
	"confirmed | refresh_interval -1 -> null, the default (1s unless index.search.idle.after applies) | 1" \
	"restore-refresh: the preview's current and new value, one index"
is "$(jqr '.preview.lines | join("\n")')" 'PUT /products/_settings {"index":{"refresh_interval":null}}
now: refresh_interval -1 (set on the index)
new: refresh_interval null, the default: 1s unless index.search.idle.after applies (an index not searched for 30s skips its periodic refreshes until the next search)' \
	"restore-refresh: the preview's lines"
is "$(jqr '[.applied.sent, (.applied.answer|tojson), .readback.seen] | join(" | ")')" \
	'PUT /products/_settings {"index":{"refresh_interval":null}} | {"acknowledged":true} | refresh_interval 1s (the default), no longer -1' \
	"restore-refresh: sent, answered acknowledged, read back"
is "$(writes)" "PUT /products/_settings 200" "restore-refresh: exactly one PUT /products/_settings"
is "$(sreq GET '/products/_settings?include_defaults=true' | jq -r '[.products.settings.index.refresh_interval, .products.defaults.index.refresh_interval] | map(tostring) | join(" ")')" \
	"null 1s" "restore-refresh: the index no longer sets refresh_interval (the default 1s)"
is "$(last_audit '[.result, .action, .target, (.previewed|tostring), (.affected|tostring), (.answer|tojson)] | join("|")')" \
	'confirmed|restore-refresh|index products on es|1|1|{"acknowledged":true}' "restore-refresh: the audit line's fields"

run_synctop -c "$conf" action restore-refresh products --yes --format json
is "$RUN_RC" 2 "restore-refresh again: exit 2 (refused)"
is "$(jqr '[.result, .line] | join(" | ")')" \
	"refused | restore-refresh products/search refused: does not apply now: refresh_interval is 1s, not -1: periodic refresh is on" \
	"restore-refresh again: refused, refresh is on"
is "$(writes)" "PUT /products/_settings 200" "restore-refresh again: nothing more written"
is "$(last_audit .result)" refused "restore-refresh again: audited as refused"

# ----------------------------------------------------------------------
# An alias over two indices: every index behind it is previewed and counted
# ----------------------------------------------------------------------
sreq PUT /two-a '{"settings":{"index":{"refresh_interval":"-1","number_of_replicas":0}}}' >/dev/null
sreq PUT /two-b '{"settings":{"index":{"refresh_interval":"5s","number_of_replicas":0}}}' >/dev/null
sreq POST /_aliases '{"actions":[{"add":{"index":"two-a","alias":"two"}},{"add":{"index":"two-b","alias":"two"}}]}' >/dev/null
writeconf two
: >"$REC"
run_synctop -c "$conf" action restore-refresh products --dry-run --format json
is "$RUN_RC" 0 "alias: restore-refresh --dry-run exit 0"
is "$(jqr '[.result, .preview.target, (.preview.count|tostring), (.preview.pin.uuids|keys|join(","))] | join(" | ")')" \
	"previewed | index two on es | 2 | two-a,two-b" "alias: both indices pinned, both change"
is "$(jqr '.preview.lines[1:3] | join("\n")')" "now: index two-a: refresh_interval -1 (set on the index)
now: index two-b: refresh_interval 5s (set on the index)" "alias: each index's current value"
run_synctop -c "$conf" action refresh products --yes --format json
is "$RUN_RC $(jqr '.applied.shards')" "0 total 2, successful 2, failed 0" "alias: a refresh reaches both indices"
is "$(writes)" "POST /two/_refresh 200" "alias: one POST to the alias, the dry run sent nothing"

# ----------------------------------------------------------------------
# No such index; read-only
# ----------------------------------------------------------------------
writeconf nope
: >"$REC"
run_synctop -c "$conf" action refresh products --yes --format json
is "$RUN_RC" 2 "missing index: exit 2"
is "$(jqr .line)" \
	"refresh products/search failed: products/search could not be read: HTTP 404 (not found) from GET /nope/_settings: index_not_found_exception: no such index [nope]" \
	"missing index: failed before the preview, with ES's reason"
writeconf products
run_synctop -c "$conf" action refresh products --yes --read-only --format json
is "$RUN_RC $(jqr .result)" "2 refused" "--read-only: refused"
is "$(writes)" "" "missing index and read-only: nothing written"
is "$(audit_lines) $(grep -c "[[:cntrl:]]" "$AUDIT")" "9 0" "9 audit lines (the dry runs write none), none with a control character"
done_testing
