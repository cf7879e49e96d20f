#!/usr/bin/env bash
# kafka_groups.sh: many consumer groups on one cluster: the committed offsets of every group
# of a round are asked at once (src/kinds/kafka/offsets.c), so 8 groups under a broker delay
# that dominates the poll take about the time of one, each with its exact lag; and a group
# whose answer is an error is unknown alone, the others keep their figures.
#
# A private mock (the delay must not slow the other tests on a shared one).
# needs: kafka
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

unset SYNCTOP_KAFKA_BOOTSTRAP SYNCTOP_KAFKA_CTL SYNCTOP_KAFKA_PID
SYNCTOP_KAFKA_TOPICS="" need_kafka

plan 9

N=16 # groups g0..g15 on topic many: 4 partitions of 10 messages, g$i committed at i % 9 + 1
T=many
kafka_ctl topic "$T" 4 >/dev/null || bail_out "cannot create topic $T on the mock"
KTOOL_TIMEOUT=10 ktool produce "$T" all 10 || bail_out "producing the fixture failed"
for ((i = 0; i < N; i++)); do
	KTOOL_TIMEOUT=10 ktool commit "g$i" "$T" all $((i % 9 + 1)) || bail_out "committing for g$i failed"
done

# gconf FILE N: N pipelines p0.., each the kafka stage of group g$i on the topic.
gconf() {
	local i
	MKCONF_TIMEOUT=20s mkconf_kafka "$1" 'kafka = main' 'kafka.group = g0' "kafka.topics = $T"
	for ((i = 1; i < $2; i++)); do
		printf '\n[pipeline p%d]\nkafka = main\nkafka.group = g%d\nkafka.topics = %s\n' "$i" "$i" "$T"
	done >>"$1"
}
gconf "$TEST_TMP/one.conf" 1
gconf "$TEST_TMP/all.conf" "$N"
# The lags, in pipeline order: g$i has 4 * (10 - (i % 9 + 1)) left.
want_lags() {
	local i s=""
	for ((i = 0; i < $1; i++)); do s+="${s:+,}$((4 * (10 - (i % 9 + 1))))"; done
	echo "$s"
}
lags='[.pipelines[].stages[0].metrics.lag] | map(tostring) | join(",")'

run_once --once-window 0 --format json -c "$TEST_TMP/all.conf"
json_is "$lags" "$(want_lags "$N")" "$N groups: each its exact lag"

# Every broker answers RTT ms late. Asked one group after another, each group costs at
# least two round trips (FindCoordinator, then OffsetFetch to its coordinator): 16 groups
# would take 30 RTT more than one group's poll (connections, metadata, coordinator, offsets,
# end offsets: about 11 RTT here), over 3.5 times as long. Asked at once, 16 take about what
# one takes: under twice is the bound, which leaves room for a loaded machine (the delay
# dominates everything else the poll does).
RTT=250
kafka_ctl rtt -1 "$RTT" >/dev/null || bail_out "cannot delay the brokers"
run_once --once-window 0 --format json -c "$TEST_TMP/one.conf"
one=$RUN_MS
json_is "$lags" "$(want_lags 1)" "one group under a ${RTT} ms delay: its exact lag"
run_once --once-window 0 --format json -c "$TEST_TMP/all.conf"
all=$RUN_MS
json_is "$lags" "$(want_lags "$N")" "$N groups under a ${RTT} ms delay: each its exact lag"
between "$all" 0 $((2 * one)) \
	"$N groups' poll ($all ms) within twice one group's ($one ms): their offsets are asked at once"
between "$one" $((3 * RTT)) $((20 * RTT)) "one group's poll ($one ms) is dominated by the delay"
kafka_ctl rtt -1 0 >/dev/null || bail_out "cannot end the delay"

# The next OffsetFetch fails (GROUP_AUTHORIZATION_FAILED, not retried): one group, whichever
# is asked first, is unknown with the reason; the other 15 keep their exact lags.
kafka_ctl errors 9 30 1 >/dev/null || bail_out "cannot inject the error"
run_once --once-window 0 --format json -c "$TEST_TMP/all.conf"
kafka_ctl clear 9 >/dev/null
failed='[.pipelines[] | select(.stages[0].error != null)]'
json_is "$failed | length" 1 "one group's answer is an error: that group alone is unknown"
json_ok "${failed}[0].stages[0] | .target as \$t | .error | startswith(\"cannot read the committed offsets of group \" + (\$t | split(\":\")[0]) + \": \")" \
	"its error names its own group"
json_is "[.pipelines[].stages[0] | select(.error == null) | .metrics.lag == 4 * (10 - (.target | split(\":\")[0][1:] | tonumber) % 9 - 1)] | map(select(.)) | length" \
	$((N - 1)) "the other $((N - 1)) groups: their exact lags"

snapshots_valid
