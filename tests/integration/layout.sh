#!/usr/bin/env bash
# layout.sh: the layout of the tree (issue 13). tests/tests.am lists the test files on disk, and
# the rules of tests/layout.py hold: no #include circle in src/, no C file over 800 lines, no
# kind named outside src/kinds/ and the tests, src/ui/ never includes a src/backend/ header, a
# probe never includes curses. Each violation is a failed test that names the file. Needs no
# server.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

runs_no_c
require_cmd python3

# Known violations, each a test marked TODO: it fails as XFAIL without failing the run; once
# fixed it passes as XPASS, which fails the run: then delete its line here. Key: CHECK FILE.
declare -A TODO=()

# The generated lists first: a test or a kind's file added, removed or renamed without
# make update-lists.
ok "tests/tests.am lists the tests on disk (else: make update-lists)" \
	"$top_srcdir/tests/gen-tests.sh" "$top_srcdir" --check
ok "src/kinds/kinds.am lists the kinds' files on disk (else: make update-lists)" \
	"$top_srcdir/src/kinds/gen-kinds.sh" "$top_srcdir" --check

found=$(python3 "$top_srcdir/tests/layout.py" "$top_srcdir")
rc=$?
is "$rc" 0 "tests/layout.py ran"
is "$(sed -n 's/^# //p' <<<"$found" | tr '\n' ' ')" "circle module-circle long kind-name ui-backend probe-curses " \
	"tests/layout.py ran every check"

# todo_result PASSED DESC REASON: a TAP result marked TODO (lib.sh's counter).
todo_result() {
	_tap_n=$((_tap_n + 1))
	if (($1)); then
		printf 'ok %d - %s # TODO %s\n' "$_tap_n" "$2" "$3"
		diag "$2: fixed; delete its line from TODO in tests/integration/layout.sh"
	else
		printf 'not ok %d - %s # TODO %s\n' "$_tap_n" "$2" "$3"
	fi
}

declare -A seen=()
check() { # CHECK DESC
	local check=$1 desc=$2 file what bad=0 key
	while IFS=$'\t' read -r c file what; do
		[[ $c == "$check" ]] || continue
		key="$check $file"
		seen[$key]=1
		if [[ -n ${TODO[$key]+x} ]]; then
			todo_result 0 "$desc: $file: $what" "${TODO[$key]}"
		else
			_tap_result 0 "$desc: $file: $what"
			bad=1
		fi
	done <<<"$found"
	for key in "${!TODO[@]}"; do
		[[ ${key%% *} == "$check" && -z ${seen[$key]+x} ]] || continue
		todo_result 1 "$desc: ${key#* }" "${TODO[$key]}"
	done
	((bad)) || _tap_result 1 "$desc"
}

check circle "no #include circle in src/"
check module-circle "no circle among the modules of src/ (a .c with its .h)"
check long "no C file over 800 lines"
check kind-name "no kind named outside src/kinds/ and tests/"
check ui-backend "src/ui/ includes no src/backend/ header"
check probe-curses "no probe includes curses or src/ui/"

done_testing
