# pools.bash - the FastCGI worker pools: for each instance a spawn-fcgi that binds its
# socket and execs multiwatch, which keeps PC_WORKERS workers running, started and stopped
# with start-stop-daemon; their shared files (counters, failed authentications) and the
# copy of the worker they run. Sourced by tools/stack, after common.bash, cluster.bash and
# pgbouncer.bash; uses its settings worker, workers and instances.
# shellcheck shell=bash

# How long a pool has to bind its socket once started (s).
pool_start_s=5

# Instance N's socket, pid file, log and metrics file; instance 1 keeps the plain names.
suffix() { if [ "$1" = 1 ]; then echo ""; else echo "-$1"; fi; }
sock_of() { echo "$run/pc$(suffix "$1").sock"; }
metrics_of() { echo "$run/metrics$(suffix "$1")"; }
# Every pool's failed authentications per client address: one file, so that an address
# meets its limit whichever worker of whichever pool it reaches.
throttle_of() { echo "$run/throttle"; }
pidfile_of() { echo "$run/pool$(suffix "$1").pid"; }
log_of() { echo "$log/worker$(suffix "$1").log"; }
# The instances that have a pid file (what `up` started, whatever PC_INSTANCES says now).
started() {
	local f n
	for f in "$run"/pool.pid "$run"/pool-*.pid; do
		[ -e "$f" ] || continue
		n=${f##*/pool}; n=${n%.pid}; n=${n#-}
		echo "${n:-1}"
	done
}
valid_instances() {
	case "$instances" in '' | *[!0-9]* | 0*) say "PC_INSTANCES must be 1 or more"; return 1 ;; esac
}

pool_up() {
	local i
	for i in ${1:-$(seq 1 "$instances")}; do instance_up "$i" || return 1; done
}

pool_down() {
	local i
	for i in ${1:-$(started)}; do instance_down "$i"; done
}

# An empty throttle file, which the first worker sizes and every worker maps shared
# (owned by the workers' user, 0600; run/ itself is not theirs to write). fresh: a new
# file, with no counts, for `up`, once every pool is down; otherwise the one there is
# kept, since the other pools map it: a file a worker maps is never truncated (it would
# die of SIGBUS), only replaced when none does.
throttle_file() {
	local f
	f=$(throttle_of)
	state_dirs
	[ "${1:-}" = fresh ] && rm -f "$f"
	[ -e "$f" ] && return 0
	(umask 077 && : >"$f")
	if is_root; then chown "$(web_user)" "$f"; fi
}

# The workers' copy of PC_WORKER_PGPASSFILE (a server named by the PG* variables): 0600,
# their user's, a new file renamed over the old one (a worker may be reading it).
worker_pgpass() {
	local d=$var/secrets dst
	dst=$d/external-worker.pgpass
	own_dir 0711 '' "$d"
	(umask 077 && cat "$PC_WORKER_PGPASSFILE" >"$dst.new$$") || return 1
	if is_root; then chown "$(web_user)" "$dst.new$$"; fi
	mv -f "$dst.new$$" "$dst" && echo "$dst"
}

instance_up() {
	local n=$1 sock wlog metrics exe pgpass
	sock=$(sock_of "$n")
	wlog=$(log_of "$n")
	metrics=$(metrics_of "$n")
	[ -x "$worker" ] || { say "worker not built: $worker"; return 1; }
	state_dirs
	instance_down "$n"
	throttle_file
	# The workers (www-data) exec the worker binary, and may not reach the project's
	# path: they run a copy in the state directory, made at each start.
	exe=$(exe_copy "$worker" "$var/bin") || return 1
	# The pool's counters: a new empty file for each start (every counter from zero),
	# which its workers size and share. A new file, not the old one truncated: a worker
	# still mapping that one would die of SIGBUS.
	rm -f "$metrics"
	(umask 077 && : >"$metrics")
	local own=()
	touch "$wlog"
	if is_root; then
		own=(-u "$(web_user)" -g "$(web_user)" -U "$(web_user)" -G "$(web_user)")
		chown "$(web_user)" "$wlog" "$metrics"
	fi
	# The workers' environment: the database (a server named by PG* may give them a
	# password file of their own; a pooled instance reaches the cluster through the
	# PgBouncer); PC_INSTANCE names the instance in their log lines, application_name and
	# metrics; PC_METRICS is the file of its counters; PC_THROTTLE that of every pool's
	# failed authentications.
	local env=(PGUSER="$(worker_role)" PC_INSTANCE="$n" PC_METRICS="$metrics"
		PC_THROTTLE="$(throttle_of)" PC_TZ="${PC_TZ:-Europe/Bucharest}"
		# GnuTLS (loaded by libpq through libldap) initializes itself at load time
		# unless told not to: 0.9 MiB per worker for a library the worker never calls.
		# libldap initializes it explicitly when an LDAP look-up needs TLS, so nothing
		# is lost.
		GNUTLS_NO_IMPLICIT_INIT="${GNUTLS_NO_IMPLICIT_INIT:-1}")
	pg_env
	if external_pg && [ -n "${PC_WORKER_PGPASSFILE:-}" ]; then
		pgpass=$(worker_pgpass) || return 1
		env+=(PGPASSFILE="$pgpass")
	fi
	if pooled "$n"; then
		env+=(PGPORT="$pgb_port" PC_DB_POOLED=1 PGPASSFILE="$var/secrets/worker.pgpass")
	fi
	# -n: spawn-fcgi execs multiwatch in place (whose pid the pid file keeps; its stderr,
	# the workers' log); as root spawn-fcgi binds the socket for www-data, then becomes it.
	(
		export "${env[@]}"
		# shellcheck disable=SC2086 # (PC_WRAPPER: a command and its arguments)
		daemon_start "$(pidfile_of "$n")" "$wlog" '' -- spawn-fcgi -n -s "$sock" -M 0660 \
			${own[@]+"${own[@]}"} -- /usr/bin/multiwatch -f "$workers" -s TERM -- \
			${PC_WRAPPER:-} "$exe"
	)
	wait_for -p "$(pidfile_of "$n")" "$pool_start_s" test -S "$sock" && return 0
	say "worker pool $n did not start; see $wlog"
	return 1
}

# multiwatch passes the stop on; workers finish the request in hand first. Workers left
# when it has to be killed go with its session.
instance_down() {
	daemon_stop "$(pidfile_of "$1")"
	rm -f "$(sock_of "$1")"
}
