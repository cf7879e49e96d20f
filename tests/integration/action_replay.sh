#!/usr/bin/env bash
# action_replay.sh: `synctop action replay|pause|resume` on an outbox in a real PostgreSQL: each
# scope re-publishes exactly its rows; the bound, a row taken between preview and apply and a
# connection killed mid-transaction change nothing; insert mode copies; a statement of the
# user's; --dry-run; pause and resume flip outbox_worker; the audit lines say so.
# needs: postgres
# shellcheck disable=SC2016 # $1, $2 in SQL are its parameters, written literally
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_pg
fresh_db synctop_action_replay
load_outbox_schema

conf=$TEST_TMP/synctop.conf
AUDIT=$TEST_TMP/audit.log

# mkconf_action [LINE...]: the products pipeline on the outbox (OUTBOX_TABLE, default
# public.outbox), LINEs added to it.
mkconf_action() {
	: >"$conf" && chmod 600 "$conf"
	{
		printf '[synctop]\ntimeout = %s\naudit_log = %s\nconfirm_timeout = 5s\n\n' "${MKCONF_TIMEOUT:-2s}" "$AUDIT"
		printf '[postgres shop]\nconninfo = %s\n\n' "$(conninfo)"
		printf '[pipeline products]\noutbox = shop\noutbox.table = %s\n' "${OUTBOX_TABLE:-public.outbox}"
		printf '%s\n' "$@"
	} >>"$conf"
}

# The fixture, loaded again before each case: 40 rows, every one at attempts >= 1.
#   1..20   published, created 2026-01-01 00:01 .. 00:20 (even ids product.updated, odd product.deleted)
#   21..25  failed: pending, 21-23 at 5 attempts, 24-25 with an error
#   26..28  pending, not failed
#   29..40  published, created 11.5 min (29) .. 30 s (40) ago
load_rows() {
	psql_synctop <<-'SQL' >/dev/null || bail_out "loading the outbox rows failed"
		TRUNCATE outbox;
		INSERT INTO outbox (id, aggregate_type, aggregate_id, event_type, payload, created_at,
		                    processed, processed_at, attempts)
		SELECT g, 'product', 'P-' || g,
		       CASE WHEN g % 2 = 0 THEN 'product.updated' ELSE 'product.deleted' END,
		       jsonb_build_object('n', g),
		       CASE WHEN g <= 28 THEN timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute'
		            ELSE now() - (40 - g) * interval '1 minute' - interval '30 seconds' END,
		       true, timestamptz '2026-01-01 01:00:00+00', 1
		FROM generate_series(1, 40) AS g;
		SELECT setval('outbox_id_seq', 40);
		UPDATE outbox SET processed = false, processed_at = NULL, attempts = 5 WHERE id BETWEEN 21 AND 23;
		UPDATE outbox SET processed = false, processed_at = NULL, last_error = 'broker unavailable'
		WHERE id BETWEEN 24 AND 25;
		UPDATE outbox SET processed = false, processed_at = NULL WHERE id BETWEEN 26 AND 28;
		UPDATE outbox_worker SET paused = false, paused_at = NULL;
	SQL
}

# The ids a replay reset (pending again, attempts 0, no error), comma-separated.
reset_ids() {
	psql_synctop -c "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM outbox
	                 WHERE NOT processed AND processed_at IS NULL AND attempts = 0 AND last_error IS NULL"
}
# A digest of the rows whose id is not in the comma-separated list $1 ("" = all rows).
digest() {
	psql_synctop -c "SELECT md5(string_agg(o::text, '|' ORDER BY id)) FROM outbox o
	                 WHERE id <> ALL('{${1:-}}'::bigint[])"
}
audit_lines() { [[ -f $AUDIT ]] && wc -l <"$AUDIT" || echo 0; }
# jq FILTER on the last audit line.
last_audit() { tail -n 1 "$AUDIT" | jq -r "$1"; }

# replay_resets SCOPE WANT-IDS: the replay of SCOPE resets exactly WANT-IDS, and no other row changes.
replay_resets() {
	local scope=$1 want=$2 before
	load_rows
	before=$(digest "$want")
	run_synctop -c "$conf" action replay products --scope "$scope" --yes --format json
	is "$RUN_RC" 0 "$scope: exit 0"
	json_is .result confirmed "$scope: confirmed"
	is "$(reset_ids)" "$want" "$scope: exactly its rows are pending again"
	is "$(digest "$want")" "$before" "$scope: no other row changed"
	json_is '.preview.pin.ids | join(",")' "$want" "$scope: the previewed ids are pinned"
	json_is .applied.affected "$(tr ',' '\n' <<<"$want" | wc -l)" "$scope: affected = the previewed count"
}

mkconf_action

# ----------------------------------------------------------------------
# failed: every figure of the preview, the apply and the audit line.
# ----------------------------------------------------------------------
load_rows
others=$(digest 21,22,23,24,25)
run_synctop -c "$conf" action replay products --scope failed --yes --format json
is "$RUN_RC" 0 "failed: exit 0"
json_is .result confirmed "failed: confirmed"
json_is .preview.count 5 "failed: the preview counts 5 rows"
json_is .preview.summary "5 rows, ids 21-25, created 2026-01-01T00:21:00Z to 2026-01-01T00:25:00Z" \
	"failed: the preview's count, first/last ids, oldest/newest created"
json_is .preview.target "shop public.outbox" "failed: the target"
json_is '.preview.lines[2]' 'SQL: UPDATE "public"."outbox" SET processed = false, processed_at = NULL, "attempts" = 0, "last_error" = NULL WHERE "id" = ANY($1) AND (NOT processed) AND ("attempts" >= $2 OR "last_error" IS NOT NULL)' \
	"failed: the preview shows the SQL apply runs"
json_is '.preview.lines[3:] | join("; ")' '$1 = the 5 previewed ids; $2 = 5' "failed: and its parameters"
json_is '.preview.pin.ids | join(",")' 21,22,23,24,25 "failed: the pin holds the sorted ids"
json_is .applied.affected 5 "failed: 5 rows affected"
json_is .applied.answer "UPDATE 5; COMMIT" "failed: the server's answer"
json_is .readback.seen "5 of 5 rows pending again" "failed: read back"
is "$(reset_ids)" 21,22,23,24,25 "failed: rows 21-25 are pending again with attempts 0 and no error"
is "$(digest 21,22,23,24,25)" "$others" "failed: no other row changed (26-28 are pending, not failed)"
is "$(audit_lines)" 1 "failed: one audit line"
is "$(last_audit '[.action, .pipeline, .stage, .scope, .target, .previewed, .affected, .answer, .result, .reason] | map(tostring) | join("|")')" \
	"replay|products|outbox|failed|shop public.outbox|5|5|UPDATE 5; COMMIT|confirmed|5 of 5 rows pending again" \
	"failed: the audit line"
unlike "$(cat "$AUDIT")$RUN_OUT$RUN_ERR" hunter2 "failed: no password in the output or the audit log"

# ----------------------------------------------------------------------
# The other scopes reset exactly theirs.
# ----------------------------------------------------------------------
replay_resets ids:3-6 3,4,5,6
replay_resets ids:1-10,type:product.updated 2,4,6,8,10
replay_resets failed,type:product.deleted 21,23,25
replay_resets created:2026-01-01T00:05:00Z..2026-01-01T00:10:00Z 5,6,7,8,9
replay_resets 'created:2026-01-01 00:05..2026-01-01T02:10+02:00' 5,6,7,8,9
replay_resets created:..2026-01-01T00:03:00Z 1,2
replay_resets created:10m.. 31,32,33,34,35,36,37,38,39,40
replay_resets created:10m..2m 31,32,33,34,35,36,37,38

# ----------------------------------------------------------------------
# Refusals: nothing changes.
# ----------------------------------------------------------------------
load_rows
before=$(digest)
n=$(audit_lines)
run_synctop -c "$conf" action replay products --scope ids:9-1 --yes
is "$RUN_RC" 3 "a bad scope: exit 3"
is "$RUN_OUT$RUN_ERR" "replay products/outbox refused: ids: FROM (9) is above TO (1)" "a bad scope: says what is wrong"

run_synctop -c "$conf" action replay products --scope ids:100-200 --yes --format json
is "$RUN_RC" 2 "no row in scope: exit 2"
json_is .line "replay products/outbox refused: no row to replay: none matches the scope (ids 100 to 200)" \
	"no row in scope: refused, and why"

mkconf_action 'outbox.replay_max_rows = 4'
run_synctop -c "$conf" action replay products --scope failed --yes --format json
is "$RUN_RC" 2 "over the bound: exit 2"
json_is .result refused "over the bound: refused"
json_is .line "replay products/outbox refused: 5 rows are more than outbox.replay_max_rows (4): narrow the scope" \
	"over the bound: the count and the bound"
is "$(last_audit '[.result, .previewed, .affected, .reason] | map(tostring) | join("|")')" \
	"refused|5|null|5 rows are more than outbox.replay_max_rows (4): narrow the scope" "over the bound: audited"
mkconf_action

run_synctop -c "$conf" action replay products --scope failed --dry-run
is "$RUN_RC" 0 "--dry-run: exit 0"
like "$RUN_OUT" 'preview: 5 rows, ids 21-25, created 2026-01-01T00:21:00Z to 2026-01-01T00:25:00Z' "--dry-run: the preview"
like "$RUN_OUT" 'SQL: UPDATE "public"."outbox" SET processed = false' "--dry-run: the SQL"
like "$RUN_OUT" 'dry run: nothing was sent' "--dry-run: says nothing was sent"
is "$(digest)" "$before" "bad scope, no row, over the bound, --dry-run: nothing changed"
is "$(audit_lines)" $((n + 2)) "a refusal after a preview is audited; a usage error and a dry run are not"

# A row taken by the relay between preview and apply: a session claims row 23 (uncommitted, so
# the preview still counts it) and commits 3 s later, while the apply's UPDATE waits for the
# row; the row is no longer failed then, the count differs, the transaction rolls back, and a
# new preview is made.
before=$(digest 23)
(psql_synctop -c 'BEGIN' -c "UPDATE outbox SET processed = true, processed_at = now() WHERE id = 23" \
	-c 'SELECT pg_sleep(3)' -c 'COMMIT' >/dev/null) &
relay=$!
for ((i = 0; i < 100; i++)); do
	[[ $(psql_synctop -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(3)'") == 1 ]] && break
	sleep 0.05
done
MKCONF_TIMEOUT=8s mkconf_action
run_synctop -c "$conf" action replay products --scope failed --yes --format json
wait "$relay"
mkconf_action
is "$RUN_RC" 2 "a row taken: exit 2"
json_is .preview.count 5 "a row taken: the preview counted it"
json_is .line "replay products/outbox refused: target changed, nothing applied: 1 of the 5 rows changed since the preview" \
	"a row taken: refused, and how many rows changed"
like "$RUN_ERR" "preview: 4 rows, ids 21-25, created 2026-01-01T00:21:00Z to 2026-01-01T00:25:00Z" \
	"a row taken: the new preview"
is "$(reset_ids)" - "a row taken: no row was reset"
is "$(digest 23)" "$before" "a row taken: no other row changed (rolled back)"
is "$(last_audit '[.result, .previewed, .affected] | map(tostring) | join("|")')" "refused|5|0" "a row taken: audited"
load_rows
before=$(digest)

# The connection killed mid-transaction: PostgreSQL rolls back, nothing applied, a failure.
psql_synctop >/dev/null <<-'SQL'
	CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$;
	CREATE TRIGGER slow BEFORE UPDATE ON outbox FOR EACH ROW WHEN (OLD.id = 24) EXECUTE FUNCTION slow();
SQL
kill_update() {
	local i
	for ((i = 0; i < 200; i++)); do
		if [[ $(psql_synctop -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		        WHERE application_name = 'synctop' AND state = 'active' AND query LIKE 'UPDATE%'") == 1 ]]; then
			echo killed >"$TEST_TMP/killed"
			return
		fi
		sleep 0.05
	done
}
kill_update &
killer=$!
MKCONF_TIMEOUT=6s mkconf_action
run_synctop -c "$conf" action replay products --scope failed --yes --format json
wait "$killer"
mkconf_action
is "$(cat "$TEST_TMP/killed" 2>/dev/null)" killed "killed: the backend was terminated during the UPDATE"
is "$RUN_RC" 2 "killed: exit 2"
json_is .result failed "killed: failed"
like "$(last_audit .reason)" '^the connection broke during the replay: nothing was applied \(PostgreSQL rolls back an unfinished transaction\)' \
	"killed: the audit line says why, and that nothing was applied"
is "$(digest)" "$before" "killed: nothing changed"
psql_synctop -c 'DROP TRIGGER slow ON outbox' -c 'DROP FUNCTION slow()'

# ----------------------------------------------------------------------
# Insert mode: copies with new ids and created times; the originals untouched.
# ----------------------------------------------------------------------
load_rows
before=$(digest)
mkconf_action 'outbox.replay = insert'
run_synctop -c "$conf" action replay products --scope ids:1-3 --yes --format json
is "$RUN_RC" 0 "insert: exit 0"
json_is .result confirmed "insert: confirmed"
json_is '.preview.lines[2]' 'SQL: INSERT INTO "public"."outbox" ("aggregate_type", "aggregate_id", "event_type", "payload") SELECT "aggregate_type", "aggregate_id", "event_type", "payload" FROM "public"."outbox" WHERE "id" = ANY($1) AND "id" BETWEEN $2 AND $3 ORDER BY "id" RETURNING "id"' \
	"insert: the SQL"
json_is .applied.affected 3 "insert: 3 rows inserted"
json_is .readback.seen "3 of the 3 copies in public.outbox" "insert: read back"
is "$(psql_synctop -c "SELECT string_agg(concat_ws(' ', id, aggregate_id, event_type, payload::text, processed,
                       attempts, created_at > now() - interval '1 minute'), ';' ORDER BY id) FROM outbox WHERE id > 40")" \
	'41 P-1 product.deleted {"n": 1} f 0 t;42 P-2 product.updated {"n": 2} f 0 t;43 P-3 product.deleted {"n": 3} f 0 t' \
	"insert: copies with the same payload and types, new ids and created times, pending"
is "$(psql_synctop -c "SELECT md5(string_agg(o::text, '|' ORDER BY id)) FROM outbox o WHERE id <= 40")" "$before" \
	"insert: the originals are untouched"

# Insert mode on a Debezium-style outbox: uuid ids and no defaults (a copy gets
# gen_random_uuid() and now()), the event type in column "type".
psql_synctop >/dev/null <<-'SQL'
	CREATE TABLE dbz (id uuid PRIMARY KEY, aggregatetype text NOT NULL, aggregateid text NOT NULL,
	                  type text NOT NULL, payload jsonb, created_at timestamptz NOT NULL);
	INSERT INTO dbz SELECT ('00000000-0000-0000-0000-00000000000' || g)::uuid, 'product', 'P-' || g,
	       CASE WHEN g % 2 = 0 THEN 'product.updated' ELSE 'product.deleted' END,
	       jsonb_build_object('n', g), timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute'
	FROM generate_series(1, 6) AS g;
SQL
OUTBOX_TABLE=dbz mkconf_action 'outbox.replay = insert' 'outbox.pending = false' 'outbox.attempts_column =' \
	'outbox.error_column =' 'outbox.type_column = type' 'outbox.control_table ='
run_synctop -c "$conf" action replay products --scope created:2026-01-01T00:02:00Z..,type:product.updated --yes --format json
is "$RUN_RC" 0 "insert, uuid ids: exit 0"
json_is .preview.summary "3 rows, ids 00000000-0000-0000-0000-000000000002 to 00000000-0000-0000-0000-000000000006, created 2026-01-01T00:02:00Z to 2026-01-01T00:06:00Z" \
	"insert, uuid ids: the preview"
json_is .readback.seen "3 of the 3 copies in dbz" "insert, uuid ids: read back"
is "$(psql_synctop -c "SELECT string_agg(concat_ws(' ', aggregateid, type, payload::text), ';' ORDER BY aggregateid)
                       FROM dbz WHERE created_at > now() - interval '1 minute' AND id::text NOT LIKE '00000000-%'")" \
	'P-2 product.updated {"n": 2};P-4 product.updated {"n": 4};P-6 product.updated {"n": 6}' \
	"insert, uuid ids: copies with new uuids and created times"
is "$(psql_synctop -c 'SELECT count(*) FROM dbz')" 9 "insert, uuid ids: the 6 originals and 3 copies"

# A statement of the user's, the ids as $1.
load_rows
mkconf_action 'outbox.replay = UPDATE outbox SET processed = false, processed_at = NULL WHERE id = ANY($1::bigint[])'
run_synctop -c "$conf" action replay products --scope ids:1-2 --yes --format json
is "$RUN_RC" 0 "statement: exit 0"
json_is .preview.lines[2] 'SQL: UPDATE outbox SET processed = false, processed_at = NULL WHERE id = ANY($1::bigint[])' \
	"statement: the preview shows it"
json_is .applied.affected 2 "statement: its row count is the affected count"
json_is .readback.seen "the statement changed 2 rows; pending 8 before, 10 now; 0 rows processed since" \
	"statement: read back from the pending count"
is "$(psql_synctop -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM outbox WHERE NOT processed AND id < 20")" 1,2 \
	"statement: rows 1 and 2 are pending"
mkconf_action

# ----------------------------------------------------------------------
# Pause and resume through outbox_worker.
# ----------------------------------------------------------------------
flag() { psql_synctop -c "SELECT paused, paused_at IS NOT NULL FROM outbox_worker WHERE name = 'relay'"; }
run_synctop -c "$conf" action pause products --yes --format json
is "$RUN_RC" 0 "pause: exit 0"
json_is .result confirmed "pause: confirmed"
json_is .preview.summary "pause worker relay (now: running)" "pause: the preview"
json_is .applied.sent "UPDATE outbox_worker SET paused = true WHERE name = 'relay'" "pause: what was sent"
is "$(flag)" "t|t" "pause: outbox_worker says paused, with paused_at"
is "$(last_audit '[.action, .target, .affected, .answer, .result] | map(tostring) | join("|")')" \
	"pause|shop outbox_worker worker relay|1|UPDATE 1; COMMIT|confirmed" "pause: the audit line"
like "$(last_audit .reason)" '^worker relay paused since [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "pause: read back"

run_synctop -c "$conf" action pause products --yes
is "$RUN_RC" 2 "pause when paused: exit 2"
is "$RUN_OUT" "pause products/outbox refused: does not apply now: already paused" "pause when paused: refused"

run_synctop -c "$conf" action resume products --yes --format json
is "$RUN_RC" 0 "resume: exit 0"
json_is .readback.seen "worker relay running" "resume: read back"
is "$(flag)" "f|f" "resume: outbox_worker says running, paused_at cleared"
is "$(last_audit '[.action, .result, .affected] | map(tostring) | join("|")')" "resume|confirmed|1" "resume: the audit line"

# Someone else flips the flag between preview and apply (a trigger skips the update): nothing applied.
psql_synctop >/dev/null <<-'SQL'
	CREATE FUNCTION other() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
	CREATE TRIGGER other BEFORE UPDATE ON outbox_worker FOR EACH ROW EXECUTE FUNCTION other();
SQL
run_synctop -c "$conf" action pause products --yes --format json
is "$RUN_RC" 2 "pause, flipped by someone else: exit 2"
json_is .line "pause products/outbox refused: target changed, nothing applied: no row updated: the worker was no longer running (paused by someone else since the preview, or its row is gone)" \
	"pause, flipped by someone else: refused"
is "$(flag)" "f|f" "pause, flipped by someone else: nothing changed"
psql_synctop -c 'DROP TRIGGER other ON outbox_worker' -c 'DROP FUNCTION other()'

is "$(jq -r .result "$AUDIT" | sort | uniq -c | awk '{ printf "%s %s;", $2, $1 }')" \
	"confirmed 14;failed 1;refused 5;" "the audit log: one line per action that reached a preview"
done_testing
