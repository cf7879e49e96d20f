#!/usr/bin/env bash
# docs.sh: the documentation covers what the program knows: every config key from
# --list-options is in share/synctop.conf.example and share/man/synctop.conf.5, and every long
# option of --help is in share/man/synctop.1. Needs no server.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

example=$top_srcdir/share/synctop.conf.example
man5=$top_srcdir/share/man/synctop.conf.5
man1=$top_srcdir/share/man/synctop.1

# The text of a man page as a reader sees it: no font escapes, \- as -, no \& guards.
man_text() {
	sed -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g' -e 's/\\-/-/g' \
		-e 's/\\&//g' -e 's/\\(em/--/g' -e 's/\\e/\\/g' "$1"
}

# ERE for a literal string.
# shellcheck disable=SC2317 # called through ok
ere_quote() {
	sed -e 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}

# mentions TEXT WORD CHARS: WORD occurs in TEXT not glued to other CHARS (a key inside a
# longer key, --once inside --once-window, do not count).
# shellcheck disable=SC2317 # called through ok
mentions() {
	local re
	re="(^|[^$3])$(ere_quote "$2")([^$3]|$)"
	grep -Eq -- "$re" <<<"$1"
}

for f in "$example" "$man5" "$man1"; do
	[[ -f $f ]] || bail_out "${f#"$top_srcdir"/} is missing"
done
example_text=$(<"$example")
man5_text=$(man_text "$man5")
man1_text=$(man_text "$man1")

run_synctop --list-options
is "$RUN_RC" 0 "--list-options exits 0"
options=$RUN_OUT
ok "--list-options lists options" test -n "$options"
ok "--list-options prints SECTION KEY TYPE DEFAULT HELP, tab-separated" \
	awk -F'\t' 'NF != 5 { bad = 1 } END { exit bad }' <<<"$options"

# One check per key and document: a failure names what is missing where.
keys=$(cut -f1,2 <<<"$options" | sort -u)
while IFS=$'\t' read -r section key; do
	[[ -n $key ]] || continue
	ok "synctop.conf.example shows [$section] $key" mentions "$example_text" "$key" 'A-Za-z0-9_.'
	ok "synctop.conf.5 documents [$section] $key" mentions "$man5_text" "$key" 'A-Za-z0-9_.'
done <<<"$keys"

run_synctop --help
is "$RUN_RC" 0 "--help exits 0"
long_options=$(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$RUN_OUT" | sort -u)
ok "--help lists long options" test -n "$long_options"
while read -r opt; do
	[[ -n $opt ]] || continue
	ok "synctop.1 documents $opt" mentions "$man1_text" "$opt" 'A-Za-z0-9-'
done <<<"$long_options"

# The KEYS section of synctop(1) is generated from the key table (make update-man).
# It documents the full build: one without a backend lists fewer actions under each key.
full_build=1
for b in POSTGRES KAFKA REDIS SEARCH; do
	grep -q "^#define HAVE_$b 1" "$top_builddir/autoconfig.h" || full_build=0
done
if ((full_build)); then
	ok "synctop.1 KEYS section matches the key table (make update-man)" \
		"$top_srcdir/share/man/keys.sh" "$SYNCTOP" "$top_srcdir/share/man/synctop.1" --check
else
	skip "synctop.1 KEYS section matches the key table (make update-man)" \
		"a build without every backend shows fewer actions under the keys; synctop.1 is the full build's"
fi
# So is the list of rules in DIAGNOSES, from the kinds' rule tables (built whatever the backends).
ok "synctop.1 DIAGNOSES rules match the rule tables (make update-man)" \
	"$top_srcdir/share/man/section.sh" "$SYNCTOP" "$top_srcdir/share/man/synctop.1" RULES --list-rules --check
# And the metrics of PROMETHEUS, from report/prometheus.c and the kinds' metrics tables.
ok "synctop.1 PROMETHEUS metrics match --list-metrics (make update-man)" \
	"$top_srcdir/share/man/section.sh" "$SYNCTOP" "$top_srcdir/share/man/synctop.1" METRICS --list-metrics --check
run_synctop --list-rules
is "$RUN_RC" 0 "--list-rules exits 0"
for rule in worker-stalled worker-paused outbox-backlog poison-rows slot-inactive kafka-stall kafka-lagging \
	connector-task-failed search-refresh-disabled dual-write-loss search-stale cache-evicting; do
	is "$(grep -cxF ".B ${rule//-/\\-}" <<<"$RUN_OUT")" 1 "--list-rules has $rule once"
done
run_synctop --list-keys
is "$RUN_RC" 0 "--list-keys exits 0"
is "$(grep -c '^\.TP$' <<<"$RUN_OUT")" "$(grep -c '^\.TP$' < <(sed -n '/BEGIN KEYS/,/END KEYS/p' "$top_srcdir/share/man/synctop.1"))" \
	"every key of the table has an entry in synctop.1"

done_testing
