/* it_seed.c - the seed's example end to end: StopRecording, List one, List many, paging, aliases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

TestSuite(seed, .init = it_restore_demo);

/* The entry array of a list answer, asserted to hold n calls with these ids in order. */
static yajl_val entries(yajl_val root, size_t n, const char *const *ids)
{
	yajl_val e = it_key(root, "entry");

	cr_assert(YAJL_IS_ARRAY(e), "no entry array");
	cr_assert_eq(e->u.array.len, n, "entry holds %zu calls, expected %zu", e->u.array.len, n);
	for (size_t i = 0; i < n; i++)
		it_expect_str(it_str(e->u.array.values[i], "id"), ids[i], "entry id");
	return e;
}

/* Checks the collection fields of a list answer. */
static void check_page(yajl_val root, long long start, long long items, long long total)
{
	cr_expect_eq(it_nkeys(root), 4, "a list has startIndex, itemsPerPage, totalResults, entry");
	cr_expect_eq(it_int(root, "startIndex"), start, "startIndex");
	cr_expect_eq(it_int(root, "itemsPerPage"), items, "itemsPerPage");
	cr_expect_eq(it_int(root, "totalResults"), total, "totalResults");
}

/* The first view of a call object. */
static yajl_val first_view(yajl_val call)
{
	yajl_val views = it_key(call, "phoneCallView");

	cr_assert(YAJL_IS_ARRAY(views) && views->u.array.len == 1, "expected one phoneCallView");
	return views->u.array.values[0];
}

/* A list GET that must answer 200; returns its JSON. */
static yajl_val get_list(const char *token, const char *target)
{
	struct http_resp r;
	yajl_val root;

	it_get(&r, token, target);
	it_assert_status(&r, 200, target);
	cr_expect(it_is_json(&r), "%s: not JSON", target);
	root = it_json(&r);
	http_free(&r);
	return root;
}

Test(seed, stop_recording_example)
{
	char expect[512], *old, *event, want[256];
	const char *rid;
	long long mark = it_event_mark();
	struct http_resp r;

	old = it_view_recording("444444", "01");
	cr_assert(old != NULL, "demo view 444444/01 should be recorded");
	it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
	it_assert_status(&r, 202, "seed PUT");
	it_expect_str(http_header(&r, "Content-Type"), "application/json", "Content-Type");
	snprintf(expect, sizeof(expect),
	         "{\"id\":\"444444\",\"extension\":\"0003*210\",\"link\":{\"self\":\"%s%s\"}}",
	         it_base(), P_CALL444);
	it_expect_str(r.body, expect, "seed PUT body");
	rid = http_header(&r, "X-Request-Id");
	cr_assert(rid != NULL && *rid != '\0', "no X-Request-Id header");

	cr_expect_null(it_view_recording("444444", "01"), "view 01 still recorded");
	snprintf(want, sizeof(want), "%lld", mark);
	cr_expect_eq(DB_LL("SELECT count(*) FROM recording_event WHERE id > $1::bigint", want), 1,
	             "exactly one new recording_event row");
	event =
	    DB_TEXT("SELECT concat_ws('|', action, call_id, view_id, org_id, extension_id, app_id,"
	            " actor_user_id, token_id, extract(epoch FROM started_at),"
	            " stopped_at IS NOT NULL, format, request_id)"
	            " FROM recording_event WHERE id > $1::bigint",
	            want);
	snprintf(want, sizeof(want), "stop|444444|01|3|1|1|12|1|%s|t|wav|%s", old, rid);
	it_expect_str(event, want,
	              "stop event (action|call|view|org|ext|app|actor|token|started_at|stopped|"
	              "format|request_id)");
	free(event);
	free(old);
	http_free(&r);
}

Test(seed, stop_twice_is_idempotent)
{
	struct http_resp first, second;
	long long mark;

	it_put(&first, TOK_U12, P_CALL444, BODY_STOP01);
	it_assert_status(&first, 202, "first stop");
	mark = it_event_mark();
	it_put(&second, TOK_U12, P_CALL444, BODY_STOP01);
	it_assert_status(&second, 202, "second stop");
	it_expect_str(second.body, first.body, "a repeated stop answers the same body");
	cr_expect_eq(it_events_since(mark, "444444", "01"), 0, "a second stop records nothing");
	cr_expect_eq(it_event_mark(), mark, "no event at all");
	http_free(&first);
	http_free(&second);
}

Test(seed, get_one_call_every_field)
{
	char self[256];
	yajl_val root = NULL, view;
	struct http_resp r;

	it_get(&r, TOK_U12, P_CALLB817);
	it_assert_status(&r, 200, "GET b817");
	it_expect_str(http_header(&r, "Content-Type"), "application/json", "Content-Type");
	root = it_json(&r);
	snprintf(self, sizeof(self), "%s%s", it_base(), P_CALLB817);
	cr_expect_eq(it_nkeys(root), 8, "PhoneCall has 8 fields: %s", r.body);
	it_expect_str(it_str(root, "id"), CALL_B817, "root.id");
	it_expect_str(it_str(root, "extension"), "0003*210", "root.extension");
	it_expect_str(it_str(root, "ownerId"), "3", "root.ownerId");
	it_expect_str(it_str(root, "ownerName"), "Default Organization", "root.ownerName");
	it_expect_str(it_str(root, "answered"), "2012-06-27T16:08:55+03:00", "root.answered");
	it_expect_str(it_str(root, "published"), "2012-06-27T16:08:50+03:00", "root.published");
	it_expect_str(it_str(it_key(root, "link"), "self"), self, "link.self");
	cr_expect_eq(it_nkeys(it_key(root, "link")), 1);
	view = first_view(root);
	cr_expect_eq(it_nkeys(view), 8, "PhoneCallView has 8 fields while recorded");
	it_expect_str(it_str(view, "id"), "01", "view.id");
	it_expect_str(it_str(view, "extension"), "0003*210", "view.extension");
	it_expect_str(it_str(view, "answered"), "2012-06-27T16:08:55+03:00", "view.answered");
	it_expect_str(it_str(view, "status"), "5", "view.status");
	it_expect_str(it_str(view, "callerId"), "John Doe <3333>", "view.callerId");
	cr_expect(it_is_str_array1(it_key(view, "source"), "7778888"), "source");
	cr_expect(it_is_str_array1(it_key(view, "destination"), "0003*210"), "destination");
	it_expect_str(it_str(view, "recording"), "2012-06-27T16:08:55+03:00", "view.recording");
	yajl_tree_free(root);
	http_free(&r);
}

Test(seed, list_after_stop)
{
	static const char *const ids[] = {"444444", CALL_B817};
	struct http_resp r;
	yajl_val root, e, v444, vb817;

	it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
	it_assert_status(&r, 202, "stop");
	http_free(&r);
	root = get_list(TOK_U12, P_LIST210);
	check_page(root, 0, 2, 2);
	e = entries(root, 2, ids);
	v444 = first_view(e->u.array.values[0]);
	vb817 = first_view(e->u.array.values[1]);
	cr_expect_null(it_key(v444, "recording"), "444444/01 was stopped: no recording key");
	cr_expect_eq(it_nkeys(v444), 7, "the other view fields stay");
	it_expect_str(it_str(vb817, "recording"), "2012-06-27T16:08:55+03:00", "vb817.recording");
	yajl_tree_free(root);
}

Test(seed, list_paging)
{
	static const char *const first[] = {"444444"}, *const second[] = {CALL_B817};
	yajl_val root;

	root = get_list(TOK_U12, P_LIST210 "?count=1");
	check_page(root, 0, 1, 2);
	entries(root, 1, first);
	yajl_tree_free(root);

	root = get_list(TOK_U12, P_LIST210 "?startIndex=1&count=1");
	check_page(root, 1, 1, 2);
	entries(root, 1, second);
	yajl_tree_free(root);

	root = get_list(TOK_U12, P_LIST210 "?startIndex=2");
	check_page(root, 2, 0, 2);
	entries(root, 0, NULL);
	yajl_tree_free(root);

	root = get_list(TOK_U12, P_LIST210 "?startIndex=5000&count=5000");
	check_page(root, 5000, 0, 2);
	entries(root, 0, NULL);
	yajl_tree_free(root);
}

Test(seed, list_self_all_extensions)
{
	static const char *const ids[] = {"444444", CALL_B817, "555555"};
	char self[256];
	yajl_val root, e;

	root = get_list(TOK_U12, P_PREFIX "12/@self");
	check_page(root, 0, 3, 3);
	e = entries(root, 3, ids);
	it_expect_str(it_str(e->u.array.values[2], "extension"), "0003*211", "entry[2].extension");
	snprintf(self, sizeof(self), "%s" P_CALL555, it_base());
	it_expect_str(it_str(it_key(e->u.array.values[2], "link"), "self"), self,
	              "@self resolved in the self link");
	yajl_tree_free(root);
}

Test(seed, percent_encoded_star)
{
	char self[256];
	struct http_resp r;
	yajl_val root;

	snprintf(self, sizeof(self), "%s%s", it_base(), P_CALL444);
	it_get(&r, TOK_U12, P_PREFIX "12/0003%2A210/444444");
	it_assert_status(&r, 200, "GET with %2A");
	root = it_json(&r);
	it_expect_str(it_str(root, "extension"), "0003*210", "root.extension");
	it_expect_str(it_str(it_key(root, "link"), "self"), self, "link.self");
	yajl_tree_free(root);
	http_free(&r);

	root = get_list(TOK_U12, P_PREFIX "12/0003%2a210");
	check_page(root, 0, 2, 2);
	yajl_tree_free(root);

	it_put(&r, TOK_U12, P_PREFIX "12/0003%2A210/444444", BODY_STOP01);
	it_assert_status(&r, 202, "PUT with %2A");
	root = it_json(&r);
	it_expect_str(it_str(it_key(root, "link"), "self"), self, "canonical link");
	yajl_tree_free(root);
	http_free(&r);

	/* decoded exactly once: %252A is "%2A", not a star */
	it_get(&r, TOK_U12, P_PREFIX "12/0003%252A210/444444");
	it_check_error(&r, 400, "extension_invalid", "GET with %252A");
	http_free(&r);
}

Test(seed, me_and_viewer)
{
	static const char *const ids[] = {"444444", CALL_B817};
	const char *aliases[] = {"@me", "@viewer"};
	char target[128], self[256];
	struct http_resp r;
	yajl_val root;

	snprintf(self, sizeof(self), "%s%s", it_base(), P_CALL444);
	for (size_t i = 0; i < 2; i++) {
		snprintf(target, sizeof(target), P_PREFIX "%s/0003*210", aliases[i]);
		root = get_list(TOK_U12, target);
		check_page(root, 0, 2, 2);
		entries(root, 2, ids);
		yajl_tree_free(root);

		snprintf(target, sizeof(target), P_PREFIX "%s/0003*210/444444", aliases[i]);
		it_get(&r, TOK_U12, target);
		it_assert_status(&r, 200, target);
		root = it_json(&r);
		it_expect_str(it_str(it_key(root, "link"), "self"), self, target);
		yajl_tree_free(root);
		http_free(&r);

		it_put(&r, TOK_U12, target, BODY_STOP01);
		it_assert_status(&r, 202, target);
		root = it_json(&r);
		it_expect_str(it_str(it_key(root, "link"), "self"), self, target);
		yajl_tree_free(root);
		http_free(&r);
	}
}

/* Fails unless target answers 204 with no body. */
static void expect_no_content(const char *token, const char *target)
{
	struct http_resp r;

	it_get(&r, token, target);
	cr_expect_eq(r.status, 204, "%s: status %d, expected 204; body %.200s", target, r.status,
	             r.body);
	cr_expect_eq(r.body_len, 0, "%s: a 204 has no body", target);
	cr_expect_null(http_header(&r, "Content-Type"), "%s: a 204 has no Content-Type", target);
	http_free(&r);
}

Test(seed, unknown_call_is_no_content)
{
	expect_no_content(TOK_U12, P_LIST210 "/999999");
	expect_no_content(TOK_U12, P_PREFIX "12/@self/999999");
	expect_no_content(TOK_U12, P_LIST210 "/555555"); /* a call of another extension */
}

static void drop_empty_extension(void)
{
	DB_EXEC("DELETE FROM extension WHERE number = '0003*299'");
}

Test(seed, extension_without_calls_is_no_content, .fini = drop_empty_extension)
{
	DB_EXEC("INSERT INTO extension (org_id, user_id, number, recording_enabled, "
	        "recording_trigger) VALUES (3, 12, '0003*299', true, 'on_demand') "
	        "ON CONFLICT (number) DO NOTHING");
	expect_no_content(TOK_U12, P_PREFIX "12/0003*299");
	expect_no_content(TOK_U12, P_PREFIX "12/0003*299?startIndex=3&count=1");
	expect_no_content(TOK_ORG3, P_PREFIX "@owner/0003*299");
}

static void drop_tie_calls(void)
{
	DB_EXEC("DELETE FROM phone_call WHERE id IN ('zzz0', 'tie1', 'tie2')");
	drop_empty_extension();
}

Test(seed, list_orders_by_published_then_id, .fini = drop_tie_calls)
{
	static const char *const ids[] = {"zzz0", "tie1", "tie2"};
	yajl_val root, e, call, views;

	DB_EXEC("INSERT INTO extension (org_id, user_id, number) VALUES (3, 12, '0003*299') "
	        "ON CONFLICT (number) DO NOTHING");
	/* inserted out of order; tie1 and tie2 were published at the same instant */
	DB_EXEC("INSERT INTO phone_call (id, org_id, extension_id, published) "
	        "SELECT c.id, 3, e.id, c.published::timestamptz FROM extension e, (VALUES "
	        "('tie2', '2013-01-01T10:00:00Z'), ('zzz0', '2013-01-01T09:00:00Z'), "
	        "('tie1', '2013-01-01T10:00:00Z')) AS c (id, published) "
	        "WHERE e.number = '0003*299'");
	root = get_list(TOK_U12, P_PREFIX "12/0003*299");
	check_page(root, 0, 3, 3);
	e = entries(root, 3, ids);
	/* a winter date in the configured zone (Europe/Bucharest), NULL fields left out */
	call = e->u.array.values[0];
	it_expect_str(it_str(call, "published"), "2013-01-01T11:00:00+02:00", "zzz0.published");
	cr_expect_null(it_key(call, "answered"), "a NULL answered is left out");
	views = it_key(call, "phoneCallView");
	cr_expect(YAJL_IS_ARRAY(views) && views->u.array.len == 0, "a call without views");
	yajl_tree_free(root);
}

static void drop_many_calls(void)
{
	DB_EXEC("DELETE FROM phone_call WHERE id LIKE 'many%'");
	drop_empty_extension();
}

Test(seed, list_count_defaults_to_20, .fini = drop_many_calls)
{
	yajl_val root;

	DB_EXEC("INSERT INTO extension (org_id, user_id, number) VALUES (3, 12, '0003*299') "
	        "ON CONFLICT (number) DO NOTHING");
	DB_EXEC("INSERT INTO phone_call (id, org_id, extension_id, published) "
	        "SELECT 'many' || lpad(n::text, 2, '0'), 3, e.id, "
	        "'2013-01-01T10:00:00Z'::timestamptz + n * interval '1 minute' "
	        "FROM extension e, generate_series(1, 25) AS n WHERE e.number = '0003*299'");
	root = get_list(TOK_U12, P_PREFIX "12/0003*299");
	check_page(root, 0, 20, 25);
	yajl_tree_free(root);
	root = get_list(TOK_U12, P_PREFIX "12/0003*299?startIndex=20");
	check_page(root, 20, 5, 25);
	it_expect_str(it_str(it_key(root, "entry")->u.array.values[0], "id"), "many21",
	              "the first call of the second page");
	yajl_tree_free(root);
}

/* The self link is built from the Host the request came with, as in the seed. */
Test(seed, self_link_follows_the_host)
{
	static const char req[] = "GET " P_CALL444 " HTTP/1.1\r\nHost: uapi.voipnow.com\r\n"
	                          "Connection: close\r\n" H_AUTH(TOK_U12) "\r\n";
	struct http_resp r;
	yajl_val root;

	cr_assert(http_exchange(req, sizeof(req) - 1, 0, &r) == 0, "no answer");
	it_assert_status(&r, 200, "GET with Host: uapi.voipnow.com");
	root = it_json(&r);
	it_expect_str(it_str(it_key(root, "link"), "self"), "http://uapi.voipnow.com" P_CALL444,
	              "self link");
	yajl_tree_free(root);
	http_free(&r);
}
