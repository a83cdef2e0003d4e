/*
 * it_roles.c - who may reach the database, and what each role may do there: the private
 * cluster authenticates every connection (peer, no trust) over a socket directory that
 * other local accounts cannot open; PgBouncer asks for a password; the worker's role
 * can only call the request functions, which run as the schema's owner; the consumer's
 * and the App tool's roles read only what they need (schema/012_roles.sql).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "it_util.h"

#define CMD_MAX 1024
#define OUT_MAX 4096
#define SQLSTATE_DENIED "42501" /* insufficient_privilege */

TestSuite(roles, .init = it_restore_demo, .timeout = 60);

static void need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("the services run as users of their own only when started as root");
}

/* psql as the operating system user os_user, connecting as role, to the cluster the
 * suite uses; 0 when it connected and ran SELECT 1. */
static int psql_as(const char *os_user, const char *role, char *out, size_t cap)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd),
	         "cd / && runuser -u %s -- psql -X -w -tA -h '%s' -p '%s' -U %s -d pc "
	         "-c 'SELECT 1' 2>&1",
	         os_user, it_env("PGHOST"), it_env("PGPORT"), role);
	return it_shell(cmd, out, cap);
}

/* A connection to the suite's cluster as role (root may use every role). */
static PGconn *as_role(const char *role)
{
	char ci[512];
	PGconn *c;

	snprintf(ci, sizeof(ci), "host=%s port=%s dbname=pc user=%s", it_env("PGHOST"),
	         it_env("PGPORT"), role);
	c = PQconnectdb(ci);
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "connect as %s: %s", role, PQerrorMessage(c));
	return c;
}

/* The SQLSTATE sql ends with ("00000" when it succeeds), each in a transaction rolled
 * back, so that a statement that wrongly succeeds changes nothing. */
static const char *state_of(PGconn *c, const char *sql)
{
	static char st[6];
	PGresult *r;
	ExecStatusType es;
	const char *s;

	r = PQexec(c, "BEGIN");
	PQclear(r);
	r = PQexec(c, sql);
	es = PQresultStatus(r);
	s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	snprintf(st, sizeof(st), "%s",
	         es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK ? "00000"
	         : s                                             ? s
	                                                         : "?????");
	PQclear(r);
	r = PQexec(c, "ROLLBACK");
	PQclear(r);
	return st;
}

/* Each statement is refused for lack of privilege. */
static void expect_denied(PGconn *c, const char *role, const char *const *sql, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(state_of(c, sql[i]), SQLSTATE_DENIED, "%s may run: %s", role,
		                 sql[i]);
}

Test(roles, other_local_accounts_cannot_reach_the_cluster)
{
	char out[OUT_MAX], sock[512];

	need_root();
	snprintf(sock, sizeof(sock), "%s/.s.PGSQL.%s", it_env("PGHOST"), it_env("PGPORT"));
	/* nobody can neither open the socket directory nor connect */
	cr_expect_neq(psql_as("nobody", "postgres", out, sizeof(out)), 0, "nobody connected");
	cr_expect(strstr(out, "Permission denied") != NULL, "nobody: %s", out);
	snprintf(out, sizeof(out), "cd / && runuser -u nobody -- test -e '%s'", sock);
	cr_expect_neq(system(out), 0, "nobody can see the socket");
}

Test(roles, peer_authentication_maps_each_user_to_its_roles)
{
	char out[OUT_MAX];
	PGconn *c;
	long long loose;

	need_root();
	/* the workers' user reaches the socket, but only as the worker's role */
	cr_expect_eq(psql_as("www-data", "pc_worker", out, sizeof(out)), 0, "www-data: %s", out);
	cr_expect_neq(psql_as("www-data", "postgres", out, sizeof(out)), 0,
	              "www-data connected as the superuser");
	cr_expect(strstr(out, "Peer authentication failed") != NULL, "www-data: %s", out);
	cr_expect_neq(psql_as("www-data", "pc", out, sizeof(out)), 0,
	              "www-data connected as the schema's owner");
	/* no rule trusts, asks a password in clear, or listens on the network */
	c = as_role("postgres");
	{
		PGresult *r = PQexec(c, "SELECT count(*) FROM pg_hba_file_rules "
		                        "WHERE type <> 'local' OR auth_method <> 'peer' "
		                        "OR error IS NOT NULL");
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
		loose = atoll(PQgetvalue(r, 0, 0));
		PQclear(r);
		r = PQexec(c, "SHOW listen_addresses");
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
		cr_expect_str_eq(PQgetvalue(r, 0, 0), "", "the cluster listens on TCP");
		PQclear(r);
	}
	cr_expect_eq(loose, 0, "pg_hba.conf has %lld rule(s) other than local peer", loose);
	PQfinish(c);
}

Test(roles, the_worker_can_only_call_the_request_functions)
{
	static const char *const denied[] = {
	    "DELETE FROM recording_event",
	    "UPDATE recording_event SET format = 'wav'",
	    "TRUNCATE recording_event",
	    "INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action, "
	    "started_at, format) VALUES (3, '444444', '01', 1, 'start', now(), 'wav')",
	    "ALTER TABLE recording_event DISABLE TRIGGER USER",
	    "DROP TRIGGER recording_event_no_update ON recording_event",
	    "SELECT token_hash FROM access_token",
	    "SELECT secret_hash FROM app",
	    "SELECT count(*) FROM account",
	    "SELECT count(*) FROM phone_call",
	    "SELECT count(*) FROM phone_call_view",
	    "UPDATE phone_call_view SET recording = NULL",
	    "SELECT count(*) FROM idempotency_key",
	    "SELECT count(*) FROM event_ack",
	    "SELECT count(*) FROM schema_migrations",
	    "CREATE TABLE public.mine (x int)",
	    "CREATE FUNCTION public.pc_date(ts timestamptz) RETURNS text LANGUAGE sql AS 'SELECT "
	    "1'",
	    "SELECT pc_call_end('444444')",
	    "SELECT pc_idempotency_purge()",
	    "SELECT pc_app_revoke('demo-crm-user-12')",
	    "SELECT pc_token_revoke(sha256('demo-user-12-token'))",
	};
	PGconn *c = as_role("pc_worker");
	PGresult *r;

	expect_denied(c, "pc_worker", denied, sizeof(denied) / sizeof(*denied));
	/* what it is for: a token's context, through its function */
	r = PQexec(c, "SELECT kind, account_id, org_id FROM pc_auth(sha256('" TOK_U12 "'))");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "pc_auth: %s", PQerrorMessage(c));
	cr_assert_eq(PQntuples(r), 1);
	cr_expect_str_eq(PQgetvalue(r, 0, 0), "user");
	cr_expect_str_eq(PQgetvalue(r, 0, 1), "12");
	cr_expect_str_eq(PQgetvalue(r, 0, 2), "3");
	PQclear(r);
	PQfinish(c);
}

Test(roles, the_request_functions_run_as_the_owner_with_a_fixed_search_path)
{
	/* every function of the schema's owner that the worker may call */
	char *names = DB_TEXT("SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p "
	                      "WHERE p.pronamespace = 'public'::regnamespace "
	                      "AND p.proowner = 'pc'::regrole "
	                      "AND has_function_privilege('pc_worker', p.oid, 'EXECUTE')");
	long long loose = DB_LL("SELECT count(*) FROM pg_proc p "
	                        "WHERE p.pronamespace = 'public'::regnamespace "
	                        "AND p.proowner = 'pc'::regrole "
	                        "AND (has_function_privilege('pc_worker', p.oid, 'EXECUTE') "
	                        "OR has_function_privilege('pc_events', p.oid, 'EXECUTE') "
	                        "OR has_function_privilege('pc_apps', p.oid, 'EXECUTE') "
	                        "OR has_function_privilege('pc_sip', p.oid, 'EXECUTE') "
	                        "OR has_function_privilege('pc_media', p.oid, 'EXECUTE')) "
	                        "AND NOT (p.prosecdef AND 'search_path=public, pg_temp' = "
	                        "ANY (coalesce(p.proconfig, '{}')))");

	cr_expect_str_eq(names,
	                 "pc_action,pc_auth,pc_list,pc_media_status,pc_notify,pc_oauth_token");
	cr_expect_eq(loose, 0,
	             "%lld function(s) granted to a role run as the caller or without a fixed "
	             "search_path",
	             loose);
	free(names);
	/* and no table of the schema is open to the worker */
	cr_expect_eq(
	    DB_LL("SELECT count(*) FROM pg_class c "
	          "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v', 'S') "
	          "AND (has_table_privilege('pc_worker', c.oid, 'SELECT,INSERT,UPDATE,DELETE') "
	          "OR has_any_column_privilege('pc_worker', c.oid, 'SELECT,INSERT,UPDATE'))"),
	    0);
}

Test(roles, the_consumer_seals_and_reads_the_stream_and_writes_its_acknowledgements)
{
	static const char *const denied[] = {
	    "DELETE FROM recording_event",
	    "UPDATE recording_event SET format = 'wav'",
	    "ALTER TABLE recording_event DISABLE TRIGGER USER",
	    "SELECT token_hash FROM access_token",
	    "SELECT secret_hash FROM app",
	    "SELECT count(*) FROM phone_call_view",
	    "SELECT count(*) FROM idempotency_key",
	    "SELECT * FROM pc_auth(sha256('" TOK_U12 "'))",
	    "SELECT count(*) FROM recording_event",
	    "SELECT count(*) FROM event_number",
	    "UPDATE event_tick SET snap = pg_current_snapshot()",
	};
	PGconn *c = as_role("pc_events");

	expect_denied(c, "pc_events", denied, sizeof(denied) / sizeof(*denied));
	cr_expect_str_eq(state_of(c, "SELECT pc_events_seal()"), "00000");
	cr_expect_str_eq(state_of(c, "SELECT * FROM pc_events_read('roles-test', 10)"), "00000");
	cr_expect_str_eq(state_of(c, "SELECT * FROM pc_events_next('roles-test', 10, '{}', '{}')"),
	                 "00000");
	cr_expect_str_eq(state_of(c, "INSERT INTO event_ack (consumer, org_id, seq) "
	                             "VALUES ('roles-test', 3, 0)"),
	                 "00000");
	PQfinish(c);
}

Test(roles, the_app_tool_sees_no_secret)
{
	static const char *const denied[] = {
	    "SELECT secret_hash FROM app",          "SELECT token_hash FROM access_token",
	    "UPDATE app SET revoked_at = now()",    "DELETE FROM access_token",
	    "SELECT count(*) FROM recording_event", "SELECT * FROM pc_auth(sha256('" TOK_U12 "'))",
	};
	PGconn *c = as_role("pc_apps");

	expect_denied(c, "pc_apps", denied, sizeof(denied) / sizeof(*denied));
	cr_expect_str_eq(state_of(c, "SELECT id, client_id, account_id, name, revoked_at FROM app"),
	                 "00000");
	PQfinish(c);
}

Test(roles, pgbouncer_asks_for_a_password)
{
	const char *port = getenv("PC_PGBOUNCER_PORT");
	char ci[512], out[OUT_MAX], cmd[CMD_MAX];
	struct stat st;
	PGconn *c;

	if (port == NULL || *port == '\0')
		cr_skip_test("no PgBouncer in this run (PC_PGBOUNCER)");
	/* without the password: refused, whoever asks */
	snprintf(ci, sizeof(ci), "host=%s port=%s dbname=pc user=pc_worker passfile=%s/none",
	         it_env("PGHOST"), port, it_env("PC_VAR"));
	c = PQconnectdb(ci);
	cr_expect_neq(PQstatus(c), CONNECTION_OK, "PgBouncer let pc_worker in without a password");
	cr_expect(strstr(PQerrorMessage(c), "password") != NULL, "%s", PQerrorMessage(c));
	PQfinish(c);
	/* with the suite's own password file (0600, its user's alone) */
	cr_assert_eq(stat(it_env("PGPASSFILE"), &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600, "the password file is %o", st.st_mode & 0777);
	snprintf(ci, sizeof(ci), "host=%s port=%s dbname=pgbouncer user=pc", it_env("PGHOST"),
	         port);
	c = PQconnectdb(ci);
	cr_expect_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	PQfinish(c);
	if (geteuid() != 0)
		return;
	/* the workers' user cannot read root's password file */
	snprintf(cmd, sizeof(cmd), "cd / && runuser -u www-data -- cat '%s' 2>&1",
	         it_env("PGPASSFILE"));
	cr_expect_neq(it_shell(cmd, out, sizeof(out)), 0,
	              "www-data read the suite's password file");
}

Test(roles, the_sip_proxy_writes_calls_only_through_its_functions)
{
	static const char *const denied[] = {
	    "SELECT count(*) FROM phone_call",
	    "INSERT INTO phone_call (id, org_id, extension_id) VALUES ('x1', 3, 1)",
	    "SELECT count(*) FROM media_call",
	    "SELECT count(*) FROM recording_event",
	    "SELECT token_hash FROM access_token",
	    "SELECT pc_call_end('444444')",
	    "SELECT * FROM pc_media_next('roles-test', 10)",
	    "SELECT pc_media_beat('roles-test', 'x')",
	    "SELECT * FROM pc_auth(sha256('" TOK_U12 "'))",
	};
	PGconn *c = as_role("pc_sip");

	expect_denied(c, "pc_sip", denied, sizeof(denied) / sizeof(*denied));
	/* what it is for: an unknown Call-ID ends nothing; a restart of an unknown proxy none */
	cr_expect_str_eq(state_of(c, "SELECT pc_sip_end(encode('roles-test', 'hex'))"), "00000");
	cr_expect_str_eq(state_of(c, "SELECT pc_sip_restart('roles-test')"), "00000");
	PQfinish(c);
}

Test(roles, the_media_adapter_reads_the_stream_and_records_outcomes)
{
	static const char *const denied[] = {
	    "SELECT count(*) FROM recording_event",
	    "SELECT count(*) FROM media_call",
	    "UPDATE media_heartbeat SET seen_at = now()",
	    "DELETE FROM media_outcome",
	    "SELECT token_hash FROM access_token",
	    "SELECT pc_sip_restart('roles-test')",
	    "SELECT pc_call_end('444444')",
	    "SELECT * FROM pc_auth(sha256('" TOK_U12 "'))",
	};
	PGconn *c = as_role("pc_media");

	expect_denied(c, "pc_media", denied, sizeof(denied) / sizeof(*denied));
	cr_expect_str_eq(state_of(c, "SELECT pc_events_seal()"), "00000");
	cr_expect_str_eq(state_of(c, "SELECT * FROM pc_media_next('roles-test', 10)"), "00000");
	cr_expect_str_eq(state_of(c, "SELECT * FROM pc_media_intervals('x', '01')"), "00000");
	PQfinish(c);
}
