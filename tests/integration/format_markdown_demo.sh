#!/usr/bin/env bash
# format_markdown_demo.sh: `--once --format markdown` of the running demo (every stage kind),
# healthy, warn (fault pause-relay) and crit (fault stop-relay): the exact exit code, each
# pipeline's table with one row per stage of the JSON snapshot, its status as JSON says, the
# headline diagnosis; every table well-formed (cmark-gfm, and our own cells check), no raw HTML.
# needs: postgres kafka redis search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/demo_lib.sh
. "$(dirname "$0")/demo_lib.sh"

require_cmd jq curl redis-cli python3 pg_recvlogical cmark cmark-gfm
[[ -x $top_builddir/contrib/synctop-relay ]] ||
	skip_all "contrib/synctop-relay is not built (a build without Kafka or PostgreSQL)"
[[ -x $top_builddir/tests/stack/kafka_mock ]] || skip_all "tests/stack/kafka_mock is not built"
if [[ $top_builddir != "$top_srcdir" ]]; then
	skip_all "the demo runs from a built source tree (make check in the source tree, not a VPATH build)"
fi

DEMO=$top_srcdir/contrib/demo.sh
MD_CHECK=$top_srcdir/tests/integration/md_check.py
md=$TEST_TMP/snapshot.md
export XDG_RUNTIME_DIR=$TEST_TMP
export SYNCTOP

"$DEMO" up >"$TEST_TMP/demo.out" 2>"$TEST_TMP/demo.err" &
demo_pid=$!
at_exit _demo_stop
# shellcheck disable=SC2317 # run by at_exit
_demo_stop() {
	kill -TERM "$demo_pid" 2>/dev/null
	wait "$demo_pid" 2>/dev/null
	return 0
}
for ((i = 0; i < 60; i++)); do
	[[ -s $XDG_RUNTIME_DIR/synctop-demo-$(id -u).state ]] && break
	sleep 0.25
done
wait_snap 40 demo_ready
ok "the demo is up" test $? -eq 0 || bail_out "the demo did not come up: $(tail -n 5 "$TEST_TMP/demo.err")"
wait_snap 30 all_ok
ok "every pipeline is ok" test $? -eq 0

# markdown WANT-RC: the demo's markdown snapshot into RUN_OUT/RUN_RC and its outline into OUT,
# taken again (up to 10 times) until it exits WANT-RC: the demo lives between two snapshots.
markdown() {
	local i
	for ((i = 0; i < 10; i++)); do
		RUN_CMD="contrib/demo.sh --once --format markdown"
		"$DEMO" --once --format markdown >"$md" 2>"$TEST_TMP/run.err"
		RUN_RC=$?
		((RUN_RC == $1)) && break
		sleep 1
	done
	RUN_OUT=$(<"$md")
	RUN_ERR=$(<"$TEST_TMP/run.err")
	OUT=$(/usr/bin/python3 "$MD_CHECK" outline "$md")
}
has() { # LINE DESC: OUT has LINE exactly
	ok "$2" grep -qxF -- "$1" <<<"$OUT" || diag "outline: $OUT"
}
# rows STATE: one table row per stage of the JSON snapshot SNAP, with its kind and status.
rows() {
	local kind st want=0 got=0
	while IFS=$'\t' read -r _ kind st; do
		want=$((want + 1))
		grep -qE "^ROW $kind	$st	" <<<"$OUT" && got=$((got + 1))
	done < <(jq -r '.pipelines[] | .name as $p | .stages[] | [$p, .kind, (.status | ascii_upcase)] | @tsv' <<<"$SNAP")
	is "$got/$want" "$want/$want" "$1: a row per stage, with the status JSON gives"
	is "$(grep -c '^H2 Pipeline ' <<<"$OUT")" "$(jq '.pipelines | length' <<<"$SNAP")" "$1: a section per pipeline"
	ok "$1: every table row has its header's number of cells" /usr/bin/python3 "$MD_CHECK" cells "$md"
	unlike "$OUT" $'(^|\n)HTML' "$1: no raw HTML"
}

markdown 0
is "$RUN_RC" 0 "healthy: exit 0"
has "H1 synctop snapshot of demo (Kafka: librdkafka mock cluster): OK" "healthy: the heading"
rows healthy
unlike "$OUT" $'\nITEM (WARN|CRIT) ' "healthy: no diagnosis"

"$DEMO" fault pause-relay >"$TEST_TMP/fault.out" 2>&1
wait_snap 20 has_rule outbox worker-paused warn
ok "warn: worker-paused shows" test $? -eq 0
markdown 1
is "$RUN_RC" 1 "warn: exit 1"
has "H2 Pipeline products: WARN" "warn: products is WARN"
like "$OUT" $'\nITEM WARN worker-paused on outbox: the outbox relay is paused' "warn: the headline diagnosis"
has "ITEM Action: synctop action resume products" "warn: its action"
SNAP=$(snap)
rows warn
"$DEMO" fault clear >"$TEST_TMP/fault.out" 2>&1
wait_snap 30 all_ok
ok "cleared: every pipeline ok" test $? -eq 0

"$DEMO" fault stop-relay >"$TEST_TMP/fault.out" 2>&1
wait_snap 20 headline products outbox worker-stalled crit
ok "crit: worker-stalled is the headline" test $? -eq 0
markdown 2
is "$RUN_RC" 2 "crit: exit 2"
has "H1 synctop snapshot of demo (Kafka: librdkafka mock cluster): CRIT" "crit: the heading"
like "$OUT" $'\nITEM CRIT worker-stalled on outbox: ' "crit: the headline diagnosis"
like "$OUT" $'\nROW outbox\tCRIT\t' "crit: the outbox row is CRIT"
diag "$RUN_OUT"
SNAP=$(snap)
rows crit
"$DEMO" fault clear >"$TEST_TMP/fault.out" 2>&1
done_testing
