#!/usr/bin/env bash
# unreachable.sh: a connection that is refused, and a server that accepts TCP but never
# answers (its postmaster SIGSTOPped): exit 3 within the timeout, the connection named, the
# password never printed.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd jq
conf=$TEST_TMP/synctop.conf
S=$(stage outbox)

# ----------------------------------------------------------------------
# (a) Nothing listens on the port: refused at once.
# ----------------------------------------------------------------------
port=$(pg__pick_port) || bail_out "no free port"
MKCONF_CONNINFO="host=127.0.0.1 port=$port dbname=synctop user=postgres password=hunter2" \
	mkconf "$conf"

run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "refused: exit code 3"
between "$RUN_MS" 0 3000 "refused: done within the 2 s timeout"
json_is '.status' unknown "refused: overall status unknown"
json_is "$S.status" unknown "refused: stage status unknown"
like "$(jqr "$S.error")" '(^|[^[:alnum:]_])shop([^[:alnum:]_]|$)' "refused: the stage error names connection shop"
unlike "$RUN_OUT" hunter2 "refused: the password is not on stdout"
unlike "$RUN_ERR" hunter2 "refused: the password is not on stderr"
is "$(count_lines "$RUN_ERR")" 1 "refused: one line on stderr"
like "$RUN_ERR" '(^|[^[:alnum:]_])shop([^[:alnum:]_]|$)' "refused: stderr names connection shop"

run_once -c "$conf" --format text --once-window 0
is "$RUN_RC" 3 "refused, text format: exit code 3"
like "$RUN_OUT" shop "refused, text format: names the connection"
unlike "$RUN_OUT$RUN_ERR" hunter2 "refused, text format: the password is not printed"

# libpq quotes a malformed URI whole in its error, password and all: scrubbed anyway.
MKCONF_CONNINFO='postgresql://postgres:hunter2@[::1' mkconf "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "malformed URI: exit code 3"
like "$(jqr "$S.error")" 'IPv6 host address in URI: "postgresql://postgres:\*\*\*@\[::1"' \
	"malformed URI: libpq's echo of the URI is in the error, redacted"
unlike "$RUN_OUT$RUN_ERR" hunter2 "malformed URI: the password is not printed"
MKCONF_CONNINFO="host=127.0.0.1 port=$port dbname=synctop user=postgres password=hunter2" mkconf "$conf"

# log_file keeps what stderr said, timestamped, for runs nobody watches.
log=$TEST_TMP/synctop.log
sed -i "s|^\[synctop\]\$|[synctop]\nlog_file = $log|" "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "refused, log_file: exit code 3"
is "$(count_lines "$(cat "$log" 2>/dev/null)")" 1 "refused, log_file: one line logged"
like "$(cat "$log" 2>/dev/null)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z synctop\[[0-9]+\]: connection shop: products/outbox unknown: cannot connect to shop' \
	"refused, log_file: the line is timestamped and names the connection and stage"
unlike "$(cat "$log" 2>/dev/null)" hunter2 "refused, log_file: the password is not logged"

# ----------------------------------------------------------------------
# (b) A hung server: the kernel completes the TCP handshake for the stopped postmaster, and
# then nothing answers. The 1 s timeout must cut the poll short.
# ----------------------------------------------------------------------
pg_up_extra
"$SYNCTOP_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$EXTRA_PG_DIR" -p "$EXTRA_PG_PORT" \
	-U postgres -d synctop -f "$top_srcdir/share/sql/outbox.sql" >/dev/null ||
	bail_out "loading the schema into the second server failed"
MKCONF_TIMEOUT=1s \
	MKCONF_CONNINFO="host=127.0.0.1 port=$EXTRA_PG_PORT dbname=synctop user=postgres password=hunter2" \
	mkconf "$conf"

kill -STOP "$EXTRA_PG_PID" || bail_out "cannot stop the postmaster"
at_exit kill -CONT "$EXTRA_PG_PID" # before its teardown, which runs later

run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "hung: exit code 3"
between "$RUN_MS" 0 3999 "hung: done in under 4 s with timeout = 1s"
json_is "$S.status" unknown "hung: stage status unknown"
like "$(jqr "$S.error")" '[Tt]ime[ds]?[ -]?out' "hung: the error says it timed out"
like "$(jqr "$S.error")" '(^|[^[:alnum:]_])shop([^[:alnum:]_]|$)' "hung: the error names connection shop"
unlike "$RUN_OUT$RUN_ERR" hunter2 "hung: the password is not printed"
like "$RUN_ERR" shop "hung: stderr names connection shop"

# Once the server runs again, the same config reads fine.
kill -CONT "$EXTRA_PG_PID"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "resumed: exit code 0 (an empty outbox)"
json_is "$S.metrics.pending" 0 "resumed: pending 0"

done_testing
