/*
 * it_faults.c - the database and the worker pool going away and coming back, idle and under
 * load (tools/check runs the suite after the others).
 *
 * Under load, each PUT thread owns one view of its own call and alternates Start and Stop,
 * repeating a transition until it is answered 202; after a failed answer it reads the view
 * to learn whether that request committed anyway. So every transition it saw happen must have
 * exactly one event: fewer is a lost update, more a doubled one. PC_FAULT_ROUNDS repeats
 * each fault (make faults); every round prints one summary line.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "it_util.h"

#define BURST 8 /* concurrent requests: more than the pool has workers */
#define WORKERS_MAX 64
#define PG_RECOVERY_S 2.0 /* the contract: every request succeeds again within 2 s */
#define POOL_RECOVERY_S 15.0
#define LOAD_PUTTERS 4     /* threads changing recordings, one call each */
#define LOAD_GETTERS 2     /* threads listing calls */
#define LOAD_NAP_MS 5      /* pause between a thread's requests: a bounded load */
#define LOAD_WARM_MS 700   /* load before the fault */
#define LOAD_AFTER_MS 2500 /* load after the fault is over */
#define OUTAGE_MS 1000     /* how long the database stays down */
#define SETTLE_S 20.0      /* how long a thread may retry its last transition at the end */
#define HOLD_MS 600        /* how long a request is held in flight while its worker stops */
#define LOCK_WAIT_S 5.0
/* nginx passes over a pool that failed 3 times within this long, for this long
 * (max_fails, fail_timeout: tools/stack upstream_servers) */
#define UPSTREAM_FAIL_MS 5000
#define ROUNDS_MAX 100
#define HA_PROMOTE_S 60 /* for the monitor to promote the standby */
#define HA_REJOIN_S 120 /* for the old primary to rejoin as a standby */

/* What this test process has stopped and must start again, even when it fails. */
static int pg_stopped, pool_stopped, read_only;

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

static void drop_load_calls(void);

/* Makes new sessions of the suite's database read-only (on), as on a standby, or not.
 * Returns 1 when done. */
static int set_read_only(int on)
{
	char sql[256], *db;
	PGconn *c = PQconnectdb("");
	PGresult *r;
	int ok = 0;

	if (PQstatus(c) == CONNECTION_OK &&
	    (db = PQescapeIdentifier(c, PQdb(c), strlen(PQdb(c)))) != NULL) {
		snprintf(sql, sizeof(sql), "ALTER DATABASE %s %s", db,
		         on ? "SET default_transaction_read_only = on"
		            : "RESET default_transaction_read_only");
		PQfreemem(db);
		PQclear(PQexec(c, "SET default_transaction_read_only = off"));
		r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	PQfinish(c);
	return ok;
}

static void restore_all(void)
{
	if (read_only && set_read_only(0))
		read_only = 0;
	restore_stack();
	drop_load_calls();
}

TestSuite(faults, .fini = restore_all, .timeout = 1200);

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

/*
 * The token endpoint answers 503 service_unavailable with Retry-After too: in OAuth's
 * form when the worker answers (the database is down), in the contract's when nginx
 * does (the pool is down).
 */
static void expect_token_unavailable(int oauth_form, const char *label)
{
	char l[128];
	struct http_resp r;
	yajl_val v;

	snprintf(l, sizeof(l), "token while %s", label);
	it_req(&r, "POST", "/oauth/token.php",
	       "Content-Type: application/x-www-form-urlencoded\r\n",
	       "grant_type=client_credentials&client_id=demo-crm-user-12"
	       "&client_secret=demo-crm-user-12-secret");
	if (!oauth_form) {
		it_check_error(&r, 503, "service_unavailable", l);
		http_free(&r);
		return;
	}
	cr_expect_eq(r.status, 503, "%s: status %d: %s", l, r.status, r.body);
	cr_expect(http_header(&r, "Retry-After") != NULL, "%s: no Retry-After", l);
	v = it_json(&r);
	cr_expect_eq(it_nkeys(v), (size_t)2, "%s: %s", l, r.body);
	it_expect_str(it_str(v, "error"), "service_unavailable", l);
	yajl_tree_free(v);
	http_free(&r);
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
	snprintf(l, sizeof(l), "health while %s", label);
	it_req(&r, "GET", "/uapi/health", "", NULL);
	it_check_error(&r, 503, "service_unavailable", l);
	http_free(&r);
}

Test(faults, database_down_and_back)
{
	long before[WORKERS_MAX], after[WORKERS_MAX];
	size_t nb = it_worker_pids(before, WORKERS_MAX), na;
	struct http_resp r;
	double took;

	cr_assert(nb > 0, "no worker processes found");
	cr_assert_eq(it_stack("pg-stop"), 0, "pg-stop failed");
	pg_stopped = 1;
	expect_unavailable("the database is down");
	expect_token_unavailable(1, "the database is down");
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

/* A database that takes no writes (a standby, or one behind a pooler whose server is
 * no longer the primary) is an outage: 503 with nothing changed, never a 500; and the
 * worker looks for a writable session again, with no restart. */
Test(faults, database_without_writes)
{
	struct http_resp r;
	char *before, *after;

	it_restore_demo();
	cr_assert(set_read_only(1), "cannot make the database read-only");
	read_only = 1;
	/* every worker's session anew, read-only */
	cr_assert_eq(it_stack("pool-stop"), 0, "pool-stop failed");
	pool_stopped = 1;
	cr_assert_eq(it_stack("pool-start"), 0, "pool-start failed");
	cr_assert(wait_ok(POOL_RECOVERY_S) >= 0, "no 200 after pool-start");
	pool_stopped = 0;

	before = it_fingerprint();
	for (int i = 0; i < 4; i++) {
		it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
		it_check_error(&r, 503, "service_unavailable", "PUT, the database read-only");
		http_free(&r);
	}
	after = it_fingerprint();
	cr_expect_str_eq(after, before, "a PUT changed the read-only database");
	free(before);
	free(after);
	it_get(&r, TOK_U12, P_CALL444);
	it_assert_status(&r, 200, "GET, the database read-only");
	http_free(&r);

	cr_assert(set_read_only(0), "cannot make the database writable again");
	read_only = 0;
	it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
	it_assert_status(&r, 202, "PUT, the database writable again");
	http_free(&r);
	it_restore_demo();
}

Test(faults, pool_down_and_back)
{
	cr_assert_eq(it_stack("pool-stop"), 0, "pool-stop failed");
	pool_stopped = 1;
	expect_unavailable("the pool is down");
	expect_token_unavailable(0, "the pool is down");
	burst(503, "the pool is down");

	cr_assert_eq(it_stack("pool-start"), 0, "pool-start failed");
	cr_assert(wait_ok(POOL_RECOVERY_S) >= 0, "no 200 within %.0f s of pool-start",
	          POOL_RECOVERY_S);
	pool_stopped = 0;
	burst(200, "the pool is back");
}

/* The contract: a token is never written to a log, the error log included. */
Test(faults, query_token_stays_out_of_the_error_log)
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

/* Load */

enum fault {
	FAULT_PG_RESTART,
	FAULT_KILL_WORKER,
	FAULT_TERM_POOL,
	FAULT_KILL_INSTANCE,
	FAULT_PRIMARY_STOP
};

static const char *const fault_names[] = {"postgres-restart", "kill-9-worker", "sigterm-pool",
                                          "kill-9-instance", "primary-stop"};

/* One load thread: its call (PUT threads) and what it saw. */
struct loader {
	pthread_t thread;
	int put; /* 1: PUTs on call, 0: GETs of a list */
	char call[16];
	long sent, ok, unavailable, other, no_answer;
	int other_status;  /* the last unexpected status */
	long transitions;  /* state changes seen: answered 202, or read after a failure */
	long lost_answers; /* failed requests that committed all the same */
	int recording;     /* the view's state as last known */
	int pending;       /* a transition was tried and not yet seen to happen */
	double last_fail;  /* it_now() of the last failure; 0: none */
};

static struct loader loaders[LOAD_PUTTERS + LOAD_GETTERS];
static atomic_int load_stop;
static double load_deadline;

#define LOAD_CALL_FMT "fault%d"
#define HOLD_CALL "faulthold"
#define LOAD_EXT "0003*210" /* user 12's, recorded on demand */

/* Wall-clock seconds, to compare with the database's own start time. */
static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void load_call_path(char *buf, size_t cap, const char *call)
{
	snprintf(buf, cap, P_PREFIX "12/" LOAD_EXT "/%s", call);
}

/* Calls of the load, one view each ("01", not recorded); the demo calls stay untouched. */
static void make_load_calls(void)
{
	char call[16];

	for (int i = 0; i <= LOAD_PUTTERS; i++) {
		if (i < LOAD_PUTTERS)
			snprintf(call, sizeof(call), LOAD_CALL_FMT, i);
		else
			snprintf(call, sizeof(call), "%s", HOLD_CALL);
		DB_EXEC("INSERT INTO phone_call (id, org_id, extension_id, answered) "
		        "SELECT $1, org_id, id, now() FROM extension WHERE number = $2 "
		        "ON CONFLICT (id) DO NOTHING",
		        call, LOAD_EXT);
		DB_EXEC("INSERT INTO phone_call_view (call_id, id, org_id, extension_id, answered, "
		        "status, source, destination) "
		        "SELECT $1, '01', org_id, id, now(), 5, '{7778888}', ARRAY[number] "
		        "FROM extension WHERE number = $2 ON CONFLICT (call_id, id) DO NOTHING",
		        call, LOAD_EXT);
		DB_EXEC("UPDATE phone_call_view SET recording = NULL, recording_format = NULL "
		        "WHERE call_id = $1",
		        call);
	}
}

static void drop_load_calls(void)
{
	DB_EXEC("DELETE FROM phone_call WHERE id ~ '^fault'");
}

/* Whether the view of call is recorded (1, 0), read outside HTTP; -1 when the database
 * cannot say. Non-fatal: it runs in load threads, also while the database is down. */
static int view_state(const char *call)
{
	const char *params[1] = {call};
	PGconn *c = PQconnectdb("connect_timeout=2");
	PGresult *r = NULL;
	int state = -1;

	if (PQstatus(c) == CONNECTION_OK) {
		r = PQexecParams(c,
		                 "SELECT recording IS NOT NULL FROM phone_call_view "
		                 "WHERE call_id = $1 AND id = '01'",
		                 1, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			state = PQgetvalue(r, 0, 0)[0] == 't';
	}
	PQclear(r);
	PQfinish(c);
	return state;
}

/* One request of a load thread; returns its status, -1 when no answer came. */
static int load_request(struct loader *l, const char *path)
{
	struct http_resp r;
	int status;

	if (l->put) {
		const char *body = l->recording ? BODY_STOP01 : BODY_START01;
		if (http_send(&r, "PUT", path, H_AUTH(TOK_U12) H_JSON, body, strlen(body)) != 0)
			return -1;
	} else if (http_send(&r, "GET", path, H_AUTH(TOK_U12), NULL, 0) != 0) {
		return -1;
	}
	status = r.status;
	http_free(&r);
	return status;
}

static void *load_run(void *arg)
{
	struct loader *l = arg;
	char path[128];

	if (l->put)
		load_call_path(path, sizeof(path), l->call);
	else
		snprintf(path, sizeof(path), "%s", P_LIST210);
	for (;;) {
		/* at the end, a transition in doubt is retried until it is known */
		if (atomic_load(&load_stop) && (!l->pending || it_now() > load_deadline))
			break;
		int status = load_request(l, path);
		l->sent++;
		if (status == (l->put ? 202 : 200)) {
			l->ok++;
			if (l->put) {
				l->recording = !l->recording;
				l->transitions++;
				l->pending = 0;
			}
		} else {
			l->last_fail = wall_now();
			if (status == 503)
				l->unavailable++;
			else if (status < 0)
				l->no_answer++;
			else {
				l->other++;
				l->other_status = status;
			}
			if (l->put) {
				int now = view_state(l->call);
				l->pending = 1;
				if (now >= 0 && now != l->recording) {
					l->recording = now;
					l->transitions++;
					l->lost_answers++;
					l->pending = 0;
				}
			}
		}
		it_nap(LOAD_NAP_MS);
	}
	return NULL;
}

static void load_start(void)
{
	atomic_store(&load_stop, 0);
	for (int i = 0; i < LOAD_PUTTERS + LOAD_GETTERS; i++) {
		struct loader *l = &loaders[i];
		*l = (struct loader){.put = i < LOAD_PUTTERS};
		if (l->put)
			snprintf(l->call, sizeof(l->call), LOAD_CALL_FMT, i);
		cr_assert_eq(pthread_create(&l->thread, NULL, load_run, l), 0);
	}
}

static void load_stop_all(void)
{
	load_deadline = it_now() + SETTLE_S;
	atomic_store(&load_stop, 1);
	for (int i = 0; i < LOAD_PUTTERS + LOAD_GETTERS; i++)
		pthread_join(loaders[i].thread, NULL);
}

/* What one round of load saw, summed over the threads and checked against the database. */
struct tally {
	long sent, ok, unavailable, other, no_answer, transitions, lost_answers, pending;
	long events, doubled_runs;
	double last_fail;
	int other_status;
};

static struct tally load_tally(long long mark)
{
	struct tally t = {0};
	char m[32];

	snprintf(m, sizeof(m), "%lld", mark);
	for (int i = 0; i < LOAD_PUTTERS + LOAD_GETTERS; i++) {
		const struct loader *l = &loaders[i];
		t.sent += l->sent;
		t.ok += l->ok;
		t.unavailable += l->unavailable;
		t.other += l->other;
		t.no_answer += l->no_answer;
		t.transitions += l->transitions;
		t.lost_answers += l->lost_answers;
		t.pending += l->pending;
		if (l->other)
			t.other_status = l->other_status;
		if (l->last_fail > t.last_fail)
			t.last_fail = l->last_fail;
		if (!l->put)
			continue;
		t.events += it_events_since(mark, l->call, "01");
		/* two starts or two stops in a row: one change recorded twice */
		t.doubled_runs += DB_LL("SELECT count(*) FROM (SELECT action, lag(action) OVER "
		                        "(ORDER BY id) AS prev FROM recording_event "
		                        "WHERE id > $1 AND call_id = $2) s WHERE action = prev",
		                        m, l->call);
	}
	return t;
}

/* The checks every fault shares: statuses, and one event per transition. */
static void check_tally(const struct tally *t, const char *label)
{
	cr_expect_eq(t->other, 0, "%s: %ld answers neither success nor 503 (last: %d)", label,
	             t->other, t->other_status);
	cr_expect_eq(t->no_answer, 0, "%s: %ld requests got no HTTP answer", label, t->no_answer);
	cr_expect_eq(t->pending, 0, "%s: %ld transitions still in doubt at the end", label,
	             t->pending);
	cr_expect(t->transitions > 0, "%s: no transition happened", label);
	cr_expect_eq(t->events, t->transitions, "%s: %ld events for %ld transitions (%s)", label,
	             t->events, t->transitions,
	             t->events < t->transitions ? "lost updates" : "doubled updates");
	cr_expect_eq(t->doubled_runs, 0, "%s: %ld repeated actions in the event history", label,
	             t->doubled_runs);
}

static void report(const char *label, const struct tally *t, const char *extra)
{
	long lost = t->transitions > t->events ? t->transitions - t->events : 0;
	long doubled = t->events > t->transitions ? t->events - t->transitions : 0;

	fprintf(
	    stderr,
	    "fault %s: %ld requests, %ld ok, %ld 503, %ld other, %ld unanswered; "
	    "%ld transitions, %ld events, lost %ld, doubled %ld, failed-but-committed %ld; %s\n",
	    label, t->sent, t->ok, t->unavailable, t->other, t->no_answer, t->transitions,
	    t->events, lost, doubled, t->lost_answers, extra);
}

static int fault_rounds(void)
{
	const char *v = getenv("PC_FAULT_ROUNDS");
	int n = v ? atoi(v) : 1;

	return n < 1 ? 1 : n > ROUNDS_MAX ? ROUNDS_MAX : n;
}

/* (a) The database restarts under load: 503 meanwhile, no worker exits, all well 2 s on.
 * The database's return is its postmaster's start time: earlier than it accepts connections,
 * so the recovery measured is if anything too long. */
static void pg_restart(const char *label)
{
	long before[WORKERS_MAX], after[WORKERS_MAX];
	size_t nb = it_worker_pids(before, WORKERS_MAX), na;
	long long mark = it_event_mark();
	double t0, back, down_s, since;
	char *start;
	struct tally t;
	char extra[128];

	cr_assert(nb > 0, "no worker processes found");
	load_start();
	it_nap(LOAD_WARM_MS);
	t0 = wall_now();
	cr_assert_eq(it_stack("pg-stop"), 0, "pg-stop failed");
	pg_stopped = 1;
	it_nap(OUTAGE_MS);
	cr_assert_eq(it_stack("pg-start"), 0, "pg-start failed");
	pg_stopped = 0;
	start = DB_TEXT("SELECT extract(epoch FROM pg_postmaster_start_time())");
	back = strtod(start, NULL);
	free(start);
	down_s = back - t0;
	it_nap(LOAD_AFTER_MS);
	load_stop_all();

	t = load_tally(mark);
	check_tally(&t, label);
	since = t.last_fail > 0 ? t.last_fail - back : 0;
	/* Behind a PgBouncer, a short outage may cost no request: it holds the statements
	 * (query_wait_timeout, 5 s) until the database is back. Directly, some must fail. */
	if (getenv("PC_PGBOUNCER") == NULL || *getenv("PC_PGBOUNCER") == '\0')
		cr_expect(t.unavailable > 0,
		          "%s: no request answered 503 while the database was down", label);
	cr_expect(since <= PG_RECOVERY_S, "%s: a request failed %.2f s after the database was back",
	          label, since);
	na = it_worker_pids(after, WORKERS_MAX);
	cr_expect(na == nb && memcmp(before, after, nb * sizeof(*before)) == 0,
	          "%s: the worker processes changed (%zu before, %zu after)", label, nb, na);
	if (t.last_fail > 0)
		snprintf(extra, sizeof(extra),
		         "database down %.2f s; last failure %.3f s after the postmaster started",
		         down_s, since);
	else
		snprintf(extra, sizeof(extra), "database down %.2f s; no request failed", down_s);
	report(label, &t, extra);
}

/* When a process started, in clock ticks since boot (field 22 of /proc/<pid>/stat); 0 when
 * unknown. */
static unsigned long long started_at(long pid)
{
	char path[64], *text, *p;
	unsigned long long t = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	text = it_read_file(path, NULL);
	/* the command name may hold spaces: count fields after its closing parenthesis */
	p = text ? strrchr(text, ')') : NULL;
	for (int field = 2; p != NULL && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p != NULL)
		t = strtoull(p + 1, NULL, 10);
	free(text);
	return t;
}

/*
 * (b) kill -9 of one worker: multiwatch forks another; at most that worker's request fails.
 * The victim is the oldest worker: multiwatch gives up on a child that died 3 times within
 * 10 s of being forked (its -r and -t), and the rounds must not add up to that.
 */
static void kill_worker(const char *label)
{
	long before[WORKERS_MAX], now[WORKERS_MAX];
	size_t nb = it_worker_pids(before, WORKERS_MAX), nn = 0;
	long long mark = it_event_mark();
	long victim;
	double t0, replaced = -1;
	struct tally t;
	char extra[128];

	cr_assert(nb > 0, "no worker processes found");
	/* A round before may have failed requests on every pool (a pool stopped): until
	 * nginx takes them back, a request sent again would find only the pool of the killed
	 * worker, and this round must count the kill alone. */
	it_nap(UPSTREAM_FAIL_MS);
	victim = before[0];
	for (size_t i = 1; i < nb; i++)
		if (started_at(before[i]) < started_at(victim))
			victim = before[i];
	load_start();
	it_nap(LOAD_WARM_MS);
	t0 = it_now();
	cr_assert_eq(kill((pid_t)victim, SIGKILL), 0, "kill -9 %ld failed", victim);
	while (it_now() - t0 < POOL_RECOVERY_S) {
		int gone = 1;
		nn = it_worker_pids(now, WORKERS_MAX);
		for (size_t i = 0; i < nn; i++)
			gone &= now[i] != victim;
		if (gone && nn == nb) {
			replaced = it_now() - t0;
			break;
		}
		it_nap(10);
	}
	it_nap(LOAD_AFTER_MS);
	load_stop_all();

	t = load_tally(mark);
	check_tally(&t, label);
	cr_expect(replaced >= 0, "%s: worker %ld was not replaced (%zu of %zu running)", label,
	          victim, nn, nb);
	cr_expect(t.unavailable <= 1, "%s: %ld requests failed; only the killed worker's may",
	          label, t.unavailable);
	snprintf(extra, sizeof(extra), "worker replaced in %.3f s", replaced);
	report(label, &t, extra);
}

struct held {
	pthread_t thread;
	int status;
};

static void *held_put(void *arg)
{
	struct held *h = arg;
	struct http_resp r;
	char path[128];

	load_call_path(path, sizeof(path), HOLD_CALL);
	h->status = -1;
	if (http_send(&r, "PUT", path, H_AUTH(TOK_U12) H_JSON, BODY_START01,
	              strlen(BODY_START01)) == 0) {
		h->status = r.status;
		http_free(&r);
	}
	return NULL;
}

static void *stop_pool(void *arg)
{
	*(int *)arg = it_stack("pool-stop");
	return NULL;
}

/* (c) SIGTERM to the pool under load: requests in flight complete, nothing is lost. One
 * request is held in flight on purpose (its row is locked) while the pool stops. */
static void term_pool(const char *label)
{
	long long mark = it_event_mark();
	struct held h;
	pthread_t stopper;
	int stop_rc = -1, waiting = 0;
	double t0;
	PGconn *lock;
	PGresult *r;
	struct tally t;
	char extra[160];

	load_start();
	it_nap(LOAD_WARM_MS);
	lock = it_lock_views(HOLD_CALL);
	cr_assert(lock != NULL, "cannot lock the held call's view");
	cr_assert_eq(pthread_create(&h.thread, NULL, held_put, &h), 0);
	for (t0 = it_now(); !waiting && it_now() - t0 < LOCK_WAIT_S; it_nap(10))
		waiting = DB_LL("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
		                "'Lock' AND datname = current_database()") > 0;
	cr_expect(waiting, "%s: the held request never reached the database", label);

	pool_stopped = 1;
	cr_assert_eq(pthread_create(&stopper, NULL, stop_pool, &stop_rc), 0);
	it_nap(HOLD_MS);
	r = PQexec(lock, "COMMIT");
	PQclear(r);
	PQfinish(lock);
	pthread_join(h.thread, NULL);
	pthread_join(stopper, NULL);
	cr_expect_eq(stop_rc, 0, "%s: pool-stop failed", label);
	cr_expect_eq(h.status, 202, "%s: the request in flight while the pool stopped answered %d",
	             label, h.status);
	cr_expect_eq(it_events_since(mark, HOLD_CALL, "01"), h.status == 202,
	             "%s: the held request's event", label);

	cr_assert_eq(it_stack("pool-start"), 0, "pool-start failed");
	double restart = wait_ok(POOL_RECOVERY_S);
	pool_stopped = 0;
	cr_expect(restart >= 0, "%s: no 200 within %.0f s of pool-start", label, POOL_RECOVERY_S);
	it_nap(LOAD_AFTER_MS);
	load_stop_all();

	t = load_tally(mark);
	check_tally(&t, label);
	cr_expect_eq(t.lost_answers, 0, "%s: %ld requests failed after committing (cut in flight)",
	             label, t.lost_answers);
	snprintf(extra, sizeof(extra),
	         "held request answered %d after %d ms in flight; pool back in %.2f s", h.status,
	         HOLD_MS, restart);
	report(label, &t, extra);
}

/*
 * (d) kill -9 of a whole pool (its multiwatch and every worker) while another pool
 * serves: nginx sends what the dead pool had in flight to the other one, so no request
 * fails; the pool is started again and serves again.
 */
static void kill_instance(const char *label)
{
	int n = it_instances();
	long long mark = it_event_mark();
	char num[16], cmd[64], extra[160];
	long pool;
	double t0, back;
	struct tally t;

	cr_assert(n >= 2, "%s: needs two pools or more", label);
	pool = it_pool_pid(n);
	cr_assert(pool > 0);
	load_start();
	it_nap(LOAD_WARM_MS);
	t0 = it_now();
	snprintf(cmd, sizeof(cmd), "pkill -KILL -s %ld", pool);
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
	pool_stopped = 1;
	it_nap(LOAD_WARM_MS);
	snprintf(num, sizeof(num), "%d", n);
	cr_assert_eq(it_stack_arg("pool-start", num), 0, "pool-start %d failed", n);
	pool_stopped = 0;
	back = it_now() - t0;
	it_nap(LOAD_AFTER_MS);
	load_stop_all();
	/* the pool started again serves: its own health check, then through the upstream */
	{
		struct http_resp r;
		char path[64];
		snprintf(path, sizeof(path), "/uapi/health/%d", n);
		it_req(&r, "GET", path, "", NULL);
		cr_expect_eq(r.status, 200, "%s: pool %d, started again, answers %d: %s", label, n,
		             r.status, r.body);
		http_free(&r);
	}

	t = load_tally(mark);
	check_tally(&t, label);
	cr_expect_eq(t.unavailable, 0, "%s: %ld requests answered 503 while one pool was down",
	             label, t.unavailable);
	snprintf(extra, sizeof(extra), "pool %d of %d killed; started again after %.2f s", n, n,
	         back);
	report(label, &t, extra);
}

/* tools/ha with an argument; its output's first line in out (may be NULL). */
static int ha(const char *args, char *out, size_t cap)
{
	char cmd[512];
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' %s", it_env("PC_HA_TOOL"), args);
	p = popen(cmd, "r");
	cr_assert(p != NULL, "popen %s", cmd);
	if (out != NULL) {
		out[0] = '\0';
		if (fgets(out, (int)cap, p) != NULL)
			out[strcspn(out, "\n")] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/*
 * (e) The primary stops under load (tools/ha: pg_auto_failover, a synchronous standby).
 * The monitor promotes the standby; the workers, whose conninfo names both nodes with
 * target_session_attrs=read-write, reconnect to it. Requests answer 503 only during
 * the switch, and every change acknowledged with a 202 has exactly one event on the new
 * primary. The old primary is started again and rejoins as the standby.
 */
static void primary_stop(const char *label)
{
	long long mark = it_event_mark();
	char old[64], now[64], args[128], extra[400];
	double t0, promoted, rejoined;
	struct tally t;

	cr_assert_eq(ha("primary", old, sizeof(old)), 0, "tools/ha primary failed");
	cr_assert(old[0] != '\0', "no primary");
	load_start();
	it_nap(LOAD_WARM_MS);
	t0 = wall_now();
	snprintf(args, sizeof(args), "stop %s", old);
	cr_assert_eq(ha(args, NULL, 0), 0, "tools/ha %s failed", args);
	snprintf(args, sizeof(args), "wait-primary %s %d", old, HA_PROMOTE_S);
	promoted = ha(args, now, sizeof(now)) == 0 ? wall_now() - t0 : -1;
	cr_expect(promoted >= 0, "%s: no standby promoted within %d s", label, HA_PROMOTE_S);
	it_nap(LOAD_AFTER_MS);
	load_stop_all();

	t = load_tally(mark);
	check_tally(&t, label);
	cr_expect(t.last_fail == 0 || t.last_fail - t0 <= promoted + PG_RECOVERY_S,
	          "%s: a request failed %.2f s after the stop, %.2f s after the promotion", label,
	          t.last_fail - t0, t.last_fail - t0 - promoted);
	snprintf(args, sizeof(args), "start %s", old);
	cr_assert_eq(ha(args, NULL, 0), 0, "tools/ha %s failed", args);
	snprintf(args, sizeof(args), "wait-state %s:secondary %d", old, HA_REJOIN_S);
	rejoined = ha(args, NULL, 0) == 0 ? wall_now() - t0 : -1;
	cr_expect(rejoined >= 0, "%s: %s did not rejoin as a standby", label, old);
	if (snprintf(extra, sizeof(extra),
	             "%s stopped, %s promoted after %.2f s; requests whole again %.2f s after the "
	             "stop; %s back as standby after %.1f s",
	             old, now, promoted, t.last_fail > 0 ? t.last_fail - t0 : 0.0, old,
	             rejoined) < 0)
		extra[0] = '\0';
	report(label, &t, extra);
}

static void run_fault(enum fault f)
{
	int rounds = fault_rounds();

	it_restore_demo();
	make_load_calls();
	for (int i = 1; i <= rounds; i++) {
		char label[64];
		snprintf(label, sizeof(label), "%s #%d", fault_names[f], i);
		if (f == FAULT_PG_RESTART)
			pg_restart(label);
		else if (f == FAULT_KILL_WORKER)
			kill_worker(label);
		else if (f == FAULT_KILL_INSTANCE)
			kill_instance(label);
		else if (f == FAULT_PRIMARY_STOP)
			primary_stop(label);
		else
			term_pool(label);
		make_load_calls(); /* next round: every view not recorded again */
	}
}

Test(faults, load_database_restart)
{
	run_fault(FAULT_PG_RESTART);
}

Test(faults, load_worker_killed)
{
	run_fault(FAULT_KILL_WORKER);
}

Test(faults, load_pool_terminated)
{
	run_fault(FAULT_TERM_POOL);
}

Test(faults, failover_instance_killed)
{
	run_fault(FAULT_KILL_INSTANCE);
}

/* Only where the database fails over: make failover (tools/failover) sets PC_HA_TOOL. */
Test(faults, failover_primary_stopped)
{
	if (getenv("PC_HA_TOOL") == NULL)
		cr_skip_test("no failover cluster (make failover runs this)");
	run_fault(FAULT_PRIMARY_STOP);
}
