#!/usr/bin/env bash
# check.sh: the README's test command. On Debian bookworm: installs the packages that are
# missing (as root; otherwise prints the apt-get line and exits 1), builds with warnings as
# errors, runs `make check` (unit and integration tests, several at a time, each with its own
# local servers; then the few that time synctop, one at a time against one local stack of real
# servers), then `make distcheck`, and ends with the line "N passed, N failed". Exits non-zero
# if anything failed.
#
#   contrib/check.sh          the stages suite and distcheck
#   contrib/check.sh --ci     (or CI=true; what .ci/run does) also: sanitizers (the whole suite
#                             again, built with clang, ASan+UBSan, -fno-sanitize-recover=all, in a
#                             copy of the tree), minimal (a build --without-kafka --without-redis
#                             --without-search --without-mongoc --without-microhttpd and its make check), fuzz
#                             (each libFuzzer target of tests/fuzz for 20 s, two at a time)
#                             The fault matrix then runs in the sanitizers stage only, and
#                             demo.sh, demo_formats.sh and secrets.sh in the suite only.
#
# Every test case of every stage counts in the last line; a stage that fails prints the end of
# its logs; a table of the stages' times comes before the last line.
# SYNCTOP_CHECK_STAGES (e.g. "sanitizers fuzz") runs only those stages; SYNCTOP_CHECK_TIMEOUT
# (seconds, default 3000) bounds each test run; SUITE_JOBS (default twice the cores) the tests
# at a time; FUZZ_SECONDS (default 20 here) each fuzzer.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=contrib/lib-build.sh
. "$here/lib-build.sh"
cd "$SYNCTOP_ROOT"

ci=0
[[ ${1:-} == --ci || ${CI:-} == true ]] && ci=1
if ((ci)); then
	stages=(suite distcheck sanitizers minimal fuzz)
else
	stages=(suite distcheck)
fi
[[ -z ${SYNCTOP_CHECK_STAGES:-} ]] || read -ra stages <<<"$SYNCTOP_CHECK_STAGES"

SYNCTOP_CI_TOOLS=$ci synctop_packages_ensure || exit 1

work=$(mktemp -d /tmp/synctop-check.XXXXXX)
chmod 755 "$work" # PostgreSQL runs as its own user: it must reach the copies' test directories
trap 'early_stop; rm -rf "$work"' EXIT

passed=0 failed=0 skipped=0
timings=()
# "STAGE: TEST: its first failed case", the failing tests of each stage, listed again by the last lines: a CI
# log cut to its start and end still names them.
failed_tests=() failed_context=()

# A copy of the source tree in DIR, to configure and build out of the way of the in-place
# build: what git tracks when this is a clone, else the distribution's files.
copy_tree() {
	mkdir -p "$1"
	if git -C "$SYNCTOP_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$SYNCTOP_ROOT" ls-files -z | tar -C "$SYNCTOP_ROOT" --null -T - -cf - | tar -C "$1" -xf -
	else
		make -C "$SYNCTOP_ROOT" distdir distdir="$1" >/dev/null
	fi
}

# suite DIR LABEL: `make check` in the built tree DIR, in two runs: every test but the
# serial_tests, SUITE_JOBS at a time (default twice the cores), each test with its own servers
# (lib.sh starts them when no stack is given, as in distcheck); then the serial_tests one at a
# time against one stack of real servers (the integration tests find it through SYNCTOP_PG_*
# and the like). Adds the test cases of both to the counts and prints the end of each failing
# test's log. One at a time, the tests mostly waited on their servers, windows and sleeps: the
# suite took 16 minutes of the CI run's 30; four at a time, 3.6 minutes on 2 cores (163% CPU).
# The serial ones time what synctop does (keys within 50 ms, a scrape, valgrind's run, a deadline
# against an endless reply that takes a core: hostile_limits.sh missed its 2 s under ASan with
# three other tests) or need the stack (test_pg_batch), and are not slowed by the others.
serial_tests=(tests/integration/faults.sh tests/integration/secrets.sh tests/integration/serve.sh
	tests/integration/valgrind.sh tests/integration/hostile_limits.sh tests/unit/test_pg_batch)
suite() {
	local dir=$1 label=$2 out=$work/$2.out rc rc1 rc2 jobs=${SUITE_JOBS:-$(($(nproc) * 2))}
	# The test programs, on every core (make check alone builds them one at a time), before
	# the stack starts: the stack's Kafka mock is one of them (a build without Kafka has no
	# such program, and no Kafka service). No test runs here (TESTS=); a program that fails to
	# build fails in make check below, with its error.
	make -C "$dir" -j"$(nproc)" check TESTS= >/dev/null 2>&1 ||
		printf 'check.sh: %s: building the test programs failed; make check will say why\n' "$label"
	# The build's own tests (a build without a backend has fewer), with or without the serial ones.
	# shellcheck disable=SC2016 # make expands them
	local all='$(UNIT_TESTS) $(INTEGRATION_TESTS) $(FUZZ_REPLAY)' serial="${serial_tests[*]}"
	printf '==> %s: make -j%d check, all but %s (at %d s)\n' "$label" "$jobs" "$serial" "$SECONDS"
	set +e
	(cd "$dir" && timeout --kill-after=60 "${SYNCTOP_CHECK_TIMEOUT:-3000}" \
		make -j"$jobs" check AM_COLOR_TESTS=no TESTS="\$(filter-out $serial,$all)") 2>&1 | tee "$out"
	rc1=${PIPESTATUS[0]}
	# --foreground: on timeout only stack.sh gets the TERM, and it tears down in order.
	printf '==> %s: tests/stack/stack.sh run -- make check, one at a time: %s (at %d s)\n' "$label" "$serial" \
		"$SECONDS"
	(cd "$dir" && timeout --foreground --kill-after=60 "${SYNCTOP_CHECK_TIMEOUT:-3000}" \
		tests/stack/stack.sh run -- make check AM_COLOR_TESTS=no TESTS="\$(filter $serial,$all)") 2>&1 |
		tee -a "$out"
	rc2=${PIPESTATUS[0]}
	set -e
	rc=$((rc1 != 0 ? rc1 : rc2))

	# automake's summaries, one a run: "# PASS:  12" and so on.
	count() {
		grep -E "^# $1: +[0-9]+\$" "$out" | grep -oE '[0-9]+$' | awk '{ n += $1 } END { print n + 0 }'
	}
	local p f s
	p=$(count PASS)
	f=$(($(count FAIL) + $(count ERROR) + $(count XPASS)))
	s=$(count SKIP)

	# The end of each failing test's log, so that a CI log alone tells what went wrong.
	local -a bad
	mapfile -t bad < <(grep -E '^(FAIL|ERROR|XPASS): ' "$out" | awk '{ print $2 }' | sort -u)
	local t log
	for t in "${bad[@]}"; do
		log=$dir/${t%.sh}.log
		# With its first failed case, e.g. "not ok 12 - the headline names the slot".
		failed_tests+=("$label: $t: $(grep -m1 -E '^(not ok|Bail out)' "$log" 2>/dev/null | cut -c1-160 || true)")
		# And the test's own words around it (a diag before, "got"/"expected" after), the
		# automake PASS/FAIL echoes left out.
		failed_context+=("$label: $t:" "$(grep -vE '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS): ' "$log" 2>/dev/null |
			grep -m1 -B4 -A6 -E '^(not ok|Bail out)' | cut -c1-200 | sed 's/^/    /' || true)")
		[[ -f $log ]] || continue
		printf '\n==> %s: last 60 lines of %s\n' "$label" "${t%.sh}.log"
		tail -n 60 "$log"
	done

	if (($(grep -c '^# TOTAL:' "$out") != 2)); then
		# A summary missing (a build error, a timeout): count the results that were printed,
		# plus one failure for the run that did not finish.
		printf '\ncheck.sh: %s: make check ended (status %d, %d) before the test summary\n' "$label" "$rc1" "$rc2"
		p=$(grep -cE '^PASS: ' "$out" || true)
		f=$(($(grep -cE '^(FAIL|ERROR|XPASS): ' "$out" || true) + 1))
	elif ((rc != 0 && f == 0)); then
		printf '\ncheck.sh: %s: make check exited with status %d though no test failed\n' "$label" "$rc"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '==> %s: %d passed, %d failed, %d skipped (at %d s)\n' "$label" "$p" "$f" "$s" "$SECONDS"
}

# copy_build DIR LABEL CONFIGURE-ARGS...: a copy of the tree in DIR, configured and built, its
# test programs too; the output goes to $work/LABEL.build.log.
copy_build() {
	local dir=$1 label=$2
	shift 2
	(copy_tree "$dir" && cd "$dir" && mkdir -p m4 && autoreconf -fi && ./configure "$@" &&
		make -j"$(nproc)" && make -j"$(nproc)" check TESTS=) >"$work/$label.build.log" 2>&1
}

# Builds for the later stages start with the run, in the background at the lowest priority
# (SCHED_IDLE, else nice 19): they compile while the suite's tests wait on their servers and
# sleeps (a core is often idle then), and a test's process that wakes up takes the core at
# once (faults.sh times keys to 50 ms).
# early LABEL CMD ARGS...: CMD ARGS in the background so; early_pid[LABEL] is its process.
declare -A early_pid=()
early() {
	local label=$1
	shift
	(
		chrt --idle -p 0 "$BASHPID" >/dev/null 2>&1 || renice -n 19 -p "$BASHPID" >/dev/null
		"$@"
	) &
	early_pid[$label]=$!
}

# early_wait LABEL: waits for the early job LABEL; its status.
early_wait() {
	local pid=${early_pid[$1]} rc=0
	unset "early_pid[$1]"
	wait "$pid" || rc=$?
	return "$rc"
}

# early_stop: ends the early jobs still running (check.sh ended before their stage) and what
# they started.
early_stop() {
	local pid
	for pid in "${early_pid[@]}"; do
		kill_tree "$pid"
	done
}
kill_tree() {
	local child
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		kill_tree "$child"
	done
	kill "$1" 2>/dev/null || true
}

# build_copy DIR LABEL CONFIGURE-ARGS...: copy_build, or the end of the early one; a failure
# counts as one failed test and prints the end of the build log.
build_copy() {
	local dir=$1 label=$2 rc=0
	shift 2
	printf '==> %s: a copy of the tree in %s: ./configure %s\n' "$label" "$dir" "$*"
	if [[ -n ${early_pid[$label]:-} ]]; then
		early_wait "$label" || rc=$?
	else
		copy_build "$dir" "$label" "$@" || rc=$?
	fi
	if ((rc != 0)); then
		printf 'FAIL: %s: the build failed; last 40 lines of its log:\n' "$label"
		tail -n 40 "$work/$label.build.log"
		failed=$((failed + 1))
		failed_tests+=("$label: the build")
		return 1
	fi
}

stage_suite() {
	if ! synctop_build; then
		printf 'check.sh: the build failed\n'
		failed=$((failed + 1))
		return
	fi
	early_fuzz
	early_shellcheck
	# With the sanitizers stage in the run, the fault matrix (faults.sh: 2 minutes of
	# deadlines and intervals) runs there only, on the same sources built stricter: each test
	# runs once in a CI run, in the build that tells most (see stage_sanitizers for the reverse).
	if [[ " ${stages[*]} " == *" sanitizers "* ]]; then
		SYNCTOP_SKIP_FAULTS=1 suite "$SYNCTOP_ROOT" suite
	else
		suite "$SYNCTOP_ROOT" suite
	fi
}

# The minute of CPU of tests/integration/shellcheck.sh, early (its test waits for done and reads the findings).
early_shellcheck() {
	export SYNCTOP_SHELLCHECK_EARLY=$work/shellcheck
	mkdir -p "$SYNCTOP_SHELLCHECK_EARLY"
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	early shellcheck bash -c 'SYNCTOP_SHELLCHECK_PRODUCE=1 top_srcdir="$1" bash "$1/tests/integration/shellcheck.sh"
		: >"$2/done"' _ "$SYNCTOP_ROOT" "$SYNCTOP_SHELLCHECK_EARLY" >"$work/shellcheck.log" 2>&1
}

# The release tarball must build and pass on its own: one more check, counted as one test.
# dist_complete checks that it holds every file git tracks, so its tests are the suite's on
# the same files; what distcheck adds is the build out of the source tree, a read-only source
# tree, install and uninstall. Those are checked by the unit tests, the fuzz corpora's replays
# and the integration tests in distcheck_tests, which read the tree's shared files (the SQL, the
# schema, the man pages, the stand-ins, the Kafka mock, the replay's SQL) from the read-only
# copy. The whole suite again took 4 of the CI run's 30 minutes; what only distcheck found was
# a unit test's skip without a stack, and the unit tests all run here. make -j: the build on
# every core, and the tests as many at a time (each starts its own servers here: no stack).
# shellcheck disable=SC2016 # make expands them, in the tarball's build
distcheck_tests='$(UNIT_TESTS) $(FUZZ_REPLAY)'
for t in cli docs outbox search json_schema kafka_groups redis action_replay; do
	distcheck_tests+=" tests/integration/$t.sh"
done
stage_distcheck() {
	printf '\n==> make distcheck\n'
	[[ -f Makefile ]] || synctop_build >/dev/null
	if timeout 900 make -j"$(nproc)" distcheck TESTS="$distcheck_tests" AM_COLOR_TESTS=no >distcheck.log 2>&1 &&
		dist_complete; then
		passed=$((passed + 1))
		printf 'PASS: make distcheck\n'
	else
		failed=$((failed + 1))
		failed_tests+=("distcheck: make distcheck")
		printf 'FAIL: make distcheck; last 40 lines of distcheck.log:\n'
		tail -n 40 distcheck.log
	fi
}

# dist_complete: in a git clone, every file git tracks is in the tarball distcheck made, but
# git's own files and m4/'s placeholder; the missing ones go to distcheck.log.
dist_complete() {
	git rev-parse --is-inside-work-tree >/dev/null 2>&1 || return 0
	local tarball missing
	tarball=$(sed -n 's/^PACKAGE_TARNAME = //p' Makefile)-$(sed -n 's/^VERSION = //p' Makefile).tar.gz
	missing=$(comm -23 <(git ls-files | grep -vxE '\.gitignore|m4/\.gitkeep' | sort) \
		<(tar -tzf "$tarball" | sed 's|^[^/]*/||' | sort))
	[[ -z $missing ]] && return 0
	printf 'dist_complete: %s lacks these files git tracks (add them to EXTRA_DIST):\n%s\n' \
		"$tarball" "$missing" >>distcheck.log
	return 1
}

# The whole suite again, built with clang, AddressSanitizer and UndefinedBehaviorSanitizer:
# the first report ends the program (configure's --enable-sanitizers), the leak report at exit
# included (tests/lsan.supp names what is suppressed, and why).
# A 16 MB quarantine of freed memory (256 by default): the suite bounds synctop's resident size
# (faults.sh: 256 MiB; 417 MiB with the default under the endless reply, 78 MiB so).
# The tests that run no C program (SYNCTOP_ONLY_C: shellcheck, the stand-ins', the layout's) check
# the same scripts as the first suite: skipped here. So are demo.sh (80 s, nine faults read by
# --once snapshots) and demo_formats.sh (70 s, the formats of three states): the sanitized demo
# runs in demo_keys.sh and demo_fix.sh, which fix faults through the screen and the action
# command, and the snapshots' code runs in every other test (the formats' in format_*.sh).
# So is secrets.sh (60 s, most of it waiting on screens): it reads what synctop prints, which a
# sanitizer does not change; the redaction runs sanitized in fuzz redact and in every other
# test's output. The fault matrix (faults.sh) runs here and not in the suite stage, where
# the faults' paths (lost connections, endless replies, hung servers) meet ASan: a CI run was
# 1829 s with secrets.sh here, 1801 s without, both over the 30 minutes the run must keep to.
sanitizers_configure=(CC=clang --enable-werror --enable-sanitizers)
stage_sanitizers() {
	build_copy "$work/sanitizers" sanitizers "${sanitizers_configure[@]}" || return 0
	ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:quarantine_size_mb=16 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SYNCTOP_ONLY_C=1 SYNCTOP_SKIP_TESTS='demo.sh demo_formats.sh secrets.sh' \
		suite "$work/sanitizers" sanitizers
}

# The smallest build: PostgreSQL alone. Its tests must pass too (none may assume a backend).
minimal_configure=(--enable-werror --without-kafka --without-redis --without-search --without-mongoc --without-microhttpd)
stage_minimal() {
	build_copy "$work/minimal" minimal "${minimal_configure[@]}" || return 0
	SYNCTOP_ONLY_C=1 suite "$work/minimal" minimal
}

# Each fuzz target for FUZZ_SECONDS (20), two at a time (during the suite stage when it runs:
# early_fuzz); each target is one test. 20 s is a
# smoke test of each submission, as 30 and 60 s were: 1e5 (config) to 2.7e6 (units) runs a
# target (5,000 to 134,000 exec/s on 2 busy cores), which finds the shallow bugs. The keyspace
# overflow that fuzzing found in the INFO parser, put back, took 378, 69,627 and 204,158 runs
# with three random seeds: within 20 s (105,000 runs) or 30 s in two trials of three, within
# 60 s in three; 20 s keeps the whole CI run under its 30 minutes (1787 s with 30 s). Each
# CI run is a fresh trial, and tests/fuzz/NAME/regress keeps what one finds; deep bugs take
# campaigns of hours (make fuzz FUZZ_SECONDS=3600).
stage_fuzz() {
	local out=$work/fuzz.out
	if [[ -n ${early_pid[fuzz]:-} ]]; then
		# It ran in the suite stage (early_fuzz): its status is in the counts below.
		early_wait fuzz || true
		cat "$out"
	else
		[[ -f Makefile ]] || synctop_build >/dev/null
		set +e
		fuzz_run 2>&1 | tee "$out"
		set -e
	fi
	local p f
	p=$(grep -cE '^PASS: fuzz ' "$out" || true)
	f=$(grep -cE '^FAIL: fuzz ' "$out" || true)
	# No line per target: the build failed.
	grep -q '^fuzz: [0-9]* passed' "$out" || f=$((f + 1))
	((f == 0)) || failed_tests+=("fuzz: $(grep -oE '^FAIL: fuzz [a-z_]+' "$out" | cut -d' ' -f3 | tr '\n' ' ' || true)")
	passed=$((passed + p)) failed=$((failed + f))
}

fuzz_run() {
	make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-20}" FUZZ_JOBS="${FUZZ_JOBS:-2}"
}

# The fuzzers, built and run early once the tree is configured (by the suite stage), at the
# lowest priority: the suite's tests mostly wait on their servers and sleeps, and the two
# fuzzers take the idle cores (they ran 87 s as a stage of their own, at the end).
early_fuzz() {
	[[ " ${stages[*]} " == *" fuzz "* ]] || return 0
	early fuzz fuzz_run >"$work/fuzz.out" 2>&1
}

for st in "${stages[@]}"; do
	declare -F "stage_$st" >/dev/null || {
		printf 'check.sh: no stage %s (there are: suite distcheck sanitizers minimal fuzz)\n' "$st" >&2
		exit 2
	}
done
# The copies' builds, early (see early); not when they are the first stage: nothing to overlap.
for st in "${stages[@]:1}"; do
	case $st in
	sanitizers) early sanitizers copy_build "$work/sanitizers" sanitizers "${sanitizers_configure[@]}" ;;
	minimal) early minimal copy_build "$work/minimal" minimal "${minimal_configure[@]}" ;;
	esac
done

for st in "${stages[@]}"; do
	t0=$SECONDS p0=$passed f0=$failed
	"stage_$st"
	timings+=("$(printf '%-11s %5d s %6d passed %4d failed' "$st" $((SECONDS - t0)) $((passed - p0)) \
		$((failed - f0)))")
done

if ((${#failed_context[@]})); then
	printf '\n==> the first failed case of each failing test, in context\n'
	printf '%s\n' "${failed_context[@]}"
fi
printf '\n==> stages\n'
printf '  %s\n' "${timings[@]}"
printf '  %-11s %5d s\n' total "$SECONDS"
((${#failed_tests[@]} == 0)) || printf 'failed: %s\n' "${failed_tests[@]}"
((skipped == 0)) || printf '%d skipped\n' "$skipped"
printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
