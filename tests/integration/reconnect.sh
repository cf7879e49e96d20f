#!/usr/bin/env bash
# reconnect.sh: the poller reconnects. A server that hangs at the first poll and comes back
# before the second gives a normal snapshot; a session whose server hangs mid-way is dropped
# at its deadline and the stage reads unknown, never a hang.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
pg_up_extra
"$SYNCTOP_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$EXTRA_PG_DIR" -p "$EXTRA_PG_PORT" -U postgres \
	-d synctop -f "$top_srcdir/share/sql/outbox.sql" >/dev/null || bail_out "loading the schema failed"

conf=$TEST_TMP/synctop.conf
MKCONF_TIMEOUT=1s \
	MKCONF_CONNINFO="host=127.0.0.1 port=$EXTRA_PG_PORT dbname=synctop user=postgres password=hunter2" \
	mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox'
S=$(stage outbox)

# The postmaster and every backend it forked: stopping only the postmaster leaves open sessions answering.
server_pids() { echo "$EXTRA_PG_PID"; pgrep -P "$EXTRA_PG_PID" || true; }
freeze() { server_pids | xargs kill -STOP; }
thaw() { server_pids | xargs kill -CONT 2>/dev/null || true; }
at_exit thaw

# 1. Hung at the first poll, back before the second: the second poll reconnects.
freeze
(sleep 1.5 && thaw) &
helper=$!
run_once -c "$conf" --format json --once-window 3s
wait "$helper" # not a bare wait: the servers are children of this shell too
is "$RUN_RC" 0 "back before the second poll: exit 0"
json_is "$S.status" ok "back before the second poll: stage ok"
json_is "$S.metrics.pending" 0 "back before the second poll: pending read (0)"
json_is "$S.error" null "back before the second poll: no error left over"
between "$RUN_MS" 2900 6000 "back before the second poll: took the 3 s window, no more than the deadlines"

# 2. Answering at the first poll, hung at the second: the open session is dropped at its deadline.
(sleep 0.7 && freeze) &
helper=$!
run_once -c "$conf" --format json --once-window 2s
wait "$helper"
thaw
is "$RUN_RC" 3 "hung mid-session: exit 3"
json_is "$S.status" unknown "hung mid-session: stage unknown"
like "$(jqr "$S.error")" 'timeout' "hung mid-session: the error says timeout"
between "$RUN_MS" 2900 5500 "hung mid-session: the 2 s window plus the 1 s deadline, not a hang"
unlike "$RUN_OUT$RUN_ERR" hunter2 "hung mid-session: the password is not printed"

done_testing
