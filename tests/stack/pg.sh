# shellcheck shell=bash
# pg.sh: start and stop a throwaway PostgreSQL server for the tests and the demo (source it).
#
#   . tests/stack/pg.sh
#   pg_up [--detach] DIR    start a server whose socket, data (DIR/data) and log live in DIR
#   pg_down [--log] [DIR]   fast shutdown (SIGINT, never SIGKILL); --log prints the log tail
#   pg_log_tail [DIR] [N]   the last N lines of the server log
#   pg_tmpdir [PREFIX]      a new 755 directory on a fast file system, for DIR
#
# pg_up exports PGHOST (= DIR, the socket directory), PGPORT, PGUSER=postgres and
# SYNCTOP_PG_PORT, SYNCTOP_PG_SOCKDIR, SYNCTOP_PG_PID, SYNCTOP_PG_DATA, SYNCTOP_PG_LOG,
# SYNCTOP_PG_BINDIR, and creates the database `synctop`. Every other inherited PG* variable is
# unset first, so that nothing from the caller's environment steers psql or libpq elsewhere.
#
# As root the server tools run as the `postgres` user (they refuse root), so DIR and its
# parents must be traversable by postgres: use pg_tmpdir (never under /root). Without --detach the server
# gets SIGQUIT when the shell that started it dies (setpriv --pdeathsig), so call pg_up from
# the main shell, not from $(...) or a pipeline. --detach leaves it running in its own
# session, for `stack.sh up`.
#
# Knobs: SYNCTOP_PG_BINDIR (default /usr/lib/postgresql/15/bin), SYNCTOP_TMPDIR (where
# pg_tmpdir and the template cache go), SYNCTOP_PG_NO_TEMPLATE=1 (always run initdb instead
# of copying the cached template directory).

# shellcheck source=tests/stack/daemon.sh
. "$(dirname "${BASH_SOURCE[0]}")/daemon.sh"

# The template cache: one initdb per user and major version, copied with cp -a (0.1-0.5 s
# instead of 0.7-1.7 s for initdb).
pg__template_dir() {
	printf '%s/synctop-pgtemplate-%s-%s' "$(pg_tmpbase)" "$1" "$(id -u)"
}

# Where stack directories go: $SYNCTOP_TMPDIR, else /dev/shm when it is a tmpfs with room
# (a data directory on the ext4 /tmp here costs 1.4 s to copy and start, on tmpfs 0.25 s),
# else /tmp. Never $TMPDIR: it may be under a home directory postgres cannot traverse.
pg_tmpbase() {
	if [[ -n ${SYNCTOP_TMPDIR:-} ]]; then
		printf '%s' "$SYNCTOP_TMPDIR"
	elif [[ -d /dev/shm && -w /dev/shm && -k /dev/shm ]] &&
		[[ $(stat -f -c %T /dev/shm 2>/dev/null) == tmpfs ]] &&
		(($(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }') > 1048576)); then
		printf /dev/shm
	else
		printf /tmp
	fi
}

# Creates a fresh directory for a stack (mode 755, so that postgres can traverse it) and
# prints its path: DIR=$(pg_tmpdir synctop-stack).
pg_tmpdir() {
	local d
	d=$(mktemp -d "$(pg_tmpbase)/${1:-synctop}.XXXXXX") || return 1
	chmod 755 "$d" && printf '%s' "$d"
}

pg__die() {
	printf 'pg.sh: %s\n' "$*" >&2
	return 1
}

# Runs a server tool as the user that may run it: postgres when we are root, else ourselves.
# The tools warn when they cannot read the current directory, so they start in /.
pg__run() {
	if ((EUID == 0)); then
		(cd / && exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$@")
	else
		(cd / && exec "$@")
	fi
}

pg__bindir() {
	local d
	for d in "${SYNCTOP_PG_BINDIR:-}" /usr/lib/postgresql/15/bin; do
		if [[ -n $d && -x $d/postgres && -x $d/initdb ]]; then
			printf '%s' "$d"
			return 0
		fi
	done
	# Another major version, newest first.
	for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5nr); do
		if [[ -x $d/postgres && -x $d/initdb ]]; then
			printf '%s' "$d"
			return 0
		fi
	done
	pg__die "no PostgreSQL server binaries (apt-get install postgresql)"
}

# A process that exists and is not a zombie waiting to be reaped.
pg__alive() {
	daemon_alive "$1"
}

# A loopback port nobody listens on now; never 5432. Below the ephemeral range (32768+),
# so outgoing connections do not take it meanwhile. The caller retries on a lost race.
pg__pick_port() {
	daemon_free_port 15000 17000 || pg__die "no free loopback port found"
}

pg__unset_env() {
	local v
	for v in $(compgen -e); do
		[[ $v == PG* ]] && unset "$v"
	done
	return 0
}

# Prints the path of a ready template data directory, creating it if needed; fails (and the
# caller runs initdb itself) when the cache cannot be used.
pg__template() {
	local bindir=$1 major tpl tmp owner
	major=${bindir%/bin}
	major=${major##*/} # /usr/lib/postgresql/15/bin
	[[ $major =~ ^[0-9]+$ ]] ||
		major=$("$bindir/postgres" --version | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p')
	[[ -n $major ]] || return 1
	tpl=$(pg__template_dir "$major")
	if [[ ! -f $tpl/PG_VERSION ]]; then
		# initdb into a private directory, then rename it into place: a half-made template is
		# never visible, and a parallel run that lost the race just drops its copy.
		tmp=$(mktemp -d "$tpl.tmp.XXXXXX") || return 1
		((EUID == 0)) && chown postgres:postgres "$tmp"
		if ! pg__run "$bindir/initdb" -N -E UTF8 --locale=C.UTF-8 -A trust -U postgres \
			-D "$tmp" >"$tmp.log" 2>&1; then
			cat "$tmp.log" >&2
			rm -rf "$tmp" "$tmp.log"
			return 1
		fi
		rm -f "$tmp.log"
		mv -T "$tmp" "$tpl" 2>/dev/null || rm -rf "$tmp"
	fi
	# Only trust a cache made by us (or by postgres on our behalf when root).
	owner=$(stat -c %U "$tpl" 2>/dev/null) || return 1
	if ((EUID == 0)); then [[ $owner == postgres ]] || return 1; else [[ $owner == "$(id -un)" ]] || return 1; fi
	[[ $(cat "$tpl/PG_VERSION") == "$major" && -f $tpl/global/pg_control ]] || return 1
	printf '%s' "$tpl"
}

# Creates DIR/data: a copy of the cached template, or a fresh initdb.
pg__initdb() {
	local bindir=$1 dir=$2 data=$2/data tpl
	if [[ ${SYNCTOP_PG_NO_TEMPLATE:-0} != 1 ]] && tpl=$(pg__template "$bindir"); then
		cp -a "$tpl" "$data" && return 0
		rm -rf "$data"
	fi
	mkdir -m 700 "$data" || return 1
	((EUID == 0)) && chown postgres:postgres "$data"
	pg__run "$bindir/initdb" -N -E UTF8 --locale=C.UTF-8 -A trust -U postgres -D "$data" \
		>"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		return 1
	}
}

pg_up() {
	local detach=0
	if [[ ${1:-} == --detach ]]; then
		detach=1
		shift
	fi
	local dir=${1:?usage: pg_up [--detach] DIR}
	local bindir data log port pid attempt ready i answer

	pg__unset_env
	bindir=$(pg__bindir) || return 1
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd -P) || return 1
	data=$dir/data
	log=$dir/postgres.log
	[[ ! -e $data ]] || pg__die "$data already exists" || return 1
	# The socket path .s.PGSQL.NNNNN must fit in sun_path (107 bytes).
	((${#dir} + 16 <= 107)) || pg__die "socket directory path too long: $dir" || return 1
	if ((EUID == 0)); then
		chown postgres:postgres "$dir" && chmod 755 "$dir" || return 1
		setpriv --reuid=postgres --regid=postgres --init-groups -- test -w "$dir" -a -x "$dir" ||
			pg__die "$dir is not writable by the postgres user (its parents must be traversable)" ||
			return 1
	fi

	pg__initdb "$bindir" "$dir" || return 1

	local -a server launch=(--pdeathsig QUIT)
	# As root the server runs as postgres; --detach: in its own session (see the head).
	((EUID != 0)) || launch+=(--as --reuid=postgres --as --regid=postgres --as --init-groups)
	((detach)) && launch=(--detach "${launch[@]:2}")
	ready=0
	for ((attempt = 1; attempt <= 5; attempt++)); do
		port=$(pg__pick_port) || return 1
		server=("$bindir/postgres" -D "$data" -p "$port" -k "$dir"
			-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off
			-c wal_level=logical -c max_replication_slots=4 -c max_wal_senders=4)
		: >"$log"
		daemon_start "${launch[@]}" "$log" "$dir/postgres.pid" "${server[@]}"
		pid=$DAEMON_PID
		daemon_wait "$pid" 600 0.05 \
			"$bindir/pg_isready" -q -h "$dir" -p "$port" -U postgres -d postgres -t 1 2>/dev/null
		case $? in
		0) ready=1 && break ;;
		2)
			daemon_fail pg.sh "server did not become ready in 30 s" "$log"
			pg_down "$dir"
			return 1
			;;
		esac
		wait "$pid" 2>/dev/null
		if grep -Eq 'Address already in use|could not create any TCP/IP sockets' "$log"; then
			printf 'pg.sh: port %s was taken, retrying (%d/5)\n' "$port" "$attempt" >&2
			continue
		fi
		daemon_fail pg.sh "server failed to start" "$log"
		return 1
	done
	((ready)) || pg__die "no free port after 5 attempts" || return 1

	# The answering server must be ours: its postmaster.pid names our process, and the one
	# on the TCP port serves our data directory.
	if [[ $(head -n 1 "$data/postmaster.pid" 2>/dev/null) != "$pid" ]]; then
		pg__die "postmaster.pid does not name the server we started (pid $pid)"
		pg_down "$dir"
		return 1
	fi
	answer=$("$bindir/psql" -X -At -h 127.0.0.1 -p "$port" -U postgres -d postgres \
		-c 'SHOW data_directory' 2>&1)
	if [[ $answer != "$data" ]]; then
		pg__die "127.0.0.1:$port is not our server (data_directory: $answer)"
		pg_down "$dir"
		return 1
	fi
	printf '%s\n' "$port" >"$dir/port"

	export PGHOST=$dir PGPORT=$port PGUSER=postgres
	export SYNCTOP_PG_PORT=$port SYNCTOP_PG_SOCKDIR=$dir SYNCTOP_PG_PID=$pid
	export SYNCTOP_PG_DATA=$data SYNCTOP_PG_LOG=$log SYNCTOP_PG_BINDIR=$bindir

	"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE synctop' ||
		pg__die "CREATE DATABASE synctop failed" || return 1
}

pg_log_tail() {
	local dir=${1:-${SYNCTOP_PG_SOCKDIR:-}}
	[[ -n $dir ]] || return 0
	daemon_log_tail "$dir/postgres.log" "${2:-30}"
}

pg_down() {
	local show_log=0
	if [[ ${1:-} == --log ]]; then
		show_log=1
		shift
	fi
	local dir=${1:-${SYNCTOP_PG_SOCKDIR:-}} pid rc=0
	[[ -n $dir && -d $dir ]] || return 0
	pid=$(cat "$dir/postgres.pid" 2>/dev/null) || pid=
	if [[ -n $pid ]]; then
		# A postmaster serving our data directory: fast shutdown (roll back and exit), then an
		# immediate one (SIGQUIT) after 30 s; never SIGKILL.
		daemon_stop "pg.sh: server" "$pid" INT 30 QUIT 10 postgres " -D $dir/data "
		(($? == 2)) && rc=1
		wait "$pid" 2>/dev/null # reap it when it is our child
	fi
	rm -f "$dir/postgres.pid"
	((show_log)) && pg_log_tail "$dir" >&2
	if [[ $dir == "${SYNCTOP_PG_SOCKDIR:-}" ]]; then
		unset PGHOST PGPORT PGUSER SYNCTOP_PG_PORT SYNCTOP_PG_SOCKDIR SYNCTOP_PG_PID
		unset SYNCTOP_PG_DATA SYNCTOP_PG_LOG
	fi
	return "$rc"
}
