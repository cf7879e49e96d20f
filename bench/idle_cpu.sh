#!/usr/bin/env bash
# idle_cpu.sh: what the interactive screen costs while nobody touches it. synctop watches 4
# pipelines (an outbox and a slot each) at interval = 1s in a 120x40 terminal (tmux), and
# `htop -d 10` (a refresh a second too) runs beside it as the reference point, in the same
# window of time. CPU is utime + stime from /proc/PID/stat (every thread), in % of one core;
# the PostgreSQL server's CPU over the same window is shown too (what synctop's polls cost
# there). Prints each run, then the medians and the ratio. Figures, never pass/fail; not
# part of make check.
#
#   bench/idle_cpu.sh            RUNS=3 runs of BENCH_SECONDS=60 s each
#   bench/idle_cpu.sh --quick    1 run of 10 s
#   BENCH_SECONDS=10 RUNS=1 bench/idle_cpu.sh
#
# htop is installed with apt-get when missing and we are root; otherwise the reference is
# skipped with a message.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
synctop=${SYNCTOP:-$top/synctop}
seconds=${BENCH_SECONDS:-60}
runs=${RUNS:-3}
if [[ ${1:-} == --quick ]]; then
	seconds=${BENCH_SECONDS:-10} runs=${RUNS:-1}
fi
[[ -x $synctop ]] || { echo "idle_cpu.sh: build synctop first ($synctop)" >&2; exit 1; }
[[ $seconds =~ ^[0-9]+$ && $seconds -ge 1 && $runs =~ ^[0-9]+$ && $runs -ge 1 ]] ||
	{ echo "idle_cpu.sh: BENCH_SECONDS and RUNS take whole numbers >= 1" >&2; exit 2; }
command -v tmux >/dev/null || { echo "idle_cpu.sh: tmux is required (apt-get install tmux)" >&2; exit 1; }

have_htop=1
if ! command -v htop >/dev/null; then
	if ((EUID == 0)) && command -v apt-get >/dev/null; then
		echo "idle_cpu.sh: installing htop (the reference point) with apt-get" >&2
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends htop; } \
			</dev/null >/dev/null 2>&1 || true
	fi
	command -v htop >/dev/null || {
		have_htop=0
		echo "idle_cpu.sh: htop is not installed (apt-get install htop): no reference point" >&2
	}
fi

dir=$(mktemp -d /tmp/synctop-bench-XXXXXX)
chmod 755 "$dir"
sock=synctop-bench-$$
tmx() { env -i PATH="$PATH" HOME="${HOME:-/}" LC_ALL=C.UTF-8 tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
	tmx kill-server >/dev/null 2>&1 || true
	"$top/tests/stack/stack.sh" down "$dir/stack" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
"$top/tests/stack/stack.sh" up "$dir/stack" >/dev/null
# shellcheck disable=SC1091
. "$dir/stack/env"
export PGDATABASE=synctop

# Four pipelines: an outbox of 10,000 rows (200 pending) and a slot nobody consumes, each.
psql -X -q -v ON_ERROR_STOP=1 -f "$top/share/sql/outbox.sql"
for i in 1 2 3 4; do
	psql -X -q -v ON_ERROR_STOP=1 \
		-c "SELECT pg_create_logical_replication_slot('bench_slot_$i', 'test_decoding')" >/dev/null
done
{
	echo "[synctop]"
	echo "environment = bench"
	echo "interval = 1s"
	echo
	echo "[postgres shop]"
	echo "conninfo = host=$PGHOST port=$PGPORT dbname=synctop user=postgres"
	for i in 1 2 3 4; do
		psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE outbox_$i (LIKE outbox INCLUDING ALL);
INSERT INTO outbox_$i (aggregate_type, aggregate_id, event_type, processed, processed_at, created_at)
SELECT 'product', g::text, 'updated', g > 200, now(), now() - (g || ' ms')::interval
FROM generate_series(1, 10000) g;
VACUUM ANALYZE outbox_$i;
SQL
		echo
		echo "[pipeline p$i]"
		echo "outbox = shop"
		echo "outbox.table = public.outbox_$i"
		echo "slot = shop"
		echo "slot.names = bench_slot_$i"
	done
} >"$dir/bench.conf"

ticks() { # PID: utime + stime of the whole process, in clock ticks
	local f
	read -r -a f <"/proc/$1/stat" 2>/dev/null || { echo 0; return; }
	# Fields after "(comm)": state is field 3, utime 14, stime 15; comm has no space here.
	echo $((f[13] + f[14]))
}
pg_ticks() { # the PostgreSQL server: the postmaster and every child
	local t=0 p
	for p in "$SYNCTOP_PG_PID" $(pgrep -P "$SYNCTOP_PG_PID"); do
		t=$((t + $(ticks "$p")))
	done
	echo "$t"
}
hz=$(getconf CLK_TCK)
pct() { awk -v t="$1" -v hz="$hz" -v us="$2" 'BEGIN { printf "%.2f", 100 * t / hz / (us / 1e6) }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

tmx new-session -d -s _keep -x 120 -y 40 'sleep 86400'
tmx set-option -g default-shell /bin/sh
term=screen-256color
infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color
tmx set-option -g default-terminal "$term"

echo "idle CPU, $runs run(s) of $seconds s: synctop (4 pipelines x outbox+slot, interval 1s, 120x40)"
echo "beside htop -d 10 (refresh 1 s), both in tmux; % of one core (utime+stime, CLK_TCK=$hz)"
s_all=() h_all=() p_all=()
for ((r = 1; r <= runs; r++)); do
	tmx new-session -d -s synctop -x 120 -y 40 \
		"exec env -u LC_ALL LANG=C.UTF-8 TZ=UTC $(printf '%q' "$synctop") -c $(printf '%q' "$dir/bench.conf")"
	((have_htop)) && tmx new-session -d -s htop -x 120 -y 40 'exec env -u LC_ALL LANG=C.UTF-8 htop -d 10'
	spid=$(tmx display-message -p -t synctop '#{pane_pid}')
	hpid=
	((have_htop)) && hpid=$(tmx display-message -p -t htop '#{pane_pid}')
	sleep 3 # past start-up: the first polls, the connections, htop's first scan
	s0=$(ticks "$spid")
	h0=0
	[[ -n $hpid ]] && h0=$(ticks "$hpid")
	p0=$(pg_ticks)
	w0=${EPOCHREALTIME//[!0-9]/}
	sleep "$seconds"
	s1=$(ticks "$spid")
	h1=0
	[[ -n $hpid ]] && h1=$(ticks "$hpid")
	p1=$(pg_ticks)
	w1=${EPOCHREALTIME//[!0-9]/}
	us=$((w1 - w0))
	if ! tmx capture-pane -p -t synctop | grep -q '┌─ p4 '; then
		echo "idle_cpu.sh: synctop's screen does not show the pipelines; it said:" >&2
		tmx capture-pane -p -t synctop >&2
		exit 1
	fi
	s_all+=("$(pct $((s1 - s0)) "$us")")
	p_all+=("$(pct $((p1 - p0)) "$us")")
	if [[ -n $hpid ]]; then
		h_all+=("$(pct $((h1 - h0)) "$us")")
		printf 'run %d: synctop %6s %%   htop %6s %%   PostgreSQL %6s %%\n' "$r" "${s_all[-1]}" "${h_all[-1]}" "${p_all[-1]}"
	else
		printf 'run %d: synctop %6s %%   PostgreSQL %6s %%\n' "$r" "${s_all[-1]}" "${p_all[-1]}"
	fi
	tmx kill-session -t synctop
	((have_htop)) && tmx kill-session -t htop
done
s_med=$(printf '%s\n' "${s_all[@]}" | median)
p_med=$(printf '%s\n' "${p_all[@]}" | median)
printf 'median of %d: synctop %s %% of a core' "$runs" "$s_med"
if ((have_htop)); then
	h_med=$(printf '%s\n' "${h_all[@]}" | median)
	printf ', htop %s %%, ratio synctop/htop %s' "$h_med" \
		"$(awk -v a="$s_med" -v b="$h_med" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
fi
printf '; PostgreSQL serving the polls %s %%\n' "$p_med"
bench_target 6 "idle CPU of the screen, interval 1s, 4 pipelines (median of $runs x $seconds s)" \
	"$s_med % of a core$( ((have_htop)) && echo " (htop -d 10: $h_med %)")" "< 0.5 %" "$(bench_met "$s_med" '<' 0.5)"
