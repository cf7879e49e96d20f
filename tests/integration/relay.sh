#!/usr/bin/env bash
# relay.sh: contrib/synctop-relay, the reference outbox relay, against a real PostgreSQL and the
# Kafka mock: exactly once in normal running, at least once across a SIGKILL (no row lost), the
# pause flag honoured within a batch, delivery failures recorded and retried, a clean SIGTERM,
# usage errors, and no password in what it prints.
# needs: postgres kafka
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

RELAY=${SYNCTOP_RELAY:-$top_builddir/contrib/synctop-relay}
KAFKA_DUMP=$top_builddir/tests/stack/kafka_dump
[[ -x $RELAY ]] || skip_all "$RELAY is not built (a build without Kafka or PostgreSQL?)"
[[ -x $KAFKA_DUMP ]] || skip_all "$KAFKA_DUMP is not built (make check builds it)"
need_pg
need_kafka
run=$$

# ----------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------
# relay ARGS...: the relay in the foreground on the test's database ($SYNCTOP_DB, if set) and the
# stack's mock, with a watchdog; sets R_RC, R_OUT, R_ERR, R_MS.
relay() {
	local t0=${EPOCHREALTIME//[!0-9]/} db=()
	[[ -n ${SYNCTOP_DB:-} ]] && db=(-d "$SYNCTOP_DB")
	timeout -k 5 60 "$RELAY" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" "${db[@]}" "$@" \
		>"$TEST_TMP/relay.out" 2>"$TEST_TMP/relay.err" </dev/null
	R_RC=$?
	R_OUT=$(<"$TEST_TMP/relay.out")
	R_MS=$(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
	R_ERR=$(<"$TEST_TMP/relay.err")
	diag "relay $* -> exit $R_RC in $R_MS ms"
}

# relay_bg LOG ARGS...: the relay in the background, its stderr to LOG; RELAY_PID. Killed at exit
# if still running.
relay_bg() {
	local log=$1 db=()
	shift
	[[ -n ${SYNCTOP_DB:-} ]] && db=(-d "$SYNCTOP_DB")
	"$RELAY" "${db[@]}" "$@" 2>"$log" </dev/null &
	RELAY_PID=$!
	at_exit kill_ours "$RELAY_PID"
}

# (kill_ours and stop_bg, for the relays and traffic generators in the background: lib.sh. A relay
# gets 4 s to stop.)

# wait_for SECONDS SQL WANT-ERE: polls SQL until its answer matches WANT-ERE; false at the deadline.
# shellcheck disable=SC2317 # run by ok
wait_for() {
	local deadline=$(($(now_ms) + $1 * 1000)) got
	while :; do
		got=$(psql_synctop -c "$2" 2>/dev/null)
		[[ $got =~ $3 ]] && return 0
		(($(now_ms) < deadline)) || return 1
		sleep 0.05
	done
}

processed() { psql_synctop -c 'SELECT count(*) FROM outbox WHERE processed'; }
pending() { psql_synctop -c 'SELECT count(*) FROM outbox WHERE NOT processed'; }

# end_total TOPIC: the messages in TOPIC: the sum of its partitions' end offsets.
end_total() {
	ktool watermarks "$1" 2>/dev/null | sed -n 's/.*end_total=//p'
}

# dump TOPIC FILE [BOOTSTRAP]: every message: PARTITION OFFSET KEY OUTBOX_ID EVENT_TYPE VALUE.
dump() {
	"$KAFKA_DUMP" -b "${3:-$SYNCTOP_KAFKA_BOOTSTRAP}" -t 10 "$1" >"$2"
}

# insert N: N outbox rows over 137 aggregates and three event types.
insert() {
	psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload)
		SELECT 'product', 'P-' || lpad((g % 137)::text, 5, '0'),
		       (ARRAY['product.created', 'product.updated', 'product.deleted'])[1 + g % 3],
		       jsonb_build_object('n', g, 'price', round(g * 1.5, 2), 'name', 'item \"' || g || '\"')
		FROM generate_series(1, $1) AS g" >/dev/null || bail_out "inserting $1 outbox rows failed"
}

new_topic() { # NAME PARTITIONS
	kafka_ctl topic "$1" "$2" >/dev/null || bail_out "cannot create topic $1 on the mock"
}

# ----------------------------------------------------------------------
# 1. Exactly once in normal running: 1000 rows, 1000 messages, keyed by aggregate.
# ----------------------------------------------------------------------
fresh_db synctop_relay_exact
load_outbox_schema
T1=relay-exact-$run
new_topic "$T1" 4
insert 1000
relay --topic "$T1" --once
is "$R_RC" 0 "exactly once: --once exits 0 when nothing is left"
diag "drained 1000 rows in $R_MS ms (the whole run, connect and exit included)"
between "$R_MS" 0 10000 "exactly once: 1000 rows drained in under 10 s"
is "$(psql_synctop -c 'SELECT count(*) FILTER (WHERE processed), count(*) FILTER (WHERE attempts <> 0),
	count(*) FILTER (WHERE processed_at IS NULL OR last_error IS NOT NULL) FROM outbox')" "1000|0|0" \
	"exactly once: all 1000 rows processed, attempts 0, processed_at set, no error"
is "$(end_total "$T1")" 1000 "exactly once: the topic holds 1000 messages (sum of the end offsets)"
dump "$T1" "$TEST_TMP/exact.tsv"
is "$(wc -l <"$TEST_TMP/exact.tsv")" 1000 "exactly once: 1000 messages consumed"
is "$(cut -f4 "$TEST_TMP/exact.tsv" | sort -u | wc -l)" 1000 "exactly once: 1000 distinct outbox_id headers"
psql_synctop -F $'\t' -c 'SELECT id, aggregate_id, event_type, payload::text FROM outbox ORDER BY id' \
	>"$TEST_TMP/rows.tsv"
awk -F'\t' -v OFS='\t' '{ print $4, $3, $5, $6 }' "$TEST_TMP/exact.tsv" | sort -n >"$TEST_TMP/msgs.tsv"
is "$(diff "$TEST_TMP/rows.tsv" "$TEST_TMP/msgs.tsv" | head -n 6)" "" \
	"exactly once: each message's key is its row's aggregate_id, its event_type header and value (payload) match"
is "$(head -n 3 "$TEST_TMP/exact.tsv" | cut -f3 | grep -c '^P-[0-9]\{5\}$')" 3 \
	"exactly once: keys look like P-00042 (spot check)"
is "$(cut -f1,3 "$TEST_TMP/exact.tsv" | sort -u | cut -f2 | sort | uniq -d | wc -l)" 0 \
	"exactly once: every aggregate's messages are on one partition (keyed)"
like "$R_ERR" 'postgres: connected to host=[^ ]+ port=[0-9]+ dbname=synctop_relay_exact' \
	"exactly once: stderr names host, port and database"
is "$(grep -c 'batch:' <<<"$R_ERR")" 0 "exactly once: no per-batch lines without --verbose"

# Two relays share the table (FOR UPDATE SKIP LOCKED): each row goes out once, by one of them.
fresh_db synctop_relay_shared
load_outbox_schema
T1b=relay-shared-$run
new_topic "$T1b" 4
insert 2000
relay_bg "$TEST_TMP/shared-a.err" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T1b" --batch 20 --once -v
pid_a=$RELAY_PID
relay_bg "$TEST_TMP/shared-b.err" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T1b" --batch 20 --once -v
pid_b=$RELAY_PID
wait "$pid_a"
rc_a=$?
wait "$pid_b"
is "$rc_a $?" "0 0" "two relays: both drain and exit 0"
is "$(processed)" 2000 "two relays: all 2000 rows processed"
is "$(end_total "$T1b")" 2000 "two relays: exactly 2000 messages: no row claimed twice"
published_a=$(sed -n 's/.*stopped: \([0-9]*\) rows published.*/\1/p' "$TEST_TMP/shared-a.err")
published_b=$(sed -n 's/.*stopped: \([0-9]*\) rows published.*/\1/p' "$TEST_TMP/shared-b.err")
diag "two relays: ${published_a:-?} + ${published_b:-?} rows"
is "$((published_a + published_b))" 2000 "two relays: their counts add up to 2000"

# ----------------------------------------------------------------------
# 2. At least once across a crash: SIGKILL after a batch was acknowledged, before its COMMIT.
# ----------------------------------------------------------------------
fresh_db synctop_relay_crash
load_outbox_schema
T2=relay-crash-$run
new_topic "$T2" 4
insert 5000
log=$TEST_TMP/crash.err
relay_bg "$log" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T2" --batch 100 --test-delay-ms 300
pid=$RELAY_PID
# The third batch's reports are in; it waits 300 ms before its COMMIT: kill it there.
for ((i = 0; i < 400; i++)); do
	(($(grep -c 'reports of a batch' "$log" 2>/dev/null) >= 3)) && break
	sleep 0.02
done
{ kill -KILL "$pid" && wait "$pid"; } 2>/dev/null # (no "Killed" notice from bash)
at_kill_rows=$(processed)
at_kill_msgs=$(end_total "$T2")
diag "at the SIGKILL: $at_kill_rows rows processed, $at_kill_msgs messages in the topic"
between "$at_kill_rows" 1 4999 "crash: killed mid-run ($at_kill_rows of 5000 rows processed)"
ok "crash: killed mid-batch: the topic has more messages ($at_kill_msgs) than rows processed" \
	test "${at_kill_msgs:-0}" -gt "$at_kill_rows"
relay --topic "$T2" --batch 100 --once
is "$R_RC" 0 "crash: the restarted relay drains and exits 0"
is "$(psql_synctop -c 'SELECT count(*) FILTER (WHERE processed), count(*) FROM outbox')" "5000|5000" \
	"crash: every row processed after the restart"
msgs=$(end_total "$T2")
dups=$((msgs - 5000))
diag "after the restart: $msgs messages for 5000 rows: $dups duplicates (the batch in flight at the kill)"
ok "crash: messages ($msgs) >= rows (5000): at least once" test "$msgs" -ge 5000
between "$dups" 0 100 "crash: at most the batch in flight (100) was sent twice"
dump "$T2" "$TEST_TMP/crash.tsv"
is "$(wc -l <"$TEST_TMP/crash.tsv")" "$msgs" "crash: every message consumed"
psql_synctop -c 'SELECT id FROM outbox ORDER BY id' >"$TEST_TMP/ids.db"
cut -f4 "$TEST_TMP/crash.tsv" | sort -un >"$TEST_TMP/ids.topic"
is "$(comm -23 "$TEST_TMP/ids.db" "$TEST_TMP/ids.topic" | wc -l)" 0 \
	"crash: no row lost: the outbox_id headers cover all 5000 ids"
is "$(cut -f4 "$TEST_TMP/crash.tsv" | sort | uniq -d | wc -l)" "$dups" \
	"crash: the duplicates are $dups distinct rows sent twice"

# ----------------------------------------------------------------------
# 3. Pause: outbox_worker.paused stops the claims within one batch and one interval.
# ----------------------------------------------------------------------
fresh_db synctop_relay_pause
load_outbox_schema
T3=relay-pause-$run
new_topic "$T3" 3
"$top_srcdir/contrib/traffic.sh" -r 200 -d "$SYNCTOP_DB" >"$TEST_TMP/traffic.log" 2>&1 &
traffic=$!
at_exit kill_ours "$traffic"
log=$TEST_TMP/pause.err
relay_bg "$log" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --topic "$T3" --batch 50 --interval 200ms
pid=$RELAY_PID
ok "pause: the relay publishes the steady stream (100 rows processed)" \
	wait_for 10 'SELECT count(*) >= 100 FROM outbox WHERE processed' '^t$'
psql_synctop -c "UPDATE outbox_worker SET paused = true, paused_at = now(), updated_at = now()
	WHERE name = 'relay'" >/dev/null
at_pause=$(processed)
sleep 0.5 # settle: one batch (a few ms) and one interval (200 ms)
c1=$(processed)
p1=$(pending)
sleep 1
c2=$(processed)
p2=$(pending)
diag "pause: processed $at_pause at the UPDATE, $c1 after 0.5 s, $c2 1 s later; pending $p1 -> $p2"
is "$c2" "$c1" "pause: nothing more processed over 1 s after the settle time"
between "$((c1 - at_pause))" 0 50 "pause: at most the batch in flight (50) completed after the pause"
ok "pause: the backlog grows meanwhile ($p1 -> $p2)" test "$p2" -gt "$p1"
like "$(<"$log")" "paused \(outbox_worker 'relay'\)" "pause: the relay says it is paused"
psql_synctop -c "UPDATE outbox_worker SET paused = false, paused_at = NULL, updated_at = now()
	WHERE name = 'relay'" >/dev/null
t0=$(now_ms)
ok "resume: rows get processed again" wait_for 5 "SELECT count(*) > $c2 FROM outbox WHERE processed" '^t$'
diag "resume: processing again after $(($(now_ms) - t0)) ms"
stop_bg "$traffic" 4
t0=$(now_ms)
ok "resume: the backlog drains (0 pending)" wait_for 10 'SELECT count(*) FROM outbox WHERE NOT processed' '^0$'
diag "resume: $(processed) rows processed; drained $(($(now_ms) - t0)) ms after the traffic stopped"
like "$(<"$log")" "resumed \(outbox_worker 'relay'\)" "resume: the relay says it resumed"
stop_bg "$pid" 4
is "$STOP_RC" 0 "pause: SIGTERM: exit 0"
is "$(end_total "$T3")" "$(processed)" "pause: one message per processed row"

# ----------------------------------------------------------------------
# 4. Delivery failures: a private mock whose brokers go down (the stack's mock is shared).
# ----------------------------------------------------------------------
kafka_saved=("${SYNCTOP_KAFKA_BOOTSTRAP:-}" "${SYNCTOP_KAFKA_CTL:-}" "${SYNCTOP_KAFKA_PID:-}" "${SYNCTOP_KAFKA_LOG:-}")
at_exit kafka_down "$TEST_TMP/kafka2"
SYNCTOP_KAFKA_TOPICS=shop.products:3 kafka_up "$TEST_TMP/kafka2" >&2 || bail_out "cannot start a second Kafka mock"
B2=$SYNCTOP_KAFKA_BOOTSTRAP CTL2=$SYNCTOP_KAFKA_CTL
export SYNCTOP_KAFKA_BOOTSTRAP=${kafka_saved[0]} SYNCTOP_KAFKA_CTL=${kafka_saved[1]} \
	SYNCTOP_KAFKA_PID=${kafka_saved[2]} SYNCTOP_KAFKA_LOG=${kafka_saved[3]}
ctl2() { SYNCTOP_KAFKA_CTL=$CTL2 kafka_ctl "$@"; }

fresh_db synctop_relay_fail
load_outbox_schema
insert 200
is "$(ctl2 down -1)" ok "failures: every broker of the private mock goes down"

# SIGTERM while a batch waits for acknowledgements that cannot come: rolled back, exit 0.
log=$TEST_TMP/term.err
relay_bg "$log" --brokers "$B2" --batch 100
pid=$RELAY_PID
sleep 1
stop_bg "$pid" 4
is "$STOP_RC" 0 "SIGTERM mid-batch (brokers down): exit 0"
diag "SIGTERM mid-batch: gone $STOP_MS ms after the signal"
between "$STOP_MS" 1500 4000 "SIGTERM mid-batch: gone after the 2 s grace for the acknowledgements"
is "$(psql_synctop -c 'SELECT count(*) FILTER (WHERE NOT processed AND attempts = 0 AND last_error IS NULL)
	FROM outbox')" 200 "SIGTERM mid-batch: the unacknowledged batch rolled back: 200 rows pending, attempts 0"
like "$(<"$log")" 'rolled back, they stay pending' "SIGTERM mid-batch: the relay says it rolled back"

# Message timeout 2 s: the attempts fail, are counted, and carry librdkafka's error.
log=$TEST_TMP/fail.err
relay_bg "$log" --brokers "$B2" --batch 100 -X message.timeout.ms=2000
pid=$RELAY_PID
ok "brokers down: failed attempts recorded (100 rows with attempts >= 1)" \
	wait_for 10 'SELECT count(*) FILTER (WHERE attempts >= 1) >= 100 FROM outbox' '^t$'
is "$(processed)" 0 "brokers down: no row processed"
is "$(psql_synctop -c "SELECT count(*) FROM outbox WHERE attempts >= 1
	AND last_error = 'Local: Message timed out'")" \
	"$(psql_synctop -c 'SELECT count(*) FROM outbox WHERE attempts >= 1')" \
	"brokers down: every failed row has last_error 'Local: Message timed out' (librdkafka's)"
between "$(psql_synctop -c 'SELECT max(attempts) FROM outbox')" 1 2 \
	"brokers down: backoff: at most 2 attempts in the first seconds"
is "$(ctl2 up -1)" ok "failures: the brokers come back"
t0=$(now_ms)
ok "brokers back: the outbox drains" wait_for 20 'SELECT count(*) FROM outbox WHERE NOT processed' '^0$'
diag "brokers back: 200 rows drained $(($(now_ms) - t0)) ms after the brokers came up"
stop_bg "$pid" 4
is "$STOP_RC" 0 "failures: SIGTERM when idle: exit 0"
between "$STOP_MS" 0 1500 "failures: SIGTERM when idle: gone at once ($STOP_MS ms)"
msgs=$(SYNCTOP_KAFKA_BOOTSTRAP=$B2 end_total shop.products)
diag "failures: $msgs messages for 200 rows"
ok "failures: every row published ($msgs messages >= 200)" test "${msgs:-0}" -ge 200
errs=$(grep -c 'kafka: ' "$log")
diag "the relay's kafka lines:"$'\n'"$(grep 'kafka: ' "$log")"
between "$errs" 1 4 "failures: Kafka trouble logged once per change of state ($errs lines), not per retry"
like "$(<"$log")" 'kafka: delivering to topic shop.products' "failures: the recovery is logged"

# ----------------------------------------------------------------------
# 5. Usage errors and secrets.
# ----------------------------------------------------------------------
bad_flag() { # FLAG-ERE ARGS...
	local want=$1
	shift
	relay "$@"
	is "$R_RC" 2 "usage: $* exits 2"
	ok "usage: $*: one line naming $want" test "$(count_lines "$R_ERR")" = 1 -a -n "$(grep -E -- "$want" <<<"$R_ERR")"
}
bad_flag '^synctop-relay: --batch: ' --batch 0
bad_flag '^synctop-relay: --batch: ' --batch many
bad_flag '^synctop-relay: --max-attempts: ' --max-attempts -1
bad_flag '^synctop-relay: --interval: ' --interval soon
bad_flag '^synctop-relay: --fail-percent: ' --fail-percent 101
bad_flag '^synctop-relay: --nope: unknown option' --nope
bad_flag '^synctop-relay: --once=1: --once takes no value' --once=1
bad_flag '^synctop-relay: --topic: expected a value' --topic
bad_flag '^synctop-relay: -X no.such.property: ' -X no.such.property=1
bad_flag '^synctop-relay: --conninfo: ' --conninfo 'host=x password=secret junk'
unlike "$R_ERR" secret "usage: a malformed --conninfo with a password: the password is not printed"
relay --help
is "$R_RC" 0 "--help exits 0"
like "$R_OUT" '--max-attempts' "--help lists the options on stdout"

unset SYNCTOP_DB # the conninfo alone says where to go
port=$(pg__pick_port) || bail_out "no free port"
ci="host=127.0.0.1 port=$port dbname=nowhere user=postgres password=secret"
relay --once --conninfo "$ci" --topic "$T1"
is "$R_RC" 1 "unreachable PostgreSQL, --once: exit 1"
like "$R_ERR" "postgres: host=127.0.0.1 port=$port dbname=nowhere: cannot connect" \
	"unreachable PostgreSQL: the error names host, port and database"
unlike "$R_ERR" secret "unreachable PostgreSQL: the password is not printed"
relay --once --conninfo "postgresql://postgres:secret@127.0.0.1:$port/nowhere?password=secret" --topic "$T1"
is "$R_RC" 1 "unreachable PostgreSQL, a URI with a password: exit 1"
unlike "$R_ERR" secret "unreachable PostgreSQL, a URI: the password is not printed"

for v in '' -vv; do
	log=$TEST_TMP/unreachable$v.err
	# shellcheck disable=SC2086 # $v: no flag or one
	relay_bg "$log" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --conninfo "$ci" $v
	sleep 1.5
	stop_bg "$RELAY_PID" 4
	is "$STOP_RC" 0 "unreachable PostgreSQL${v:+ ($v)}: SIGTERM while retrying: exit 0"
	n=$(grep -c 'cannot connect' "$log")
	if [[ -z $v ]]; then
		is "$n" 1 "unreachable PostgreSQL: the failure is logged once, not per retry"
	else
		between "$n" 3 8 "unreachable PostgreSQL, -vv: every retry logged ($n in 1.5 s): backoff, no spin"
	fi
	unlike "$(<"$log")" secret "unreachable PostgreSQL${v:+ ($v)}: the password is not printed"
done

done_testing
