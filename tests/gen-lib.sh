# gen-lib.sh: what the generators of the automake lists share (tests/gen-tests.sh writes
# tests/tests.am, src/kinds/gen-kinds.sh src/kinds/kinds.am). Sourced, from the source tree's top.
# shellcheck shell=bash

BACKENDS=(postgres kafka redis search mongoc microhttpd)

die() {
	printf '%s: %s\n' "$GEN" "$*" >&2
	exit 2
}

# needs FILE: the backends FILE says it needs on a line of its own in its first 60 lines
# ("/* needs: postgres */" or "# needs: postgres kafka"), in the order of BACKENDS, joined by
# spaces ("" for none); an unknown word is an error.
needs() {
	local file=$1 words w b have
	words=$(sed -n '1,60{s%^\(/\*\|#\) *needs: *\([a-z ]*\).*%\2%p}' "$file" | tr '\n' ' ')
	for w in $words; do
		have=0
		for b in "${BACKENDS[@]}"; do
			if [[ $w == "$b" ]]; then have=1; fi
		done
		((have)) || die "$file: needs: unknown backend '$w' (one of: ${BACKENDS[*]})"
	done
	local -a got=()
	for b in "${BACKENDS[@]}"; do
		if [[ " $words " == *" $b "* ]]; then got+=("$b"); fi
	done
	printf '%s' "${got[*]}"
}

# emit OUT MODE FUNCTION WHAT: runs FUNCTION and, by MODE, rewrites OUT when it differs (""),
# prints it (--print), or exits 1 with the diff when OUT is stale (--check; WHAT says what
# makes it stale).
emit() {
	local out=$1 mode=$2 fn=$3 what=$4 tmp
	tmp=$(mktemp)
	# shellcheck disable=SC2064 # the name now, not at exit
	trap "rm -f '$tmp'" EXIT
	"$fn" >"$tmp"
	case $mode in
	--print) cat "$tmp" ;;
	--check)
		if ! cmp -s "$tmp" "$out"; then
			echo "$GEN: $out is stale ($what): run make update-lists" >&2
			diff -u "$out" "$tmp" >&2 || true
			exit 1
		fi
		;;
	'') cmp -s "$tmp" "$out" || cat "$tmp" >"$out" ;;
	*) die "unknown mode '$mode' (--check or --print)" ;;
	esac
}
