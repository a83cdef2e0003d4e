/* it_logs.c - the accessRequestToken query parameter, and tokens kept out of every log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

#define Q_TOKEN "accessRequestToken=" TOK_U12

TestSuite(logs, .init = it_restore_demo);

/* A GET with the token in the query only: 200 with total calls; returns its JSON. */
static yajl_val get_by_query(const char *target, long long total)
{
	struct http_resp r;
	yajl_val root;

	it_get(&r, NULL, target);
	it_assert_status(&r, 200, target);
	root = it_json(&r);
	if (total >= 0)
		cr_expect_eq(it_int(root, "totalResults"), total, "%s: totalResults", target);
	http_free(&r);
	return root;
}

Test(logs, query_token_works_for_get)
{
	yajl_val root, e;

	yajl_tree_free(get_by_query(P_LIST210 "?" Q_TOKEN, 2));
	root = get_by_query(P_CALL444 "?" Q_TOKEN, -1);
	it_expect_str(it_str(root, "id"), "444444", "the call by a query token");
	yajl_tree_free(root);
	root = get_by_query(P_LIST210 "?count=1&" Q_TOKEN "&startIndex=1", 2);
	e = it_key(root, "entry");
	cr_assert(YAJL_IS_ARRAY(e) && e->u.array.len == 1, "one entry");
	it_expect_str(it_str(e->u.array.values[0], "id"), CALL_B817, "paging with a query token");
	yajl_tree_free(root);
	yajl_tree_free(get_by_query(P_PREFIX "@me/@self?" Q_TOKEN, 3));
}

/* Whether path's contents (which must exist) contain needle. */
static int file_has(const char *path, const char *needle)
{
	char *text = it_read_file(path, NULL);
	int found;

	cr_assert(text != NULL, "cannot read %s", path);
	found = strstr(text, needle) != NULL;
	free(text);
	return found;
}

Test(logs, tokens_stay_out_of_logs)
{
	char access[512], worker[512], rid[80];
	struct http_resp r;
	double deadline;

	snprintf(access, sizeof(access), "%s/log/access.log", it_env("PC_VAR"));
	snprintf(worker, sizeof(worker), "%s/log/worker.log", it_env("PC_VAR"));

	it_get(&r, TOK_U12, P_LIST210);
	it_assert_status(&r, 200, "GET with the header token");
	http_free(&r);
	it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
	it_assert_status(&r, 202, "PUT with the header token");
	http_free(&r);
	it_get(&r, TOK_U12, "/uapi/phonecalls/12/0003*210?" Q_TOKEN);
	it_check_error(&r, 404, "resource_not_found", "404 with a query token");
	http_free(&r);
	it_req(&r, "DELETE", P_CALL444 "?" Q_TOKEN, NULL, NULL);
	it_check_error(&r, 405, "method_not_allowed", "405 with a query token");
	http_free(&r);
	it_get(&r, NULL, P_LIST210 "?startIndex=x&" Q_TOKEN);
	it_check_error(&r, 400, "startindex_invalid", "400 with a query token");
	http_free(&r);
	it_get(&r, NULL, P_LIST210 "?" Q_TOKEN);
	it_assert_status(&r, 200, "GET with the query token");
	cr_assert(http_header(&r, "X-Request-Id") != NULL, "no X-Request-Id");
	snprintf(rid, sizeof(rid), "%s", http_header(&r, "X-Request-Id"));
	http_free(&r);

	/* the access log has the requests (so the check below is not vacuous) */
	deadline = it_now() + 2;
	while (!file_has(access, rid) && it_now() < deadline)
		it_nap(20);
	cr_expect(file_has(access, rid), "the access log lacks request %s", rid);
	cr_expect(!file_has(access, TOK_U12), "the access log holds a token");
	cr_expect(!file_has(access, "accessRequestToken"), "the access log holds a query");
	cr_expect(!file_has(worker, TOK_U12), "the worker log holds a token");
}

/* The access log line of request rid, parsed (yajl_tree_free it); fails after 2 s. */
static yajl_val access_line(const char *rid)
{
	char path[512], err[256];
	double deadline = it_now() + 2;

	snprintf(path, sizeof(path), "%s/log/access.log", it_env("PC_VAR"));
	for (;;) {
		char *text = it_read_file(path, NULL), *p = text ? strstr(text, rid) : NULL;
		if (p != NULL) {
			char *start = p, *end = strchr(p, '\n');
			yajl_val v;
			while (start > text && start[-1] != '\n')
				start--;
			if (end != NULL)
				*end = '\0';
			v = yajl_tree_parse(start, err, sizeof(err));
			cr_assert(v != NULL, "the access log line is not JSON (%s): %s", err,
			          start);
			free(text);
			return v;
		}
		free(text);
		cr_assert(it_now() < deadline, "request %s is not in the access log", rid);
		it_nap(20);
	}
}

/* One request id, from nginx: in the response, the access log's JSON line, the
 * worker's log line of the change, and the event row. */
Test(logs, request_id_from_the_access_log_to_the_event)
{
	char worker[512], rid[80], line[160];
	struct http_resp r;
	yajl_val v;
	char *ev;
	int found = 0;
	double deadline;

	it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
	it_assert_status(&r, 202, "stop");
	cr_assert(http_header(&r, "X-Request-Id") != NULL, "no X-Request-Id");
	snprintf(rid, sizeof(rid), "%s", http_header(&r, "X-Request-Id"));
	http_free(&r);
	cr_assert_eq(strspn(rid, "0123456789abcdef"), (size_t)32, "request id %s", rid);

	v = access_line(rid);
	it_expect_str(it_str(v, "request_id"), rid, "access log request_id");
	it_expect_str(it_str(v, "request"), "PUT " P_CALL444, "access log request");
	cr_expect_eq(it_int(v, "status"), 202, "access log status");
	cr_expect(it_str(v, "upstream_addr") != NULL &&
	              strncmp(it_str(v, "upstream_addr"), "unix:", 5) == 0,
	          "access log upstream_addr");
	yajl_tree_free(v);

	/* the worker's line: in the log of whichever pool served it */
	snprintf(line, sizeof(line), "request=%s stop call=444444 view=01", rid);
	for (deadline = it_now() + 2; !found && it_now() < deadline; it_nap(20))
		for (int i = 1; i <= it_instances() && !found; i++) {
			if (i == 1)
				snprintf(worker, sizeof(worker), "%s/log/worker.log",
				         it_env("PC_VAR"));
			else
				snprintf(worker, sizeof(worker), "%s/log/worker-%d.log",
				         it_env("PC_VAR"), i);
			found = file_has(worker, line);
		}
	cr_expect(found, "no worker log has \"%s\"", line);

	ev = DB_TEXT("SELECT coalesce(string_agg(action || ' ' || call_id || ' ' || view_id, ','), "
	             "'') FROM recording_event WHERE request_id = $1",
	             rid);
	it_expect_str(ev, "stop 444444 01", "the event of the request");
	free(ev);
}
