#!/usr/bin/env bash
# kafka.sh: the kafka stage against the librdkafka mock cluster: exact per-partition lag,
# partitions without a commit, the verdicts over a window (STALL, IDLE, REWIND, WARN, OK),
# thresholds, brokers going down and coming back, a wrong bootstrap, and a SASL password that
# never shows.
#
# Every run gets topics of its own (created through the mock's control channel), so the exact
# figures hold on the shared stack too, however often the suite ran against it.
# needs: kafka
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_kafka

conf=$TEST_TMP/synctop.conf
S=$(stage kafka orders)
D=$(diagnoses orders)
run=${EPOCHREALTIME//[!0-9]/}
O=orders-$run # the fixture: 4 partitions
I=idle-$run   # 2 partitions, fully consumed
R=rewind-$run # 2 partitions, for the group that goes back
M=moving-$run # 1 partition, for WARN and OK

# Whatever happens below, the brokers of a shared mock end up running.
at_exit _kafka_all_up
# shellcheck disable=SC2317 # run by at_exit
_kafka_all_up() {
	local b
	for b in 1 2 3; do kafka_ctl up "$b" >/dev/null 2>&1; done
	return 0
}

for t in "$O 4" "$I 2" "$R 2" "$M 1"; do
	# shellcheck disable=SC2086 # NAME PARTITIONS
	kafka_ctl topic $t >/dev/null || bail_out "cannot create topic ${t% *} on the mock"
done

# produce 100/50/30/0 to orders 0..3; group indexer commits 60/50/10 on 0..2, nothing on 3.
if ! { ktool produce "$O" 0 100 && ktool produce "$O" 1 50 && ktool produce "$O" 2 30; }; then
	bail_out "producing the fixture failed"
fi
ktool commit indexer "$O" 0 60 1 50 2 10 || bail_out "committing the fixture failed"
is "$(ktool end "$O" 0) $(ktool end "$O" 1) $(ktool end "$O" 2) $(ktool end "$O" 3)" "100 50 30 0" \
	"fixture: end offsets 100/50/30/0"
is "$(ktool committed indexer "$O" 0) $(ktool committed indexer "$O" 1) $(ktool committed indexer "$O" 2) $(ktool committed indexer "$O" 3)" \
	"60 50 10 none" "fixture: group indexer committed 60/50/10 and nothing on partition 3"

kconf() { # the pipeline `orders`: group $1 on topics $2, then more lines
	local group=$1 topics=$2
	shift 2
	mkconf_kafka "$conf" 'kafka = main' "kafka.group = $group" "kafka.topics = $topics" "$@"
}
# PART N FIELD: a field of partition N of the fixture topic in partition_lags.
part() {
	jqr "$S.metrics.partition_lags[] | select(.topic == \"$O\" and .partition == $1) | .$2"
}
rules() {
	jqr "$D | map(.rule) | join(\",\")"
}

# ----------------------------------------------------------------------
# One poll: exact figures.
# ----------------------------------------------------------------------
MKCONF_KAFKA_EXTRA='property.client.id = synctop-test' kconf indexer "$O"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "exit 1: lag 60 is under lag_warn, but a partition has no commit (warn)"
json_is "$S.connection" main "stage connection main"
json_is "$S.target" "indexer: $O" "target is 'GROUP: TOPICS'"
json_is "$S.status" warn "stage status warn"
json_is "$S.error" null "no stage error"
is "$(part 0 committed) $(part 0 end) $(part 0 lag)" "60 100 40" "partition 0: committed 60, end 100, lag 40"
is "$(part 1 committed) $(part 1 end) $(part 1 lag)" "50 50 0" "partition 1: committed 50, end 50, lag 0"
is "$(part 2 committed) $(part 2 end) $(part 2 lag)" "10 30 20" "partition 2: committed 10, end 30, lag 20"
is "$(part 3 committed) $(part 3 end) $(part 3 lag)" "null 0 null" \
	"partition 3: no commit: committed null, lag null (not 0, not the end offset)"
json_is "$S.metrics.lag" 60 "total lag 60: partitions with a commit only"
json_is "$S.metrics.max_partition_lag" 40 "max_partition_lag 40"
json_is "$S.metrics.partitions" 4 "partitions 4"
json_is "$S.no_commit_partitions" 1 "no_commit_partitions 1"
json_is "$S.metrics.partition_lags | map(.partition) | map(tostring) | join(\",\")" "0,2,1,3" \
	"partition_lags sorted by lag, descending (the one without a lag last)"
json_is "$S.metrics.evaluation" null "evaluation null: no window with --once-window 0"
json_ok "$S.metrics.lag_s == null or ($S.metrics.lag_s | type == \"number\")" "lag_s is null or a number"
json_is "$S.metrics.group_state" null "group_state null (describe_groups is off)"
json_is "$S.metrics.members" null "members null (describe_groups is off)"
json_is "$D | map(select(.rule == \"kafka-no-commits\")) | length" 1 "a kafka-no-commits diagnosis"
json_is "$D | map(select(.rule == \"kafka-no-commits\")) | .[0].severity" warn "kafka-no-commits is a warning"
between "$RUN_MS" 0 3000 "one poll takes less than the 2 s timeout"

run_once -c "$conf" --format text --once-window 0
is "$RUN_RC" 1 "text format: exit 1"
like "$RUN_OUT" orders "text format names the pipeline"
like "$RUN_OUT" '(^|[^0-9])60([^0-9]|$)' "text format shows the lag of 60"

# ----------------------------------------------------------------------
# Thresholds: lag >= lag_warn is a warning, >= lag_crit critical (the boundaries included).
# ----------------------------------------------------------------------
kconf indexer "$O" 'kafka.lag_warn = 60' 'kafka.lag_crit = 1000'
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" warn "lag 60 with lag_warn = 60: warn"
kconf indexer "$O" 'kafka.lag_warn = 10' 'kafka.lag_crit = 60'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "lag 60 with lag_crit = 60: exit 2"
json_is "$S.status" crit "lag 60 with lag_crit = 60: crit"
kconf indexer "$O" 'kafka.lag_warn = 61' 'kafka.lag_crit = 62'
ktool commit indexer "$O" 3 0 || bail_out "commit failed"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "every partition committed, lag 60 under lag_warn = 61: exit 0"
json_is "$S.status" ok "... status ok"
json_is "$S.no_commit_partitions" 0 "... no_commit_partitions 0"
json_is "$D | map(select(.rule == \"kafka-no-commits\")) | length" 0 "... no kafka-no-commits diagnosis"

# Group state is opt-in: the mock refuses DescribeGroups (and librdkafka 2.0.2 wedges the
# handle that asked). The lag figures come all the same, the state is null, nothing hangs.
kconf indexer "$O"
run_once -c "$conf" --format json --once-window 1s
rc_without=$RUN_RC
MKCONF_KAFKA_EXTRA='describe_groups = true' kconf indexer "$O"
run_once -c "$conf" --format json --once-window 1s
is "$RUN_RC" "$rc_without" "describe_groups on a broker without DescribeGroups: the same exit code as without it"
json_is "$S.metrics.lag" 60 "describe_groups refused: the lag is still read (60)"
json_is "$S.metrics.group_state" null "describe_groups refused: group_state null"
json_is "$S.metrics.members" null "describe_groups refused: members null"
between "$RUN_MS" 900 4000 "describe_groups refused: two polls a second apart, no hang at exit"

# ----------------------------------------------------------------------
# A group that never committed anything: no lag is known anywhere.
# ----------------------------------------------------------------------
kconf "nobody-$run" "$O"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "a group without commits: exit 1 (warn)"
json_is "$S.metrics.partition_lags | map(.committed) | map(tostring) | join(\",\")" "null,null,null,null" \
	"a group without commits: every committed offset is null"
json_is "$S.metrics.partition_lags | map(.lag) | map(tostring) | join(\",\")" "null,null,null,null" \
	"a group without commits: every lag is null"
json_is "$S.metrics.lag" 0 "a group without commits: lag 0"
json_is "$S.no_commit_partitions" 4 "a group without commits: no_commit_partitions 4"
json_is "$S.metrics.partitions" 4 "a group without commits: partitions 4"
like "$(rules)" kafka-no-commits "a group without commits: kafka-no-commits"

# No kafka.topics: the topics the group has committed offsets for, and only those.
kafka_ctl topic "other-$run" 1 >/dev/null || bail_out "cannot create topic other-$run"
ktool produce "other-$run" 0 5 || bail_out "produce failed"
ktool commit "scoped-$run" "$O" 0 60 1 50 || bail_out "commit failed"
mkconf_kafka "$conf" 'kafka = main' "kafka.group = scoped-$run"
run_once -c "$conf" --format json --once-window 0
ok "no kafka.topics: the stage is read (exit 0-2)" test "$RUN_RC" -le 2
json_is "$S.metrics.partition_lags | map(.topic) | unique | join(\",\")" "$O" \
	"no kafka.topics: exactly the topic the group committed on"
is "$(part 0 lag) $(part 1 lag)" "40 0" "no kafka.topics: the lags of its committed partitions"

# ----------------------------------------------------------------------
# Verdicts over a 2 s window.
# ----------------------------------------------------------------------
# STALL: messages keep arriving on partition 0 during the window, and nobody commits.
kconf indexer "$O" 'kafka.window = 2s'
# (One batch, early: a produce to the mock now and then takes 1 s longer.)
# shellcheck disable=SC2317 # run by between_polls
writes() {
	ktool produce "$O" 0 20
}
between_polls writes
run_once -c "$conf" --format json --once-window 2s
wait "$writer"
is "$?" 0 "STALL: 20 messages were produced to partition 0 during the window"
json_is "$S.metrics.evaluation" STALL "STALL: lag, and no commit over the window"
json_is "$S.status" crit "STALL: status crit"
is "$RUN_RC" 2 "STALL: exit 2"
like "$(rules)" kafka-stall "STALL: a kafka-stall diagnosis"
is "$(part 0 end) $(part 0 lag)" "120 60" "STALL: partition 0 now ends at 120, lag 60"
between "$RUN_MS" 1900 6000 "STALL: the run lasted the 2 s window"

# IDLE: every partition consumed to its end, and nothing produced.
if ! { ktool produce "$I" all 5 && ktool commit indexer "$I" all 5; }; then
	bail_out "the idle fixture failed"
fi
kconf indexer "$I" 'kafka.window = 2s'
run_once -c "$conf" --format json --once-window 2s
json_is "$S.metrics.evaluation" IDLE "IDLE: lag 0 and the end offsets unchanged"
json_is "$S.metrics.lag" 0 "IDLE: lag 0"
json_is "$S.status" ok "IDLE: status ok"
is "$RUN_RC" 0 "IDLE: exit 0"

# REWIND: a committed offset goes down between the two polls.
if ! { ktool produce "$R" 0 100 && ktool commit "rewinder-$run" "$R" 0 60 1 0; }; then
	bail_out "the rewind fixture failed"
fi
kconf "rewinder-$run" "$R" 'kafka.window = 2s'
# shellcheck disable=SC2317 # run by between_polls
writes() {
	ktool commit "rewinder-$run" "$R" 0 40
}
between_polls writes
run_once -c "$conf" --format json --once-window 2s
wait "$writer"
is "$?" 0 "REWIND: the group committed 40 on partition 0 during the window (was 60)"
json_is "$S.metrics.evaluation" REWIND "REWIND: a committed offset went down"
json_is "$S.status" crit "REWIND: status crit"
is "$RUN_RC" 2 "REWIND: exit 2"
like "$(rules)" kafka-rewind "REWIND: a kafka-rewind diagnosis"
json_is "$S.metrics.lag" 60 "REWIND: lag 100 - 40 = 60"

# WARN: the consumer commits, but the producers outrun it: the lag grows.
if ! { ktool produce "$M" 0 100 && ktool commit "slow-$run" "$M" 0 50; }; then
	bail_out "the WARN fixture failed"
fi
kconf "slow-$run" "$M" 'kafka.window = 2s'
# shellcheck disable=SC2317 # run by between_polls
writes() {
	ktool commit "slow-$run" "$M" 0 60 && ktool produce "$M" 0 40
}
between_polls writes
run_once -c "$conf" --format json --once-window 2s
wait "$writer"
is "$?" 0 "WARN: the group committed 10 more while 40 messages arrived"
json_is "$S.metrics.evaluation" WARN "WARN: offsets advance but the lag grew (50 -> 80)"
json_is "$S.status" warn "WARN: status warn"
is "$RUN_RC" 1 "WARN: exit 1"

# OK: the consumer catches up, the lag shrinks.
kconf "slow-$run" "$M" 'kafka.window = 2s'
# shellcheck disable=SC2317 # run by between_polls
writes() {
	ktool commit "slow-$run" "$M" 0 130
}
between_polls writes
run_once -c "$conf" --format json --once-window 2s
wait "$writer"
is "$?" 0 "OK: the group committed 130 during the window"
json_is "$S.metrics.evaluation" OK "OK: the lag shrank (80 -> 10)"
json_is "$S.status" ok "OK: status ok"
is "$RUN_RC" 0 "OK: exit 0"

# ----------------------------------------------------------------------
# Brokers down: unknown within the timeout; back up: read again.
# ----------------------------------------------------------------------
kconf indexer "$O"
is "$(kafka_ctl down 1)" ok "broker 1 goes down"
run_once -c "$conf" --format json --once-window 0
diag "one broker of three down: status $(jqr "$S.status"), error: $(jqr "$S.error")"
between "$RUN_MS" 0 4000 "one broker down: done within the 2 s timeout + 2 s"
ok "one broker down: exit 0-3, no crash" test "$RUN_RC" -le 3

is "$(kafka_ctl down 2) $(kafka_ctl down 3)" "ok ok" "brokers 2 and 3 go down too"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "all brokers down: exit 3"
json_is "$S.status" unknown "all brokers down: stage status unknown"
json_is '.status' unknown "all brokers down: overall status unknown"
like "$(jqr "$S.error")" '[Tt]ime[ds]?[ -]?out|[Bb]rokers?|[Dd]own|[Cc]onnect' \
	"all brokers down: the error says why (timeout, brokers down)"
between "$RUN_MS" 0 4000 "all brokers down: done within the 2 s timeout + 2 s"
like "$RUN_ERR" main "all brokers down: stderr names connection main"

run_once -c "$conf" --format text --once-window 0
is "$RUN_RC" 3 "all brokers down, text format: exit 3"
between "$RUN_MS" 0 4000 "all brokers down, text format: done within the timeout + 2 s"

is "$(kafka_ctl up 1) $(kafka_ctl up 2) $(kafka_ctl up 3)" "ok ok ok" "the brokers come back"
run_once -c "$conf" --format json --once-window 0
ok "brokers back: the stage is read again (exit 0-2, not 3)" test "$RUN_RC" -le 2
json_is "$S.error" null "brokers back: no error"
json_is "$S.metrics.lag" 80 "brokers back: the lag is read (60 + the 20 messages of the STALL test)"

# ----------------------------------------------------------------------
# A bootstrap nobody listens on.
# ----------------------------------------------------------------------
port=$(pg__pick_port) || bail_out "no free port"
MKCONF_BROKERS=127.0.0.1:$port kconf indexer "$O"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "wrong bootstrap: exit 3"
json_is "$S.status" unknown "wrong bootstrap: stage status unknown"
like "$(jqr "$S.error")" '[Tt]ime[ds]?[ -]?out|[Bb]rokers?|[Dd]own|[Cc]onnect|[Rr]efused' \
	"wrong bootstrap: the error says why"
between "$RUN_MS" 0 4000 "wrong bootstrap: done within the 2 s timeout + 2 s"

# ----------------------------------------------------------------------
# The SASL password, from the environment, never shows: not in a normal run, not in
# librdkafka's debug log (which the probe must not let through), not in an error.
# ----------------------------------------------------------------------
export SYNCTOP_TEST_KAFKA_SECRET=s3cret
sasl_extra=$'sasl_password_env = SYNCTOP_TEST_KAFKA_SECRET\nproperty.sasl.username = alice'
MKCONF_KAFKA_EXTRA=$sasl_extra kconf indexer "$O"
run_once -c "$conf" --format json --once-window 0
ok "SASL password set: the stage is read (exit 0-2)" test "$RUN_RC" -le 2
unlike "$RUN_OUT$RUN_ERR" s3cret "SASL password: not printed"
MKCONF_KAFKA_EXTRA=$sasl_extra$'\nproperty.debug = all' kconf indexer "$O"
run_once -c "$conf" --format json --once-window 0
unlike "$RUN_OUT$RUN_ERR" s3cret "SASL password with property.debug = all: not printed"
MKCONF_BROKERS=127.0.0.1:$port MKCONF_KAFKA_EXTRA=$sasl_extra kconf indexer "$O"
run_once -c "$conf" --format text --once-window 0
is "$RUN_RC" 3 "SASL password, wrong bootstrap: exit 3"
unlike "$RUN_OUT$RUN_ERR" s3cret "SASL password, wrong bootstrap: not printed"
# SASL for real: the mock has no SASL handshake, so the password is used, and refused.
MKCONF_KAFKA_EXTRA=$sasl_extra$'\nproperty.security.protocol = SASL_PLAINTEXT\nproperty.sasl.mechanism = PLAIN' \
	kconf indexer "$O"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "SASL_PLAINTEXT against a broker without SASL: exit 3"
unlike "$RUN_OUT$RUN_ERR" s3cret "SASL_PLAINTEXT against a broker without SASL: the password is not printed"
MKCONF_KAFKA_EXTRA=$sasl_extra$'\nproperty.security.protocol = SASL_PLAINTEXT\nproperty.sasl.mechanism = NOSUCH' \
	kconf indexer "$O"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "an invalid SASL mechanism: exit 3"
unlike "$RUN_OUT$RUN_ERR" s3cret "an invalid SASL mechanism: the password is not printed"

done_testing
