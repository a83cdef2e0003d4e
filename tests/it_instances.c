/*
 * it_instances.c - several worker pools behind one nginx upstream (the suite runs two):
 * requests are spread over them, each answers its own health check, a pool that is
 * down is passed over, and a PUT that nginx sends again after its first pool committed
 * it and died answers the same 202, with one event.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "it_util.h"

#define SPREAD_REQUESTS 40
#define SPREAD_MIN 10     /* of 40, the least any of two pools may serve */
#define LOCK_WAIT_S 5.0   /* for the held PUT to reach the database */
#define COMMIT_WAIT_S 5.0 /* for its change to commit once let go */
#define BACK_S 15.0       /* for nginx to send requests to a pool again */
#define INSTANCES_MAX 16
#define LINE_MAX 1024

static int stopped_instance; /* a pool this test stopped, started again by fini */

static void restart_stopped(void)
{
	char n[16];

	if (stopped_instance > 0) {
		snprintf(n, sizeof(n), "%d", stopped_instance);
		if (it_stack_arg("pool-start", n) == 0)
			stopped_instance = 0;
	}
	it_restore_demo();
}

TestSuite(instances, .init = it_restore_demo, .fini = restart_stopped, .timeout = 120);

/* The size of the access log now: lines written later start past it. */
static size_t log_mark(void)
{
	char path[LINE_MAX];
	size_t len = 0;
	char *text;

	snprintf(path, sizeof(path), "%s/log/access.log", it_env("PC_VAR"));
	text = it_read_file(path, &len);
	free(text);
	return text ? len : 0;
}

/* The access log past mark (malloc'd, "" when nothing was written). */
static char *log_since(size_t mark)
{
	char path[LINE_MAX];
	size_t len = 0;
	char *text, *out;

	snprintf(path, sizeof(path), "%s/log/access.log", it_env("PC_VAR"));
	text = it_read_file(path, &len);
	cr_assert(text != NULL, "no access log");
	out = strdup(mark <= len ? text + mark : "");
	free(text);
	cr_assert(out != NULL);
	return out;
}

/* Instance n's socket as the access log names it ("unix:<path>", then a comma or the
 * closing quote, so that pc.sock does not also match pc-2.sock). */
static void sock_name(int n, char *out, size_t cap)
{
	if (n == 1)
		snprintf(out, cap, "unix:%s/run/pc.sock", it_env("PC_VAR"));
	else
		snprintf(out, cap, "unix:%s/run/pc-%d.sock", it_env("PC_VAR"), n);
}

/* How many access log lines of the list request name pool n. */
static int count_upstream(const char *log, int n)
{
	char name[LINE_MAX];
	int count = 0;
	size_t len;

	sock_name(n, name, sizeof(name));
	len = strlen(name);
	for (const char *line = log; *line != '\0';) {
		const char *end = strchr(line, '\n'), *p;
		size_t llen = end ? (size_t)(end - line) : strlen(line);
		char *copy = strndup(line, llen);
		cr_assert(copy != NULL);
		if (strstr(copy, "\"GET " P_LIST210 "\"") != NULL)
			for (p = strstr(copy, name); p != NULL; p = strstr(p + len, name))
				if (p[len] == '"' || p[len] == ',')
					count++;
		free(copy);
		line += llen + (end != NULL);
	}
	return count;
}

/* Waits until nginx balances requests onto pool n again: a pool that failed is passed
 * over for fail_timeout. Leaves the upstream as the next test expects it. */
static void wait_serving(int n)
{
	double t0 = it_now();
	struct http_resp r;

	for (;;) {
		size_t mark = log_mark();
		char *log;
		int c;
		it_get(&r, TOK_U12, P_LIST210);
		http_free(&r);
		it_nap(50);
		log = log_since(mark);
		c = count_upstream(log, n);
		free(log);
		if (c > 0)
			return;
		cr_assert(it_now() - t0 < BACK_S, "nginx sends nothing to pool %d after %.0f s", n,
		          BACK_S);
		it_nap(200);
	}
}

/* GET /uapi/health/n: want (200 with that instance, or an error code's status). */
static void expect_health(int n, int want)
{
	char path[64], label[64], inst[16];
	struct http_resp r;
	yajl_val v;

	snprintf(path, sizeof(path), "/uapi/health/%d", n);
	snprintf(label, sizeof(label), "health of instance %d", n);
	it_req(&r, "GET", path, "", NULL);
	if (want != 200) {
		it_check_error(&r, want, want == 503 ? "service_unavailable" : "resource_not_found",
		               label);
		http_free(&r);
		return;
	}
	it_assert_status(&r, 200, label);
	v = it_json(&r);
	snprintf(inst, sizeof(inst), "%d", n);
	it_expect_str(it_str(v, "status"), "ok", label);
	it_expect_str(it_str(v, "instance"), inst, label);
	yajl_tree_free(v);
	http_free(&r);
}

Test(instances, requests_spread_over_every_pool)
{
	int n = it_instances(), served = 0;
	size_t mark = log_mark();
	struct http_resp r;
	char *log;

	cr_assert(n >= 2, "the suite runs %d pool(s); it needs PC_INSTANCES of 2 or more", n);
	for (int i = 1; i <= n; i++) {
		expect_health(i, 200);
		wait_serving(i); /* none is passed over after an earlier test's fault */
	}
	expect_health(n + 1, 404);
	it_req(&r, "GET", "/uapi/health", "", NULL);
	it_assert_status(&r, 200, "/uapi/health");
	http_free(&r);
	it_req(&r, "POST", "/uapi/health", "", "");
	it_check_error(&r, 405, "method_not_allowed", "POST /uapi/health");
	it_expect_str(http_header(&r, "Allow"), "GET", "Allow");
	http_free(&r);

	mark = log_mark();
	for (int i = 0; i < SPREAD_REQUESTS; i++) {
		it_get(&r, TOK_U12, P_LIST210);
		it_assert_status(&r, 200, "list");
		http_free(&r);
	}
	it_nap(100); /* nginx logs a request after answering it */
	log = log_since(mark);
	for (int i = 1; i <= n; i++) {
		int c = count_upstream(log, i);
		cr_expect(n > 2 || c >= SPREAD_MIN, "pool %d served %d of %d requests", i, c,
		          SPREAD_REQUESTS);
		served += c;
	}
	cr_expect_eq(served, SPREAD_REQUESTS, "the access log names %d answers", served);
	free(log);
}

/* A pool that is down: nginx passes it over, so no request fails; its own health check
 * answers 503; started again, it serves. */
Test(instances, a_pool_down_is_passed_over)
{
	int n = it_instances();
	char num[16];
	struct http_resp r;

	cr_assert(n >= 2);
	snprintf(num, sizeof(num), "%d", n);
	stopped_instance = n;
	cr_assert_eq(it_stack_arg("pool-stop", num), 0, "pool-stop %d failed", n);
	for (int i = 0; i < SPREAD_REQUESTS; i++) {
		it_get(&r, TOK_U12, P_LIST210);
		it_assert_status(&r, 200, "a list while one pool is down");
		http_free(&r);
	}
	expect_health(n, 503);
	expect_health(1, 200);

	cr_assert_eq(it_stack_arg("pool-start", num), 0, "pool-start %d failed", n);
	stopped_instance = 0;
	expect_health(n, 200);
	wait_serving(n);
}

/* The worker (pid and instance) whose backend waits on a lock, from its
 * application_name, pc-worker/<instance>/<pid>; 0 while none does. */
static long waiting_worker(int *instance)
{
	char *name = DB_TEXT("SELECT coalesce(max(application_name), '') FROM pg_stat_activity "
	                     "WHERE wait_event_type = 'Lock' AND application_name LIKE "
	                     "'pc-worker/%'");
	long pid = 0;

	if (name != NULL && sscanf(name, "pc-worker/%d/%ld", instance, &pid) != 2)
		pid = 0;
	free(name);
	return pid;
}

/*
 * nginx sends a PUT again when its pool dies before answering, even if that pool
 * already committed it. The PUT is held on a row lock; its worker is frozen (SIGSTOP)
 * while the lock is let go, so that the database commits the stop with nobody to
 * answer; then the worker is killed. nginx sends the PUT to the other pool, which finds
 * the view stopped and answers the same 202: one event, one change.
 */
Test(instances, put_sent_again_after_its_pool_committed_answers_the_same)
{
	long long mark = it_event_mark();
	size_t logmark = log_mark();
	struct it_held h = {.ok = 0};
	char other[LINE_MAX], first[LINE_MAX], *log, *line, *rec;
	const char *rid;
	int inst = 0;
	long pid = 0;
	double t0;
	PGconn *lock;
	PGresult *r;
	yajl_val v;

	cr_assert(it_instances() >= 2);
	lock = it_lock_views("444444");
	cr_assert(lock != NULL, "cannot lock the views of call 444444");
	cr_assert_eq(pthread_create(&h.thread, NULL, it_held_put, &h), 0);
	for (t0 = it_now(); pid == 0 && it_now() - t0 < LOCK_WAIT_S; it_nap(10))
		pid = waiting_worker(&inst);
	cr_assert(pid > 0, "the PUT never reached the database");

	cr_assert_eq(kill((pid_t)pid, SIGSTOP), 0, "SIGSTOP %ld", pid);
	r = PQexec(lock, "COMMIT");
	PQclear(r);
	PQfinish(lock);
	for (t0 = it_now();
	     it_events_since(mark, "444444", "01") == 0 && it_now() - t0 < COMMIT_WAIT_S;
	     it_nap(10))
		;
	cr_expect_eq(it_events_since(mark, "444444", "01"), 1,
	             "the frozen worker's stop did not commit");
	kill((pid_t)pid, SIGKILL);
	kill((pid_t)pid, SIGCONT);
	pthread_join(h.thread, NULL);

	cr_assert(h.ok, "no answer to the PUT");
	it_assert_status(&h.r, 202, "the PUT sent again");
	v = it_json(&h.r);
	it_expect_str(it_str(v, "id"), "444444", "id");
	it_expect_str(it_str(v, "extension"), "0003*210", "extension");
	yajl_tree_free(v);
	cr_expect_eq(it_events_since(mark, "444444", "01"), 1, "one change, one event");
	rec = it_view_recording("444444", "01");
	cr_expect(rec == NULL, "view 01 is still recording");
	free(rec);

	/* The access log shows both pools for this request: first the one that died. */
	rid = http_header(&h.r, "X-Request-Id");
	cr_assert(rid != NULL);
	log = log_since(logmark);
	line = strstr(log, rid);
	cr_assert(line != NULL, "request %s is not in the access log", rid);
	if (strchr(line, '\n') != NULL)
		*strchr(line, '\n') = '\0';
	sock_name(inst, first, sizeof(first));
	sock_name(inst == 1 ? 2 : 1, other, sizeof(other));
	cr_expect(strstr(line, first) != NULL && strstr(line, other) != NULL &&
	              strstr(line, first) < strstr(line, other),
	          "not sent to pool %d and then to another: %s", inst, line);
	http_free(&h.r);
	free(log);
	wait_serving(inst);
}
