# shellcheck shell=bash
# lib.sh: what every integration test sources: TAP output, a PostgreSQL to test against,
# and helpers to run synctop and inspect what it printed.
#
# TAP:    plan N | ok DESC CMD... | is GOT WANT DESC | isnt GOT WANT DESC | like GOT ERE DESC
#         unlike GOT ERE DESC | between NUM LO HI DESC | skip DESC WHY | diag MSG...
#         skip_all WHY | bail_out WHY | done_testing (prints 1..N if no plan; exits 1 if any failed)
#         runs_no_c: this test runs none of the tree's C programs: skipped when SYNCTOP_ONLY_C=1
# Stack:  need_pg: use the running stack (SYNCTOP_PG_PORT set, e.g. by stack.sh run) or start
#         a private server torn down at exit; fresh_db NAME; psql_synctop ARGS; psql_admin ARGS;
#         pg_up_extra: one more throwaway server (EXTRA_PG_PORT, EXTRA_PG_PID, EXTRA_PG_DIR)
# Kafka:  need_kafka: use the running stack's mock cluster (SYNCTOP_KAFKA_BOOTSTRAP and
#         SYNCTOP_KAFKA_CTL set) or start a private one torn down at exit; skips the whole test
#         when tests/stack/kafka_mock or kafka_tool is not built. kafka_ctl CMD (down ID, up ID,
#         rtt ID MS, topic NAME PARTITIONS; ID -1 = all): prints the mock's answer, fails unless
#         "ok". ktool ARGS: tests/stack/kafka_tool -b the mock ARGS (produce, commit, committed,
#         end, watermarks). mkconf_kafka FILE [PIPELINE-LINE...]: a config with the kafka
#         connection `main` and the pipeline `orders` (MKCONF_TIMEOUT, MKCONF_BROKERS,
#         MKCONF_KAFKA_EXTRA: lines added to [kafka main]).
# Redis:  need_redis: use the running stack's server (SYNCTOP_REDIS_PORT set) or start a private
#         one torn down at exit; skips the whole test when redis-server is not installed.
#         rcli ARGS: redis-cli -p $SYNCTOP_REDIS_PORT ARGS. redis_up_extra: one more throwaway
#         server (EXTRA_REDIS_PORT, EXTRA_REDIS_PID, EXTRA_REDIS_DIR). mkconf_redis FILE
#         [PIPELINE-LINE...]: a config with the redis connection `sessions` and the pipeline
#         `web`: `cache = sessions` then PIPELINE-LINE... (MKCONF_TIMEOUT, MKCONF_REDIS_URL,
#         MKCONF_REDIS_EXTRA: lines added to [redis sessions]).
# Search: need_search: use the running stack's Elasticsearch stand-in (SYNCTOP_SEARCH_URL set)
#         or start a private one torn down at exit; skips the whole test when /usr/bin/python3
#         is missing. scurl PATH [CURL-ARGS...]: curl -sS --max-time 5 (JSON content type) on
#         $SYNCTOP_SEARCH_URL/PATH, prints the body. search_up_extra: one more throwaway
#         stand-in, given SYNCTOP_SEARCH_ARGS (e.g. auth) (EXTRA_SEARCH_URL, EXTRA_SEARCH_PORT,
#         EXTRA_SEARCH_PID, EXTRA_SEARCH_DIR).
# Graph:  need_graph: use the running stack's Neo4j Query API stand-in (SYNCTOP_GRAPH_URL set)
#         or start a private one torn down at exit (the same skip without python3).
#         graph_up_extra: one more throwaway stand-in, given SYNCTOP_GRAPH_ARGS (EXTRA_GRAPH_URL,
#         EXTRA_GRAPH_PORT, EXTRA_GRAPH_PID, EXTRA_GRAPH_DIR).
# synctop: run_synctop ARGS / run_once ARGS (adds --once) set RUN_OUT RUN_ERR RUN_RC RUN_MS;
#         jqr FILTER (jq -r over RUN_OUT); json_is FILTER WANT DESC; json_ok FILTER DESC;
#         mkconf FILE [PIPELINE-LINE...]; at_exit CMD ARGS... (cleanups, last-in first-out)
# Schema: every --once JSON snapshot a run_synctop prints is kept (keep_snapshot FILE keeps
#         another); snapshots_valid: one TAP test, every snapshot kept since its last call
#         matches share/synctop-snapshot.schema.json. done_testing calls it when snapshots are
#         left unchecked (a test with a plan calls it itself, counted in its plan: else
#         done_testing fails). json_validate FILE...: that check alone (errors on stderr).
# Paths:  $top_srcdir, $top_builddir, $SYNCTOP (absolute), $TEST_TMP (a private directory
#         removed at exit).

set -uo pipefail

top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
SYNCTOP=${SYNCTOP:-./synctop}
[[ $SYNCTOP == /* ]] || SYNCTOP=$PWD/$SYNCTOP
export top_srcdir top_builddir SYNCTOP

# shellcheck source=tests/stack/pg.sh
. "$top_srcdir/tests/stack/pg.sh"
# shellcheck source=tests/stack/kafka.sh
. "$top_srcdir/tests/stack/kafka.sh"
# shellcheck source=tests/stack/redis.sh
. "$top_srcdir/tests/stack/redis.sh"
# shellcheck source=tests/stack/search.sh
. "$top_srcdir/tests/stack/search.sh"
# shellcheck source=tests/stack/influx.sh
. "$top_srcdir/tests/stack/influx.sh"
# shellcheck source=tests/stack/graph.sh
. "$top_srcdir/tests/stack/graph.sh"

# Nothing from the caller's environment may steer psql or synctop: keep only the variables
# of the stack we were given (stack.sh run exports SYNCTOP_PG_*; PG* are derived from them).
pg__unset_env
export LC_ALL=C.UTF-8 TZ=UTC

# ----------------------------------------------------------------------
# TAP
# ----------------------------------------------------------------------
_tap_n=0
_tap_failed=0
_tap_plan=
_tap_shown_run=0

plan() {
	_tap_plan=$1
	echo "1..$1"
}

diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

# After a failed check, show once what the last synctop run printed: that is usually the why.
_tap_show_run() {
	((_tap_shown_run)) && return 0
	[[ -n ${RUN_CMD:-} ]] || return 0
	_tap_shown_run=1
	diag "last run: $RUN_CMD"
	diag "exit $RUN_RC after $RUN_MS ms; stdout:"
	diag "${RUN_OUT:0:4000}"
	diag "stderr:"
	diag "${RUN_ERR:0:2000}"
}

_tap_result() { # PASSED DESC
	_tap_n=$((_tap_n + 1))
	if (($1)); then
		printf 'ok %d - %s\n' "$_tap_n" "$2"
	else
		_tap_failed=$((_tap_failed + 1))
		printf 'not ok %d - %s\n' "$_tap_n" "$2"
	fi
	return $((!$1))
}

# ok DESC CMD [ARGS...]: passes when CMD succeeds.
ok() {
	local desc=$1
	shift
	if "$@"; then
		_tap_result 1 "$desc"
	else
		_tap_result 0 "$desc"
		_tap_show_run
		return 1
	fi
}

is() {
	if [[ $1 == "$2" ]]; then
		_tap_result 1 "$3"
	else
		_tap_result 0 "$3"
		diag "     got: '$1'"
		diag "expected: '$2'"
		_tap_show_run
		return 1
	fi
}

isnt() {
	if [[ $1 != "$2" ]]; then
		_tap_result 1 "$3"
	else
		_tap_result 0 "$3"
		diag "got '$1', expected anything else"
		_tap_show_run
		return 1
	fi
}

like() {
	if [[ $1 =~ $2 ]]; then
		_tap_result 1 "$3"
	else
		_tap_result 0 "$3"
		diag "     got: '${1:0:2000}'"
		diag "expected to match /$2/"
		_tap_show_run
		return 1
	fi
}

unlike() {
	if [[ ! $1 =~ $2 ]]; then
		_tap_result 1 "$3"
	else
		_tap_result 0 "$3"
		diag "     got: '${1:0:2000}'"
		diag "expected not to match /$2/"
		_tap_show_run
		return 1
	fi
}

# between NUM LO HI DESC: LO <= NUM <= HI, numbers may be fractional.
between() {
	if awk -v x="$1" -v lo="$2" -v hi="$3" \
		'BEGIN { exit !(x ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ && x + 0 >= lo + 0 && x + 0 <= hi + 0) }'; then
		_tap_result 1 "$4"
	else
		_tap_result 0 "$4"
		diag "got '$1', expected a number in [$2, $3]"
		_tap_show_run
		return 1
	fi
}

skip() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$1" "$2"
}

skip_all() {
	echo "1..0 # SKIP $*"
	_tap_plan=0
	exit 0
}

# runs_no_c: for a test that runs none of the tree's C programs (it checks scripts, the
# stand-ins, the tree's layout): skipped when SYNCTOP_ONLY_C=1, which contrib/check.sh sets
# for the copies of the tree it tests again (sanitizers, the minimal build, distcheck): they
# build the C code differently, the rest is what the suite stage tested.
runs_no_c() {
	[[ ${SYNCTOP_ONLY_C:-0} != 1 ]] || skip_all "SYNCTOP_ONLY_C=1: this test runs no C program; the suite stage runs it"
}

bail_out() {
	echo "Bail out! $*"
	exit 1
}

done_testing() {
	if _lib_unchecked_snapshots; then
		if [[ -n $_tap_plan ]]; then
			_tap_result 0 "JSON snapshots were checked against the schema (call snapshots_valid)"
		else
			snapshots_valid
		fi
	fi
	if [[ -z $_tap_plan ]]; then
		echo "1..$_tap_n"
	elif ((_tap_plan != _tap_n)); then
		diag "planned $_tap_plan tests but ran $_tap_n"
		exit 1
	fi
	((_tap_failed)) && diag "failed $_tap_failed of $_tap_n tests"
	exit $((_tap_failed > 0))
}

# ----------------------------------------------------------------------
# Cleanups: run in reverse order of registration when the script exits, however it exits.
# ----------------------------------------------------------------------
# at_exit CMD [ARGS...]: runs CMD ARGS... at exit (no shell evaluation of the arguments).
_at_exit=()
at_exit() {
	local q
	q=$(printf '%q ' "$@")
	_at_exit+=("$q")
}

_lib_on_exit() {
	local rc=$? i
	trap - EXIT INT TERM HUP
	_LIB_RC=$rc # cleanups may look at it (pg_down --log on failure)
	for ((i = ${#_at_exit[@]} - 1; i >= 0; i--)); do
		eval "${_at_exit[i]}" || true
	done
	exit "$rc"
}
trap _lib_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/synctop-test.XXXXXX") || bail_out "mktemp failed"
at_exit rm -rf "$TEST_TMP"

require_cmd() {
	local c
	for c; do
		command -v "$c" >/dev/null 2>&1 || bail_out "$c is required (apt-get install $c)"
	done
}

now_ms() {
	local us=${EPOCHREALTIME//[!0-9]/}
	echo $((us / 1000))
}

# ----------------------------------------------------------------------
# PostgreSQL
# ----------------------------------------------------------------------
PSQL=psql

need_pg() {
	require_cmd jq
	if [[ -n ${SYNCTOP_PG_PORT:-} && -n ${SYNCTOP_PG_SOCKDIR:-} ]]; then
		export PGHOST=$SYNCTOP_PG_SOCKDIR PGPORT=$SYNCTOP_PG_PORT PGUSER=postgres
		[[ -n ${SYNCTOP_PG_BINDIR:-} ]] && PSQL=$SYNCTOP_PG_BINDIR/psql
		"$PSQL" -X -q -At -d postgres -c 'SELECT 1' >/dev/null ||
			bail_out "the stack's PostgreSQL at $SYNCTOP_PG_SOCKDIR:$SYNCTOP_PG_PORT does not answer"
		diag "using the running stack: PostgreSQL on port $SYNCTOP_PG_PORT"
	else
		local dir
		dir=$(pg_tmpdir synctop-test-pg) || bail_out "cannot create a directory for PostgreSQL"
		at_exit _lib_pg_down "$dir"
		pg_up "$dir/pg" >&2 || bail_out "could not start PostgreSQL (see above)"
		PSQL=$SYNCTOP_PG_BINDIR/psql
		diag "started a private PostgreSQL on port $SYNCTOP_PG_PORT"
	fi
}

_lib_pg_down() {
	if ((${_LIB_RC:-0})); then pg_down --log "$1/pg" >&2; else pg_down "$1/pg"; fi
	rm -rf "$1"
}

# pg_up_extra: one more throwaway server beside the one the test uses (which stays the one
# PG*/SYNCTOP_PG_* name). Sets EXTRA_PG_PORT, EXTRA_PG_PID, EXTRA_PG_DIR; stopped at exit.
pg_up_extra() {
	local v dir
	local -A saved=()
	for v in PGHOST PGPORT PGUSER SYNCTOP_PG_PORT SYNCTOP_PG_SOCKDIR SYNCTOP_PG_PID \
		SYNCTOP_PG_DATA SYNCTOP_PG_LOG; do
		[[ -n ${!v+set} ]] && saved[$v]=${!v}
	done
	dir=$(pg_tmpdir synctop-extra-pg) || bail_out "cannot create a directory for PostgreSQL"
	at_exit _lib_pg_down "$dir"
	pg_up "$dir/pg" >&2 || bail_out "could not start a second PostgreSQL"
	# shellcheck disable=SC2034 # for the test that called us
	EXTRA_PG_PORT=$SYNCTOP_PG_PORT EXTRA_PG_PID=$SYNCTOP_PG_PID EXTRA_PG_DIR=$dir/pg
	unset PGHOST PGPORT PGUSER SYNCTOP_PG_PORT SYNCTOP_PG_SOCKDIR SYNCTOP_PG_PID \
		SYNCTOP_PG_DATA SYNCTOP_PG_LOG
	for v in "${!saved[@]}"; do
		export "$v=${saved[$v]}"
	done
}

# psql on the test's database: one value per line, fields separated by |, stop on error.
psql_synctop() {
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -d "${SYNCTOP_DB:-synctop}" -At "$@"
}

psql_admin() {
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres -At "$@"
}

# fresh_db NAME: an empty database for this test (dropped first if a previous run left it);
# psql_synctop and mkconf use it from now on.
fresh_db() {
	psql_admin -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" -c "CREATE DATABASE \"$1\"" ||
		bail_out "cannot create database $1"
	SYNCTOP_DB=$1
}

load_outbox_schema() {
	psql_synctop -f "$top_srcdir/share/sql/outbox.sql" >/dev/null ||
		bail_out "loading share/sql/outbox.sql failed"
}

# The conninfo of the test's server and database; the password is there to prove that it
# never shows up in synctop's output (trust authentication ignores it).
conninfo() {
	printf 'host=%s port=%s dbname=%s user=postgres password=hunter2' \
		"${SYNCTOP_PG_SOCKDIR:-/nonexistent}" "${SYNCTOP_PG_PORT:-1}" "${SYNCTOP_DB:-synctop}"
}

# mkconf FILE [LINE...]: a config with one postgres connection `shop` and one pipeline
# `products`, whose lines are LINE... (default: the outbox stage on public.outbox).
# MKCONF_TIMEOUT (default 2s), MKCONF_CONNINFO and MKCONF_EXTRA (appended) adjust it.
# _conf_start FILE: a new private config file (a password inline must not be readable by
# others: synctop warns) with its header and [synctop] section; the mkconf* add the rest.
_conf_start() {
	: >"$1" && chmod 600 "$1" || return
	{
		printf '; written by %s\n' "${0##*/}"
		printf '[synctop]\ntimeout = %s\n\n' "${MKCONF_TIMEOUT:-2s}"
	} >"$1"
}

mkconf() {
	local file=$1
	shift
	(($#)) || set -- 'outbox = shop' 'outbox.table = public.outbox'
	_conf_start "$file"
	{
		printf '[postgres shop]\nconninfo = %s\n\n' "${MKCONF_CONNINFO:-$(conninfo)}"
		printf '[pipeline products]\n'
		printf '%s\n' "$@"
		[[ -z ${MKCONF_EXTRA:-} ]] || printf '\n%s\n' "$MKCONF_EXTRA"
	} >>"$file"
}

# ----------------------------------------------------------------------
# Kafka (the librdkafka mock cluster of tests/stack/kafka.sh)
# ----------------------------------------------------------------------
KAFKA_TOOL=${KAFKA_TOOL:-$top_builddir/tests/stack/kafka_tool}

need_kafka() {
	local dir
	require_cmd jq flock
	[[ -x $KAFKA_TOOL ]] || skip_all "$KAFKA_TOOL is not built (a --without-kafka build?)"
	if [[ -n ${SYNCTOP_KAFKA_BOOTSTRAP:-} && -n ${SYNCTOP_KAFKA_CTL:-} ]]; then
		if ! kafka__is_ours "${SYNCTOP_KAFKA_PID:-0}" || [[ ! -p $SYNCTOP_KAFKA_CTL ]]; then
			bail_out "the stack's Kafka mock (pid ${SYNCTOP_KAFKA_PID:-?}, $SYNCTOP_KAFKA_CTL) is not running"
		fi
		diag "using the running stack: Kafka mock at $SYNCTOP_KAFKA_BOOTSTRAP"
	else
		kafka_mock_bin >/dev/null || skip_all "tests/stack/kafka_mock is not built (a --without-kafka build?)"
		dir=$(mktemp -d "${TMPDIR:-/tmp}/synctop-test-kafka.XXXXXX") ||
			bail_out "cannot create a directory for the Kafka mock"
		at_exit _lib_kafka_down "$dir"
		kafka_up "$dir/kafka" >&2 || bail_out "could not start the Kafka mock (see above)"
		diag "started a private Kafka mock at $SYNCTOP_KAFKA_BOOTSTRAP"
	fi
}

_lib_kafka_down() {
	if ((${_LIB_RC:-0})); then kafka_down --log "$1/kafka" >&2; else kafka_down "$1/kafka"; fi
	rm -rf "$1"
}

# ktool ARGS...: kafka_tool against the mock (3 s deadline unless KTOOL_TIMEOUT says otherwise).
ktool() {
	"$KAFKA_TOOL" -b "$SYNCTOP_KAFKA_BOOTSTRAP" -t "${KTOOL_TIMEOUT:-3}" "$@"
}

# mkconf_kafka FILE [LINE...]: a config with the kafka connection `main` (the mock) and one
# pipeline `orders` whose lines are LINE... (default: the kafka stage of group indexer on
# topic orders).
mkconf_kafka() {
	local file=$1
	shift
	(($#)) || set -- 'kafka = main' 'kafka.group = indexer' 'kafka.topics = orders'
	_conf_start "$file"
	{
		printf '[kafka main]\nbrokers = %s\n' "${MKCONF_BROKERS:-${SYNCTOP_KAFKA_BOOTSTRAP:-127.0.0.1:1}}"
		[[ -z ${MKCONF_KAFKA_EXTRA:-} ]] || printf '%s\n' "$MKCONF_KAFKA_EXTRA"
		printf '\n[pipeline orders]\n'
		printf '%s\n' "$@"
	} >>"$file"
}

# ----------------------------------------------------------------------
# Redis (tests/stack/redis.sh)
# ----------------------------------------------------------------------
need_redis() {
	local dir
	require_cmd jq redis-cli
	if [[ -n ${SYNCTOP_REDIS_PORT:-} ]]; then
		redis__ping "$SYNCTOP_REDIS_PORT" ||
			bail_out "the stack's Redis on 127.0.0.1:$SYNCTOP_REDIS_PORT does not answer"
		if [[ -n ${SYNCTOP_REDIS_PID:-} && $(redis__info_pid "$SYNCTOP_REDIS_PORT") != "$SYNCTOP_REDIS_PID" ]]; then
			bail_out "the Redis on 127.0.0.1:$SYNCTOP_REDIS_PORT is not the stack's (pid $SYNCTOP_REDIS_PID)"
		fi
		: "${SYNCTOP_REDIS_URL:=redis://127.0.0.1:$SYNCTOP_REDIS_PORT/0}"
		export SYNCTOP_REDIS_URL
		diag "using the running stack: Redis at $SYNCTOP_REDIS_URL"
	else
		redis_bin >/dev/null || skip_all "redis-server is not installed (apt-get install redis-server)"
		dir=$(mktemp -d "${TMPDIR:-/tmp}/synctop-test-redis.XXXXXX") ||
			bail_out "cannot create a directory for Redis"
		at_exit _lib_redis_down "$dir"
		redis_up "$dir/redis" >&2 || bail_out "could not start Redis (see above)"
		diag "started a private Redis at $SYNCTOP_REDIS_URL"
	fi
}

_lib_redis_down() {
	_lib_down redis "$1"
}

# rcli ARGS...: redis-cli against the test's server (5 s deadline).
rcli() {
	timeout 5 redis-cli -h 127.0.0.1 -p "$SYNCTOP_REDIS_PORT" "$@"
}

# ----------------------------------------------------------------------
# InfluxDB 1.x (tests/stack/influx.sh)
# ----------------------------------------------------------------------
# need_influx: use the running stack's influxd (SYNCTOP_INFLUX_PORT set) or start a private one
# torn down at exit; skips the whole test when influxd is not installed.
need_influx() {
	local dir
	require_cmd curl jq
	if [[ -n ${SYNCTOP_INFLUX_PORT:-} ]]; then
		influx__ping "$SYNCTOP_INFLUX_PORT" ||
			bail_out "the stack's InfluxDB on 127.0.0.1:$SYNCTOP_INFLUX_PORT does not answer"
		: "${SYNCTOP_INFLUX_URL:=http://127.0.0.1:$SYNCTOP_INFLUX_PORT}"
		export SYNCTOP_INFLUX_URL
		diag "using the running stack: InfluxDB at $SYNCTOP_INFLUX_URL"
	else
		influx_bin >/dev/null || skip_all "influxd is not installed (apt-get install influxdb)"
		dir=$(mktemp -d "${TMPDIR:-/tmp}/synctop-test-influx.XXXXXX") ||
			bail_out "cannot create a directory for InfluxDB"
		at_exit _lib_down influx "$dir"
		influx_up "$dir/influx" >&2 || bail_out "could not start InfluxDB (see above)"
		diag "started a private InfluxDB at $SYNCTOP_INFLUX_URL"
	fi
}

# influx_up_extra: one more throwaway influxd beside the test's (which stays the one
# SYNCTOP_INFLUX_* name), given SYNCTOP_INFLUX_AUTH as the caller set it. Sets EXTRA_INFLUX_URL,
# EXTRA_INFLUX_PORT, EXTRA_INFLUX_PID, EXTRA_INFLUX_DIR; stopped at exit.
influx_up_extra() {
	_lib_up_extra influx
}

_lib_influx_down() {
	_lib_down influx "$1"
}

# iql DB STATEMENT...: InfluxQL through /query (POST, epoch=ms) against the test's server;
# prints the JSON answer.
iql() {
	local db=$1
	shift
	curl -sS -m 5 -XPOST "$SYNCTOP_INFLUX_URL/query" --data-urlencode "db=$db" \
		--data-urlencode epoch=ms --data-urlencode "q=$*"
}

# iwrite DB: line protocol on stdin written to DB (precision ms); fails unless 204.
iwrite() {
	local code
	code=$(curl -sS -m 5 -o "$TEST_TMP/iwrite.out" -w '%{http_code}' -XPOST \
		"$SYNCTOP_INFLUX_URL/write?db=$1&precision=ms" --data-binary @-)
	[[ $code == 204 ]] || { diag "write to $1: HTTP $code: $(head -c 500 "$TEST_TMP/iwrite.out")"; return 1; }
}

# redis_up_extra: one more throwaway server beside the one the test uses (which stays the one
# SYNCTOP_REDIS_* name). Sets EXTRA_REDIS_PORT, EXTRA_REDIS_PID, EXTRA_REDIS_DIR (give it to
# redis_down to stop it early; `SYNCTOP_REDIS_PORT_WANTED=$EXTRA_REDIS_PORT redis_up_extra`
# restarts one where it was); stopped at exit.
redis_up_extra() {
	_lib_up_extra redis
}

# mkconf_redis FILE [LINE...]: a config with the redis connection `sessions` and one pipeline
# `web`: the cache stage on `sessions`, then LINE... (e.g. 'cache.evicted_warn = 5').
mkconf_redis() {
	local file=$1
	shift
	set -- 'cache = sessions' "$@"
	_conf_start "$file"
	{
		printf '[redis sessions]\nurl = %s\n' "${MKCONF_REDIS_URL:-${SYNCTOP_REDIS_URL:-redis://127.0.0.1:1/0}}"
		[[ -z ${MKCONF_REDIS_EXTRA:-} ]] || printf '%s\n' "$MKCONF_REDIS_EXTRA"
		printf '\n[pipeline web]\n'
		printf '%s\n' "$@"
	} >>"$file"
}

# ----------------------------------------------------------------------
# Search (the Elasticsearch stand-in of tests/stack/search.sh)
# ----------------------------------------------------------------------
need_search() {
	_lib_need_standin search "search stand-in"
}

_lib_search_down() {
	_lib_down search "$1"
}

# need_graph: use the running stack's Neo4j stand-in (SYNCTOP_GRAPH_URL set) or start a private
# one (tests/stack/graph.sh), torn down at exit; skips the whole test without /usr/bin/python3.
need_graph() {
	_lib_need_standin graph "Neo4j stand-in"
}

_lib_graph_down() {
	_lib_down graph "$1"
}

# scurl PATH [CURL-ARGS...]: a request to the test's stand-in (5 s deadline); prints the body.
# PATH starts with a slash, e.g. scurl /orders/_count or scurl /orders -XPUT -d '{...}'.
scurl() {
	local path=$1
	shift
	curl -sS --max-time 5 -H 'Content-Type: application/json' "$@" "$SYNCTOP_SEARCH_URL$path"
}

# search_up_extra: one more throwaway stand-in beside the one the test uses (which stays the
# one SYNCTOP_SEARCH_* name), started with SYNCTOP_SEARCH_ARGS (e.g. "--user elastic
# --password-file F"). Sets EXTRA_SEARCH_URL, EXTRA_SEARCH_PORT, EXTRA_SEARCH_PID,
# EXTRA_SEARCH_DIR (give it to search_down to stop it early); stopped at exit.
search_up_extra() {
	_lib_up_extra search
}

# graph_up_extra: one more throwaway Neo4j stand-in, given SYNCTOP_GRAPH_ARGS (e.g. "--user
# neo4j --password-file F"). Sets EXTRA_GRAPH_URL, EXTRA_GRAPH_PORT, EXTRA_GRAPH_PID,
# EXTRA_GRAPH_DIR; stopped at exit.
graph_up_extra() {
	_lib_up_extra graph
}

# _lib_need_standin SVC LABEL: the running stack's SVC (search, connect, graph) when its
# SYNCTOP_<SVC>_URL is set, else a private one torn down at exit; skips the whole test when
# /usr/bin/python3 is missing.
_lib_need_standin() {
	local svc=$1 label=$2 dir url
	require_cmd jq curl
	url=SYNCTOP_${svc^^}_URL
	if [[ -n ${!url:-} ]]; then
		"${svc}__ping" "${!url}" || bail_out "the stack's $label at ${!url} does not answer"
		diag "using the running stack: $label at ${!url}"
	else
		"${svc}_bin" >/dev/null || skip_all "/usr/bin/python3 is missing (apt-get install python3)"
		dir=$(mktemp -d "${TMPDIR:-/tmp}/synctop-test-$svc.XXXXXX") ||
			bail_out "cannot create a directory for the $label"
		at_exit "_lib_${svc}_down" "$dir"
		"${svc}_up" "$dir/$svc" >&2 || bail_out "could not start the $label (see above)"
		diag "started a private $label at ${!url}"
	fi
}

# _lib_down SVC DIR: stops the SVC server started in DIR/SVC (its log shown when the test
# failed), removes DIR.
_lib_down() {
	if ((${_LIB_RC:-0})); then "${1}_down" --log "$2/$1" >&2; else "${1}_down" "$2/$1"; fi
	rm -rf "$2"
}

# _lib_up_extra SVC [VAR...]: one more throwaway server of the stack service SVC (redis,
# search, connect, graph, mongo) beside the one the test uses, which stays the one
# SYNCTOP_<SVC>_* names; started by <svc>_up with SYNCTOP_<SVC>_ARGS as the caller set them.
# Sets EXTRA_<SVC>_URL, _PORT, _PID, _VAR... (the other variables <svc>_up exports, e.g.
# CONTROL) and _DIR (give that to <svc>_down to stop it early); stopped at exit.
_lib_up_extra() {
	local svc=$1 up=${1^^} v dir
	shift
	local -A saved=()
	local vars=("SYNCTOP_${up}_URL" "SYNCTOP_${up}_PORT" "SYNCTOP_${up}_PID" "SYNCTOP_${up}_LOG")
	for v; do vars+=("SYNCTOP_${up}_$v"); done
	for v in "${vars[@]}"; do
		[[ -n ${!v+set} ]] && saved[$v]=${!v}
	done
	dir=$(mktemp -d "${TMPDIR:-/tmp}/synctop-extra-$svc.XXXXXX") ||
		bail_out "cannot create a directory for a second $svc server"
	at_exit "_lib_${svc}_down" "$dir"
	"${svc}_up" "$dir/$svc" >&2 || bail_out "could not start a second $svc server"
	for v in URL PORT PID "$@"; do
		local from="SYNCTOP_${up}_$v"
		declare -g "EXTRA_${up}_$v=${!from:-}"
	done
	declare -g "EXTRA_${up}_DIR=$dir/$svc"
	unset "${vars[@]}"
	for v in "${!saved[@]}"; do
		export "$v=${saved[$v]}"
	done
}

# ----------------------------------------------------------------------
# Running synctop
# ----------------------------------------------------------------------
RUN_TIMEOUT=${RUN_TIMEOUT:-60}
# A command that runs synctop for run_synctop (e.g. one that measures it), or nothing.
RUN_WRAP=()

# run_synctop ARGS...: runs $SYNCTOP without any PG* variable (the config alone must say
# where to go), with stdin closed and a watchdog; sets RUN_OUT, RUN_ERR, RUN_RC, RUN_MS.
run_synctop() {
	local t0 t1
	RUN_CMD="synctop $*"
	t0=${EPOCHREALTIME//[!0-9]/}
	(
		unset PGHOST PGPORT PGUSER PGDATABASE
		if ((${#RUN_WRAP[@]})); then
			"${RUN_WRAP[@]}" timeout -k 5 "$RUN_TIMEOUT" "$SYNCTOP" "$@"
		else
			exec timeout -k 5 "$RUN_TIMEOUT" "$SYNCTOP" "$@"
		fi
	) >"$TEST_TMP/run.out" 2>"$TEST_TMP/run.err" </dev/null
	RUN_RC=$?
	t1=${EPOCHREALTIME//[!0-9]/}
	RUN_MS=$(((t1 - t0) / 1000))
	RUN_OUT=$(<"$TEST_TMP/run.out")
	RUN_ERR=$(<"$TEST_TMP/run.err")
	if ((RUN_RC <= 3)) && _lib_snapshot_args "$@"; then
		keep_snapshot "$TEST_TMP/run.out"
	fi
	_tap_shown_run=0
	((RUN_RC == 124)) && diag "synctop was still running after ${RUN_TIMEOUT}s and was killed"
	diag "ran: $RUN_CMD -> exit $RUN_RC in $RUN_MS ms"
	return 0
}

run_once() {
	if [[ -n ${POLLS_REC:-} ]]; then
		local rec=$POLLS_REC
		POLLS_REC=
		run_synctop --once --record "$rec" "$@"
	else
		run_synctop --once "$@"
	fi
}

# between_polls CMD...: runs CMD in the background (its pid in $writer) once the next run_once
# has recorded its first poll, however long the process took to start on a loaded machine: the
# writes then fall between the two polls of --once-window. That run_once records to a file.
between_polls() {
	POLLS_REC=$TEST_TMP/polls.jsonl
	rm -f "$POLLS_REC"
	(
		for _ in $(seq 250); do
			grep -qs '"type":"round"' "$POLLS_REC" && break
			sleep 0.02
		done
		"$@"
	) &
	# shellcheck disable=SC2034 # read by the test that called it
	writer=$!
}

# ----------------------------------------------------------------------
# The published schema of the JSON snapshot
# ----------------------------------------------------------------------
SNAPSHOT_SCHEMA=$top_srcdir/share/synctop-snapshot.schema.json

# json_validate FILE...: status 0 when every FILE is a snapshot the schema accepts; the errors
# on stderr ("FILE: PATH: MESSAGE"). Debian's python3-jsonschema: /usr/bin/python3, not PATH's.
json_validate() {
	/usr/bin/python3 "$top_srcdir/tests/integration/json_validate.py" "$SNAPSHOT_SCHEMA" "$@"
}

# keep_snapshot FILE: keeps a copy of the snapshot FILE for snapshots_valid (an empty FILE is
# no snapshot: not kept). Works from a subshell (the copies are files).
keep_snapshot() {
	[[ -s $1 ]] || return 0
	mkdir -p "$TEST_TMP/snapshots"
	cp "$1" "$(mktemp "$TEST_TMP/snapshots/XXXXXX.json")"
}

_lib_unchecked_snapshots() {
	compgen -G "$TEST_TMP/snapshots/*.json" >/dev/null
}

# snapshots_valid: one TAP test: every snapshot kept since the last call matches the schema.
snapshots_valid() {
	local files=() f n
	for f in "$TEST_TMP"/snapshots/*.json; do
		[[ -e $f ]] && files+=("$f")
	done
	n=${#files[@]}
	if ((n == 0)); then
		_tap_result 0 "JSON snapshots match the schema: but none was kept"
		return 1
	fi
	mkdir -p "$TEST_TMP/snapshots.checked"
	if json_validate "${files[@]}" 2>"$TEST_TMP/snapshots.err"; then
		_tap_result 1 "all $n JSON snapshots of this test match share/synctop-snapshot.schema.json"
	else
		_tap_result 0 "all $n JSON snapshots of this test match share/synctop-snapshot.schema.json"
		diag "$(head -c 4000 "$TEST_TMP/snapshots.err")"
		for f in "${files[@]}"; do
			grep -qF "$f:" "$TEST_TMP/snapshots.err" && cp "$f" "$TEST_TMP/snapshots.checked/" && diag "$(head -c 2000 "$f")" && break
		done
	fi
	mv "${files[@]}" "$TEST_TMP/snapshots.checked/"
}

# True when run_synctop's ARGS ask for a --once JSON snapshot (not an action's JSON report).
_lib_snapshot_args() {
	local a prev='' json=0
	for a; do
		[[ $a == action ]] && return 1
		[[ ($prev == --format && $a == json) || $a == --format=json ]] && json=1
		prev=$a
	done
	((json))
}

# jq -r FILTER over the last run's stdout; prints "<not JSON>" when it cannot be read.
jqr() {
	jq -r "$1" <<<"$RUN_OUT" 2>/dev/null || echo "<not JSON>"
}

json_is() {
	is "$(jqr "$1")" "$2" "$3"
}

# json_ok FILTER DESC: passes when FILTER yields true.
json_ok() {
	ok "$2" _lib_jq_true "$1"
}
_lib_jq_true() {
	jq -e "$1" <<<"$RUN_OUT" >/dev/null 2>&1
}

# Filters that select a stage of pipeline `products`, and a pipeline's diagnoses.
stage() {
	printf '(.pipelines[] | select(.name == "%s") | .stages[] | select(.kind == "%s"))' \
		"${2:-products}" "$1"
}
diagnoses() {
	printf '[.pipelines[] | select(.name == "%s") | .diagnoses[]?]' "${1:-products}"
}

# The number of lines of a text (0 for an empty one).
count_lines() {
	[[ -z $1 ]] && echo 0 && return
	printf '%s\n' "$1" | wc -l
}

# The Kafka Connect stand-in's helpers (connect_lib.sh), and background processes (bg_lib.sh).
# shellcheck source=tests/integration/connect_lib.sh
. "$top_srcdir/tests/integration/connect_lib.sh"
# shellcheck source=tests/integration/bg_lib.sh
. "$top_srcdir/tests/integration/bg_lib.sh"

# SYNCTOP_SKIP_TESTS (space-separated file names, e.g. "demo.sh"): tests that a stage of
# contrib/check.sh leaves to another stage, which runs them on the same sources.
if [[ " ${SYNCTOP_SKIP_TESTS:-} " == *" ${0##*/} "* ]]; then
	skip_all "SYNCTOP_SKIP_TESTS names ${0##*/}: another stage of contrib/check.sh runs it"
fi
