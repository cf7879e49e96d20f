#!/usr/bin/env bash
# hostile.sh: a table name from the config is an identifier, never SQL: names built to break
# out of quoting find no relation, and the table they try to drop survives.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
fresh_db synctop_hostile
load_outbox_schema
psql_synctop -c 'CREATE TABLE victim (id int PRIMARY KEY, name text)' \
	-c "INSERT INTO victim VALUES (1, 'a'), (2, 'b'), (3, 'c')" || bail_out "creating victim failed"

conf=$TEST_TMP/synctop.conf
S=$(stage outbox)

check() { # TABLE LABEL
	mkconf "$conf" 'outbox = shop' "outbox.table = $1"
	run_once -c "$conf" --format json --once-window 0
	is "$RUN_RC" 3 "$2: exit code 3"
	json_is "$S.status" unknown "$2: stage status unknown"
	like "$(jqr "$S.error")" 'does not exist' "$2: the error says the relation does not exist"
	is "$(psql_synctop -c 'SELECT count(*) FROM victim' 2>&1)" 3 "$2: table victim still has its 3 rows"
	is "$(psql_synctop -c 'SELECT count(*) FROM outbox' 2>&1)" 0 "$2: table outbox is still there"
}

check 'outbox"; DROP TABLE victim; --' 'double quote'
check "outbox'; DROP TABLE victim; --" 'single quote'
check 'public.outbox"; DROP TABLE victim; --' 'double quote after a schema'

# The pending predicate is SQL (trusted like the conninfo), but the session is read-only by
# construction: even a predicate that writes is refused by the server.
psql_synctop -c 'CREATE SEQUENCE victim_seq' \
	-c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type) VALUES ('product', '1', 'created')" ||
	bail_out "creating victim_seq failed"
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' "outbox.pending = nextval('victim_seq') > 0"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "writing predicate: exit code 3"
like "$(jqr "$S.error")" 'read-only transaction' "writing predicate: refused in a read-only transaction"
is "$(psql_synctop -c "SELECT last_value || ' ' || is_called FROM victim_seq")" "1 false" \
	"writing predicate: the sequence never moved"

# Server chatter (a NOTICE raised in the predicate) never reaches stderr.
psql_synctop -c "CREATE FUNCTION noisy() RETURNS boolean LANGUAGE plpgsql AS \$\$ BEGIN RAISE NOTICE 'chatter'; RETURN true; END \$\$" ||
	bail_out "creating noisy() failed"
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' 'outbox.pending = NOT processed AND noisy()'
run_once -c "$conf" --format json --once-window 0
json_is "$S.metrics.pending" 1 "noisy predicate: the row is counted"
is "$RUN_ERR" "" "noisy predicate: nothing on stderr"

done_testing
