#!/usr/bin/env bash
# cli.sh: the command line and config errors; needs no server (nothing gets polled).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# Every config error is one line on stderr that starts with FILE:LINE:.
# shellcheck disable=SC2317 # called through ok
starts_with() { [[ $1 == "$2"* ]]; }

run_synctop --help
is "$RUN_RC" 0 "--help exits 0"
like "$RUN_OUT" '--once' "--help mentions --once"

run_synctop --version
is "$RUN_RC" 0 "--version exits 0"
like "$RUN_OUT" '(^|[^0-9.])0\.1\.0([^0-9.]|$)' "--version prints 0.1.0"
is "$(printf '%s\n' "$RUN_OUT" | sed -n '2,$s/:.*//p' | tr '\n' ' ')" \
	"postgres kafka redis search connect http mongodb exporter zstd " \
	"--version: one line per backend, in order, then the exporter's and zstd's"
like "$RUN_OUT" $'\nzstd: (libzstd [0-9]+\\.[0-9]+\\.[0-9]+ \\(--record FILE\\.zst\\)|not built \\(--with-zstd\\))' \
	"--version: the zstd line names libzstd, or says it is not built"
like "$RUN_OUT" $'\nexporter: (libmicrohttpd [0-9]+\\.[0-9]+\\.[0-9]+ \\(--serve\\)(, https)?|not built \\(--with-microhttpd\\))' \
	"--version: the exporter line names libmicrohttpd, or says it is not built"
like "$RUN_OUT" $'\nredis: (hiredis [0-9]+\\.[0-9]+\\.[0-9]+ \\(cache\\), rediss:// (tls|no-tls)|not built)' \
	"--version: the redis line names hiredis and TLS"
like "$RUN_OUT" $'\nsearch: (libcurl [0-9]+\\.[0-9]+\\.[0-9]+ \\(search\\), (https|no-https)|not built \\(--with-search\\))' \
	"--version: the search line names libcurl, or says it is not built"
like "$RUN_OUT" $'\nconnect: (libcurl [0-9]+\\.[0-9]+\\.[0-9]+ \\(connector\\), (https|no-https)|not built \\(--with-search\\))' \
	"--version: the connect line names libcurl, or says it is not built"
is "$(sed -n 's/^search: libcurl //p' <<<"$RUN_OUT" | cut -d' ' -f1)" "$(sed -n 's/^connect: libcurl //p' <<<"$RUN_OUT" | cut -d' ' -f1)" \
	"--version: search and connect run on the same libcurl"
like "$RUN_OUT" $'\nhttp: (libcurl [0-9]+\\.[0-9]+\\.[0-9]+ \\(graph, timeseries\\), (https|no-https)|not built \\(--with-search\\))' \
	"--version: the http line names libcurl and its kinds, or says it is not built"
like "$RUN_OUT" $'\nmongodb: (libmongoc [0-9]+\\.[0-9]+\\.[0-9]+ \\(document\\)|not built \\(--with-mongoc\\))' \
	"--version: the mongodb line names libmongoc, or says it is not built"
version_out=$RUN_OUT

run_synctop --no-such-option
is "$RUN_RC" 3 "an unknown option exits 3"
is "$(count_lines "$RUN_ERR")" 1 "an unknown option: one line on stderr"
like "$RUN_ERR" 'no-such-option' "an unknown option: stderr names it"

good=$TEST_TMP/good.conf
printf '[synctop]\ntimeout = 1s\n' >"$good"

# usage_error DESC MESSAGE: the last run was a usage error: exit 3, MESSAGE as the one line on stderr.
usage_error() {
	is "$RUN_RC" 3 "$1: exits 3"
	is "$RUN_ERR" "$2" "$1: the one line on stderr"
	is "$RUN_OUT" "" "$1: nothing on stdout"
}

# Every option is read before any is acted on: --help does not hide a mistake after it.
run_synctop --help --bogus
usage_error "--help --bogus" "synctop: unknown option '--bogus' (see synctop --help)"
run_synctop --help --once -c "$good"
is "$RUN_RC" 0 "--help with valid options exits 0"
like "$RUN_OUT" '^usage: synctop' "--help with valid options prints the usage"
run_synctop --version --bogus
usage_error "--version --bogus" "synctop: unknown option '--bogus' (see synctop --help)"

# libmongoc makes /dev/shm/mongoc-PID before main (src/backend/mongo_shm.c). One that a killed
# process left, found by the next process given its PID, put the driver's warning on stderr
# ("WARNING: mongoc: Falling back to malloc for counters.", a CI run); and a process killed
# leaves none behind.
if grep -q '^mongodb: libmongoc' <<<"$version_out"; then
	shm_err=$(bash -c ': >"/dev/shm/mongoc-$$"; exec "$1" --version --bogus' _ "$SYNCTOP" 2>&1 >/dev/null)
	is "$shm_err" "synctop: unknown option '--bogus' (see synctop --help)" \
		"a stale /dev/shm/mongoc-PID: stderr holds synctop's one line, no driver warning"
	printf '[postgres down]\nconninfo = host=127.0.0.1 port=1 connect_timeout=1\n[pipeline p]\noutbox = down\n' \
		>"$TEST_TMP/shm.conf"
	between_polls true
	"$SYNCTOP" -c "$TEST_TMP/shm.conf" --once --once-window 30 --record "$POLLS_REC" >/dev/null 2>&1 &
	shm_pid=$!
	wait "$writer"
	ok "the run that is killed has polled once" grep -qs '"type":"round"' "$POLLS_REC"
	ok "a run past its first poll: no /dev/shm/mongoc-PID" test ! -e "/dev/shm/mongoc-$shm_pid"
	kill -9 "$shm_pid"
	wait "$shm_pid" 2>/dev/null || true
	ok "a run killed -9: no /dev/shm/mongoc-PID left" test ! -e "/dev/shm/mongoc-$shm_pid"
else
	for t in "a stale /dev/shm/mongoc-PID" "a run past its first poll" "a run killed -9"; do
		skip "$t" "built without libmongoc"
	done
fi

run_synctop --version --once
usage_error "--version --once" "synctop: --version goes alone (--once does not go with it)"
run_synctop -V --list-keys
usage_error "-V --list-keys" "synctop: -V and --list-keys do not go together (see synctop --help)"
run_synctop --list-metrics --once
usage_error "--list-metrics --once" "synctop: --list-metrics goes alone (--once does not go with it)"
run_synctop --list-metrics
is "$RUN_RC:$(grep -c '^\.B synctop_' <<<"$RUN_OUT")" "0:12" \
	"--list-metrics: exit 0, the 9 families every snapshot has and the canary's 3"
run_synctop --list-options -c "$good"
usage_error "--list-options -c" "synctop: --list-options goes alone (-c does not go with it)"

run_synctop -c ''
usage_error "-c ''" "synctop: -c: empty file name (give the config file's path)"
run_synctop --config= --once
usage_error "--config=" "synctop: -c: empty file name (give the config file's path)"

# The screen's options do not go with --once (nor with a pipe, where synctop prints a snapshot).
for opt in --wallboard '--interval 5s' --ascii; do
	# shellcheck disable=SC2086 # $opt is an option and its value
	run_once -c "$good" $opt
	usage_error "--once $opt" "synctop: ${opt%% *} is for the screen and does not go with --once"
	# shellcheck disable=SC2086
	run_synctop -c "$good" $opt
	usage_error "$opt into a pipe" \
		"synctop: ${opt%% *} is for the screen, and standard output is not a terminal (use --once for a snapshot)"
done
run_once -c "$good" --read-only --once-window 0
is "$RUN_RC" 0 "--once --read-only is fine (a snapshot writes nothing anyway)"

# The snapshot's options need --once on a terminal, where the screen would ignore them
# (into a pipe synctop prints a snapshot, so they count there).
run_tty() { # ARGS...: synctop on a pseudo-terminal; RUN_RC, RUN_ERR (stdout and stderr together)
	local cmd
	cmd=$(printf '%q ' timeout -k 5 "$RUN_TIMEOUT" "$SYNCTOP" "$@")
	RUN_ERR=$(script -qec "$cmd" /dev/null </dev/null 2>&1 | tr -d '\r')
	RUN_RC=${PIPESTATUS[0]}
	RUN_OUT=
}
if command -v script >/dev/null; then
	run_tty -c "$good" --format json
	usage_error "--format without --once on a terminal" \
		"synctop: --format goes with --once (the screen has no use for it)"
	run_tty -c "$good" --once-window 2s
	usage_error "--once-window without --once on a terminal" \
		"synctop: --once-window goes with --once (the screen has no use for it)"
	run_tty -c "$good" --sample
	usage_error "--sample without --once on a terminal" \
		"synctop: --sample goes with --once (on the screen, key t samples)"
	run_tty -c "$good" --output "$TEST_TMP/snap.prom"
	usage_error "--output without --once on a terminal" \
		"synctop: --output goes with --once (the screen has no use for it)"
else
	skip "--format/--once-window/--sample on a terminal" "script(1) is not installed"
fi
run_synctop -c "$good" --format json --once-window 0
is "$RUN_RC" 0 "--format json into a pipe (a snapshot) exits 0"
json_is .status ok "--format json into a pipe prints JSON"

# The log file is created 0600 whatever the umask (an existing one keeps its mode).
logconf=$TEST_TMP/log.conf
printf '[synctop]\ntimeout = 1s\nlog_file = %s\n' "$TEST_TMP/synctop.log" >"$logconf"
(umask 022 && exec timeout -k 5 "$RUN_TIMEOUT" "$SYNCTOP" --once --once-window 0 -c "$logconf" >/dev/null 2>&1)
is "$(stat -c %a "$TEST_TMP/synctop.log" 2>&1)" 600 "log_file: created 0600 under umask 022"
printf '[synctop]\ntimeout = 1s\nlog_file = %s\n' "$TEST_TMP/old.log" >"$logconf"
: >"$TEST_TMP/old.log" && chmod 640 "$TEST_TMP/old.log"
run_once -c "$logconf" --once-window 0
is "$(stat -c %a "$TEST_TMP/old.log" 2>&1)" 640 "log_file: an existing file keeps its mode"

# A FIFO, a directory or a device as log_file or as a *_file secret: refused at once, with
# FILE:LINE and the path (a FIFO used to hang the start; timeout turns a hang into exit 124).
mkfifo "$TEST_TMP/fifo"
for target in "$TEST_TMP/fifo" "$TEST_TMP" /dev/zero; do
	case $target in
	*/fifo) why='not a regular file (a FIFO)' ;;
	/dev/zero) why='not a regular file (a character device)' ;;
	*) why='Is a directory' ;;
	esac
	printf '[synctop]\ntimeout = 1s\nlog_file = %s\n' "$target" >"$logconf"
	RUN_TIMEOUT=10 run_once -c "$logconf" --once-window 0
	is "$RUN_RC" 3 "log_file = $target: exits 3 (no hang)"
	is "$RUN_ERR" "$logconf:3: log_file: cannot write to $target: $why" "log_file = $target: FILE:LINE and the path"
	if [[ $("$SYNCTOP" --version) == *$'\nredis: hiredis'* ]]; then
		printf '[redis r]\nurl = redis://127.0.0.1:1\npassword_file = %s\n' "$target" >"$logconf"
		RUN_TIMEOUT=10 run_once -c "$logconf" --once-window 0
		is "$RUN_RC" 3 "password_file = $target: exits 3 (no hang)"
		is "$RUN_ERR" "$logconf:3: password_file: cannot read $target: $why" \
			"password_file = $target: FILE:LINE and the path"
	else
		skip "password_file = $target" "built without redis"
	fi
done

run_once -c "$good" --format yaml
is "$RUN_RC" 3 "--format yaml exits 3"
is "$(count_lines "$RUN_ERR")" 1 "--format yaml: one line on stderr"
like "$RUN_ERR" yaml "--format yaml: stderr names the format"

run_once -c "$good" --once-window abc
is "$RUN_RC" 3 "--once-window abc exits 3"
is "$(count_lines "$RUN_ERR")" 1 "--once-window abc: one line on stderr"

run_once -c "$TEST_TMP/no-such-file.conf"
is "$RUN_RC" 3 "a missing config file exits 3"
like "$RUN_ERR" 'no-such-file\.conf' "a missing config file: stderr names it"

# An unknown key in [synctop] (line 3), and one in a pipeline (line 8): did you mean.
bad=$TEST_TMP/typo.conf
cat >"$bad" <<'CONF'
[synctop]
timeout = 1s
tiemout = 2s
CONF
run_once -c "$bad" --once-window 0
is "$RUN_RC" 3 "unknown key: exit code 3"
is "$(count_lines "$RUN_ERR")" 1 "unknown key: one line on stderr"
ok "unknown key: stderr starts with FILE:3:" starts_with "$RUN_ERR" "$bad:3:"
like "$RUN_ERR" '[Dd]id you mean' "unknown key: did-you-mean"
like "$RUN_ERR" "[^a-z]timeout" "unknown key: suggests timeout"

# The checks below need the postgres stage; a build without it refuses [postgres shop] at
# its line, and says so.
if [[ $("$SYNCTOP" --version) == *$'\npostgres: libpq'* ]]; then
	have_pg=1
else
	have_pg=0
fi
built_without_pg() { # DESC: the last run refused the [postgres shop] of line 4
	is "$RUN_RC" 3 "$1 (built without postgres): exit code 3"
	is "$RUN_ERR" "$bad:4: synctop was built without PostgreSQL support (configure --with-postgres)" \
		"$1 (built without postgres): FILE:4: and the configure option"
}

cat >"$bad" <<'CONF'
[synctop]
timeout = 1s

[postgres shop]
conninfo = host=/nonexistent dbname=synctop

[pipeline products]
outbox = shop
outbox.tabel = public.outbox
CONF
run_once -c "$bad" --once-window 0
if ((have_pg)); then
	is "$RUN_RC" 3 "unknown pipeline key: exit code 3"
	ok "unknown pipeline key: stderr starts with FILE:9:" starts_with "$RUN_ERR" "$bad:9:"
	like "$RUN_ERR" 'outbox\.table' "unknown pipeline key: suggests outbox.table"
else
	built_without_pg "unknown pipeline key"
fi

# A pipeline naming a connection that is not defined: the error points at the line.
cat >"$bad" <<'CONF'
[synctop]
timeout = 1s

[postgres shop]
conninfo = host=/nonexistent dbname=synctop

[pipeline products]
outbox = nosuch
CONF
run_once -c "$bad" --once-window 0
if ((have_pg)); then
	is "$RUN_RC" 3 "missing connection: exit code 3"
	is "$(count_lines "$RUN_ERR")" 1 "missing connection: one line on stderr"
	ok "missing connection: stderr starts with FILE:8:" starts_with "$RUN_ERR" "$bad:8:"
	like "$RUN_ERR" nosuch "missing connection: stderr names it"
else
	built_without_pg "missing connection"
fi

# --serve [ADDR:]PORT: the address is read with the options, before any config.
run_synctop --serve abc
usage_error "--serve abc" "synctop: --serve: bad port in 'abc' (use [ADDR:]PORT, e.g. 9187 or 127.0.0.1:9187)"
run_synctop --serve 127.0.0.1:65536
usage_error "--serve 127.0.0.1:65536" "synctop: --serve: bad port in '127.0.0.1:65536' (use [ADDR:]PORT, e.g. 9187 or 127.0.0.1:9187)"
run_synctop --serve ::1:9187
usage_error "--serve ::1:9187" "synctop: --serve: bad address '::1:9187' (an IPv6 address goes in brackets: [::1]:9187)"
run_synctop --serve localhost:9187
usage_error "--serve localhost:9187" "synctop: --serve: bad address 'localhost' in 'localhost:9187' (a numeric IPv4 address, or IPv6 in brackets: 127.0.0.1:9187, [::1]:9187)"
run_synctop --serve 9187 --once
usage_error "--serve 9187 --once" "synctop: --once does not go with --serve"
run_synctop --serve :9187 --format json
usage_error "--serve :9187 --format json" "synctop: --format does not go with --serve"
run_synctop --serve :9187 --output "$TEST_TMP/x.prom"
usage_error "--serve :9187 --output FILE" "synctop: --output does not go with --serve"
if [[ $("$SYNCTOP" --version) == *$'\nexporter: not built'* ]]; then
	run_synctop --serve 9187 -c /nonexistent
	usage_error "--serve, built without libmicrohttpd" \
		"synctop: --serve: synctop was built without the exporter (libmicrohttpd; configure --with-microhttpd)"
fi

done_testing
