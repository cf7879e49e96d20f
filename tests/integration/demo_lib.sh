# shellcheck shell=bash
# demo_lib.sh: the running demo's snapshot, for the tests that drive contrib/demo.sh (demo.sh,
# demo_fix.sh, demo_keys.sh). Source it after lib.sh, with DEMO set to contrib/demo.sh.
#
#   snap                        the demo's snapshot, JSON, two polls SNAP_WINDOW (default 1s) apart
#   wait_snap SECONDS PRED ARGS snapshots into SNAP until PRED ARGS holds (true) or time runs out
#   has_rule STAGE RULE [SEV]   SNAP has that diagnosis on that stage (of that severity)
#   lacks_rule STAGE RULE       the opposite
#   demo_ready                  SNAP: no stage unknown, and documents in the index
#   headline PIPE STAGE RULE SEV
#                               SNAP: the first diagnosis of PIPE is RULE on STAGE, of SEV, a
#                               root (no because); nothing else anywhere is crit, diagnosis or
#                               stage (the headline's own stage aside)
#   calm PIPE STAGE RULE        SNAP: nothing crit anywhere, and PIPE has no diagnosis but RULE
#                               on STAGE (which may come and go), what it explains (because
#                               "STAGE: RULE") and CALM_ALSO ("STAGE RULE": a consequence that
#                               may outlast it in a snapshot)
#   all_ok                      SNAP: every pipeline ok
#   demo_has_mongo              true when the demo has the MongoDB stand-in as its catalogue:
#                               /usr/bin/python3 with python3-bson, synctop built with libmongoc
#   demo_up_bg                  `contrib/demo.sh up` in the background (its output in
#                               TEST_TMP/demo.out and demo.err, its pid in demo_pid), stopped
#                               at exit; returns once its state file is written (15 s at most,
#                               or as soon as it died); sets demo_state to that file

snap() {
	local rc f
	f=$(mktemp "$TEST_TMP/snap.XXXXXX")
	"$DEMO" --once --format json --once-window "${SNAP_WINDOW:-1s}" >"$f" 2>/dev/null
	rc=$?
	((rc <= 3)) && keep_snapshot "$f" # for snapshots_valid (lib.sh)
	cat "$f"
	rm -f "$f"
	return "$rc"
}

wait_snap() {
	local until=$(($(now_ms) + $1 * 1000))
	shift
	while :; do
		SNAP=$(snap) || true
		"$@" && return 0
		(($(now_ms) < until)) || return 1
		sleep 0.5
	done
}

has_rule() {
	jq -e --arg s "$1" --arg r "$2" --arg v "${3:-}" \
		'[.pipelines[].diagnoses[]? | select(.stage == $s and .rule == $r and ($v == "" or .severity == $v))] | length > 0' \
		<<<"$SNAP" >/dev/null 2>&1
}

lacks_rule() {
	! has_rule "$@"
}

demo_ready() {
	jq -e '([.pipelines[].stages[] | select(.status == "unknown")] | length == 0) and
		([.pipelines[].stages[] | select(.kind == "search") | .metrics.docs // 0] | add > 0)' \
		<<<"$SNAP" >/dev/null 2>&1
}

headline() {
	jq -e --arg p "$1" --arg s "$2" --arg r "$3" --arg v "$4" '
		([.pipelines[] | select(.name == $p) | .diagnoses[0] |
			select(.stage == $s and .rule == $r and .severity == $v and .because == null)] | length == 1) and
		([.pipelines[] | .name as $n | .diagnoses[]? | select(.severity == "crit") |
			select(($n == $p and .stage == $s and .rule == $r) | not)] | length == 0) and
		([.pipelines[] | .name as $n | .stages[] | select(.status == "crit") |
			select(($n == $p and .kind == $s) | not)] | length == 0)' <<<"$SNAP" >/dev/null 2>&1
}

calm() {
	jq -e --arg p "$1" --arg s "$2" --arg r "$3" --arg also "${CALM_ALSO:-}" '
		([.pipelines[] | select(.name == $p) | .diagnoses[]? |
			select((.stage == $s and .rule == $r) or .because == "\($s): \($r)" or
				"\(.stage) \(.rule)" == $also | not)] | length == 0) and
		([.pipelines[].diagnoses[]? | select(.severity == "crit")] | length == 0) and
		([.pipelines[].stages[] | select(.status == "crit")] | length == 0)' <<<"$SNAP" >/dev/null 2>&1
}

demo_has_mongo() {
	/usr/bin/python3 -c 'import bson' 2>/dev/null || return 1
	printf '[mongodb probe]\nurl = mongodb://127.0.0.1:1/\n' >"$TEST_TMP/mongo_probe.conf"
	"$SYNCTOP" --once --once-window 0 -c "$TEST_TMP/mongo_probe.conf" >/dev/null 2>&1
}

all_ok() {
	jq -e '[.pipelines[] | select(.status != "ok")] | length == 0' <<<"$SNAP" >/dev/null 2>&1
}

demo_up_bg() {
	local i
	"$DEMO" up >"$TEST_TMP/demo.out" 2>"$TEST_TMP/demo.err" &
	demo_pid=$!
	at_exit _demo_stop
	demo_state=$XDG_RUNTIME_DIR/synctop-demo-$(id -u).state
	for ((i = 0; i < 60; i++)); do
		[[ -s $demo_state ]] && break
		kill -0 "$demo_pid" 2>/dev/null || break
		sleep 0.25
	done
}

# shellcheck disable=SC2317 # run by at_exit
_demo_stop() {
	kill -TERM "$demo_pid" 2>/dev/null
	wait "$demo_pid" 2>/dev/null
	return 0
}
