/* it_faults.c - the database and the worker pool going away and coming back (suite runs last). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

#define BURST 8 /* concurrent requests: more than the pool has workers */
#define WORKERS_MAX 64
#define PG_RECOVERY_S 2.0 /* the contract: every request succeeds again within 2 s */
#define POOL_RECOVERY_S 15.0

/* What this test process has stopped and must start again, even when it fails. */
static int pg_stopped, pool_stopped;

static int get_status(const char *target)
{
	struct http_resp r;
	int status;

	if (http_send(&r, "GET", target, H_AUTH(TOK_U12), NULL, 0) != 0)
		return -1;
	status = r.status;
	http_free(&r);
	return status;
}

/* Polls until a GET answers 200; returns the seconds it took, or -1 past limit. */
static double wait_ok(double limit)
{
	double start = it_now();

	while (get_status(P_LIST210) != 200) {
		if (it_now() - start > limit)
			return -1;
		it_nap(20);
	}
	return it_now() - start;
}

static void restore_stack(void)
{
	if (pg_stopped && it_stack("pg-start") == 0)
		pg_stopped = 0;
	if (pool_stopped && it_stack("pool-start") == 0 && wait_ok(POOL_RECOVERY_S) >= 0)
		pool_stopped = 0;
}

TestSuite(zz_faults, .fini = restore_stack, .timeout = 120);

static void *burst_one(void *arg)
{
	int *status = arg;

	*status = get_status(P_LIST210);
	return NULL;
}

/* BURST concurrent GETs; checks that every one answered want. */
static void burst(int want, const char *label)
{
	pthread_t t[BURST];
	int status[BURST], started = 0;

	for (int i = 0; i < BURST; i++) {
		status[i] = -1;
		if (pthread_create(&t[i], NULL, burst_one, &status[i]) != 0)
			break;
		started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(started, BURST);
	for (int i = 0; i < BURST; i++)
		cr_expect_eq(status[i], want, "%s: request %d answered %d, expected %d", label, i,
		             status[i], want);
}

/* A GET and a PUT both answer 503 service_unavailable with Retry-After. */
static void expect_unavailable(const char *label)
{
	char l[128];
	struct http_resp r;

	snprintf(l, sizeof(l), "GET while %s", label);
	it_get(&r, TOK_U12, P_LIST210);
	it_check_error(&r, 503, "service_unavailable", l);
	http_free(&r);
	snprintf(l, sizeof(l), "PUT while %s", label);
	it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
	it_check_error(&r, 503, "service_unavailable", l);
	http_free(&r);
}

Test(zz_faults, database_down_and_back)
{
	long before[WORKERS_MAX], after[WORKERS_MAX];
	size_t nb = it_worker_pids(before, WORKERS_MAX), na;
	struct http_resp r;
	double took;

	cr_assert(nb > 0, "no worker processes found");
	cr_assert_eq(it_stack("pg-stop"), 0, "pg-stop failed");
	pg_stopped = 1;
	expect_unavailable("the database is down");
	burst(503, "the database is down");

	cr_assert_eq(it_stack("pg-start"), 0, "pg-start failed");
	pg_stopped = 0;
	took = wait_ok(PG_RECOVERY_S);
	cr_assert(took >= 0, "no 200 within %.0f s of the database coming back", PG_RECOVERY_S);
	for (int round = 0; round < 3; round++)
		burst(200, "the database is back");
	it_restore_demo();
	it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
	it_assert_status(&r, 202, "a stop once the database is back");
	http_free(&r);

	na = it_worker_pids(after, WORKERS_MAX);
	cr_expect(na == nb && memcmp(before, after, nb * sizeof(*before)) == 0,
	          "the worker processes changed (%zu before, %zu after): one died", nb, na);
}

Test(zz_faults, pool_down_and_back)
{
	cr_assert_eq(it_stack("pool-stop"), 0, "pool-stop failed");
	pool_stopped = 1;
	expect_unavailable("the pool is down");
	burst(503, "the pool is down");

	cr_assert_eq(it_stack("pool-start"), 0, "pool-start failed");
	cr_assert(wait_ok(POOL_RECOVERY_S) >= 0, "no 200 within %.0f s of pool-start",
	          POOL_RECOVERY_S);
	pool_stopped = 0;
	burst(200, "the pool is back");
}

/* The contract: a token is never written to a log, the error log included. */
Test(zz_faults, query_token_stays_out_of_the_error_log)
{
	char path[512];
	struct http_resp r;
	char *log;

	cr_assert_eq(it_stack("pool-stop"), 0, "pool-stop failed");
	pool_stopped = 1;
	it_get(&r, NULL, P_LIST210 "?accessRequestToken=" TOK_U12);
	it_check_error(&r, 503, "service_unavailable", "GET with a query token, pool down");
	http_free(&r);
	cr_assert_eq(it_stack("pool-start"), 0, "pool-start failed");
	cr_assert(wait_ok(POOL_RECOVERY_S) >= 0, "no 200 after pool-start");
	pool_stopped = 0;

	snprintf(path, sizeof(path), "%s/log/nginx-error.log", it_env("PC_VAR"));
	log = it_read_file(path, NULL);
	cr_assert(log != NULL, "cannot read %s", path);
	cr_expect(strstr(log, TOK_U12) == NULL, "%s holds the token of a query", path);
	free(log);
}
