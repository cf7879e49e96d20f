# shellcheck shell=bash
# demo-system.sh: the live system of the demo (sourced by contrib/demo.sh): the stack's servers,
# the shop schema, and the processes that make it move, each one restartable on its own so that
# faults can stop and start them from another terminal.
#
#   demo_system_up DIR     start everything into DIR; writes DIR/env and DIR/synctop.conf
#   demo_system_down DIR   stop every process of DIR/pids, then the stack; remove DIR
#   demo_start NAME [ARGS] (re)start one process: relay, indexer, traffic, sessions, cdc
#   demo_stop NAME         stop it (SIGTERM, then SIGKILL after 3 s)
#   demo_alive NAME        true while it runs
#
# The processes run in sessions of their own (setsid), their pids in DIR/pids/NAME.pid and
# their output in DIR/logs/NAME.log, so that `contrib/demo.sh fault ...` in a second terminal
# can stop and restart them, and the demo's exit stops them all.

demo__here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The reference programs when this build has them (Kafka and libcurl), else the shell ones.
demo__relay_bin=$demo__here/synctop-relay
demo__indexer_bin=$demo__here/synctop-indexer

demo_alive() {
	local pid
	pid=$(cat "$DEMO_DIR/pids/$1.pid" 2>/dev/null) || return 1
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

demo_stop() {
	local pid i
	pid=$(cat "$DEMO_DIR/pids/$1.pid" 2>/dev/null) || return 0
	rm -f "$DEMO_DIR/pids/$1.pid"
	[[ -n $pid ]] || return 0
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 60; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	return 0
}

# demo__spawn NAME CMD...: CMD in a session of its own, detached from the caller's terminal.
demo__spawn() {
	local name=$1
	shift
	demo_stop "$name"
	setsid "$@" </dev/null >>"$DEMO_DIR/logs/$name.log" 2>&1 &
	printf '%s\n' "$!" >"$DEMO_DIR/pids/$name.pid"
}

demo_start() {
	local name=$1
	shift
	case $name in
	relay)
		if [[ -x $demo__relay_bin && -n ${SYNCTOP_KAFKA_BOOTSTRAP:-} ]]; then
			demo__spawn relay "$demo__relay_bin" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" --dbname synctop \
				--topic shop.products "$@"
		else
			demo__spawn relay "$demo__here/relay.sh" -f 0
		fi
		;;
	indexer)
		if [[ -x $demo__indexer_bin && -n ${SYNCTOP_KAFKA_BOOTSTRAP:-} ]]; then
			# With InfluxDB in the stack, a point per indexed batch goes there too: the copy
			# the timeseries stage watches.
			# With the Neo4j stand-in, each product is MERGEd as a node after each batch: the
			# copy the graph stage watches.
			local influx=() graph=()
			[[ -z ${SYNCTOP_INFLUX_URL:-} ]] || influx=(--influx-url "$SYNCTOP_INFLUX_URL" --influx-db shop)
			[[ -z ${SYNCTOP_GRAPH_URL:-} ]] || graph=(--graph-url "$SYNCTOP_GRAPH_URL")
			# With the MongoDB stand-in, each product goes to the catalogue too (the document
			# stage's copy); the fault catalog-stale creates the pause file.
			local mongo=()
			[[ -z ${SYNCTOP_DEMO_MONGO_URL:-} ]] || mongo=(--mongo-url "$SYNCTOP_DEMO_MONGO_URL"
				--mongo-password-file "$DEMO_DIR/mongo/password" --mongo-pause-file "$DEMO_DIR/mongo/pause")
			demo__spawn indexer "$demo__indexer_bin" --brokers "$SYNCTOP_KAFKA_BOOTSTRAP" \
				--topic shop.products --group search-indexer --url "$SYNCTOP_SEARCH_URL" --index products \
				"${influx[@]}" "${graph[@]}" "${mongo[@]}" "$@"
		else
			demo__spawn indexer "$demo__here/indexer.sh" -u "$SYNCTOP_SEARCH_URL" -i products
		fi
		;;
	traffic)
		demo__spawn traffic "$demo__here/traffic.sh" -s "$@"
		;;
	sessions)
		# Sessions written as a web shop does: 20 a second, 1 KiB each, a 5-minute TTL: about
		# 6 MiB live in the 20 MiB store, so nothing is evicted until the evict-sessions fault.
		# shellcheck disable=SC2016 # the inner bash expands them
		demo__spawn sessions bash -c '
			n=0
			while sleep 1; do
				for ((i = n + 1; i <= n + 20; i++)); do
					printf "SET session:%d %01024d EX 300\n" "$i" 0
				done | redis-cli -u "$1" --pipe >/dev/null 2>&1
				n=$((n + 20))
			done' sessions "$SYNCTOP_REDIS_URL"
		;;
	cdc)
		# The CDC consumer (Debezium's place): streams the slot and confirms what it read.
		demo__spawn cdc pg_recvlogical -d synctop -U postgres -h "$SYNCTOP_PG_SOCKDIR" -p "$SYNCTOP_PG_PORT" \
			--slot demo_cdc --start -f /dev/null -F 1 -s 1
		;;
	*)
		printf 'demo: no process called %s\n' "$name" >&2
		return 2
		;;
	esac
}

# The config synctop reads: every stage of the demo, thresholds tight enough that a fault
# shows within seconds.
demo__config() {
	cat <<CONF
; synctop demo: a shop whose products go PostgreSQL -> outbox relay -> Kafka (the librdkafka
; mock cluster) -> indexer -> Elasticsearch (the stand-in of tests/stack), a CDC consumer on a
; logical slot feeding a Kafka Connect sink, sessions in Redis, the products as nodes of a
; recommendations graph (the Neo4j stand-in of tests/stack), the indexer's metrics in InfluxDB
; and its catalogue in MongoDB (each when the machine has it).
[synctop]
environment = demo (Kafka: librdkafka mock cluster)
environment_color = cyan
interval = 1s
timeout = 2s
log_file = $DEMO_DIR/logs/synctop.log

[postgres shop]
conninfo = host=$SYNCTOP_PG_SOCKDIR port=$SYNCTOP_PG_PORT dbname=synctop user=postgres

[pipeline products]
outbox = shop
outbox.oldest_warn = 5s
outbox.oldest_crit = 10s
; the relay claims a batch every 200 ms: a stop shows within 2-3 s
outbox.window = 2s
CONF
	# The end-to-end canary (the screen and --serve run it; DEMO_CANARY=0 leaves it out): a
	# marker event every 5 s through the relay, Kafka and the indexer, each hop timed; with the
	# relay stopped it is lost at the outbox within canary.timeout.
	if [[ ${DEMO_CANARY:-1} != 0 ]]; then
		cat <<CONF
canary = true
canary.interval = 5s
canary.timeout = 15s
CONF
	fi
	if [[ -n ${SYNCTOP_KAFKA_BOOTSTRAP:-} && -x $demo__relay_bin ]]; then
		cat <<CONF
kafka = main
kafka.group = search-indexer
kafka.topics = shop.products
; the indexer commits every second: three commits are enough to tell a slow consumer
kafka.window = 3s
kafka.lag_warn = 100
kafka.lag_crit = 2000
CONF
	fi
	cat <<CONF
search = es
search.index = products
search.source_count = SELECT count(*) FROM products
search.freshness_field = updated_at
search.source_freshness = SELECT max(updated_at) FROM products
; documents on their way (outbox rows pending, messages of lag) are not counted as lost; the
; window covers the rest (the indexer's batch, a refresh)
search.missing_warn = 25
search.missing_window = 2s
search.freshness_warn = 15s
search.freshness_crit = 1m
CONF
	if demo__graph; then
		cat <<CONF
; the products as nodes of the recommendations graph, MERGEd by the indexer after each batch
; (Neo4j's Query API): nodes against rows, the newest node against the newest row, judged as the
; search copy is
graph = neo4j
graph.count = MATCH (p:Product) RETURN count(p)
graph.source_count = SELECT count(*) FROM products
graph.freshness = MATCH (p:Product) RETURN max(p.updated_at).epochSeconds
graph.source_freshness = SELECT max(updated_at) FROM products
graph.missing_warn = 25
graph.missing_window = 2s
graph.freshness_warn = 15s
graph.freshness_crit = 2m
CONF
	fi
	if demo__influx; then
		cat <<CONF
; the indexer's metrics in InfluxDB: a point per indexed batch, several a second; a stop of the
; relay or the indexer shows here too (warn), explained by the stage before
timeseries = metrics
timeseries.database = shop
timeseries.measurement = product_updates
timeseries.window = 10s
timeseries.baseline = 1m
timeseries.stale_warn = 5s
timeseries.stale_crit = 1m
CONF
	fi
	if [[ -n ${SYNCTOP_DEMO_MONGO_URL:-} ]]; then
		cat <<CONF
; the catalogue in MongoDB: the indexer upserts each product there too; thresholds as the
; search index's (the same writer, the same batches)
document = catalog
document.database = shop
document.collection = products
document.freshness_field = updated_at
document.source_count = SELECT count(*) FROM products
document.source_freshness = SELECT max(updated_at) FROM products
document.missing_warn = 25
document.missing_window = 2s
document.freshness_warn = 15s
document.freshness_crit = 1m
CONF
	fi
	cat <<CONF

; the CDC side: the slot a Debezium-like consumer streams, and the sink connector
[pipeline recommendations]
slot = shop
slot.names = demo_cdc
connector = workers
connector.name = products-sink

[pipeline sessions]
cache = sessions
cache.key_prefix = session:

[search es]
url = $SYNCTOP_SEARCH_URL

[connect workers]
url = $SYNCTOP_CONNECT_URL

[redis sessions]
url = $SYNCTOP_REDIS_URL
CONF
	if [[ -n ${SYNCTOP_KAFKA_BOOTSTRAP:-} && -x $demo__relay_bin ]]; then
		printf '\n[kafka main]\nbrokers = %s\n' "$SYNCTOP_KAFKA_BOOTSTRAP"
	fi
	if demo__influx; then
		printf '\n[http metrics]\nurl = %s\n' "$SYNCTOP_INFLUX_URL"
	fi
	if demo__graph; then
		printf '\n[http neo4j]\nurl = %s\n' "$SYNCTOP_GRAPH_URL"
	fi
	if [[ -n ${SYNCTOP_DEMO_MONGO_URL:-} ]]; then
		printf '\n[mongodb catalog]\nurl = %s\npassword_file = %s\n' "$SYNCTOP_DEMO_MONGO_URL" "$DEMO_DIR/mongo/password"
	fi
}

# True when the demo has a graph: the stack started the Neo4j stand-in and the indexer is the C
# one, which writes the nodes.
demo__graph() {
	[[ -n ${SYNCTOP_GRAPH_URL:-} && -x $demo__indexer_bin && -n ${SYNCTOP_KAFKA_BOOTSTRAP:-} ]]
}

# The catalogue: the MongoDB stand-in of tests/stack (no Debian package serves MongoDB), with
# SCRAM authentication as synctop, its password in a file. Only with /usr/bin/python3 and
# python3-bson, a synctop built with libmongoc (a config with a [mongodb] section loads) and the
# C indexer, which writes the documents; sets SYNCTOP_DEMO_MONGO_URL (without the password) when
# it runs.
demo__mongo_up() {
	local d=$DEMO_DIR/mongo i
	unset SYNCTOP_DEMO_MONGO_URL
	[[ -x /usr/bin/python3 && -x $demo__indexer_bin && -n ${SYNCTOP_KAFKA_BOOTSTRAP:-} ]] &&
		/usr/bin/python3 -c 'import bson' 2>/dev/null || return 0
	mkdir -m 700 "$d" && printf 'demo-%s\n' "$RANDOM$RANDOM$RANDOM" >"$d/password" || return 1
	printf '[mongodb probe]\nurl = mongodb://127.0.0.1:1/\n' >"$d/probe.conf" || return 1
	"${SYNCTOP:-$SYNCTOP_ROOT/synctop}" --once --once-window 0 -c "$d/probe.conf" >/dev/null 2>&1 || return 0
	demo__spawn mongo /usr/bin/python3 "$SYNCTOP_ROOT/tests/stack/mongo_standin.py" --port 0 \
		--port-file "$d/port" --user synctop --password-file "$d/password"
	for ((i = 0; i < 200; i++)); do
		[[ -s $d/port ]] && break
		demo_alive mongo || break
		sleep 0.025
	done
	[[ -s $d/port ]] || {
		printf 'demo: the MongoDB stand-in did not start (see %s)\n' "$DEMO_DIR/logs/mongo.log" >&2
		return 1
	}
	SYNCTOP_DEMO_MONGO_URL="mongodb://synctop@127.0.0.1:$(<"$d/port")/"
	export SYNCTOP_DEMO_MONGO_URL
}

# True when the demo has InfluxDB: the stack started it and the indexer is the C one, which
# writes the points.
demo__influx() {
	[[ -n ${SYNCTOP_INFLUX_URL:-} && -x $demo__indexer_bin && -n ${SYNCTOP_KAFKA_BOOTSTRAP:-} ]]
}

demo_system_up() {
	DEMO_DIR=$1
	mkdir -p "$DEMO_DIR/pids" "$DEMO_DIR/logs"
	SYNCTOP_KAFKA_TOPICS="shop.products:4" "$SYNCTOP_ROOT/tests/stack/stack.sh" up "$DEMO_DIR/stack" \
		>"$DEMO_DIR/logs/stack.log" 2>&1 || {
		cat "$DEMO_DIR/logs/stack.log" >&2
		return 1
	}
	pg__unset_env
	# shellcheck source=/dev/null
	. "$DEMO_DIR/stack/env"
	local need
	for need in SYNCTOP_SEARCH_URL SYNCTOP_CONNECT_URL SYNCTOP_REDIS_URL; do
		[[ -n ${!need:-} ]] || {
			printf 'demo: the stack has no %s (see %s)\n' "$need" "$DEMO_DIR/logs/stack.log" >&2
			return 1
		}
	done
	export PGDATABASE=synctop
	psql -X -q -v ON_ERROR_STOP=1 -f "$SYNCTOP_ROOT/share/sql/outbox.sql" -f "$demo__here/shop.sql" &&
		psql -X -q -v ON_ERROR_STOP=1 \
			-c "SELECT pg_create_logical_replication_slot('demo_cdc', 'test_decoding')" >/dev/null || return 1
	curl -sS --max-time 5 -X PUT "$SYNCTOP_SEARCH_URL/products" -H 'Content-Type: application/json' \
		-d '{"settings":{"index":{"number_of_replicas":0,"refresh_interval":"1s"}},"mappings":{"properties":{"updated_at":{"type":"date"}}}}' \
		>/dev/null || return 1
	if demo__influx; then
		curl -sS --max-time 5 -o /dev/null -X POST "$SYNCTOP_INFLUX_URL/query" \
			--data-urlencode 'q=CREATE DATABASE shop' || return 1
	fi
	demo__mongo_up || return 1
	{
		cat "$DEMO_DIR/stack/env"
		printf 'export PGDATABASE=synctop DEMO_DIR=%q\n' "$DEMO_DIR"
		[[ -z ${SYNCTOP_DEMO_MONGO_URL:-} ]] || printf 'export SYNCTOP_DEMO_MONGO_URL=%q\n' "$SYNCTOP_DEMO_MONGO_URL"
	} >"$DEMO_DIR/env"
	demo__config >"$DEMO_DIR/synctop.conf"
	local p
	for p in traffic relay indexer sessions cdc; do
		demo_start "$p" || return 1
	done
}

demo_system_down() {
	local f
	[[ -n ${1:-} && -d $1 ]] || return 0
	DEMO_DIR=$1
	for f in "$DEMO_DIR"/pids/*.pid; do
		[[ -e $f ]] || continue
		demo_stop "$(basename "$f" .pid)"
	done
	"$SYNCTOP_ROOT/tests/stack/stack.sh" down "$DEMO_DIR/stack" >/dev/null 2>&1 || true
	rm -rf "$DEMO_DIR"
}
