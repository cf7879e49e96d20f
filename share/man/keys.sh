#!/bin/sh
# keys.sh: the KEYS section of synctop(1) comes from the key table (synctop --list-keys).
#   keys.sh SYNCTOP MANPAGE          rewrite the section between the markers
#   keys.sh SYNCTOP MANPAGE --check  exit 1 (saying so) when the page is stale
set -eu
synctop=$1 page=$2 mode=${3:-}
begin='.\" BEGIN KEYS'
end='.\" END KEYS'
if ! grep -qF "$begin" "$page" || ! grep -qF "$end" "$page"; then
	echo "keys.sh: $page has no KEYS markers" >&2
	exit 2
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
keys=$(mktemp)
trap 'rm -f "$tmp" "$keys"' EXIT
"$synctop" --list-keys >"$keys"
# Through the environment: awk -v would read the backslash of .\" as an escape.
B=$begin E=$end K=$keys awk '
	$0 == ENVIRON["B"] { print; while ((getline line < ENVIRON["K"]) > 0) print line; skip = 1; next }
	$0 == ENVIRON["E"] { skip = 0 }
	!skip { print }' "$page" >"$tmp"
if [ "$mode" = --check ]; then
	if ! cmp -s "$tmp" "$page"; then
		echo "keys.sh: the KEYS section of $page is stale: run make update-man" >&2
		diff "$page" "$tmp" >&2 || true
		exit 1
	fi
	exit 0
fi
cat "$tmp" >"$page"
