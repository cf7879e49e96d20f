#!/usr/bin/env bash
# format_prometheus.sh: --once --format prometheus on the local stack, healthy, warn, crit and
# unknown (exact exit codes and figures), checked by promtool; label values escaped (a table and
# a group with quotes and a backslash); --output FILE written whole, or not at all.
# needs: postgres kafka redis
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd promtool
need_pg
need_redis
need_kafka
fresh_db synctop_prom
load_outbox_schema

run=${EPOCHREALTIME//[!0-9]/}
T=orders-$run # 2 partitions: 5 and 3 messages, all committed
G='idx"er\1'  # a consumer group whose name needs escaping
kafka_ctl topic "$T" 2 >/dev/null || bail_out "cannot create topic $T on the mock"
{ ktool produce "$T" 0 5 && ktool produce "$T" 1 3 && ktool commit "$G" "$T" 0 5 1 3; } >/dev/null ||
	bail_out "producing or committing the fixture failed"

# The outbox table's name needs escaping too: odd"bo\x, a quote and a backslash in it.
TBL='"odd""bo\x"'
psql_synctop -c "CREATE TABLE $TBL (LIKE public.outbox INCLUDING ALL)" >/dev/null ||
	bail_out "cannot create the table $TBL"

conf=$TEST_TMP/synctop.conf
mkconf "$conf" 'outbox = shop' 'outbox.table = odd"bo\x' 'outbox.failed_crit = 3'
{
	printf '\n[redis sessions]\nurl = %s\n' "$SYNCTOP_REDIS_URL"
	printf '\n[kafka main]\nbrokers = %s\n' "$SYNCTOP_KAFKA_BOOTSTRAP"
	printf '\n[pipeline web]\ncache = sessions\n'
	printf '\n[pipeline orders]\nkafka = main\nkafka.group = %s\nkafka.topics = %s\n' "$G" "$T"
} >>"$conf"

OB='pipeline="products",stage="outbox",table="odd\"bo\\x"'
KF='pipeline="orders",stage="kafka",group="idx\"er\\1"'

# value SERIES: the value of the one sample SERIES (its name and labels exactly) in RUN_OUT.
value() {
	S=$1 awk 'BEGIN { s = ENVIRON["S"] } index($0, s " ") == 1 { print substr($0, length(s) + 2); n++ } END { if (n != 1) print "<" n + 0 " samples>" }' <<<"$RUN_OUT"
}
# promtool_ok DESC: promtool check metrics finds nothing to say about RUN_OUT.
promtool_ok() {
	local said
	said=$(promtool check metrics <<<"$RUN_OUT" 2>&1)
	is "$?:$said" "0:" "$1: promtool check metrics is clean"
}
# grouped DESC: every family's samples follow its HELP and TYPE, each family once.
grouped() {
	is "$(awk '
		/^# HELP / { if (seen[$3]++) bad = bad " " $3; fam = $3; next }
		/^# TYPE / { if ($3 != fam) bad = bad " " $3; next }
		{ name = $0; sub(/[{ ].*/, "", name); if (name != fam) bad = bad " " name }
		END { print bad == "" ? "grouped" : "stray:" bad }' <<<"$RUN_OUT")" grouped \
		"$1: each family's samples together under its HELP and TYPE"
}

# --- healthy ---
# The backends built in: this suite's builds have them all, but libmongoc may be left out.
MONGODB=
"$SYNCTOP" --version | grep -q '^mongodb: libmongoc' && MONGODB=,mongodb
run_once -c "$conf" --format prometheus
is "$RUN_RC" 0 "healthy: exit 0"
is "$RUN_ERR" "" "healthy: nothing on stderr"
promtool_ok healthy
grouped healthy
is "$(head -3 <<<"$RUN_OUT")" "# HELP synctop_info synctop's version and the backends built in
# TYPE synctop_info gauge
synctop_info{version=\"0.1.0\",backends=\"postgres,kafka,redis,search,connect,http$MONGODB\"} 1" \
	"healthy: synctop_info first, with the version and the backends"
for p in products web orders; do
	is "$(value "synctop_pipeline_status{pipeline=\"$p\"}")" 0 "healthy: pipeline $p status 0"
done
is "$(grep -c '^synctop_stage_up{.*} 1$' <<<"$RUN_OUT")" 3 "healthy: synctop_stage_up 1 for the 3 stages"
is "$(value 'synctop_stage_status{pipeline="web",stage="cache",kind="cache"}')" 0 "healthy: the cache stage's status 0"
is "$(value "synctop_outbox_pending{$OB}")" 0 "healthy: synctop_outbox_pending 0, the table label escaped"
is "$(value "synctop_outbox_failed{$OB}")" 0 "healthy: synctop_outbox_failed 0"
is "$(value "synctop_kafka_lag{$KF}")" 0 "healthy: synctop_kafka_lag 0, the group label escaped"
is "$(value "synctop_kafka_partitions{$KF}")" 2 "healthy: synctop_kafka_partitions 2"
is "$(value "synctop_kafka_partition_end_offset{$KF,topic=\"$T\",partition=\"0\"}")" 5 \
	"healthy: partition 0's end offset 5 (topic and partition labels)"
is "$(value "synctop_kafka_partition_committed_offset{$KF,topic=\"$T\",partition=\"1\"}")" 3 \
	"healthy: partition 1's committed offset 3"
is "$(value "synctop_kafka_partition_lag{$KF,topic=\"$T\",partition=\"1\"}")" 0 "healthy: partition 1's lag 0"
is "$(value 'synctop_cache_maxmemory_bytes{pipeline="web",stage="cache"}')" "$(rcli config get maxmemory | sed -n 2p)" \
	"healthy: synctop_cache_maxmemory_bytes is Redis's maxmemory"
like "$RUN_OUT" $'\n# TYPE synctop_cache_evicted_keys_total counter\nsynctop_cache_evicted_keys_total\\{pipeline="web",stage="cache"\\} [0-9]+\n' \
	"healthy: evicted_keys is a counter, _total"
is "$(grep -c '^synctop_diagnosis_active{' <<<"$RUN_OUT")" 0 "healthy: no diagnosis active"
is "$(grep -v '^#' <<<"$RUN_OUT" | sed 's/{.*}//' | awk 'NF != 2' | wc -l)" 0 "healthy: no timestamps (a name and a value on each line)"
unlike "$RUN_OUT" 'hunter2' "healthy: no password"

# --- warn: one poisoned row ---
psql_synctop -c "INSERT INTO $TBL (aggregate_type, aggregate_id, event_type, attempts, last_error)
	VALUES ('product', 'P-1', 'product.updated', 5, 'rejected')" >/dev/null || bail_out "insert failed"
run_once -c "$conf" --format prometheus
is "$RUN_RC" 1 "warn: exit 1"
promtool_ok warn
grouped warn
is "$(value "synctop_outbox_failed{$OB}")" 1 "warn: synctop_outbox_failed 1"
is "$(value 'synctop_pipeline_status{pipeline="products"}')" 1 "warn: pipeline products status 1"
is "$(value 'synctop_stage_status{pipeline="products",stage="outbox",kind="outbox"}')" 1 "warn: the outbox stage's status 1"
is "$(grep '^synctop_diagnosis_active{' <<<"$RUN_OUT")" \
	'synctop_diagnosis_active{pipeline="products",stage="outbox",rule="poison-rows",severity="warn"} 1' \
	"warn: synctop_diagnosis_active: poison-rows, warn"
like "$(grep '^synctop_diagnosis_since_timestamp_seconds{' <<<"$RUN_OUT")" \
	'^synctop_diagnosis_since_timestamp_seconds\{pipeline="products",stage="outbox",rule="poison-rows",severity="warn"\} 1[0-9]{9}(\.[0-9]+)?$' \
	"warn: the diagnosis's since, a Unix time"

# --- crit: three poisoned rows (outbox.failed_crit = 3) ---
psql_synctop -c "INSERT INTO $TBL (aggregate_type, aggregate_id, event_type, attempts, last_error)
	SELECT 'product', 'P-' || g, 'product.updated', 5, 'rejected' FROM generate_series(2, 3) g" >/dev/null ||
	bail_out "insert failed"
run_once -c "$conf" --format prometheus
is "$RUN_RC" 2 "crit: exit 2"
promtool_ok crit
grouped crit
is "$(value "synctop_outbox_failed{$OB}")" 3 "crit: synctop_outbox_failed 3"
is "$(value 'synctop_pipeline_status{pipeline="products"}')" 2 "crit: pipeline products status 2"
is "$(value 'synctop_pipeline_status{pipeline="web"}')" 0 "crit: pipeline web still 0"
is "$(grep '^synctop_diagnosis_active{' <<<"$RUN_OUT")" \
	'synctop_diagnosis_active{pipeline="products",stage="outbox",rule="poison-rows",severity="crit"} 1' \
	"crit: synctop_diagnosis_active: poison-rows, crit"

# --- unknown: a stage that cannot be read ---
dead=$TEST_TMP/dead.conf
MKCONF_REDIS_URL=redis://127.0.0.1:1/0 MKCONF_TIMEOUT=1s mkconf_redis "$dead"
run_once -c "$dead" --format prometheus --once-window 0
is "$RUN_RC" 3 "unknown: exit 3"
promtool_ok unknown
is "$(value 'synctop_stage_up{pipeline="web",stage="cache",kind="cache"}')" 0 "unknown: synctop_stage_up 0"
is "$(value 'synctop_stage_status{pipeline="web",stage="cache",kind="cache"}')" 3 "unknown: synctop_stage_status 3"
is "$(value 'synctop_pipeline_status{pipeline="web"}')" 3 "unknown: pipeline status 3"
is "$(grep -c '^synctop_cache_' <<<"$RUN_OUT")" 0 "unknown: no synctop_cache_* sample (nothing was read)"

# --- --output FILE ---
# files DIR: the names in DIR, sorted, each followed by a space.
files() {
	find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' '
}
dir=$TEST_TMP/textfile
mkdir -p "$dir"
(
	umask 022
	run_once -c "$conf" --format prometheus --output "$dir/synctop.prom"
	printf '%s\n' "$RUN_RC" >"$TEST_TMP/rc"
)
is "$(<"$TEST_TMP/rc")" 2 "--output: the exit code is the snapshot's (crit: 2)"
is "$(files "$dir")" "synctop.prom " "--output: the file and nothing else (no temp file)"
is "$(stat -c %a "$dir/synctop.prom")" 644 "--output: mode 0644 under umask 022 (a collector reads it)"
RUN_OUT=$(<"$dir/synctop.prom")
promtool_ok "--output's file"
is "$(value 'synctop_pipeline_status{pipeline="products"}')" 2 "--output: the file holds the snapshot"
run_once -c "$conf" --format json --output "$dir/snap.json" --once-window 0
is "$RUN_RC:$RUN_OUT" "2:" "--output with json: exit 2, nothing on stdout"
is "$(jq -r .status "$dir/snap.json")" crit "--output with json: the file is the JSON snapshot"

# A reader never sees half a file: while synctop rewrites it, every read is whole (it ends
# with the last family, the cache's text metrics).
for _ in 1 2 3 4 5; do
	"$SYNCTOP" -c "$conf" --once --format prometheus --once-window 0 --output "$dir/synctop.prom" 2>/dev/null
done &
writer=$!
reads=0 partial=0
while kill -0 "$writer" 2>/dev/null; do
	body=$(cat "$dir/synctop.prom")
	reads=$((reads + 1))
	[[ $(tail -n 1 <<<"$body") == synctop_cache_info\{* && $body == '# HELP synctop_info '* ]] || partial=$((partial + 1))
done
wait "$writer"
diag "read the file $reads times while it was rewritten"
is "$partial" 0 "--output: no read of the file while it is rewritten sees a part of it"
is "$(files "$dir")" "snap.json synctop.prom " "--output: no temp file left by the rewrites"

# Failures: exit 3, one line naming the file, no temp file, the old file untouched.
run_once -c "$conf" --format prometheus --output /sys/synctop.prom --once-window 0
is "$RUN_RC" 3 "--output in a read-only directory (/sys): exit 3"
like "$RUN_ERR" '^synctop: --output /sys/synctop\.prom: cannot write it: (Permission denied|Read-only file system|Operation not permitted)$' \
	"--output in a read-only directory: one line naming the file and why"
is "$RUN_OUT" "" "--output in a read-only directory: nothing on stdout"
run_once -c "$conf" --format prometheus --output "$TEST_TMP/nowhere/synctop.prom" --once-window 0
is "$RUN_RC:$RUN_ERR" "3:synctop: --output $TEST_TMP/nowhere/synctop.prom: cannot write it: No such file or directory" \
	"--output into a missing directory: exit 3, the file and why"
mkdir "$dir/taken.prom"
before=$(files "$dir")
run_once -c "$conf" --format prometheus --output "$dir/taken.prom" --once-window 0
is "$RUN_RC:$RUN_ERR" "3:synctop: --output $dir/taken.prom: cannot write it: Is a directory" \
	"--output onto a directory (the rename fails after the write): exit 3, the file and why"
is "$(files "$dir")" "$before" "--output onto a directory: its temp file is removed"
is "$(files "$dir/taken.prom")" "" "--output onto a directory: the directory untouched"
run_synctop -c "$conf" --once --output ''
is "$RUN_RC:$RUN_ERR" "3:synctop: --output: empty file name" "--output '': a usage error"

done_testing
