/* it_list.c - List PhoneCalls with UnifiedAPI's parameters (sortOrder, filterBy, filterOp,
 * filterValue, fields), and the trailing slash the vendor's client sends, over HTTP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

#define P_LIST299 P_PREFIX "12/0003*299"
#define IDS_MAX 8

/*
 * Five calls on extension 0003*299 of user 12, inserted out of order. Published order:
 * lst1 09:00:00, lst3 10:00:00.000, lst2 10:00:00.750 (the same second), LST4 11:00:00,
 * xyz5 12:00:00 (UTC, 2013-01-01). In byte order: LST4 < lst1 < lst2 < lst3 < xyz5.
 */
static void add_calls(void)
{
	it_restore_demo();
	DB_EXEC("INSERT INTO extension (org_id, user_id, number) VALUES (3, 12, '0003*299') "
	        "ON CONFLICT (number) DO NOTHING");
	DB_EXEC("INSERT INTO phone_call (id, org_id, extension_id, published) "
	        "SELECT c.id, 3, e.id, c.published::timestamptz FROM extension e, (VALUES "
	        "('xyz5', '2013-01-01T12:00:00Z'), ('lst2', '2013-01-01T10:00:00.750Z'), "
	        "('LST4', '2013-01-01T11:00:00Z'), ('lst1', '2013-01-01T09:00:00Z'), "
	        "('lst3', '2013-01-01T10:00:00Z')) AS c (id, published) "
	        "WHERE e.number = '0003*299'");
	DB_EXEC("INSERT INTO phone_call_view (call_id, id, org_id, extension_id, status) "
	        "SELECT c.id, v.id, 3, c.extension_id, 5 FROM phone_call c, "
	        "(VALUES ('02'), ('01')) AS v (id) WHERE c.id = 'lst1'");
}

static void drop_calls(void)
{
	DB_EXEC("DELETE FROM phone_call WHERE id IN ('lst1', 'lst2', 'lst3', 'LST4', 'xyz5')");
	DB_EXEC("DELETE FROM extension WHERE number = '0003*299'");
}

TestSuite(list, .init = add_calls, .fini = drop_calls);

/* A GET that must answer 200; returns its JSON. */
static yajl_val get_ok(const char *token, const char *target)
{
	struct http_resp r;
	yajl_val root;

	it_get(&r, token, target);
	it_assert_status(&r, 200, target);
	root = it_json(&r);
	http_free(&r);
	return root;
}

/*
 * Checks that a list answers exactly the calls of want (ids separated by blanks, in
 * order) with that total, and a page as long as the list.
 */
static void expect_ids(const char *target, long long total, const char *want)
{
	char buf[256], *save = NULL;
	const char *ids[IDS_MAX];
	size_t n = 0;
	yajl_val root = get_ok(TOK_U12, target), e;

	snprintf(buf, sizeof(buf), "%s", want);
	for (char *t = strtok_r(buf, " ", &save); t && n < IDS_MAX; t = strtok_r(NULL, " ", &save))
		ids[n++] = t;
	e = it_key(root, "entry");
	cr_assert(YAJL_IS_ARRAY(e), "%s: no entry array", target);
	cr_expect_eq(it_int(root, "totalResults"), total, "%s: totalResults %lld, expected %lld",
	             target, it_int(root, "totalResults"), total);
	cr_expect_eq(it_int(root, "itemsPerPage"), (long long)n, "%s: itemsPerPage", target);
	cr_expect_eq(e->u.array.len, n, "%s: %zu entries, expected %zu (%s)", target,
	             e->u.array.len, n, want);
	for (size_t i = 0; i < n && i < e->u.array.len; i++) {
		char what[320];
		snprintf(what, sizeof(what), "%s: entry %zu", target, i);
		it_expect_str(it_str(e->u.array.values[i], "id"), ids[i], what);
	}
	yajl_tree_free(root);
}

static void expect_no_content(const char *target)
{
	struct http_resp r;

	it_get(&r, TOK_U12, target);
	cr_expect_eq(r.status, 204, "%s: status %d, expected 204; body: %.200s", target, r.status,
	             r.body);
	cr_expect_eq(r.body_len, 0, "%s: a 204 has no body", target);
	http_free(&r);
}

/* The vendor's client ends every URI fragment with a slash: the same resource. */
Test(list, trailing_slash_is_the_same_resource)
{
	long long mark = it_event_mark();
	struct http_resp r;
	yajl_val root;
	char *rec, self[256];

	it_put(&r, TOK_U12, P_CALL444 "/", BODY_STOP01);
	it_assert_status(&r, 202, "PUT with a trailing slash");
	root = it_json(&r);
	snprintf(self, sizeof(self), "%s%s", it_base(), P_CALL444);
	it_expect_str(it_str(it_key(root, "link"), "self"), self,
	              "the self link is canonical, without the slash");
	yajl_tree_free(root);
	http_free(&r);
	rec = it_view_recording("444444", "01");
	cr_expect_null(rec, "the stop through the slashed path took effect");
	free(rec);
	cr_expect_eq(it_events_since(mark, "444444", "01"), 1, "one stop event");

	/* with a query string, and through @me/@self */
	it_put(&r, TOK_U12, P_PREFIX "@me/@self/444444/?x=1", BODY_START01_WAV49);
	it_assert_status(&r, 202, "StartRecording through @me/@self/444444/");
	http_free(&r);
	rec = it_view_recording("444444", "01");
	cr_expect_not_null(rec, "the start through the slashed path took effect");
	free(rec);
	cr_expect_eq(it_events_since(mark, "444444", "01"), 2, "one start event more");

	/* GET: the list and the one call, with and without the vendor's query */
	expect_ids(P_LIST210 "/", 2, "444444 " CALL_B817);
	expect_ids(P_LIST210 "/?count=20&startIndex=0", 2, "444444 " CALL_B817);
	root = get_ok(TOK_U12, P_CALL444 "/?count=20&startIndex=0");
	it_expect_str(it_str(root, "id"), "444444", "one call with a trailing slash");
	yajl_tree_free(root);
}

Test(list, default_order_is_published_then_id)
{
	expect_ids(P_LIST299, 5, "lst1 lst3 lst2 LST4 xyz5");
	expect_ids(P_LIST299 "?sortOrder=ascending", 5, "lst1 lst3 lst2 LST4 xyz5");
}

Test(list, sort_order_descending)
{
	expect_ids(P_LIST299 "?sortOrder=descending", 5, "xyz5 LST4 lst2 lst3 lst1");
	/* paging counts from the reversed order */
	expect_ids(P_LIST299 "?sortOrder=descending&startIndex=1&count=2", 5, "LST4 lst2");
	/* the views of a call keep the order of their ids */
	yajl_val root = get_ok(TOK_U12, P_LIST299 "?sortOrder=descending&startIndex=4");
	yajl_val views = it_key(it_key(root, "entry")->u.array.values[0], "phoneCallView");
	cr_assert(YAJL_IS_ARRAY(views) && views->u.array.len == 2, "lst1 has two views");
	it_expect_str(it_str(views->u.array.values[0], "id"), "01", "first view");
	it_expect_str(it_str(views->u.array.values[1], "id"), "02", "second view");
	yajl_tree_free(root);
	/* an escaped name is the name (RFC 3986) */
	expect_ids(P_LIST299 "?%73ortOrder=descending&count=1", 5, "xyz5");
}

Test(list, filter_by_id)
{
	expect_ids(P_LIST299 "?filterBy=id&filterOp=equals&filterValue=lst2", 1, "lst2");
	/* contains is the default operation (3 characters at least); ids are case-sensitive */
	expect_ids(P_LIST299 "?filterBy=id&filterValue=lst", 3, "lst1 lst3 lst2");
	expect_ids(P_LIST299 "?filterBy=id&filterOp=contains&filterValue=LST", 1, "LST4");
	expect_ids(P_LIST299 "?filterBy=id&filterOp=contains&filterValue=yz5", 1, "xyz5");
	expect_ids(P_LIST299 "?filterBy=id&filterOp=startsWith&filterValue=lst", 3,
	           "lst1 lst3 lst2");
	expect_ids(P_LIST299 "?filterBy=id&filterOp=startsWith&filterValue=L", 1, "LST4");
	/* byte order: upper case sorts before lower case */
	expect_ids(P_LIST299 "?filterBy=id&filterOp=greaterThan&filterValue=lst2", 2, "lst3 xyz5");
	expect_ids(P_LIST299 "?filterBy=id&filterOp=lessThan&filterValue=lst2", 2, "lst1 LST4");
	expect_ids(P_LIST299 "?filterBy=id&filterOp=inArray&filterValue=xyz5%2Clst1%2Cnope", 2,
	           "lst1 xyz5");
	expect_ids(P_LIST299 "?filterBy=id&filterOp=inArray&filterValue=lst2", 1, "lst2");
	/* present needs no value, and ignores one */
	expect_ids(P_LIST299 "?filterBy=id&filterOp=present", 5, "lst1 lst3 lst2 LST4 xyz5");
	expect_ids(P_LIST299 "?filterBy=id&filterOp=present&filterValue=x-y", 5,
	           "lst1 lst3 lst2 LST4 xyz5");
}

Test(list, filter_by_published)
{
	/* to the second: lst2 was published 750 ms into 10:00:00 */
	expect_ids(P_LIST299 "?filterBy=published&filterOp=equals&filterValue=2013-01-01T10:00:00Z",
	           2, "lst3 lst2");
	/* any offset; '+' escaped, or sent raw (a space once decoded) */
	expect_ids(P_LIST299 "?filterBy=published&filterOp=equals"
	                     "&filterValue=2013-01-01T12%3A00%3A00%2B02%3A00",
	           2, "lst3 lst2");
	expect_ids(P_LIST299 "?filterBy=published&filterOp=equals"
	                     "&filterValue=2013-01-01T12:00:00+02:00",
	           2, "lst3 lst2");
	expect_ids(P_LIST299 "?filterBy=published&filterOp=equals"
	                     "&filterValue=2013-01-01T05:00:00-05:00",
	           2, "lst3 lst2");
	/* lower case t and z, and a fraction, which is dropped */
	expect_ids(P_LIST299 "?filterBy=published&filterOp=equals"
	                     "&filterValue=2013-01-01t10:00:00.999z",
	           2, "lst3 lst2");
	/* without filterOp a date is compared with equals */
	expect_ids(P_LIST299 "?filterBy=published&filterValue=2013-01-01T10:00:00Z", 2,
	           "lst3 lst2");
	expect_ids(P_LIST299 "?filterBy=published&filterOp=greaterThan"
	                     "&filterValue=2013-01-01T10:00:00Z",
	           2, "LST4 xyz5");
	expect_ids(P_LIST299 "?filterBy=published&filterOp=lessThan"
	                     "&filterValue=2013-01-01T10:00:00Z",
	           1, "lst1");
	expect_ids(P_LIST299 "?filterBy=published&filterOp=inArray"
	                     "&filterValue=2013-01-01T12:00:00Z,2013-01-01T09:00:00Z,"
	                     "2013-01-01T09:00:00%2B00:00",
	           2, "lst1 xyz5");
	expect_ids(P_LIST299 "?filterBy=published&filterOp=present", 5, "lst1 lst3 lst2 LST4 xyz5");
}

/* totalResults counts what the filter keeps; paging and order apply after it. */
Test(list, filter_with_paging_and_order)
{
	expect_ids(P_LIST299 "?filterBy=id&filterValue=lst&count=1", 3, "lst1");
	expect_ids(P_LIST299
	           "?filterBy=id&filterValue=lst&count=1&startIndex=1&sortOrder=descending",
	           3, "lst3");
	/* a page past the end of what the filter keeps is 200 with no entries */
	expect_ids(P_LIST299 "?filterBy=id&filterValue=lst&startIndex=3", 3, "");
	/* nothing kept at all: 204 */
	expect_no_content(P_LIST299 "?filterBy=id&filterOp=equals&filterValue=nope");
	expect_no_content(P_LIST299 "?filterBy=published&filterOp=lessThan"
	                            "&filterValue=2000-01-01T00:00:00Z");
}

/* A filter combines with @self, @owner and a phoneCallId, within the token's context. */
Test(list, filter_with_scope)
{
	yajl_val root;

	/* @self: every extension of user 12 (0003*210, 0003*211, 0003*299) */
	expect_ids(P_PREFIX "12/@self?filterBy=id&filterOp=inArray&filterValue=555555,lst1,444444",
	           3, "444444 555555 lst1");
	expect_ids(P_PREFIX "@me/@self?filterBy=published&filterOp=greaterThan"
	                    "&filterValue=2012-06-27T13:09:00Z&sortOrder=descending&count=2",
	           6, "xyz5 LST4");
	/* another organization's call is never found, whatever the filter */
	expect_no_content(P_PREFIX "12/@self?filterBy=id&filterOp=equals&filterValue=666666");
	/* the one-call form: the filter keeps the call (200) or not (204) */
	root = get_ok(TOK_U12, P_LIST299 "/lst2?filterBy=published&filterOp=equals"
	                                 "&filterValue=2013-01-01T10:00:00Z");
	it_expect_str(it_str(root, "id"), "lst2", "one call kept by the filter");
	yajl_tree_free(root);
	expect_no_content(P_LIST299 "/lst2?filterBy=id&filterOp=startsWith&filterValue=x");
	/* an organization's token over all its users' extensions */
	root = get_ok(TOK_ORG3, P_PREFIX "@owner/@self?filterBy=id&filterOp=startsWith"
	                                 "&filterValue=7");
	cr_expect_eq(it_int(root, "totalResults"), 1, "org 3: one call starts with 7");
	it_expect_str(it_str(it_key(root, "entry")->u.array.values[0], "id"), "777777",
	              "org 3's call of user 13");
	yajl_tree_free(root);
}

/* The keys of an object, in order, separated by blanks. */
static void keys_of(yajl_val obj, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; YAJL_IS_OBJECT(obj) && i < obj->u.object.len && n < cap; i++)
		n +=
		    (size_t)snprintf(out + n, cap - n, "%s%s", i ? " " : "", obj->u.object.keys[i]);
}

/* Checks the keys of the first entry of a list (or of the one call). */
static void expect_keys(const char *target, const char *want)
{
	yajl_val root = get_ok(TOK_U12, target), obj = root;
	yajl_val e = it_key(root, "entry");
	char got[256];

	if (e != NULL) {
		cr_assert(YAJL_IS_ARRAY(e) && e->u.array.len > 0, "%s: no entries", target);
		obj = e->u.array.values[0];
		cr_expect_eq(it_nkeys(root), 4, "%s: the collection keeps its four fields", target);
	}
	keys_of(obj, got, sizeof(got));
	it_expect_str(got, want, target);
	yajl_tree_free(root);
}

Test(list, fields)
{
	expect_keys(P_LIST210,
	            "id extension ownerId ownerName answered published phoneCallView link");
	expect_keys(P_LIST210 "?fields=id%2Cextension", "id extension link");
	expect_keys(P_LIST210 "?fields=published", "id published link");
	expect_keys(P_LIST210 "?fields=link", "id link");
	expect_keys(P_LIST210 "?fields=phoneCallView,ownerName", "id ownerName phoneCallView link");
	/* blanks around names, a name twice, the usual order whatever the order asked */
	expect_keys(P_LIST210 "?fields=%20answered%20,ownerId,answered",
	            "id ownerId answered link");
	expect_keys(P_LIST210 "?fields=link,published,extension,ownerId,id,answered,ownerName,"
	                      "phoneCallView",
	            "id extension ownerId ownerName answered published phoneCallView link");
	/* the one-call form */
	expect_keys(P_CALL444 "?fields=extension", "id extension link");
	expect_keys(P_CALL444 "/?fields=phoneCallView", "id phoneCallView link");
	/* with a filter and an order */
	expect_keys(P_LIST299 "?fields=published&sortOrder=descending&filterBy=id&filterValue=lst",
	            "id published link");
}

/* Parameters UnifiedAPI does not define are ignored, as it does. */
Test(list, unknown_parameters_are_ignored)
{
	expect_ids(P_LIST299 "?foo=bar&filter=id&sortorder=descending&Fields=x", 5,
	           "lst1 lst3 lst2 LST4 xyz5");
}
