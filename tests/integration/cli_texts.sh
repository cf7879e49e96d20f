#!/usr/bin/env bash
# cli_texts.sh: the words synctop prints on the command line (issue 17, item 9): --help's prose,
# -V's backend lines with what they support, and --once's connection error (no next attempt).
# needs: postgres search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

run_synctop --help
is "$RUN_RC" 0 "--help exits 0"
like "$RUN_OUT" $'\nElasticsearch/OpenSearch indices, Redis memory and evictions\\.\n' \
	"--help: a space after the comma between indices and Redis"
is "$(grep -cE '[a-z],[A-Z]' <<<"$RUN_OUT")" 0 "--help: no word glued to the next after a comma"

run_synctop -V
is "$RUN_RC" 0 "-V exits 0"
v_out=$RUN_OUT
run_synctop --version
is "$RUN_OUT" "$v_out" "-V prints what --version prints"
like "$v_out" $'\nsearch: libcurl [0-9]+\\.[0-9]+\\.[0-9]+ \\(search\\), (https|no-https)\n' \
	"-V: the search line names libcurl, its kind and whether https:// is supported"
like "$v_out" $'\nconnect: libcurl [0-9]+\\.[0-9]+\\.[0-9]+ \\(connector\\), (https|no-https)\n' \
	"-V: the connect line names libcurl, its kind and whether https:// is supported"
is "$(sed -n 's/^search: libcurl [^,]*, //p' <<<"$v_out")" "$(sed -n 's/^connect: libcurl [^,]*, //p' <<<"$v_out")" \
	"-V: search and connect say the same of https (one libcurl)"

# --once against a port nothing listens on: a window shorter than the reconnect backoff, so
# the second poll makes no attempt of its own; there is no later attempt either.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
conf=$TEST_TMP/dead.conf
MKCONF_CONNINFO="host=127.0.0.1 port=$port dbname=x user=x connect_timeout=2" mkconf "$conf"
run_once -c "$conf" --once-window 0.3s
is "$RUN_RC" 3 "--once, connection refused: exit 3 (unknown)"
like "$RUN_OUT" 'cannot connect to shop \(host=127\.0\.0\.1 port=[0-9]+ dbname=x user=x connect_timeout=2\): .*refused' \
	"--once, connection refused: the figures say why"
unlike "$RUN_OUT" 'next attempt' "--once, connection refused: no next attempt announced"
unlike "$RUN_ERR" 'next attempt' "--once, connection refused: no next attempt announced on stderr"

done_testing
