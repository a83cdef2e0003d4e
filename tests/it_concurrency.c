/* it_concurrency.c - many clients acting on one view at once: one event per change, no corruption.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

#define CLIENTS 50

TestSuite(concurrency, .init = it_restore_demo, .timeout = 120);

struct client {
	pthread_barrier_t *go;
	const char *body;
	int status; /* -1: no answer */
};

/* One client: wait for the others, then PUT on its own connection. No asserts here. */
static void *client_run(void *arg)
{
	struct client *c = arg;
	struct http_resp r;

	pthread_barrier_wait(c->go);
	if (http_send(&r, "PUT", P_CALL444, H_AUTH(TOK_U12) H_JSON, c->body, strlen(c->body)) ==
	    0) {
		c->status = r.status;
		http_free(&r);
	} else {
		c->status = -1;
	}
	return NULL;
}

/* Releases CLIENTS PUTs of body_of(i) together; asserts every one answered 202. */
static void storm(const char *(*body_of)(int))
{
	pthread_t t[CLIENTS];
	struct client c[CLIENTS];
	pthread_barrier_t go;
	int started = 0;

	cr_assert(pthread_barrier_init(&go, NULL, CLIENTS) == 0);
	for (int i = 0; i < CLIENTS; i++) {
		c[i] = (struct client){.go = &go, .body = body_of(i), .status = -1};
		if (pthread_create(&t[i], NULL, client_run, &c[i]) != 0)
			break;
		started++;
	}
	cr_assert_eq(started, CLIENTS, "could not start %d threads", CLIENTS);
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < CLIENTS; i++)
		cr_expect_eq(c[i].status, 202, "client %d (%s): status %d, expected 202", i,
		             c[i].body, c[i].status);
}

static const char *always_stop(int i)
{
	(void)i;
	return BODY_STOP01;
}

static const char *alternate(int i)
{
	if (i % 2 == 0)
		return BODY_STOP01;
	return i % 4 == 1 ? BODY_START01_WAV49 : BODY_START01;
}

Test(concurrency, concurrent_stops_record_one_event)
{
	long long mark = it_event_mark();
	char m[24];

	storm(always_stop);
	cr_expect_eq(it_events_since(mark, "444444", "01"), 1, "exactly one stop event");
	snprintf(m, sizeof(m), "%lld", mark);
	cr_expect_eq(DB_LL("SELECT count(*) FROM recording_event WHERE id > $1::bigint", m), 1,
	             "no other event either");
	cr_expect_null(it_view_recording("444444", "01"), "the view is no longer recorded");
}

/*
 * Checks the event history since mark: it alternates stop, start, stop, ... (the view
 * starts out recorded), each stop closes the interval the previous start opened, and
 * the view's state is that of the last event.
 */
static void check_history(long long mark)
{
	char m[24], *hist, *full, *state, *save = NULL, prev_start[64] = "", last[80] = "";
	const char *want = "stop";
	int n = 0;

	snprintf(m, sizeof(m), "%lld", mark);
	hist = DB_TEXT("SELECT coalesce(string_agg(concat_ws(':', action, format,"
	               " extract(epoch FROM started_at)), ',' ORDER BY id), '')"
	               " FROM recording_event WHERE id > $1::bigint AND call_id = '444444'"
	               " AND view_id = '01'",
	               m);
	state =
	    DB_TEXT("SELECT CASE WHEN recording IS NULL THEN 'stop' ELSE concat_ws(':', 'start',"
	            " recording_format, extract(epoch FROM recording)) END FROM phone_call_view"
	            " WHERE call_id = '444444' AND id = '01'");
	full = strdup(hist);
	for (char *ev = strtok_r(hist, ",", &save); ev != NULL; ev = strtok_r(NULL, ",", &save)) {
		size_t alen = strcspn(ev, ":");
		cr_expect(strncmp(ev, want, alen) == 0 && strlen(want) == alen,
		          "event %d is %s, expected a %s (history %s)", n, ev, want, full);
		if (strncmp(ev, "start", alen) == 0)
			snprintf(prev_start, sizeof(prev_start), "%s", strchr(ev, ':') + 1);
		else if (*prev_start != '\0')
			it_expect_str(strchr(ev, ':') + 1, prev_start,
			              "a stop closes the interval its start opened");
		snprintf(last, sizeof(last), "%s", ev);
		want = strcmp(want, "stop") == 0 ? "start" : "stop";
		n++;
	}
	if (n > 0 && strncmp(last, "stop", 4) == 0)
		it_expect_str(state, "stop", "after a last stop the view is not recorded");
	else if (n > 0)
		it_expect_str(state, last, "after a last start the view is recorded as it says");
	free(full);
	free(hist);
	free(state);
}

Test(concurrency, concurrent_starts_and_stops_stay_consistent)
{
	long long mark = it_event_mark();

	storm(alternate);
	check_history(mark);
	storm(alternate);
	check_history(mark);
}
