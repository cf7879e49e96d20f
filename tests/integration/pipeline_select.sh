#!/usr/bin/env bash
# pipeline_select.sh: --pipeline NAME (repeatable, globs) restricts every mode to the pipelines
# it matches: --once in each format, the screen; a glob that matches nothing is a usage error
# that lists the config's pipelines.
# needs: redis
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

need_redis

conf=$TEST_TMP/synctop.conf
mkconf_redis "$conf"
for name in web-b api orders-eu orders-us; do
	printf '\n[pipeline %s]\ncache = sessions\n' "$name" >>"$conf"
done

names() {
	jqr '[.pipelines[].name] | join(",")'
}

run_once -c "$conf" --once-window 0 --format json
is "$RUN_RC" 0 "no --pipeline: exits 0"
is "$(names)" "web,web-b,api,orders-eu,orders-us" "no --pipeline: every pipeline, in config order"

run_once -c "$conf" --once-window 0 --format json --pipeline api
is "$RUN_RC" 0 "--pipeline api: exits 0"
is "$(names)" "api" "--pipeline api: that pipeline alone"

run_once -c "$conf" --once-window 0 --format json --pipeline 'orders-*'
is "$(names)" "orders-eu,orders-us" "--pipeline 'orders-*': the glob's pipelines"

run_once -c "$conf" --once-window 0 --format json --pipeline 'orders-us' --pipeline 'web*'
is "$(names)" "web,web-b,orders-us" "two --pipeline: the union, in config order (not the order given)"

run_once -c "$conf" --once-window 0 --format json --pipeline 'we?' --pipeline 'web'
is "$(names)" "web" "two globs matching one pipeline: it is watched once"

run_once -c "$conf" --once-window 0 --pipeline 'orders-[e]*'
is "$RUN_RC" 0 "text format with a bracket glob: exits 0"
like "$RUN_OUT" 'orders-eu' "text format: the selected pipeline is shown"
unlike "$RUN_OUT" 'orders-us|web|api' "text format: no other pipeline is shown"

run_once -c "$conf" --once-window 0 --pipeline 'orders-*' --pipeline 'billing-*'
is "$RUN_RC" 3 "a glob that matches nothing: exits 3"
is "$RUN_ERR" "synctop: --pipeline: 'billing-*' matches no pipeline of $conf (pipelines: web, web-b, api, orders-eu, orders-us)" \
	"a glob that matches nothing: one line naming it, the file and the pipelines"
is "$RUN_OUT" "" "a glob that matches nothing: nothing on stdout"

run_once -c "$conf" --pipeline ''
is "$RUN_RC" 3 "an empty --pipeline: exits 3"
is "$RUN_ERR" "synctop: --pipeline: empty name (give a pipeline's name or a glob such as 'orders-*')" \
	"an empty --pipeline: the one line on stderr"

run_once -c "$conf" --pipeline
is "$RUN_RC" 3 "--pipeline without a value: exits 3"
is "$RUN_ERR" "synctop: option '--pipeline' needs a value (see synctop --help)" \
	"--pipeline without a value: the one line on stderr"

# The screen shows the selected pipelines' panes and nothing of the others.
tui_init
tui_start sel -- -c "$conf" --interval 1s --pipeline 'orders-*'
wait_polled 'orders-us'
ok "the screen: the selected pipelines are shown" _tui_has 'orders-eu'
# shellcheck disable=SC2317 # called through ok
no_other() { ! grep -Eq '(web|api)' <<<"$SCREEN"; }
ok "the screen: no other pipeline is shown" no_other
send q
wait_for 'EXIT=0'
is "$(grep -o 'EXIT=[0-9]*' <<<"$SCREEN")" "EXIT=0" "the screen quits with 0"

done_testing
