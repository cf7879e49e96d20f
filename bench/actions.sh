#!/usr/bin/env bash
# actions.sh: what an action costs from the command line, step by step, against doing it by
# hand. On a private stack (tests/stack/stack.sh), RUNS times each (default 7): `synctop action
# refresh` (search stand-in), `pause` + `resume` of the outbox's worker (the control table) and
# `replay --scope failed` of 20 rows, each with --yes --format json, which reports the time
# from the command to the preview (preview_ms: connect, first poll, preview read), from the
# preview to the backend's answer (apply_ms) and from the answer to the read-back that
# confirmed it (confirm_ms); and the wall time of the whole command. The baseline, run in the
# same go: the same write by hand, with curl or psql, followed by one read that shows it took
# (what an operator would type, without preview, pin or audit). Medians and ratios. Not part
# of make check.
#   bench/actions.sh [--quick]     (--quick: 1 run)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
synctop=${SYNCTOP:-$top/synctop}
runs=${RUNS:-7}
[[ ${1:-} == --quick ]] && runs=${RUNS:-1}
[[ -x $synctop ]] || { echo "actions.sh: build synctop first ($synctop)" >&2; exit 1; }
command -v jq >/dev/null || { echo "actions.sh: jq is required" >&2; exit 1; }

dir=$(mktemp -d /tmp/synctop-bench-actions.XXXXXX)
chmod 755 "$dir"
trap '"$top/tests/stack/stack.sh" down "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT INT TERM HUP
"$top/tests/stack/stack.sh" up "$dir" >/dev/null
# shellcheck disable=SC1091
. "$dir/env"

psql -X -q -v ON_ERROR_STOP=1 -d synctop -f "$top/share/sql/outbox.sql"
psql -X -q -v ON_ERROR_STOP=1 -d synctop -c "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, processed, processed_at)
	SELECT 'product', g::text, 'product.updated', true, now() FROM generate_series(1, 1000) g"
poison() {
	psql -X -q -d synctop -c "UPDATE outbox SET processed = false, processed_at = NULL, attempts = 5,
		last_error = 'bench' WHERE id <= 20" >/dev/null
}
curl -sS --max-time 5 -XPUT "$SYNCTOP_SEARCH_URL/products" -H 'Content-Type: application/json' -d '{}' >/dev/null

conf=$dir/bench.conf
cat >"$conf" <<CONF
[synctop]
audit_log = $dir/audit.log
confirm_timeout = 30s
[postgres shop]
conninfo = host=$PGHOST port=$PGPORT dbname=synctop user=postgres
[search es]
url = $SYNCTOP_SEARCH_URL
[pipeline bench]
outbox = shop
search = es
search.index = products
CONF

ms() { echo $((${EPOCHREALTIME//[!0-9]/} / 1000)); }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -A col
add() { col[$1]+="$2 "; }
# act NAME ARGS...: one synctop action, its steps and wall time into NAME.*
act() {
	local name=$1 t0 out
	shift
	t0=$(ms)
	out=$("$synctop" -c "$conf" action "$@" --yes --format json 2>/dev/null) || true
	add "$name.wall" $(($(ms) - t0))
	add "$name.preview" "$(jq -r '.preview_ms // -1' <<<"$out")"
	add "$name.apply" "$(jq -r '.apply_ms // -1' <<<"$out")"
	add "$name.confirm" "$(jq -r '.confirm_ms // -1' <<<"$out")"
	[[ $(jq -r .result <<<"$out") == confirmed ]] || echo "actions.sh: $name: $(jq -r .line <<<"$out")" >&2
}
# hand NAME CMD...: the manual way's wall time into NAME.hand
hand() {
	local name=$1 t0
	shift
	t0=$(ms)
	"$@" >/dev/null 2>&1 || true
	add "$name.hand" $(($(ms) - t0))
}
hand_refresh() {
	curl -sS --max-time 5 -XPOST "$SYNCTOP_SEARCH_URL/products/_refresh" &&
		curl -sS --max-time 5 "$SYNCTOP_SEARCH_URL/products/_stats/refresh"
}
hand_pause() {
	psql -X -q -d synctop -c "UPDATE outbox_worker SET paused = true, paused_at = now() WHERE name = 'relay'" &&
		psql -X -At -d synctop -c "SELECT paused FROM outbox_worker WHERE name = 'relay'"
}
hand_resume() {
	psql -X -q -d synctop -c "UPDATE outbox_worker SET paused = false, paused_at = NULL WHERE name = 'relay'" &&
		psql -X -At -d synctop -c "SELECT paused FROM outbox_worker WHERE name = 'relay'"
}
hand_replay() {
	psql -X -q -d synctop -c "UPDATE outbox SET processed = false, processed_at = NULL, attempts = 0,
		last_error = NULL WHERE NOT processed AND attempts >= 5" &&
		psql -X -At -d synctop -c "SELECT count(*) FROM outbox WHERE NOT processed AND attempts = 0"
}

for ((r = 1; r <= runs; r++)); do
	act refresh refresh bench
	sleep 5.1 # at most one refresh per index per 5 s
	hand refresh hand_refresh
	act pause pause bench --stage outbox
	act resume resume bench --stage outbox
	hand pause hand_pause
	hand resume hand_resume
	poison
	act replay replay bench --scope failed
	poison
	hand replay hand_replay
done

echo "synctop action, median of $runs runs (ms): to the preview, preview to applied, applied to confirmed, whole command; by hand (write + one read)"
printf '%-10s %8s %8s %10s %8s %8s %7s\n' action preview apply confirm whole hand ratio
for a in refresh pause resume replay; do
	p=$(tr ' ' '\n' <<<"${col[$a.preview]}" | grep . | median)
	ap=$(tr ' ' '\n' <<<"${col[$a.apply]}" | grep . | median)
	c=$(tr ' ' '\n' <<<"${col[$a.confirm]}" | grep . | median)
	w=$(tr ' ' '\n' <<<"${col[$a.wall]}" | grep . | median)
	h=$(tr ' ' '\n' <<<"${col[$a.hand]}" | grep . | median)
	r=$(awk -v a="$w" -v b="$h" 'BEGIN{printf "%.1f", a/b}')
	printf '%-10s %8s %8s %10s %8s %8s %6sx\n' "$a" "$p" "$ap" "$c" "$w" "$h" "$r"
	bench_target - "synctop action $a (preview, apply, confirm) vs by hand (write + one read)" \
		"$w ms vs $h ms (${r}x)" "-" "n/a"
done
echo "audit lines written: $(wc -l <"$dir/audit.log")"
