#!/usr/bin/env bash
# redis.sh: the cache stage against a real redis-server 7: memory against maxmemory, evictions
# over a window, the rules (cache-evicting, cache-noeviction-full, cache-unbounded,
# cache-volatile-no-ttl), an ACL user allowed only INFO, passwords that never show, a server
# that goes away and comes back and one that never answers (rediss://: redis_tls.sh).
#
# The test changes the server's settings (maxmemory, policy, an ACL user) and empties it: on
# the shared stack, everything is put back at exit (20mb, allkeys-lru, FLUSHALL, no user).
# needs: redis
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

need_redis

conf=$TEST_TMP/synctop.conf
S=$(stage cache web)
D=$(diagnoses web)
P=$SYNCTOP_REDIS_PORT

at_exit _redis_restore
# shellcheck disable=SC2317 # run by at_exit
_redis_restore() {
	rcli CONFIG SET maxmemory 20mb >/dev/null 2>&1
	rcli CONFIG SET maxmemory-policy allkeys-lru >/dev/null 2>&1
	rcli FLUSHALL >/dev/null 2>&1
	rcli ACL DELUSER infoonly >/dev/null 2>&1
	return 0
}

rules() {
	jqr "$D | map(.rule) | join(\",\")"
}
# severity RULE: the severity of the diagnosis RULE ("" when there is none).
severity() {
	jqr "$D | map(select(.rule == \"$1\")) | .[0].severity // \"\""
}
# fill FIRST LAST: SET session:N <1 KiB> EX 3600 for N in FIRST..LAST, through redis-cli --pipe.
fill() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		v = sprintf("%1024s", ""); gsub(/ /, "x", v)
		for (i = a; i <= b; i++) {
			k = "session:" i
			printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1024\r\n%s\r\n$2\r\nEX\r\n$4\r\n3600\r\n", length(k), k, v
		}
	}' | rcli --pipe >"$TEST_TMP/pipe.out" 2>&1
}
# small N T [DB]: N small keys small:1..N, the first T of them with a TTL.
small() {
	local n=$1 ttl=$2 db=${3:-0}
	awk -v n="$n" -v t="$ttl" 'BEGIN {
		for (i = 1; i <= n; i++) {
			k = "small:" i
			if (i <= t)
				printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n$2\r\nEX\r\n$4\r\n3600\r\n", length(k), k
			else
				printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n", length(k), k
		}
	}' | rcli -n "$db" --pipe >"$TEST_TMP/pipe.out" 2>&1
}
info_field() { # info_field NAME: a field of INFO on the test's server
	rcli INFO all | tr -d '\r' | sed -n "s/^$1://p"
}

rcli FLUSHALL >/dev/null || bail_out "FLUSHALL failed"
if ! { rcli CONFIG SET maxmemory 20mb && rcli CONFIG SET maxmemory-policy allkeys-lru; } >/dev/null; then
	bail_out "CONFIG SET failed"
fi
rcli CONFIG RESETSTAT >/dev/null || bail_out "CONFIG RESETSTAT failed"

# ----------------------------------------------------------------------
# One poll: exact figures. db0: 100 keys, 40 with a TTL; db1: 10 keys, all with a TTL.
# ----------------------------------------------------------------------
if ! { small 100 40 0 && small 10 10 1; }; then
	bail_out "writing the fixture failed"
fi
is "$(rcli DBSIZE) $(rcli -n 1 DBSIZE)" "100 10" "fixture: 100 keys in db0, 10 in db1"
mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "exit 0: 20 MiB, a few keys, allkeys-lru"
json_is "$S.connection" sessions "stage connection sessions"
json_is "$S.target" "127.0.0.1:$P/0" "target 127.0.0.1:PORT/0"
json_is "$S.status" ok "status ok"
json_is "$S.error" null "no stage error"
json_is "$S.metrics.maxmemory" 20971520 "maxmemory 20971520"
json_is "$S.metrics.maxmemory_policy" allkeys-lru "maxmemory_policy allkeys-lru"
json_ok "$S.metrics.used_memory | type == \"number\" and . > 0" "used_memory is a positive number"
json_ok "($S.metrics.used_ratio - $S.metrics.used_memory / $S.metrics.maxmemory) | fabs < 0.001" \
	"used_ratio = used_memory / maxmemory (within 0.001)"
json_is "$S.metrics.evicted_keys" 0 "evicted_keys 0"
json_is "$S.metrics.evicted_per_s" null "evicted_per_s null with --once-window 0"
json_is "$S.metrics.expired_per_s" null "expired_per_s null with --once-window 0"
json_is "$S.metrics.keys" 110 "keys 110: the sum over db0 and db1"
json_is "$S.metrics.expires" 50 "expires 50: the keys with a TTL, summed over the dbs"
json_is "$S.metrics.mem_fragmentation_ratio" null "mem_fragmentation_ratio null under 64 MiB used"
json_is "$S.metrics.role" master "role master"
json_is "$S.metrics.master_link_status" null "master_link_status null on a master"
json_ok "$S.metrics.connected_clients >= 1" "connected_clients >= 1"
json_is "$S.metrics.rejected_connections" 0 "rejected_connections 0"
json_is "$D | length" 0 "no diagnosis"
between "$RUN_MS" 0 2000 "one poll is quick"

# Two polls a second apart: rates are numbers; 30 hits and 10 misses during the window, sent
# by one redis-cli (40 of them, one after another, took up to 0.9 s: the second poll, due a
# second after the first, could come before the last).
# shellcheck disable=SC2317 # run by between_polls
reads() {
	{
		for i in $(seq 1 30); do echo "GET small:$i"; done
		for i in $(seq 1 10); do echo "GET nothere:$i"; done
	} | rcli >/dev/null
}
between_polls reads
run_once -c "$conf" --format json --once-window 1s
wait "$writer"
is "$RUN_RC" 0 "--once-window 1s: exit 0"
json_is "$S.metrics.evicted_per_s" 0 "evicted_per_s 0 when nothing was evicted"
json_ok "$S.metrics.expired_per_s | type == \"number\" and . >= 0" "expired_per_s is a number >= 0"
json_ok "$S.metrics.hit_ratio | type == \"number\" and ((. - 0.75) | fabs) < 0.001" \
	"hit_ratio 0.75 (30 hits, 10 misses)"
between "$RUN_MS" 900 3500 "two polls a second apart"

run_once -c "$conf" --format text --once-window 0
is "$RUN_RC" 0 "text format: exit 0"
like "$RUN_OUT" web "text format names the pipeline"

# ----------------------------------------------------------------------
# Past maxmemory: allkeys-lru evicts.
# ----------------------------------------------------------------------
fill 1 60000 || bail_out "filling the server failed: $(<"$TEST_TMP/pipe.out")"
evicted=$(info_field evicted_keys)
ok "60,000 x 1 KiB into 20 MiB: the server evicted keys ($evicted)" test "${evicted:-0}" -gt 0
run_once -c "$conf" --format json --once-window 0
json_ok "$S.metrics.evicted_keys > 0" "evicted_keys > 0"
json_ok "$S.metrics.used_ratio > 0.8" "used_ratio > 0.8 once full"

# shellcheck disable=SC2317 # run by between_polls
writes() {
	fill 60001 80000
}
between_polls writes
run_once -c "$conf" --format json --once-window 2s
wait "$writer"
is "$?" 0 "20,000 more keys written during the 2 s window"
json_ok "$S.metrics.evicted_per_s > 0" "evicted_per_s > 0 while writing past maxmemory"
like "$(rules)" cache-evicting "a cache-evicting diagnosis"
is "$(severity cache-evicting)" crit "cache-evicting is critical (thousands of keys/s, evicted_crit 100)"
ok "exit 1 or 2 while evicting (got $RUN_RC)" test "$RUN_RC" -ge 1 -a "$RUN_RC" -le 2

# evicted_warn/evicted_crit far above the rate: evictions are what an allkeys-lru cache is for:
# no diagnosis, the stage ok.
mkconf_redis "$conf" 'cache.evicted_warn = 1000000' 'cache.evicted_crit = 2000000'
# shellcheck disable=SC2317 # run by between_polls
writes() {
	fill 80001 90000
}
between_polls writes
run_once -c "$conf" --format json --once-window 2s
wait "$writer"
json_ok "$S.metrics.evicted_per_s > 0" "evicting under cache.evicted_warn = 1000000: evicted_per_s > 0"
unlike "$(rules)" cache-evicting "... no cache-evicting diagnosis under the thresholds"
json_is "$S.status" ok "... the stage is ok"

# ----------------------------------------------------------------------
# noeviction with memory near full: writes fail: crit.
# ----------------------------------------------------------------------
rcli CONFIG SET maxmemory-policy noeviction >/dev/null || bail_out "CONFIG SET failed"
mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "noeviction, memory full: exit 2"
json_is "$S.status" crit "noeviction, memory full: crit"
json_is "$S.metrics.maxmemory_policy" noeviction "maxmemory_policy noeviction"
like "$(rules)" cache-noeviction-full "a cache-noeviction-full diagnosis"
is "$(severity cache-noeviction-full)" crit "cache-noeviction-full is critical"

# Half full (maxmemory twice what is used; the server sits a little above maxmemory once
# full, used_ratio > 1): noeviction alone is no diagnosis.
used=$(info_field used_memory)
rcli CONFIG SET maxmemory $((used * 2)) >/dev/null || bail_out "CONFIG SET failed"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "noeviction, half full: exit 0"
json_ok "$S.metrics.used_ratio > 0.45 and $S.metrics.used_ratio < 0.55" "half full: used_ratio about 0.5"
unlike "$(rules)" cache-noeviction-full "noeviction, half full: no cache-noeviction-full"

# ----------------------------------------------------------------------
# used_warn / used_crit: an allkeys-* cache may be full, a volatile-* one evicts sessions.
# ----------------------------------------------------------------------
rcli CONFIG SET maxmemory-policy allkeys-lru >/dev/null || bail_out "CONFIG SET failed"
mkconf_redis "$conf" 'cache.used_warn = 0.3' 'cache.used_crit = 0.4'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 0 "allkeys-lru at used_ratio 0.5 over used_crit = 0.4: still ok (a full LRU cache is healthy)"
rcli CONFIG SET maxmemory-policy volatile-lru >/dev/null || bail_out "CONFIG SET failed"
mkconf_redis "$conf" 'cache.used_warn = 0.3' 'cache.used_crit = 0.7'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "volatile-lru, used_ratio 0.5, cache.used_warn = 0.3, used_crit = 0.7: exit 1"
json_is "$S.status" warn "... status warn"
mkconf_redis "$conf" 'cache.used_warn = 0.1' 'cache.used_crit = 0.4'
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 2 "volatile-lru, used_ratio 0.5, cache.used_crit = 0.4: exit 2"
json_is "$S.status" crit "... status crit"

# ----------------------------------------------------------------------
# maxmemory 0: unbounded.
# ----------------------------------------------------------------------
rcli CONFIG SET maxmemory 0 >/dev/null || bail_out "CONFIG SET failed"
mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 1 "maxmemory 0: exit 1"
json_is "$S.metrics.maxmemory" 0 "maxmemory 0"
json_is "$S.metrics.used_ratio" null "used_ratio null without maxmemory"
like "$(rules)" cache-unbounded "a cache-unbounded diagnosis"
is "$(severity cache-unbounded)" warn "cache-unbounded is a warning"

# ----------------------------------------------------------------------
# volatile-*: keys without a TTL cannot be evicted.
# ----------------------------------------------------------------------
if ! { rcli FLUSHALL && rcli CONFIG SET maxmemory 20mb && rcli CONFIG SET maxmemory-policy volatile-lru; } >/dev/null; then
	bail_out "CONFIG SET failed"
fi
small 100 10 0 || bail_out "writing keys failed"
run_once -c "$conf" --format json --once-window 0
json_is "[$S.metrics.keys, $S.metrics.expires] | map(tostring) | join(\" \")" "100 10" "100 keys, 10 with a TTL"
like "$(rules)" cache-volatile-no-ttl "volatile-lru, 10 of 100 keys with a TTL: cache-volatile-no-ttl"
is "$(severity cache-volatile-no-ttl)" warn "cache-volatile-no-ttl is a warning"
is "$RUN_RC" 1 "... exit 1"
if ! { rcli FLUSHALL >/dev/null && small 100 100 0; }; then
	bail_out "writing keys failed"
fi
run_once -c "$conf" --format json --once-window 0
unlike "$(rules)" cache-volatile-no-ttl "volatile-lru, every key with a TTL: no cache-volatile-no-ttl"
is "$RUN_RC" 0 "... exit 0"
rcli CONFIG SET maxmemory-policy allkeys-lru >/dev/null || bail_out "CONFIG SET failed"

# ----------------------------------------------------------------------
# An ACL user allowed INFO only, its password from the environment.
# ----------------------------------------------------------------------
rcli ACL SETUSER infoonly reset on '>s3cretpw' -@all +info +ping +auth +hello >/dev/null ||
	bail_out "ACL SETUSER failed"
export REDIS_PASSWORD=s3cretpw
MKCONF_REDIS_URL="redis://infoonly@127.0.0.1:$P/0" MKCONF_REDIS_EXTRA='password_env = REDIS_PASSWORD' \
	mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
ok "user infoonly (INFO only): the stage is read (exit 0-2, got $RUN_RC)" test "$RUN_RC" -le 2
json_is "$S.error" null "user infoonly: no stage error"
json_is "$S.metrics.maxmemory" 20971520 "user infoonly: maxmemory read from INFO"
json_is "$S.metrics.keys" 100 "user infoonly: keys read from INFO"
unlike "$RUN_OUT$RUN_ERR" s3cretpw "the password never shows"
# The key sample needs SCAN and TTL: refused for this user, said in the sample, the stage fine.
MKCONF_REDIS_URL="redis://infoonly@127.0.0.1:$P/0" MKCONF_REDIS_EXTRA='password_env = REDIS_PASSWORD' \
	mkconf_redis "$conf" 'cache.key_prefix = session:'
run_once -c "$conf" --format json --once-window 0 --sample
json_is "$S.error" null "user infoonly, --sample: the stage is still read"
like "$(jqr "$S.key_sample.error")" 'NOPERM|permission' "user infoonly, --sample: the sample says it was refused"

export REDIS_PASSWORD=wr0ngpass
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "a wrong password: exit 3"
json_is "$S.status" unknown "a wrong password: unknown"
like "$(jqr "$S.error")" '(WRONGPASS|[Ii]nvalid (username-)?password|[Aa]uthentication)' \
	"a wrong password: the error says authentication failed"
unlike "$RUN_OUT$RUN_ERR" '(s3cretpw|wr0ngpass)' "a wrong password: no password shows"
run_once -c "$conf" --format text --once-window 0
unlike "$RUN_OUT$RUN_ERR" '(s3cretpw|wr0ngpass)' "a wrong password, text format: no password shows"
unset REDIS_PASSWORD

# A password inline in the URL (the default user has none: the stage may fail; never shows).
MKCONF_REDIS_URL="redis://:hunter2@127.0.0.1:$P/0" mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
unlike "$RUN_OUT$RUN_ERR" hunter2 "a password inline in the URL never shows (json)"
json_is "$S.target" "127.0.0.1:$P/0" "the target has no password"
run_once -c "$conf" --format text --once-window 0
unlike "$RUN_OUT$RUN_ERR" hunter2 "a password inline in the URL never shows (text)"

# ----------------------------------------------------------------------
# A server that goes away and comes back on the same port.
# ----------------------------------------------------------------------
redis_up_extra
EP=$EXTRA_REDIS_PORT
MKCONF_REDIS_URL="redis://127.0.0.1:$EP/0" mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
ok "a second server: read (exit 0-2, got $RUN_RC)" test "$RUN_RC" -le 2
redis_down "$EXTRA_REDIS_DIR"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "the server stopped: exit 3"
json_is "$S.status" unknown "the server stopped: unknown"
json_ok "$S.error | type == \"string\" and length > 0" "the server stopped: an error"
between "$RUN_MS" 0 3000 "the server stopped: a refused connection fails fast"
SYNCTOP_REDIS_PORT_WANTED=$EP redis_up_extra
is "$EXTRA_REDIS_PORT" "$EP" "restarted on the same port"
run_once -c "$conf" --format json --once-window 0
ok "the server back: read again (exit 0-2, got $RUN_RC)" test "$RUN_RC" -le 2
json_is "$S.error" null "the server back: no error"

# ----------------------------------------------------------------------
# Sockets that accept and never answer: timeout = 1s.
# ----------------------------------------------------------------------
kill -STOP "$EXTRA_REDIS_PID" || bail_out "cannot stop redis-server $EXTRA_REDIS_PID"
at_exit kill -CONT "$EXTRA_REDIS_PID"
MKCONF_TIMEOUT=1s MKCONF_REDIS_URL="redis://127.0.0.1:$EP/0" mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
kill -CONT "$EXTRA_REDIS_PID"
is "$RUN_RC" 3 "a stopped (SIGSTOP) server: exit 3"
json_is "$S.status" unknown "a stopped server: unknown"
between "$RUN_MS" 0 3000 "a stopped server with timeout = 1s: done within 1 s + 2 s"

/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
end = time.time() + 60
while time.time() < end:
    s.settimeout(1)
    try:
        conns.append(s.accept()[0])
    except socket.timeout:
        pass
' >"$TEST_TMP/silent.port" &
silent=$!
at_exit kill "$silent"
for ((i = 0; i < 100; i++)); do
	[[ -s $TEST_TMP/silent.port ]] && break
	sleep 0.02
done
SP=$(<"$TEST_TMP/silent.port")
[[ -n $SP ]] || bail_out "the silent listener did not start"
MKCONF_TIMEOUT=1s MKCONF_REDIS_URL="redis://127.0.0.1:$SP/0" mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
is "$RUN_RC" 3 "a listener that never answers: exit 3"
json_is "$S.status" unknown "a listener that never answers: unknown"
between "$RUN_MS" 0 3000 "a listener that never answers, timeout = 1s: done within 1 s + 2 s"
kill "$silent" 2>/dev/null
wait "$silent" 2>/dev/null

# ----------------------------------------------------------------------
# cache.key_prefix: the on-demand key sample (--sample; key t on the screen), exact counts.
# ----------------------------------------------------------------------
rcli FLUSHALL >/dev/null
rcli CONFIG SET maxmemory 20mb >/dev/null
awk 'BEGIN {
	for (i = 1; i <= 300; i++) {
		k = "session:" i
		if (i <= 100)
			printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n$2\r\nEX\r\n$4\r\n3600\r\n", length(k), k
		else
			printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n", length(k), k
	}
	for (i = 1; i <= 50; i++) {
		k = "other:" i
		printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n", length(k), k
	}
}' | rcli --pipe >"$TEST_TMP/pipe.out" 2>&1
is "$(rcli DBSIZE)" 350 "key sample fixture: 350 keys, 300 of them session:*, 100 with a TTL"
mkconf_redis "$conf" 'cache.key_prefix = session:'
run_once -c "$conf" --format json --once-window 0
json_is "$S.key_sample" null "without --sample: no sample (never part of polling)"
run_once -c "$conf" --format json --once-window 0 --sample
json_is "$S.key_sample.sampled" 300 "--sample: 300 session:* keys sampled"
json_is "$S.key_sample.with_ttl" 100 "--sample: 100 with a TTL"
json_is "$S.key_sample.without_ttl" 200 "--sample: 200 without"
json_is "$S.key_sample.complete" true "--sample: every key of the prefix seen"
json_is "$S.key_sample.prefix" session: "--sample: the prefix"
mkconf_redis "$conf" 'cache.key_prefix = session:' 'cache.sample_keys = 50'
run_once -c "$conf" --format json --once-window 0 --sample
json_is "$S.key_sample.sampled" 50 "cache.sample_keys = 50: 50 sampled"
json_is "$S.key_sample.complete" false "cache.sample_keys = 50: not the whole prefix"
mkconf_redis "$conf" 'cache.key_prefix = sess*'
run_once -c "$conf" --format json --once-window 0 --sample
json_is "$S.key_sample.sampled" 0 "a prefix with a glob character is taken literally: 0 keys"
rcli -n 3 SET session:db3 v >/dev/null
MKCONF_REDIS_URL="redis://127.0.0.1:$P/3" mkconf_redis "$conf" 'cache.key_prefix = session:'
run_once -c "$conf" --format json --once-window 0 --sample
json_is "$S.key_sample.sampled" 1 "the URL's /3: the sample reads database 3"
json_is "$S.key_sample.without_ttl" 1 "the URL's /3: its one key has no TTL"
# On the screen: key t on the cache stage, the result in the detail view.
if command -v tmux >/dev/null; then
	# shellcheck source=tests/integration/tui_lib.sh
	. "$(dirname "$0")/tui_lib.sh"
	tui_init
	mkconf_redis "$conf" 'cache.key_prefix = session:'
	tui_start keys -- --interval 1s -c "$conf"
	wait_polled 'cache' >/dev/null
	send t
	wait_for 'sampling up to 1000 keys of session:*' >/dev/null
	ok "key t: the screen says the sample is on its way" test $? -eq 0
	send Enter
	wait_for '300 keys sampled, 100 with a TTL, 200 without (every key of the prefix)' >/dev/null
	ok "key t, then Enter: the detail view shows the exact sample" test $? -eq 0
	send q q # the first goes back from the detail view, the second quits
else
	skip "key t on the screen" "tmux is not installed"
fi

mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0 --sample
like "$(jqr "$S.key_sample.error")" 'cache.key_prefix is not set' "--sample without cache.key_prefix: said"
json_is "$S.status" ok "--sample without cache.key_prefix: the stage is fine"
rcli FLUSHALL >/dev/null

# unix:// with a password (requirepass): in the URL's userinfo or from password_file, the
# password is sent with AUTH as over TCP (the URL's used to be taken as part of the path).
udir=$TEST_TMP/unix-redis
mkdir -p "$udir"
upw=unix-pw-$$
(cd / && exec setpriv --pdeathsig TERM -- "$(redis_bin)" --port 0 --unixsocket "$udir/sock" \
	--unixsocketperm 700 --requirepass "$upw" --dir "$udir" --save '' --appendonly no \
	--daemonize no --logfile "$udir/redis.log") </dev/null >/dev/null 2>&1 &
upid=$!
at_exit kill_ours "$upid"
for _ in {1..250}; do
	[[ $(timeout 2 redis-cli -s "$udir/sock" --no-auth-warning -a "$upw" PING 2>/dev/null) == PONG ]] && break
	sleep 0.02
done
timeout 2 redis-cli -s "$udir/sock" --no-auth-warning -a "$upw" -n 2 SET session:u v >/dev/null
MKCONF_REDIS_URL="unix://:$upw@$udir/sock" mkconf_redis "$conf" 'cache.key_prefix = session:'
chmod 600 "$conf"
run_once -c "$conf" --format json --once-window 0 --sample
json_is "$S.error" null "unix:// with the password in the URL: no error"
json_is "$S.metrics.maxmemory_policy" noeviction "unix:// with the password in the URL: INFO read"
unlike "$RUN_OUT$RUN_ERR" "$upw" "unix:// with the password in the URL: the password is never printed"
MKCONF_REDIS_URL="unix://default:$upw@$udir/sock?db=2" mkconf_redis "$conf" 'cache.key_prefix = session:'
run_once -c "$conf" --format json --once-window 0 --sample
json_is "$S.key_sample.sampled" 1 "unix://default:PASSWORD@/path?db=2: AUTH with the user, the sample reads db 2"
printf '%s\n' "$upw" >"$TEST_TMP/upw"
MKCONF_REDIS_URL="unix://$udir/sock" MKCONF_REDIS_EXTRA="password_file = $TEST_TMP/upw" mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
json_is "$S.error" null "unix:// with password_file: no error"
MKCONF_REDIS_URL="unix://:wrong-$upw@$udir/sock" mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
like "$(jqr "$S.error")" '^cannot connect to sessions \(unix://:\*\*\*@[^)]*\): authentication failed: WRONGPASS' \
	"unix:// with a wrong password: authentication failed, redacted"
MKCONF_REDIS_URL="unix://$udir/sock?password=$upw" mkconf_redis "$conf"
run_once -c "$conf" --format json --once-window 0
like "$(jqr "$S.error")" 'unix:// URL: the only query understood is \?db=N \(a password goes in unix://:PASSWORD@/path or password_file\)$' \
	"unix:///path?password=: refused clearly"
unlike "$RUN_OUT$RUN_ERR" "$upw" "unix:///path?password=: the password is never printed"
kill_ours "$upid"

done_testing
