#!/usr/bin/env bash
# scale.sh: many pipelines on one PostgreSQL and one Redis connection. Each pipeline's outbox
# statements go in one round trip (pg_query_batch) and still answer for their own table; the
# pause flag, the same for every pipeline of a database, and Redis INFO are asked once a round
# however many stages read them; two slot stages on one server each see their own slots from the
# one read of the round; one connection per connection name, never one per pipeline.
# needs: postgres redis
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/serve_lib.sh
. "$(dirname "$0")/serve_lib.sh"

need_pg
need_redis
N=12
slots=(synctop_scale_a synctop_scale_b)
drop_slots() {
	psql_admin -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
	               WHERE slot_name IN ('${slots[0]}', '${slots[1]}')" >/dev/null
}
drop_slots || bail_out "cannot drop leftover slots"
fresh_db synctop_scale
at_exit drop_slots
for s in "${slots[@]}"; do
	psql_synctop -c "SELECT pg_create_logical_replication_slot('$s', 'test_decoding')" >/dev/null ||
		bail_out "cannot create slot $s"
done
load_outbox_schema
# outbox_i: i pending rows (one of them failed in outbox_3), and 5 processed.
psql_synctop <<SQL >/dev/null || bail_out "loading the outbox tables failed"
DO \$\$
BEGIN
  FOR i IN 1..$N LOOP
    EXECUTE format('CREATE TABLE outbox_%s (LIKE outbox INCLUDING ALL)', i);
    EXECUTE format('INSERT INTO outbox_%s (aggregate_type, aggregate_id, event_type, processed)'
                   ' SELECT ''p'', g::text, ''u'', g > %s FROM generate_series(1, %s) g', i, i, i + 5);
  END LOOP;
END
\$\$;
UPDATE outbox_3 SET attempts = 5, last_error = 'broker down' WHERE id = (SELECT min(id) FROM outbox_3);
SQL

# conf FILE CONN2_FROM: N pipelines (outbox on outbox_i, cache); from pipeline CONN2_FROM on,
# the outbox is on a second connection name `shop2` to the same database.
conf() {
	local file=$1 from=$2 i
	_conf_start "$file"
	{
		printf '[postgres shop]\nconninfo = %s application_name=synctop_scale\n\n' "$(conninfo)"
		printf '[postgres shop2]\nconninfo = %s application_name=synctop_scale\n\n' "$(conninfo)"
		printf '[redis sessions]\nurl = %s\n' "$SYNCTOP_REDIS_URL"
		for ((i = 1; i <= N; i++)); do
			printf '\n[pipeline p%d]\noutbox = %s\noutbox.table = public.outbox_%d\ncache = sessions\n' \
				"$i" "$( ((i >= from)) && echo shop2 || echo shop)" "$i"
		done
		printf '\n[pipeline sa]\nslot = shop\nslot.names = %s\n' "${slots[0]}"
		printf '\n[pipeline sb]\nslot = shop\nslot.names = %s\n' "${slots[1]}"
	} >>"$file"
}
conf "$TEST_TMP/one.conf" 999
conf "$TEST_TMP/two.conf" 7

info_calls() { rcli INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_info:calls=\([0-9]*\),.*/\1/p'; }

# ----------------------------------------------------------------------
# One round: every pipeline its own figures; INFO asked once.
# ----------------------------------------------------------------------
i0=$(info_calls)
run_once -c "$TEST_TMP/one.conf" --format json --once-window 0
i1=$(info_calls)
like "$RUN_RC" '^[0-3]$' "--once ran"
want=$(for ((i = 1; i <= N; i++)); do echo "p$i $((i == 3 ? 2 : i)) $((i == 3 ? 1 : 0))"; done)
is "$(jqr '.pipelines[] | select(.name | startswith("p")) | .name + " " +
	(.stages[] | select(.kind == "outbox") | "\(.metrics.pending) \(.metrics.failed)")')" "$want" \
	"each of $N pipelines' outbox has its own table's pending and failed counts"
is "$(jqr "$(stage outbox p3).first_poison_rows | map(.id) | join(\",\")")" \
	"$(psql_synctop -c 'SELECT min(id) FROM outbox_3')" \
	"p3's poison row is read after the batch"
is "$(jqr '[.pipelines[].stages[] | select(.kind == "outbox") | .metrics.worker_paused] | unique | tostring')" \
	'[false]' "every outbox has the shared pause flag (false)"
is "$(jqr '[.pipelines[].stages[] | select(.kind == "cache") | .metrics.maxmemory_policy] | length')" "$N" \
	"$N cache stages read"
is "$(jqr '[.pipelines[].stages[] | select(.kind == "cache") | .metrics.used_memory] | unique | length')" 1 \
	"every cache stage read the same INFO"
# the first INFO commandstats counts itself in the second
is "$((i1 - i0 - 1))" 1 "INFO asked once for $N cache stages on one connection, one round"
is "$(jqr "$(stage slot sa).slots | map(.slot_name) | join(\",\")")" "${slots[0]}" "slot stage sa: its slot alone"
is "$(jqr "$(stage slot sb).slots | map(.slot_name) | join(\",\")")" "${slots[1]}" "slot stage sb: its slot alone"

i0=$(info_calls)
run_once -c "$TEST_TMP/one.conf" --format json --once-window 0.2
i1=$(info_calls)
is "$((i1 - i0 - 1))" 2 "two rounds (--once-window 0.2): INFO asked twice"

# The shared pause flag follows the table: every pipeline sees the pause.
psql_synctop -c "UPDATE outbox_worker SET paused = true, paused_at = now() WHERE name = 'relay'"
run_once -c "$TEST_TMP/one.conf" --format json --once-window 0
is "$(jqr '[.pipelines[].stages[] | select(.kind == "outbox") | .metrics.worker_paused] | map(tostring) | join(",")')" \
	"$(printf 'true%.0s,' $(seq "$N") | sed 's/,$//')" "all $N outboxes see the worker paused"
psql_synctop -c "UPDATE outbox_worker SET paused = false, paused_at = NULL WHERE name = 'relay'"

# ----------------------------------------------------------------------
# Connections per backend, live (--serve): one per connection name.
# ----------------------------------------------------------------------
# conns_after_rounds CONF: PG and Redis connections of a live synctop once it polled twice
conns_after_rounds() {
	serve_start "$1" --serve 127.0.0.1:0 --interval 0.2s -c "$TEST_TMP/$1.conf" || return 1
	local i
	for ((i = 0; i < 100; i++)); do
		scrape /metrics
		[[ $SCRAPE_CODE == 200 ]] && (($(grep -c '^synctop_stage_up{.*} 1' "$TEST_TMP/scrape.body") >= 2 * N + 2)) && break
		sleep 0.1
	done
	sleep 0.5 # a few more rounds: a connection per stage or per round would show
	PG_CONNS=$(psql_admin -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'synctop_scale'")
	REDIS_CONNS=$(rcli CLIENT LIST | grep -vc 'cmd=client' || true)
	kill_ours "$SERVE_PID"
}
conns_after_rounds one
is "$PG_CONNS" 1 "PostgreSQL: one connection for $N outbox stages and 2 slot stages on one connection name"
is "$REDIS_CONNS" 1 "Redis: one connection for $N cache stages"
conns_after_rounds two
is "$PG_CONNS" 2 "PostgreSQL: two connection names to one database, two connections"

done_testing
