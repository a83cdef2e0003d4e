/* it_state.c - a request that fails changes nothing: every table is the same before and after. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

#define A12 H_AUTH(TOK_U12)
#define PUTH A12 H_JSON

TestSuite(state, .init = it_restore_demo);

/* Failing requests of every kind, most of them aimed at a view that is being recorded. */
static const struct it_case reqs[] = {
    {"PUT", P_LIST210 "/bad-id!", PUTH, BODY_STOP01, 400, NULL},
    {"PUT", P_LIST210 "/999999", PUTH, BODY_STOP01, 400, NULL},
    {"PUT", P_CALL444, PUTH, "{\"action\":\"StopRecording\"}", 400, NULL},
    {"PUT", P_CALL444, PUTH, "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"99\"}", 400,
     NULL},
    {"PUT", P_CALL444, PUTH, "{\"action\":\"stoprecording\",\"phoneCallViewId\":\"01\"}", 400,
     NULL},
    {"PUT", P_CALL444, PUTH,
     "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":\"mp3\"}", 400, NULL},
    {"PUT", P_CALL555, PUTH, BODY_STOP01, 400, NULL},
    {"PUT", P_CALL555, PUTH, BODY_START01, 400, NULL},
    {"PUT", P_PREFIX "abc/0003*210/444444", PUTH, BODY_STOP01, 400, NULL},
    {"PUT", P_CALL777, PUTH, BODY_STOP01, 400, NULL},
    {"PUT", P_PREFIX "12/0003*220/777777", PUTH, BODY_STOP01, 400, NULL},
    {"PUT", P_PREFIX "@owner/@self/777777", PUTH, BODY_STOP01, 400, NULL},
    {"PUT", P_CALL444, PUTH, "{\"action\":\"StopRecording\",", 400, NULL},
    {"PUT", P_CALL444, PUTH,
     "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\",\"phoneCallViewId\":\"01\"}", 400,
     NULL},
    {"PUT", P_CALL444, PUTH, "\xEF\xBB\xBF" BODY_STOP01, 400, NULL},
    {"PUT", P_CALL444, H_JSON, BODY_STOP01, 401, NULL},
    {"PUT", P_CALL444, H_AUTH(TOK_EXPIRED) H_JSON, BODY_STOP01, 401, NULL},
    {"PUT", P_CALL444, H_AUTH(TOK_REVOKED) H_JSON, BODY_STOP01, 401, NULL},
    {"PUT", P_CALL444, H_AUTH(TOK_SP) H_JSON, BODY_STOP01, 403, NULL},
    {"PUT", P_CALL444, H_AUTH(TOK_ORG4) H_JSON, BODY_STOP01, 400, NULL},
    {"PUT", P_PREFIX "@owner/0003*210/444444", H_AUTH(TOK_ORG4) H_JSON, BODY_STOP01, 400, NULL},
    {"PUT", P_PREFIX "@owner/@self/444444", H_AUTH(TOK_ORG4) H_JSON, BODY_STOP01, 400, NULL},
    {"PUT", P_CALL444, H_AUTH(TOK_U20) H_JSON, BODY_STOP01, 400, NULL},
    {"PUT", P_CALL666, H_AUTH(TOK_ORG3) H_JSON, BODY_STOP01, 400, NULL},
    {"PUT", "/uapi/phonecalls/12/0003*210/444444", PUTH, BODY_STOP01, 404, NULL},
    {"POST", P_CALL444, PUTH, BODY_STOP01, 405, NULL},
    {"DELETE", P_CALL444, A12, NULL, 405, NULL},
    {"PUT", P_LIST210, PUTH, BODY_STOP01, 405, NULL},
    {"PUT", P_CALL444, A12 "Content-Type: text/plain\r\n", BODY_STOP01, 415, NULL},
    {"PUT", P_CALL444, PUTH, "{\"action\":\"OnHold\",\"phoneCallViewId\":\"01\"}", 501, NULL},
    {"PUT", P_CALL444, PUTH, "{\"action\":\"Transfer\",\"phoneCallViewId\":\"01\"}", 501, NULL},
    {"GET", P_LIST210 "?startIndex=-1", A12, NULL, 400, NULL},
    {"GET", P_LIST210 "?count=0", A12, NULL, 400, NULL},
};

Test(state, failed_requests_change_nothing)
{
	static const char malformed[] =
	    "PUT " P_CALL444 " HTTP/1.1 junk\r\n" RAW_HOST A12 H_JSON "Content-Length: 2\r\n\r\n{}";
	static const char too_large[] = "PUT " P_CALL444 " HTTP/1.1\r\n" RAW_HOST A12 H_JSON
	                                "Content-Length: 10485760\r\n\r\n" BODY_STOP01;
	char *before = it_fingerprint(), *after;
	struct http_resp r;

	for (size_t i = 0; i < sizeof(reqs) / sizeof(*reqs); i++) {
		it_req(&r, reqs[i].method, reqs[i].target, reqs[i].headers, reqs[i].body);
		cr_expect_eq(r.status, reqs[i].status, "%s %s %s: status %d, expected %d",
		             reqs[i].method, reqs[i].target, reqs[i].body ? reqs[i].body : "",
		             r.status, reqs[i].status);
		http_free(&r);
	}
	cr_assert(http_exchange(malformed, sizeof(malformed) - 1, 0, &r) == 0);
	cr_expect_eq(r.status, 400, "a malformed request line: %d", r.status);
	http_free(&r);
	cr_assert(http_exchange(too_large, sizeof(too_large) - 1, 0, &r) == 0);
	cr_expect_eq(r.status, 413, "a Content-Length of 10 MiB: %d", r.status);
	http_free(&r);

	after = it_fingerprint();
	it_expect_str(after, before, "table fingerprints after the failed requests");
	free(before);
	free(after);
}
