#!/usr/bin/env bash
# traffic.sh: the demo's traffic generator: inserts product events into the outbox at a steady
# rate, through one psql session, until stopped (SIGTERM/SIGINT) or the server goes away.
#
#   contrib/traffic.sh [-r ROWS_PER_SECOND] [-d DBNAME] [-t TABLE]
#
# Defaults: -r $TRAFFIC_RATE or 5, -d $PGDATABASE or synctop, -t outbox. The server comes from
# the libpq environment (PGHOST, PGPORT, PGUSER), as stack.sh exports it.
set -euo pipefail

rate=${TRAFFIC_RATE:-5}
db=${PGDATABASE:-synctop}
table=outbox
while getopts 'r:d:t:h' opt; do
	case $opt in
	r) rate=$OPTARG ;;
	d) db=$OPTARG ;;
	t) table=$OPTARG ;;
	*)
		sed -n '4,7s/^# \{0,1\}//p' "$0" >&2
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
		printf '%s\n' "INSERT INTO $table (aggregate_type, aggregate_id, event_type, payload)
SELECT 'product', 'P-' || lpad((1 + floor(random() * 5000))::int::text, 5, '0'),
       (ARRAY['product.created', 'product.updated', 'product.updated', 'product.price_changed',
              'product.stock_changed', 'product.deleted'])[1 + floor(random() * 6)::int],
       jsonb_build_object('price', round((1 + random() * 199)::numeric, 2),
                          'stock', floor(random() * 500)::int,
                          'source', 'traffic.sh')
FROM generate_series(1, $n);" >&3 || break
	fi
	sleep 0.2 &
	wait $! || true
done
