#!/usr/bin/env bash
# soak.sh: the screen over a long run (issue 18, item 7). The demo (contrib/demo.sh) runs on its
# screen in tmux, as an operator starts it; every minute a fault of `contrib/demo.sh fault list`
# is injected (cycling through them), and cleared half a minute later. Every 10 s synctop's
# resident memory (VmRSS of /proc/PID/status), its open file descriptors (/proc/PID/fd) and its
# CPU (utime + stime) are sampled. The first sample is taken after a warm-up (WARMUP seconds,
# default 60, --quick 5: the windows' history fills as samples arrive, which is not a leak).
# Prints each sample, then RSS at start, end and max, its growth (target < 1 MB), the fds at
# start and end (target: flat) and the CPU in % of one core. Figures, never pass/fail; not
# part of make check.
#   bench/soak.sh [--minutes N] [--quick]     (default 30 minutes; --quick: 1 minute)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
minutes=30 warmup=${WARMUP:-60}
while (($#)); do
	case $1 in
	--quick) minutes=1 warmup=${WARMUP:-5} ;;
	--minutes)
		minutes=${2:-}
		shift
		;;
	*) bench_die "unknown argument '$1' (soak.sh [--minutes N] [--quick])" ;;
	esac
	shift
done
[[ $minutes =~ ^[1-9][0-9]*$ ]] || bench_die "--minutes takes whole minutes >= 1"
export SYNCTOP=${SYNCTOP:-$top/synctop}
[[ -x $SYNCTOP && -x $top/contrib/synctop-relay ]] ||
	bench_die "build first (make; make tests/stack/kafka_mock)"
command -v tmux >/dev/null || bench_die "tmux is required"
work=$(mktemp -d /tmp/synctop-bench-soak.XXXXXX)
chmod 755 "$work" # the stack's PostgreSQL runs as postgres when we are root
export XDG_RUNTIME_DIR=$work XDG_STATE_HOME=$work/state # never a developer's running demo
sock=synctop-soak-$$
tmx() { env -i PATH="$PATH" HOME="${HOME:-/}" LC_ALL=C.UTF-8 tmux -L "$sock" -f /dev/null "$@"; }
demo() { "$top/contrib/demo.sh" "$@"; }
cleanup() {
	demo fault clear >/dev/null 2>&1 || true
	tmx send-keys -t demo q 2>/dev/null || true
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -s $work/synctop-demo-$(id -u).state ]] || break
		sleep 0.1
	done
	tmx kill-server 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

bench_demo_screen || bench_die "the demo did not start"

# synctop's pid: the process called synctop under the demo's shell in the pane.
shell=$(tmx display-message -p -t demo '#{pane_pid}')
pid=
for ((i = 0; i < 300; i++)); do
	pid=$(pgrep -P "$shell" -x synctop | head -n 1) || true
	[[ -n $pid ]] && break
	sleep 0.1
done
[[ -n $pid ]] || bench_die "synctop did not start on the demo's screen"

mapfile -t faults < <(demo fault list | awk '{ print $1 }')
((${#faults[@]})) || bench_die "contrib/demo.sh fault list names no fault"
hz=$(getconf CLK_TCK)
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
fds() { find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
ticks() {
	local f
	read -r -a f <"/proc/$pid/stat"
	echo $((f[13] + f[14])) # utime, stime (synctop's comm has no space)
}
alive() { kill -0 "$pid" 2>/dev/null; }

sleep "$warmup"
alive || bench_die "synctop exited during the warm-up"
echo "soak: the demo's screen (160x50, interval 1s) for $minutes minute(s) after a ${warmup} s warm-up;"
echo "a fault injected at each minute and cleared 30 s later, cycling through: ${faults[*]}"
printf '%8s  %-28s %10s %6s %8s\n' "t (s)" "fault" "RSS (KiB)" "fds" "CPU %"
rss0=$(rss_kb) fd0=$(fds) c0=$(ticks) w0=$(bench_us)
rss_max=$rss0 rss_end=$rss0 fd_end=$fd0 c_prev=$c0 w_prev=$w0
printf '%8d  %-28s %10d %6d %8s\n' 0 "-" "$rss0" "$fd0" "-"
injected='-' n=0 t=0
end=$((minutes * 60))
while ((t < end)); do
	# The schedule: at each minute a fault, at its half the clear; a sample every 10 s.
	if ((t % 60 == 0)); then
		name=${faults[n % ${#faults[@]}]}
		n=$((n + 1))
		demo fault "$name" >/dev/null 2>&1 || echo "soak: injecting $name failed" >&2
		injected="$name (injected)"
	elif ((t % 60 == 30)); then
		demo fault clear >/dev/null 2>&1 || echo "soak: clearing failed" >&2
		injected="${injected%% *} (cleared)"
	fi
	# Sleep to the next 10 s mark, measured from the start (the demo's commands take time).
	t=$((t + 10))
	left=$((w0 + t * 1000000 - $(bench_us)))
	((left > 0)) && sleep "$(awk -v us="$left" 'BEGIN { printf "%.3f", us / 1e6 }')"
	alive || bench_die "synctop exited at $t s (a crash?); the screen: $(tmx capture-pane -p -t demo | tail -n 5)"
	rss_end=$(rss_kb) fd_end=$(fds) c=$(ticks) w=$(bench_us)
	((rss_end > rss_max)) && rss_max=$rss_end
	printf '%8d  %-28s %10d %6d %8.2f\n' "$t" "$injected" "$rss_end" "$fd_end" \
		"$(awk -v t=$((c - c_prev)) -v hz="$hz" -v us=$((w - w_prev)) 'BEGIN { print 100 * t / hz / (us / 1e6) }')"
	c_prev=$c w_prev=$w
done
demo fault clear >/dev/null 2>&1 || true
cpu=$(awk -v t=$((c_prev - c0)) -v hz="$hz" -v us=$((w_prev - w0)) 'BEGIN { printf "%.2f", 100 * t / hz / (us / 1e6) }')
growth=$((rss_end - rss0))
growth_mb=$(awk -v k="$growth" 'BEGIN { printf "%.2f", k / 1024 }')
echo
printf 'RSS: start %d KiB, end %d KiB, max %d KiB: growth %+d KiB (%s MiB; target < 1 MB)\n' \
	"$rss0" "$rss_end" "$rss_max" "$growth" "$growth_mb"
printf 'open fds: start %d, end %d (target: flat)\n' "$fd0" "$fd_end"
printf 'CPU: %s %% of one core over %d minute(s), %d fault(s) injected and cleared\n' "$cpu" "$minutes" "$n"
bench_target 7 "soak ${minutes} min: RSS growth (start $rss0 KiB, max $rss_max KiB)" "$growth_mb MiB" "< 1 MB" \
	"$(bench_met "$growth" '<' 1024)"
bench_target 7 "soak ${minutes} min: open fds start -> end" "$fd0 -> $fd_end" "flat" \
	"$( ((fd_end <= fd0)) && echo met || echo "not met")"
bench_target 7 "soak ${minutes} min: CPU, faults every minute" "$cpu % of a core" "-" "n/a"
