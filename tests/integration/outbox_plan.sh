#!/usr/bin/env bash
# outbox_plan.sh: the statements the outbox stage sends, as the server receives them, are served
# by the indexes of share/sql/outbox.sql (no Seq Scan on the outbox), and the counts they give
# stay exact around outbox.count_cap (the deliverable count is every pending row less the failed).
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
[[ -r ${SYNCTOP_PG_LOG:-} ]] || skip_all "the server log is not readable (SYNCTOP_PG_LOG)"
fresh_db synctop_outbox_plan
load_outbox_schema

conf=$TEST_TMP/synctop.conf
S=$(stage outbox)

# 200,000 rows in insertion order, the newest 4,000 pending; 10 of those failed (every 400th:
# 6 at the attempts limit, 4 with an error). Large enough for the planner to prefer the indexes.
psql_synctop <<'SQL' || bail_out "loading the outbox rows failed"
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, created_at, processed, processed_at,
                    attempts, last_error)
SELECT 'product', 'P-' || g, 'product.updated', now() - ((200000 - g) || ' ms')::interval,
       g <= 196000, CASE WHEN g <= 196000 THEN now() END,
       CASE WHEN g > 196000 AND g % 400 = 0 THEN (CASE WHEN g <= 198400 THEN 5 ELSE 1 END) ELSE 0 END,
       CASE WHEN g > 198400 AND g % 400 = 0 THEN 'broker said no' END
FROM generate_series(1, 200000) AS g;
VACUUM ANALYZE outbox;
SQL
is "$(psql_synctop -c "SELECT count(*) FILTER (WHERE attempts >= 5), count(*) FILTER (WHERE last_error IS NOT NULL),
	count(*) FROM outbox WHERE NOT processed")" "6|4|4000" "fixture: 4000 pending, 6 at the attempts limit, 4 with an error"

# The statements of one poll, read back from the server log: log_statement=all is set for
# synctop's session only (conninfo options), so the lines after the mark are its own.
MKCONF_CONNINFO="$(conninfo) options='-c log_statement=all'" mkconf "$conf"
mark=$(wc -l <"$SYNCTOP_PG_LOG")
run_once -c "$conf" --format json --once-window 0
json_is "$S.error" null "the poll answered"
json_is "$S.metrics.pending" 3990 "pending = 3990: the 4000 pending less the 10 failed"
json_is "$S.metrics.pending_capped" false "pending is not capped"
json_is "$S.metrics.failed" 10 "failed = 10"
json_is ".pipelines[0].stages[0].first_poison_rows | length" 3 "the first 3 poisoned rows are listed"
json_is ".pipelines[0].stages[0].first_poison_rows[0].id" 196400 "the oldest poisoned row first"
# a TAB-separated line per statement: SQL, then its parameters as literals ('100001', '5')
statements=$(for _ in 1 2 3 4 5 6 7 8 9 10; do
	tail -n +"$((mark + 1))" "$SYNCTOP_PG_LOG" | grep -q "FROM \"outbox_worker\"" && break
	sleep 0.2 # the logger's last lines
done
tail -n +"$((mark + 1))" "$SYNCTOP_PG_LOG" | awk '
	/ LOG:  execute [^:]*: / {
		if (sql != "") print sql "\t" params
		sub(/.* LOG:  execute [^:]*: /, ""); sql = $0; params = ""; next }
	/ DETAIL:  parameters: / && sql != "" {
		sub(/.* DETAIL:  parameters: /, ""); gsub(/\$[0-9]+ = /, ""); params = $0; next }
	END { if (sql != "") print sql "\t" params }')
setup=$(grep -m1 "^SELECT set_config('default_transaction_read_only'" <<<"$statements" | cut -f1)
like "$setup" "set_config\\('max_parallel_workers_per_gather', '0'" "the session takes no parallel workers"
# the poll's own statements that read the outbox (its EXPLAIN plans only, and is left out)
mapfile -t reads < <(grep -v "^SELECT set_config\|^EXPLAIN" <<<"$statements" | grep '"outbox"')
is "${#reads[@]}" 2 "two statements read the outbox: the counts and the first poisoned rows"

# plan STATEMENT-LINE: the JSON plan of the statement with its parameters, in a session set up
# as synctop's.
plan() {
	local stmt params
	IFS=$'\t' read -r stmt params <<<"$1"
	psql_synctop -c "$setup" -c "PREPARE s AS $stmt" \
		-c "EXPLAIN (FORMAT JSON) EXECUTE s${params:+($params)}" | tail -n +2
}
for line in "${reads[@]}"; do
	p=$(plan "$line")
	name=${line:0:60}
	is "$(jq '[..|objects|select(."Node Type"? == "Seq Scan")] | length' <<<"$p")" 0 \
		"no Seq Scan: $name"
	case $line in
	WITH*)
		is "$(jq -r '[..|objects|select(."Node Type"? == "Index Only Scan")|."Index Name"]|unique|join(",")' <<<"$p")" \
			"outbox_failed_idx,outbox_pending_idx,outbox_pkey" \
			"the counts: index-only scans of the failed and pending indexes (and max(id) of the key)"
		;;
	*)
		is "$(jq -r '[..|objects|."Index Name"? // empty]|unique|join(",")' <<<"$p")" "outbox_failed_idx" \
			"the first poisoned rows: from the failed index"
		;;
	esac
done

# ----------------------------------------------------------------------
# The count cap around the deliverable count (pending rows counted up to cap + 1 + failed).
# ----------------------------------------------------------------------
cap_is() { # CAP PENDING CAPPED FAILED
	mkconf "$conf" 'outbox = shop' "outbox.count_cap = $1"
	run_once -c "$conf" --format json --once-window 0
	is "$(jqr "[$S.metrics.pending, $S.metrics.pending_capped, $S.metrics.failed] | map(tostring) | join(\" \")")" \
		"$2 $3 $4" "count_cap $1: pending $2, capped $3, failed $4"
}
cap_is 3990 3990 false 10
cap_is 3989 3989 true 10
cap_is 10 10 true 10
cap_is 9 9 true 9

# A lower max_attempts than the failed index's: the pending index serves it, still exact.
psql_synctop -c "UPDATE outbox SET attempts = 3 WHERE id = 199999" -c "VACUUM ANALYZE outbox" ||
	bail_out "UPDATE failed"
MKCONF_CONNINFO="$(conninfo) options='-c log_statement=all'" mkconf "$conf" 'outbox = shop' \
	'outbox.max_attempts = 3'
run_once -c "$conf" --format json --once-window 0
is "$(jqr "[$S.metrics.pending, $S.metrics.failed] | map(tostring) | join(\" \")")" "3989 11" \
	"max_attempts 3: one more failed row (attempts 3), 3989 pending"
done_testing
