#!/usr/bin/env bash
# Test shellcheck.sh (a comment starting with the tool's name would be a directive): every
# shell script of the repository is shellcheck-clean at its default severity (style notes
# included): one test per script, so that a new finding names its file.
# Needs no server; skipped when shellcheck is not installed, and when SYNCTOP_SKIP_SHELLCHECK=1 or
# SYNCTOP_ONLY_C=1 (contrib/check.sh sets the latter for the copies of the tree it tests again:
# same scripts).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

runs_no_c
require_cmd shellcheck
[[ ${SYNCTOP_SKIP_SHELLCHECK:-0} != 1 ]] || skip_all "SYNCTOP_SKIP_SHELLCHECK=1: these scripts are checked elsewhere"
cd "$top_srcdir" || bail_out "cannot enter $top_srcdir"

# The scripts: what git tracks when the tree is a clone, else (a release tarball) every *.sh but
# automake's own and the build trees', and .ci/run; of git's list, also any other file that
# starts with a shell's #!.
scripts=()
if [[ $(git rev-parse --show-toplevel 2>/dev/null) == "$PWD" ]]; then
	mapfile -t files < <(git ls-files)
	for f in "${files[@]}"; do
		[[ -f $f ]] || continue
		if [[ $f == *.sh || $f == .ci/run ]] || head -n 1 "$f" | grep -qE '^#!.*[/ ](ba|da)?sh( |$)'; then
			scripts+=("$f")
		fi
	done
else
	mapfile -t scripts < <(find . \( -path ./build-aux -o -path ./_build -o -path ./_inst -o \
		-path './synctop-*' \) -prune -o -type f -name '*.sh' -print | sed 's|^\./||' | sort)
	[[ -f .ci/run ]] && scripts+=(.ci/run)
fi
between "${#scripts[@]}" 30 1000 "the repository's shell scripts are found (${#scripts[@]})"

# A few scripts a run, a run per core (-x: each follows what it sources, with the paths of its
# "# shellcheck source=" directives relative to the top of the tree): 53 s in one run, 34 s so.
# SYNCTOP_SHELLCHECK_EARLY=DIR: contrib/check.sh ran this part (the same list, the same command)
# in the background at the start of the suite, at idle priority, into DIR (scripts, findings,
# rc; check.sh adds done when the run ended, whatever its end): 2 minutes of CPU that the
# suite's waiting tests leave idle. The test waits for done (up to 10 minutes) and reads them.
# run_shellcheck: every script checked, the findings on stdout; status 0, or 123 with findings.
# A test script (tests/integration/*.sh but the libraries) is checked without the files it
# sources: each of them sources lib.sh, whose analysis with its own sources took 4 to 8 s a
# script, 5 minutes of CPU for the suite's 100 tests, longer than the rest of the parallel
# suite on CI's 2 cores. The libraries are checked once each, with what they source. What a
# test cannot see of lib.sh then is what it assigns (SC2154) and what it sets for lib.sh to
# read (SC2034), so those two are left out for the tests alone.
run_shellcheck() {
	local -a libs=() tests=()
	local f rc=0
	for f in "${scripts[@]}"; do
		if [[ $f == tests/integration/*.sh && $f != tests/integration/lib.sh && $f != *_lib.sh ]]; then
			tests+=("$f")
		else
			libs+=("$f")
		fi
	done
	printf '%s\0' "${libs[@]}" | xargs -0 -P"$(nproc)" -n4 shellcheck -x -f gcc || rc=$?
	printf '%s\0' "${tests[@]}" |
		xargs -0 -P"$(nproc)" -n8 shellcheck --norc -e SC1091,SC2154,SC2034 -f gcc || rc=$?
	return "$rc"
}

early=${SYNCTOP_SHELLCHECK_EARLY:-}
if [[ -n $early && ${SYNCTOP_SHELLCHECK_PRODUCE:-0} == 1 ]]; then
	mkdir -p "$early" || exit 1
	printf '%s\n' "${scripts[@]}" >"$early/scripts"
	run_shellcheck >"$early/findings" 2>&1
	echo $? >"$early/rc"
	exit 0
fi
if [[ -n $early ]]; then
	for ((i = 0; i < 6000; i++)); do
		[[ ! -f $early/done ]] || break
		sleep 0.1
	done
	ok "the early run of contrib/check.sh finished ($early/done)" test -f "$early/done"
	is "$(cat "$early/scripts" 2>/dev/null)" "$(printf '%s\n' "${scripts[@]}")" \
		"the early run checked the same scripts"
	cp "$early/findings" "$TEST_TMP/findings" 2>/dev/null || : >"$TEST_TMP/findings"
	rc=$(cat "$early/rc" 2>/dev/null || echo 2)
else
	run_shellcheck >"$TEST_TMP/findings" 2>&1
	rc=$?
fi
# xargs: 0 when every run was clean, 123 when one found something (exit 1); else shellcheck failed.
ok "shellcheck ran (xargs exit 0 or 123, not $rc)" test "$rc" = 0 -o "$rc" = 123
for f in "${scripts[@]}"; do
	found=$(awk -F: -v f="$f" '$1 == f' "$TEST_TMP/findings")
	is "$(grep -c . <<<"$found")" 0 "shellcheck: $f" || diag "$found"
done
# A finding in a file not listed above (a script it sources from elsewhere) still counts.
is "$(wc -l <"$TEST_TMP/findings")" 0 "shellcheck: no finding at all" || diag "$(head -n 40 "$TEST_TMP/findings")"

done_testing
