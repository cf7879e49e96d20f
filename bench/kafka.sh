#!/usr/bin/env bash
# kafka.sh: what one poll of the kafka stage costs on a topic of 1,000 partitions spread over 3
# mock brokers, beside the naive way (one watermark query per partition, kafka_tool
# watermarks) run in the same go; and how it scales with consumer groups: 1, 20 and 100
# pipelines (each a group of its own) on the one cluster: wall time, requests and memory per
# poll, memory per additional pipeline, ratios against one group. Prints figures and ratios,
# not pass/fail. Not part of make check.
#
#   bench/kafka.sh [--quick] [PARTITIONS]   (default 1000; RUNS=15 polls per figure, 3 with
#                                            --quick; PIPELINES="1 20 100", the groups
#                                            counts, the first the baseline; RSS_RUNS=5, 2)
#
# Runs are interleaved (each run polls every configuration in turn) and figures are medians.
# Requests are counted on the brokers' side: the mock runs with librdkafka's "mock" debug
# context, which logs each request a broker receives (synctop keeps librdkafka's debug log to
# itself, so property.debug cannot show them). Memory is the maximum resident set size from
# GNU time (/usr/bin/time, Debian package `time`, needed by this bench only).
#
# With BENCH_TARGETS naming a file, one line per target of issue 18 item 4 is appended to it
# (item, what, figure, target, met|not met|n/a, tab-separated).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
top_builddir=${top_builddir:-$top}
synctop=${SYNCTOP:-$top_builddir/synctop}
tool=$top_builddir/tests/stack/kafka_tool
quick=0
if [[ ${1:-} == --quick ]]; then
	quick=1
	shift
fi
parts=${1:-1000}
runs=${RUNS:-$((quick ? 3 : 15))}
rss_runs=${RSS_RUNS:-$((quick ? 2 : 5))}
msgs=${MESSAGES:-10} # per partition
commit=${COMMIT:-5}  # the groups' committed offset on every partition
read -r -a counts <<<"${PIPELINES:-1 20 100}" # (bash's own GROUPS is the user's group ids)

die() {
	printf 'bench/kafka.sh: %s\n' "$*" >&2
	exit 1
}
[[ -x $synctop ]] || die "build synctop first ($synctop)"
[[ -x $tool && -x $top_builddir/tests/stack/kafka_mock ]] ||
	die "build the mock and its tool first: make tests/stack/kafka_mock tests/stack/kafka_tool"
[[ $parts =~ ^[1-9][0-9]*$ ]] || die "PARTITIONS must be a positive number"
((${#counts[@]} > 0)) || die "PIPELINES names no count"
for n in "${counts[@]}"; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "PIPELINES: '$n' is not a count"; done
command -v jq >/dev/null || die "jq is required (apt-get install jq)"
gnutime=/usr/bin/time
if [[ ! -x $gnutime ]]; then
	if ((EUID == 0)) && command -v apt-get >/dev/null; then
		apt-get install -y -qq time >/dev/null 2>&1 || true
	else
		echo "bench/kafka.sh: memory needs GNU time: apt-get install time" >&2
	fi
	[[ -x $gnutime ]] || gnutime=
fi
most=0
for n in "${counts[@]}"; do ((n > most)) && most=$n; done

# shellcheck source=tests/stack/kafka.sh
. "$top/tests/stack/kafka.sh"
export top_builddir
dir=$(mktemp -d /tmp/synctop-bench-kafka-XXXXXX)
trap 'kafka_down "$dir/kafka" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
SYNCTOP_KAFKA_TOPICS="big:$parts" SYNCTOP_KAFKA_DEBUG=mock kafka_up "$dir/kafka" >/dev/null ||
	die "the mock did not start"
boot=$SYNCTOP_KAFKA_BOOTSTRAP
log=$SYNCTOP_KAFKA_LOG

# The fixture: MESSAGES on every partition; groups bench0.. committed at COMMIT.
"$tool" -b "$boot" -t 60 produce big all "$msgs" || die "producing the fixture failed"
for ((g = 0; g < most; g++)); do
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
for n in "${counts[@]}"; do conf "$dir/p$n.conf" "$n"; done

# Sanity: every group's poll reads every partition, with the expected lag.
want=$((parts * (msgs - commit)))
out=$("$synctop" --once --once-window 0 --format json -c "$dir/p$most.conf" 2>&1) || true
got=$(jq -r '[.pipelines[].stages[0] | "\(.metrics.partitions) \(.metrics.lag) \(.error)"] | unique | join(";")' \
	<<<"$out" 2>/dev/null) || got="(not JSON: ${out:0:200})"
[[ $got == "$parts $want null" ]] ||
	die "synctop did not read the fixture: partitions lag error = $got, expected $parts $want null"
naive=$("$tool" -b "$boot" -t 60 watermarks big)
[[ $naive == "partitions=$parts end_total=$((parts * msgs))" ]] || die "kafka_tool watermarks: $naive"

us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%.1f", a[int((NR + 1) / 2)]; else print "-" }'; }

# time_once NAME CMD...: runs CMD once and appends its wall time in ms to $dir/NAME.t (its
# exit status is ignored: synctop exits 1 to 3 to say warn, crit or unknown).
time_once() {
	local name=$1 t0 t1
	shift
	t0=$(us)
	"$@" >/dev/null 2>&1 || true
	t1=$(us)
	echo "$(((t1 - t0) / 1000)).$((((t1 - t0) % 1000) / 100))" >>"$dir/$name.t"
}
med() { median <"$dir/$1.t"; }

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

poll() { "$synctop" --once --once-window 0 -c "$dir/p$1.conf"; }
loop=("$tool" -b "$boot" -t 60 watermarks big)
base=("$tool" -b "$boot" end big 0)

# Interleaved: each run times the baseline, every configuration and the naive loop in turn.
for ((i = 0; i < runs; i++)); do
	time_once base "${base[@]}"
	for n in "${counts[@]}"; do time_once "p$n" poll "$n"; done
	time_once loop "${loop[@]}"
	# The stage's own poll as it measured it (latency_ms; with several groups, the first
	# stage's, which asks for every group's offsets), and the naive loop's once connected.
	{ "$synctop" --once --once-window 0 --format json -c "$dir/p${counts[0]}.conf" 2>/dev/null || true; } |
		jq -r '.pipelines[0].stages[0].latency_ms' >>"$dir/lat.t"
	"${loop[@]}" 2>&1 >/dev/null | sed -n 's/^loop_ms=//p' >>"$dir/loop_warm.t"
done
# Where the time of the largest count goes: the first stage's own poll (it asks for every
# group's committed offsets at once) and the sum of all its stages' polls (the connection's
# round, one stage after another on its worker).
for ((i = 0; i < (runs < 5 ? runs : 5); i++)); do
	{ "$synctop" --once --once-window 0 --format json -c "$dir/p$most.conf" 2>/dev/null || true; } |
		jq -r '[.pipelines[].stages[0].latency_ms] | "\(.[0]) \(add)"' >>"$dir/split"
done
split_first=$(cut -d' ' -f1 "$dir/split" | median)
split_all=$(cut -d' ' -f2 "$dir/split" | median)
r_base=$(requests "${base[@]}")
r_loop=$(requests "${loop[@]}")
declare -A reqs
for n in "${counts[@]}"; do reqs[$n]=$(requests poll "$n"); done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
row() { # LABEL WALL REQUESTS
	local per=${3%% *} rest=${3#* } n apis
	n=${rest%%|*}
	apis=${rest#*|}
	apis=$(tr ',' '\n' <<<"$apis" | sort | paste -sd, -)
	printf '%-42s %9s ms %7s  %-13s %s\n' "$1" "$2" "$n" "$per" "$apis"
}
n_of() { # the total of a requests line
	local r=${1#* }
	echo "${r%%|*}"
}

one=${counts[0]}
t_one=$(med "p$one")
t_loop=$(med loop)
echo "kafka stage: 1 topic of $parts partitions on 3 mock brokers, $msgs messages and a commit at $commit"
echo "on each partition (lag $want per group); median of $runs interleaved runs of synctop --once"
echo "--once-window 0 (one poll, process start included); requests as the brokers received them"
printf '%-42s %12s %7s  %-13s %s\n' "" "wall" "reqs" "per broker" "by API"
row "baseline: kafka_tool end (1 partition)" "$(med base)" "$r_base"
for n in "${counts[@]}"; do
	row "synctop, $n pipeline$( ((n == 1)) || echo s) (group$( ((n == 1)) || echo s))" "$(med "p$n")" "${reqs[$n]}"
done
row "naive: kafka_tool watermarks (loop)" "$t_loop" "$r_loop"

printf '\nnaive loop / synctop (%d group%s): wall %s, requests %s (the stage also fetches the\n' "$one" \
	"$( ((one == 1)) || echo s)" "$(ratio "$t_loop" "$t_one")" "$(ratio "$(n_of "$r_loop")" "$(n_of "${reqs[$one]}")")"
printf 'committed offsets; the loop only the end offsets). The stage measured its own poll at %s ms\n' "$(med lat)"
printf '(latency_ms); the naive loop once connected took %s ms.\n' "$(med loop_warm)"
for n in "${counts[@]:1}"; do
	printf '%d groups / %d: wall %s, requests %s\n' "$n" "$one" "$(ratio "$(med "p$n")" "$t_one")" \
		"$(ratio "$(n_of "${reqs[$n]}")" "$(n_of "${reqs[$one]}")")"
done
printf '%d groups: the first stage polled in %s ms (with every group'"'"'s committed offsets), all %d\n' \
	"$most" "$split_first" "$most"
printf 'stages of the round in %s ms (latency_ms, median of up to 5)\n' "$split_all"

declare -A rss
if [[ -n $gnutime ]]; then
	# Interleaved as well: each run measures every configuration in turn.
	for ((i = 0; i < rss_runs; i++)); do
		for n in "${counts[@]}"; do
			"$gnutime" -f '%M' -o "$dir/rss" "$synctop" --once --once-window 0 -c "$dir/p$n.conf" \
				>/dev/null 2>&1 || true
			tail -n 1 "$dir/rss" >>"$dir/rss$n.t"
		done
	done
	printf '\nmemory (max RSS of synctop --once, median of %d):\n' "$rss_runs"
	for n in "${counts[@]}"; do
		rss[$n]=$(med "rss$n")
		printf '  %3d pipeline%s %7.1f MiB' "$n" "$( ((n == 1)) && echo ' ' || echo s)" \
			"$(awk -v k="${rss[$n]}" 'BEGIN { print k / 1024 }')"
		if ((n != one)); then
			printf '  (%s of %d; %.0f kB per additional pipeline)' "$(ratio "${rss[$n]}" "${rss[$one]}")" "$one" \
				"$(awk -v a="${rss[$n]}" -v b="${rss[$one]}" -v n="$n" -v o="$one" 'BEGIN { print (a - b) * 1.024 / (n - o) }')"
		fi
		echo
	done
else
	printf '\nmemory: skipped, /usr/bin/time is missing (apt-get install time)\n'
fi

# BENCH_TARGETS: item 4's targets, measured against the largest count asked for.
if [[ -n ${BENCH_TARGETS:-} ]]; then
	tab=$'\t'
	met() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
		ok = (op == "<=") ? v <= t : (op == "<") ? v < t : v >= t
		print ok ? "met" : "not met" }'; }
	t_most=$(med "p$most")
	x=$(awk -v a="$t_most" -v b="$t_one" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	echo "4${tab}$most groups vs $one on one cluster of $parts partitions (wall, --once)${tab}${x}x ($t_most ms vs $t_one ms)${tab}<= 2x${tab}$(met "$x" "<=" 2)" >>"$BENCH_TARGETS"
	if [[ -n $gnutime ]] && ((most != one)); then
		kb=$(awk -v a="${rss[$most]}" -v b="${rss[$one]}" -v n="$most" -v o="$one" 'BEGIN { printf "%.0f", (a - b) * 1.024 / (n - o) }')
		echo "4${tab}memory per additional pipeline ($parts partitions, $one to $most)${tab}$kb kB${tab}< 100 kB${tab}$(met "$kb" "<" 100)" >>"$BENCH_TARGETS"
	else
		echo "4${tab}memory per additional pipeline${tab}-${tab}< 100 kB${tab}n/a" >>"$BENCH_TARGETS"
	fi
	x=$(awk -v a="$t_loop" -v b="$t_one" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
	echo "4${tab}one group vs naive loop ($parts partitions, wall)${tab}${x}x ($t_one ms vs $t_loop ms)${tab}>= 20x${tab}$(met "$x" ">=" 20)" >>"$BENCH_TARGETS"
fi
