#!/usr/bin/env bash
# grafana.sh: contrib/grafana/synctop.json loads what synctop exports: every metric its PromQL
# reads has samples in a real --format prometheus snapshot of outbox, kafka, search and cache
# stages on the local stack (whose figures the test knows); the dashboard is well formed.
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd python3
need_pg
need_kafka
need_redis
need_search
fresh_db synctop_grafana
load_outbox_schema

dash=$top_srcdir/contrib/grafana/synctop.json
run=${EPOCHREALTIME//[!0-9]/}
T=orders-$run  # 2 partitions: 7 and 2 messages, 4 and 2 committed: lag 3
IX=products-$run # 5 documents of the 8 rows of products: 3 missing

kafka_ctl topic "$T" 2 >/dev/null || bail_out "cannot create topic $T on the mock"
{ ktool produce "$T" 0 7 && ktool produce "$T" 1 2 && ktool commit indexer "$T" 0 4 1 2; } >/dev/null ||
	bail_out "producing or committing the fixture failed"
psql_synctop -c "CREATE TABLE products (id bigint PRIMARY KEY)" \
	-c "INSERT INTO products SELECT generate_series(1, 8)" \
	-c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type) VALUES ('product', '1', 'product.updated')" >/dev/null ||
	bail_out "loading the fixture failed"
curl -sS --max-time 5 -X PUT "$SYNCTOP_SEARCH_URL/$IX" -H 'Content-Type: application/json' \
	--data-binary '{"settings":{"index":{"number_of_replicas":0}}}' >/dev/null || bail_out "cannot create index $IX"
for i in 1 2 3 4 5; do printf '{"index":{"_index":"%s","_id":"%d"}}\n{"n":%d}\n' "$IX" "$i" "$i"; done >"$TEST_TMP/bulk.ndjson"
curl -sS --max-time 5 -X POST "$SYNCTOP_SEARCH_URL/_bulk?refresh=true" -H 'Content-Type: application/x-ndjson' \
	--data-binary "@$TEST_TMP/bulk.ndjson" >/dev/null || bail_out "bulk indexing failed"

conf=$TEST_TMP/synctop.conf
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' 'search = es' "search.index = $IX" \
	'search.source = shop' 'search.source_count = SELECT count(*) FROM products'
{
	printf '\n[search es]\nurl = %s\n' "$SYNCTOP_SEARCH_URL"
	printf '\n[redis sessions]\nurl = %s\n' "$SYNCTOP_REDIS_URL"
	printf '\n[kafka main]\nbrokers = %s\n' "$SYNCTOP_KAFKA_BOOTSTRAP"
	printf '\n[pipeline web]\ncache = sessions\n'
	printf '\n[pipeline orders]\nkafka = main\nkafka.group = indexer\nkafka.topics = %s\n' "$T"
} >>"$conf"

run_once -c "$conf" --format prometheus
between "$RUN_RC" 0 2 "the snapshot reads every stage (exit 0 to 2, not 3)"
is "$(grep -c '^synctop_stage_up{.*} 1$' <<<"$RUN_OUT")" 4 "synctop_stage_up 1 for the 4 stages"
grep -F "synctop_search_missing_docs{pipeline=\"products\",stage=\"search\",index=\"$IX\"} 3" <<<"$RUN_OUT" >/dev/null
is "$?" 0 "synctop_search_missing_docs 3 on index $IX"
grep -F "synctop_kafka_lag{pipeline=\"orders\",stage=\"kafka\",group=\"indexer\"} 3" <<<"$RUN_OUT" >/dev/null
is "$?" 0 "synctop_kafka_lag 3 for group indexer"
grep -F "synctop_kafka_partition_lag{pipeline=\"orders\",stage=\"kafka\",group=\"indexer\",topic=\"$T\",partition=\"0\"} 3" <<<"$RUN_OUT" >/dev/null
is "$?" 0 "synctop_kafka_partition_lag 3 on partition 0"
grep -F 'synctop_outbox_pending{pipeline="products",stage="outbox",table="public.outbox"} 1' <<<"$RUN_OUT" >/dev/null
is "$?" 0 "synctop_outbox_pending 1"
printf '%s\n' "$RUN_OUT" >"$TEST_TMP/metrics.prom"

# The dashboard: well formed, and each metric its queries read has samples in the snapshot.
checked=$(python3 - "$dash" "$TEST_TMP/metrics.prom" <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
sampled = {re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", l).group(0)
           for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")}
bad = []
if dash.get("uid") != "synctop" or not dash.get("title"):
    bad.append("no uid synctop or no title")
exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
exprs += [v["definition"] for v in dash["templating"]["list"] if v.get("definition")]
ids = [p["id"] for p in dash["panels"]]
if len(ids) != len(set(ids)):
    bad.append("two panels share an id")
for p in dash["panels"]:
    if not p.get("targets"):
        bad.append(f"panel {p['title']!r} queries nothing")
    if p.get("datasource", {}).get("uid") != "${datasource}":
        bad.append(f"panel {p['title']!r} is not on the datasource variable")
names = set()
for e in exprs:
    found = re.findall(r"\bsynctop_[a-z0-9_]+", e)
    if not found:
        bad.append(f"{e!r} reads no synctop metric")
    names.update(found)
for n in sorted(names - sampled):
    bad.append(f"{n} has no sample in the snapshot")
print("; ".join(bad) if bad else "ok " + " ".join(sorted(names)))
PY
)
like "$checked" '^ok ' "the dashboard reads only metrics the snapshot has: ${checked#ok }"
for m in synctop_pipeline_status synctop_stage_status synctop_diagnosis_active synctop_outbox_pending \
	synctop_kafka_lag synctop_kafka_partition_lag synctop_search_missing_docs synctop_cache_evicted_keys_total; do
	like " ${checked#ok } " " $m " "the dashboard shows $m"
done

done_testing
