#!/usr/bin/env bash
# timeseries.sh: the timeseries stage against a real InfluxDB 1.6 (Debian's influxd): the newest
# point and the write rates, exact, from points written at known ages; writes-stopped (warn, crit,
# no point at all) and writes-dropped with their evidence; a near miss of each; a measurement
# whose name needs quoting; a missing database and retention policy named as the server says;
# a password in the url that never shows; the prometheus labels.
#
# Points are written at ages that keep 5 s clear of every window's edge, so that the counts are
# exact however long synctop takes to start.
# needs: search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_influx

conf=$TEST_TMP/synctop.conf
S=$(stage timeseries metrics)
D=$(diagnoses metrics)
db=synctop_ts_$$

at_exit _influx_drop
# shellcheck disable=SC2317 # run by at_exit
_influx_drop() {
	iql "$db" "DROP DATABASE \"$db\"" >/dev/null 2>&1
	return 0
}

# points MEASUREMENT FIRST LAST STEP: one point at each age FIRST..LAST seconds (by STEP) before
# now, field v, tag host=a.
points() {
	local now i
	now=$(now_ms)
	for ((i = $2; i <= $3; i += $4)); do
		printf '%s,host=a v=%di %d\n' "$1" "$i" $((now - i * 1000))
	done | iwrite "$db"
}

# mkconf_ts FILE MEASUREMENT [LINE...]: the http connection `influx` and the pipeline `metrics`.
mkconf_ts() {
	local file=$1 m=$2
	shift 2
	{
		printf '[http influx]\nurl = %s\n\n' "${MKCONF_INFLUX_URL:-$SYNCTOP_INFLUX_URL}"
		printf '[pipeline metrics]\ntimeseries = influx\ntimeseries.database = %s\n' "$db"
		printf 'timeseries.measurement = %s\n' "$m"
		for l; do printf '%s\n' "$l"; done
	} >"$file"
}

iql "" "CREATE DATABASE \"$db\"" >/dev/null || bail_out "CREATE DATABASE failed"

# ----------------------------------------------------------------------
# Steady writes: 25 points in the last minute (ages 2..50 s by 2), 411 before it (70..890 by 2).
# ----------------------------------------------------------------------
{ points orders 2 50 2 && points orders 70 890 2; } || bail_out "writing orders failed"
mkconf_ts "$conf" orders
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "steady writes: exit 0"
json_is "$S.connection" influx "stage connection influx"
json_is "$S.target" "$db.orders" "target DATABASE.MEASUREMENT"
json_is "$S.status" ok "status ok"
json_is "$S.error" null "no stage error"
json_is "$S.metrics.points_in_window" 25 "points_in_window 25: the points of the last minute"
json_ok "($S.metrics.points_per_s - 25 / 60) | fabs < 1e-9" "points_per_s 25/60"
json_ok "($S.metrics.baseline_points_per_s - 436 / 900) | fabs < 1e-9" \
	"baseline_points_per_s 436/900: every point of the last 15 minutes"
json_ok "$S.metrics.newest_point_age_s >= 2 and $S.metrics.newest_point_age_s < 7" \
	"newest_point_age_s: the point written 2 s before (and synctop's start)"
json_ok "$S.metrics.newest_point | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$\")" "newest_point in RFC 3339"
json_is "$D | length" 0 "no diagnosis"

run_once -c "$conf" --format text --once-window 0
like "$RUN_OUT" "newest [0-9.]+s ago, 0.417/s \\(baseline 0.484/s\\)" "text: newest, rate and baseline"

run_once -c "$conf" --format prometheus --once-window 0
like "$RUN_OUT" "synctop_timeseries_points_per_second\\{[^}]*database=\"$db\",measurement=\"orders\"[^}]*\\} 0.41666" \
	"prometheus: points_per_s labelled with database and measurement"

# ----------------------------------------------------------------------
# writes-dropped: 3 points in the last minute (ages 10, 20, 30), 821 before (70..890).
# ----------------------------------------------------------------------
{ points drop 10 30 10 && points drop 70 890 1; } || bail_out "writing drop failed"
mkconf_ts "$conf" drop
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "writes dropped: exit 1 (warn)"
json_is "$S.status" warn "status warn"
json_is "$S.reason" "writes at 5.5% of the baseline" "reason: the share of the baseline"
json_is "$D | map(.rule) | join(\",\")" writes-dropped "one diagnosis: writes-dropped"
json_is "${D}[0].severity" warn "writes-dropped is warn"
json_is "${D}[0].evidence" "0.05/s over the last 1m00s against 0.916/s over the last 15m00s (5.5%)" \
	"evidence: both rates, both windows, the share"
# Near miss: the same points with drop_warn 0.05 (the rate is 5.5% of the baseline).
mkconf_ts "$conf" drop "timeseries.drop_warn = 0.05"
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "drop_warn 0.05: 5.5% of the baseline is no drop"

# ----------------------------------------------------------------------
# writes-stopped: newest point 200 s old (warn), 700 s old (crit), no point at all (crit).
# ----------------------------------------------------------------------
{ points quiet 200 800 10 && points gone 700 890 10; } || bail_out "writing quiet and gone failed"
mkconf_ts "$conf" quiet
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "newest point 200 s old: exit 1"
json_ok "$S.reason | test(\"^newest point 3m2[0-9]s old$\")" "reason: newest point 3m2Xs old"
json_is "$D | map(.rule) | join(\",\")" writes-stopped "writes-stopped alone (no writes-dropped besides)"
json_is "${D}[0].severity" warn "warn under timeseries.stale_crit"
json_ok "${D}[0].evidence | test(\"^the newest point of $db.quiet is at [0-9T:Z-]+, 3m2[0-9]s ago$\")" \
	"evidence names the measurement and the newest point's time"
mkconf_ts "$conf" quiet "timeseries.stale_warn = 5m"
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "near miss: stale_warn 5m, newest point 200 s old"

mkconf_ts "$conf" gone
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "newest point 700 s old: exit 2"
json_is "${D}[0].severity" crit "crit from timeseries.stale_crit (10m)"

mkconf_ts "$conf" never
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "a measurement with no point: exit 2"
json_is "$S.reason" "no point in $db.never" "reason: no point"
json_is "${D}[0].evidence" "the measurement $db.never holds no point" "evidence: holds no point"
json_is "$S.metrics.points_in_window" 0 "points_in_window 0"

# ----------------------------------------------------------------------
# A name that needs quoting in InfluxQL, written with line protocol's escapes.
# ----------------------------------------------------------------------
printf 'we"ird\\ m,host=a v=1i %d\n' "$(($(now_ms) - 3000))" | iwrite "$db" || bail_out "writing we\"ird m failed"
mkconf_ts "$conf" 'we"ird m'
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "measurement 'we\"ird m': ok"
json_is "$S.metrics.points_in_window" 1 "its one point is read"

# ----------------------------------------------------------------------
# What the server says, named: a missing database, a missing retention policy.
# ----------------------------------------------------------------------
sed -i "s/^timeseries.database = .*/timeseries.database = nodb_$$/" "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "missing database: exit 3"
json_is "$S.error" "statement 1: database not found: nodb_$$" "the error is the server's reason"
mkconf_ts "$conf" orders "timeseries.retention_policy = nope"
run_once -c "$conf" --format json --once-window 0
json_is "$S.error" "statement 1: retention policy not found: nope" "a missing retention policy, named"
json_is "$S.target" "$db.nope.orders" "target DATABASE.RP.MEASUREMENT"

# ----------------------------------------------------------------------
# A password in the url never shows (the server has no auth: it is ignored there).
# ----------------------------------------------------------------------
secret=Tz9-secret-$$
MKCONF_INFLUX_URL="http://reader:$secret@127.0.0.1:$SYNCTOP_INFLUX_PORT" mkconf_ts "$conf" orders
run_once -c "$conf" --format json --once-window 0
json_is "$S.status" ok "with user and password in the url: ok"
MKCONF_INFLUX_URL="http://reader:$secret@127.0.0.1:1" mkconf_ts "$conf" orders
run_once -c "$conf" --format text --once-window 0
is "$RUN_RC" 3 "nothing listens: exit 3"
unlike "$RUN_OUT$RUN_ERR" "$secret" "the password shows nowhere"

# ----------------------------------------------------------------------
# Config errors name file:line.
# ----------------------------------------------------------------------
printf '[http influx]\nurl = %s\n[pipeline metrics]\ntimeseries = influx\ntimeseries.measurement = m\n' \
	"$SYNCTOP_INFLUX_URL" >"$conf"
run_once -c "$conf"
is "$RUN_RC" 3 "no database: exit 3"
like "$RUN_ERR" "timeseries.database and timeseries.measurement" "says what is missing"
mkconf_ts "$conf" orders "timeseries.window = 20m"
run_once -c "$conf"
like "$RUN_ERR" "timeseries.baseline must be longer than timeseries.window" "window longer than baseline: refused"

snapshots_valid
done_testing
