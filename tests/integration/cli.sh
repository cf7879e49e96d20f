#!/usr/bin/env bash
# cli.sh: the command line and config errors; needs no server (nothing gets polled).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# Every config error is one line on stderr that starts with FILE:LINE:.
# shellcheck disable=SC2317 # called through ok
starts_with() { [[ $1 == "$2"* ]]; }

run_synctop --help
is "$RUN_RC" 0 "--help exits 0"
like "$RUN_OUT" '--once' "--help mentions --once"

run_synctop --version
is "$RUN_RC" 0 "--version exits 0"
like "$RUN_OUT" '(^|[^0-9.])0\.1\.0([^0-9.]|$)' "--version prints 0.1.0"
is "$(printf '%s\n' "$RUN_OUT" | sed -n '2,$s/:.*//p' | tr '\n' ' ')" "postgres kafka redis " \
	"--version: one line per backend, in order"
like "$RUN_OUT" $'\nredis: (hiredis [0-9]+\\.[0-9]+\\.[0-9]+ \\(cache\\), rediss:// (tls|no-tls)|not built)' \
	"--version: the redis line names hiredis and TLS"

run_synctop --no-such-option
is "$RUN_RC" 3 "an unknown option exits 3"
is "$(count_lines "$RUN_ERR")" 1 "an unknown option: one line on stderr"
like "$RUN_ERR" 'no-such-option' "an unknown option: stderr names it"

good=$TEST_TMP/good.conf
printf '[synctop]\ntimeout = 1s\n' >"$good"

run_once -c "$good" --format yaml
is "$RUN_RC" 3 "--format yaml exits 3"
is "$(count_lines "$RUN_ERR")" 1 "--format yaml: one line on stderr"
like "$RUN_ERR" yaml "--format yaml: stderr names the format"

run_once -c "$good" --once-window abc
is "$RUN_RC" 3 "--once-window abc exits 3"
is "$(count_lines "$RUN_ERR")" 1 "--once-window abc: one line on stderr"

run_once -c "$TEST_TMP/no-such-file.conf"
is "$RUN_RC" 3 "a missing config file exits 3"
like "$RUN_ERR" 'no-such-file\.conf' "a missing config file: stderr names it"

# An unknown key in [synctop] (line 3), and one in a pipeline (line 8): did you mean.
bad=$TEST_TMP/typo.conf
cat >"$bad" <<'CONF'
[synctop]
timeout = 1s
tiemout = 2s
CONF
run_once -c "$bad" --once-window 0
is "$RUN_RC" 3 "unknown key: exit code 3"
is "$(count_lines "$RUN_ERR")" 1 "unknown key: one line on stderr"
ok "unknown key: stderr starts with FILE:3:" starts_with "$RUN_ERR" "$bad:3:"
like "$RUN_ERR" '[Dd]id you mean' "unknown key: did-you-mean"
like "$RUN_ERR" "[^a-z]timeout" "unknown key: suggests timeout"

cat >"$bad" <<'CONF'
[synctop]
timeout = 1s

[postgres shop]
conninfo = host=/nonexistent dbname=synctop

[pipeline products]
outbox = shop
outbox.tabel = public.outbox
CONF
run_once -c "$bad" --once-window 0
is "$RUN_RC" 3 "unknown pipeline key: exit code 3"
ok "unknown pipeline key: stderr starts with FILE:9:" starts_with "$RUN_ERR" "$bad:9:"
like "$RUN_ERR" 'outbox\.table' "unknown pipeline key: suggests outbox.table"

# A pipeline naming a connection that is not defined: the error points at the line.
cat >"$bad" <<'CONF'
[synctop]
timeout = 1s

[postgres shop]
conninfo = host=/nonexistent dbname=synctop

[pipeline products]
outbox = nosuch
CONF
run_once -c "$bad" --once-window 0
is "$RUN_RC" 3 "missing connection: exit code 3"
is "$(count_lines "$RUN_ERR")" 1 "missing connection: one line on stderr"
ok "missing connection: stderr starts with FILE:8:" starts_with "$RUN_ERR" "$bad:8:"
like "$RUN_ERR" nosuch "missing connection: stderr names it"

done_testing
