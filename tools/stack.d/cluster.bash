# cluster.bash - the private PostgreSQL cluster under the state directory (initdb, its
# sockets, who may connect as which role, the service's roles and database, the
# migrations and demo data), started and stopped with pg_ctl, which waits for it; or a
# server the PG* variables name instead. Sourced by tools/stack, after common.bash; uses
# its settings pg_port (PC_PG_PORT) and the paths of use_var.
# shellcheck shell=bash

# (from /: the caller's directory may be one postgres cannot enter, and psql and
# pg_ctl complain about it)
as_pg() { if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

# A server named by the standard variables is used instead of the private cluster
# (the variables `tools/stack env` prints for the private cluster name no other).
external_pg() { [ -n "${PGHOST:-}${PGSERVICE:-}${PGDATABASE:-}" ] && [ "${PGHOST:-}" != "$run" ]; }

pg_bin() {
	local d
	d=$(pg_config --bindir 2>/dev/null || true)
	if [ -x "$d/initdb" ]; then echo "$d"; return; fi
	for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && echo "$d"; done | sort -V | tail -n1
}

# The PG* settings the workers, migrations and tests use.
pg_env() {
	if external_pg; then
		return 0
	fi
	export PGHOST=$run PGPORT=$pg_port PGUSER=pc PGDATABASE=pc
}
# The role the workers connect as: pc_worker on the private cluster; a server named by
# the PG* variables is the operator's, with their roles (PC_WORKER_PGUSER, PGUSER, or PC_DB).
worker_role() { if external_pg; then echo "${PC_WORKER_PGUSER:-${PGUSER:-}}"; else echo pc_worker; fi; }

# psql as the cluster's superuser, over the socket in run/.
pg_super() { as_pg psql -X -q -h "$run" -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

pg_up() {
	external_pg && return 0
	local bin
	bin=$(pg_bin)
	[ -n "$bin" ] || { say "PostgreSQL server binaries not found"; return 1; }
	state_dirs
	# PostgreSQL's alone (initdb makes the data directory 0700 in it).
	own_dir 0700 "$(pg_user)" "$var/pg"
	pg_init "$bin" || return 1
	pg_auth
	pg_sockets
	if ! as_pg "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
		as_pg "$bin/pg_ctl" -D "$pgdata" -l "$log/postgres.log" -w -t 30 start >/dev/null
	elif [ "$(pg_super -tA -c 'SHOW unix_socket_directories' 2>/dev/null)" != "$(pg_socket_dirs)" ]; then
		# a cluster started before it had a second socket directory
		as_pg "$bin/pg_ctl" -D "$pgdata" -l "$log/postgres.log" -m fast -w -t 30 restart >/dev/null
	else
		as_pg "$bin/pg_ctl" -D "$pgdata" reload >/dev/null
	fi
	pg_roles
}

# The data directory, once: no TCP, peer authentication on the socket.
pg_init() {
	[ -s "$pgdata/PG_VERSION" ] && return 0
	as_pg "$1/initdb" -D "$pgdata" --auth-local=peer --auth-host=reject -U postgres \
		-E UTF8 --locale=C.UTF-8 >"$log/initdb.log" 2>&1 ||
		{ cat "$log/initdb.log" >&2; return 1; }
	cat >>"$pgdata/postgresql.conf" <<-CONF
		listen_addresses = ''
		timezone = 'UTC'
		unix_socket_directories = '$run'
		port = $pg_port
		max_connections = 100
		fsync = on
		log_min_messages = warning
		log_statement = 'none'
	CONF
}

# The service's roles (schema/roles.sql) and its database, owned by pc.
pg_roles() {
	pg_super -f - <"$top/schema/roles.sql" >/dev/null
	pg_super -tAc "SELECT 1 FROM pg_database WHERE datname = 'pc'" | grep -q 1 ||
		pg_super -c "CREATE DATABASE pc OWNER pc" >/dev/null
}

# The migrations and the demo data (tools/migrate), on the private cluster or the server
# the PG* variables name.
pg_migrate() {
	pg_env
	"$top/tools/migrate" --demo
}

# The cluster's sockets: in run/ (the workers, the tools), in pg-sip/, which the SIP
# proxy's user (kamailio) alone reaches besides PostgreSQL's (0710 postgres:kamailio), and
# in pg-media/, the media adapter's (0710 postgres:phonecalls-media): run/ holds the
# workers' sockets too, which are not theirs to reach. Settings of the stack's own,
# rewritten at each start, in a file postgresql.conf includes last.
pg_socket_dirs() { echo "$run,$var/pg-sip,$var/pg-media"; }
pg_sockets() {
	local d g
	for d in pg-sip:kamailio pg-media:phonecalls-media; do
		g=${d#*:} d=$var/${d%%:*}
		own_dir 0700 "$(pg_user)" "$d"
		if is_root && getent group "$g" >/dev/null; then chgrp "$g" "$d" && chmod 0710 "$d"; fi
	done
	echo "unix_socket_directories = '$(pg_socket_dirs)'" >"$pgdata/stack.conf"
	grep -qx "include_if_exists = 'stack.conf'" "$pgdata/postgresql.conf" ||
		echo "include_if_exists = 'stack.conf'" >>"$pgdata/postgresql.conf"
	if is_root; then chown "$(pg_user)" "$pgdata/stack.conf"; fi
	chmod 0600 "$pgdata/stack.conf"
}

# Who may connect to the private cluster, as which role: peer authentication over its
# socket alone (no TCP, no trust), mapped by operating system user. PostgreSQL's user
# is its superuser, and PgBouncer's server connections (pc_worker); the workers' user
# (www-data) is pc_worker alone; root, who starts everything and could become any of
# them anyway, may use every role (migrations, tests, tools). Written at each start
# (a cluster made before keeps no older rule).
pg_auth() {
	local pu wu me r
	pu=$(pg_user) wu=$(web_user) me=$(id -un)
	{
		echo '# tools/stack writes this file at each start'
		echo 'local all all peer map=pc'
	} >"$pgdata/pg_hba.conf"
	{
		echo '# tools/stack writes this file at each start'
		printf 'pc %s postgres\npc %s pc_worker\npc %s pc_worker\n' "$pu" "$pu" "$wu"
		# the SIP proxy (kamailio) and the media adapter: their roles alone
		echo 'pc kamailio pc_sip'
		echo 'pc phonecalls-media pc_media'
		for r in postgres pc pc_worker pc_events pc_apps pc_sip pc_media; do
			printf 'pc %s %s\n' "$me" "$r"
		done
	} | sort -u >"$pgdata/pg_ident.conf"
	if is_root; then chown "$pu" "$pgdata/pg_hba.conf" "$pgdata/pg_ident.conf"; fi
	chmod 0600 "$pgdata/pg_hba.conf" "$pgdata/pg_ident.conf"
}

# pg_ctl waits until the server has stopped (fast: open sessions are cut).
pg_down() {
	external_pg && return 0
	[ -s "$pgdata/PG_VERSION" ] || return 0
	as_pg "$(pg_bin)/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
}
