# shellcheck shell=bash
# serve_lib.sh: synctop --serve in the background, and requests to it (sourced after lib.sh).
#   serve_start NAME ARGS...: runs synctop ARGS... (which include --serve ADDR:0) in the
#     background; waits for its "synctop: serving URL" line on stderr. Sets SERVE_PID, SERVE_URL
#     (http://127.0.0.1:PORT), SERVE_PORT, SERVE_ERR (the stderr file). Killed at exit.
#   scrape PATH [CURL-ARGS...]: one request to $SERVE_URL/PATH; sets SCRAPE_CODE, SCRAPE_S (its
#     time_total in seconds), SCRAPE_TYPE (its content type) and SCRAPE_BODY.
#   scrape_until PATH ERE [CURL-ARGS...]: until PATH answers 200 with a body matching ERE
#     (SERVE_WAIT seconds at most, 15 by default).

serve_start() {
	local name=$1 i line
	shift
	SERVE_ERR=$TEST_TMP/serve-$name.err
	"$SYNCTOP" "$@" 2>"$SERVE_ERR" >"$TEST_TMP/serve-$name.out" &
	SERVE_PID=$!
	at_exit kill_ours "$SERVE_PID"
	for ((i = 0; i < 200; i++)); do
		line=$(grep -m 1 '^synctop: serving ' "$SERVE_ERR")
		if [[ $line =~ ^synctop:\ serving\ (https?)://(.*):([0-9]+)/metrics ]]; then
			SERVE_PORT=${BASH_REMATCH[3]}
			SERVE_URL=${BASH_REMATCH[1]}://${BASH_REMATCH[2]}:$SERVE_PORT
			return 0
		fi
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.05
	done
	diag "synctop --serve ($name) did not start: $(cat "$SERVE_ERR")"
	return 1
}

scrape() {
	local path=$1 out
	shift
	out=$(curl -sS --max-time 5 -o "$TEST_TMP/scrape.body" \
		-w '%{http_code} %{time_total} %{content_type}' "$@" "$SERVE_URL$path" 2>"$TEST_TMP/scrape.err")
	SCRAPE_CODE=${out%% *}
	out=${out#* }
	# shellcheck disable=SC2034 # SCRAPE_S, SCRAPE_TYPE: for the test that called us
	SCRAPE_S=${out%% *}
	SCRAPE_TYPE=${out#* }
	# shellcheck disable=SC2034
	[[ $out == *' '* ]] || SCRAPE_TYPE=
	SCRAPE_BODY=$(cat "$TEST_TMP/scrape.body" 2>/dev/null)
}

# shellcheck disable=SC2317 # called through ok
scrape_until() {
	local i path=$1 ere=$2
	shift 2
	for ((i = 0; i < ${SERVE_WAIT:-15} * 10; i++)); do
		scrape "$path" "$@"
		[[ $SCRAPE_CODE == 200 && $SCRAPE_BODY =~ $ere ]] && return 0
		sleep 0.1
	done
	diag "waited for $path to match $ere; it answered $SCRAPE_CODE:" "$SCRAPE_BODY"
	return 1
}
