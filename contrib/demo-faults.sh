# shellcheck shell=bash
# demo-faults.sh: the faults a newcomer can inject into the running demo, one per RUNBOOK.md
# entry, and how each is cleared (sourced by contrib/demo.sh, with the demo's env loaded).
#
#   demo_fault NAME      inject it; prints what was done and what synctop should show
#   demo_fault clear     clear every fault (idempotent), back to a healthy system
#   demo_fault list      the faults, one line each
#   demo_faults_injected the faults injected since the last clear, space-separated ("" for none):
#                        contrib/demo.sh asks before it tears a demo with one down

DEMO_FAULTS=(stop-relay pause-relay poison-rows refresh-off dual-write-loss evict-sessions
	slot-stall task-fail lagging-indexer metrics-misroute graph-read-only catalog-stale)

demo__fault_help() {
	case $1 in
	stop-relay) echo "the outbox relay is stopped: the backlog grows (outbox: worker-stalled, crit)" ;;
	pause-relay) echo "outbox_worker.paused = true: the relay claims nothing (outbox: worker-paused, and worker-stalled)" ;;
	poison-rows) echo "3 outbox rows at max attempts with an error (outbox: poison-rows)" ;;
	refresh-off) echo "refresh_interval -1 on the products index, as after a bulk load (search: search-refresh-disabled, crit)" ;;
	dual-write-loss) echo "50 documents deleted from the index behind the relay's back (search: dual-write-loss)" ;;
	evict-sessions) echo "Redis squeezed to 2 MiB: sessions are evicted (cache: cache-evicting)" ;;
	slot-stall) echo "the CDC consumer stops: the slot goes inactive and retains WAL (slot: slot-inactive)" ;;
	task-fail) echo "a task of the products-sink connector FAILED, the connector RUNNING (connector: connector-task-failed, crit)" ;;
	lagging-indexer) echo "the indexer slowed down to ~3 messages/s, below the inflow (kafka: lag grows)" ;;
	metrics-misroute) echo "the indexer's metrics go to a database that does not exist: InfluxDB refuses every point (timeseries: writes-stopped)" ;;
	graph-read-only) echo "ALTER DATABASE neo4j SET ACCESS READ ONLY: the graph refuses the indexer's MERGEs, new products never get a node (graph: copy-missing, then copy-stale)" ;;
	catalog-stale) echo "the indexer holds its MongoDB writes back: new products are missing from the catalogue, then changes are stale (document: copy-missing, copy-stale)" ;;
	esac
}

# How synctop fixes it: the key (on the screen) and the command, or what to do outside it.
demo__fault_fix() {
	case $1 in
	pause-relay) echo "key u on products (resume), or: contrib/demo.sh action resume products" ;;
	poison-rows) echo "key R on products, scope failed (replay), or: contrib/demo.sh action replay products --scope failed" ;;
	refresh-off) echo "key I on products (restore the refresh interval), or: contrib/demo.sh action restore-refresh products" ;;
	dual-write-loss) echo "key R on products, scope created:1h.. (replay the last hour), or: contrib/demo.sh action replay products --scope created:1h.." ;;
	task-fail) echo "key T on recommendations (restart failed tasks), or: contrib/demo.sh action restart recommendations" ;;
	stop-relay) echo "none inside synctop: start the relay again (contrib/demo.sh fault clear does)" ;;
	slot-stall) echo "none inside synctop: restart the CDC consumer (contrib/demo.sh fault clear does)" ;;
	evict-sessions) echo "none inside synctop: give Redis its memory back (CONFIG SET maxmemory 20mb)" ;;
	lagging-indexer) echo "none inside synctop: scale the indexer back up (contrib/demo.sh fault clear does)" ;;
	metrics-misroute) echo "none inside synctop: point the indexer at the right database (contrib/demo.sh fault clear does)" ;;
	graph-read-only) echo "none inside synctop: ALTER DATABASE neo4j SET ACCESS READ WRITE, then copy the products it missed into the graph again (contrib/demo.sh fault clear does both)" ;;
	catalog-stale) echo "none inside synctop: let the indexer write to MongoDB again; it sends what it held back (contrib/demo.sh fault clear does)" ;;
	esac
}

demo__psql() {
	psql -X -q -v ON_ERROR_STOP=1 -d synctop "$@"
}

demo__es() { # METHOD PATH [JSON]
	local args=(-sS --max-time 5 -o /dev/null -w '%{http_code}' -X "$1" "$SYNCTOP_SEARCH_URL$2")
	[[ -z ${3:-} ]] || args+=(-H 'Content-Type: application/json' -d "$3")
	[[ $(curl "${args[@]}") == 2* ]]
}

# Every product into the index again, from PostgreSQL (what a replay through the outbox
# achieves; done here in one _bulk so that the clear is immediate).
demo__reindex() {
	local body=$DEMO_DIR/reindex.ndjson
	demo__psql -A -t -c "SELECT format('{\"index\":{\"_index\":\"products\",\"_id\":\"%s\"}}', id) || chr(10) ||
		json_build_object('id', id, 'price', price, 'stock', stock, 'updated_at', updated_at)::text
		FROM products" >"$body" || return 1
	[[ -s $body ]] || return 0
	curl -sS --max-time 30 -X POST "$SYNCTOP_SEARCH_URL/_bulk?refresh=true" \
		-H 'Content-Type: application/x-ndjson' --data-binary "@$body" -o /dev/null
}

# demo__cypher DB STATEMENT [PARAMETERS-JSON]: one statement through the graph's Query API; fails
# on an error in the answer.
demo__cypher() {
	local body answer
	body=$(jq -nc --arg s "$2" --argjson p "${3:-"{}"}" '{statement: $s, parameters: $p}') || return 1
	answer=$(curl -sS --max-time 30 -X POST "$SYNCTOP_GRAPH_URL/db/$1/query/v2" \
		-H 'Content-Type: application/json' --data-binary "$body") || return 1
	jq -e '.errors == null' <<<"$answer" >/dev/null || {
		printf 'demo: the graph: %s\n' "$(jq -r '.errors[0] | "\(.code): \(.message)"' <<<"$answer")" >&2
		return 1
	}
}

# Every product into the graph again, from PostgreSQL, by the indexer's own statement (what a replay
# through the outbox achieves; done here in one request so that the clear is immediate).
demo__regraph() {
	local rows
	rows=$(demo__psql -A -t -c "SELECT json_build_object('rows', coalesce(json_agg(json_build_object(
		'id', id, 'updated_at', updated_at)), '[]')) FROM products") || return 1
	# shellcheck disable=SC2016 # a Cypher parameter
	demo__cypher neo4j 'UNWIND $rows AS r MERGE (n:Product {id: r.id}) SET n.updated_at = datetime(r.updated_at)' "$rows"
}

demo_fault() {
	local name=${1:-}
	case $name in
	list | '')
		for name in "${DEMO_FAULTS[@]}"; do
			printf '%-16s %s\n' "$name" "$(demo__fault_help "$name")"
		done
		return 0
		;;
	stop-relay) demo_stop relay ;;
	pause-relay)
		demo__psql -c "UPDATE outbox_worker SET paused = true, paused_at = now(), updated_at = now()
			WHERE name = 'relay'"
		;;
	poison-rows)
		demo__psql -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload, attempts, last_error)
			SELECT 'product', 'P-POISON-' || g, 'product.updated', '{\"demo\": \"poison\"}', 5,
			       'demo fault: the broker rejected the message (record too large)'
			FROM generate_series(1, 3) g"
		;;
	refresh-off) demo__es PUT /products/_settings '{"index":{"refresh_interval":"-1"}}' ;;
	dual-write-loss) demo__es POST /_standin/delete_hidden '{"index":"products","count":50}' ;;
	evict-sessions) redis-cli -u "$SYNCTOP_REDIS_URL" CONFIG SET maxmemory 2mb >/dev/null ;;
	slot-stall) demo_stop cdc ;;
	task-fail)
		curl -sS --max-time 5 -o /dev/null -X POST "$SYNCTOP_CONNECT_URL/_standin/task_fail" \
			-H 'Content-Type: application/json' \
			-d '{"connector":"products-sink","task":1,"trace":"org.apache.kafka.connect.errors.ConnectException: demo fault: the sink rejected a record\n\tat org.apache.kafka.connect.runtime.WorkerSinkTask.execute(WorkerSinkTask.java:611)"}'
		;;
	lagging-indexer) demo_start indexer --delay-ms 300 ;;
	metrics-misroute)
		[[ -n ${SYNCTOP_INFLUX_URL:-} ]] || {
			echo "demo: this demo has no InfluxDB (apt-get install influxdb)" >&2
			return 1
		}
		demo_start indexer --influx-db shop_metrics
		;;
	graph-read-only)
		demo__graph || {
			echo "demo: this demo has no graph (the Neo4j stand-in needs python3, the indexer Kafka)" >&2
			return 1
		}
		demo__cypher system "ALTER DATABASE neo4j SET ACCESS READ ONLY"
		;;
	catalog-stale)
		[[ -n ${SYNCTOP_DEMO_MONGO_URL:-} ]] || {
			echo "demo: this demo has no MongoDB stand-in (apt-get install python3-bson libmongoc-dev, then rebuild)" >&2
			return 1
		}
		: >"$DEMO_DIR/mongo/pause"
		;;
	clear)
		demo_alive relay || demo_start relay
		demo__psql -c "UPDATE outbox_worker SET paused = false, paused_at = NULL, updated_at = now()
			WHERE name = 'relay' AND paused" \
			-c "UPDATE outbox SET attempts = 0, last_error = NULL WHERE aggregate_id LIKE 'P-POISON-%' AND NOT processed"
		demo__es PUT /products/_settings '{"index":{"refresh_interval":"1s"}}'
		demo__reindex
		redis-cli -u "$SYNCTOP_REDIS_URL" CONFIG SET maxmemory 20mb >/dev/null
		demo_alive cdc || demo_start cdc
		curl -sS --max-time 5 -o /dev/null -X POST \
			"$SYNCTOP_CONNECT_URL/connectors/products-sink/restart?includeTasks=true&onlyFailed=true"
		if demo__graph; then
			demo__cypher system "ALTER DATABASE neo4j SET ACCESS READ WRITE" && demo__regraph
		fi
		if grep -q -e '--delay-ms' -e 'shop_metrics' "/proc/$(cat "$DEMO_DIR/pids/indexer.pid" 2>/dev/null)/cmdline" 2>/dev/null; then
			demo_start indexer
		fi
		rm -f "$DEMO_DIR/faults" "$DEMO_DIR/mongo/pause"
		echo "demo: every fault cleared; the stages turn OK within a few polls"
		return 0
		;;
	*)
		printf 'demo: no fault called %s; the faults are:\n' "$name" >&2
		demo_fault list >&2
		return 2
		;;
	esac || {
		printf 'demo: injecting %s failed\n' "$name" >&2
		return 1
	}
	grep -qxF -- "$name" "$DEMO_DIR/faults" 2>/dev/null || printf '%s\n' "$name" >>"$DEMO_DIR/faults"
	printf 'demo: fault %s: %s\n' "$name" "$(demo__fault_help "$name")"
	printf 'demo: the fix: %s\n' "$(demo__fault_fix "$name")"
	# shellcheck disable=SC2016 # the backquotes are shown, not run
	printf 'demo: `contrib/demo.sh fault clear` puts it right\n'
}

demo_faults_injected() {
	[[ -s $DEMO_DIR/faults ]] || return 0
	paste -sd ' ' "$DEMO_DIR/faults"
}
