/* it_idem.c - Idempotency-Key on PUT through nginx: the first answer is stored per App
 * and replayed for the same key and request, unchanged and without a second change; the
 * same key with another request is a 409 that changes nothing; keys expire after 24 h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

#define STOP01 "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"}"
#define START01 "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":\"wav\"}"
#define STOP99 "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"99\"}"
#define H_KEY(k) "Idempotency-Key: " k "\r\n"
#define CLIENTS 16
#define KEY_MAX 255 /* KEY_MAX */

/* The demo data, and no key stored yet: the tests' keys are fixed, and the suite runs
 * more than once on one database (tools/check's pooled pass). */
static void fresh(void)
{
	it_restore_demo();
	DB_EXEC("DELETE FROM idempotency_key");
}

TestSuite(idem, .init = fresh, .fini = it_restore_demo, .timeout = 60);

static void put_key(struct http_resp *r, const char *token, const char *key_header,
                    const char *path, const char *body)
{
	char h[512];

	snprintf(h, sizeof(h), "Authorization: Bearer %s\r\n" H_JSON "%s", token, key_header);
	it_req(r, "PUT", path, h, body);
}

Test(idem, retry_replays_the_first_answer_without_a_second_change)
{
	struct http_resp a, b;
	long long mark = it_event_mark();

	put_key(&a, TOK_U12, H_KEY("k-stop-1"), P_CALL444, STOP01);
	it_assert_status(&a, 202, "first");
	cr_assert_null(http_header(&a, "Idempotent-Replayed"));
	/* the view is recording again in between: a replay must not stop it */
	it_put(&b, TOK_U12, P_CALL444, START01);
	it_assert_status(&b, 202, "start without a key");
	http_free(&b);
	put_key(&b, TOK_U12, H_KEY("k-stop-1"), P_CALL444, STOP01);
	it_assert_status(&b, 202, "retry");
	cr_assert_str_eq(b.body, a.body, "the same body");
	cr_assert_str_eq(http_header(&b, "Idempotent-Replayed"), "true");
	cr_assert_eq(it_events_since(mark, "444444", "01"), 2, "one stop and one start, no more");
	char *rec = it_view_recording("444444", "01");
	cr_assert_not_null(rec, "the retry did not stop the recording again");
	free(rec);
	http_free(&a);
	http_free(&b);
}

Test(idem, same_key_other_request_is_a_conflict)
{
	struct http_resp a, b;
	char *before;

	put_key(&a, TOK_U12, H_KEY("k-2"), P_CALL444, STOP01);
	it_assert_status(&a, 202, "first");
	http_free(&a);
	before = it_fingerprint();
	put_key(&b, TOK_U12, H_KEY("k-2"), P_CALL444, START01);
	cr_assert(it_check_error(&b, 409, "idempotency_key_conflict", "another body"));
	http_free(&b);
	put_key(&b, TOK_U12, H_KEY("k-2"), P_CALLB817, STOP01);
	cr_assert(it_check_error(&b, 409, "idempotency_key_conflict", "another call"));
	http_free(&b);
	char *after = it_fingerprint();
	cr_assert_str_eq(before, after, "a conflict changes nothing");
	free(before);
	free(after);
}

Test(idem, error_answers_are_replayed_too)
{
	struct http_resp a, b;

	put_key(&a, TOK_U12, H_KEY("k-3"), P_CALL444, STOP99);
	cr_assert(it_check_error(&a, 400, "pc_phonecallview_invalid", "first"));
	put_key(&b, TOK_U12, H_KEY("k-3"), P_CALL444, STOP99);
	cr_assert(it_check_error(&b, 400, "pc_phonecallview_invalid", "retry"));
	cr_assert_str_eq(http_header(&b, "Idempotent-Replayed"), "true");
	cr_assert_str_eq(a.body, b.body);
	http_free(&a);
	http_free(&b);
}

Test(idem, keys_belong_to_their_app_and_expire)
{
	struct http_resp r;
	long long mark = it_event_mark();

	put_key(&r, TOK_U12, H_KEY("k-4"), P_CALL444, STOP01);
	it_assert_status(&r, 202, "App 1");
	http_free(&r);
	/* App 2 (organization 3) uses the same key for another request: its own */
	put_key(&r, TOK_ORG3, H_KEY("k-4"), P_CALL444, START01);
	it_assert_status(&r, 202, "App 2, same key");
	cr_assert_null(http_header(&r, "Idempotent-Replayed"));
	http_free(&r);
	/* a day later, App 1's key is free again (the view records already: no change) */
	DB_EXEC("UPDATE idempotency_key SET created_at = now() - interval '24 hours 1 second' "
	        "WHERE app_id = 1 AND key = 'k-4'");
	put_key(&r, TOK_U12, H_KEY("k-4"), P_CALL444, START01);
	it_assert_status(&r, 202, "expired key, another request: not a conflict");
	cr_assert_null(http_header(&r, "Idempotent-Replayed"));
	http_free(&r);
	cr_assert_eq(DB_LL("SELECT pc_idempotency_purge()"), 0, "the renewed key is not purged");
	cr_assert_eq(it_events_since(mark, "444444", "01"), 2);
}

Test(idem, malformed_keys_are_refused)
{
	static const char *bad[] = {
	    H_KEY("has space"),
	    "Idempotency-Key: \r\n",
	    H_KEY("a") H_KEY("b"),
	};
	struct http_resp r;
	char *before = it_fingerprint(), *after;
	char *long_key = malloc(KEY_MAX + 64);

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		put_key(&r, TOK_U12, bad[i], P_CALL444, STOP01);
		cr_expect(it_check_error(&r, 400, "request_invalid", bad[i]));
		http_free(&r);
	}
	snprintf(long_key, KEY_MAX + 64, "Idempotency-Key: %0*d\r\n", KEY_MAX + 1, 7);
	put_key(&r, TOK_U12, long_key, P_CALL444, STOP01);
	cr_expect(it_check_error(&r, 400, "request_invalid", "256 characters"));
	http_free(&r);
	after = it_fingerprint();
	cr_assert_str_eq(before, after);
	free(before);
	free(after);
	free(long_key);
}

struct client {
	pthread_barrier_t *go;
	int status;
	char body[512];
};

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct http_resp r;

	pthread_barrier_wait(c->go);
	c->status = -1;
	if (http_send(&r, "PUT", P_CALL444, H_AUTH(TOK_U12) H_JSON H_KEY("k-race"), STOP01,
	              strlen(STOP01)) == 0) {
		c->status = r.status;
		snprintf(c->body, sizeof(c->body), "%s", r.body);
		http_free(&r);
	}
	return NULL;
}

Test(idem, concurrent_retries_change_once)
{
	pthread_t t[CLIENTS];
	struct client c[CLIENTS];
	pthread_barrier_t go;
	long long mark = it_event_mark();

	cr_assert(pthread_barrier_init(&go, NULL, CLIENTS) == 0);
	for (int i = 0; i < CLIENTS; i++) {
		c[i] = (struct client){.go = &go};
		cr_assert(pthread_create(&t[i], NULL, client_run, &c[i]) == 0);
	}
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < CLIENTS; i++) {
		cr_expect_eq(c[i].status, 202, "client %d", i);
		cr_expect_str_eq(c[i].body, c[0].body, "client %d", i);
	}
	cr_assert_eq(it_events_since(mark, "444444", "01"), 1);
}
