#!/usr/bin/env bash
# secrets.sh: issue 12's marker sweep: a distinct marker password in every connection of every
# kind and form, every mode and format with every backend down, refusing the password and up;
# no marker (nor any part of one) in stdout, stderr, the log file or the screen. The [mongodb]
# connections join when synctop has libmongoc and python3-bson is there (the MongoDB stand-in);
# else they are skipped, and the rest of the sweep runs.
#
# Every password is made of marker tokens, XK + state (u up, r refusing, d down) + a 3-character
# id, joined by the characters that broke the redactor ('?', '#', '@', '/', '%23', a space): a
# partial leak (the part after '#', a decoded form) shows a whole token. All tokens have the
# same length, so none holds another. The servers accept the "up" passwords only.
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"
# shellcheck source=tests/integration/mongo_lib.sh
. "$(dirname "$0")/mongo_lib.sh"

require_cmd jq curl tmux redis-cli
redis_bin >/dev/null || skip_all "redis-server is not installed (apt-get install redis-server)"
need_kafka
H=127.0.0.1

# tok ID: the token ID of the state ST.
tok() {
	printf 'XK%s%s' "$ST" "$1"
}

# ----------------------------------------------------------------------
# The servers: each accepts the "up" passwords (ST=u), refuses the others.
# ----------------------------------------------------------------------
ST=u

# PostgreSQL: a role per conninfo form, scram-sha-256 over TCP; trust stays for postgres.
pg_up_extra
PGP=$EXTRA_PG_PORT
PG_BIN=$(pg__bindir) || bail_out "no PostgreSQL binaries"
pgx() {
	"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$EXTRA_PG_DIR" -p "$PGP" -U postgres -At "$@"
}
declare -A PG_PW=(
	[pk]="$(tok pk1)" [pq]="$(tok pq1) $(tok pq2)" [pu]="$(tok pu1)" [pm]="$(tok pm1)q?x=1$(tok pm2)"
	[ph]="$(tok ph1)#$(tok ph2)" [pp]="$(tok pp1)" [pe]="$(tok pe1)#$(tok pe2)" [pd]="$(tok pd1)@$(tok pd2)"
)
{
	printf 'CREATE DATABASE sk;\n'
	for r in "${!PG_PW[@]}"; do
		printf "CREATE ROLE sk_%s LOGIN PASSWORD '%s';\nGRANT pg_read_all_data, pg_monitor TO sk_%s;\n" \
			"$r" "${PG_PW[$r]}" "$r"
	done
} | pgx -d postgres >/dev/null || bail_out "creating the roles failed"
pgx -d sk -f "$top_srcdir/share/sql/outbox.sql" >/dev/null || bail_out "loading the outbox schema failed"
hba=$EXTRA_PG_DIR/data/pg_hba.conf
if ! {
	printf 'host all sk_%s 127.0.0.1/32 scram-sha-256\n' "${!PG_PW[@]}"
	cat "$hba"
} >"$hba.new" || ! cat "$hba.new" >"$hba" || ! rm -f "$hba.new"; then
	bail_out "cannot edit $hba"
fi
pgx -d postgres -c 'SELECT pg_reload_conf()' >/dev/null || bail_out "reloading pg_hba.conf failed"
sleep 0.2

# Redis: the default user takes the passwords of every form without a user; sk_rb its own.
redis_up_extra
RP=$EXTRA_REDIS_PORT
rx() {
	timeout 5 redis-cli --no-auth-warning -h "$H" -p "$RP" "$@"
}
RA=adminpw-not-a-marker
{ rx ACL SETUSER sk_admin on ">$RA" '~*' '&*' +@all >/dev/null &&
	rx ACL SETUSER sk_rb on ">$(tok rb1)" '~*' '&*' +@all >/dev/null &&
	rx ACL SETUSER default on resetpass ">$(tok ra1)" ">$(tok rh1)#$(tok rh2)" ">$(tok rq1)?x=$(tok rq2)" \
		">$(tok re1)" ">$(tok rf1)" >/dev/null; } || bail_out "setting the Redis passwords failed"
is "$(rx PING 2>&1)" "NOAUTH Authentication required." "Redis: the default user needs a password now"

# Search: four stand-ins, each with a user password and an API key of its own forms.
# search_standin USER-PASSWORD API-KEY: starts one; its URL in SURL.
search_standin() {
	{ printf '%s' "$1" >"$TEST_TMP/spw" && printf '%s' "$2" >"$TEST_TMP/skey"; } || bail_out "writing a secret failed"
	SYNCTOP_SEARCH_ARGS="--user elastic --password-file $TEST_TMP/spw --api-key-file $TEST_TMP/skey" search_up_extra
	SURL=$EXTRA_SEARCH_URL
	curl -sS --max-time 5 -u "elastic:$1" -X PUT "$SURL/products" >/dev/null ||
		bail_out "creating the index on $SURL failed"
}
search_standin "$(tok su1)" "$(tok sa1)"
S1=$SURL
search_standin "$(tok se1)" "$(tok sk1)"
S2=$SURL
search_standin "$(tok sf1)" "$(tok sx1)"
S3=$SURL
search_standin "$(tok sd1)#$(tok sd2)" "$(tok sy1)"
S4=$SURL

# Connect: three stand-ins, one password each (URL, _env, _file).
connect_standin() {
	printf '%s' "$1" >"$TEST_TMP/cpw" || bail_out "writing a secret failed"
	SYNCTOP_CONNECT_ARGS="--user connect --password-file $TEST_TMP/cpw" connect_up_extra
	CURL_=$EXTRA_CONNECT_URL
}
connect_standin "$(tok cu1)"
C1=$CURL_
connect_standin "$(tok ce1)"
C2=$CURL_
connect_standin "$(tok cf1)"
C3=$CURL_

# Graph (the [http] connections): four Neo4j stand-ins, one password each (URL, _env, _file,
# the URL's percent-encoded).
graph_standin() {
	printf '%s' "$1" >"$TEST_TMP/gpw" || bail_out "writing a secret failed"
	SYNCTOP_GRAPH_ARGS="--user neo4j --password-file $TEST_TMP/gpw" graph_up_extra
	GURL=$EXTRA_GRAPH_URL
	curl -sS --max-time 5 -XPOST "$GURL/_standin/nodes" -d '{"label": "Product", "count": 4, "newest": 0}' \
		>/dev/null || bail_out "making the nodes on $GURL failed"
}
graph_standin "$(tok hu1)"
G1=$GURL
graph_standin "$(tok he1)"
G2=$GURL
graph_standin "$(tok hf1)"
G3=$GURL
graph_standin "$(tok hd1)@$(tok hd2)#$(tok hd3)/$(tok hd4)"
G4=$GURL

# MongoDB: four stand-ins, one password each (URL, _env, _file, the URL's percent-encoded), when
# synctop has the backend and the stand-in can run.
MONGO=0 MONGO_BUILT=0
if "$SYNCTOP" --version 2>/dev/null | grep -q '^mongodb: libmongoc'; then MONGO_BUILT=1; fi
if ((!MONGO_BUILT)); then
	MONGO_WHY="synctop was built without libmongoc (--with-mongoc)"
elif ! mongo_bin >/dev/null; then
	MONGO_WHY="/usr/bin/python3 or python3-bson is missing (apt-get install python3-bson)"
else
	MONGO=1
fi
mongo_standin() {
	printf '%s' "$1" >"$TEST_TMP/mpw" || bail_out "writing a secret failed"
	# The stand-in's own user (synctop, a random password) left out: the user sk, this password.
	SYNCTOP_MONGO_NO_AUTH=1 SYNCTOP_MONGO_ARGS="--user sk --password-file $TEST_TMP/mpw" mongo_up_extra
	SYNCTOP_MONGO_CONTROL=$EXTRA_MONGO_CONTROL mongo_collection sk products 3 absent ||
		bail_out "the MongoDB stand-in on $EXTRA_MONGO_PORT refused the collection"
	MPORT=$EXTRA_MONGO_PORT
}
if ((MONGO)); then
	mongo_standin "$(tok mu1)"
	M1=$H:$MPORT
	mongo_standin "$(tok me1)"
	M2=$H:$MPORT
	mongo_standin "$(tok mf1)"
	M3=$H:$MPORT
	mongo_standin "$(tok md1)@$(tok md2)#$(tok md3)/$(tok md4)"
	M4=$H:$MPORT
else
	diag "the [mongodb] connections are left out: $MONGO_WHY"
fi

# InfluxDB (a timeseries stage on the [http] connection ti: the URL's password, '#' encoded),
# auth-enabled, its one user sk, when influxd is installed.
INFLUX=0
if influx_bin >/dev/null; then
	INFLUX=1
	SYNCTOP_INFLUX_AUTH=1 influx_up_extra
	I1=$EXTRA_INFLUX_URL
	ipw="$(tok ti1)#$(tok ti2)"
	{ curl -sS -m 5 -XPOST "$I1/query" --data-urlencode "q=CREATE USER sk WITH PASSWORD '$ipw' WITH ALL PRIVILEGES" &&
		curl -sS -m 5 -u "sk:$ipw" -XPOST "$I1/query" --data-urlencode 'q=CREATE DATABASE sk' &&
		printf 'orders v=1i %s\n' "$(now_ms)" | curl -sS -m 5 -u "sk:$ipw" -XPOST "$I1/write?db=sk&precision=ms" \
			--data-binary @-; } >/dev/null || bail_out "setting up InfluxDB failed"
	is "$(curl -sS -m 5 -XPOST "$I1/query" --data-urlencode 'q=SHOW DATABASES')" '{"error":"unable to parse authentication credentials"}' \
		"InfluxDB: authentication required now"
else
	INFLUX_WHY="influxd is not installed (apt-get install influxdb)"
	diag "the timeseries stage is left out: $INFLUX_WHY"
fi

# Kafka: librdkafka's mock cluster has no SASL; the client sets the password and tries.

# ----------------------------------------------------------------------
# The config of a state: every connection, one pipeline per connection.
# ----------------------------------------------------------------------
# mkconf_state ST FILE: the config for state ST (u: the servers, right passwords; r: the
# servers, wrong passwords; d: nothing listening), its _file secrets beside it; sets the
# environment variables its _env keys name.
mkconf_state() {
	local ST=$1 file=$2 pg=$H:$PGP redis=$H:$RP s1=$S1 s2=$S2 s3=$S3 s4=$S4 c1=$C1 c2=$C2 c3=$C3
	local brokers=$SYNCTOP_KAFKA_BOOTSTRAP dir=${2%/*} g1=$G1 g2=$G2 g3=$G3 g4=$G4
	local m1=${M1:-} m2=${M2:-} m3=${M3:-} m4=${M4:-} i1=${I1:-}
	if [[ $ST == d ]]; then
		pg=$H:1 redis=$H:1 s1=http://$H:1 s2=$s1 s3=$s1 s4=$s1 c1=$s1 c2=$s1 c3=$s1 brokers=$H:1
		g1=$s1 g2=$s1 g3=$s1 g4=$s1 m1=$H:1 m2=$H:1 m3=$H:1 m4=$H:1 i1=$s1
	fi
	local pgh=${pg%:*} pgp=${pg#*:} s1h=${s1#http://} s4h=${s4#http://} c1h=${c1#http://}
	local g1h=${g1#http://} g4h=${g4#http://}
	printf '%s\n' "$(tok rf1)" >"$dir/$ST.redis-pw"
	printf '%s\n' "$(tok sf1)" >"$dir/$ST.search-pw"
	printf '%s\n' "$(tok sx1)" >"$dir/$ST.search-key"
	printf '%s\n' "$(tok cf1)" >"$dir/$ST.connect-pw"
	printf '%s\n' "$(tok kf1)" >"$dir/$ST.kafka-pw"
	printf '%s\n' "$(tok hf1)" >"$dir/$ST.http-pw"
	printf '%s\n' "$(tok mf1)" >"$dir/$ST.mongo-pw"
	chmod 600 "$dir/$ST".*
	SK_RE=$(tok re1) SK_SE=$(tok se1) SK_SA=$(tok sa1) SK_CE=$(tok ce1) SK_KE=$(tok ke1)
	SK_HE=$(tok he1) SK_ME=$(tok me1)
	export SK_RE SK_SE SK_SA SK_CE SK_KE SK_HE SK_ME
	_conf_start "$file"
	cat >>"$file" <<EOF
log_file = $dir/$ST.log

[postgres pk]
conninfo = host=$pgh port=$pgp user=sk_pk password=$(tok pk1) dbname=sk
[postgres pq]
conninfo = host=$pgh port=$pgp user=sk_pq password='$(tok pq1) $(tok pq2)' dbname=sk
[postgres pu]
conninfo = postgresql://sk_pu:$(tok pu1)@$pg/sk
[postgres pm]
conninfo = postgresql://sk_pm:$(tok pm1)q?x=1$(tok pm2)@$pg/sk
[postgres ph]
conninfo = postgres://sk_ph:$(tok ph1)#$(tok ph2)@$pg/sk?connect_timeout=2
[postgres pp]
conninfo = postgresql://sk_pp@$pg/sk?password=$(tok pp1)
[postgres pe]
conninfo = postgresql://sk_pe@$pg/sk?pass%77ord=$(tok pe1)%23$(tok pe2)
[postgres pd]
conninfo = postgresql://sk_pd:$(tok pd1)%40$(tok pd2)@$pg/sk
[postgres ps]
conninfo = postgresql://sk_ps:$(tok ps1)/$(tok ps2)@$pg/sk
[postgres pn]
conninfo = host=$pgh port=$pgp user=postgres dbname='host=$pgh password=$(tok pn1)'

[redis ra]
url = redis://:$(tok ra1)@$redis/0
[redis rb]
url = redis://sk_rb:$(tok rb1)@$redis/0
[redis rh]
url = redis://:$(tok rh1)#$(tok rh2)@$redis/0
[redis rq]
url = redis://:$(tok rq1)?x=$(tok rq2)@$redis/0
[redis re]
url = redis://$redis/0
password_env = SK_RE
[redis rf]
url = redis://$redis/0
password_file = $ST.redis-pw
[redis rs]
url = redis://:$(tok rs1)/$(tok rs2)@$redis/0
[redis ru]
url = unix://:$(tok ru1)@$dir/no-such.sock

[search su]
url = http://elastic:$(tok su1)@$s1h
[search sa]
url = $s1
api_key_env = SK_SA
[search se]
url = $s2
username = elastic
password_env = SK_SE
[search sk]
url = $s2/?api_key=$(tok sk1)
[search sf]
url = $s3
username = elastic
password_file = $ST.search-pw
[search sx]
url = $s3
api_key_file = $ST.search-key
[search sd]
url = http://elastic:$(tok sd1)%23$(tok sd2)@$s4h
[search sh]
url = http://elastic:$(tok sh1)#$(tok sh2)@$s4h
[search sl]
url = http://elastic:$(tok sl1)/$(tok sl2)@$s4h

[connect cu]
url = http://connect:$(tok cu1)@$c1h
[connect ce]
url = $c2
username = connect
password_env = SK_CE
[connect cf]
url = $c3
username = connect
password_file = $ST.connect-pw

[kafka ke]
brokers = $brokers
property.security.protocol = SASL_PLAINTEXT
property.sasl.mechanism = PLAIN
property.sasl.username = sk
sasl_password_env = SK_KE
[kafka kf]
brokers = $brokers
property.security.protocol = SASL_PLAINTEXT
property.sasl.mechanism = PLAIN
property.sasl.username = sk
sasl_password_file = $ST.kafka-pw
[kafka kp]
brokers = $brokers
property.security.protocol = SASL_PLAINTEXT
property.sasl.mechanism = PLAIN
property.sasl.username = sk
property.sasl.password = $(tok kp1)#$(tok kp2)

[http hu]
url = http://neo4j:$(tok hu1)@$g1h
[http he]
url = $g2
username = neo4j
password_env = SK_HE
[http hf]
url = $g3
username = neo4j
password_file = $ST.http-pw
[http hd]
url = http://neo4j:$(tok hd1)%40$(tok hd2)%23$(tok hd3)%2F$(tok hd4)@$g4h
[http hh]
url = http://neo4j:$(tok hh1)#$(tok hh2)@$g4h
[http hl]
url = http://neo4j:$(tok hl1)/$(tok hl2)@$g4h
EOF
	((!INFLUX)) || cat >>"$file" <<EOF

[http ti]
url = http://sk:$(tok ti1)%23$(tok ti2)@${i1#http://}
EOF
	((!MONGO)) || cat >>"$file" <<EOF

[mongodb mu]
url = mongodb://sk:$(tok mu1)@$m1/
[mongodb me]
url = mongodb://$m2/
username = sk
password_env = SK_ME
[mongodb mf]
url = mongodb://sk@$m3/
password_file = $ST.mongo-pw
[mongodb md]
url = mongodb://sk:$(tok md1)%40$(tok md2)%23$(tok md3)%2F$(tok md4)@$m4/
[mongodb mh]
url = mongodb://sk:$(tok mh1)#$(tok mh2)@$m4/
[mongodb mq]
url = mongodb://sk:$(tok mq1)?x=$(tok mq2)@$m4/
[mongodb mt]
url = mongodb://sk:$(tok mt1)@$H:1/?tlsCertificateKeyFilePassword=$(tok mt2)
[mongodb ma]
url = mongodb://AKIAXX:$(tok ma1)@$H:1/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:$(tok ma2)
EOF
	local c
	for c in pk pq pu pm ph pp pe pd ps pn; do
		printf '\n[pipeline p_%s]\noutbox = %s\noutbox.table = public.outbox\n' "$c" "$c" >>"$file"
	done
	for c in ra rb rh rq re rf rs ru; do
		printf '\n[pipeline p_%s]\ncache = %s\n' "$c" "$c" >>"$file"
	done
	for c in su sa se sk sf sx sd sh sl; do
		printf '\n[pipeline p_%s]\nsearch = %s\nsearch.index = products\n' "$c" "$c" >>"$file"
	done
	for c in cu ce cf; do
		printf '\n[pipeline p_%s]\nconnector = %s\nconnector.name = products-sink\n' "$c" "$c" >>"$file"
	done
	for c in ke kf kp; do
		printf '\n[pipeline p_%s]\nkafka = %s\nkafka.group = indexer\nkafka.topics = sk.orders\n' "$c" "$c" >>"$file"
	done
	for c in "${HTTP_CONNS[@]}"; do
		printf '\n[pipeline p_%s]\ngraph = %s\ngraph.count = MATCH (p:Product) RETURN count(p)\n' "$c" "$c" >>"$file"
	done
	for c in "${TS_CONNS[@]}"; do
		printf '\n[pipeline p_%s]\ntimeseries = %s\ntimeseries.database = sk\ntimeseries.measurement = orders\n' \
			"$c" "$c" >>"$file"
	done
	for c in "${MONGO_CONNS[@]}"; do
		printf '\n[pipeline p_%s]\ndocument = %s\ndocument.database = sk\ndocument.collection = products\n' \
			"$c" "$c" >>"$file"
	done
}

# The passwords of each connection, as tokens (every state): the sweep looks for each.
HTTP_CONNS=(hu he hf hd hh hl) MONGO_CONNS=() TS_CONNS=()
((!INFLUX)) || TS_CONNS=(ti)
((!MONGO)) || MONGO_CONNS=(mu me mf md mh mq mt ma)
CONNS=(pk pq pu pm ph pp pe pd ps pn ra rb rh rq re rf rs ru su sa se sk sf sx sd sh sl cu ce cf ke kf kp
	"${HTTP_CONNS[@]}" "${TS_CONNS[@]}" "${MONGO_CONNS[@]}")
declare -A PARTS=([pq]=2 [pm]=2 [ph]=2 [pe]=2 [pd]=2 [ps]=2 [rh]=2 [rq]=2 [rs]=2 [sd]=2 [sh]=2 [sl]=2 [kp]=2
	[hd]=4 [hh]=2 [hl]=2 [ti]=2 [md]=4 [mh]=2 [mq]=2 [mt]=2 [ma]=2)
tokens_of() { # CONN: every token of CONN's passwords in every state (e: the config errors)
	local ST i states=(u r d)
	[[ $1 != e* ]] || states=(e)
	for ST in "${states[@]}"; do
		for ((i = 1; i <= ${PARTS[$1]:-1}; i++)); do
			tok "$1$i"
			printf '\n'
		done
	done
}

# What the channels received, across every run: stdout, stderr, the log files, the screens
# (and the recordings, below).
OUT=$TEST_TMP/ch.stdout ERR=$TEST_TMP/ch.stderr SCR=$TEST_TMP/ch.screen
: >"$OUT" && : >"$ERR" && : >"$SCR"
keep_run() {
	printf '%s\n' "$RUN_OUT" >>"$OUT"
	printf '%s\n' "$RUN_ERR" >>"$ERR"
}

# ----------------------------------------------------------------------
# --once, text and json, in each state
# ----------------------------------------------------------------------
STAGES=$((10 + 8 + 9 + 3 + 3 + ${#HTTP_CONNS[@]} + ${#TS_CONNS[@]} + ${#MONGO_CONNS[@]}))
for ST in u r d; do
	conf=$TEST_TMP/$ST.conf
	mkconf_state "$ST" "$conf"
	run_once -c "$conf" --format json --once-window 0 --record "$TEST_TMP/rec.$ST.jsonl"
	keep_run
	is "$(jqr '[.pipelines[].stages[]] | length')" "$STAGES" "$ST: json: all $STAGES stages reported"
	is "$(grep -c '"type":"sample"' "$TEST_TMP/rec.$ST.jsonl")" "$STAGES" \
		"$ST: --record: a sample of each of the $STAGES stages recorded"
	run_once -c "$conf" --once-window 0
	keep_run
	like "$RUN_OUT" 'p_pk +outbox' "$ST: text: the report lists the stages"
	ok "$ST: the log file was written" test -s "$TEST_TMP/$ST.log"
done

# The states did what they say (else the sweep proves little).
# load_st: ST_OF[CONN], "STATUS COUNT ERROR" of the stage of p_CONN in RUN_OUT, for every
# pipeline (one jq); st_of CONN prints it.
declare -A ST_OF=()
load_st() {
	local name rest
	ST_OF=()
	while read -r name rest; do
		ST_OF[${name#p_}]=$rest
	done < <(jqr '.pipelines[] | .name + " " + (.stages[0] | "\(.status) \(.metrics.count) \(.error)")')
}
st_of() {
	printf '%s' "${ST_OF[$1]-}"
}
mkconf_state u "$TEST_TMP/u.conf"
run_once -c "$TEST_TMP/u.conf" --format json --once-window 0
keep_run
load_st
for c in pk pq pu pm ph pp pe pd ra rb rh rq re rf su sa se sf sx sd cu ce cf; do
	st=$(st_of "$c")
	unlike "$st" '^unknown|[Aa]uthenticat|WRONGPASS|NOAUTH|HTTP 401' "up: $c authenticates and reads"
done
# The [http] and [mongodb] ones: what each server holds, read (4 nodes, 3 documents).
for c in hu he hf hd; do
	is "$(st_of "$c")" "ok 4 null" "up: $c authenticates and reads (graph: 4 nodes)"
done
if ((MONGO)); then
	for c in mu me mf md; do
		is "$(st_of "$c")" "ok 3 null" "up: $c authenticates and reads (document: 3 documents)"
	done
else
	skip "up: the [mongodb] connections authenticate and read" "$MONGO_WHY"
fi
if ((INFLUX)); then
	is "$(jqr '[.pipelines[] | select(.name == "p_ti") | .stages[0] | "\(.error) \(.metrics.newest_point != null)"] | .[0]')" \
		"null true" "up: ti authenticates and reads (timeseries: the newest point)"
else
	skip "up: ti authenticates and reads" "$INFLUX_WHY"
fi
# librdkafka's mock cluster has no SASL: the client gets as far as the handshake, password set.
for c in ke kf kp; do
	like "$(st_of "$c")" \
		'SASL Handshake not supported by broker' "up: $c tries SASL/PLAIN (the mock refuses it)"
done
mkconf_state r "$TEST_TMP/r.conf"
run_once -c "$TEST_TMP/r.conf" --format json --once-window 0
keep_run
load_st
for c in pk pq pu pm ph pp pe pd ra rb rh rq re rf su sa se sf sx sd cu ce cf; do
	st=$(st_of "$c")
	like "$st" 'password authentication failed|WRONGPASS|invalid (username-)?password|HTTP 401' \
		"refusing: $c is refused"
done
for c in hu he hf hd; do
	is "$(st_of "$c")" "unknown null HTTP 401 (unauthorized: check the user, password or API key) from POST \
/db/neo4j/query/v2: Neo.ClientError.Security.Unauthorized: Invalid username or password." "refusing: $c is refused"
done
if ((MONGO)); then
	for c in mu me mf md; do
		is "$(st_of "$c")" "unknown null the count: Authentication failed." "refusing: $c is refused"
	done
else
	skip "refusing: the [mongodb] connections are refused" "$MONGO_WHY"
fi
if ((INFLUX)); then
	is "$(st_of ti)" "unknown null HTTP 401 (unauthorized: check the user, password or API key) from GET /query: \
authorization failed" "refusing: ti is refused"
else
	skip "refusing: ti is refused" "$INFLUX_WHY"
fi
mkconf_state d "$TEST_TMP/d.conf"
run_once -c "$TEST_TMP/d.conf" --format json --once-window 0
keep_run
load_st
is "$(jqr '[.pipelines[].stages[] | select(.status == "unknown" and (.error | test("[Cc]onnect|No such file|transport|bad/illegal format|not a number|invalid integer")))] | length')" \
	"$STAGES" "down: all $STAGES stages unknown, none reached"
for c in hu he hf hd; do
	like "$(st_of "$c")" "^unknown null POST /db/neo4j/query/v2: Failed to connect to $H port 1 after [0-9]+ ms: \
Couldn't connect to server\$" "down: $c unknown, not connected"
done
if ((MONGO)); then
	for c in mu me mf md; do
		is "$(st_of "$c")" "unknown null the count: No suitable servers found (\`serverSelectionTryOnce\` set): \
[connection refused calling hello on '$H:1']" "down: $c unknown, not connected"
	done
else
	skip "down: the [mongodb] connections unknown, not connected" "$MONGO_WHY"
fi
if ((INFLUX)); then
	like "$(st_of ti)" "^unknown null GET /query: Failed to connect to $H port 1 after [0-9]+ ms: \
Couldn't connect to server\$" "down: ti unknown, not connected"
else
	skip "down: ti unknown, not connected" "$INFLUX_WHY"
fi

# ----------------------------------------------------------------------
# The screen and the wallboard (tmux), in each state: every stage's line and detail view.
# ----------------------------------------------------------------------
tui_init
TUI_COLS=200 TUI_ROWS=60 TUI_WAIT=15
for ST in u r d; do
	conf=$TEST_TMP/$ST.conf
	mkconf_state "$ST" "$conf"
	envs=(SK_RE="$SK_RE" SK_SE="$SK_SE" SK_SA="$SK_SA" SK_CE="$SK_CE" SK_KE="$SK_KE" SK_HE="$SK_HE" SK_ME="$SK_ME")
	tui_start "main_$ST" "${envs[@]}" -- -c "$conf" --interval 60s --record "$TEST_TMP/rec.main_$ST.jsonl"
	ok "$ST: screen: a round of polls shows" wait_polled "q quit"
	scr=$TEST_TMP/screen.$ST
	screen >"$scr"
	# Each capture and the keys after it in one tmux call: half the calls, about 4 s a state less.
	send Enter
	for ((i = 0; i < STAGES; i++)); do
		sleep 0.1
		tmx capture-pane -p -t "$TUI_SESSION" \; send-keys -t "$TUI_SESSION" Escape Down >>"$scr"
		sleep 0.05
		next=(\; send-keys -t "$TUI_SESSION" Enter)
		((i + 1 < STAGES)) || next=()
		tmx capture-pane -p -t "$TUI_SESSION" "${next[@]}" >>"$scr"
	done
	send q
	is "$(grep -oE '^ *p_[a-z]{2} / [a-z]+ on [a-z]{2},' "$scr" | sort -u | wc -l)" "$STAGES" \
		"$ST: screen: the detail view of each of the $STAGES stages was read"
	tui_start "wall_$ST" "${envs[@]}" -- --wallboard -c "$conf" --interval 60s
	ok "$ST: wallboard: a round of polls shows" wait_polled "p_kp"
	screen >>"$scr"
	send q
	cat "$scr" >>"$SCR"
done

# ----------------------------------------------------------------------
# Config errors that quote a value, --list-options, -V
# ----------------------------------------------------------------------
ST=e
badconf() { # FILE SECTION-LINE KEY-LINE: a config whose one connection is wrong
	_conf_start "$1"
	printf '%s\n%s\n\n[pipeline p]\n%s\n' "$2" "$3" "$4" >>"$1"
}
CONNS+=(es eq ek ep)
PARTS+=([es]=2 [eq]=2 [ek]=1 [ep]=2)
badconf "$TEST_TMP/e1.conf" '[redis r]' "url = sk:$(tok es1)#$(tok es2)@$H:6379" 'cache = r'
run_once -c "$TEST_TMP/e1.conf"
keep_run
is "$RUN_RC" 3 "config error (scheme-less Redis URL, '#'): exit 3"
is "$RUN_ERR" "$TEST_TMP/e1.conf:6: bad value 'sk:***@$H:6379' for url: expected a URL starting with redis://, rediss:// or unix://" \
	"config error (scheme-less Redis URL, '#'): the value quoted without its password"
badconf "$TEST_TMP/e2.conf" '[search s]' "url = elastic:$(tok eq1)?$(tok eq2)@$H:9200" 'search = s'
run_once -c "$TEST_TMP/e2.conf"
keep_run
is "$RUN_ERR" "$TEST_TMP/e2.conf:6: bad value 'elastic:***@$H:9200' for url: expected a URL starting with http:// or https://" \
	"config error (scheme-less search URL, '?'): the value quoted without its password"
badconf "$TEST_TMP/e3.conf" '[connect c]' "url = $H:8083/?api_key=$(tok ek1)" 'connector = c'
run_once -c "$TEST_TMP/e3.conf"
keep_run
like "$RUN_ERR" "bad value '$H:8083/\\?api_key=\\*\\*\\*' for url" "config error (an api_key in the query): hidden"
badconf "$TEST_TMP/e4.conf" '[postgres s]' "conninfo = postgresql://u:$(tok ep1)#$(tok ep2)@$H:1/x" \
	$'outbox = s\noutbox.table = public.outbox'
chmod 644 "$TEST_TMP/e4.conf" # the warning about a password readable by others
run_once -c "$TEST_TMP/e4.conf" --once-window 0
keep_run
like "$RUN_ERR" "e4.conf:6: warning: .* is readable by others and holds a password inline" \
	"a config readable by others: the warning names the line"
printf '[pipeline q]\nbogus_key = 1\n' >>"$TEST_TMP/e4.conf"
run_once -c "$TEST_TMP/e4.conf"
keep_run
is "$RUN_ERR" "$TEST_TMP/e4.conf:12: unknown key 'bogus_key' in [pipeline q] (see synctop.conf(5))" \
	"a config error beside a conninfo with a password: only the error"
# [http]: a scheme-less URL. [mongodb]: a password holding a raw '@' or '/', which libmongoc
# would split elsewhere (a part of the password read as the host): refused, the value unquoted.
CONNS+=(eh)
PARTS+=([eh]=2)
badconf "$TEST_TMP/e5.conf" '[http h]' "url = neo4j:$(tok eh1)#$(tok eh2)@$H:7474" \
	$'graph = h\ngraph.count = MATCH (p:Product) RETURN count(p)'
run_once -c "$TEST_TMP/e5.conf"
keep_run
is "$RUN_ERR" "$TEST_TMP/e5.conf:6: bad value 'neo4j:***@$H:7474' for url: expected a URL starting with http:// or https://" \
	"config error (scheme-less http URL, '#'): the value quoted without its password"
if ((MONGO_BUILT)); then
	CONNS+=(em en)
	PARTS+=([em]=2 [en]=2)
	doc=$'document = m\ndocument.database = sk\ndocument.collection = products'
	badconf "$TEST_TMP/e6.conf" '[mongodb m]' "url = mongodb://sk:$(tok em1)@$(tok em2)@$H:27017/" "$doc"
	run_once -c "$TEST_TMP/e6.conf"
	keep_run
	is "$RUN_RC" 3 "config error (MongoDB URL, a raw '@' in the password): exit 3"
	is "$RUN_ERR" "$TEST_TMP/e6.conf:6: url: the user name or password holds '@' or '/': percent-encode them (%40, %2F), as the MongoDB URI requires" \
		"config error (MongoDB URL, a raw '@' in the password): said, the value unquoted"
	badconf "$TEST_TMP/e7.conf" '[mongodb m]' "url = mongodb://sk:$(tok en1)/$(tok en2)@$H:27017/?tls=false" "$doc"
	run_once -c "$TEST_TMP/e7.conf"
	keep_run
	is "$RUN_ERR" "$TEST_TMP/e7.conf:6: url: the user name or password holds '@' or '/': percent-encode them (%40, %2F), as the MongoDB URI requires" \
		"config error (MongoDB URL, a raw '/' in the password): said, the value unquoted"
else
	skip "config errors of [mongodb] URLs" "synctop was built without libmongoc (--with-mongoc)"
fi
for args in --list-options -V --help; do
	run_synctop "$args"
	keep_run
	is "$RUN_RC" 0 "$args: exit 0"
done

# ----------------------------------------------------------------------
# The sweep: no token of any connection's passwords in any channel.
# ----------------------------------------------------------------------
cat "$TEST_TMP"/[urd].log >"$TEST_TMP/ch.log" 2>/dev/null
# The recordings (--record of --once and of the screen), and what replaying them prints.
cat "$TEST_TMP"/rec.*.jsonl >"$TEST_TMP/ch.record"
for f in "$TEST_TMP"/rec.*.jsonl; do
	"$SYNCTOP" --replay "$f" --once --format json >>"$TEST_TMP/ch.record" 2>&1
done
# One grep a channel for every token; a hit counts for the connection its token names
# (XK + state + the connection's two letters + a digit).
for c in "${CONNS[@]}"; do tokens_of "$c"; done >"$TEST_TMP/tokens"
n_tokens=$(wc -l <"$TEST_TMP/tokens")
declare -A HITS=()
for ch in stdout stderr log screen record; do
	while read -r t; do
		HITS[$ch.${t:3:2}]=$((${HITS[$ch.${t:3:2}]:-0} + 1))
	done < <(grep -oF -f "$TEST_TMP/tokens" "$TEST_TMP/ch.$ch")
done
for c in "${CONNS[@]}"; do
	for ch in stdout stderr log screen record; do
		is "${HITS[$ch.$c]:-0}" 0 "$c: no marker in $ch"
	done
done
diag "markers: $n_tokens tokens of ${#CONNS[@]} connections, 5 channels ($(wc -c <"$OUT") bytes stdout," \
	"$(wc -c <"$ERR") stderr, $(wc -c <"$TEST_TMP/ch.log") log, $(wc -c <"$SCR") screen," \
	"$(wc -c <"$TEST_TMP/ch.record") recordings)"
done_testing
