#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets of tests/fuzz with clang (ASan, UBSan, coverage: the
# library's sources are compiled again for that, into $FUZZ_DIR) and runs each for a bounded
# time. Run by `make fuzz`, which passes the build's flags:
#
#   FUZZ_TARGETS       the targets (tests/fuzz/fuzz_NAME.c, seeds in tests/fuzz/NAME/seed)
#   FUZZ_SECONDS       how long each runs (default 30); FUZZ_JOBS: how many at a time (default 1)
#   FUZZ_CC            the compiler (default clang); FUZZ_DIR: where it builds and runs
#   FUZZ_LIB_SOURCES   the library's sources; FUZZ_CPPFLAGS, FUZZ_LIB_CFLAGS, FUZZ_LIBS: flags
#
# Prints one line per target, "PASS: fuzz NAME: RUNS runs in S s (R exec/s, C corpus)" or
# "FAIL: fuzz NAME: ..." with the end of its log, then "fuzz: N passed, N failed". A crash input
# is kept as $FUZZ_DIR/NAME/crash-*: copy it into tests/fuzz/NAME/regress/, where make check
# replays it (tests/fuzz/replay.c), and fix the cause.
set -euo pipefail

srcdir=$(cd "${1:-.}" && pwd)
FUZZ_CC=${FUZZ_CC:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
FUZZ_JOBS=${FUZZ_JOBS:-1}
FUZZ_DIR=${FUZZ_DIR:-$PWD/fuzz-build}
read -ra targets <<<"${FUZZ_TARGETS:?FUZZ_TARGETS is not set: run make fuzz}"
read -ra lib_cflags <<<"${FUZZ_CPPFLAGS:-} ${FUZZ_LIB_CFLAGS:-}"
read -ra libs <<<"${FUZZ_LIBS:-}"

command -v "$FUZZ_CC" >/dev/null || {
	printf 'fuzz.sh: %s not found (Debian: apt-get install clang libclang-rt-14-dev)\n' "$FUZZ_CC" >&2
	exit 2
}
san=('-fsanitize=address,undefined' -fno-sanitize-recover=all -fno-omit-frame-pointer)
cflags=(-std=c11 -pthread -g -O1 -Wall -Wextra -Wno-unused-parameter "${san[@]}")

# The library, instrumented for coverage: rebuilt when a source or header is newer than it.
mkdir -p "$FUZZ_DIR/obj"
lib=$FUZZ_DIR/libsynctop-fuzz.a
sources=()
for f in ${FUZZ_LIB_SOURCES:?FUZZ_LIB_SOURCES is not set}; do
	[[ $f == *.c ]] && sources+=("$f")
done
stale=0
if [[ ! -f $lib ]]; then
	stale=1
else
	newer=$(find "$srcdir/src" "$srcdir/tests/fuzz" -newer "$lib" \( -name '*.c' -o -name '*.h' \) | head -n 1)
	[[ -z $newer ]] || stale=1
fi
if ((stale)); then
	printf '==> fuzz: compiling %d library sources with %s\n' "${#sources[@]}" "$FUZZ_CC"
	rm -f "$FUZZ_DIR"/obj/*.o "$lib"
	n=0 bad=0
	for f in "${sources[@]}"; do
		"$FUZZ_CC" "${cflags[@]}" -fsanitize=fuzzer-no-link "${lib_cflags[@]}" -c "$srcdir/$f" \
			-o "$FUZZ_DIR/obj/$(tr / _ <<<"${f%.c}").o" &
		if ((++n >= $(nproc))); then
			wait -n || bad=1
			n=$((n - 1))
		fi
	done
	while ((n-- > 0)); do wait -n || bad=1; done
	((bad == 0)) || {
		printf 'fuzz.sh: compiling the library failed\n' >&2
		exit 2
	}
	ar cr "$lib" "$FUZZ_DIR"/obj/*.o
fi
for t in "${targets[@]}"; do
	bin=$FUZZ_DIR/fuzz_$t
	if [[ ! -x $bin || $lib -nt $bin || $srcdir/tests/fuzz/fuzz_$t.c -nt $bin ]]; then
		printf '==> fuzz: building fuzz_%s\n' "$t"
		"$FUZZ_CC" "${cflags[@]}" -fsanitize=fuzzer "${lib_cflags[@]}" -I"$srcdir/tests/fuzz" \
			"$srcdir/tests/fuzz/fuzz_$t.c" "$lib" "${libs[@]}" -lm -o "$bin"
	fi
done

# One run: the new inputs go to $FUZZ_DIR/NAME/corpus, the seeds and regressions are read only.
run_one() {
	local t=$1 dir=$FUZZ_DIR/$1 opts=() dirs=()
	rm -rf "$dir/crash-"* "$dir/leak-"* "$dir/timeout-"* "$dir/oom-"*
	mkdir -p "$dir/corpus"
	[[ -f $srcdir/tests/fuzz/$t.dict ]] && opts+=(-dict="$srcdir/tests/fuzz/$t.dict")
	[[ -d $srcdir/tests/fuzz/$t/regress ]] && dirs+=("$srcdir/tests/fuzz/$t/regress")
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=print_stacktrace=1 \
		"$FUZZ_DIR/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -max_len=8192 -artifact_prefix="$dir/" "${opts[@]}" \
		"$dir/corpus" "$srcdir/tests/fuzz/$t/seed" "${dirs[@]}" </dev/null >"$dir.log" 2>&1
}
stat_of() { # NAME STAT: a number from libFuzzer's final stats
	sed -n "s/^stat::$2: *//p" "$FUZZ_DIR/$1.log" | tail -n 1
}

printf '==> fuzz: %s, %s s each, %s at a time\n' "${targets[*]}" "$FUZZ_SECONDS" "$FUZZ_JOBS"
declare -A rc
running=0
for t in "${targets[@]}"; do
	mkdir -p "$FUZZ_DIR/$t"
	(run_one "$t" && echo 0 >"$FUZZ_DIR/$t.rc" || echo $? >"$FUZZ_DIR/$t.rc") &
	running=$((running + 1))
	if ((running >= FUZZ_JOBS)); then
		wait -n || true
		running=$((running - 1))
	fi
done
wait
passed=0 failed=0
for t in "${targets[@]}"; do
	rc[$t]=$(cat "$FUZZ_DIR/$t.rc" 2>/dev/null || echo 1)
	runs=$(stat_of "$t" number_of_executed_units)
	speed=$(stat_of "$t" average_exec_per_sec)
	crash=$(find "$FUZZ_DIR/$t" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
		-o -name 'oom-*' \) -print -quit)
	if [[ ${rc[$t]} == 0 && -z $crash && -n $runs ]]; then
		passed=$((passed + 1))
		printf 'PASS: fuzz %s: %s runs in %s s (%s exec/s, %s in the corpus)\n' "$t" "$runs" "$FUZZ_SECONDS" \
			"$speed" "$(find "$FUZZ_DIR/$t/corpus" "$srcdir/tests/fuzz/$t" -type f | wc -l)"
	else
		failed=$((failed + 1))
		printf 'FAIL: fuzz %s (exit %s)%s; last 40 lines of %s:\n' "$t" "${rc[$t]}" \
			"${crash:+; the input is $crash: copy it into tests/fuzz/$t/regress/ and fix the cause}" "$FUZZ_DIR/$t.log"
		tail -n 40 "$FUZZ_DIR/$t.log"
	fi
done
printf 'fuzz: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
