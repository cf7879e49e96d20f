#!/usr/bin/env bash
# prom_rules.sh: contrib/prometheus/synctop.rules.yml: an alert for every runbook rule that can
# be crit (and the file is what gen-rules.py makes of --list-rules), on metrics synctop exports;
# promtool check rules, and promtool test rules on synthetic series. Needs no server.
# needs: redis
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd promtool python3
dir=$top_srcdir/contrib/prometheus
rules=$dir/synctop.rules.yml

# The file is generated: the same as gen-rules.py makes of --list-rules now.
run_synctop --list-rules
is "$RUN_RC" 0 "--list-rules exits 0"
fresh=$(python3 "$dir/gen-rules.py" <<<"$RUN_OUT")
is "$?" 0 "gen-rules.py reads --list-rules"
if [[ $fresh == "$(<"$rules")" ]]; then stale=0; else stale=1; fi
is "$stale" 0 "synctop.rules.yml is up to date (else: make update-rules)"
((stale)) && diag "$(diff "$rules" - <<<"$fresh")"

# Independently of the generator: the crit rules of --list-rules (severity "crit" or "warn or
# crit"), each with its alert on its crit diagnosis, and no alert on another rule.
rules_text=${RUN_OUT//\\-/-}
crit=$(awk '/^\.B / { id = $2; next } id != "" && /^\(/ { split($0, f, "; "); if (f[2] ~ /crit/) print id; id = "" }' <<<"$rules_text" | sort)
between "$(wc -l <<<"$crit")" 18 100 "--list-rules has its crit rules (18 or more)"
alerted=$(sed -n 's/^ *expr: synctop_diagnosis_active{rule="\([a-z-]*\)",severity="crit"} == 1$/\1/p' "$rules" | sort)
is "$alerted" "$crit" "an alert for each crit rule on synctop_diagnosis_active{rule,severity=\"crit\"}, and for nothing else"
is "$(grep -c '^          severity: critical$' "$rules")" "$(wc -l <<<"$crit")" "each of them severity: critical"
# for: is the rule's damping: 15s when judged over a window (confirm 1), else 30s (confirm 2).
windowed=$(awk '/^\.B / { id = $2 } /^Judged over a window of polls/ { print id }' <<<"$rules_text" | sort)
for id in $crit; do
	want=30s
	grep -qx -- "$id" <<<"$windowed" && want=15s
	got=$(awk -v id="$id" '$0 ~ "rule=\"" id "\"" { getline; print $2 }' "$rules")
	[[ $got == "$want" ]] || fors_bad+=" $id:$got"
done
is "${fors_bad:-}" "" "for: 15s on the windowed crit rules, 30s on the others"

# Every metric the rules read is one synctop exports: a run that reads nothing (a dead server)
# still gives each generic family its HELP and TYPE.
conf=$TEST_TMP/dead.conf
MKCONF_REDIS_URL=redis://127.0.0.1:1/0 MKCONF_TIMEOUT=1s mkconf_redis "$conf"
run_once -c "$conf" --format prometheus --once-window 0
is "$RUN_RC" 3 "a snapshot of a dead server: exit 3"
exported=$(sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' <<<"$RUN_OUT")
used=$(grep -o 'synctop_[a-z_]*' "$rules" | sort -u)
missing=
for m in $used; do grep -qx -- "$m" <<<"$exported" || missing+=" $m"; done
is "$missing" "" "the rules read only exported metrics ($(echo "$used" | tr '\n' ' '))"

# promtool: the rules load, and their unit tests pass.
out=$(promtool check rules "$rules" 2>&1)
is "$?" 0 "promtool check rules passes"
like "$out" "SUCCESS: $(($(wc -l <<<"$crit") + 3)) rules found" "promtool check rules: each crit alert, the stage alert and 2 recording rules"
out=$(cd "$dir" && promtool test rules synctop.rules.test.yml 2>&1)
is "$?" 0 "promtool test rules passes"
like "$out" 'SUCCESS' "promtool test rules: SUCCESS"
((${_tap_failed:-0})) && diag "$out"

done_testing
