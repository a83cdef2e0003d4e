# pgbouncer.bash - the PgBouncer in transaction pooling between the pooled worker pools
# (PC_PGBOUNCER) and the private cluster: its configuration, its clients' SCRAM secrets,
# started and stopped with start-stop-daemon. Sourced by tools/stack, after common.bash
# and cluster.bash; uses its settings pgbouncer_instances and pgb_port.
# shellcheck shell=bash

# How long PgBouncer has to take connections once started (s).
pgbouncer_start_s=5

# Whether instance N goes through the PgBouncer.
pooled() {
	[ "$pgbouncer_instances" = all ] && return 0
	case " $pgbouncer_instances " in *" $1 "*) return 0 ;; esac
	return 1
}

# A PgBouncer in transaction pooling between the pooled instances and the private
# cluster, on the cluster's socket directory (port PC_PG_PORT + 1000). Its limits are a
# deployment's (DEPLOYMENT.md): a client waits at most 5 s for a server connection,
# and a server that cannot be reached is tried again every second. It runs in the
# foreground under start-stop-daemon, which keeps its pid file (run/pgbouncer.pid).
pgbouncer_up() {
	[ -n "$pgbouncer_instances" ] || return 0
	if external_pg; then
		say "PC_PGBOUNCER needs the private cluster; put your own PgBouncer in PC_DB"
		return 1
	fi
	command -v pgbouncer >/dev/null || { say "pgbouncer is not installed"; return 1; }
	pgbouncer_down
	state_dirs
	own_dir 0700 '' "$pgb"
	pgbouncer_secrets || return 1
	cat >"$pgb/pgbouncer.ini" <<-INI
		[databases]
		pc = host=$run port=$pg_port dbname=pc
		[pgbouncer]
		listen_addr =
		listen_port = $pgb_port
		unix_socket_dir = $run
		auth_type = scram-sha-256
		auth_file = $pgb/userlist.txt
		pool_mode = transaction
		default_pool_size = ${PC_PGBOUNCER_POOL:-2}
		max_client_conn = 200
		query_wait_timeout = 5
		server_connect_timeout = 2
		server_login_retry = 1
		logfile = $log/pgbouncer.log
		log_connections = 0
		log_disconnections = 0
		stats_users = pc
	INI
	if is_root; then chown -R "$(pg_user)" "$pgb"; fi
	# its log, which it opens itself too, and what it says before it can
	touch "$log/pgbouncer.log"
	if is_root; then chown "$(pg_user)" "$log/pgbouncer.log"; fi
	daemon_start "$run/pgbouncer.pid" "$log/pgbouncer.log" "$(pg_user)" -- \
		pgbouncer -q "$pgb/pgbouncer.ini"
	wait_for -p "$run/pgbouncer.pid" "$pgbouncer_start_s" pgbouncer_ready && return 0
	say "pgbouncer did not start; see $log/pgbouncer.log"
	return 1
}

# Whether PgBouncer takes connections: pg_isready without a password, so that it asks
# for one and no session begins (a server connection it opened would count in its pool).
pgbouncer_ready() {
	env -u PGPASSWORD PGPASSFILE=/dev/null pg_isready -q -h "$run" -p "$pgb_port" -d pc -U pc
}

# PgBouncer's clients authenticate with SCRAM: a random password per role, made once
# per state directory, kept in a password file that only its user reads (the workers':
# pc_worker; root's: pc, the console's stats user), while PgBouncer's user list holds
# only each password's SCRAM verifier. The cluster computes the verifier in a
# transaction it rolls back: no role gets a password there (it is peer only).
pgbouncer_secrets() {
	local d=$var/secrets role file owner pw ver
	own_dir 0711 '' "$d"
	: >"$pgb/userlist.txt"
	chmod 0600 "$pgb/userlist.txt"
	for role in pc_worker pc; do
		if [ $role = pc_worker ]; then file=$d/worker.pgpass owner=$(web_user); else
			file=$d/admin.pgpass owner=$(id -un); fi
		if [ ! -s "$file" ]; then
			pw=$(head -c 32 /dev/urandom | basenc --base64url | tr -d '=\n')
			(umask 077 && printf '*:*:*:%s:%s\n' "$role" "$pw" >"$file")
		fi
		if is_root; then chown "$owner" "$file"; fi
		chmod 0600 "$file"
		pw=$(cut -d: -f5 "$file")
		ver=$(printf '%s\n' 'BEGIN;' "SET LOCAL password_encryption = 'scram-sha-256';" \
			"ALTER ROLE $role PASSWORD '$pw';" \
			"SELECT rolpassword FROM pg_authid WHERE rolname = '$role';" 'ROLLBACK;' |
			pg_super -tA) || { say "could not make PgBouncer's secrets"; return 1; }
		printf '"%s" "%s"\n' "$role" "$ver" >>"$pgb/userlist.txt"
	done
}

# SIGTERM: PgBouncer closes every connection at once.
pgbouncer_down() { daemon_stop "$run/pgbouncer.pid"; }
