#!/bin/sh
# section.sh: a generated section of synctop(1), from what the binary prints.
#   section.sh SYNCTOP MANPAGE NAME OPTION          rewrite the section between the NAME markers
#                                                   with `SYNCTOP OPTION` (KEYS --list-keys,
#                                                   RULES --list-rules)
#   section.sh SYNCTOP MANPAGE NAME OPTION --check  exit 1 (saying so) when the page is stale
set -eu
synctop=$1 page=$2 name=$3 option=$4 mode=${5:-}
begin=".\\\" BEGIN $name"
end=".\\\" END $name"
if ! grep -qF "$begin" "$page" || ! grep -qF "$end" "$page"; then
	echo "section.sh: $page has no $name markers" >&2
	exit 2
fi
tmp=$(mktemp)
body=$(mktemp)
trap 'rm -f "$tmp" "$body"' EXIT
"$synctop" "$option" >"$body"
# Through the environment: awk -v would read the backslash of .\" as an escape.
B=$begin E=$end K=$body awk '
	$0 == ENVIRON["B"] { print; while ((getline line < ENVIRON["K"]) > 0) print line; skip = 1; next }
	$0 == ENVIRON["E"] { skip = 0 }
	!skip { print }' "$page" >"$tmp"
if [ "$mode" = --check ]; then
	if ! cmp -s "$tmp" "$page"; then
		echo "section.sh: the $name section of $page is stale: run make update-man" >&2
		diff "$page" "$tmp" >&2 || true
		exit 1
	fi
	exit 0
fi
cat "$tmp" >"$page"
