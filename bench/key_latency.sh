#!/usr/bin/env bash
# key_latency.sh: how long the screen takes to answer a key while a backend hangs. synctop
# watches two pipelines, one healthy and one on a PostgreSQL whose processes are SIGSTOPped
# (every poll of it waits for the 2 s deadline), on a 120x35 pseudo-terminal that
# bench/key_pty.py reads itself. N times (default 100): `?` until the help text shows in what
# synctop writes, then `q` until the panes are back. The same round trip against `less` on a
# file (h for its help, q back) is the baseline. Timed from the write of the key to the read
# that completes the text, with no terminal multiplexer in between (tmux capture-pane, which
# an earlier version polled, cost ~65 ms of every figure, less's too). The target for synctop
# is under 50 ms, median and p99. Prints median, p99 and max in ms. Figures, never pass/fail.
#
#   bench/key_latency.sh           N=100 (enough round trips for a p99)
#   bench/key_latency.sh --quick   N=10
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
synctop=${SYNCTOP:-$top/synctop}
n=${N:-100}
[[ ${1:-} == --quick ]] && n=${N:-10}
[[ -x $synctop ]] || { echo "key_latency.sh: build synctop first ($synctop)" >&2; exit 1; }
[[ $n =~ ^[0-9]+$ && $n -ge 1 ]] || { echo "key_latency.sh: N takes a whole number >= 1" >&2; exit 2; }
for c in python3 less; do
	command -v "$c" >/dev/null || { echo "key_latency.sh: $c is required (apt-get install $c)" >&2; exit 1; }
done

dir=$(mktemp -d /tmp/synctop-bench-XXXXXX)
chmod 755 "$dir"
hung_pid=
cleanup() {
	# shellcheck disable=SC2046 # one pid a word
	[[ -z $hung_pid ]] || kill -CONT "$hung_pid" $(pgrep -P "$hung_pid") 2>/dev/null || true
	"$top/tests/stack/stack.sh" down "$dir/hung" >/dev/null 2>&1 || true
	"$top/tests/stack/stack.sh" down "$dir/stack" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Two servers: the healthy one, and the one that will hang.
"$top/tests/stack/stack.sh" up "$dir/hung" >/dev/null
hung_port=$(sed -n 's/^export SYNCTOP_PG_PORT=//p' "$dir/hung/env")
hung_pid=$(sed -n 's/^export SYNCTOP_PG_PID=//p' "$dir/hung/env")
"$top/tests/stack/stack.sh" up "$dir/stack" >/dev/null
# shellcheck disable=SC1091
. "$dir/stack/env"
psql -X -q -v ON_ERROR_STOP=1 -d synctop -f "$top/share/sql/outbox.sql"
psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$hung_port" -d synctop -f "$top/share/sql/outbox.sql"
cat >"$dir/bench.conf" <<CONF
[synctop]
environment = bench
timeout = 2s
interval = 1s

[postgres shop]
conninfo = host=$PGHOST port=$PGPORT dbname=synctop user=postgres

[postgres stuck]
conninfo = host=127.0.0.1 port=$hung_port dbname=synctop user=postgres

[pipeline healthy]
outbox = shop

[pipeline hung]
outbox = stuck
CONF
seq 1 5000 | sed 's/^/line /' >"$dir/file.txt"

# The hook that hangs the second server: the postmaster and its backends (synctop's session
# among them); cleanup lets them go on.
cat >"$dir/hang.sh" <<HANG
kill -STOP $hung_pid \$(pgrep -P $hung_pid)
HANG

# run_pty ARGS...: bench/key_pty.py ARGS, its "open MS close MS" lines into open_ms, close_ms.
run_pty() {
	local o c
	open_ms=() close_ms=()
	while read -r _ o _ c; do
		open_ms+=("$o") close_ms+=("$c")
	done < <(python3 "$top/bench/key_pty.py" --size 120x35 --n "$n" "$@")
	[[ ${#open_ms[@]} -eq $n ]] ||
		bench_die "key_pty.py gave ${#open_ms[@]} round trips of $n"
}
stats() { # values...: "median M ms   p99 P ms   max X ms"
	printf 'median %6.1f ms   p99 %6.1f ms   max %6.1f ms' "$(printf '%s\n' "$@" | bench_median)" \
		"$(printf '%s\n' "$@" | bench_p99)" "$(printf '%s\n' "$@" | sort -n | tail -n 1)"
}

run_pty --ready '┌─ hung ' --hook "sh $dir/hang.sh" --after UNKNOWN \
	--open '?' 'keys (q or Esc closes this help)' --close q '┌─ hung ' -- \
	env -u LC_ALL LANG=C.UTF-8 TZ=UTC "$synctop" -c "$dir/bench.conf"
s_open=("${open_ms[@]}") s_close=("${close_ms[@]}")
run_pty --ready 'line 1' --open h 'SUMMARY OF LESS COMMANDS' --close q 'line 1' -- \
	env -u LC_ALL LANG=C.UTF-8 less "$dir/file.txt"
l_open=("${open_ms[@]}") l_close=("${close_ms[@]}")

echo "key to screen, $n round trips each, read on the pseudo-terminal (bench/key_pty.py)"
printf '%-52s %s\n' "synctop, one backend hung: ? until the help shows" "$(stats "${s_open[@]}")"
printf '%-52s %s\n' "synctop, one backend hung: q until the panes show" "$(stats "${s_close[@]}")"
printf '%-52s %s\n' "baseline less: h until its help shows" "$(stats "${l_open[@]}")"
printf '%-52s %s\n' "baseline less: q until the file shows" "$(stats "${l_close[@]}")"
echo "target for synctop: under 50 ms, median and p99 (p99 of N=$n: the $(((99 * n + 99) / 100))th smallest)"
# target WHAT VALUES...: one line of item 6 for synctop's round trips
target() {
	local what=$1 m p met
	shift
	m=$(printf '%s\n' "$@" | bench_median)
	p=$(printf '%s\n' "$@" | bench_p99)
	met=$(bench_met "$m" '<' 50)
	[[ $met == met ]] && met=$(bench_met "$p" '<' 50)
	bench_target 6 "$what, one backend hung (N=$n)" "median $m ms, p99 $p ms" "< 50 ms median and p99" "$met"
}
target "key to screen: ? until the help shows" "${s_open[@]}"
target "key to screen: q until the panes show" "${s_close[@]}"
bench_target 6 "baseline: less, h until its help shows (N=$n)" \
	"median $(printf '%s\n' "${l_open[@]}" | bench_median) ms" "-" "n/a"
