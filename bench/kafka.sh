#!/usr/bin/env bash
# kafka.sh: what one poll of the kafka stage costs on a topic of 1,000 partitions spread over 3
# mock brokers, beside the naive way (one watermark query per partition, kafka_tool
# watermarks) run in the same go; and synctop's memory with 20 pipelines on one cluster
# against 1. Prints figures and ratios, not pass/fail. Not part of make check.
#
#   bench/kafka.sh [PARTITIONS]   (default 1000; RUNS=20 polls measured per figure)
#
# Wall times are medians of RUNS. Requests are counted on the brokers' side: the mock runs
# with librdkafka's "mock" debug context, which logs each request a broker receives
# (synctop keeps librdkafka's debug log to itself, so property.debug cannot show them).
# Memory is the maximum resident set size from GNU time (/usr/bin/time, Debian package
# `time`, needed by this bench only).
set -euo pipefail
# --quick (bench/run.sh --quick): 200 partitions, RUNS=5, RSS_RUNS=2.
if [[ ${1:-} == --quick ]]; then
	: "${RUNS:=5}" "${RSS_RUNS:=2}"
	set -- "${2:-200}"
fi
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
top_builddir=${top_builddir:-$top}
synctop=${SYNCTOP:-$top_builddir/synctop}
tool=$top_builddir/tests/stack/kafka_tool
parts=${1:-1000}
runs=${RUNS:-20}
msgs=${MESSAGES:-10}  # per partition
commit=${COMMIT:-5}   # the groups' committed offset on every partition
npipes=${PIPELINES:-20}

die() {
	printf 'bench/kafka.sh: %s\n' "$*" >&2
	exit 1
}
[[ -x $synctop ]] || die "build synctop first ($synctop)"
[[ -x $tool && -x $top_builddir/tests/stack/kafka_mock ]] ||
	die "build the mock and its tool first: make tests/stack/kafka_mock tests/stack/kafka_tool"
[[ $parts =~ ^[1-9][0-9]*$ ]] || die "PARTITIONS must be a positive number"
command -v jq >/dev/null || die "jq is required (apt-get install jq)"
gnutime=/usr/bin/time
[[ -x $gnutime ]] || gnutime=

# shellcheck source=tests/stack/kafka.sh
. "$top/tests/stack/kafka.sh"
export top_builddir
dir=$(mktemp -d /tmp/synctop-bench-kafka-XXXXXX)
trap 'kafka_down "$dir/kafka" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
SYNCTOP_KAFKA_TOPICS="big:$parts" SYNCTOP_KAFKA_DEBUG=mock kafka_up "$dir/kafka" ||
	die "the mock did not start"
boot=$SYNCTOP_KAFKA_BOOTSTRAP
log=$SYNCTOP_KAFKA_LOG

# The fixture: MESSAGES on every partition; groups bench0..bench19 committed at COMMIT.
"$tool" -b "$boot" -t 60 produce big all "$msgs" || die "producing the fixture failed"
for ((g = 0; g < npipes; g++)); do
	"$tool" -b "$boot" -t 60 commit "bench$g" big all "$commit" || die "committing for bench$g failed"
done

# conf FILE N: a config with N pipelines on the one cluster, each a group of its own.
conf() {
	local g
	{
		printf '[synctop]\ntimeout = 30s\n\n[kafka main]\nbrokers = %s\n' "$boot"
		for ((g = 0; g < $2; g++)); do
			printf '\n[pipeline p%d]\nkafka = main\nkafka.group = bench%d\nkafka.topics = big\n' "$g" "$g"
		done
	} >"$1"
}
conf "$dir/one.conf" 1
conf "$dir/many.conf" "$npipes"

# Sanity: the poll reads every partition, with the expected lag.
want=$((parts * (msgs - commit)))
out=$("$synctop" --once --once-window 0 --format json -c "$dir/one.conf" 2>&1) || true
got=$(jq -r '.pipelines[0].stages[0] | "\(.metrics.partitions) \(.metrics.lag) \(.error)"' <<<"$out" 2>/dev/null) ||
	got="(not JSON: ${out:0:200})"
[[ $got == "$parts $want null" ]] ||
	die "synctop did not read the fixture: partitions lag error = $got, expected $parts $want null"
naive=$("$tool" -b "$boot" -t 60 watermarks big)
[[ $naive == "partitions=$parts end_total=$((parts * msgs))" ]] || die "kafka_tool watermarks: $naive"

us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }'; }

# wall CMD...: the median wall time of RUNS runs of CMD, in ms (its exit status is ignored:
# synctop exits 1 to 3 to say warn, crit or unknown).
wall() {
	local t0 t1 i
	for ((i = 0; i < runs; i++)); do
		t0=$(us)
		"$@" >/dev/null 2>&1 || true
		t1=$(us)
		echo $(((t1 - t0) / 1000)).$((((t1 - t0) % 1000) / 100))
	done | median
}

# requests CMD...: runs CMD once and prints what the brokers received meanwhile:
# "B1/B2/B3 total|Api:n,Api:n..." (B1.. per broker id, in id order).
requests() {
	local before
	sleep 0.3 # the previous run's last log lines
	before=$(wc -l <"$log")
	"$@" >/dev/null 2>&1 || true
	sleep 0.3
	tail -n +"$((before + 1))" "$log" |
		sed -n 's/.*Broker \([0-9][0-9]*\): Received \([A-Za-z]*\)RequestV[0-9]*.*/\1 \2/p' |
		awk '{ b[$1]++; api[$2]++; n++ }
			END {
				s = ""; for (i = 1; i in b || i <= 3; i++) s = s (i > 1 ? "/" : "") (b[i] + 0)
				a = ""; for (k in api) a = a (a == "" ? "" : ",") k ":" api[k]
				printf "%s %d|%s", s, n, a
			}'
}

poll=("$synctop" --once --once-window 0 -c "$dir/one.conf")
loop=("$tool" -b "$boot" -t 60 watermarks big)
base=("$tool" -b "$boot" end big 0)

t_base=$(wall "${base[@]}")
t_poll=$(wall "${poll[@]}")
t_loop=$(wall "${loop[@]}")
many=("$synctop" --once --once-window 0 -c "$dir/many.conf")
t_many=$(wall "${many[@]}")
lat=$(for ((i = 0; i < runs; i++)); do
	{ "${poll[@]}" --format json 2>/dev/null || true; } | jq -r '.pipelines[0].stages[0].latency_ms'
done | median)
# Warm polls, as on the screen: the second poll of a run (connections up), against the naive
# loop's own time once its client is connected.
warm=$(for ((i = 0; i < runs; i++)); do
	{ "$synctop" --once --once-window 0.3s --format json -c "$dir/one.conf" 2>/dev/null || true; } |
		jq -r '.pipelines[0].stages[0].latency_ms'
done | median)
loop_warm=$(for ((i = 0; i < runs; i++)); do
	"${loop[@]}" 2>&1 >/dev/null | sed -n 's/^loop_ms=//p'
done | median)
r_base=$(requests "${base[@]}")
r_poll=$(requests "${poll[@]}")
r_loop=$(requests "${loop[@]}")
r_many=$(requests "${many[@]}")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
row() { # LABEL WALL REQUESTS
	local per=${3%% *} rest=${3#* } n apis
	n=${rest%%|*}
	apis=${rest#*|}
	apis=$(tr ',' '\n' <<<"$apis" | sort | paste -sd, -)
	printf '%-40s %9s ms %7s  %-13s %s\n' "$1" "$2" "$n" "$per" "$apis"
}

echo "kafka stage: 1 topic of $parts partitions on 3 mock brokers, $msgs messages and a commit at $commit"
echo "on each partition (lag $want); median of $runs runs; requests as the brokers received them"
printf '%-40s %12s %7s  %-13s %s\n' "" "wall" "reqs" "per broker" "by API"
row "baseline: kafka_tool end (1 partition)" "$t_base" "$r_base"
row "synctop --once --once-window 0" "$t_poll" "$r_poll"
row "naive: kafka_tool watermarks (loop)" "$t_loop" "$r_loop"
row "synctop, $npipes pipelines (groups) on it" "$t_many" "$r_many"
n_of() { # the total of a requests line
	local r=${1#* }
	echo "${r%%|*}"
}
n_poll=$(n_of "$r_poll")
n_loop=$(n_of "$r_loop")
printf '\nnaive loop / synctop: wall %s, requests %s (the stage also fetches the committed offsets;\n' \
	"$(ratio "$t_loop" "$t_poll")" "$(ratio "$n_loop" "$n_poll")"
printf 'the loop only the end offsets). The stage measured its own poll at %s ms (latency_ms).\n' "$lat"
printf 'warm (connections up): synctop poll %s ms, naive loop %s ms: %s faster\n' "$warm" "$loop_warm" \
	"$(ratio "$loop_warm" "$warm")"
printf '%d pipelines / 1: wall %s, requests %s\n' "$npipes" "$(ratio "$t_many" "$t_poll")" \
	"$(ratio "$(n_of "$r_many")" "$(n_of "$r_poll")")"

if [[ -n $gnutime ]]; then
	rss() { # CONF: the median max RSS in KiB of synctop --once on CONF
		local i
		for ((i = 0; i < ${RSS_RUNS:-5}; i++)); do
			"$gnutime" -f '%M' -o "$dir/rss" "$synctop" --once --once-window 0 -c "$1" >/dev/null 2>&1 || true
			tail -n 1 "$dir/rss"
		done | median
	}
	m1=$(rss "$dir/one.conf")
	mn=$(rss "$dir/many.conf")
	printf '\nmemory (max RSS, median of %d): 1 pipeline %.1f MiB, %d pipelines on the same cluster %.1f MiB (%s; %.1f MiB more)\n' \
		"${RSS_RUNS:-5}" "$(awk -v k="$m1" 'BEGIN { print k / 1024 }')" "$npipes" \
		"$(awk -v k="$mn" 'BEGIN { print k / 1024 }')" "$(ratio "$mn" "$m1")" \
		"$(awk -v a="$mn" -v b="$m1" 'BEGIN { print (a - b) / 1024 }')"
else
	printf '\nmemory: skipped, /usr/bin/time is missing (apt-get install time)\n'
fi

# The issue's targets (bench/run.sh collects them: bench/lib.bash).
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
r_naive=$(awk -v a="$t_loop" -v b="$t_poll" 'BEGIN { if (b > 0) printf "%.1f", a / b }')
bench_target 4 "one group, $parts partitions, 3 brokers: naive loop / synctop (wall)" \
	"${r_naive}x ($t_poll ms vs $t_loop ms)" ">= 20x (goal)" "$(bench_met "$r_naive" '>=' 20)"
r_many=$(awk -v a="$t_many" -v b="$t_poll" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
bench_target 4 "$npipes groups on one cluster / one group (wall)" "${r_many}x ($t_many ms vs $t_poll ms)" \
	"<= 2x (at 100 groups)" "$(bench_met "$r_many" '<=' 2)"
if [[ -n $gnutime ]]; then
	per=$(awk -v a="$mn" -v b="$m1" -v n="$npipes" 'BEGIN { if (n > 1) printf "%.0f", (a - b) / (n - 1) }')
	bench_target 4 "memory per additional pipeline, $parts partitions (max RSS, $npipes vs 1)" "$per KiB" \
		"< 100 kB" "$(bench_met "$per" '<' 98)"
fi
