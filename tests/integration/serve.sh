#!/usr/bin/env bash
# serve.sh: synctop --serve, the exporter, against a real PostgreSQL: /metrics (promtool),
# /snapshot.json, /healthz, 404 and 405; basic authentication; HTTPS; a backend that hangs
# (the scrape answers in under 50 ms from the last poll, then the stage reads as unknown);
# 100 scrapes at once; no write executor; SIGTERM stops it.
# needs: postgres microhttpd
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/serve_lib.sh
. "$(dirname "$0")/serve_lib.sh"

require_cmd curl jq promtool openssl
need_pg
fresh_db synctop_serve
load_outbox_schema
psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type)
                 SELECT 'product', 'P-' || g, 'product.updated' FROM generate_series(1, 3) AS g" ||
	bail_out "inserting the rows failed"

conf=$TEST_TMP/serve.conf
log=$TEST_TMP/serve.log
MKCONF_EXTRA="" mkconf "$conf"
sed -i "s|^\[synctop\]\$|[synctop]\ninterval = 500ms\nlog_file = $log|" "$conf"
UP='synctop_stage_up\{pipeline="products",stage="outbox",kind="outbox"\} 1'

# ----------------------------------------------------------------------
# The endpoints.
# ----------------------------------------------------------------------
SYNCTOP_TRACE_EXECUTOR=1 serve_start plain -c "$conf" --serve 0 || bail_out "synctop --serve did not start"
like "$(head -n 1 "$SERVE_ERR")" '^synctop: serving http://127\.0\.0\.1:[0-9]+/metrics \(read-only; pipelines: 1\)$' \
	"a port alone: it listens on 127.0.0.1 and says so"
if command -v ss >/dev/null 2>&1; then
	is "$(ss -Hltn "sport = :$SERVE_PORT" | awk '{print $4}')" "127.0.0.1:$SERVE_PORT" \
		"the socket is bound to 127.0.0.1 alone"
else
	skip "the socket is bound to 127.0.0.1 alone" "ss is not installed (apt-get install iproute2)"
fi
ok "/metrics: the stage is polled" scrape_until /metrics "$UP"
is "$SCRAPE_TYPE" "text/plain; version=0.0.4; charset=utf-8" "/metrics: the exposition's content type"
like "$SCRAPE_BODY" $'\nsynctop_outbox_pending\\{[^}]*pipeline="products"[^}]*\\} 3\n' \
	"/metrics: the outbox's 3 pending rows"
printf '%s\n' "$SCRAPE_BODY" >"$TEST_TMP/metrics.txt"
promtool_out=$(promtool check metrics <"$TEST_TMP/metrics.txt" 2>&1)
is "$?:$promtool_out" "0:" "/metrics: promtool check metrics finds nothing to say"

scrape /snapshot.json
is "$SCRAPE_CODE $SCRAPE_TYPE" "200 application/json" "/snapshot.json: 200, application/json"
is "$(jq -r '[.schema, .pipelines[0].name, .pipelines[0].stages[0].kind, .pipelines[0].stages[0].status] | join(" ")' <<<"$SCRAPE_BODY")" \
	"1 products outbox ok" "/snapshot.json: schema 1, the stage polled and ok"
is "$(jq -r '.pipelines[0].stages[0].metrics.pending' <<<"$SCRAPE_BODY")" 3 "/snapshot.json: its 3 pending rows"

scrape /healthz
is "$SCRAPE_CODE:$SCRAPE_BODY" "200:ok" "/healthz: 200 ok while the rounds complete"
scrape /nope
is "$SCRAPE_CODE:$SCRAPE_BODY" "404:not found: synctop --serve answers /metrics, /snapshot.json and /healthz" \
	"another path: 404, naming the paths"
scrape /metrics -X POST -d x=1
is "$SCRAPE_CODE:$SCRAPE_BODY" "405:method not allowed: synctop --serve only reads (GET, HEAD)" "POST: 405"
is "$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -X DELETE "$SERVE_URL/metrics")" 405 "DELETE: 405"
is "$(curl -sS --max-time 5 -i -X PUT "$SERVE_URL/metrics" | tr -d '\r' | grep -i '^allow:')" "Allow: GET, HEAD" \
	"405 says Allow: GET, HEAD"
two=$(curl -sSv --max-time 5 -o /dev/null -o /dev/null "$SERVE_URL/healthz" "$SERVE_URL/metrics" 2>&1)
like "$two" 'Re-using existing connection' "keep-alive: a second GET goes on the same connection"
head_out=$(curl -sS --max-time 5 -I "$SERVE_URL/metrics" | tr -d '\r')
like "$head_out" '^HTTP/1\.1 200 ' "HEAD /metrics: 200"
like "$head_out" $'\nContent-Length: [1-9][0-9]*($|\n)' "HEAD /metrics: the body's length, without the body"

# The same state in the three ways: a change shows in /metrics and /snapshot.json, damped.
psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type)
                 SELECT 'product', 'Q-' || g, 'product.updated' FROM generate_series(1, 2) AS g" ||
	bail_out "inserting the rows failed"
ok "/metrics follows the polls (5 pending rows)" \
	scrape_until /metrics $'\nsynctop_outbox_pending\\{[^}]*\\} 5\n'

# Read-only by construction: the log says there is no write executor.
is "$(grep -c 'write executor' "$log")" 1 "log: one write executor line"
like "$(grep 'write executor' "$log")" 'synctop\[[0-9]+\]: write executor: none \(read-only: --serve\)$' \
	"log: write executor: none (read-only: --serve)"

stop_bg "$SERVE_PID" 5
is "$STOP_RC" 0 "SIGTERM: exit 0"
between "$STOP_MS" 0 2000 "SIGTERM: gone within 2 s"
is "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$SERVE_URL/healthz")" 000 "SIGTERM: nothing listens any more"

# SIGINT too; and --interval sets the exporter's polls.
serve_start sigint -c "$conf" --serve :0 --interval 300ms || bail_out "synctop --serve :0 did not start"
like "$(head -n 1 "$SERVE_ERR")" '^synctop: serving http://127\.0\.0\.1:' "':PORT': 127.0.0.1 too"
ok "--interval: polled" scrape_until /metrics "$UP"
kill -INT "$SERVE_PID"
wait "$SERVE_PID"
is "$?" 0 "SIGINT: exit 0"

# IPv6 where the loopback has it.
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	serve_start v6 -c "$conf" --serve '[::1]:0' || bail_out "synctop --serve [::1]:0 did not start"
	like "$(head -n 1 "$SERVE_ERR")" '^synctop: serving http://\[::1\]:[0-9]+/metrics ' "[::1]:PORT: IPv6"
	ok "[::1]: /metrics answers" scrape_until /metrics "$UP"
	stop_bg "$SERVE_PID" 5
else
	skip "[::1]:PORT: IPv6" "the loopback has no IPv6 address here"
	skip "[::1]: /metrics answers" "the loopback has no IPv6 address here"
fi

# ----------------------------------------------------------------------
# Basic authentication (serve.auth_file).
# ----------------------------------------------------------------------
users=$TEST_TMP/users
printf '# who may scrape\nprometheus:s3cret-one\n\nops:two:with:colons\n' >"$users"
chmod 644 "$users"
aconf=$TEST_TMP/auth.conf
cp "$conf" "$aconf"
sed -i "s|^\[synctop\]\$|[synctop]\nserve.auth_file = $users|" "$aconf"
run_synctop -c "$aconf" --serve 0
is "$RUN_RC" 3 "auth file readable by others: exit 3"
is "$RUN_ERR" "synctop: serve.auth_file: $users may be read by group or others (mode 644): chmod 600 it" \
	"auth file readable by others: refused, saying how to fix it"
chmod 600 "$users"
serve_start auth -c "$aconf" --serve 0 || bail_out "synctop --serve with auth did not start"
scrape /metrics
is "$SCRAPE_CODE" 401 "auth: no credentials: 401"
like "$(curl -sS --max-time 5 -i "$SERVE_URL/metrics" | tr -d '\r')" $'\nWWW-Authenticate: Basic realm="synctop"' \
	"auth: 401 asks for Basic realm=\"synctop\""
scrape /metrics -u prometheus:s3cret-onE
is "$SCRAPE_CODE" 401 "auth: a wrong password: 401"
scrape /metrics -u prometheus:s3cret-on
is "$SCRAPE_CODE" 401 "auth: a prefix of the password: 401"
scrape /metrics -u nobody:s3cret-one
is "$SCRAPE_CODE" 401 "auth: an unknown user: 401"
scrape /healthz -u prometheus:s3cret-one
is "$SCRAPE_CODE" 200 "auth: the right credentials: 200"
ok "auth: /metrics with the right credentials" scrape_until /metrics "$UP" -u prometheus:s3cret-one
scrape /snapshot.json -u ops:two:with:colons
is "$SCRAPE_CODE" 200 "auth: a password with colons (the first colon ends the user)"
stop_bg "$SERVE_PID" 5
unlike "$(cat "$SERVE_ERR")" 's3cret' "auth: no password on stderr"
is "$(sed -n 2p "$SERVE_ERR")" "" "auth on 127.0.0.1 without TLS: no warning"
serve_start auth-any -c "$aconf" --serve 0.0.0.0:0 || bail_out "synctop --serve 0.0.0.0:0 did not start"
scrape /healthz -u prometheus:s3cret-one
is "$SCRAPE_CODE" 200 "auth on 0.0.0.0: answers"
is "$(sed -n 2p "$SERVE_ERR")" \
	"synctop: warning: serve.auth_file without serve.tls_cert: the passwords cross the network in clear text" \
	"auth on 0.0.0.0 without TLS: a warning that the passwords go in clear text"
stop_bg "$SERVE_PID" 5

# ----------------------------------------------------------------------
# HTTPS (serve.tls_cert, serve.tls_key): a self-signed certificate for 127.0.0.1.
# ----------------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$TEST_TMP/tls.key" -out "$TEST_TMP/tls.crt" 2>"$TEST_TMP/openssl.err" ||
	bail_out "openssl could not make a certificate: $(cat "$TEST_TMP/openssl.err")"
chmod 600 "$TEST_TMP/tls.key"
tconf=$TEST_TMP/tls.conf
cp "$conf" "$tconf"
sed -i "s|^\[synctop\]\$|[synctop]\nserve.tls_cert = $TEST_TMP/tls.crt|" "$tconf"
run_synctop -c "$tconf" --serve 0
is "$RUN_RC:$RUN_ERR" "3:synctop: serve.tls_cert is set but serve.tls_key is not: HTTPS needs both" \
	"a certificate without its key: exit 3, saying so"
sed -i "s|^\[synctop\]\$|[synctop]\nserve.tls_key = tls.key|" "$tconf" # relative to the config
serve_start tls -c "$tconf" --serve 0 || bail_out "synctop --serve with TLS did not start"
like "$(head -n 1 "$SERVE_ERR")" '^synctop: serving https://127\.0\.0\.1:[0-9]+/metrics ' "TLS: it says https://"
ok "TLS: /metrics over HTTPS, the certificate checked (curl --cacert)" \
	scrape_until /metrics "$UP" --cacert "$TEST_TMP/tls.crt"
is "$SCRAPE_TYPE" "text/plain; version=0.0.4; charset=utf-8" "TLS: the same content type"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "${SERVE_URL/https:/http:}/metrics")" 000 \
	"TLS: plain HTTP gets no answer"
stop_bg "$SERVE_PID" 5
is "$STOP_RC" 0 "TLS: SIGTERM, exit 0"

# ----------------------------------------------------------------------
# A backend that hangs: a second server, SIGSTOPped with its backends.
# ----------------------------------------------------------------------
pg_up_extra
"$SYNCTOP_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$EXTRA_PG_DIR" -p "$EXTRA_PG_PORT" \
	-U postgres -d synctop -f "$top_srcdir/share/sql/outbox.sql" >/dev/null ||
	bail_out "loading the schema into the second server failed"
hconf=$TEST_TMP/hung.conf
MKCONF_TIMEOUT=1s mkconf "$hconf"
cat >>"$hconf" <<CONF

[postgres stuck]
conninfo = host=127.0.0.1 port=$EXTRA_PG_PORT dbname=synctop user=postgres password=hunter2

[pipeline hung]
outbox = stuck
outbox.table = public.outbox
CONF
sed -i "s|^\[synctop\]\$|[synctop]\ninterval = 1s\nlog_file = $TEST_TMP/hung.log|" "$hconf"
HUNG_UP='synctop_stage_up\{pipeline="hung",stage="outbox",kind="outbox"\} 1'
HUNG_DOWN='synctop_stage_up\{pipeline="hung",stage="outbox",kind="outbox"\} 0'
HUNG_UNKNOWN='synctop_stage_status\{pipeline="hung",stage="outbox",kind="outbox"\} 3'
serve_start hung -c "$hconf" --serve 0 || bail_out "synctop --serve did not start"
ok "hang: both pipelines polled while the second server runs" scrape_until /metrics "$HUNG_UP"
mapfile -t stopped < <(
	echo "$EXTRA_PG_PID"
	pgrep -P "$EXTRA_PG_PID"
)
at_exit kill -CONT "${stopped[@]}" # before the server's teardown (registered earlier)
kill -STOP "${stopped[@]}" || bail_out "cannot stop the second server"
# Every scrape while the poll hangs, until the stage reads as unknown: each under 50 ms.
slowest=0 n=0 seen=0
for ((i = 0; i < 150; i++)); do
	scrape /metrics
	n=$((n + 1))
	[[ $SCRAPE_CODE == 200 ]] || break
	slowest=$(awk -v a="$slowest" -v b="$SCRAPE_S" 'BEGIN { print (b > a) ? b : a }')
	if [[ $SCRAPE_BODY =~ $HUNG_DOWN && $SCRAPE_BODY =~ $HUNG_UNKNOWN ]]; then
		seen=1
		break
	fi
	sleep 0.1
done
is "$SCRAPE_CODE" 200 "hang: every scrape answers 200 ($n scrapes)"
between "$slowest" 0 0.050 "hang: the slowest of $n scrapes took ${slowest}s (under 50 ms)"
is "$seen" 1 "hang: the stage then reads as down (stage_up 0) and unknown (stage_status 3)"
like "$SCRAPE_BODY" "$UP" "hang: the other pipeline's stage is still up"
scrape /snapshot.json
like "$(jq -r '.pipelines[] | select(.name == "hung") | .stages[0].status + " " + .stages[0].error' <<<"$SCRAPE_BODY")" \
	'^unknown .*(stuck|timed? ?out)' "hang: /snapshot.json says unknown, and why"
unlike "$SCRAPE_BODY" hunter2 "hang: no password in /snapshot.json"
like "$(cat "$TEST_TMP/hung.log")" 'hung/outbox ok -> unknown' "hang: the change is logged as the screen logs it"
stop_bg "$SERVE_PID" 5
is "$STOP_RC" 0 "hang: SIGTERM with the poll hanging: exit 0"
between "$STOP_MS" 0 2000 "hang: gone within 2 s all the same"

# /healthz: no round completes while the only server hangs past three intervals.
sconf=$TEST_TMP/stalled.conf
MKCONF_TIMEOUT=20s MKCONF_CONNINFO="host=127.0.0.1 port=$EXTRA_PG_PORT dbname=synctop user=postgres" mkconf "$sconf"
sed -i "s|^\[synctop\]\$|[synctop]\ninterval = 500ms|" "$sconf"
serve_start stalled -c "$sconf" --serve 0 || bail_out "synctop --serve did not start"
scrape /healthz
is "$SCRAPE_CODE" 200 "healthz: 200 at the start, within three intervals"
sleep 2
scrape /healthz
is "$SCRAPE_CODE" 503 "healthz: 503 once no round has completed for three intervals"
like "$SCRAPE_BODY" '^no complete round of polls yet \(started [0-9.]+s ago\)$' "healthz: it says why"
scrape /metrics
is "$SCRAPE_CODE" 200 "healthz 503: /metrics answers all the same"
between "$SCRAPE_S" 0 0.050 "healthz 503: at once (${SCRAPE_S}s)"
stop_bg "$SERVE_PID" 5
is "$STOP_RC" 0 "stalled: SIGTERM, exit 0"
kill -CONT "${stopped[@]}"

# ----------------------------------------------------------------------
# 100 scrapes at once.
# ----------------------------------------------------------------------
sed -i "s|^interval = 500ms\$|interval = 1s|" "$conf"
serve_start many -c "$conf" --serve 0 || bail_out "synctop --serve did not start"
ok "many: polled" scrape_until /metrics "$UP"
mkdir -p "$TEST_TMP/many"
t0=$(now_ms)
# Each answer: its code, the bytes received and the length its header announced.
seq 1 100 | xargs -P 100 -I{} curl -sS --max-time 10 -o "$TEST_TMP/many/{}" \
	-w '%{http_code} %{size_download} %header{content-length}\n' "$SERVE_URL/metrics" \
	>"$TEST_TMP/many.codes" 2>"$TEST_TMP/many.err"
t1=$(now_ms)
is "$(cut -d' ' -f1 "$TEST_TMP/many.codes" | sort | uniq -c | sed 's/^ *//')" "100 200" \
	"many: 100 concurrent scrapes, 100 times 200"
is "$(awk '$2 == $3 && $2 > 1000' "$TEST_TMP/many.codes" | wc -l)" 100 \
	"many: each body as long as its Content-Length says"
full=0
for f in "$TEST_TMP"/many/*; do
	[[ $(head -n 1 "$f") == "# HELP synctop_info "* ]] && grep -Eq "$UP" "$f" && full=$((full + 1))
done
is "$full" 100 "many: each body from synctop_info to the stage's series"
between "$((t1 - t0))" 0 5000 "many: all within 5 s ($((t1 - t0)) ms)"
stop_bg "$SERVE_PID" 5
is "$STOP_RC" 0 "many: SIGTERM, exit 0"

# ----------------------------------------------------------------------
# A fleet: 200 pipelines in one process.
# ----------------------------------------------------------------------
fconf=$TEST_TMP/fleet.conf
mkconf "$fconf"
for ((i = 1; i <= 199; i++)); do
	printf '\n[pipeline p%03d]\noutbox = shop\noutbox.table = public.outbox\n' "$i"
done >>"$fconf"
serve_start fleet -c "$fconf" --serve 0 || bail_out "synctop --serve did not start"
like "$(head -n 1 "$SERVE_ERR")" '\(read-only; pipelines: 200\)$' "fleet: 200 pipelines"
# shellcheck disable=SC2317 # called through ok
fleet_up() {
	scrape /metrics
	[[ $SCRAPE_CODE == 200 ]] && (($(grep -cE '^synctop_stage_up\{.*\} 1$' <<<"$SCRAPE_BODY") == 200))
}
# shellcheck disable=SC2317 # called through ok
fleet_up_wait() {
	local i
	for ((i = 0; i < 300; i++)); do
		fleet_up && return 0
		sleep 0.1
	done
	diag "$(grep -cE '^synctop_stage_up\{.*\} 1$' <<<"$SCRAPE_BODY") stages up of 200"
	return 1
}
ok "fleet: all 200 stages polled and up" fleet_up_wait
printf '%s\n' "$SCRAPE_BODY" >"$TEST_TMP/fleet.txt"
promtool_out=$(promtool check metrics <"$TEST_TMP/fleet.txt" 2>&1)
is "$?:$promtool_out" "0:" "fleet: promtool check metrics finds nothing to say"
is "$(grep -c '^synctop_pipeline_status{' "$TEST_TMP/fleet.txt")" 200 "fleet: a status for each pipeline"
scrape /metrics
between "$SCRAPE_S" 0 0.050 "fleet: a scrape of 200 pipelines in under 50 ms (${SCRAPE_S}s)"
stop_bg "$SERVE_PID" 5
is "$STOP_RC" 0 "fleet: SIGTERM, exit 0"

# ----------------------------------------------------------------------
# The exporter's systemd unit.
# ----------------------------------------------------------------------
unit_src=$top_srcdir/contrib/synctop-exporter.service
unit=$(<"$unit_src")
like "$unit" $'\nExecStart=/usr/local/bin/synctop --serve 127\\.0\\.0\\.1:9187 -c %d/synctop\\.conf\n' \
	"unit: runs synctop --serve 127.0.0.1:9187 -c CONFIG"
like "$unit" $'\nRestart=always\n' "unit: Restart=always"
like "$unit" $'\nDynamicUser=yes\n' "unit: a dynamic user"
like "$unit" $'\nCapabilityBoundingSet=\n' "unit: no capability"
if command -v systemd-analyze >/dev/null 2>&1; then
	# Verified with the built binary and the test's config in place of the installed ones.
	mkdir -p "$TEST_TMP/unit"
	sed -e "s|^ExecStart=/usr/local/bin/synctop |ExecStart=$SYNCTOP |" \
		-e "s|^LoadCredential=synctop.conf:/etc/synctop.conf$|LoadCredential=synctop.conf:$conf|" \
		"$unit_src" >"$TEST_TMP/unit/synctop-exporter.service"
	verify=$(cd "$TEST_TMP/unit" && systemd-analyze verify --man=no ./synctop-exporter.service 2>&1)
	is "$?:$verify" "0:" "unit: systemd-analyze verify accepts it, with nothing to say"
else
	skip "unit: systemd-analyze verify accepts it, with nothing to say" \
		"systemd-analyze is not installed (apt-get install systemd)"
fi

done_testing
