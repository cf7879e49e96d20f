#!/usr/bin/env bash
# readonly_proof.sh: the read-only modes write nothing, proved from the servers' side rather
# than assumed. synctop reads PostgreSQL as a role granted SELECT alone (a write would leave
# "permission denied" in the server log), and a search stand-in, a Connect stand-in and a
# Redis of their own record every request (MONITOR for Redis). Every `synctop action` under
# --read-only and read_only = true, the screen's whole action-key script under --read-only and
# --wallboard, --once, and the exporter (--serve, read_only = true) scraped on every path, all with
# canary = true: no permission error, no request but GET, no Redis write command.
# A control run with the same role in a writable mode shows the log check can fail.
# needs: postgres search redis
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"
# shellcheck source=tests/integration/serve_lib.sh
. "$(dirname "$0")/serve_lib.sh"

require_cmd jq tmux redis-cli
need_pg
need_search
need_connect
need_redis
tui_init
plan 29

fresh_db synctop_ro_proof
load_outbox_schema
psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, attempts, last_error)
	SELECT 'product', g::text, 'product.updated', 5, 'broker down' FROM generate_series(1, 7) g" \
	-c "UPDATE outbox_worker SET paused = true, paused_at = now() WHERE name = 'relay'"
psql_admin -c "DROP ROLE IF EXISTS synctop_ro" -c "CREATE ROLE synctop_ro LOGIN" >/dev/null
psql_synctop -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO synctop_ro" >/dev/null
# The role's grants live in the test's database: that goes first, then the role.
at_exit psql_admin -c "DROP DATABASE IF EXISTS synctop_ro_proof WITH (FORCE)" -c "DROP ROLE IF EXISTS synctop_ro"
table_sum() {
	psql_synctop -c "SELECT md5(string_agg(o::text, ',' ORDER BY id)) FROM outbox o" \
		-c "SELECT md5(string_agg(w::text, ',' ORDER BY name)) FROM outbox_worker w" | tr '\n' ' '
}
before_sum=$(table_sum)
log_denied() { grep -c 'permission denied' "$SYNCTOP_PG_LOG" || true; }
denied0=$(log_denied)

# Stand-ins and a Redis of this test's own, so that every recorded request is synctop's.
search_up_extra
connect_up_extra
redis_up_extra
# A worker with an HTTP admin API (the worker kind), paused: resume would be a POST.
W=$TEST_TMP/worker
mkdir -p "$W"
/usr/bin/python3 "$top_srcdir/tests/stack/worker_standin.py" --port 0 --port-file "$W/port" \
	--record "$W/requests" --log "$W/log" 2>"$W/err" &
at_exit kill_ours "$!"
for ((i = 0; i < 100; i++)); do
	[[ -s $W/port ]] && break
	sleep 0.05
done
[[ -s $W/port ]] || bail_out "the worker stand-in did not start: $(cat "$W/err")"
WURL=http://127.0.0.1:$(<"$W/port")
curl -sS --max-time 5 -X POST -d '{"paused": true}' "$WURL/_standin/set" >/dev/null
WREQ=$W/requests
: >"$WREQ"
SREQ=$EXTRA_SEARCH_DIR/search.requests
CREQ=$EXTRA_CONNECT_DIR/connect.requests
curl -sS --max-time 5 -XPUT "$EXTRA_SEARCH_URL/products" -H 'Content-Type: application/json' \
	-d '{"settings":{"index":{"refresh_interval":"-1"}}}' >/dev/null
: >"$SREQ"
: >"$CREQ"
MON=$TEST_TMP/monitor.txt
timeout 300 redis-cli -h 127.0.0.1 -p "$EXTRA_REDIS_PORT" MONITOR >"$MON" 2>&1 &
mon_pid=$!
at_exit kill "$mon_pid"
sleep 0.2

AUDIT=$TEST_TMP/audit.log
conf=$TEST_TMP/ro.conf
write_conf() { # [SYNCTOP-LINE...]
	_conf_start "$conf"
	{
		printf 'audit_log = %s\n' "$AUDIT"
		printf '%s\n' "$@"
		printf '[postgres shop]\nconninfo = host=%s port=%s dbname=%s user=synctop_ro\n' \
			"$SYNCTOP_PG_SOCKDIR" "$SYNCTOP_PG_PORT" "$SYNCTOP_DB"
		printf '[search es]\nurl = %s\n' "$EXTRA_SEARCH_URL"
		printf '[connect workers]\nurl = %s\n' "$EXTRA_CONNECT_URL"
		printf '[redis sessions]\nurl = redis://127.0.0.1:%s/0\n' "$EXTRA_REDIS_PORT"
		printf '[http relay]\nurl = %s\n' "$WURL"
		printf '[pipeline products]\noutbox = shop\nconnector = workers\nconnector.name = products-sink\n'
		# the canary opted in: the read-only modes run without it (a marker would be a write)
		printf 'canary = true\ncanary.interval = 1s\n'
		printf 'search = es\nsearch.index = products\ncache = sessions\ncache.key_prefix = session:\ncache.pause_key = relay:paused\n'
		printf 'worker = relay\nworker.state = /admin/state\nworker.pause = POST /admin/pause\nworker.resume = POST /admin/resume\n'
	} >>"$conf"
}

ACTIONS=(replay refresh restore-refresh pause resume stop restart)
scope_of() { [[ $1 == replay ]] && echo --scope=failed; }

# Every action, both ways of being read-only: exit 2, refused, audited.
write_conf
codes=()
for a in "${ACTIONS[@]}"; do
	# shellcheck disable=SC2046 # the scope is one word or none
	run_synctop -c "$conf" action "$a" products $(scope_of "$a") --yes --read-only
	codes+=("$a=$RUN_RC")
done
is "${codes[*]}" "replay=2 refresh=2 restore-refresh=2 pause=2 resume=2 stop=2 restart=2" \
	"--read-only: every action exits 2"
write_conf "read_only = true"
codes=()
for a in "${ACTIONS[@]}"; do
	# shellcheck disable=SC2046
	run_synctop -c "$conf" action "$a" products $(scope_of "$a") --yes
	codes+=("$a=$RUN_RC")
done
is "${codes[*]}" "replay=2 refresh=2 restore-refresh=2 pause=2 resume=2 stop=2 restart=2" \
	"read_only = true: every action exits 2"
is "$(jq -r .result "$AUDIT" | sort | uniq -c | sed 's/^ *//')" "14 refused" \
	"14 audit lines, each refused"
is "$(jq -r 'select(.reason | startswith("read-only: ") | not) | .action' "$AUDIT")" "" \
	"each says read-only"

# --once, with the on-demand sample too.
run_synctop -c "$conf" --once --sample --once-window 0
isnt "$RUN_RC" 3 "--once reads every stage (not unknown)"

# The screen, read-only two ways: every action key, each followed by y, Enter and the count.
write_conf "interval = 500ms"
keys_script() {
	local k
	for k in R F I p u T; do
		send "$k"
		sleep 0.2
		send y
		send_text 7
		send Enter
	done
	send t
	sleep 0.5
}
for mode in --read-only --wallboard; do
	tui_start "ro${mode}" -- -c "$conf" "$mode"
	ok "$mode: the screen is up" wait_polled products
	keys_script
	send Escape q # Enter in the script opened the detail view: Esc leaves it, q quits
	ok "$mode: q quits with exit 0" wait_for EXIT=0
done

# The exporter, scraped on every path (and sent a POST) while it polls every stage.
# shellcheck disable=SC2317 # called through ok
all_up() {
	scrape /metrics
	[[ $SCRAPE_CODE == 200 ]] && (($(grep -cE '^synctop_stage_up\{.*\} 1$' <<<"$SCRAPE_BODY") == 5))
}
if [[ $("$SYNCTOP" --version) == *$'\nexporter: libmicrohttpd'* ]]; then
	# --serve runs an opted-in canary (a write, canary.sh): read_only = true stops it
	write_conf "interval = 500ms" "read_only = true"
	serve_start ro -c "$conf" --serve 0 || bail_out "synctop --serve did not start"
	ok "--serve: its 5 stages polled and up" wait_until all_up
	scrape /snapshot.json
	scrape /healthz
	scrape /metrics -X POST -d 'action=resume'
	sleep 1
	stop_bg "$SERVE_PID" 5
	is "$STOP_RC" 0 "--serve: SIGTERM, exit 0"
else
	skip "--serve: its 5 stages polled and up" "built without the exporter (libmicrohttpd)"
	skip "--serve: SIGTERM, exit 0" "built without the exporter (libmicrohttpd)"
fi

sleep 0.5
kill "$mon_pid" 2>/dev/null
wait "$mon_pid" 2>/dev/null

# The proofs.
is "$(($(log_denied) - denied0))" 0 "PostgreSQL: no permission denied in the server log"
is "$(table_sum)" "$before_sum" "PostgreSQL: outbox and outbox_worker unchanged"
ok "search: the stand-in recorded synctop's reads" test "$(jq -r 'select(.method == "GET")' "$SREQ" | wc -l)" -gt 0
is "$(jq -r 'select(.method != "GET" and .method != "HEAD") | .method + " " + .path' "$SREQ")" "" \
	"search: no request but GET"
ok "connect: the stand-in recorded synctop's reads" test "$(jq -r 'select(.method == "GET")' "$CREQ" | wc -l)" -gt 0
is "$(jq -r 'select(.method != "GET" and .method != "HEAD") | .method + " " + .path' "$CREQ")" "" \
	"connect: no request but GET"
ok "worker: the stand-in recorded synctop's reads" test "$(jq -r 'select(.method == "GET")' "$WREQ" | wc -l)" -gt 0
is "$(jq -r 'select(.method != "GET" and .method != "HEAD") | .method + " " + .path' "$WREQ")" "" \
	"worker: no request but GET"
# MONITOR lines: 1700000000.123456 [0 127.0.0.1:5555] "INFO" "ALL"
cmds=$(sed -n 's/^[0-9.]* \[[^]]*\] "\([A-Za-z]*\)".*/\1/p' "$MON" | tr '[:lower:]' '[:upper:]' | sort -u | tr '\n' ' ')
like "$cmds" "INFO" "redis: MONITOR saw synctop's INFO"
like "$cmds" "SCAN" "redis: MONITOR saw the on-demand sample's SCAN"
like "$cmds" "EXISTS" "redis: MONITOR saw the pause flag read (cache.pause_key)"
is "$(tr ' ' '\n' <<<"$cmds" | grep -vxE 'INFO|PING|SCAN|TTL|PTTL|EXISTS|GET|SELECT|AUTH|CLIENT|HELLO|COMMAND|DBSIZE|TYPE|MEMORY|CONFIG|' || true)" "" \
	"redis: no command but reads ($cmds)"
is "$(jq -r .result "$AUDIT" | sort | uniq -c | sed 's/^ *//')" "14 refused" \
	"the screens wrote no audit line (their keys sent nothing)"

# The controls: a writable mode does write, and each recorder sees it, so the checks above
# could have failed. The outbox's worker is paused: resume is a write the SELECT-only role may
# not make; PostgreSQL refuses it and says so in its log.
write_conf
run_synctop -c "$conf" action resume products --stage outbox --yes --format json
is "$RUN_RC" 2 "control: resume as the SELECT-only role fails (exit 2)"
is "$(jqr .result)" "failed" "control: its result is failed"
ok "control: the server log says permission denied" test "$(($(log_denied) - denied0))" -ge 1
is "$(table_sum)" "$before_sum" "control: nothing changed"
run_synctop -c "$conf" action refresh products --yes
is "$(jq -r 'select(.method == "POST") | .path' "$SREQ")" "/products/_refresh" \
	"control: the search recorder saw the refresh's POST"
done_testing
