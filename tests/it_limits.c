/*
 * it_limits.c - nginx's rate limits per client address and per token: past a limit and
 * its burst, 429 too_many_requests with Retry-After. The suite's own client
 * (127.0.0.1) is exempt (PC_UNLIMITED), so these tests send from other loopback
 * addresses, each its own client for nginx.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

#define ADDR_BURST 200  /* uapi-server.conf: per address */
#define TOKEN_BURST 100 /* per token */
#define REQUESTS 700    /* more than a burst and a second's worth of refill */
#define TOKEN_MAX 64
#define SELF_LIST P_PREFIX "@me/@self" /* the token's user's calls */

TestSuite(limits, .init = it_restore_demo, .timeout = 120);

/* Sends n GETs of the list from addr; token NULL: a different wrong token each time.
 * Returns how many answered 429 and where the first one came (0-based, -1: none);
 * every other answer must be want. */
static int send_many(const char *addr, const char *token, const char *target, int n, int want,
                     int *first)
{
	char tok[TOKEN_MAX];
	struct http_resp r;
	int limited = 0;

	cr_assert_eq(http_set_source(addr), 0);
	*first = -1;
	for (int i = 0; i < n; i++) {
		if (token == NULL)
			snprintf(tok, sizeof(tok), "wrong-token-%d", i);
		it_get(&r, token ? token : tok, target);
		if (r.status == 429) {
			if (limited++ == 0) {
				*first = i;
				it_check_error(&r, 429, "too_many_requests", "the first 429");
			}
		} else {
			cr_expect_eq(r.status, want, "%s, request %d: %d: %s", addr, i, r.status,
			             r.body);
		}
		http_free(&r);
	}
	http_set_source(NULL);
	return limited;
}

/* One address, a different (wrong) token each time: only the address's limit applies. */
Test(limits, per_client_address)
{
	int first, limited = send_many("127.0.0.2", NULL, P_LIST210, REQUESTS, 401, &first);
	struct http_resp r;

	cr_assert(limited > 0, "no 429 in %d requests from one address", REQUESTS);
	cr_expect(first >= ADDR_BURST, "the first 429 came at request %d, inside the burst", first);
	/* another address is a client of its own */
	cr_assert_eq(http_set_source("127.0.0.5"), 0);
	it_get(&r, TOK_U12, P_LIST210);
	it_assert_status(&r, 200, "another address");
	http_free(&r);
}

/* One token, from one address: the token's limit (the smaller burst) comes first; the
 * same address with another token is served, and the same token from another address
 * is limited too. */
Test(limits, per_token)
{
	int first, limited = send_many("127.0.0.3", TOK_U13, SELF_LIST, REQUESTS, 200, &first);
	struct http_resp r;

	cr_assert(limited > 0, "no 429 in %d requests with one token", REQUESTS);
	cr_expect(first >= TOKEN_BURST && first < ADDR_BURST,
	          "the first 429 came at request %d: not the token's limit", first);
	cr_assert_eq(http_set_source("127.0.0.3"), 0);
	it_get(&r, TOK_U12, P_LIST210);
	it_assert_status(&r, 200, "the same address with another token");
	http_free(&r);
	/* the bucket lets one request through per 20 ms (50/s): a few in a row meet it */
	limited = send_many("127.0.0.4", TOK_U13, SELF_LIST, 20, 200, &first);
	cr_expect(limited > 0, "the same token from another address was not limited");
}
