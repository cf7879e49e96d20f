#!/usr/bin/env bash
# hostile_limits.sh: a server that accepts and never answers, one that answers a byte a second
# and one that streams an endless reply (tests/stack/hostile_server.py), for Redis, PostgreSQL,
# HTTP (the connector stage) and Kafka: the stage is unknown with the deadline or the cap named
# within the timeout + 1 s, and synctop's peak memory stays bounded.
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/stack/hostile.sh
. "$top_srcdir/tests/stack/hostile.sh"

require_cmd jq
[[ -x /usr/bin/python3 ]] || skip_all "/usr/bin/python3 is missing (apt-get install python3)"

conf=$TEST_TMP/synctop.conf
RSS_MAX_KB=131072 # synctop needs 10-30 MB here, 16-80 MB under ASan; endless replies took 0.7-1 GB before

# hconf PROTO PORT: a config with one stage on the hostile server, timeout 1s; sets S.
hconf() {
	_conf_start "$conf"
	sed -i 's/^timeout = .*/timeout = 1s/' "$conf"
	case $1 in
	redis)
		printf '[redis c]\nurl = redis://127.0.0.1:%s/0\n\n[pipeline p]\ncache = c\n' "$2"
		S=$(stage cache p)
		;;
	pg)
		printf '[postgres c]\nconninfo = host=127.0.0.1 port=%s dbname=x user=u sslmode=disable\n' "$2"
		printf '\n[pipeline p]\noutbox = c\noutbox.table = public.outbox\n'
		S=$(stage outbox p)
		;;
	http)
		printf '[connect c]\nurl = http://127.0.0.1:%s\n\n[pipeline p]\nconnector = c\nconnector.name = x\n' "$2"
		S=$(stage connector p)
		;;
	kafka)
		printf '[kafka c]\nbrokers = 127.0.0.1:%s\n\n[pipeline p]\nkafka = c\nkafka.group = g\nkafka.topics = t\n' "$2"
		S=$(stage kafka p)
		;;
	esac >>"$conf"
}

# measured: run_once's figures (RUN_OUT, RUN_RC, RUN_MS) plus RUN_RSS_KB, the peak resident size.
measured() {
	RUN_WRAP=(maxrss_run "$TEST_TMP/rss")
	run_once -c "$conf" --format json --once-window 0
	RUN_WRAP=()
	RUN_RSS_KB=$(<"$TEST_TMP/rss")
	diag "peak RSS $RUN_RSS_KB kB"
}

# hostile PROTO MODE ERROR-REGEX [SERVER-ARGS...]
hostile() {
	local proto=$1 mode=$2 want=$3
	shift 3
	hostile_up "$proto" "$mode" "$@" || bail_out "could not start hostile_server.py $proto $mode"
	hconf "$proto" "$HOSTILE_PORT"
	measured
	hostile_down "$HOSTILE_PID"
	local what="$proto $mode${1:+ $1}"
	is "$RUN_RC" 3 "$what: exit 3"
	json_is "$S.status" unknown "$what: the stage is unknown"
	like "$(jqr "$S.error")" "$want" "$what: the error names the deadline or the cap"
	between "$RUN_MS" 0 2000 "$what: done within the 1 s timeout + 1 s"
	local max=${RSS_KB:-$RSS_MAX_KB}
	between "$RUN_RSS_KB" 1 "$max" "$what: peak RSS under $((max >> 10)) MiB"
}

# Redis: hiredis's own timeout is per recv, which a trickle never trips, and it buffers a bulk
# reply whole, however long it is announced to be.
hostile redis hung '^timeout: the server did not answer in time$'
hostile redis trickle '^timeout: no whole reply within the deadline \([0-9]+ bytes came\)$'
hostile redis endless "^the reply is larger than 1 MiB \(synctop's cap on a Redis reply\)$"
hostile redis garbage '^not a Redis reply \(protocol error: '

# PostgreSQL: rows streamed forever after a good start-up.
hostile pg hung 'timeout connecting \(the server did not answer in time\)$'
hostile pg trickle 'timeout connecting \(the server did not answer in time\)$'
hostile pg endless "the result is larger than 16 MiB \(synctop's cap on a query result\)$"

# HTTP (libcurl: a total timeout and a body cap).
hostile http hung '^timeout: no whole answer to GET /connectors/x/status within the deadline'
hostile http trickle '^timeout: no whole answer to GET /connectors/x/status within the deadline'
hostile http endless '^GET /connectors/x/status: the response is larger than 16 MiB$'
hostile http endless '^GET /connectors/x/status: the response is larger than 16 MiB$' --chunked

# Kafka: a broker that never answers, trickles, or announces a response of 95,000,000 bytes
# (under librdkafka's default cap of 100 MB) and streams it.
hostile kafka hung "^cannot read the cluster's metadata: "
hostile kafka trickle "^cannot read the cluster's metadata: "
# librdkafka's own cap was 100 MB (104 MB peak RSS measured); synctop's is 16 MiB (12 MB peak,
# 18 MB under ASan): a tighter bound here.
RSS_KB=49152 hostile kafka endless "^cannot read the cluster's metadata: .*Invalid response size 95000000 \(0\.\.16777216\)"

done_testing
