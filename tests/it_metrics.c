/*
 * it_metrics.c - GET /uapi/metrics and /uapi/metrics/N through nginx: the text format;
 * exact counts per operation and status, summed over the pools, with the histogram
 * agreeing; counts shared by a pool's workers (one of them held busy in the database
 * while another serves) and kept when multiwatch restarts a worker; 403 for an address
 * uapi-metrics-allow.conf does not list, 405 for another method, 404 for another
 * pool's. Each scrape counts itself once the answer is written: a pool's next scrape
 * shows it, as op="metrics", status="200".
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

#define INSTANCES_MAX 16
#define SAMPLES_MAX 512 /* samples of one scrape (the worker renders 227) */
#define KEY_MAX 160     /* a sample's name and labels */
#define FAMILY_MAX 96
#define K 12             /* requests of each kind */
#define HELD_REQUESTS 10 /* served by the other workers while one is held */
#define LOCK_WAIT_S 5.0  /* for the held PUT to reach the database */
#define REPLACED_S 10.0  /* for multiwatch to replace a worker */
#define WORKERS_MAX 64
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define NOT_ALLOWED "127.0.0.9" /* not in uapi-metrics-allow.conf */

TestSuite(metrics, .init = it_restore_demo, .fini = it_restore_demo, .timeout = 120);

static const char *const ops[] = {"put", "get", "list", "token", "health", "metrics", "other"};
static const char *const statuses[] = {"200", "202", "204", "400", "401", "403", "404", "405",
                                       "409", "413", "415", "429", "500", "501", "503", "other"};
static const char *const les[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                  "0.25",  "0.5",    "1",     "2.5",  "5",     "10",   "+Inf"};
#define NOPS (sizeof(ops) / sizeof(*ops))
#define NSTATUSES (sizeof(statuses) / sizeof(*statuses))
#define NLES (sizeof(les) / sizeof(*les))

struct sample {
	char key[KEY_MAX]; /* name{labels} */
	double value;
};

/* One pool's answer to GET /uapi/metrics/N, parsed. */
struct scrape {
	int instance;
	size_t n;
	struct sample s[SAMPLES_MAX];
};

static struct scrape before[INSTANCES_MAX + 1], after[INSTANCES_MAX + 1];

static double value_of(const struct scrape *sc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The value of a sample, named by printf; fails the test when it is missing. */
static double value_of(const struct scrape *sc, const char *fmt, ...)
{
	char key[KEY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->s[i].key, key) == 0)
			return sc->s[i].value;
	cr_assert_fail("instance %d: no sample %s", sc->instance, key);
	return 0;
}

static double requests(const struct scrape *sc, const char *op, const char *status)
{
	return value_of(sc, "phonecalls_requests_total{instance=\"%d\",op=\"%s\",status=\"%s\"}",
	                sc->instance, op, status);
}

static double hist(const struct scrape *sc, const char *suffix, const char *op)
{
	return value_of(sc, "phonecalls_request_duration_seconds_%s{instance=\"%d\",op=\"%s\"}",
	                suffix, sc->instance, op);
}

static double bucket(const struct scrape *sc, const char *op, const char *le)
{
	return value_of(
	    sc, "phonecalls_request_duration_seconds_bucket{instance=\"%d\",op=\"%s\",le=\"%s\"}",
	    sc->instance, op, le);
}

static double gauge(const struct scrape *sc, const char *name)
{
	return value_of(sc, "%s{instance=\"%d\"}", name, sc->instance);
}

/*
 * Parses the text exposition format, line by line: a HELP line, then the family's TYPE
 * line, then its samples, each "name{labels} value" with a name of the family and the
 * instance label first; no sample twice. Then each operation's histogram: buckets in
 * order, cumulative, +Inf equal to _count.
 */
static void parse(const char *body, int instance, struct scrape *sc)
{
	char family[FAMILY_MAX] = "", type[16] = "", want[32];
	char *text = strdup(body), *save = NULL;
	size_t len = strlen(body);

	cr_assert(text != NULL);
	cr_assert(len > 0 && body[len - 1] == '\n', "instance %d: the text ends in a newline",
	          instance);
	sc->instance = instance;
	sc->n = 0;
	snprintf(want, sizeof(want), "{instance=\"%d\"", instance);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp, *end;
		if (strncmp(line, "# HELP ", 7) == 0) {
			cr_assert_eq(sscanf(line, "# HELP %95s", family), 1, "%s", line);
			type[0] = '\0';
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			char fam[FAMILY_MAX];
			cr_assert_eq(sscanf(line, "# TYPE %95s %15s", fam, type), 2, "%s", line);
			cr_assert_str_eq(fam, family, "TYPE after the family's HELP: %s", line);
			continue;
		}
		if (line[0] == '#')
			continue; /* a comment */
		cr_assert(type[0] != '\0', "a sample before its HELP and TYPE: %s", line);
		cr_assert(strncmp(line, family, strlen(family)) == 0, "not of %s: %s", family,
		          line);
		cr_assert(strstr(line, want) == line + strcspn(line, "{"),
		          "instance %d: not labelled %s first: %s", instance, want, line);
		sp = strrchr(line, ' ');
		cr_assert(sp != NULL && (size_t)(sp - line) < KEY_MAX, "%s", line);
		*sp = '\0';
		cr_assert(sp[-1] == '}', "labels end the name: %s", line);
		for (size_t i = 0; i < sc->n; i++)
			cr_assert(strcmp(sc->s[i].key, line) != 0, "twice: %s", line);
		cr_assert(sc->n < SAMPLES_MAX);
		snprintf(sc->s[sc->n].key, KEY_MAX, "%s", line);
		sc->s[sc->n].value = strtod(sp + 1, &end);
		cr_assert(*end == '\0' && end != sp + 1, "value of %s: %s", line, sp + 1);
		cr_assert(sc->s[sc->n].value >= 0, "%s", line);
		sc->n++;
	}
	free(text);
	for (size_t o = 0; o < NOPS; o++) {
		double prev = 0;
		for (size_t b = 0; b < NLES; b++) {
			double v = bucket(sc, ops[o], les[b]);
			cr_expect_geq(v, prev, "instance %d, %s: bucket le=%s below the one before",
			              instance, ops[o], les[b]);
			prev = v;
		}
		cr_expect_eq(prev, hist(sc, "count", ops[o]), "instance %d, %s: +Inf is not _count",
		             instance, ops[o]);
	}
}

/* GET /uapi/metrics/n, checked and parsed into sc. */
static void scrape(int n, struct scrape *sc)
{
	char path[64];
	struct http_resp r;

	snprintf(path, sizeof(path), "/uapi/metrics/%d", n);
	it_req(&r, "GET", path, "", NULL);
	it_assert_status(&r, 200, path);
	it_expect_str(http_header(&r, "Content-Type"), CONTENT_TYPE, "Content-Type");
	it_expect_str(http_header(&r, "Cache-Control"), "no-store", "Cache-Control");
	parse(r.body, n, sc);
	http_free(&r);
	cr_expect_eq(gauge(sc, "phonecalls_metrics_pool_wide"), 1, "instance %d: pool-wide", n);
	cr_expect_geq(gauge(sc, "phonecalls_worker_starts_total"), atof(it_env("PC_WORKERS")),
	              "instance %d: every worker started on it", n);
	cr_expect_gt(gauge(sc, "phonecalls_metrics_start_time_seconds"), 1.6e9);
}

static void scrape_all(int n, struct scrape *out)
{
	for (int i = 1; i <= n; i++)
		scrape(i, &out[i]);
}

/* after minus before, summed over the instances (0: all). */
static double delta(int n, int only, const char *op, const char *status)
{
	double d = 0;

	for (int i = 1; i <= n; i++)
		if (only == 0 || only == i)
			d += requests(&after[i], op, status) - requests(&before[i], op, status);
	return d;
}

/* Holds every (operation, status) delta to want(op, status); each pool's scrape before
 * counts once, on its pool; each operation's histogram grew by its requests. */
static void expect_deltas(int n, int only, double (*want)(const char *, const char *))
{
	for (size_t o = 0; o < NOPS; o++) {
		double count = 0;
		for (size_t s = 0; s < NSTATUSES; s++) {
			double d = delta(n, only, ops[o], statuses[s]),
			       w = want(ops[o], statuses[s]);
			if (strcmp(ops[o], "metrics") == 0 && strcmp(statuses[s], "200") == 0)
				w += only ? 1 : n;
			cr_expect_eq(d, w,
			             "instance %d (0: all): op=%s status=%s grew by %.0f, not %.0f",
			             only, ops[o], statuses[s], d, w);
			count += d;
		}
		double hc = 0, hs = 0;
		for (int i = 1; i <= n; i++) {
			if (only != 0 && only != i)
				continue;
			hc += hist(&after[i], "count", ops[o]) - hist(&before[i], "count", ops[o]);
			hs += hist(&after[i], "sum", ops[o]) - hist(&before[i], "sum", ops[o]);
			for (size_t b = 0; b < NLES; b++)
				cr_expect_geq(bucket(&after[i], ops[o], les[b]),
				              bucket(&before[i], ops[o], les[b]),
				              "instance %d, %s: bucket le=%s went down", i, ops[o],
				              les[b]);
		}
		cr_expect_eq(hc, count, "op=%s: the histogram counted %.0f, the requests %.0f",
		             ops[o], hc, count);
		cr_expect(count == 0 ? hs == 0 : hs > 0, "op=%s: latency sum grew by %f for %.0f",
		          ops[o], hs, count);
	}
}

static double want_mixed(const char *op, const char *status)
{
	static const struct {
		const char *op, *status;
	} sent[] = {{"list", "200"},  {"list", "401"},  {"get", "200"},
	            {"put", "202"},   {"put", "400"},   {"other", "404"},
	            {"other", "405"}, {"token", "200"}, {"health", "200"}};

	for (size_t i = 0; i < sizeof(sent) / sizeof(*sent); i++)
		if (strcmp(sent[i].op, op) == 0 && strcmp(sent[i].status, status) == 0)
			return K;
	return 0;
}

static void send_k(const char *method, const char *target, const char *headers, const char *body,
                   int status)
{
	struct http_resp r;

	for (int i = 0; i < K; i++) {
		it_req(&r, method, target, headers, body);
		cr_expect_eq(r.status, status, "%s %s: %d: %.200s", method, target, r.status,
		             r.body);
		http_free(&r);
	}
}

/* K requests of each kind through the balanced paths: the deltas summed over the
 * pools are exactly K per operation and status, nothing else moved. */
Test(metrics, exact_counts_over_the_pools)
{
	int n = it_instances();

	cr_assert(n >= 1 && n <= INSTANCES_MAX);
	scrape_all(n, before);
	send_k("GET", P_LIST210, H_AUTH(TOK_U12), NULL, 200);
	send_k("GET", P_LIST210, H_AUTH("no-such-token"), NULL, 401);
	send_k("GET", P_CALL444, H_AUTH(TOK_U12), NULL, 200);
	send_k("PUT", P_CALL444, H_AUTH(TOK_U12) H_JSON, BODY_STOP01, 202);
	send_k("PUT", P_CALL444, H_AUTH(TOK_U12) H_JSON, "{\"action\":\"Nothing\"}", 400);
	send_k("GET", "/uapi/no-such-thing", "", NULL, 404);
	send_k("DELETE", P_CALL444, H_AUTH(TOK_U12), NULL, 405);
	send_k("POST", "/oauth/token.php", "Content-Type: application/x-www-form-urlencoded\r\n",
	       "grant_type=client_credentials&client_id=demo-crm-user-12&client_secret=demo-crm-"
	       "user-12-secret",
	       200);
	send_k("GET", "/uapi/health", "", NULL, 200);
	scrape_all(n, after);
	expect_deltas(n, 0, want_mixed);
}

/* The pool of the worker whose backend waits on a lock (application_name
 * pc-worker/<instance>/<pid>); 0 while none does. */
static int waiting_instance(void)
{
	char *name = DB_TEXT("SELECT coalesce(max(application_name), '') FROM pg_stat_activity "
	                     "WHERE wait_event_type = 'Lock' AND application_name LIKE "
	                     "'pc-worker/%'");
	int instance = 0;
	long pid;

	if (name == NULL || sscanf(name, "pc-worker/%d/%ld", &instance, &pid) != 2)
		instance = 0;
	free(name);
	return instance;
}

static double want_held(const char *op, const char *status)
{
	if (strcmp(op, "put") == 0 && strcmp(status, "202") == 0)
		return 1;
	if (strcmp(op, "health") == 0 && strcmp(status, "200") == 0)
		return HELD_REQUESTS;
	return 0;
}

/*
 * One worker of a pool is held in the database (its PUT waits on a row lock) while the
 * pool's other workers answer its health check; once let go, it answers the PUT. The
 * pool's counters hold both, whichever worker renders them: its workers share them.
 */
Test(metrics, a_pools_workers_share_their_counts)
{
	int n = it_instances(), inst = 0;
	struct it_held h = {.ok = 0};
	char path[64];
	struct http_resp r;
	PGconn *lock;
	PGresult *res;
	double t0;

	cr_assert(n >= 1 && n <= INSTANCES_MAX);
	cr_assert_geq(atoi(it_env("PC_WORKERS")), 2, "the test needs two workers per pool");
	scrape_all(n, before);
	lock = it_lock_views("444444");
	cr_assert(lock != NULL, "cannot lock the views of call 444444");
	cr_assert_eq(pthread_create(&h.thread, NULL, it_held_put, &h), 0);
	for (t0 = it_now(); inst == 0 && it_now() - t0 < LOCK_WAIT_S; it_nap(10))
		inst = waiting_instance();
	if (inst > 0) {
		/* a new connection each: only an idle worker of the pool can take it */
		snprintf(path, sizeof(path), "/uapi/health/%d", inst);
		for (int i = 0; i < HELD_REQUESTS; i++) {
			it_req(&r, "GET", path, "", NULL);
			cr_expect_eq(r.status, 200, "%s while a worker is held: %d", path,
			             r.status);
			http_free(&r);
		}
	}
	res = PQexec(lock, "COMMIT");
	PQclear(res);
	PQfinish(lock);
	pthread_join(h.thread, NULL);
	cr_assert(inst > 0, "the PUT never reached the database");
	cr_assert(h.ok, "no answer to the held PUT");
	it_assert_status(&h.r, 202, "the held PUT");
	http_free(&h.r);
	scrape_all(n, after);
	expect_deltas(n, inst, want_held);
	expect_deltas(n, 0, want_held);
}

/* The start time of a process (clock ticks since boot), from /proc/<pid>/stat. */
static unsigned long long started_at(long pid)
{
	char path[64], buf[1024];
	unsigned long long t = 0;
	const char *rp;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) != NULL && (rp = strrchr(buf, ')')) != NULL &&
	    sscanf(rp + 1,
	           " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
	           "%*d %*d %llu",
	           &t) != 1)
		t = 0;
	fclose(f);
	return t;
}

static int extra_scrapes; /* of pool 1, while its new worker was starting */

static double want_scrapes(const char *op, const char *status)
{
	return strcmp(op, "metrics") == 0 && strcmp(status, "200") == 0 ? extra_scrapes : 0;
}

/* A worker stopped and started again by multiwatch: the pool's counts stay, and count
 * one more start. (The oldest worker: multiwatch gives up on one that dies 3 times
 * within 10 s of its start.) */
Test(metrics, counts_outlive_a_worker)
{
	long pids[WORKERS_MAX], now[WORKERS_MAX], victim;
	size_t nw = it_pool_worker_pids(1, pids, WORKERS_MAX), nn = 0;
	int n = it_instances(), replaced = 0;
	double t0, starts;

	cr_assert(nw > 0 && n <= INSTANCES_MAX);
	scrape_all(n, before);
	victim = pids[0];
	for (size_t i = 1; i < nw; i++)
		if (started_at(pids[i]) < started_at(victim))
			victim = pids[i];
	cr_assert_eq(kill((pid_t)victim, SIGTERM), 0, "SIGTERM to worker %ld", victim);
	for (t0 = it_now(); !replaced && it_now() - t0 < REPLACED_S; it_nap(20)) {
		nn = it_pool_worker_pids(1, now, WORKERS_MAX);
		replaced = nn == nw;
		for (size_t i = 0; i < nn; i++)
			replaced &= now[i] != victim;
	}
	cr_assert(replaced, "worker %ld was not replaced (%zu of %zu running)", victim, nn, nw);
	/* the new process counts its start once it has initialized */
	starts = gauge(&before[1], "phonecalls_worker_starts_total");
	for (t0 = it_now();; it_nap(20)) {
		scrape(1, &after[1]);
		if (gauge(&after[1], "phonecalls_worker_starts_total") != starts ||
		    it_now() - t0 > REPLACED_S)
			break;
		extra_scrapes++;
	}
	for (int i = 2; i <= n; i++)
		scrape(i, &after[i]);
	cr_expect_eq(gauge(&after[1], "phonecalls_worker_starts_total"), starts + 1,
	             "one more start");
	cr_expect_eq(gauge(&after[1], "phonecalls_metrics_start_time_seconds"),
	             gauge(&before[1], "phonecalls_metrics_start_time_seconds"),
	             "the same counters");
	expect_deltas(n, 0, want_scrapes);
}

static double want_one_list(const char *op, const char *status)
{
	return strcmp(op, "list") == 0 && strcmp(status, "200") == 0;
}

/* Not public: an address uapi-metrics-allow.conf does not list is refused by nginx,
 * whatever the method, and the pools count nothing. */
Test(metrics, other_addresses_are_refused)
{
	int n = it_instances();
	struct http_resp r;
	char path[64];

	cr_assert(n >= 1 && n <= INSTANCES_MAX);
	scrape_all(n, before);
	cr_assert_eq(http_set_source(NOT_ALLOWED), 0);
	it_req(&r, "GET", "/uapi/metrics", "", NULL);
	it_check_error(&r, 403, "access_denied", "GET /uapi/metrics from " NOT_ALLOWED);
	http_free(&r);
	for (int i = 1; i <= n + 1; i++) {
		snprintf(path, sizeof(path), "/uapi/metrics/%d", i);
		it_req(&r, "GET", path, "", NULL);
		it_check_error(&r, 403, "access_denied", path);
		http_free(&r);
	}
	it_req(&r, "POST", "/uapi/metrics", "", "");
	it_check_error(&r, 403, "access_denied", "POST /uapi/metrics from " NOT_ALLOWED);
	http_free(&r);
	/* the rest of the API is not affected */
	it_get(&r, TOK_U12, P_LIST210);
	it_assert_status(&r, 200, "a list from " NOT_ALLOWED);
	http_free(&r);
	http_set_source(NULL);
	scrape_all(n, after);
	expect_deltas(n, 0, want_one_list); /* nginx answered the 403s */
}

/* From an allowed address: GET /uapi/metrics is some pool's; another method is a 405,
 * an instance that does not exist a 404. */
Test(metrics, methods_and_paths)
{
	int n = it_instances(), inst;
	struct http_resp r;
	struct scrape *sc = &after[0];
	char path[64];
	const char *p;

	cr_assert(n >= 1 && n <= INSTANCES_MAX);
	it_req(&r, "GET", "/uapi/metrics", "", NULL);
	it_assert_status(&r, 200, "GET /uapi/metrics");
	it_expect_str(http_header(&r, "Content-Type"), CONTENT_TYPE, "Content-Type");
	p = strstr(r.body, "{instance=\"");
	cr_assert(p != NULL);
	inst = atoi(p + 11);
	cr_expect(inst >= 1 && inst <= n, "instance %d of %d", inst, n);
	parse(r.body, inst, sc);
	cr_expect_eq(gauge(sc, "phonecalls_metrics_pool_wide"), 1);
	http_free(&r);

	it_req(&r, "POST", "/uapi/metrics", "", "");
	it_check_error(&r, 405, "method_not_allowed", "POST /uapi/metrics");
	it_expect_str(http_header(&r, "Allow"), "GET", "Allow");
	http_free(&r);
	for (int i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "/uapi/metrics/%d", i);
		it_req(&r, "PUT", path, H_JSON, "{}");
		it_check_error(&r, 405, "method_not_allowed", path);
		it_expect_str(http_header(&r, "Allow"), "GET", "Allow");
		http_free(&r);
	}
	snprintf(path, sizeof(path), "/uapi/metrics/%d", n + 1);
	it_req(&r, "GET", path, "", NULL);
	it_check_error(&r, 404, "resource_not_found", path);
	http_free(&r);
	it_req(&r, "GET", "/uapi/metrics/0", "", NULL);
	it_check_error(&r, 404, "resource_not_found", "/uapi/metrics/0");
	http_free(&r);
	it_req(&r, "GET", "/uapi/metricsx", "", NULL);
	it_check_error(&r, 404, "resource_not_found", "/uapi/metricsx");
	http_free(&r);
}
