#!/usr/bin/env bash
# key_latency.sh: how long the screen takes to answer a key while a backend hangs. synctop
# watches two pipelines, one healthy and one on a PostgreSQL whose processes are SIGSTOPped
# (every poll of it waits for the 2 s deadline), in a 120x35 tmux pane. N times (default 20):
# `tmux send-keys ?` until the help text shows in capture-pane, then `q` until the panes are
# back. The same round trip against `less` on a file (h for its help, q back) is the baseline:
# the figures include tmux's own latency and the cost of capture-pane (a tmux client
# process per look, polled every 2 ms), which the baseline has as well. The target for
# synctop is under 50 ms, median and p99. Prints median, p99 and max in ms. Figures, never
# pass/fail.
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
for c in tmux less; do
	command -v "$c" >/dev/null || { echo "key_latency.sh: $c is required (apt-get install $c)" >&2; exit 1; }
done

dir=$(mktemp -d /tmp/synctop-bench-XXXXXX)
chmod 755 "$dir"
sock=synctop-bench-$$
stopped=()
tmx() { env -i PATH="$PATH" HOME="${HOME:-/}" LC_ALL=C.UTF-8 tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
	tmx kill-server >/dev/null 2>&1 || true
	((${#stopped[@]} == 0)) || kill -CONT "${stopped[@]}" 2>/dev/null || true
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

tmx new-session -d -s _keep -x 120 -y 35 'sleep 86400'
tmx set-option -g default-shell /bin/sh
term=screen-256color
infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color
tmx set-option -g default-terminal "$term"
tmx new-session -d -s synctop -x 120 -y 35 \
	"exec env -u LC_ALL LANG=C.UTF-8 TZ=UTC $(printf '%q' "$synctop") -c $(printf '%q' "$dir/bench.conf")"
tmx new-session -d -s less -x 120 -y 35 "exec env -u LC_ALL LANG=C.UTF-8 less $(printf '%q' "$dir/file.txt")"

now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
# wait_text SESSION TEXT LIMIT_S: polls capture-pane every 2 ms; prints the elapsed µs since
# $t0 when TEXT shows; fails after LIMIT_S seconds.
wait_text() {
	local deadline=$(($(now_us) + $3 * 1000000))
	while :; do
		if [[ $(tmx capture-pane -p -t "$1") == *"$2"* ]]; then
			echo $(($(now_us) - t0))
			return 0
		fi
		(($(now_us) < deadline)) || return 1
		sleep 0.002
	done
}

t0=$(now_us)
wait_text synctop "┌─ hung " 10 >/dev/null || { echo "key_latency.sh: synctop did not draw" >&2; exit 1; }
wait_text less "line 1" 10 >/dev/null || { echo "key_latency.sh: less did not start" >&2; exit 1; }
# Hang the second server: the postmaster and its backends (synctop's session among them).
mapfile -t stopped < <(
	echo "$hung_pid"
	pgrep -P "$hung_pid"
)
kill -STOP "${stopped[@]}"
t0=$(now_us)
wait_text synctop "UNKNOWN" 10 >/dev/null || { echo "key_latency.sh: the hung pipeline never turned UNKNOWN" >&2; exit 1; }

# measure SESSION OPEN-KEY OPEN-TEXT CLOSE-KEY CLOSE-TEXT: N round trips; fills open_ms, close_ms.
measure() {
	local i us
	open_ms=() close_ms=()
	for ((i = 0; i < n; i++)); do
		t0=$(now_us)
		tmx send-keys -t "$1" "$2"
		us=$(wait_text "$1" "$3" 5) || { echo "key_latency.sh: $1 did not show '$3' after $2" >&2; exit 1; }
		open_ms+=("$(awk -v us="$us" 'BEGIN { printf "%.1f", us / 1000 }')")
		t0=$(now_us)
		tmx send-keys -t "$1" "$4"
		us=$(wait_text "$1" "$5" 5) || { echo "key_latency.sh: $1 did not show '$5' after $4" >&2; exit 1; }
		close_ms+=("$(awk -v us="$us" 'BEGIN { printf "%.1f", us / 1000 }')")
		sleep 0.1
	done
}
stats() { # values...: "median M ms   p99 P ms   max X ms"
	printf 'median %6.1f ms   p99 %6.1f ms   max %6.1f ms' "$(printf '%s\n' "$@" | bench_median)" \
		"$(printf '%s\n' "$@" | bench_p99)" "$(printf '%s\n' "$@" | sort -n | tail -n 1)"
}

# A loop that only captures, to show what one look at the pane costs.
t0=$(now_us)
for ((i = 0; i < 50; i++)); do tmx capture-pane -p -t less >/dev/null; done
capture_ms=$(awk -v us=$(($(now_us) - t0)) 'BEGIN { printf "%.1f", us / 50000 }')

measure synctop '?' 'keys (q or Esc closes this help)' q '┌─ hung '
s_open=("${open_ms[@]}") s_close=("${close_ms[@]}")
measure less h 'SUMMARY OF LESS COMMANDS' q 'line 1'
l_open=("${open_ms[@]}") l_close=("${close_ms[@]}")
still=$(tmx capture-pane -p -t synctop | grep -c 'UNKNOWN' || true)

echo "key to screen, $n round trips each, polled with tmux capture-pane every 2 ms (one look costs $capture_ms ms)"
printf '%-52s %s\n' "synctop, one backend hung: ? until the help shows" "$(stats "${s_open[@]}")"
printf '%-52s %s\n' "synctop, one backend hung: q until the panes show" "$(stats "${s_close[@]}")"
printf '%-52s %s\n' "baseline less: h until its help shows" "$(stats "${l_open[@]}")"
printf '%-52s %s\n' "baseline less: q until the file shows" "$(stats "${l_close[@]}")"
((still > 0)) && echo "(the hung pipeline still showed UNKNOWN at the end)"
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
