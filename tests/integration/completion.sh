#!/usr/bin/env bash
# completion.sh: the shell completions of share/completions/ are what synctop --completion
# prints (make update-completions), list every flag, and the bash one completes flags, their
# values (formats, files, pipeline names from the config, stage kinds) and the action verbs.
# Needs no server; the zsh checks are skipped when zsh is not installed.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

bash_script=$top_srcdir/share/completions/synctop.bash
zsh_script=$top_srcdir/share/completions/_synctop
ok "share/completions/synctop.bash exists" test -f "$bash_script" || bail_out "no bash completion"
ok "share/completions/_synctop exists" test -f "$zsh_script" || bail_out "no zsh completion"

# Kept current: a flag added to the option table without make update-completions fails here.
ok "synctop.bash is synctop --completion bash (make update-completions)" \
	cmp "$bash_script" <("$SYNCTOP" --completion bash)
ok "_synctop is synctop --completion zsh (make update-completions)" \
	cmp "$zsh_script" <("$SYNCTOP" --completion zsh)
run_synctop --completion fish
is "$RUN_RC" 3 "--completion fish: exit 3"
is "$RUN_ERR" "synctop: --completion: unknown shell (use bash or zsh)" "--completion fish: says which shells"
run_synctop --completion bash --once
is "$RUN_RC" 3 "--completion goes alone"

# A config whose pipelines the completions offer; its server is never asked.
mkdir "$TEST_TMP/conf" "$TEST_TMP/conf/sub"
cd "$TEST_TMP/conf" || bail_out "cannot enter $TEST_TMP/conf"
cat >a.conf <<'EOF'
[postgres db]
conninfo = host=127.0.0.1 port=1 dbname=none

[pipeline orders]
outbox = db

[pipeline orders-eu]
outbox = db

[pipeline web]
outbox = db
EOF
: >b.conf

run_synctop -c a.conf --list-pipelines
is "$RUN_RC" 0 "--list-pipelines exits 0"
is "$RUN_OUT" $'orders\norders-eu\nweb' "--list-pipelines prints the config's pipelines, one a line"
run_synctop -c a.conf --list-pipelines --pipeline 'orders*'
is "$RUN_OUT" $'orders\norders-eu' "--list-pipelines --pipeline GLOB prints those it selects"
run_synctop -c a.conf --list-pipelines --once
is "$RUN_RC" 3 "--list-pipelines --once: exit 3"
is "$RUN_ERR" "synctop: --once does not go with --list-pipelines (only -c and --pipeline do)" \
	"--list-pipelines --once: says so"

# shellcheck source=share/completions/synctop.bash
. "$bash_script"
is "$(complete -p synctop)" "complete -F _synctop synctop" "synctop.bash registers _synctop for synctop"

# comp WORD...: what _synctop offers for the command line WORD... (the last word is the one
# under the cursor; bash splits --format=x into --format = x), sorted, one line.
comp() {
	local COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMP_LINE="$*" COMP_POINT
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_synctop "$1" "${!#}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd ' '
}

formats='json markdown nagios prometheus text'
verbs='pause refresh replay restart restore-refresh resume stop'
is "$(comp "$SYNCTOP" --for)" "--format" "synctop --for: --format"
is "$(comp "$SYNCTOP" --list-p)" "--list-pipelines" "synctop --list-p: --list-pipelines"
is "$(comp "$SYNCTOP" -)" "$(comp "$SYNCTOP" --) -V -c -h" "synctop -: the short flags too"
is "$(comp "$SYNCTOP" --format '')" "$formats" "synctop --format: the five formats"
is "$(comp "$SYNCTOP" --format = m)" "markdown" "synctop --format=m (split at =): markdown"
is "$(COMP_WORDBREAKS=' ' comp "$SYNCTOP" --format=n)" "--format=nagios" \
	"synctop --format=n (one word): --format=nagios"
is "$(comp "$SYNCTOP" --once --format json --output '')" "a.conf b.conf sub" "synctop --output: files"
is "$(comp "$SYNCTOP" -c '')" "a.conf b.conf sub" "synctop -c: files"
is "$(comp "$SYNCTOP" --config = a)" "a.conf" "synctop --config=a: files"
is "$(comp "$SYNCTOP" -c a.conf --pipeline '')" "orders orders-eu web" \
	"synctop -c FILE --pipeline: the config's pipelines"
is "$(comp "$SYNCTOP" --config = a.conf --once --pipeline or)" "orders orders-eu" \
	"synctop --config=FILE --pipeline or: those that start so"
is "$(comp "$SYNCTOP" -ca.conf --pipeline = w)" "web" "synctop -cFILE --pipeline=w: web"
is "$(SYNCTOP_CONFIG=$PWD/a.conf comp "$SYNCTOP" --pipeline '')" "orders orders-eu web" \
	"synctop --pipeline without -c: the config synctop finds"
is "$(comp "$SYNCTOP" --completion '')" "bash zsh" "synctop --completion: bash zsh"
is "$(comp "$SYNCTOP" --interval '')" "" "synctop --interval: a duration, nothing to offer"
is "$(comp "$SYNCTOP" '')" "action" "synctop: the action subcommand"
is "$(comp "$SYNCTOP" -c a.conf '')" "action" "synctop -c FILE: the action subcommand"
is "$(comp "$SYNCTOP" --once '')" "" "synctop --once: no subcommand after another option"
is "$(comp "$SYNCTOP" action '')" "$verbs" "synctop action: the verbs"
is "$(comp "$SYNCTOP" -c a.conf action re)" "refresh replay restart restore-refresh resume" \
	"synctop action re: the verbs that start so"
is "$(comp "$SYNCTOP" -c a.conf action pause '')" "orders orders-eu web" \
	"synctop -c FILE action pause: the config's pipelines"
is "$(comp "$SYNCTOP" action -c a.conf --stage worker pause o)" "orders orders-eu" \
	"synctop action -c FILE --stage KIND pause o: the pipelines (options skipped)"
is "$(comp "$SYNCTOP" -c a.conf action pause web '')" "" "synctop action pause web: nothing more"
is "$(comp "$SYNCTOP" action --stage '')" "cache connector document graph kafka outbox search slot timeseries worker" \
	"synctop action --stage: the stage kinds"
is "$(comp "$SYNCTOP" action --format '')" "json text" "synctop action --format: text json"
is "$(comp "$SYNCTOP" action --d)" "--dry-run" "synctop action --d: --dry-run"

# The completions agree with what synctop reads: the words its own messages list.
run_synctop --once --format nope
words=$(grep -oE 'use [a-z, ]+' <<<"$RUN_ERR" | sed 's/^use //; s/,\| or / /g' | tr -s ' ' '\n' | sort | paste -sd ' ')
is "$words" "$formats" "the formats are those synctop --format names"
run_synctop action --format nope pause web
words=$(grep -oE 'use [a-z ]+' <<<"$RUN_ERR" | sed 's/^use //; s/ or / /g' | tr ' ' '\n' | sort | paste -sd ' ')
is "$words" "json text" "the action formats are those synctop action --format names"
run_synctop action --help
words=$(sed -n '/ACTION is one of:/{s/.*one of: *//; s/\.$//; s/,//g; p}' <<<"$RUN_OUT" | tr ' ' '\n' | sort | paste -sd ' ')
is "$words" "$verbs" "the verbs are those synctop action --help lists"

# Every long option of --help (and of action --help) is completed, and no other.
# help_opts: the long options of --help's option lines.
help_opts() {
	grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*' <<<"$RUN_OUT" | grep -oE -- '--[a-z0-9-]+' | sort -u
}
run_synctop --help
help_opts=$(help_opts | paste -sd ' ')
is "$(comp "$SYNCTOP" --)" "$help_opts" "synctop --: every long option of --help"
# action --help names its options in its usage lines, -c and -h there by their short names.
run_synctop action --help
help_opts=$({ grep -oE -- '--[a-z][a-z0-9-]*' <<<"$RUN_OUT"; echo --config; echo --help; } | sort -u | paste -sd ' ')
is "$(comp "$SYNCTOP" action --)" "$help_opts" "synctop action --: every long option of action --help"

if command -v shellcheck >/dev/null 2>&1; then
	ok "synctop.bash is shellcheck-clean" shellcheck -s bash "$bash_script"
else
	skip "synctop.bash is shellcheck-clean" "shellcheck is not installed"
fi

# zsh: the script parses, and every flag and verb has its spec.
if command -v zsh >/dev/null 2>&1; then
	ok "_synctop: zsh -n" zsh -n "$zsh_script"
	zsh_text=$(<"$zsh_script")
	is "$(head -n 1 "$zsh_script")" "#compdef synctop" "_synctop starts with #compdef synctop"
	run_synctop --help
	missing=
	for opt in $(help_opts); do
		grep -qE -- "(^|[{,'*])${opt}[=[',}]" <<<"$zsh_text" || missing+=" $opt"
	done
	is "$missing" "" "_synctop has a spec for every long option of --help"
	missing=
	for v in $verbs; do
		grep -qF -- "$v\\:\"" <<<"$zsh_text" || missing+=" $v"
	done
	is "$missing" "" "_synctop offers every action verb"
	like "$zsh_text" "'\\*--pipeline=\\[[^]]*\\]:NAME:_synctop_pipelines'" "_synctop: --pipeline is repeatable and offers pipelines"
	like "$zsh_text" ":FORMAT:\\(text json markdown nagios prometheus\\)'" "_synctop: --format offers the formats"

	# Real completions: an interactive zsh on a pseudo-terminal (zpty) with _synctop in its
	# fpath, each line typed, then TAB; a compadd wrapper prints what each call adds.
	cat >"$TEST_TMP/cap.zsh" <<'ZSH'
# cap.zsh DIR LINE...: the matches zsh's completion offers for each LINE<TAB>, with the _synctop
# of DIR, one a line after the line's number and a tab; exit 1 when one did not end within 10 s.
zmodload zsh/zpty zsh/zselect zsh/datetime || exit 2
local dir=$1 line
shift
zpty z zsh -f -i
zpty -w z "PROMPT= ; bindkey -e; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'bindkey "^I" complete-word'
# The markers are split in the commands so that their echo does not count.
zpty -w z 'compadd() { local -a m; builtin compadd -O m "$@"; (($#m)) && print -rl -- "<"m">"${^m}; builtin compadd "$@"; }'
zpty -w z '_cap_end() { print -r -- "<""end>"; }'
integer i
for ((i = 1; i <= $#; i++)); do
	zpty -w z 'comppostfuncs=(_cap_end)' # emptied after each completion
	zpty -wn z "$argv[i]"$'\t'
	local -F deadline=$((EPOCHREALTIME + 10))
	while true; do
		((EPOCHREALTIME < deadline)) || { zpty -d z; exit 1; }
		if ! zpty -rt z line; then
			zselect -t 2
			continue
		fi
		[[ $line == *'<end>'* ]] && break
		[[ $line == *'<m>'* ]] && print -r -- "$i"$'\t'"${${line##*'<m>'}//[$'\r\n']/}"
	done
	zpty -wn z $'\C-u' # the line killed, not run
done
zpty -d z
ZSH
	mkdir "$TEST_TMP/bin"
	ln -s "$SYNCTOP" "$TEST_TMP/bin/synctop"
	zlines=('synctop --format ' 'synctop -c a.conf --pipeline ' 'synctop a' 'synctop --config=a.conf action '
		'synctop -c a.conf action pause o' 'synctop --output b')
	if zsh -fc 'zmodload zsh/zpty' 2>/dev/null; then
		zout=$(PATH=$TEST_TMP/bin:$PATH timeout 60 zsh -f "$TEST_TMP/cap.zsh" "$(dirname "$zsh_script")" "${zlines[@]}")
		is "$?" 0 "zsh: every completion ended"
		# zcomp N: what zsh offered for zlines[N - 1], sorted, one line.
		zcomp() {
			awk -F'\t' -v n="$1" '$1 == n { print $2 }' <<<"$zout" | sort -u | paste -sd ' '
		}
		is "$(zcomp 1)" "$formats" "zsh: synctop --format: the five formats"
		is "$(zcomp 2)" "orders orders-eu web" "zsh: synctop -c FILE --pipeline: the config's pipelines"
		is "$(zcomp 3)" "action" "zsh: synctop a: the action subcommand"
		is "$(zcomp 4)" "$verbs" "zsh: synctop --config=FILE action: the verbs"
		is "$(zcomp 5)" "orders orders-eu" "zsh: synctop -c FILE action pause o: the pipelines"
		is "$(zcomp 6)" "b.conf" "zsh: synctop --output b: files"
	else
		skip "zsh: completions on a pseudo-terminal" "zsh has no zpty module"
	fi
else
	skip "_synctop: zsh checks" "zsh is not installed"
fi

done_testing
