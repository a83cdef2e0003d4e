/* it_idem.c - Idempotency-Key on PUT through nginx: the answer of a request carried out
 * is stored per App and replayed for the same key and request, unchanged and without a
 * second change; the same key with another request is a 409 that changes nothing, after
 * every check of the request itself; a request that fails stores no key; each App keeps
 * at most its bound of keys, dropping its oldest; keys expire after 24 h.
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
#define KEY_MAX 255    /* PC_IDEM_KEY_MAX */
#define KEYS_MAX 10000 /* pc_idempotency_keys_max(): the bound per App docs/api.md gives */
#define BOUND_SMALL 16 /* the bound the_bound_per_app lowers it to */
#define ROUNDS 3       /* ... and how many times over it sends */
#define DEF_MAX 1024   /* the text of the bound's function */
#define BOUND_FN "pc_idempotency_keys_max()"

/* The bound's function as migrated, restored after a test that lowers it. */
static char *bound_def;

/* The demo data, and no key stored yet: the tests' keys are fixed, and the suite runs
 * more than once on one database (tools/check's pooled pass). */
static void fresh(void)
{
	it_restore_demo();
	DB_EXEC("DELETE FROM idempotency_key");
	DB_EXEC("DELETE FROM idempotency_app");
	bound_def = DB_TEXT("SELECT pg_get_functiondef('" BOUND_FN "'::regprocedure)");
}

static void done(void)
{
	if (bound_def != NULL) {
		DB_EXEC(bound_def);
		char *now = DB_TEXT("SELECT pg_get_functiondef('" BOUND_FN "'::regprocedure)");
		cr_expect_str_eq(now, bound_def, "the bound was not restored");
		free(now);
	}
	free(bound_def);
	bound_def = NULL;
	it_restore_demo();
}

TestSuite(idem, .init = fresh, .fini = done, .timeout = 120);

/* Every table, the keys and the rings included (malloc'd). */
static char *state(void)
{
	char *fp = it_fingerprint(), *keys, *out;
	size_t n;

	keys = DB_TEXT("SELECT md5(coalesce(string_agg(k::text, '|' ORDER BY k::text), '')) || "
	               "(SELECT md5(coalesce(string_agg(a::text, '|' ORDER BY a::text), '')) "
	               "FROM idempotency_app a) FROM idempotency_key k");
	n = strlen(fp) + strlen(keys) + sizeof(" keys=");
	out = malloc(n);
	cr_assert(out != NULL);
	snprintf(out, n, "%s keys=%s", fp, keys);
	free(fp);
	free(keys);
	return out;
}

static long long keys_of(const char *app)
{
	return DB_LL("SELECT count(*) FROM idempotency_key WHERE app_id = $1::bigint", app);
}

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

/* A request that fails a check was never carried out: its key is not stored, a retry is
 * checked again (not a replay), and the key stays free for a request that passes. */
Test(idem, failed_requests_store_no_key)
{
	struct http_resp a, b;
	long long mark = it_event_mark();

	put_key(&a, TOK_U12, H_KEY("k-3"), P_CALL444, STOP99);
	cr_assert(it_check_error(&a, 400, "pc_phonecallview_invalid", "first"));
	cr_assert_eq(keys_of("1"), 0, "a failed request stored its key");
	put_key(&b, TOK_U12, H_KEY("k-3"), P_CALL444, STOP99);
	cr_assert(it_check_error(&b, 400, "pc_phonecallview_invalid", "retry"));
	cr_assert_null(http_header(&b, "Idempotent-Replayed"), "checked again, not replayed");
	http_free(&a);
	http_free(&b);
	put_key(&a, TOK_U12, H_KEY("k-3"), P_CALL444, STOP01);
	it_assert_status(&a, 202, "the key, free, with a request that passes");
	cr_assert_null(http_header(&a, "Idempotent-Replayed"));
	http_free(&a);
	cr_assert_eq(keys_of("1"), 1);
	cr_assert_eq(it_events_since(mark, "444444", "01"), 1);
}

/* The contract's checks come before the key (docs/api.md sections 2 and 6): a reused key
 * with a request that fails one answers that check's 400, not 409, and changes nothing;
 * the key still replays its own request afterwards. */
Test(idem, a_reused_key_answers_the_requests_own_error_first)
{
	static const struct {
		const char *path, *body, *code;
	} v[] = {
	    {P_PREFIX "99/0003*210/444444", STOP01, "user_invalid"},
	    {P_PREFIX "12/abc/444444", STOP01, "extension_invalid"},
	    {P_PREFIX "12/0003*299/444444", STOP01, "extension_invalid"},
	    {P_PREFIX "12/0003*210/bad_id", STOP01, "pc_phonecall_invalid"},
	    {P_PREFIX "12/0003*210/999999", STOP01, "pc_phonecall_invalid"},
	    {P_CALL444, "{\"action\":", "json_invalid"},
	    {P_CALL444, "{\"action\":\"Stop\",\"phoneCallViewId\":\"01\"}", "pc_action_invalid"},
	    {P_CALL444, STOP99, "pc_phonecallview_invalid"},
	    {P_CALL444,
	     "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":\"mp3\"}",
	     "pc_format_invalid"},
	    {P_CALL555, STOP01, "pc_recording_disabled"},
	};
	struct http_resp r, first;
	char *before, *after;

	put_key(&first, TOK_U12, H_KEY("k-used"), P_CALL444, STOP01);
	it_assert_status(&first, 202, "first");
	before = state();
	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		put_key(&r, TOK_U12, H_KEY("k-used"), v[i].path, v[i].body);
		cr_expect(it_check_error(&r, 400, v[i].code, v[i].path), "%s %s", v[i].path,
		          v[i].body);
		cr_expect_null(http_header(&r, "Idempotent-Replayed"), "%s", v[i].code);
		http_free(&r);
		after = state();
		cr_expect_str_eq(after, before, "%s %s changed something", v[i].path, v[i].body);
		free(after);
	}
	put_key(&r, TOK_U12, H_KEY("k-used"), P_CALL444, STOP01);
	it_assert_status(&r, 202, "the key's own request");
	cr_assert_str_eq(http_header(&r, "Idempotent-Replayed"), "true");
	cr_assert_str_eq(r.body, first.body);
	http_free(&r);
	http_free(&first);
	free(before);
}

/* Lowers the bound to n keys per App (the workers' sessions see the new definition at
 * their next request); done() restores the migration's. */
static void lower_bound(int n)
{
	char sql[DEF_MAX];

	snprintf(sql, sizeof(sql),
	         "CREATE OR REPLACE FUNCTION " BOUND_FN " RETURNS integer LANGUAGE sql "
	         "IMMUTABLE AS $$ SELECT %d $$",
	         n);
	DB_EXEC(sql);
}

/* An App that sends many more fresh keys than its bound, some with requests that fail,
 * keeps at most the bound: its latest keys, which replay; its oldest are dropped (a
 * retry with one is carried out anew). Another App's keys are not touched. */
Test(idem, the_bound_per_app)
{
	char key[64], h[128], *other;
	struct http_resp r;
	int sent = 0, stored = 0;

	long long bound = DB_LL("SELECT " BOUND_FN);

	cr_assert_eq(bound, KEYS_MAX, "the bound is %lld, docs/api.md gives %d", bound, KEYS_MAX);
	/* App 2 (organization 3) keeps two keys of its own */
	for (int i = 0; i < 2; i++) {
		snprintf(h, sizeof(h), "Idempotency-Key: app2-%d\r\n", i);
		put_key(&r, TOK_ORG3, h, P_CALLB817, i ? START01 : STOP01);
		it_assert_status(&r, 202, "App 2");
		http_free(&r);
	}
	other = DB_TEXT("SELECT string_agg(k::text, '|' ORDER BY k::text) FROM idempotency_key k "
	                "WHERE app_id = 2");
	lower_bound(BOUND_SMALL);
	for (int i = 0; i < ROUNDS * BOUND_SMALL; i++) {
		/* a stop or a start of 444444 (carried out), every fifth on a call that does
		 * not exist (refused: no key stored) */
		snprintf(key, sizeof(key), "fresh-%d", i);
		snprintf(h, sizeof(h), "Idempotency-Key: %s\r\n", key);
		int bad = i % 5 == 4;
		put_key(&r, TOK_U12, h, bad ? P_LIST210 "/999999" : P_CALL444,
		        i % 2 ? START01 : STOP01);
		if (bad) {
			cr_expect(it_check_error(&r, 400, "pc_phonecall_invalid", key));
		} else {
			it_assert_status(&r, 202, key);
			stored++;
		}
		sent++;
		http_free(&r);
		cr_assert_leq(keys_of("1"), BOUND_SMALL, "after %d keys", sent);
	}
	cr_assert_gt(stored, 2 * BOUND_SMALL, "the test sends more than twice the bound");
	cr_assert_eq(keys_of("1"), BOUND_SMALL, "App 1 keeps exactly its bound");
	/* the latest keys kept, the oldest gone */
	cr_assert_eq(
	    DB_LL("SELECT count(*) FROM idempotency_key WHERE app_id = 1 AND key = $1", "fresh-46"),
	    1);
	cr_assert_eq(
	    DB_LL("SELECT count(*) FROM idempotency_key WHERE app_id = 1 AND key = $1", "fresh-0"),
	    0);
	cr_assert_eq(
	    DB_LL("SELECT count(*) FROM idempotency_key WHERE app_id = 1 AND key = $1", "fresh-44"),
	    0, "a refused request stored no key");
	put_key(&r, TOK_U12, H_KEY("fresh-46"), P_CALL444, STOP01);
	it_assert_status(&r, 202, "the latest key");
	cr_assert_str_eq(http_header(&r, "Idempotent-Replayed"), "true");
	http_free(&r);
	put_key(&r, TOK_U12, H_KEY("fresh-0"), P_CALL444, STOP01);
	it_assert_status(&r, 202, "the oldest key, dropped: a fresh key again");
	cr_assert_null(http_header(&r, "Idempotent-Replayed"));
	http_free(&r);
	cr_assert_eq(keys_of("1"), BOUND_SMALL);
	char *now = DB_TEXT("SELECT string_agg(k::text, '|' ORDER BY k::text) FROM idempotency_key "
	                    "k WHERE app_id = 2");
	cr_assert_str_eq(now, other, "App 2's keys were touched");
	free(now);
	free(other);
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
	const char *path, *key; /* key: a whole header line */
	int status, replayed;
	char body[512];
};

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct http_resp r;
	char h[256];

	snprintf(h, sizeof(h), H_AUTH(TOK_U12) H_JSON "%s", c->key);
	pthread_barrier_wait(c->go);
	c->status = -1;
	if (http_send(&r, "PUT", c->path, h, STOP01, strlen(STOP01)) == 0) {
		c->replayed = http_header(&r, "Idempotent-Replayed") != NULL;
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
		c[i] = (struct client){.go = &go, .path = P_CALL444, .key = H_KEY("k-race")};
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

/* One key, two requests at once (a stop of 444444's view and of b817's, both recorded):
 * whichever claims the key first is carried out once, its retries get its answer, and
 * every request of the other kind answers 409 and changes nothing. */
Test(idem, concurrent_requests_racing_for_one_key)
{
	pthread_t t[CLIENTS];
	struct client c[CLIENTS];
	pthread_barrier_t go;
	long long mark = it_event_mark();
	int won[2] = {0, 0}, lost[2] = {0, 0}, fresh_answers = 0;

	DB_EXEC("UPDATE phone_call_view SET recording = now(), recording_format = 'wav' "
	        "WHERE call_id = '444444' AND id = '01'");
	cr_assert(pthread_barrier_init(&go, NULL, CLIENTS) == 0);
	for (int i = 0; i < CLIENTS; i++) {
		c[i] = (struct client){
		    .go = &go, .path = i % 2 ? P_CALLB817 : P_CALL444, .key = H_KEY("k-race-2")};
		cr_assert(pthread_create(&t[i], NULL, client_run, &c[i]) == 0);
	}
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < CLIENTS; i++) {
		cr_expect(c[i].status == 202 || c[i].status == 409, "client %d: %d: %s", i,
		          c[i].status, c[i].body);
		won[i % 2] += c[i].status == 202;
		lost[i % 2] += c[i].status == 409;
		fresh_answers += c[i].status == 202 && !c[i].replayed;
	}
	cr_assert((won[0] == CLIENTS / 2 && lost[1] == CLIENTS / 2) ||
	              (won[1] == CLIENTS / 2 && lost[0] == CLIENTS / 2),
	          "202s %d and %d, 409s %d and %d", won[0], won[1], lost[0], lost[1]);
	cr_assert_eq(fresh_answers, 1, "one request carried out, the others replayed");
	cr_assert_eq(it_events_since(mark, "444444", "01") + it_events_since(mark, CALL_B817, "01"),
	             1);
}
