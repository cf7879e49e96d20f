#!/usr/bin/env bash
# format_markdown.sh: `--once --format markdown` against a real PostgreSQL, ok, warn and crit:
# the exact exit code, and what GitHub/GitLab render: cmark (CommonMark) for the headings and
# the diagnosis, cmark-gfm's table extension for each table cell, our own check that every
# table row has its header's number of cells, and no raw HTML from a server's text.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd cmark cmark-gfm
need_pg
fresh_db synctop_markdown
load_outbox_schema

conf=$TEST_TMP/synctop.conf
md=$TEST_TMP/snapshot.md
MD_CHECK=$top_srcdir/tests/integration/md_check.py
mkconf "$conf" 'outbox = shop' 'outbox.table = public.outbox' \
	'outbox.failed_warn = 1' 'outbox.failed_crit = 3' 'outbox.pending_warn = 50'
sed -i 's|^\[synctop\]|[synctop]\nenvironment = staging|' "$conf"

# outline: the rendered outline of the last run's markdown (md_check.py outline).
outline() {
	printf '%s\n' "$RUN_OUT" >"$md"
	/usr/bin/python3 "$MD_CHECK" outline "$md"
}
# snapshot STATE: runs the markdown snapshot; OUT: its outline.
snapshot() {
	run_once -c "$conf" --format markdown --once-window 0
	OUT=$(outline)
	ok "$1: every table row has its header's number of cells" \
		/usr/bin/python3 "$MD_CHECK" cells "$md"
}
has() { # LINE DESC: OUT has LINE exactly
	ok "$2" grep -qxF -- "$1" <<<"$OUT" || diag "outline: $OUT"
}

# ----------------------------------------------------------------------
# ok: an empty outbox.
# ----------------------------------------------------------------------
snapshot ok
is "$RUN_RC" 0 "ok: exit 0"
has "H1 synctop snapshot of staging: OK" "ok: the heading names the environment and the status"
has "ITEM Environment: staging" "ok: the environment"
like "$OUT" $'\nITEM Taken at: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\n' "ok: when, UTC ISO 8601"
like "$OUT" $'\nITEM Time taken: [0-9]+ms\n' "ok: how long the snapshot took"
has "ITEM synctop version: 0.1.0" "ok: the version"
has "ITEM Window observed: none (one poll: rates not known)" "ok: the window (--once-window 0)"
has "H2 Pipeline products: OK" "ok: a section per pipeline"
has "ROW Stage	Status	Since	Connection	Target	Figures	Reason" "ok: the stage table's header"
has "ROW outbox	OK	-	shop	public.outbox	0 pending, 0 failed	" "ok: the outbox row, exact"
has "H3 Diagnoses" "ok: the diagnoses heading"
unlike "$OUT" $'\nITEM (WARN|CRIT) ' "ok: no diagnosis"
has "H3 Thresholds in force" "ok: the thresholds heading"
has "ROW Stage	Options	Warn	Crit" "ok: the thresholds table's header"
has "ROW outbox	outbox.pending_*	50	10000" "ok: pending thresholds as configured (50) and by default (10000)"
has "ROW outbox	outbox.oldest_*	1m	5m" "ok: oldest-row thresholds, the defaults"
has "ROW outbox	outbox.failed_*	1	3" "ok: failed-row thresholds as configured"
has "TABLES 2" "ok: two tables: stages and thresholds"
unlike "$OUT" $'(^|\n)HTML' "ok: no raw HTML"

# ----------------------------------------------------------------------
# warn: two poison rows, one with an error full of markdown and HTML.
# ----------------------------------------------------------------------
psql_synctop <<'SQL' || bail_out "loading the poison rows failed"
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload, created_at, attempts, last_error)
VALUES ('product', 'P-1', 'product.updated', '{}', now() - interval '2 hours', 5,
        E'a|b `c` <script>x</script> \\d *e* _f_ [g](h) &amp; #i\nj'),
       ('product', 'P-2', 'product.updated', '{}', now() - interval '2 hours', 5, NULL);
SQL
snapshot warn
is "$RUN_RC" 1 "warn: exit 1"
has "H1 synctop snapshot of staging: WARN" "warn: the heading says WARN"
has "H2 Pipeline products: WARN" "warn: the pipeline is WARN"
has "ROW outbox	WARN	-	shop	public.outbox	0 pending, 2 failed	2 rows failed" "warn: the outbox row, exact"
has "ITEM WARN poison-rows on outbox: outbox rows keep failing and will not be delivered" \
	"warn: the diagnosis, its rule and symptom"
# shellcheck disable=SC2016 # backticks of the server's text, not a command
has 'ITEM Evidence: 2 pending rows have attempts >= 5 or an error in last_error, the oldest 2h00m old; first ids 1 (5 attempts), 2 (5 attempts); first error: a|b `c` <script>x</script> \d *e* _f_ [g](h) &amp; #i j' \
	"warn: the evidence renders as the server's text, every markdown character literal"
unlike "$OUT" $'\nITEM (First seen|Held for|Since)' "warn: one poll (--once-window 0) says nothing of since when"
has "ITEM Next step: read the recorded errors (SELECT id, last_error FROM public.outbox WHERE last_error IS NOT NULL), fix the cause, then replay the failed rows" \
	"warn: the next step"
has "ITEM Action: synctop action replay products --scope failed" "warn: the action, as a command"
unlike "$OUT" $'(^|\n)HTML' "warn: the server's <script> is text, not HTML"
# shellcheck disable=SC2016
like "$RUN_OUT" 'a\\\|b \\`c\\` \\<script\\>' "warn: the markdown escapes |, backticks and <"

# ----------------------------------------------------------------------
# crit: a third poison row (failed_crit = 3).
# ----------------------------------------------------------------------
psql_synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload, created_at, attempts)
	VALUES ('product', 'P-3', 'product.updated', '{}', now() - interval '2 hours', 5)" ||
	bail_out "the third poison row failed"
snapshot crit
is "$RUN_RC" 2 "crit: exit 2"
has "H1 synctop snapshot of staging: CRIT" "crit: the heading says CRIT"
has "ROW outbox	CRIT	-	shop	public.outbox	0 pending, 3 failed	3 rows failed" "crit: the outbox row, exact"
has "ITEM CRIT poison-rows on outbox: outbox rows keep failing and will not be delivered" \
	"crit: the diagnosis is crit"

# ----------------------------------------------------------------------
# unknown: a server that does not answer; its error is said once, in the figures.
# ----------------------------------------------------------------------
MKCONF_CONNINFO="host=127.0.0.1 port=1 dbname=x user=postgres password=hunter2 connect_timeout=2" \
	mkconf "$TEST_TMP/down.conf"
run_once -c "$TEST_TMP/down.conf" --format markdown --once-window 0
is "$RUN_RC" 3 "unknown: exit 3"
OUT=$(outline)
has "H2 Pipeline products: UNKNOWN" "unknown: the pipeline is UNKNOWN"
like "$OUT" $'\nROW outbox\tUNKNOWN\t-\tshop\tpublic.outbox\t[^\t]*refused[^\t]*\t\n' \
	"unknown: the row has the error in its figures, no reason beside it"
unlike "$RUN_OUT$RUN_ERR" hunter2 "unknown: the password is not printed"

# ----------------------------------------------------------------------
# A root and its consequence over a 1s window: the relay is paused (for 10 minutes) with
# three rows waiting: worker-paused, then worker-stalled saying what it follows from.
# ----------------------------------------------------------------------
psql_synctop -c "DELETE FROM outbox" \
	-c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload, created_at)
		SELECT 'product', 'P-' || g, 'product.updated', '{}', now() - interval '10 minutes'
		FROM generate_series(1, 3) g" \
	-c "UPDATE outbox_worker SET paused = true, paused_at = now() - interval '10 minutes'" ||
	bail_out "pausing the relay failed"
run_once -c "$conf" --format markdown --once-window 1s
is "$RUN_RC" 1 "paused: exit 1 (a pause is warn, what follows from it at most warn)"
OUT=$(outline)
has "ITEM Window observed: 1s (two polls 1s apart)" "paused: the window observed"
like "$OUT" $'\nITEM Time taken: 1\\.[0-9]{2}s\n' "paused: the time taken, to the hundredth"
is "$(grep -E '^ITEM (WARN|CRIT|Follows)' <<<"$OUT")" \
	"ITEM WARN worker-paused on outbox: the outbox relay is paused: events wait in the outbox, and the pause outlives restarts
ITEM WARN worker-stalled on outbox: the outbox relay is not draining public.outbox
ITEM Follows from: outbox: worker-paused" "paused: the root first, then its consequence, which says what it follows from"
has "ITEM Action: synctop action resume products" "paused: the root's action"
like "$OUT" $'\nITEM Evidence: 3 rows pending, oldest 10m0[0-9]s, drained 0/s over the last 1s, inflow 0/s\n' \
	"paused: the consequence's evidence"

# ----------------------------------------------------------------------
# The checks themselves can fail.
# ----------------------------------------------------------------------
printf '| a | b |\n|---|---|\n| x | y | z |\n' >"$TEST_TMP/bad.md"
# shellcheck disable=SC2317 # called through ok
cells_fail() {
	! /usr/bin/python3 "$MD_CHECK" cells "$1" >/dev/null
}
ok "negative control: a row with an extra cell fails the cells check" cells_fail "$TEST_TMP/bad.md"
printf '| a | b |\n|---|---|\n| x | y\\|z |\n' >"$TEST_TMP/good.md"
ok "control: an escaped bar is no cell end" /usr/bin/python3 "$MD_CHECK" cells "$TEST_TMP/good.md"
done_testing
