# shellcheck shell=bash
# daemon.sh: what the servers of tests/stack/ share (source it; pg.sh, redis.sh, kafka.sh,
# search.sh, connect.sh and hostile.sh do): start one in the background with its pid file, wait
# until it answers, stop it within a time limit, show the tail of its log.
#
#   daemon_start [OPTION...] LOG PIDFILE CMD...
#       start CMD in /, stdin /dev/null, stdout and stderr appended to LOG; its pid in PIDFILE and
#       DAEMON_PID. Options: --detach (its own session, setsid: survives this shell and a Ctrl-C
#       meant for the caller); --pdeathsig SIG (without --detach: SIG when the shell that
#       started it dies, setpriv --pdeathsig; so call daemon_start from the main shell, not from
#       $(...) or a pipeline); --as OPT (a setpriv option for the identity it runs as, e.g.
#       --reuid=postgres; repeat it); --stdin-rw FILE (stdin opened read-write on FILE, a FIFO);
#       --stdout FILE (stdout appended to FILE rather than LOG); --disown (out of the job table,
#       so that a caller's bare `wait` does not wait for it; bash still reaps it)
#   daemon_wait PID TRIES PAUSE CMD...
#       run CMD until it succeeds (status 0), at most TRIES times PAUSE seconds apart; status 1
#       as soon as PID is gone, 2 when TRIES ran out
#   daemon_stop WHO PID SIG SECONDS LASTSIG LASTSECONDS MATCH...
#       stop PID if it is still ours (daemon_is_ours PID MATCH...): SIGCONT (for a server a test
#       stopped) and SIG, then up to SECONDS for it to go; else "WHO PID still running after
#       SECONDS s; sending SIGLASTSIG" on stderr, LASTSIG, up to LASTSECONDS more. Status 0 when
#       SIG did it (or PID was not ours), 1 when LASTSIG did, 2 when it is still there
#   daemon_alive PID              PID exists and is not a zombie (no fork: reads /proc)
#   daemon_is_ours PID MATCH...   alive, and every MATCH is a substring of its command line (its
#                                 arguments, each followed by a space): guards against a
#                                 recycled pid
#   daemon_log_tail FILE [N]      the last N (30) lines of FILE between markers; nothing when
#                                 FILE is empty or missing
#   daemon_fail WHO WHAT LOG      "WHO: WHAT; its log LOG:" and its last 20 lines, on stderr;
#                                 status 1
#   daemon_free_port LO SPAN      a random loopback port in [LO, LO+SPAN) that nothing accepts
#                                 on now (never 5432 or 6379, where a developer's own servers
#                                 live); status 1 after 50 tries. The bind may still lose a race:
#                                 callers retry.

daemon_start() {
	local detach=0 disown=0 sig='' stdin_rw='' stdout=''
	local -a as=() cmd=()
	while (($#)); do
		case $1 in
		--detach) detach=1 ;;
		--pdeathsig) sig=$2 && shift ;;
		--as) as+=("$2") && shift ;;
		--stdin-rw) stdin_rw=$2 && shift ;;
		--stdout) stdout=$2 && shift ;;
		--disown) disown=1 ;;
		*) break ;;
		esac
		shift
	done
	local log=${1:?usage: daemon_start [OPTION...] LOG PIDFILE CMD...} pidfile=${2:?usage: daemon_start [OPTION...] LOG PIDFILE CMD...}
	shift 2
	if ((detach)); then
		if ((${#as[@]})); then cmd=(setsid setpriv "${as[@]}" --); else cmd=(setsid); fi
	else
		[[ -z $sig ]] || as+=(--pdeathsig "$sig")
		((${#as[@]})) && cmd=(setpriv "${as[@]}" --)
	fi
	cmd+=("$@")
	if [[ -n $stdin_rw ]]; then
		(cd / && exec "${cmd[@]}") <>"$stdin_rw" >>"${stdout:-$log}" 2>>"$log" &
	elif [[ -n $stdout ]]; then
		(cd / && exec "${cmd[@]}") </dev/null >>"$stdout" 2>>"$log" &
	else
		(cd / && exec "${cmd[@]}") </dev/null >>"$log" 2>&1 &
	fi
	DAEMON_PID=$!
	((disown)) && disown "$DAEMON_PID" 2>/dev/null
	printf '%s\n' "$DAEMON_PID" >"$pidfile" # so that it can be stopped from now on
}

daemon_alive() {
	local line state
	[[ -n ${1:-} ]] || return 1
	{ read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
	state=${line##*) } # after "pid (comm) ": state ppid ...
	state=${state%% *}
	[[ -n $state && $state != Z && $state != X ]]
}

daemon_is_ours() {
	local pid=$1 cmd m
	local -a argv
	shift
	daemon_alive "$pid" || return 1
	{ mapfile -d '' -t argv <"/proc/$pid/cmdline"; } 2>/dev/null || return 1
	((${#argv[@]})) || return 1
	printf -v cmd '%s ' "${argv[@]}"
	for m; do
		[[ $cmd == *"$m"* ]] || return 1
	done
}

daemon_wait() {
	local pid=$1 tries=$2 pause=$3 i
	shift 3
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		daemon_alive "$pid" || return 1
		sleep "$pause"
	done
	return 2
}

# daemon__gone SECONDS PID MATCH...: waits up to SECONDS for PID to stop being ours.
daemon__gone() {
	local n=$(($1 * 50)) i
	shift
	for ((i = 0; i < n; i++)); do
		daemon_is_ours "$@" || return 0
		sleep 0.02
	done
	! daemon_is_ours "$@"
}

daemon_stop() {
	local who=$1 pid=$2 sig=$3 secs=$4 lastsig=$5 lastsecs=$6
	shift 6
	daemon_is_ours "$pid" "$@" || return 0
	kill -CONT "$pid" 2>/dev/null
	kill -"$sig" "$pid" 2>/dev/null
	daemon__gone "$secs" "$pid" "$@" && return 0
	printf '%s %s still running after %d s; sending SIG%s\n' "$who" "$pid" "$secs" "$lastsig" >&2
	kill -"$lastsig" "$pid" 2>/dev/null
	daemon__gone "$lastsecs" "$pid" "$@" && return 1
	return 2
}

daemon_log_tail() {
	local file=$1 n=${2:-30}
	[[ -s $file ]] || return 0
	printf -- '--- last %d lines of %s ---\n' "$n" "$file"
	tail -n "$n" "$file"
	printf -- '--- end of log ---\n'
}

daemon_fail() {
	printf '%s: %s; its log %s:\n' "$1" "$2" "$3" >&2
	tail -n 20 "$3" >&2
	return 1
}

daemon_free_port() {
	local lo=$1 span=$2 port i
	for ((i = 0; i < 50; i++)); do
		port=$((lo + (RANDOM * 32768 + RANDOM) % span))
		((port == 5432 || port == 6379)) && continue
		# A refused connection means that nothing listens there (on loopback).
		if ! (exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$port"); then
			printf '%s' "$port"
			return 0
		fi
	done
	return 1
}
