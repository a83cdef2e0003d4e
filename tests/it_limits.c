/*
 * it_limits.c - nginx's rate limits per client address and per token: past a limit and
 * its burst, 429 too_many_requests with Retry-After; and the workers' throttle of
 * failed authentications per address, which every worker of every pool shares. The
 * suite's own client (127.0.0.1) is exempt (PC_UNLIMITED), so these tests send from
 * other loopback addresses, each its own client for nginx and the workers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_nginx.h"
#include "it_util.h"

#define ADDR_BURST 200  /* uapi-api-rules.conf: per address */
#define TOKEN_BURST 100 /* per token */
#define REQUESTS 700    /* more than a burst and a second's worth of refill */
#define TOKEN_MAX 64
#define SELF_LIST P_PREFIX "@me/@self" /* the token's user's calls */
#define TOK_SPELT "limits-spelt-token" /* user 20's, for one_bucket_per_token */

TestSuite(limits, .init = it_restore_demo, .timeout = 120);

/* Sends n GETs of target from addr; token NULL: the valid demo tokens in turn, so that
 * no token meets its own limit. Returns how many answered 429 and where the first one
 * came (0-based, -1: none); every other answer must be want (0: anything but 401). */
static int send_many(const char *addr, const char *token, const char *target, int n, int want,
                     int *first)
{
	/* not TOK_U13: per_token needs its bucket empty */
	static const char *const tokens[] = {TOK_U12, TOK_U20, TOK_ORG3, TOK_ORG4, TOK_ADMIN};
	const size_t ntok = sizeof(tokens) / sizeof(*tokens);
	struct http_resp r;
	int limited = 0;

	cr_assert_eq(http_set_source(addr), 0);
	*first = -1;
	for (int i = 0; i < n; i++) {
		it_get(&r, token ? token : tokens[(size_t)i % ntok], target);
		if (r.status == 429) {
			if (limited++ == 0) {
				*first = i;
				it_check_nginx(&r, 429, "the first 429");
			}
		} else if (want != 0) {
			cr_expect_eq(r.status, want, "%s, request %d: %d: %s", addr, i, r.status,
			             r.body);
		} else {
			cr_expect(r.status != 401, "%s, request %d: 401", addr, i);
		}
		http_free(&r);
	}
	http_set_source(NULL);
	return limited;
}

/* One address, five tokens in turn: only the address's limit applies. */
Test(limits, per_client_address)
{
	int first, limited = send_many("127.0.0.2", NULL, SELF_LIST, REQUESTS, 0, &first);
	struct http_resp r;

	cr_assert(limited > 0, "no 429 in %d requests from one address", REQUESTS);
	cr_expect(first >= ADDR_BURST, "the first 429 came at request %d, inside the burst", first);
	/* another address is a client of its own */
	cr_assert_eq(http_set_source("127.0.0.5"), 0);
	it_get(&r, TOK_U12, P_LIST210);
	it_assert_status(&r, 200, "another address");
	http_free(&r);
}

/* Every path is limited: the health checks, each a database round trip, too. They take
 * no token, and none is sent: only the address's limit applies. */
Test(limits, health_checks)
{
	static const char *const paths[] = {"/uapi/health", "/uapi/health/1"};
	static const char *const addrs[] = {"127.0.0.6", "127.0.0.7"};
	struct http_resp r;

	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		int first = -1;
		cr_assert_eq(http_set_source(addrs[i]), 0);
		for (int k = 0; k < REQUESTS && first < 0; k++) {
			it_get(&r, NULL, paths[i]);
			if (r.status == 429) {
				first = k;
				it_check_nginx(&r, 429, paths[i]);
			} else {
				cr_expect_eq(r.status, 200, "%s, request %d: %d", paths[i], k,
				             r.status);
			}
			http_free(&r);
		}
		cr_expect(first >= ADDR_BURST, "%s: the first 429 came at request %d (none: -1)",
		          paths[i], first);
	}
	http_set_source(NULL);
}

/* One token spelt every way the worker takes it: the scheme in any case, several blanks
 * after it, or the query string. One bucket: the token's limit comes before the address's,
 * as for one spelling. Escaped in the query string, it is no token at all. */
Test(limits, one_bucket_per_token)
{
	static const char *const spellings[] = {
	    "Authorization: Bearer " TOK_SPELT "\r\n",  "Authorization: bearer " TOK_SPELT "\r\n",
	    "Authorization: BEARER " TOK_SPELT "\r\n",  "Authorization: Bearer   " TOK_SPELT "\r\n",
	    "Authorization: bEaReR  " TOK_SPELT "\r\n", NULL, /* the query string */
	};
	const size_t n = sizeof(spellings) / sizeof(*spellings);
	struct http_resp r;
	int first = -1;

	/* a token of its own: the other tests spend the demo tokens' buckets */
	DB_EXEC("INSERT INTO access_token (id, app_id, org_id, token_hash, expires_at) "
	        "VALUES (90, 5, 4, sha256('" TOK_SPELT "'), now() + interval '1 hour') "
	        "ON CONFLICT (id) DO NOTHING");
	cr_assert_eq(http_set_source("127.0.0.8"), 0);
	for (int i = 0; i < REQUESTS && first < 0; i++) {
		const char *h = spellings[(size_t)i % n];
		it_req(&r, "GET",
		       h ? P_PREFIX "20/0004*100"
		         : P_PREFIX "20/0004*100?accessRequestToken=" TOK_SPELT,
		       h ? h : "", NULL);
		if (r.status == 429) {
			first = i;
			it_check_nginx(&r, 429, "one token spelt every way");
		} else {
			cr_expect_eq(r.status, 200, "spelling %zu, request %d: %d: %s",
			             (size_t)i % n, i, r.status, r.body);
		}
		http_free(&r);
	}
	cr_expect(first >= TOKEN_BURST && first < ADDR_BURST,
	          "the first 429 came at request %d: not the token's limit", first);
	/* escaped, the name or the value, it is no token (nginx would not key on it) */
	cr_assert_eq(http_set_source("127.0.0.9"), 0);
	it_get(&r, NULL, P_PREFIX "20/0004*100?%61ccessRequestToken=" TOK_SPELT);
	it_check_error(&r, 401, "access_denied", "an escaped name");
	http_free(&r);
	it_get(&r, NULL, P_PREFIX "20/0004*100?accessRequestToken=limits%2Dspelt-token");
	it_check_error(&r, 401, "access_denied", "an escaped value");
	http_free(&r);
	http_set_source(NULL);
	DB_EXEC("DELETE FROM access_token WHERE id = 90");
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

#define FAILS 100         /* wrong tokens from one address: far past the throttle's 10 */
#define THROTTLE_FAILS 10 /* failures per address and 10 s, on the whole host */
/* Addresses failing at once, 127.0.1.1 on: an odd number, so that nginx's round robin
 * over the two pools sends each address's requests to one pool and then the other. */
#define SPREAD_ADDRS 21

/* A 429 of the workers' throttle: the code, and the seconds left of its 10 s window. */
static void expect_throttled(const struct http_resp *r, int oauth, const char *label)
{
	const char *ra = http_header(r, "Retry-After");
	yajl_val v;

	cr_expect(ra != NULL && atoi(ra) >= 1 && atoi(ra) <= 10, "%s: Retry-After %s", label,
	          ra ? ra : "missing");
	if (!oauth) {
		it_check_error(r, 429, "too_many_requests", label);
		return;
	}
	v = it_json(r);
	it_expect_str(it_str(v, "error"), "too_many_requests", label);
	yajl_tree_free(v);
}

/* Repeated authentication failures from one address: the workers answer 429 to that
 * address, whatever its token, until its window has passed; others are not affected. */
Test(limits, repeated_authentication_failures)
{
	char tok[TOKEN_MAX];
	struct http_resp r;
	int throttled = 0, locked = 0;

	cr_assert_eq(http_set_source("127.0.0.6"), 0);
	for (int i = 0; i < FAILS; i++) {
		snprintf(tok, sizeof(tok), "guess-%d", i);
		it_get(&r, tok, P_LIST210);
		if (r.status == 429 && throttled++ == 0)
			expect_throttled(&r, 0, "the first 429");
		else if (r.status != 429)
			cr_expect_eq(r.status, 401, "guess %d: %d", i, r.status);
		http_free(&r);
	}
	cr_assert(throttled > 0, "%d failed authentications from one address, no 429", FAILS);
	/* a valid token from that address is refused too: guessing stops */
	for (int i = 0; i < 10; i++) {
		it_get(&r, TOK_U12, P_LIST210);
		locked += r.status == 429;
		cr_expect(r.status == 429 || r.status == 200, "%d", r.status);
		http_free(&r);
	}
	cr_expect(locked > 0, "a valid token from the throttled address was never refused");
	/* another address is not affected */
	cr_assert_eq(http_set_source("127.0.0.7"), 0);
	it_get(&r, TOK_U12, P_LIST210);
	it_assert_status(&r, 200, "another address");
	http_free(&r);
}

/* Many addresses failing at once, their wrong tokens interleaved and spread by nginx
 * over both pools: each address is refused, valid token or not, right after its tenth
 * failure, whichever worker and pool answer it; an address that never failed is
 * served. (Each sends 11 requests: nginx's own limits stay far off.) */
Test(limits, failures_counted_by_every_worker)
{
	char addr[32], tok[TOKEN_MAX];
	struct http_resp r;

	for (int i = 0; i < THROTTLE_FAILS; i++) {
		for (int a = 0; a < SPREAD_ADDRS; a++) {
			snprintf(addr, sizeof(addr), "127.0.1.%d", a + 1);
			cr_assert_eq(http_set_source(addr), 0);
			snprintf(tok, sizeof(tok), "spread-guess-%d-%d", a, i);
			it_get(&r, tok, P_LIST210);
			cr_expect_eq(r.status, 401, "%s, failure %d: %d", addr, i + 1, r.status);
			http_free(&r);
		}
	}
	for (int a = 0; a < SPREAD_ADDRS; a++) {
		snprintf(addr, sizeof(addr), "127.0.1.%d", a + 1);
		cr_assert_eq(http_set_source(addr), 0);
		it_get(&r, TOK_U12, P_LIST210);
		cr_expect_eq(r.status, 429, "%s after %d failures: %d", addr, THROTTLE_FAILS,
		             r.status);
		if (r.status == 429)
			expect_throttled(&r, 0, addr);
		http_free(&r);
	}
	cr_assert_eq(http_set_source("127.0.1.100"), 0);
	it_get(&r, TOK_U12, P_LIST210);
	it_assert_status(&r, 200, "an address that never failed");
	http_free(&r);
	http_set_source(NULL);
}

/* The same for wrong client secrets at the token endpoint, in OAuth's form. */
Test(limits, repeated_client_authentication_failures)
{
	char body[128];
	struct http_resp r;
	int throttled = 0;

	cr_assert_eq(http_set_source("127.0.0.8"), 0);
	for (int i = 0; i < FAILS; i++) {
		snprintf(
		    body, sizeof(body),
		    "grant_type=client_credentials&client_id=demo-crm-user-12&client_secret=g%d",
		    i);
		it_req(&r, "POST", "/oauth/token.php",
		       "Content-Type: application/x-www-form-urlencoded\r\n", body);
		if (r.status == 429 && throttled++ == 0)
			expect_throttled(&r, 1, "the first 429 of the token endpoint");
		else if (r.status != 429)
			cr_expect_eq(r.status, 401, "secret %d: %d", i, r.status);
		http_free(&r);
	}
	cr_expect(throttled > 0, "%d wrong secrets from one address, no 429", FAILS);
}
