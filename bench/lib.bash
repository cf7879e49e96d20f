# shellcheck shell=bash
# lib.bash: what the bench scripts share (sourced; named .bash, not .sh, because bench/run.sh
# runs every bench/*.sh).
#
#   bench_target ITEM WHAT FIGURE TARGET VERDICT
#                        one line of the issue's targets into the file $BENCH_TARGETS names
#                        (nothing when it is unset): ITEM<TAB>WHAT<TAB>FIGURE<TAB>TARGET<TAB>VERDICT
#   bench_met A OP B     prints "met" when A OP B holds (OP: < <= > >=), else "not met";
#                        "n/a" when A or B is not a number
#   bench_median         the median of the numbers on stdin, one a line (mean of the middle two)
#   bench_p99            their 99th percentile (nearest rank: the largest of fewer than 100)
#   bench_us             now, in microseconds
#   bench_die MESSAGE    "SCRIPT: MESSAGE" on stderr, exit 1
#   bench_demo_screen    the demo (contrib/demo.sh) on its screen, 160x50, in the tmux session
#                        "demo" of the caller's tmx function, with the caller's XDG_RUNTIME_DIR,
#                        XDG_STATE_HOME, SYNCTOP and $top; returns once it runs (false after 60 s)

bench_target() {
	[[ -n ${BENCH_TARGETS:-} ]] || return 0
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$BENCH_TARGETS"
}

bench_met() {
	awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {
		if (a !~ /^-?[0-9.]+$/ || b !~ /^-?[0-9.]+$/) { print "n/a"; exit }
		a += 0; b += 0
		ok = (op == "<") ? a < b : (op == "<=") ? a <= b : (op == ">") ? a > b : a >= b
		print ok ? "met" : "not met" }'
}

bench_median() {
	sort -n | awk '{ a[NR] = $1 } END {
		if (NR == 0) { print "n/a"; exit }
		printf "%.1f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

bench_p99() {
	sort -n | awk '{ a[NR] = $1 } END {
		if (NR == 0) { print "n/a"; exit }
		i = int(NR * 0.99); if (i < NR * 0.99) i++
		printf "%.1f\n", a[i] }'
}

bench_us() {
	echo "${EPOCHREALTIME//[!0-9]/}"
}

bench_die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

bench_demo_screen() {
	tmx new-session -d -s demo -x 160 -y 50 \
		"$(printf '%q ' env LANG=C.UTF-8 TZ=UTC XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
			XDG_STATE_HOME="$XDG_STATE_HOME" SYNCTOP="$SYNCTOP" PATH="$PATH" "$top/contrib/demo.sh")"
	local i state
	state=$XDG_RUNTIME_DIR/synctop-demo-$(id -u).state
	for ((i = 0; i < 600; i++)); do
		[[ -s $state ]] && return 0
		sleep 0.1
	done
	return 1
}
