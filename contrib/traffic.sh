#!/usr/bin/env bash
# traffic.sh: the demo's traffic generator: inserts product events into the outbox at a steady
# rate, through one psql session, until stopped (SIGTERM/SIGINT) or the server goes away.
#
#   contrib/traffic.sh [-r ROWS_PER_SECOND] [-d DBNAME] [-t TABLE] [-s]
#
# Defaults: -r $TRAFFIC_RATE or 5, -d $PGDATABASE or synctop, -t outbox. -s also changes the
# products of contrib/shop.sql, in the same statement as their outbox rows (the outbox
# pattern: the business change and its event commit together). The server comes from the
# libpq environment (PGHOST, PGPORT, PGUSER), as stack.sh exports it.
set -euo pipefail

rate=${TRAFFIC_RATE:-5}
db=${PGDATABASE:-synctop}
table=outbox
shop=0
while getopts 'r:d:t:sh' opt; do
	case $opt in
	r) rate=$OPTARG ;;
	d) db=$OPTARG ;;
	t) table=$OPTARG ;;
	s) shop=1 ;;
	*)
		sed -n '4,9s/^# \{0,1\}//p' "$0" >&2
		exit 2
		;;
	esac
done
if ! [[ $rate =~ ^[0-9]+$ ]] || ((rate > 100000)); then
	echo "traffic.sh: -r takes a whole number of rows per second (at most 100000)" >&2
	exit 2
fi
[[ $table =~ ^[A-Za-z_][A-Za-z0-9_.]*$ ]] || {
	echo "traffic.sh: -t takes a plain table name" >&2
	exit 2
}

psql_pid=
stop() {
	trap - EXIT
	if [[ -n $psql_pid ]]; then
		exec 3>&- # psql sees end of input and exits
		kill "$psql_pid" 2>/dev/null || true
	fi
}
trap stop EXIT
trap 'exit 0' INT TERM HUP
trap '' PIPE # a write to a dead psql fails instead of killing us

# One session for the whole run; statements are fed to it as they are due.
exec 3> >(exec psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null)
psql_pid=$!

# Every ~200 ms, the rows due by now: counted from the start, so that the rate holds on
# average whatever the loop's own overhead.
start_us=${EPOCHREALTIME//[!0-9]/}
sent=0
while kill -0 "$psql_pid" 2>/dev/null; do
	now_us=${EPOCHREALTIME//[!0-9]/}
	n=$(((now_us - start_us) * rate / 1000000 - sent))
	sent=$((sent + n))
	if ((n > 0)); then
		if ((shop)); then
			printf '%s\n' "WITH ev AS (
  SELECT 'P-' || lpad((1 + floor(random() * 5000))::int::text, 5, '0') AS agg,
         (ARRAY['product.created', 'product.updated', 'product.price_changed',
                'product.stock_changed'])[1 + floor(random() * 4)::int] AS type,
         round((1 + random() * 199)::numeric, 2) AS price, floor(random() * 500)::int AS stock
  FROM generate_series(1, $n)),
p AS (
  INSERT INTO products (id, price, stock, updated_at)
  SELECT DISTINCT ON (agg) agg, price, stock, now() FROM ev
  ON CONFLICT (id) DO UPDATE SET price = EXCLUDED.price, stock = EXCLUDED.stock, updated_at = now())
INSERT INTO $table (aggregate_type, aggregate_id, event_type, payload)
SELECT 'product', agg, type,
       jsonb_build_object('id', agg, 'price', price, 'stock', stock, 'updated_at', now(), 'source', 'traffic.sh')
FROM ev;" >&3 || break
		else
			printf '%s\n' "INSERT INTO $table (aggregate_type, aggregate_id, event_type, payload)
SELECT 'product', 'P-' || lpad((1 + floor(random() * 5000))::int::text, 5, '0'),
       (ARRAY['product.created', 'product.updated', 'product.updated', 'product.price_changed',
              'product.stock_changed', 'product.deleted'])[1 + floor(random() * 6)::int],
       jsonb_build_object('price', round((1 + random() * 199)::numeric, 2),
                          'stock', floor(random() * 500)::int,
                          'source', 'traffic.sh')
FROM generate_series(1, $n);" >&3 || break
		fi
	fi
	sleep 0.2 &
	wait $! || true
done
