#!/usr/bin/env bash
# relay.sh: the reference outbox relay, for the demo. Every ~200 ms it claims up to N pending
# rows, oldest first (FOR UPDATE SKIP LOCKED, so that several relays can share the table),
# "publishes" them and marks them processed, unless outbox_worker 'relay' is paused.
# A small share of attempts fails on purpose (attempts + 1, last_error set); a failed row is
# retried a little later, so failures show for a moment, as they do in real life.
#
#   contrib/relay.sh [-n BATCH] [-f FAIL_PERCENT] [-m MAX_ATTEMPTS] [-d DBNAME] [-w WORKER]
#
# Defaults: -n 50, -f 1, -m 5, -d $PGDATABASE or synctop, -w relay. The server comes from the
# libpq environment (PGHOST, PGPORT, PGUSER), as stack.sh exports it.
set -euo pipefail

batch=${RELAY_BATCH:-50}
fail=${RELAY_FAIL_PERCENT:-1}
max_attempts=5
db=${PGDATABASE:-synctop}
worker=relay
while getopts 'n:f:m:d:w:h' opt; do
	case $opt in
	n) batch=$OPTARG ;;
	f) fail=$OPTARG ;;
	m) max_attempts=$OPTARG ;;
	d) db=$OPTARG ;;
	w) worker=$OPTARG ;;
	*)
		sed -n '8,11s/^# \{0,1\}//p' "$0" >&2
		exit 2
		;;
	esac
done
for n in "$batch" "$fail" "$max_attempts"; do
	[[ $n =~ ^[0-9]+$ ]] || {
		echo "relay.sh: -n, -f and -m take whole numbers" >&2
		exit 2
	}
done
[[ $worker =~ ^[A-Za-z0-9_.-]+$ ]] || {
	echo "relay.sh: -w takes a plain worker name" >&2
	exit 2
}

psql_pid=
stop() {
	trap - EXIT
	if [[ -n $psql_pid ]]; then
		exec 3>&-
		kill "$psql_pid" 2>/dev/null || true
	fi
}
trap stop EXIT
trap 'exit 0' INT TERM HUP
trap '' PIPE

exec 3> >(exec psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null)
psql_pid=$!

# One statement per tick: the claim, the pause check and the outcome in one transaction.
claim="WITH claimed AS (
    SELECT id, random() * 100 < $fail AS failed
    FROM outbox
    WHERE NOT processed
      AND attempts < $max_attempts
      AND (last_error IS NULL OR random() < 0.2)   -- retry a failed row about 1 s later
      AND NOT EXISTS (SELECT 1 FROM outbox_worker WHERE name = '$worker' AND paused)
    ORDER BY created_at, id
    LIMIT $batch
    FOR UPDATE SKIP LOCKED
)
UPDATE outbox AS o
SET processed    = NOT c.failed,
    processed_at = CASE WHEN c.failed THEN NULL ELSE now() END,
    attempts     = o.attempts + 1,
    last_error   = CASE WHEN c.failed THEN 'simulated: broker timeout after 5000 ms' END
FROM claimed AS c
WHERE o.id = c.id;"

while kill -0 "$psql_pid" 2>/dev/null; do
	printf '%s\n' "$claim" >&3 || break
	sleep 0.2 &
	wait $! || true
done
