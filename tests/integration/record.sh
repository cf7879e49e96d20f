#!/usr/bin/env bash
# record.sh: --record FILE and --replay FILE --once --at TIME: a recorded --once run replays to
# the very snapshot it printed, in every format; a recording holds no password (the conninfo's,
# a server error's); the time forms of --at, a time outside the recording, a cut last line and
# a bad line in the middle.
# needs: postgres
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd jq
need_pg
fresh_db synctop_record
load_outbox_schema

conf=$TEST_TMP/synctop.conf
rec=$TEST_TMP/run.jsonl
psql_synctop <<'SQL' || bail_out "loading the outbox rows failed"
INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload, created_at)
SELECT 'product', 'P-' || g, 'product.updated', jsonb_build_object('n', g),
       now() - interval '10 minutes' + (g - 1) * interval '1 second'
FROM generate_series(1, 42) AS g;
SQL
# A second pipeline on a server that is not there, whose conninfo holds another password:
# its error text must reach the recording without it.
MKCONF_EXTRA=$(printf '[postgres gone]\nconninfo = host=127.0.0.1 port=1 dbname=x user=u password=s3cr3tPW connect_timeout=1\n\n[pipeline gone]\noutbox = gone\n')
mkconf "$conf"

# ----------------------------------------------------------------------
# A recorded --once run, then its replay: the same snapshot, byte for byte.
# ----------------------------------------------------------------------
run_once -c "$conf" --format json --record "$rec"
is "$RUN_RC" 2 "--once --record: exit 2 (crit: 42 rows stalled; the gone pipeline unknown)"
printf '%s\n' "$RUN_OUT" >"$TEST_TMP/once.json"
is "$(head -c 1 "$rec" | wc -c)" 1 "the recording was written"
is "$(jq -r 'select(.type=="header") | "\(.schema) \(.mode) \(.undamped) \([.pipelines[].name]|join(","))"' "$rec")" \
	"1 once true products,gone" "header: schema 1, mode once, undamped, the pipelines"
is "$(jq -c 'select(.type=="round") | .stages' "$rec" | head -1)" '[[1,0,1],[2,0,1]]' \
	"first round: each stage's current sample by id, no previous one yet"
is "$(jq -r 'select(.type)|.type' "$rec" | sort | uniq -c | tr -s ' ' | paste -sd,)" \
	" 2 event, 1 header, 2 round, 4 sample" "one header, two status changes, two rounds (the --once window), four samples"
is "$(stat -c %a "$rec")" 600 "the recording is mode 0600"
count=$(grep -c 'hunter2\|s3cr3tPW' "$rec")
is "$count" 0 "no password in the recording (conninfo, header config, server error)"
like "$(jq -r 'select(.type=="sample" and .pipeline=="gone") | .err' "$rec" | head -1)" \
	"127.0.0.1" "the gone stage's error is in the recording"
like "$(jq -r 'select(.type=="header") | .config' "$rec")" 'password=\*\*\*' \
	"the recorded config keeps the conninfo, its password redacted"

run_synctop --replay "$rec" --once --format json
is "$RUN_RC" 2 "--replay --once: the exit code of the recorded snapshot"
printf '%s\n' "$RUN_OUT" >"$TEST_TMP/replay.json"
ok "the replayed JSON snapshot is the one --once printed" diff -u "$TEST_TMP/once.json" "$TEST_TMP/replay.json"
is "$(jq -r '.pipelines[0].stages[0].metrics.pending' "$TEST_TMP/replay.json")" 42 "replay: 42 pending"

# text: the same lines
run_once -c "$conf" --format text --once-window 0 --record "$TEST_TMP/t.jsonl"
once_text=$RUN_OUT
run_synctop --replay "$TEST_TMP/t.jsonl" --once --format text
is "$RUN_OUT" "$once_text" "the replayed text snapshot is the one --once printed"

# ----------------------------------------------------------------------
# --at: RFC 3339, HH:MM:SS, +DURATION; the first round, the last; outside is an error.
# ----------------------------------------------------------------------
first=$(jq -r 'select(.type=="round") | .wall' "$rec" | head -1)
last=$(jq -r 'select(.type=="round") | .wall' "$rec" | tail -1)
taken_first=$(TZ=UTC date -u -d "@${first%.*}" +%Y-%m-%dT%H:%M:%SZ)
run_synctop --replay "$rec" --once --format json --at +0s
is "$(jq -r '.pipelines[0].stages[0].metrics.drain_per_s' <<<"$RUN_OUT")" null \
	"--at +0s: the first round (one poll: no rate yet)"
run_synctop --replay "$rec" --once --format json --at "$(TZ=UTC date -u -d "@$((${last%.*} + 1))" +%Y-%m-%dT%H:%M:%SZ)"
is "$(jq -r '.taken_at' <<<"$RUN_OUT")" "$(jq -r '.taken_at' "$TEST_TMP/once.json")" \
	"--at RFC 3339 after the last round: the last round"
run_synctop --replay "$rec" --once --format json --at "$(TZ=UTC date -d "@$((${last%.*} + 1))" +%H:%M:%S)"
is "$(jq -r '.taken_at' <<<"$RUN_OUT")" "$(jq -r '.taken_at' "$TEST_TMP/once.json")" \
	"--at HH:MM:SS (TZ=UTC): the last round"
run_synctop --replay "$rec" --once --at 2001-01-01T00:00:00Z
is "$RUN_RC" 3 "--at before the recording: exit 3"
like "$RUN_ERR" "outside the recording .*run.jsonl, which spans $taken_first to " \
	"--at outside: the error names the recording's span"
run_synctop --replay "$rec" --once --at yesterday
is "$RUN_RC" 3 "--at yesterday: exit 3"
like "$RUN_ERR" "--at yesterday: not a time" "--at: a bad time is named"
run_synctop --at +1s --once -c "$conf"
is "$RUN_RC" 3 "--at without --replay: exit 3"
run_synctop --replay "$rec" --record "$TEST_TMP/x" --once
is "$RUN_RC" 3 "--replay with --record: exit 3"

# ----------------------------------------------------------------------
# A crash mid-line: the last line is left out with a warning; a bad line in the middle is an error.
# ----------------------------------------------------------------------
cut=$TEST_TMP/cut.jsonl
cat "$rec" >"$cut"
printf '{"type":"sample","wall":1' >>"$cut"
n=$(($(wc -l <"$rec") + 1))
run_synctop --replay "$cut" --once --format json
is "$RUN_RC" 2 "a cut last line: the rounds before it replay"
is "$RUN_ERR" "synctop: $cut:$n: last line cut short, left out" "a cut last line: the warning names FILE:LINE"
bad=$TEST_TMP/bad.jsonl
{
	head -2 "$rec"
	printf 'not json\n'
	tail -n +3 "$rec"
} >"$bad"
run_synctop --replay "$bad" --once
is "$RUN_RC" 3 "a bad line in the middle: exit 3"
like "$RUN_ERR" "^synctop: $bad:3: " "a bad line in the middle: the error names FILE:LINE"
run_synctop --replay "$TEST_TMP/none.jsonl" --once
like "$RUN_ERR" "none.jsonl: cannot open" "a missing recording: said"

# ----------------------------------------------------------------------
# FILE.zst: a zstd frame per round; zstd -d reads it; a cut last frame is left out.
# ----------------------------------------------------------------------
zrec=$TEST_TMP/r.jsonl.zst
if [[ $("$SYNCTOP" --version) == *$'\nzstd: libzstd'* ]]; then
	require_cmd zstd
	run_once -c "$conf" --format json --record "$zrec"
	printf '%s\n' "$RUN_OUT" >"$TEST_TMP/zonce.json"
	is "$(zstd -t "$zrec" 2>&1 >/dev/null | grep -c Error)" 0 "zstd -t: a good zstd file"
	is "$(zstd -dc "$zrec" | jq -r 'select(.type=="header" or .type=="round") | .type' | paste -sd,)" \
		"header,round,round" "zstd -d reads the frames as one stream: the header, two rounds"
	frames=$(zstd -lv "$zrec" 2>/dev/null | awk '/^# Zstandard Frames:/ { print $4 }')
	between "$frames" 3 4 "one frame for the header, one a round (and the events with them)"
	run_synctop --replay "$zrec" --once --format json
	ok "--replay FILE.zst: the snapshot --once printed" diff -u "$TEST_TMP/zonce.json" "$TEST_TMP/run.out"
	# a crash in the middle of the last frame: the rounds before it stand
	size=$(stat -c %s "$zrec")
	head -c $((size - 20)) "$zrec" >"$TEST_TMP/cut.jsonl.zst"
	run_synctop --replay "$TEST_TMP/cut.jsonl.zst" --once --format json
	like "$RUN_ERR" "cut.jsonl.zst: its last zstd frame is cut short, left out" "a cut .zst: warned"
	is "$(jq -r '.pipelines[0].stages[0].metrics.drain_per_s' <"$TEST_TMP/run.out")" null \
		"a cut .zst: the first round replays (one poll, no rate)"
	printf 'not zstd' >"$TEST_TMP/bad.jsonl.zst"
	run_synctop --replay "$TEST_TMP/bad.jsonl.zst" --once
	is "$RUN_RC" 3 "not zstd data in FILE.zst: exit 3"
	like "$RUN_ERR" "bad.jsonl.zst: not zstd data" "not zstd data: said"
else
	run_once -c "$conf" --record "$zrec"
	is "$RUN_RC" 3 "a .zst name without zstd built in: exit 3"
	like "$RUN_ERR" "built without zstd" "a .zst name without zstd built in: said"
fi

# ----------------------------------------------------------------------
# --serve --record: what /snapshot.json published is one of the recorded rounds, exactly.
# ----------------------------------------------------------------------
if [[ $("$SYNCTOP" --version) == *$'\nexporter: libmicrohttpd'* ]]; then
	require_cmd curl
	# shellcheck source=tests/integration/serve_lib.sh
	. "$(dirname "$0")/serve_lib.sh"
	srec=$TEST_TMP/serve.jsonl
	serve_start rec -c "$conf" --serve 127.0.0.1:0 --interval 200ms --record "$srec"
	scrape_until /snapshot.json '"pending": 42'
	sleep 0.5
	scrape /snapshot.json
	printf '%s\n' "$SCRAPE_BODY" >"$TEST_TMP/scraped.json"
	stop_bg "$SERVE_PID"
	is "$(head -1 "$srec" | jq -r '"\(.mode) \(.undamped) \(.window_s)"')" "serve false 0.2" \
		"--serve --record: header mode serve, damped, the interval as its window"
	found=0
	while read -r w; do
		"$SYNCTOP" --replay "$srec" --once --format json \
			--at "$(TZ=UTC date -u -d "@$w" +%Y-%m-%dT%H:%M:%S.%NZ)" >"$TEST_TMP/at.json" 2>/dev/null
		cmp -s "$TEST_TMP/at.json" "$TEST_TMP/scraped.json" && found=1 && break
	done < <(jq -r 'select(.type == "round") | .wall' "$srec" | tail -n 20 | tac)
	is "$found" 1 "--serve --record: the scraped /snapshot.json is a recorded round, byte for byte"
fi

# ----------------------------------------------------------------------
# record.max_size: the file rotates to FILE.1 between rounds, each file whole.
# ----------------------------------------------------------------------
MKCONF_EXTRA='' mkconf "$conf"
sed -i 's/^timeout = .*/&\nrecord.max_size = 4096/' "$conf"
for _ in 1 2 3 4 5 6; do
	run_once -c "$conf" --once-window 0 --record "$TEST_TMP/rot.jsonl"
done
ok "record.max_size: FILE.1 exists" test -s "$TEST_TMP/rot.jsonl.1"
size=$(stat -c %s "$TEST_TMP/rot.jsonl")
between "$size" 1 6000 "record.max_size: FILE stays near the bound"
is "$(head -1 "$TEST_TMP/rot.jsonl.1" | jq -r .type)" header "the rotated file starts with its header"
run_synctop --replay "$TEST_TMP/rot.jsonl.1" --once --format json
is "$(jq -r '.pipelines[0].stages[0].metrics.pending' <<<"$RUN_OUT")" 42 "the rotated file replays"

done_testing
