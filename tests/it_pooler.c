/* it_pooler.c - the workers behind a PgBouncer in transaction pooling (PC_DB_POOLED):
 * they share its few server connections, their settings still hold on every statement,
 * the event consumers are still woken, and a database lost behind the pooler answers
 * 503 until it is back. These tests run in the suite's pooled pass (tools/check), where
 * $PC_PGBOUNCER names the pooled instances; elsewhere they are skipped.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

#define CLIENTS 16          /* requests at once, to make every worker connect */
#define TIMEOUT_S 5.0       /* DB_STATEMENT_TIMEOUT */
#define NOTIFY_WAIT_MS 3000 /* a wake-up follows its change within this */
#define RECOVERY_S 20.0     /* the database back: a request succeeds within this */

/* Run after the other suites (tools/check): a test stops the database. */
TestSuite(pooler, .init = it_restore_demo, .fini = it_restore_demo, .timeout = 120);

static void need_pooler(void)
{
	const char *p = getenv("PC_PGBOUNCER");

	if (p == NULL || *p == '\0')
		cr_skip_test("no instance goes through a PgBouncer (PC_PGBOUNCER)");
}

/* A PgBouncer console query: how many rows of SHOW what are for database pc. */
static long pooler_rows(const char *what)
{
	char ci[512], q[64];
	const char *host = it_env("PGHOST");
	long n = 0;
	PGconn *c;
	PGresult *r;
	int col;

	snprintf(ci, sizeof(ci), "host=%s port=%s dbname=pgbouncer user=pc", host,
	         it_env("PC_PGBOUNCER_PORT"));
	c = PQconnectdb(ci);
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "PgBouncer console: %s", PQerrorMessage(c));
	snprintf(q, sizeof(q), "SHOW %s", what);
	r = PQexec(c, q);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", q, PQerrorMessage(c));
	col = PQfnumber(r, "database");
	cr_assert(col >= 0, "%s has no database column", q);
	for (int i = 0; i < PQntuples(r); i++)
		n += strcmp(PQgetvalue(r, i, col), "pc") == 0;
	PQclear(r);
	PQfinish(c);
	return n;
}

struct client {
	pthread_barrier_t *go;
	int status;
};

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct http_resp r;

	pthread_barrier_wait(c->go);
	c->status = -1;
	if (http_send(&r, "GET", P_LIST210, H_AUTH(TOK_U12), NULL, 0) == 0) {
		c->status = r.status;
		http_free(&r);
	}
	return NULL;
}

Test(pooler, workers_share_the_poolers_server_connections)
{
	pthread_t t[CLIENTS];
	struct client c[CLIENTS];
	pthread_barrier_t go;
	long clients, servers, backends, pool;

	need_pooler();
	pool = atol(it_env("PC_PGBOUNCER_POOL"));
	for (int round = 0; round < 3; round++) {
		cr_assert(pthread_barrier_init(&go, NULL, CLIENTS) == 0);
		for (int i = 0; i < CLIENTS; i++) {
			c[i] = (struct client){.go = &go, .status = -1};
			cr_assert(pthread_create(&t[i], NULL, client_run, &c[i]) == 0);
		}
		for (int i = 0; i < CLIENTS; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&go);
		for (int i = 0; i < CLIENTS; i++)
			cr_expect_eq(c[i].status, 200, "request %d: status %d", i, c[i].status);
	}
	clients = pooler_rows("CLIENTS");
	servers = pooler_rows("SERVERS");
	/* the workers' sessions in the database: PgBouncer's, at most its pool */
	backends = DB_LL("SELECT count(*) FROM pg_stat_activity WHERE datname = 'pc' "
	                 "AND usename = 'pc' AND application_name LIKE 'pc-worker/%'");
	cr_expect(clients >= 3, "the workers are PgBouncer's clients: %ld", clients);
	cr_expect(servers >= 1 && servers <= pool, "%ld server connections, pool %ld", servers,
	          pool);
	cr_expect(backends <= pool, "%ld worker sessions in the database, pool %ld", backends,
	          pool);
	cr_expect(clients > servers, "%ld clients share %ld server connections", clients, servers);
}

/* TimeZone and statement_timeout go with each statement, not with a session that the
 * next transaction may not run on. */
Test(pooler, settings_hold_on_every_statement)
{
	struct http_resp r;
	PGconn *lock;
	double t0, took;
	long long mark;
	char *tz;

	need_pooler();
	/* the pooler's server sessions keep the cluster's own zone */
	tz = DB_TEXT("SELECT current_setting('TimeZone')");
	cr_assert(tz != NULL);
	cr_expect(strcmp(tz, "Europe/Bucharest") != 0, "the cluster's zone is %s", tz);
	free(tz);
	for (int i = 0; i < 8; i++) {
		it_get(&r, TOK_U12, P_CALL444);
		it_assert_status(&r, 200, "GET 444444");
		cr_expect(strstr(r.body, "\"answered\":\"2012-06-27T16:08:45+03:00\"") != NULL,
		          "answered in the worker's zone (PC_TZ): %s", r.body);
		http_free(&r);
	}

	/* a PUT held by a lock ends at the statement timeout */
	mark = it_event_mark();
	lock = it_lock_views("444444");
	cr_assert(lock != NULL, "cannot lock the views");
	t0 = it_now();
	it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
	took = it_now() - t0;
	PQclear(PQexec(lock, "COMMIT"));
	PQfinish(lock);
	it_check_error(&r, 503, "service_unavailable", "PUT past the statement timeout");
	http_free(&r);
	cr_expect(took >= TIMEOUT_S - 0.5 && took < TIMEOUT_S + 3.0,
	          "answered after %.1f s, the statement timeout is %.0f s", took, TIMEOUT_S);
	cr_expect_eq(it_events_since(mark, "444444", "01"), 0, "no change behind the 503");

	it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
	it_assert_status(&r, 202, "the PUT again");
	http_free(&r);
	cr_expect_eq(it_events_since(mark, "444444", "01"), 1, "one event");
}

/* Waits for a notification on c; 1 when one came within ms. */
static int notified(PGconn *c, int ms)
{
	double end = it_now() + ms / 1000.0;
	PGnotify *n;

	for (;;) {
		struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
		double left = end - it_now();

		PQconsumeInput(c);
		if ((n = PQnotifies(c)) != NULL) {
			PQfreemem(n);
			while ((n = PQnotifies(c)) != NULL)
				PQfreemem(n);
			return 1;
		}
		if (left <= 0)
			return 0;
		poll(&p, 1, (int)(left * 1000) + 1);
	}
}

/* The wake-up runs in another transaction, maybe on another server session, than the
 * change: the consumers must still hear of each change. */
Test(pooler, consumers_are_woken_after_each_change)
{
	static const char *const bodies[] = {BODY_STOP01, BODY_START01, BODY_STOP01};
	struct http_resp r;
	PGconn *c = PQconnectdb("");

	need_pooler();
	cr_assert_eq(PQstatus(c), CONNECTION_OK);
	PQclear(PQexec(c, "LISTEN recording_events"));
	for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
		it_put(&r, TOK_U12, P_CALL444, bodies[i]);
		it_assert_status(&r, 202, bodies[i]);
		http_free(&r);
		cr_expect(notified(c, NOTIFY_WAIT_MS), "no notification after %s", bodies[i]);
	}
	PQfinish(c);
}

Test(pooler, database_lost_behind_the_pooler_answers_503)
{
	struct http_resp r;
	long long mark;
	double t0;
	int ok = 0;

	need_pooler();
	mark = it_event_mark();
	cr_assert_eq(it_stack("pg-stop"), 0, "pg-stop failed");
	for (int i = 0; i < 4; i++) {
		it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
		it_check_error(&r, 503, "service_unavailable", "PUT with the database down");
		http_free(&r);
	}
	cr_assert_eq(it_stack("pg-start"), 0, "pg-start failed");
	t0 = it_now();
	while (!ok && it_now() - t0 < RECOVERY_S) {
		it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
		ok = r.status == 202;
		cr_expect(ok || r.status == 503, "status %d while the database comes back",
		          r.status);
		http_free(&r);
		if (!ok)
			it_nap(200);
	}
	cr_assert(ok, "no 202 within %.0f s of the database's return", RECOVERY_S);
	cr_expect_eq(it_events_since(mark, "444444", "01"), 1, "one event");
}
