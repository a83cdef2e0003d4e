# common.bash - what the parts of the stack share (tools/stack, tools/media and tools/ha
# source it): messages, the users the services run as, the state directory, directories
# and copies made for those users, starting and stopping daemons (start-stop-daemon), and
# the one wait for a condition. Functions, and two settings of theirs; the caller sets top
# (the project's directory).
# shellcheck shell=bash

# Where the state of a project in a private directory lives instead (project_var).
shared_root=/var/tmp
# How long a stopped daemon has to exit after its signal, and again after KILL (s).
stop_grace_s=5

say() { printf '%s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }
# Running and not a zombie (an exited process may wait a while to be reaped).
alive() {
	local st
	[ -n "${1:-}" ] || return 1
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[ "${st#Z}" = "$st" ]
}
# The unprivileged user PostgreSQL, the workers and nginx's workers run as, when root.
pg_user() { if is_root; then echo postgres; else id -un; fi; }
web_user() { if is_root; then echo www-data; else id -un; fi; }

# Milliseconds of the wall clock (bash's own: no process per look).
now_ms() {
	local t=${EPOCHREALTIME//[!0-9]/}
	echo $((t / 1000))
}

# The one wait: runs "$@" until it succeeds, for at most $1 seconds; with -p PIDFILE
# first, gives up as soon as that file's process is gone (it died starting). Fails when
# the time is up.
wait_for() {
	local pidfile='' end
	if [ "$1" = -p ]; then
		pidfile=$2
		shift 2
	fi
	end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		if [ -n "$pidfile" ] && ! alive "$(cat "$pidfile" 2>/dev/null)"; then return 1; fi
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# Whether a socket of protocol $1 (tcp, udp) listens on port $2 of this host.
listening() { [ -n "$(ss -Hln "--$1" "sport = :$2")" ]; }

# Directories made when missing, then given mode $1 and, as root, owner $2 (user or
# user:group; '' leaves them root's).
own_dir() {
	local mode=$1 owner=$2
	shift 2
	mkdir -p "$@"
	chmod "$mode" "$@"
	if [ -n "$owner" ] && is_root; then chown "$owner" "$@"; fi
}

# A copy of executable $1 in directory $2 (made 0755), for services whose users may not
# reach the project's path; prints its path. A new file renamed over the old one, not the
# old one written over: running processes keep theirs.
exe_copy() {
	local dst=$2/${1##*/}
	own_dir 0755 '' "$2"
	install -m 0755 "$1" "$dst.new$$" && mv -f "$dst.new$$" "$dst" && echo "$dst"
}

# Starts a daemon that stays in the foreground: in the background (start-stop-daemon), from
# /, its pid in pidfile $1, its standard output and error appended to log $2, as user $3
# when root (user:group, with the user's supplementary groups; '' stays root). It leads a
# session of its own (setsid, in place), so that its pid is the session's id: what it
# forks is found and stopped with it. Options of start-stop-daemon's own (--umask) may
# come next, then -- and the command. The caller's environment passes on.
#   daemon_start PIDFILE LOG USER [OPTION...] -- COMMAND [ARG...]
daemon_start() {
	local pidfile=$1 out=$2 user=$3 opts=()
	shift 3
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	if [ -n "$user" ] && is_root; then opts+=(--chuid "$user"); fi
	start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$pidfile" \
		--output "$out" --chdir / ${opts[@]+"${opts[@]}"} --startas /usr/bin/setsid -- "$@"
}

# Stops the daemon of pidfile $1: signal $2 (TERM) from start-stop-daemon, then the wait
# for its exit, stop_grace_s seconds; past that, KILL to its whole session (what it forked
# goes with it: multiwatch's workers, nginx's), waited for as long again. The pid file
# goes. (The wait is for the exit, not for the reaping that start-stop-daemon's --retry
# waits for: an orphan is init's to reap, which some inits, a container's, do late.)
daemon_stop() {
	local pidfile=$1 sig=${2:-TERM} pid
	if [ -s "$pidfile" ]; then
		pid=$(cat "$pidfile")
		if start-stop-daemon --stop --quiet --pidfile "$pidfile" --signal "$sig" &&
			! wait_for "$stop_grace_s" gone "$pid"; then
			pkill -KILL -s "$pid" 2>/dev/null || true
			wait_for "$stop_grace_s" gone "$pid" || say "process $pid ($pidfile) did not stop"
		fi
	fi
	rm -f "$pidfile"
}
gone() { ! alive "$1"; }

# Whether the users PostgreSQL and the workers run as can reach path: search permission
# on it and on every directory above it. A user not created yet (before `deps`
# installs its package) is stood in for by nobody.
reachable() {
	is_root || return 0
	local u
	for u in "$(pg_user)" "$(web_user)"; do
		id -u "$u" >/dev/null 2>&1 || u=nobody
		(cd / && runuser -u "$u" -- test -x "$1") 2>/dev/null || return 1
	done
}

# The project's state directory, as a physical path: var/ when PostgreSQL and the
# workers can reach it. A clone in a private directory (mode 0700, as under root's
# home) is out of their reach; its state then lives in $shared_root, in a directory named
# after the project's path (so that `make stop` and `tools/stack env` find what
# `make run` started), and var/ is a link to it: every path under var/ still works.
project_var() {
	local v=$top/var s
	s=$shared_root/phonecalls-$(printf %s "$top" | sha256sum | cut -c1-16)
	if [ -L "$v" ]; then
		case $(readlink "$v") in
		"$s") shared_dir "$s" && echo "$s" && return ;;
		# another project's (this tree was copied): not shared with it
		"$shared_root"/phonecalls-*) rm -f "$v" ;;
		esac
	fi
	if [ -d "$v" ] && reachable "$v"; then
		(cd "$v" && pwd -P)
		return
	fi
	if [ ! -e "$v" ] && [ ! -L "$v" ] && reachable "$top"; then
		mkdir "$v"
		(cd "$v" && pwd -P)
		return
	fi
	if [ -e "$v" ] || [ -L "$v" ]; then
		say "$v is out of reach of $(pg_user) and $(web_user), which run PostgreSQL and the"
		say "workers (a directory above it is private); remove it, and the state will live"
		say "in $s instead"
		return 1
	fi
	shared_dir "$s" && ln -s "$s" "$v" && echo "$s"
}

# A directory of root's under $shared_root, which everyone may write to: made with
# mode 0711 (the services pass through it, no one else lists it), and refused when it
# is anything else (someone could have put a link or a directory of theirs there first;
# once it is root's, the sticky bit keeps it so).
shared_dir() {
	[ -e "$1" ] || [ -L "$1" ] || mkdir -m 0711 "$1" 2>/dev/null || true
	if [ -L "$1" ] || [ ! -d "$1" ] || [ "$(stat -c %u "$1")" != 0 ]; then
		say "$1 is not a directory of root's; remove it"
		return 1
	fi
	chmod 0711 "$1"
}

# The state directory in use: PC_VAR (the test runs' var/check-<pid> and the like), or
# the project's. A physical path, as the sockets are bound and the tests look them up.
# Sets var and the paths in it: run (sockets, pid files), log, pgdata, pgb (PgBouncer's).
use_var() {
	if [ -n "${PC_VAR:-}" ]; then
		mkdir -p "$PC_VAR"
		var=$(cd "$PC_VAR" && pwd -P)
	else
		var=$(project_var)
	fi
	run=$var/run
	log=$var/log
	pgdata=$var/pg/data
	pgb=$var/pgbouncer
}

# What up starts needs the services' users to reach the state directory.
check_var() {
	reachable "$var" && return 0
	say "$(pg_user) and $(web_user) cannot reach $var (a directory above it is private):"
	say "choose a PC_VAR they can reach, or leave it unset"
	return 1
}

# The directories every part shares, with no more access than each user needs (as
# root): passing through the state directory (0711); the sockets, made by PostgreSQL
# and PgBouncer (postgres) and by spawn-fcgi, reached by the workers and nginx's workers
# (www-data, through the group: 0710 postgres:www-data), so that no other user reaches
# the cluster, which trusts its socket; the logs, written by postgres and root (0700).
state_dirs() {
	own_dir 0711 '' "$var"
	own_dir 0710 "$(pg_user):$(web_user)" "$run"
	own_dir 0700 "$(pg_user)" "$log"
}
