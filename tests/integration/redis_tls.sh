#!/usr/bin/env bash
# redis_tls.sh: rediss:// against a real redis-server with TLS on (Debian's is built with it),
# certificates made here by openssl: a trusted chain, an untrusted one, a host name the
# certificate does not name, a CA file that is not there, TLS spoken to a plain port and a
# server that stops in the handshake.
#
# Built with hiredis 0.14 (Debian bookworm), synctop refuses rediss:// with a note naming a
# TLS tunnel: that is tested, and the handshake cases are skipped. configure picks TLS up from
# hiredis_ssl >= 1.0 (PKG_CONFIG_PATH=... ./configure); `synctop --version` says which.
# needs: redis
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_redis
require_cmd openssl

conf=$TEST_TMP/synctop.conf
S=$(stage cache web)

run_synctop --version
if [[ $RUN_OUT != *"rediss:// tls"* ]]; then
	like "$RUN_OUT" 'rediss:// no-tls' "--version says this build has no TLS for Redis"
	MKCONF_REDIS_URL="rediss://127.0.0.1:$SYNCTOP_REDIS_PORT/0" mkconf_redis "$conf"
	run_once -c "$conf" --format json --once-window 0
	is "$RUN_RC" 3 "rediss:// without TLS built in: exit 3"
	json_is "$S.status" unknown "rediss:// without TLS built in: unknown"
	like "$(jqr "$S.error")" 'stunnel' "rediss:// without TLS built in: the reason names a TLS tunnel"
	like "$(jqr "$S.error")" 'hiredis 0\.14' "rediss:// without TLS built in: the reason names the hiredis built with"
	like "$RUN_ERR" 'stunnel' "rediss:// without TLS built in: stderr says it too"
	skip "TLS handshakes" "this synctop was built without hiredis_ssl (hiredis 0.14 has no TLS)"
	done_testing
fi

# ----------------------------------------------------------------------
# Certificates: a CA, and a server certificate for DNS:localhost only (no IP address in it).
# ----------------------------------------------------------------------
pki=$TEST_TMP/pki
mkdir -p "$pki"
(
	cd "$pki" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
		-subj '/CN=synctop test CA' &&
		openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
			-subj '/CN=localhost' &&
		printf 'subjectAltName = DNS:localhost\n' >san.ext &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out server.pem -days 2 -extfile san.ext
) >"$TEST_TMP/openssl.log" 2>&1 || {
	cat "$TEST_TMP/openssl.log" >&2
	bail_out "openssl could not make the test certificates"
}

tls_port=$(redis__pick_port) || bail_out "no free port for TLS"
SYNCTOP_REDIS_EXTRA_ARGS="--tls-port $tls_port --tls-cert-file $pki/server.pem \
--tls-key-file $pki/server.key --tls-ca-cert-file $pki/ca.pem --tls-auth-clients no" redis_up_extra
EP=$EXTRA_REDIS_PORT
diag "a TLS redis-server: plain port $EP, TLS port $tls_port"

# ----------------------------------------------------------------------
# A trusted chain and the name the certificate holds: figures, exactly.
# ----------------------------------------------------------------------
MKCONF_REDIS_URL="rediss://localhost:$tls_port/0" MKCONF_REDIS_EXTRA="ca_file = $pki/ca.pem" \
	mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "rediss:// with the CA: exit 0"
json_is "$S.status" ok "rediss:// with the CA: ok"
json_is "$S.metrics.maxmemory" 20971520 "rediss:// with the CA: maxmemory 20 MiB, read over TLS"
json_is "$S.metrics.maxmemory_policy" allkeys-lru "rediss:// with the CA: the policy"

# ----------------------------------------------------------------------
# What must be refused.
# ----------------------------------------------------------------------
MKCONF_REDIS_URL="rediss://localhost:$tls_port/0" mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "a chain the system does not trust: exit 3"
like "$(jqr "$S.error")" "certificate was refused: (self.signed|unable to get local issuer)" \
	"a chain the system does not trust: the certificate is named"

MKCONF_REDIS_URL="rediss://127.0.0.1:$tls_port/0" MKCONF_REDIS_EXTRA="ca_file = $pki/ca.pem" \
	mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "a certificate that does not name 127.0.0.1: exit 3"
like "$(jqr "$S.error")" "IP address mismatch" "a certificate that does not name 127.0.0.1: mismatch named"

MKCONF_REDIS_URL="rediss://localhost:$tls_port/0" MKCONF_REDIS_EXTRA="ca_file = $pki/absent.pem" \
	mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "a CA file that is not there: exit 3, at load"
like "$RUN_ERR" "synctop\.conf:[0-9]+: ca_file: cannot read $pki/absent\.pem: No such file" \
	"a CA file that is not there: named with the config line"

# A CA file that is there but holds no certificate: refused at the handshake, named.
printf 'not a certificate\n' >"$pki/junk.pem"
MKCONF_REDIS_URL="rediss://localhost:$tls_port/0" MKCONF_REDIS_EXTRA="ca_file = $pki/junk.pem" \
	mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "a CA file without a certificate: exit 3"
like "$(jqr "$S.error")" "cannot load the CA bundle $pki/junk\.pem" "a CA file without a certificate: named"

MKCONF_REDIS_URL="rediss://localhost:$EP/0" MKCONF_REDIS_EXTRA="ca_file = $pki/ca.pem" mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "rediss:// to a plain port: exit 3"
like "$(jqr "$S.error")" "TLS handshake" "rediss:// to a plain port: the handshake is named"

MKCONF_TIMEOUT=1s MKCONF_REDIS_URL="redis://localhost:$tls_port/0" mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "redis:// to the TLS port: exit 3"
json_is "$S.status" unknown "redis:// to the TLS port: unknown"
between "$RUN_MS" 0 3000 "redis:// to the TLS port, timeout = 1s: done within 1 s + 2 s"

# A server that accepts (the kernel does) and never answers the handshake.
kill -STOP "$EXTRA_REDIS_PID" || bail_out "cannot stop redis-server $EXTRA_REDIS_PID"
at_exit kill -CONT "$EXTRA_REDIS_PID"
MKCONF_TIMEOUT=1s MKCONF_REDIS_URL="rediss://localhost:$tls_port/0" MKCONF_REDIS_EXTRA="ca_file = $pki/ca.pem" \
	mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
kill -CONT "$EXTRA_REDIS_PID"
is "$RUN_RC" 3 "a handshake never answered: exit 3"
like "$(jqr "$S.error")" "timeout|deadline" "a handshake never answered: a timeout"
between "$RUN_MS" 0 3000 "a handshake never answered, timeout = 1s: done within 1 s + 2 s"

done_testing
