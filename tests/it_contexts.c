/* it_contexts.c - who may act on what: user, organization, admin and provider tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

TestSuite(contexts, .init = it_restore_demo);

/* Checks a 2xx answer's self link: <base><path>. */
static void expect_link(const struct http_resp *r, const char *path, const char *label)
{
	char self[256];
	yajl_val root = it_json(r);

	snprintf(self, sizeof(self), "%s%s", it_base(), path);
	it_expect_str(it_str(it_key(root, "link"), "self"), self, label);
	yajl_tree_free(root);
}

/* GET one call: 200 and the canonical self link. */
static void get_ok(const char *token, const char *target, const char *link)
{
	char label[256];
	struct http_resp r;

	snprintf(label, sizeof(label), "GET %s with %s", target, token);
	it_get(&r, token, target);
	it_assert_status(&r, 200, label);
	expect_link(&r, link, label);
	http_free(&r);
}

/* PUT a stop of view 01: 202 and the canonical self link. */
static void put_ok(const char *token, const char *target, const char *link)
{
	char label[256];
	struct http_resp r;

	snprintf(label, sizeof(label), "PUT %s with %s", target, token);
	it_put(&r, token, target, BODY_STOP01);
	it_assert_status(&r, 202, label);
	expect_link(&r, link, label);
	http_free(&r);
}

/* GET and PUT of one call both answer the error code (400). */
static void both_fail(const char *token, const char *target, const char *code)
{
	char label[256];
	struct http_resp r;

	snprintf(label, sizeof(label), "GET %s with %s", target, token);
	it_get(&r, token, target);
	it_check_error(&r, 400, code, label);
	http_free(&r);
	snprintf(label, sizeof(label), "PUT %s with %s", target, token);
	it_put(&r, token, target, BODY_STOP01);
	it_check_error(&r, 400, code, label);
	http_free(&r);
}

/* A call out of reach by id: GET answers 204, PUT pc_phonecall_invalid. */
static void call_unknown(const char *token, const char *target)
{
	char label[256];
	struct http_resp r;

	snprintf(label, sizeof(label), "GET %s with %s", target, token);
	it_get(&r, token, target);
	cr_expect_eq(r.status, 204, "%s: status %d, expected 204", label, r.status);
	http_free(&r);
	snprintf(label, sizeof(label), "PUT %s with %s", target, token);
	it_put(&r, token, target, BODY_STOP01);
	it_check_error(&r, 400, "pc_phonecall_invalid", label);
	http_free(&r);
}

/* A list that answers 200 with exactly these call ids, in order. */
static void list_is(const char *token, const char *target, size_t n, const char *const *ids)
{
	char label[256];
	struct http_resp r;
	yajl_val root, e;

	snprintf(label, sizeof(label), "GET %s with %s", target, token);
	it_get(&r, token, target);
	it_assert_status(&r, 200, label);
	root = it_json(&r);
	e = it_key(root, "entry");
	cr_expect_eq(it_int(root, "totalResults"), (long long)n, "%s: totalResults", label);
	cr_assert(YAJL_IS_ARRAY(e) && e->u.array.len == n, "%s: %zu entries expected", label, n);
	for (size_t i = 0; i < n; i++)
		it_expect_str(it_str(e->u.array.values[i], "id"), ids[i], label);
	yajl_tree_free(root);
	http_free(&r);
}

Test(contexts, user)
{
	get_ok(TOK_U12, P_CALL444, P_CALL444);
	get_ok(TOK_U12, P_PREFIX "@owner/0003*210/444444", P_CALL444);
	get_ok(TOK_U12, P_PREFIX "12/@self/555555", P_CALL555);
	put_ok(TOK_U12, P_PREFIX "@owner/0003*210/444444", P_CALL444);
	put_ok(TOK_U12, P_PREFIX "12/@self/" CALL_B817, P_CALLB817);
	/* another user of the same organization */
	both_fail(TOK_U12, P_CALL777, "user_invalid");
	both_fail(TOK_U12, P_PREFIX "12/0003*220/777777", "extension_invalid");
	both_fail(TOK_U12, P_PREFIX "@owner/0003*220/777777", "extension_invalid");
	call_unknown(TOK_U12, P_PREFIX "@owner/@self/777777");
	/* another organization */
	both_fail(TOK_U12, P_CALL666, "user_invalid");
	both_fail(TOK_U12, P_PREFIX "12/0004*100/666666", "extension_invalid");
	call_unknown(TOK_U12, P_PREFIX "12/@self/666666");
	/* the other user's own App reaches its own call */
	get_ok(TOK_U13, P_CALL777, P_CALL777);
	put_ok(TOK_U13, P_PREFIX "@me/0003*220/777777", P_CALL777);
	both_fail(TOK_U13, P_CALL444, "user_invalid");
}

Test(contexts, organization)
{
	static const char *const org3[] = {"444444", CALL_B817, "555555", "777777"};
	static const char *const user13[] = {"777777"};

	get_ok(TOK_ORG3, P_CALL444, P_CALL444);
	put_ok(TOK_ORG3, P_CALL444, P_CALL444);
	get_ok(TOK_ORG3, P_CALL777, P_CALL777);
	put_ok(TOK_ORG3, P_CALL777, P_CALL777);
	get_ok(TOK_ORG3, P_PREFIX "@owner/0003*210/444444", P_CALL444);
	put_ok(TOK_ORG3, P_PREFIX "@owner/0003*210/" CALL_B817, P_CALLB817);
	get_ok(TOK_ORG3, P_PREFIX "@owner/@self/777777", P_CALL777);
	list_is(TOK_ORG3, P_PREFIX "13/@self", 1, user13);
	list_is(TOK_ORG3, P_PREFIX "@owner/@self", 4, org3);
	both_fail(TOK_ORG3, P_PREFIX "@me/0003*210/444444", "user_invalid");
	both_fail(TOK_ORG3, P_PREFIX "@viewer/0003*210/444444", "user_invalid");
	both_fail(TOK_ORG3, P_PREFIX "3/0003*210/444444", "user_invalid");
	both_fail(TOK_ORG3, P_PREFIX "13/0003*210/444444", "extension_invalid");
	both_fail(TOK_ORG3, P_CALL666, "user_invalid");
	both_fail(TOK_ORG3, P_PREFIX "@owner/0004*100/666666", "extension_invalid");
	call_unknown(TOK_ORG3, P_PREFIX "@owner/@self/666666");
}

Test(contexts, admin)
{
	static const char *const all[] = {"444444", CALL_B817, "555555", "777777", "666666"};

	get_ok(TOK_ADMIN, P_CALL666, P_CALL666);
	put_ok(TOK_ADMIN, P_CALL666, P_CALL666);
	get_ok(TOK_ADMIN, P_PREFIX "@owner/@self/444444", P_CALL444);
	put_ok(TOK_ADMIN, P_PREFIX "@owner/@self/444444", P_CALL444);
	get_ok(TOK_ADMIN, P_PREFIX "@owner/0003*220/777777", P_CALL777);
	list_is(TOK_ADMIN, P_PREFIX "@owner/@self", 5, all);
	both_fail(TOK_ADMIN, P_PREFIX "@me/0003*210/444444", "user_invalid");
	both_fail(TOK_ADMIN, P_PREFIX "13/0003*210/444444", "extension_invalid");
	both_fail(TOK_ADMIN, P_PREFIX "999999/0003*210/444444", "user_invalid");
	both_fail(TOK_ADMIN, P_PREFIX "3/0003*210/444444", "user_invalid");
	both_fail(TOK_ADMIN, P_PREFIX "2/0003*210/444444", "user_invalid");
}

Test(contexts, service_provider)
{
	static const char *const targets[] = {
	    P_CALL444,
	    P_PREFIX "@owner/@self/444444",
	    P_PREFIX "@owner/@self",
	    P_CALL666,
	};
	struct http_resp r;

	for (size_t i = 0; i < sizeof(targets) / sizeof(*targets); i++) {
		it_get(&r, TOK_SP, targets[i]);
		it_check_error(&r, 403, "access_denied", targets[i]);
		http_free(&r);
	}
	it_put(&r, TOK_SP, P_PREFIX "@owner/@self/444444", BODY_STOP01);
	it_check_error(&r, 403, "access_denied", "PUT with the provider token");
	http_free(&r);
}

Test(contexts, other_organization_cannot_touch)
{
	static const char *const org4[] = {"666666"};
	long long mark = it_event_mark();
	char *rec;

	both_fail(TOK_ORG4, P_CALL444, "user_invalid");
	both_fail(TOK_ORG4, P_CALL777, "user_invalid");
	both_fail(TOK_ORG4, P_PREFIX "@owner/0003*210/444444", "extension_invalid");
	call_unknown(TOK_ORG4, P_PREFIX "@owner/@self/444444");
	call_unknown(TOK_ORG4, P_PREFIX "20/@self/777777");
	list_is(TOK_ORG4, P_PREFIX "@owner/@self", 1, org4);
	get_ok(TOK_ORG4, P_CALL666, P_CALL666);
	both_fail(TOK_U20, P_CALL444, "user_invalid");
	call_unknown(TOK_U20, P_PREFIX "@owner/@self/444444");

	rec = it_view_recording("444444", "01");
	cr_expect_not_null(rec, "444444/01 is still recorded");
	cr_expect_eq(it_events_since(mark, "444444", "01"), 0);
	cr_expect_eq(it_events_since(mark, "777777", "01"), 0);
	free(rec);
}

/* Two requests that must answer alike: same status, Content-Type and body bytes. */
static void same_answer(const char *method, const char *token, const char *foreign,
                        const char *unknown, int status)
{
	struct http_resp a, b;
	const char *cta, *ctb;

	if (strcmp(method, "GET") == 0) {
		it_get(&a, token, foreign);
		it_get(&b, token, unknown);
	} else {
		it_put(&a, token, foreign, BODY_STOP01);
		it_put(&b, token, unknown, BODY_STOP01);
	}
	cta = http_header(&a, "Content-Type");
	ctb = http_header(&b, "Content-Type");
	cr_expect_eq(a.status, status, "%s %s: status %d, expected %d", method, foreign, a.status,
	             status);
	cr_expect_eq(a.status, b.status, "%s %s vs %s: status %d vs %d", method, foreign, unknown,
	             a.status, b.status);
	cr_expect((cta == NULL) == (ctb == NULL) && (cta == NULL || strcmp(cta, ctb) == 0),
	          "%s %s vs %s: Content-Type differs", method, foreign, unknown);
	cr_expect(a.body_len == b.body_len && memcmp(a.body, b.body, a.body_len) == 0,
	          "%s %s vs %s: bodies differ:\n%s\n%s", method, foreign, unknown, a.body, b.body);
	http_free(&a);
	http_free(&b);
}

Test(contexts, foreign_ids_answer_like_unknown_ones)
{
	static const struct {
		const char *token, *foreign, *unknown;
		int get, put;
	} pairs[] = {
	    {TOK_ORG3, P_CALL666, P_PREFIX "999999/0004*100/666666", 400, 400},
	    {TOK_ORG3, P_PREFIX "@owner/0004*100/666666", P_PREFIX "@owner/0003*999/666666", 400,
	     400},
	    {TOK_ORG3, P_PREFIX "12/0004*100/666666", P_PREFIX "12/0003*999/666666", 400, 400},
	    {TOK_ORG3, P_PREFIX "@owner/@self/666666", P_PREFIX "@owner/@self/999999", 204, 400},
	    {TOK_ORG3, P_PREFIX "12/0003*210/666666", P_PREFIX "12/0003*210/999999", 204, 400},
	    {TOK_ORG3, P_PREFIX "20/@self/666666", P_PREFIX "999999/@self/666666", 400, 400},
	    {TOK_U12, P_PREFIX "12/0003*210/666666", P_PREFIX "12/0003*210/999999", 204, 400},
	    {TOK_U12, P_CALL666, P_PREFIX "999999/0004*100/666666", 400, 400},
	    {TOK_ORG4, P_CALL444, P_PREFIX "999999/0003*210/444444", 400, 400},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(*pairs); i++) {
		same_answer("GET", pairs[i].token, pairs[i].foreign, pairs[i].unknown,
		            pairs[i].get);
		same_answer("PUT", pairs[i].token, pairs[i].foreign, pairs[i].unknown,
		            pairs[i].put);
	}
	same_answer("GET", TOK_ORG3, P_PREFIX "20/@self", P_PREFIX "999999/@self", 400);
	same_answer("GET", TOK_ORG3, P_PREFIX "@owner/0004*100", P_PREFIX "@owner/0003*999", 400);
}
