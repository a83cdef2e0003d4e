/* it_events.c - the event stream: numbers per organization without gaps, given after
 * commit (a change waits for no other of its organization; one view's changes numbered
 * in commit order; a rolled-back change never numbered), and the consumer
 * (build/pc-events), killed and restarted mid-stream and across a database restart,
 * printing every event exactly once and in order, and making good an acknowledgement
 * the database lost.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "it_util.h"

#define PATH_MAX_ 512
#define TOGGLES 15    /* stop/start pairs per call and phase */
#define WAIT_MS 20000 /* for the consumer to catch up */
#define LINE_MAX_ 2048
#define EVENTS_MAX 4096

TestSuite(events, .init = it_restore_demo, .fini = it_restore_demo, .timeout = 180);

/* The last number of org, once what committed is sealed (numbers are given then:
 * schema/013_event_stream.sql). */
static long long last_seq(const char *org)
{
	DB_LL("SELECT pc_events_seal()");
	return DB_LL("SELECT coalesce((SELECT last FROM event_seq WHERE org_id = $1::bigint), 0)",
	             org);
}

/* Consumer name starts from now: every organization acknowledged up to its last number
 * (earlier suites leave events in others). */
static void consumer_from_now(const char *name)
{
	DB_LL("SELECT pc_events_seal()");
	DB_EXEC("INSERT INTO event_ack (consumer, org_id, seq) SELECT $1, org_id, last FROM "
	        "event_seq",
	        name);
}

static pid_t consumer_start(const char *name, const char *path)
{
	const char *bin = it_env("PC_EVENTS");
	pid_t pid = fork();

	cr_assert(pid >= 0);
	if (pid == 0) {
		/* not left running by a test that fails before it stops it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* the consumer's own role (schema/roles.sql); its name in pg_stat_activity */
		setenv("PGUSER", "pc_events", 1);
		setenv("PGAPPNAME", name, 1);
		execl(bin, bin, "-c", name, "-o", path, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void consumer_stop(pid_t pid, int sig)
{
	int st;

	kill(pid, sig);
	while (waitpid(pid, &st, 0) < 0)
		;
	if (sig == SIGTERM)
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the consumer stopped with %d",
		          st);
}

/* Stop then start view 01 of a call, n times. */
static void toggle(const char *token, const char *call_path, int n)
{
	static const char *bodies[2] = {
	    "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"}",
	    "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":\"wav\"}"};
	struct http_resp r;

	for (int i = 0; i < 2 * n; i++) {
		it_put(&r, token, call_path, bodies[i % 2]);
		it_assert_status(&r, 202, "toggle");
		http_free(&r);
	}
}

struct ev {
	long long org, seq;
	char action[8];
	int app_null, stopped_null;
};

/* The events in the consumer's file. */
static size_t read_events(const char *path, struct ev *ev, size_t cap)
{
	char line[LINE_MAX_];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (n < cap && fgets(line, sizeof(line), f) != NULL) {
		const char *p;
		if (strchr(line, '\n') == NULL)
			break;
		cr_assert((p = strstr(line, "\"org\":")) &&
		              sscanf(p, "\"org\":%lld", &ev[n].org) == 1,
		          "%s", line);
		cr_assert((p = strstr(line, "\"seq\":")) &&
		              sscanf(p, "\"seq\":%lld", &ev[n].seq) == 1,
		          "%s", line);
		cr_assert((p = strstr(line, "\"action\":\"")) &&
		              sscanf(p, "\"action\":\"%7[a-z]", ev[n].action) == 1,
		          "%s", line);
		ev[n].app_null = strstr(line, "\"app\":null") != NULL;
		ev[n].stopped_null = strstr(line, "\"stopped\":null") != NULL;
		n++;
	}
	fclose(f);
	return n;
}

/* The lines of path once there are want of them (or WAIT_MS passed). */
static size_t wait_events(const char *path, struct ev *ev, long long want)
{
	size_t n = 0;

	for (int waited = 0; waited < WAIT_MS; waited += 100) {
		n = read_events(path, ev, EVENTS_MAX);
		if ((long long)n >= want)
			break;
		it_nap(100);
	}
	return n;
}

Test(events, numbers_have_no_gaps_after_a_rollback)
{
	long long before = last_seq("3");
	struct http_resp r;

	/* a change made and rolled back is never numbered */
	DB_EXEC("DO $$ BEGIN PERFORM pc_action(1, 3, 12, false, '0003*210', '444444', '01', 'stop', "
	        "'wav', 'rolled-back'); RAISE EXCEPTION 'undo'; EXCEPTION WHEN raise_exception "
	        "THEN NULL; END $$");
	cr_assert_eq(last_seq("3"), before);
	it_put(&r, TOK_U12, P_CALL444, "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"}");
	it_assert_status(&r, 202, "stop");
	http_free(&r);
	cr_assert_eq(last_seq("3"), before + 1);
	cr_assert_eq(DB_LL("SELECT count(*) FROM recording_event e JOIN event_number n ON "
	                   "n.event_id = e.id WHERE n.org_id = 3 AND n.seq = "
	                   "(SELECT last FROM event_seq WHERE org_id = 3) AND e.action = 'stop' "
	                   "AND e.call_id = '444444' AND e.request_id <> 'rolled-back'"),
	             1);
	cr_assert_eq(DB_LL("SELECT count(*) FROM recording_event WHERE request_id = 'rolled-back'"),
	             0);
}

/* Until the service answers again after a database restart (a worker reconnects on
 * its next request). */
static void wait_serving(void)
{
	struct http_resp r;
	int status = 0;

	for (double t0 = it_now(); status != 200 && it_now() - t0 < 10.0; it_nap(50)) {
		it_get(&r, NULL, "/uapi/health");
		status = r.status;
		http_free(&r);
	}
	cr_assert_eq(status, 200, "the service did not answer after the database restarted");
}

/* A connection of the test's own (PG* variables: the schema's owner). */
static PGconn *db_open(void)
{
	PGconn *c = PQconnectdb("");

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	return c;
}

static void db_run(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);

	cr_assert(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
	          PQerrorMessage(c));
	PQclear(r);
}

/* The number of the event of one call whose request id is rid; 0 when unnumbered. */
static long long seq_of(const char *rid)
{
	return DB_LL("SELECT coalesce((SELECT n.seq FROM recording_event e JOIN event_number n "
	             "ON n.event_id = e.id WHERE e.request_id = $1), 0)",
	             rid);
}

/*
 * Two changes of one organization on different views: the second commits while the
 * first is still open (an event written, not committed), and is numbered without it; the
 * first is numbered when it commits, after the second, though it was written first.
 */
Test(events, a_change_waits_for_no_other_of_its_organization)
{
	long long before = last_seq("3"), mark = it_event_mark();
	struct it_held h = {.ok = 0};
	PGconn *a = db_open();
	long long done = 0;
	char *rid, ms[24];

	snprintf(ms, sizeof(ms), "%lld", mark);

	/* an event of organization 3, written and not committed */
	db_run(a, "BEGIN");
	db_run(a, "INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action, "
	          "started_at, stopped_at, format) SELECT org_id, call_id, id, extension_id, "
	          "'end', now(), now(), 'wav' FROM phone_call_view WHERE call_id = '555555' "
	          "AND id = '01'");
	/* a StopRecording of another view of organization 3 */
	cr_assert_eq(pthread_create(&h.thread, NULL, it_held_put, &h), 0);
	for (double t0 = it_now(); done == 0 && it_now() - t0 < 3.0; it_nap(20))
		done = DB_LL("SELECT count(*) FROM recording_event WHERE id > $1::bigint AND "
		             "call_id = '444444' AND action = 'stop'",
		             ms);
	cr_expect_eq(done, 1, "the PUT waited for another change of its organization to commit");
	if (done == 0)
		db_run(a, "ROLLBACK"); /* let it go, to end the test */
	pthread_join(h.thread, NULL);
	cr_assert(h.ok, "the PUT got no answer");
	it_assert_status(&h.r, 202, "stop");
	rid = strdup(http_header(&h.r, "X-Request-Id"));
	http_free(&h.r);
	cr_assert(done == 1);

	/* numbered while the first is still open */
	cr_expect_eq(last_seq("3"), before + 1);
	cr_expect_eq(seq_of(rid), before + 1);
	cr_expect_eq(DB_LL("SELECT count(*) FROM event_number n JOIN recording_event e ON "
	                   "e.id = n.event_id WHERE e.call_id = '555555' AND e.id > $1::bigint",
	                   ms),
	             0, "an uncommitted event was numbered");
	/* the first commits: numbered next */
	db_run(a, "COMMIT");
	PQfinish(a);
	cr_expect_eq(last_seq("3"), before + 2);
	cr_expect_eq(DB_LL("SELECT n.seq FROM event_number n JOIN recording_event e ON "
	                   "e.id = n.event_id WHERE e.call_id = '555555' AND e.id > $1::bigint",
	                   ms),
	             before + 2);
	free(rid);
}

/*
 * Two changes of one view, numbered in the order they committed, whatever the order of
 * their transactions' ids: B takes its id first, then waits for A's lock on the view.
 */
Test(events, one_views_changes_are_numbered_in_commit_order)
{
	long long before = last_seq("3");
	PGconn *a = db_open(), *b = db_open();
	static const char *const act = "SELECT pc_action(1, 3, 12, false, '0003*210', '444444', '01', "
	                               "$1, 'wav', $2)";
	char ra[64], rb[64];
	const char *va[2] = {"stop", ra}, *vb[2] = {"start", rb};
	PGresult *r;

	/* request ids of this run alone (events outlive the demo data) */
	snprintf(ra, sizeof(ra), "order-a-%lld", it_event_mark());
	snprintf(rb, sizeof(rb), "order-b-%lld", it_event_mark());

	db_run(b, "BEGIN");
	db_run(b, "SELECT pg_current_xact_id()"); /* B's transaction id, the older */
	db_run(a, "BEGIN");
	db_run(a, "SELECT pg_current_xact_id()");
	r = PQexecParams(a, act, 2, NULL, va, NULL, NULL, 0);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(a));
	PQclear(r);
	/* B waits for A's lock on view 01 */
	cr_assert_eq(PQsendQueryParams(b, act, 2, NULL, vb, NULL, NULL, 0), 1);
	it_nap(200);
	db_run(a, "COMMIT");
	while ((r = PQgetResult(b)) != NULL) {
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(b));
		PQclear(r);
	}
	db_run(b, "COMMIT");
	PQfinish(a);
	PQfinish(b);
	cr_assert_eq(last_seq("3"), before + 2);
	cr_expect_eq(seq_of(ra), before + 1, "the stop, committed first");
	cr_expect_eq(seq_of(rb), before + 2, "the start, committed second");
}

Test(events, consumer_killed_and_restarted_prints_each_event_once_in_order)
{
	char name[64], path[PATH_MAX_];
	static struct ev ev[EVENTS_MAX];
	long long m3 = last_seq("3"), m4 = last_seq("4"), want;
	long long next3, next4;
	size_t n = 0;
	pid_t pid;
	char *ended;

	snprintf(name, sizeof(name), "it-%ld", (long)getpid());
	snprintf(path, sizeof(path), "%s/events-%ld.jsonl", it_env("PC_VAR"), (long)getpid());
	unlink(path);
	consumer_from_now(name);

	pid = consumer_start(name, path);
	toggle(TOK_U12, P_CALL444, TOGGLES);
	toggle(TOK_U20, P_CALL666, TOGGLES);
	consumer_stop(pid, SIGKILL); /* mid-stream: whatever it had printed or acknowledged */
	toggle(TOK_U12, P_CALL444, TOGGLES); /* while it is down */
	toggle(TOK_U20, P_CALL666, TOGGLES);
	pid = consumer_start(name, path);
	toggle(TOK_U12, P_CALL444, TOGGLES);
	consumer_stop(pid, SIGKILL);
	pid = consumer_start(name, path);
	/* the database restarts under the consumer: it reconnects and goes on */
	cr_assert_eq(it_stack("pg-stop"), 0);
	cr_assert_eq(it_stack("pg-start"), 0);
	wait_serving();
	toggle(TOK_U20, P_CALL666, TOGGLES);
	/* a call ends while its view is recorded: an 'end' event, without App */
	ended = DB_TEXT("SELECT pc_call_end('b817d2618fe6f1804333')");
	cr_assert_str_eq(ended, "1");
	free(ended);

	want = (last_seq("3") - m3) + (last_seq("4") - m4);
	cr_assert_eq(want, 6 * 2 * TOGGLES + 1, "state changes made");
	wait_events(path, ev, want);
	consumer_stop(pid, SIGTERM);
	n = read_events(path, ev, EVENTS_MAX);
	cr_assert_eq((long long)n, want, "lines printed: %zu of %lld", n, want);

	/* per organization: m+1, m+2, ... with nothing twice, nothing missing */
	next3 = m3 + 1;
	next4 = m4 + 1;
	for (size_t i = 0; i < n; i++) {
		long long *next = ev[i].org == 3 ? &next3 : ev[i].org == 4 ? &next4 : NULL;
		char org[24], seq[24];
		char *action;
		cr_assert_not_null(next, "line %zu: organization %lld", i, ev[i].org);
		cr_assert_eq(ev[i].seq, *next, "line %zu: organization %lld number %lld, want %lld",
		             i, ev[i].org, ev[i].seq, *next);
		(*next)++;
		snprintf(org, sizeof(org), "%lld", ev[i].org);
		snprintf(seq, sizeof(seq), "%lld", ev[i].seq);
		action =
		    DB_TEXT("SELECT e.action FROM recording_event e JOIN event_number n ON "
		            "n.event_id = e.id WHERE n.org_id = $1::bigint AND n.seq = $2::bigint",
		            org, seq);
		cr_assert_str_eq(ev[i].action, action, "line %zu", i);
		free(action);
		if (strcmp(ev[i].action, "end") == 0)
			cr_assert(ev[i].app_null && !ev[i].stopped_null, "line %zu: the end event",
			          i);
		else
			cr_assert(!ev[i].app_null, "line %zu: an App's change names the App", i);
	}
	cr_assert_eq(next3 - 1, last_seq("3"));
	cr_assert_eq(next4 - 1, last_seq("4"));
	cr_assert_eq(DB_LL("SELECT seq FROM event_ack WHERE consumer = $1 AND org_id = 3", name),
	             last_seq("3"), "acknowledged");
	DB_EXEC("DELETE FROM event_ack WHERE consumer = $1", name);
	unlink(path);
}

/* Until consumer name has acknowledged seq in organization 3 (or WAIT_MS: why fails). */
static void wait_ack(const char *name, long long seq, const char *why)
{
	for (int waited = 0;
	     DB_LL("SELECT seq FROM event_ack WHERE consumer = $1 AND org_id = 3", name) != seq;
	     waited += 100) {
		cr_assert(waited < WAIT_MS, "%s", why);
		it_nap(100);
	}
}

/*
 * The consumer commits its acknowledgements without waiting for the disk, so a database
 * crash may lose the last ones. Here one is lost on purpose (set back, as the superuser
 * would find it after such a crash) and the consumer's connection cut: it reconnects,
 * acknowledges what it printed again, and prints nothing twice.
 */
Test(events, an_acknowledgement_the_database_lost_is_made_good_on_reconnecting)
{
	char name[64], path[PATH_MAX_], m3s[24];
	static struct ev ev[EVENTS_MAX];
	long long m3 = last_seq("3");
	size_t n;
	pid_t pid;

	snprintf(name, sizeof(name), "it-lost-%ld", (long)getpid());
	snprintf(path, sizeof(path), "%s/events-lost-%ld.jsonl", it_env("PC_VAR"),
	         (long)getpid());
	unlink(path);
	snprintf(m3s, sizeof(m3s), "%lld", m3);
	consumer_from_now(name);

	pid = consumer_start(name, path);
	toggle(TOK_U12, P_CALL444, TOGGLES);
	n = wait_events(path, ev, 2 * TOGGLES);
	cr_assert_eq((long long)n, 2 * TOGGLES, "lines printed: %zu", n);
	wait_ack(name, m3 + 2 * TOGGLES, "the consumer did not acknowledge what it printed");
	/* as if the acknowledgement had not reached the disk, and the connection was lost */
	DB_EXEC("UPDATE event_ack SET seq = $2::bigint WHERE consumer = $1 AND org_id = 3", name,
	        m3s);
	cr_assert_eq(DB_LL("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM "
	                   "pg_stat_activity WHERE application_name = $1) t",
	                   name),
	             1);
	wait_ack(name, m3 + 2 * TOGGLES, "the consumer did not acknowledge again");
	toggle(TOK_U12, P_CALL444, 1);
	wait_events(path, ev, 2 * TOGGLES + 2);
	it_nap(300); /* a line printed twice would come with these */
	consumer_stop(pid, SIGTERM);
	n = read_events(path, ev, EVENTS_MAX);
	cr_assert_eq((long long)n, 2 * TOGGLES + 2, "lines printed: %zu", n);
	for (size_t i = 0; i < n; i++)
		cr_assert(ev[i].org == 3 && ev[i].seq == m3 + 1 + (long long)i,
		          "line %zu: organization %lld number %lld", i, ev[i].org, ev[i].seq);
	DB_EXEC("DELETE FROM event_ack WHERE consumer = $1", name);
	unlink(path);
}
