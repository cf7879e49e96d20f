#!/usr/bin/env bash
# indexer.sh: the demo's search indexer (for now a shell loop; the C indexer that consumes the
# Kafka topic replaces it): about every second it takes the outbox rows the relay published
# since its last pass, reads the current products they name, and indexes them into the search
# index with one _bulk request (document id = product id, so a replay is harmless).
#
#   contrib/indexer.sh [-u SEARCH_URL] [-i INDEX] [-d DBNAME]
#
# Defaults: -u $SYNCTOP_SEARCH_URL, -i products, -d $PGDATABASE or synctop. The server comes
# from the libpq environment, as stack.sh exports it. The index is created when missing.
# `touch $INDEXER_PAUSE_FILE` (default: none) makes it stand still until the file goes.
set -euo pipefail

url=${SYNCTOP_SEARCH_URL:-}
index=products
db=${PGDATABASE:-synctop}
while getopts 'u:i:d:h' opt; do
	case $opt in
	u) url=$OPTARG ;;
	i) index=$OPTARG ;;
	d) db=$OPTARG ;;
	*)
		sed -n '7,11s/^# \{0,1\}//p' "$0" >&2
		exit 2
		;;
	esac
done
[[ -n $url ]] || {
	echo "indexer.sh: no search URL: give -u or set SYNCTOP_SEARCH_URL" >&2
	exit 2
}
[[ $index =~ ^[a-z0-9][a-z0-9._-]*$ ]] || {
	echo "indexer.sh: -i takes a plain lowercase index name" >&2
	exit 2
}
trap 'exit 0' INT TERM HUP

if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -I "$url/$index") != 200 ]]; then
	curl -sS --max-time 5 -X PUT "$url/$index" -H 'Content-Type: application/json' \
		-d '{"settings":{"index":{"number_of_replicas":0,"refresh_interval":"1s"}},"mappings":{"properties":{"updated_at":{"type":"date"},"price":{"type":"double"}}}}' >/dev/null
fi

# The published rows since the last pass, by processed_at (a row retried later is still
# found), with 5 s of overlap (a relay's transaction commits after its processed_at: a row
# must not slip between two passes; indexing a product twice is harmless); the products as
# they are now. One NDJSON line pair per product.
since='-infinity'
body=$(mktemp)
trap 'rm -f "$body"' EXIT
while :; do
	if [[ -z ${INDEXER_PAUSE_FILE:-} || ! -e $INDEXER_PAUSE_FILE ]]; then
		next=$(psql -X -A -t -q -d "$db" -v ON_ERROR_STOP=1 -c "
			SELECT coalesce(max(processed_at), '$since'::timestamptz) FROM outbox
			WHERE processed AND processed_at > '$since'" 2>/dev/null) || next=
		if [[ -n $next && $next != "$since" ]]; then
			psql -X -A -t -q -d "$db" -v ON_ERROR_STOP=1 -c "
				SELECT format('{\"index\":{\"_index\":\"%s\",\"_id\":\"%s\"}}', '$index', p.id) || chr(10) ||
				       json_build_object('price', p.price, 'stock', p.stock,
				                         'updated_at', to_char(p.updated_at AT TIME ZONE 'UTC',
				                                               'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))::text
				FROM products p
				WHERE p.id IN (SELECT aggregate_id FROM outbox
				               WHERE processed AND processed_at > '$since'::timestamptz - interval '5 seconds'
				                 AND processed_at <= '$next')" \
				>"$body" 2>/dev/null || true
			if [[ -s $body ]] &&
				curl -sS --max-time 10 -X POST "$url/_bulk" -H 'Content-Type: application/x-ndjson' \
					--data-binary "@$body" -o /dev/null; then
				since=$next
			fi
		fi
	fi
	sleep 1 &
	wait $! || true
done
