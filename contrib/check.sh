#!/usr/bin/env bash
# check.sh: the README's test command. On Debian bookworm: installs the packages that are
# missing (as root; otherwise prints the apt-get line and exits 1), builds with warnings as
# errors, runs `make check` (unit and integration tests) against one local stack of real
# servers, and ends with the line "N passed, N failed". Exits non-zero if anything failed.
#
# SYNCTOP_CHECK_TIMEOUT (seconds, default 3000) bounds the test run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=contrib/lib-build.sh
. "$here/lib-build.sh"
cd "$SYNCTOP_ROOT"

synctop_packages_ensure || exit 1

if ! synctop_build; then
	printf 'check.sh: the build failed\n'
	printf '0 passed, 1 failed\n'
	exit 1
fi

# The stack's Kafka mock is a test program: built before the stack starts so that the whole
# suite shares one mock (a build without Kafka has no such target, and no Kafka service).
if grep -q '^#define HAVE_KAFKA 1' autoconfig.h 2>/dev/null; then
	make -j"$(nproc)" tests/stack/kafka_mock tests/stack/kafka_tool >/dev/null ||
		printf 'check.sh: building the Kafka mock failed; Kafka tests will start their own\n'
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# One stack for the whole suite: the integration tests find it through SYNCTOP_PG_*.
# --foreground: on timeout only stack.sh gets the TERM, and it tears down in order.
printf '==> tests/stack/stack.sh run -- make check\n'
set +e
timeout --foreground --kill-after=60 "${SYNCTOP_CHECK_TIMEOUT:-3000}" \
	tests/stack/stack.sh run -- make check AM_COLOR_TESTS=no 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e

# automake's summary: "# PASS:  12" and so on.
count() {
	grep -E "^# $1: +[0-9]+\$" "$out" | tail -n 1 | grep -oE '[0-9]+$' || echo 0
}
passed=$(count PASS)
failed=$(($(count FAIL) + $(count ERROR) + $(count XPASS)))
skipped=$(count SKIP)

# The end of each failing test's log, so that a CI log alone tells what went wrong.
mapfile -t bad < <(grep -E '^(FAIL|ERROR|XPASS): ' "$out" | awk '{ print $2 }' | sort -u)
for t in "${bad[@]}"; do
	log=${t%.sh}.log
	[[ -f $log ]] || continue
	printf '\n==> last 60 lines of %s\n' "$log"
	tail -n 60 "$log"
done

if ! grep -q '^# TOTAL:' "$out"; then
	# No summary (a build error, a timeout): count the results that were printed, plus one
	# failure for the run that did not finish.
	printf '\ncheck.sh: make check ended (status %d) before the test summary\n' "$rc"
	passed=$(grep -cE '^PASS: ' "$out" || true)
	failed=$(($(grep -cE '^(FAIL|ERROR|XPASS): ' "$out" || true) + 1))
elif ((rc != 0 && failed == 0)); then
	printf '\ncheck.sh: make check exited with status %d though no test failed\n' "$rc"
	failed=1
fi
# The release tarball must build and pass on its own: one more check, counted as one test.
printf '\n==> make distcheck\n'
if timeout 900 make distcheck AM_COLOR_TESTS=no >distcheck.log 2>&1; then
	passed=$((passed + 1))
	printf 'PASS: make distcheck\n'
else
	failed=$((failed + 1))
	printf 'FAIL: make distcheck; last 40 lines of distcheck.log:\n'
	tail -n 40 distcheck.log
fi

((skipped == 0)) || printf '%d skipped\n' "$skipped"
printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
