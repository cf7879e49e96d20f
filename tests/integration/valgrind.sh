#!/usr/bin/env bash
# valgrind.sh: valgrind memcheck of `synctop --once` against the whole stack (PostgreSQL
# outbox and slot, the Kafka mock, Redis with a key sample, the search and Connect
# stand-ins), every stage read, text, JSON and nagios (with --warn/--crit), and with every
# backend down: no memory error, no leak, and no block left at exit at all (still reachable
# counts too) but what tests/valgrind.supp names: libraries' process-lifetime allocations,
# each commented.
# Skipped without valgrind, for a sanitizer build, and for a build without a backend.
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd valgrind jq curl
if grep -qa __asan_init "$SYNCTOP"; then
	skip_all "synctop is built with sanitizers (--enable-sanitizers): valgrind cannot run it"
fi
for b in POSTGRES KAFKA REDIS SEARCH; do
	grep -q "^#define HAVE_$b 1" "$top_builddir/autoconfig.h" ||
		skip_all "synctop is built without a backend ($b): the full stack is the point"
done

need_pg
need_kafka
need_redis
need_search
need_connect

slot=synctop_valgrind_slot
drop_slot() {
	psql_admin -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
	               WHERE slot_name = '$slot'" >/dev/null
}
drop_slot || bail_out "cannot drop a leftover slot $slot"
fresh_db synctop_valgrind
at_exit drop_slot
psql_synctop -c "SELECT pg_create_logical_replication_slot('$slot', 'test_decoding')" >/dev/null ||
	bail_out "cannot create slot $slot"
load_outbox_schema
psql_synctop <<'SQL' >/dev/null || bail_out "the fixture rows failed"
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload)
SELECT 'product', g::text, 'updated', '{}' FROM generate_series(1, 20) g;
CREATE TABLE products (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL);
INSERT INTO products SELECT g, '2026-11-22 10:00:00+00' FROM generate_series(1, 10) g;
SQL

run=${EPOCHREALTIME//[!0-9]/}
topic=valgrind-$run
kafka_ctl topic "$topic" 2 >/dev/null || bail_out "cannot create topic $topic"
{ ktool produce "$topic" 0 40 && ktool produce "$topic" 1 20 && ktool commit indexer "$topic" 0 30 1 20; } ||
	bail_out "the Kafka fixture failed"

index=valgrind-$run
scurl "/$index" -XPUT -d '{"settings":{"index":{"refresh_interval":"1s"}}}' >/dev/null ||
	bail_out "cannot create index $index"
for i in 1 2 3; do
	scurl "/$index/_doc/$i?refresh=true" -XPUT -d '{"updated_at":"2026-11-22T10:00:00.000Z"}' >/dev/null
done
for i in 1 2 3 4 5; do
	rcli SET "session:$i" x EX 600 >/dev/null
done

conf=$TEST_TMP/synctop.conf
MKCONF_TIMEOUT=10s mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' \
	'slot = shop' "slot.names = $slot" \
	'kafka = main' 'kafka.group = indexer' "kafka.topics = $topic" \
	'connector = workers' 'connector.name = products-sink' \
	'search = es' "search.index = $index" 'search.source_count = SELECT count(*) FROM products' \
	'search.freshness_field = updated_at' 'search.source_freshness = SELECT max(updated_at) FROM products' \
	'cache = sessions' 'cache.key_prefix = session:'
cat >>"$conf" <<EOF

[kafka main]
brokers = $SYNCTOP_KAFKA_BOOTSTRAP

[redis sessions]
url = $SYNCTOP_REDIS_URL

[search es]
url = $SYNCTOP_SEARCH_URL

[connect workers]
url = $SYNCTOP_CONNECT_URL
EOF

# vg NAME ARGS...: synctop ARGS under memcheck (a wrapper script stands in for $SYNCTOP);
# its report in $TEST_TMP/NAME.vg.
vg() {
	local name=$1
	shift
	SYNCTOP_REAL=$SYNCTOP
	SYNCTOP=$TEST_TMP/vg-$name.sh
	cat >"$SYNCTOP" <<EOF
#!/bin/sh
exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \\
	--show-leak-kinds=all --errors-for-leak-kinds=all \\
	--num-callers=40 --gen-suppressions=all --suppressions="$top_srcdir/tests/valgrind.supp" \\
	--log-file="$TEST_TMP/$name.vg" "$SYNCTOP_REAL" "\$@"
EOF
	chmod +x "$SYNCTOP"
	RUN_TIMEOUT=300 run_synctop "$@"
	SYNCTOP=$SYNCTOP_REAL
}

# check_vg NAME DESC: the run was clean.
check_vg() {
	local log=$TEST_TMP/$1.vg
	diag "$(grep -E 'in use at exit|definitely lost|indirectly lost|possibly lost|still reachable|suppressed:|ERROR SUMMARY' "$log")"
	like "$(grep -c . "$log" 2>/dev/null)" '^[1-9]' "$2: valgrind wrote its report"
	is "$(sed -n 's/^==[0-9]*== ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log")" 0 "$2: no memory error, no leak" ||
		diag "$(grep -v '^==[0-9]*== *$' "$log" | head -n 150)"
	is "$(sed -n 's/^==[0-9]*==  *definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log")" 0 "$2: definitely lost: 0 bytes"
	isnt "$RUN_RC" 99 "$2: not valgrind's error exit (99)"
}

vg json --once --format json --once-window 1s --sample -c "$conf"
like "$RUN_RC" '^[0-2]$' "json: exit 0-2 (every stage read)"
for k in outbox slot kafka connector search cache; do
	isnt "$(jqr "$(stage "$k") | .status")" unknown "json: $k not unknown" || diag "$(jqr "$(stage "$k") | .error")"
done
json_is "$(stage cache).key_sample.sampled" 5 "json: the key sample saw the 5 session keys"
check_vg json "json, every stage, --sample"

vg text --once --format text --once-window 0 -c "$conf"
like "$RUN_RC" '^[0-2]$' "text: exit 0-2"
like "$RUN_OUT" 'products +outbox' "text: the outbox stage is shown"
check_vg text "text"

vg nagios --once --format nagios --once-window 0 --warn outbox.pending=@0:5 --crit products/kafka.lag=10: \
	-c "$conf"
like "$RUN_RC" '^[0-2]$' "nagios: exit 0-2"
like "$RUN_OUT" '^SYNCTOP (OK|WARNING|CRITICAL) - .* \| products/outbox/pending=[0-9]+;@5;9999;0;'$'\n' \
	"nagios: the status line, the override in the perfdata"
check_vg nagios "nagios, with --warn and --crit"

# The actions: preview, apply, read-back and audit, through the write executor.
sed -i "s|^\[synctop\]\$|[synctop]\naudit_log = $TEST_TMP/audit.log|" "$conf"
vg replay action replay products --scope ids:1-5 --yes -c "$conf"
is "$RUN_RC" 0 "action replay: exit 0 (confirmed)"
check_vg replay "action replay"
vg refresh action refresh products --yes --format json -c "$conf"
is "$RUN_RC:$(jqr .result)" "0:confirmed" "action refresh: confirmed"
check_vg refresh "action refresh"
vg pause action pause products --stage connector --yes -c "$conf"
is "$RUN_RC" 0 "action pause (connector): exit 0"
check_vg pause "action pause"
vg resume action resume products --stage connector --yes -c "$conf"
is "$RUN_RC" 0 "action resume (connector): exit 0"
check_vg resume "action resume"
vg dry action replay products --scope ids:1-5 --dry-run -c "$conf"
is "$RUN_RC" 0 "action replay --dry-run: exit 0"
check_vg dry "action replay --dry-run"
is "$(jq -r .result "$TEST_TMP/audit.log" | tr '\n' ' ')" "confirmed confirmed confirmed confirmed " \
	"the audit log: the four actions, confirmed"

# The error paths too: every backend refuses the connection.
bad=$TEST_TMP/bad.conf
sed -e "s|^brokers = .*|brokers = 127.0.0.1:1|" -e "s|^url = redis://.*|url = redis://127.0.0.1:1/0|" \
	-e "s|^url = http://.*|url = http://127.0.0.1:1|" -e "s|port=[0-9]*|port=1|" \
	-e 's|^timeout = .*|timeout = 2s|' "$conf" >"$bad"
vg down --once --format json --once-window 0 -c "$bad"
is "$RUN_RC" 3 "every backend down: exit 3 (unknown)"
check_vg down "every backend down"

done_testing
