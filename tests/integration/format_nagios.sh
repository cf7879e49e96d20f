#!/usr/bin/env bash
# format_nagios.sh: --once --format nagios against a real PostgreSQL and Redis: exit codes 0/1/2/3
# for healthy, warn, crit and unreadable states and a usage error, the output parsed against the
# monitoring-plugin guideline (status line, long output, perfdata grammar, UOMs, thresholds as
# ranges), exact perfdata values, and --warn/--crit overrides.
# needs: postgres redis
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/nagios_lib.sh
. "$(dirname "$0")/nagios_lib.sh"

need_pg
need_redis
fresh_db synctop_nagios
load_outbox_schema
psql_synctop -c 'CREATE TABLE orders_outbox (LIKE outbox INCLUDING ALL)' ||
	bail_out "creating orders_outbox failed"
rcli CONFIG SET maxmemory 100mb >/dev/null || bail_out "redis: CONFIG SET maxmemory failed"
rcli CONFIG SET maxmemory-policy allkeys-lru >/dev/null || bail_out "redis: CONFIG SET policy failed"

conf=$TEST_TMP/synctop.conf
# write_conf [EXTRA-PIPELINE-TEXT]: products (outbox with low levels, and the cache) and orders
# (outbox, default levels); EXTRA is appended (another connection and pipeline).
write_conf() {
	_conf_start "$conf"
	cat >>"$conf" <<EOF
[postgres shop]
conninfo = $(conninfo)

[redis sessions]
url = $SYNCTOP_REDIS_URL

[pipeline products]
outbox = shop
outbox.table = public.outbox
outbox.pending_warn = 5
outbox.pending_crit = 10
cache = sessions

[pipeline orders]
outbox = shop
outbox.table = public.orders_outbox
${1:-}
EOF
}


# nagios ARGS...: runs synctop --once --format nagios ARGS, then the guideline's check; PERF
# holds the parsed perfdata (nagios_lib.sh) and CHECK_RC its verdict.
nagios() {
	run_once -c "$conf" --format nagios --once-window 0 "$@"
	PERF=$(nagios_check "$TEST_TMP/run.out" "$RUN_RC" 2>"$TEST_TMP/check.err")
	CHECK_RC=$?
	[[ $CHECK_RC == 0 ]] || diag "$(<"$TEST_TMP/check.err")"
}
line() { # N: line N of the output
	sed -n "${1}p" <<<"$RUN_OUT"
}

# ----------------------------------------------------------------------
# Healthy: 3 fresh rows pending in products (warn at 5), none in orders.
# ----------------------------------------------------------------------
psql_synctop <<'SQL' || bail_out "loading the outbox rows failed"
INSERT INTO outbox (aggregate_type, aggregate_id, event_type)
SELECT 'product', 'P-' || g, 'product.updated' FROM generate_series(1, 3) AS g;
SQL
write_conf
nagios
is "$RUN_RC" 0 "healthy: exit code 0"
is "$CHECK_RC" 0 "healthy: the output follows the guideline"
is "${RUN_OUT%%|*}" "SYNCTOP OK - 2 pipelines in sync " "healthy: the status line says how many pipelines are in sync"
like "$(line 1)" "^SYNCTOP OK - 2 pipelines in sync \| products/outbox/pending=3;4;9;0;$" \
	"healthy: the first perfdata item on the status line"
like "$(line 2)" '^products/outbox: OK - 3 pending, oldest [0-9.]+m?s, 0 failed$' "healthy: a line for products/outbox"
like "$(line 3)" '^products/cache: OK - ' "healthy: a line for products/cache"
like "$(line 4)" '^orders/outbox: OK - 0 pending, 0 failed \| products/outbox/oldest_pending_age_s=' \
	"healthy: the last stage line carries the rest of the perfdata after its |"
# 31 items: 9 of each outbox stage, 13 of the cache; 1 on the status line, 1 on the last stage
# line, 29 lines of them after it: 1 + 3 + 29 lines.
is "$(count_lines "$RUN_OUT")" 33 "healthy: the status line, 3 stage lines and 29 perfdata lines"
is "$RUN_ERR" "" "healthy: nothing on stderr"
# Exact values and the thresholds in force: outbox.pending_warn 5 ("at or above") is the range
# 4 (alerts above 4); failed_warn 1 is 0; the age thresholds are @60: and @300: (seconds).
is "$(perf products/outbox/pending)" "3;4;9;0;" "pending=3, warn 4, crit 9 (pending_warn 5, pending_crit 10), min 0"
is "$(perf orders/outbox/pending)" "0;999;9999;0;" "orders: pending=0 with the default levels 1000/10000"
is "$(perf products/outbox/failed)" "0;0;99;0;" "failed=0, warn 0, crit 99 (failed_warn 1, failed_crit 100)"
like "$(perf products/outbox/oldest_pending_age_s)" '^[0-9]+(\.[0-9]+)?s;@60:;@300:;0;$' \
	"oldest_pending_age_s in s, thresholds @60: and @300: (at or above, exactly)"
is "$(perf products/outbox/drain_per_s)" "U;;;;" "drain_per_s is U with --once-window 0 (no rate yet), no min"
is "$(perf products/cache/maxmemory)" "104857600B;;;0;" "maxmemory=104857600B (100mb)"
like "$(perf products/cache/used_memory)" '^[0-9]+B;;;0;104857600$' "used_memory in B, max = maxmemory"
like "$(perf products/cache/used_ratio)" '^[0-9]+(\.[0-9]+)?%;@80:;@95:;0;100$' \
	"used_ratio in %, thresholds 80 and 95 percent (cache.used_warn 0.8, used_crit 0.95)"
is "$(perf products/cache/evicted_keys)" "0c;;;0;" "evicted_keys is a counter: 0c"
is "$(perf products/cache/evicted_per_s)" "U;@1:;@100:;;" "evicted_per_s: U, thresholds @1: and @100:"
is "$(awk -F'\t' '{print $3}' <<<"$PERF" | sort -u | tr '\n' ' ')" " % B c s " "UOMs used: none, %, B, c, s"
is "$(grep -c '^products/outbox/' <<<"$PERF")" 9 "every numeric metric of the outbox stage has an item (9)"
is "$(grep -c '^orders/outbox/' <<<"$PERF")" 9 "and of the second pipeline's (9)"

# ----------------------------------------------------------------------
# Overrides: --warn/--crit replace the kind's level for the metric.
# ----------------------------------------------------------------------
nagios --warn outbox.pending=@1:5
is "$RUN_RC" 1 "--warn outbox.pending=@1:5: 3 pending is inside: exit code 1"
is "$CHECK_RC" 0 "--warn @1:5: the output follows the guideline"
like "$(line 1)" '^SYNCTOP WARNING - products: threshold \(3 pending, oldest [0-9.]+m?s\) \| ' \
	"--warn @1:5: the headline is the threshold diagnosis with the stage's figures"
like "$(line 2)" '^products/outbox: WARN - 3 pending, oldest [0-9.]+m?s, 0 failed \(threshold\)$' \
	"--warn @1:5: the stage line names the rule"
is "$(perf products/outbox/pending)" "3;@1:5;9;0;" "--warn @1:5: the perfdata shows the override's range"
is "$(perf orders/outbox/pending)" "0;@1:5;9999;0;" "--warn @1:5: on every pipeline with an outbox (0 is outside: ok)"
like "$(line 4)" '^orders/outbox: OK - ' "--warn @1:5: orders (0 pending) stays OK"

nagios --warn outbox.pending=@1:5 --crit products/outbox.pending=2
is "$RUN_RC" 2 "--crit products/outbox.pending=2: 3 is above 2: exit code 2"
is "$CHECK_RC" 0 "--crit: the output follows the guideline"
like "$(line 1)" '^SYNCTOP CRITICAL - products: threshold \(3 pending' "--crit: CRITICAL, the threshold headline"
is "$(perf products/outbox/pending)" "3;@1:5;2;0;" "--crit: products shows both overrides"
is "$(perf orders/outbox/pending)" "0;@1:5;9999;0;" "--crit PIPELINE/: orders keeps its crit level"

nagios --crit outbox.pending=10: --warn outbox.oldest_pending_age_s=~:1h --warn cache.used_memory=1GiB \
	--crit cache.used_ratio=@0:90%
is "$RUN_RC" 2 "--crit outbox.pending=10: (below 10 alerts): exit code 2"
like "$(line 1)" '^SYNCTOP CRITICAL - products: threshold \(3 pending, oldest [0-9.]+m?s\); 1 more pipeline crit \| ' \
	"the other pipeline counted: 1 more pipeline crit"
is "$(perf products/outbox/pending)" "3;4;10:;0;" "range 10: as given"
like "$(perf products/outbox/oldest_pending_age_s)" '^[0-9.]+s;~:3600;@300:;0;$' "a duration range in seconds: ~:1h is ~:3600"
like "$(perf products/cache/used_memory)" '^[0-9]+B;1073741824;;0;104857600$' "a size range in bytes: 1GiB is 1073741824"
like "$(perf products/cache/used_ratio)" '^[0-9.]+%;@80:;@90;0;100$' "a ratio's range in percent: @0:90% is @90"
like "$RUN_OUT" $'\nproducts/cache: CRIT - [^\n]*\\(threshold\\)\n' "used_ratio (a few %) is inside @0:90%: the cache is crit"
like "$RUN_OUT" $'\norders/outbox: CRIT - 0 pending, 0 failed \\(threshold\\)' "orders: 0 pending is below 10: crit"

# ----------------------------------------------------------------------
# Usage errors: exit 3 and one line naming the spec and why.
# ----------------------------------------------------------------------
nagios --warn outbox.nope=1
is "$RUN_RC" 3 "unknown metric: exit code 3"
like "$RUN_ERR" "^synctop: --warn 'outbox.nope=1': outbox has no metric 'nope' \(its numeric metrics: pending, " \
	"unknown metric: named, with the metrics there are"
is "$RUN_OUT" "" "unknown metric: nothing on stdout"
nagios --crit 'store.pending=1'
is "$RUN_RC" 3 "unknown kind: exit code 3"
like "$RUN_ERR" "^synctop: --crit 'store.pending=1': unknown kind 'store' \(kinds: outbox, " "unknown kind: named"
nagios --warn 'outbox.evaluation=1'
is "$RUN_ERR" "synctop: --warn 'outbox.evaluation=1': outbox.evaluation is not numeric (its numeric metrics: pending, oldest_pending_age_s, failed, drain_per_s, inflow_per_s, oldest_failed_age_s, growth_per_s, empty_in_s, paused_for_s)" \
	"a text metric: not numeric"
nagios --warn 'outbox.pending=5:1'
is "$RUN_ERR" "synctop: --warn 'outbox.pending=5:1': bad range '5:1': its start is above its end" "bad range: start above end"
nagios --warn 'outbox.oldest_pending_age_s=@5x'
is "$RUN_ERR" "synctop: --warn 'outbox.oldest_pending_age_s=@5x': bad range '@5x': '5x' is not a number of seconds or a duration such as 5m" \
	"bad range: a duration that is not one"
is "$RUN_RC" 3 "bad range: exit code 3"
nagios --crit 'billing/outbox.pending=1'
is "$RUN_ERR" "synctop: --crit 'billing/outbox.pending=1': no pipeline named 'billing' in the config" "an unknown pipeline"
nagios --warn 'slot.retained_bytes=1GiB'
is "$RUN_ERR" "synctop: --warn 'slot.retained_bytes=1GiB': no pipeline has a slot stage" "a kind no pipeline has"
is "$RUN_RC" 3 "a kind no pipeline has: exit code 3"
# On a terminal --warn/--crit need --once (the screen has no use for them); into a pipe synctop
# prints a snapshot, where they count.
if command -v script >/dev/null; then
	for flag in --warn --crit; do
		cmd=$(printf '%q ' timeout -k 5 "$RUN_TIMEOUT" "$SYNCTOP" -c "$conf" "$flag" outbox.pending=1)
		got=$(script -qec "$cmd" /dev/null </dev/null 2>&1 | tr -d '\r')
		is "${PIPESTATUS[0]}" 3 "$flag without --once on a terminal: exit code 3"
		is "$got" "synctop: $flag goes with --once (the screen has no use for it)" \
			"$flag without --once on a terminal: said"
	done
else
	skip "--warn/--crit on a terminal" "script(1) is not installed"
fi
run_synctop -c "$conf" --format nagios --once-window 0 --warn outbox.pending=@1:5
is "$RUN_RC" 1 "--warn into a pipe without --once: a snapshot, the override in force (exit 1)"
run_once -c "$conf" --format nagioss
is "$RUN_RC" 3 "an unknown format: exit code 3"
is "$RUN_ERR" "synctop: --format: unknown format 'nagioss' (use text, json, markdown, nagios or prometheus)" "an unknown format: the formats listed"

# ----------------------------------------------------------------------
# Unknown: a pipeline whose server refuses the connection; the rest healthy.
# ----------------------------------------------------------------------
port=$(pg__pick_port) || bail_out "no free port"
write_conf "
[postgres gone]
conninfo = host=127.0.0.1 port=$port dbname=synctop user=postgres password=hunter2

[pipeline lost]
outbox = gone"
nagios
is "$RUN_RC" 3 "unreadable stage: exit code 3"
is "$CHECK_RC" 0 "unreadable stage: the output follows the guideline"
like "$(line 1)" '^SYNCTOP UNKNOWN - lost/outbox: .*gone.* \| products/outbox/pending=3;4;9;0;$' \
	"unreadable stage: UNKNOWN, the stage and its connection named"
like "$RUN_OUT" $'\nlost/outbox: UNKNOWN - [^\n]*gone' "unreadable stage: its long output line"
is "$(perf lost/outbox/pending)" "U;999;9999;0;" "unreadable stage: its values are U, the labels stay"
is "$RUN_ERR" "" "unreadable stage: nothing on stderr (the output says it)"
unlike "$RUN_OUT" hunter2 "unreadable stage: the password is not printed"

# ----------------------------------------------------------------------
# Warn, then crit (with the unreadable pipeline still there).
# ----------------------------------------------------------------------
psql_synctop <<'SQL' || bail_out "adding outbox rows failed"
INSERT INTO outbox (aggregate_type, aggregate_id, event_type)
SELECT 'product', 'P-' || g, 'product.updated' FROM generate_series(4, 6) AS g;
SQL
write_conf
nagios
is "$RUN_RC" 1 "6 pending (warn at 5): exit code 1"
is "$CHECK_RC" 0 "warn: the output follows the guideline"
is "$(line 1)" "SYNCTOP WARNING - products/outbox: 6 rows pending (warn at 5) | products/outbox/pending=6;4;9;0;" \
	"warn: the headline is the stage's reason (a level has no diagnosis), the value 6"
like "$(line 2)" '^products/outbox: WARN - 6 pending, oldest [0-9.]+m?s, 0 failed; 6 rows pending \(warn at 5\)$' \
	"warn: the stage line says why"

psql_synctop <<'SQL' || bail_out "adding orders rows failed"
INSERT INTO orders_outbox (aggregate_type, aggregate_id, event_type, created_at)
SELECT 'order', 'O-' || g, 'order.placed', now() - interval '10 minutes' FROM generate_series(1, 2) AS g;
SQL
write_conf "
[postgres gone]
conninfo = host=127.0.0.1 port=$port dbname=synctop user=postgres password=hunter2

[pipeline lost]
outbox = gone"
nagios
is "$RUN_RC" 2 "orders' oldest row 10 minutes old (crit at 5m): exit code 2"
is "$CHECK_RC" 0 "crit: the output follows the guideline"
like "$(line 1)" '^SYNCTOP CRITICAL - orders: outbox-backlog \(2 pending, oldest 10m0[0-9]s\); 2 more pipelines: 1 warn, 1 unknown \| ' \
	"crit: the worst pipeline's headline (rule and figures), the others counted by status"
like "$RUN_OUT" $'\norders/outbox: CRIT - 2 pending, oldest 10m0[0-9]s, 0 failed \\(outbox-backlog\\)' \
	"crit: the stage line names its diagnosis"
is "$(perf orders/outbox/pending)" "2;999;9999;0;" "crit: orders pending=2"
like "$(perf orders/outbox/oldest_pending_age_s)" '^60[0-9](\.[0-9]+)?s;@60:;@300:;0;$' "crit: oldest 600 s and more"

done_testing
