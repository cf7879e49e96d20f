#!/usr/bin/env bash
# Test shellcheck.sh (a comment starting with the tool's name would be a directive): every
# shell script of the repository is shellcheck-clean at its default severity (style notes
# included): one test per script, so that a new finding names its file.
# Needs no server; skipped when shellcheck is not installed.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd shellcheck
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

# One run over all of them: a sourced library is checked with the scripts that source it
# (# shellcheck source=... paths are relative to the top of the tree).
shellcheck -f gcc "${scripts[@]}" >"$TEST_TMP/findings" 2>&1
rc=$?
ok "shellcheck ran (exit 0 or 1, not $rc)" test "$rc" -le 1
for f in "${scripts[@]}"; do
	found=$(awk -F: -v f="$f" '$1 == f' "$TEST_TMP/findings")
	is "$(grep -c . <<<"$found")" 0 "shellcheck: $f" || diag "$found"
done
# A finding in a file not listed above (a script it sources from elsewhere) still counts.
is "$(wc -l <"$TEST_TMP/findings")" 0 "shellcheck: no finding at all" || diag "$(head -n 40 "$TEST_TMP/findings")"

done_testing
