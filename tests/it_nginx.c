/*
 * it_nginx.c - every error nginx answers itself is its page of nginx/uapi-errors.conf, as
 * tools/nginx-errors.c makes it from src/render/err.c: a request here makes nginx raise each
 * status, and the answer must be that page to the byte (a page no request can reach
 * says why); and each pool's own /uapi/health/N and /uapi/metrics/N has the rules of
 * /uapi/ and /uapi/metrics. it_check_nginx is the check every suite uses for nginx's
 * own answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/nginx-errors.h"
#include "it_nginx.h"
#include "it_util.h"

#define BODY_MAX 512               /* a page's body */
#define BODY_LIMIT (16 * 1024)     /* uapi.conf: client_max_body_size */
#define LINE_LIMIT (16 * 1024)     /* uapi.conf: large_client_header_buffers' size */
#define ADDR_BURST 200             /* uapi-api-rules.conf: per address */
#define TOKEN_BURST 100            /* per token */
#define REQ_MAX (LINE_LIMIT + 256) /* a request over a limit of LINE_LIMIT */
#define DENIED_ADDR "127.0.0.41"   /* not in uapi-metrics-allow.conf */
#define FLOOD_ADDR "127.0.0.42"    /* past its limit, here alone */
#define TOKEN_ADDR "127.0.0.43"    /* one token past its limit, here alone */
#define TOKEN "nginx-rules-token"  /* no App's: the health checks read no token */

/* Requests come from 127.0.0.1, which no rate limit counts, unless a test says otherwise. */
TestSuite(nginx, .timeout = 120);

int it_from_nginx(const struct http_resp *r)
{
	return http_header(r, "X-Request-Id") == NULL;
}

/* Whether the page answers the status nginx raised: its own, or one of its also. */
static int answers(const struct nginx_error *ne, int raised)
{
	const char *p = ne->also;
	char *end;

	if (ne->page == raised)
		return 1;
	while (p != NULL && *p != '\0') {
		long s = strtol(p, &end, 10);
		if (end == p)
			break;
		if (s == raised)
			return 1;
		p = end;
	}
	return 0;
}

static const struct nginx_error *page_of(int raised)
{
	for (size_t i = 0; i < NGINX_NERRORS; i++)
		if (answers(&nginx_errors[i], raised))
			return &nginx_errors[i];
	return NULL;
}

/* The body of a page: the contract's error with the code, and the message unless the page
 * has its own, of its entry of src/render/err.c. */
static void page_body(const struct nginx_error *ne, char *buf, size_t cap)
{
	const struct err_info *ei = err_info(ne->err);

	snprintf(buf, cap, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", ei->code,
	         ne->message ? ne->message : ei->message);
}

/* Non-fatal: the header is want, or absent when want is NULL. */
static void expect_header(const struct http_resp *r, const char *name, const char *want, int *ok,
                          const char *label)
{
	const char *got = http_header(r, name);

	IT_CHECK(ok, want ? got != NULL && strcmp(got, want) == 0 : got == NULL,
	         "%s: %s %s, expected %s", label, name, got ? got : "(none)",
	         want ? want : "(none)");
}

static int check_page(const struct http_resp *r, const struct nginx_error *ne, const char *label)
{
	char want[BODY_MAX];
	int ok = 1;

	page_body(ne, want, sizeof(want));
	IT_CHECK(&ok, r->status == ne->status, "%s: status %d, expected %d (nginx's page %d)",
	         label, r->status, ne->status, ne->page);
	IT_CHECK(&ok, it_is_json(r), "%s: Content-Type %s, expected application/json", label,
	         http_header(r, "Content-Type") ? http_header(r, "Content-Type") : "(none)");
	IT_CHECK(&ok, strcmp(r->body, want) == 0, "%s: body %.300s, expected nginx's page %d: %s",
	         label, r->body, ne->page, want);
	expect_header(r, "Retry-After", ne->retry_after, &ok, label);
	expect_header(r, "Allow", ne->allow, &ok, label);
	IT_CHECK(&ok, it_from_nginx(r), "%s: a worker's answer (X-Request-Id), not nginx's", label);
	return ok;
}

int it_check_nginx(const struct http_resp *r, int raised, const char *label)
{
	const struct nginx_error *first = NULL;
	char want[BODY_MAX];

	if (raised != 0) {
		const struct nginx_error *ne = page_of(raised);
		cr_assert(ne != NULL, "%s: nginx has no page for %d", label, raised);
		return check_page(r, ne, label);
	}
	/* the page of that status whose body it is (400 has two: 400's and 494's) */
	for (size_t i = 0; i < NGINX_NERRORS; i++) {
		const struct nginx_error *ne = &nginx_errors[i];
		if (ne->status != r->status)
			continue;
		page_body(ne, want, sizeof(want));
		if (strcmp(r->body, want) == 0)
			return check_page(r, ne, label);
		if (first == NULL)
			first = ne;
	}
	if (first != NULL)
		return check_page(r, first, label);
	cr_expect_fail("%s: nginx answered %d itself, which none of its pages sends: %.300s", label,
	               r->status, r->body);
	return 0;
}

int it_check_if_nginx(const struct http_resp *r, const char *label)
{
	if (r->status < 400 || r->body_len == 0 || !it_from_nginx(r))
		return 1;
	return it_check_nginx(r, 0, label);
}

/* The pages no request can make nginx send here, and why. */
static const struct {
	int page;
	const char *why;
} unreached[] = {
    {408, "nginx closes a connection whose body stopped coming, without an answer"},
    {411, "nginx reads a body without a length as chunked or empty, never asks for one"},
    {500, "nginx's own failure (memory, a file it cannot open), which no request causes"},
};

/* How many answers each page of nginx_errors gave in the test. */
static int seen[NGINX_NERRORS];

/* Checks r as the page for the status nginx raised, and counts the page. */
static void expect_page(const struct http_resp *r, int raised, const char *label)
{
	for (size_t i = 0; i < NGINX_NERRORS; i++)
		seen[i] += answers(&nginx_errors[i], raised);
	it_check_nginx(r, raised, label);
}

static void raw_page(const char *req, size_t len, int raised, const char *label)
{
	struct http_resp r;

	cr_assert(http_exchange(req, len, 0, &r) == 0, "%s: no HTTP answer", label);
	expect_page(&r, raised, label);
	http_free(&r);
}
#define RAW(label, req, raised) raw_page(req, sizeof(req) - 1, raised, label)

static void req_page(const char *method, const char *target, const char *headers, const char *body,
                     int raised, const char *label)
{
	struct http_resp r;

	it_req(&r, method, target, headers, body);
	expect_page(&r, raised, label);
	http_free(&r);
}

/* What nginx parses and refuses before any location: request line, headers, framing. */
static void refused_requests(void)
{
	char *req = malloc(REQ_MAX);
	size_t n;

	cr_assert(req != NULL);
	RAW("no Host", "GET /uapi/health HTTP/1.1\r\nConnection: close\r\n\r\n", 400);
	RAW("HTTP/2.0 in the request line", "GET /uapi/health HTTP/2.0\r\n" RAW_HOST "\r\n", 505);
	RAW("Transfer-Encoding: gzip",
	    "PUT " P_CALL444 " HTTP/1.1\r\n" RAW_HOST H_JSON "Transfer-Encoding: gzip\r\n\r\n",
	    501);

	n = (size_t)snprintf(req, REQ_MAX, "GET /uapi/");
	memset(req + n, 'a', LINE_LIMIT);
	n += LINE_LIMIT;
	n += (size_t)snprintf(req + n, REQ_MAX - n, " HTTP/1.1\r\n" RAW_HOST "\r\n");
	raw_page(req, n, 414, "a request line over 16 KiB");

	n = (size_t)snprintf(req, REQ_MAX, "GET /uapi/health HTTP/1.1\r\n" RAW_HOST "X-Big: ");
	memset(req + n, 'b', LINE_LIMIT);
	n += LINE_LIMIT;
	n += (size_t)snprintf(req + n, REQ_MAX - n, "\r\n\r\n");
	raw_page(req, n, 494, "a header line over 16 KiB");
	free(req);
}

/* What the locations refuse: paths outside the service, methods, bodies, addresses. */
static void refused_by_locations(void)
{
	char *over = it_padded_stop(BODY_LIMIT + 1);

	req_page("GET", "/", "", NULL, 404, "GET /");
	req_page("GET", "/uapi", "", NULL, 404, "GET /uapi");
	req_page("GET", "/uapi?accessRequestToken=x", "", NULL, 404, "GET /uapi?...");
	req_page("PUT", "/other/x", H_JSON, BODY_STOP01, 404, "PUT /other/x");
	req_page("TRACE", P_CALL444, "", NULL, 405, "TRACE " P_CALL444);
	req_page("PUT", P_CALL444, H_AUTH(TOK_U12) H_JSON, over, 413, "a body of 16 KiB + 1");
	free(over);

	cr_assert_eq(http_set_source(DENIED_ADDR), 0);
	req_page("GET", "/uapi/metrics", "", NULL, 403, "/uapi/metrics from " DENIED_ADDR);
	req_page("GET", "/uapi/metrics/1", "", NULL, 403, "/uapi/metrics/1 from " DENIED_ADDR);
	http_set_source(NULL);
}

/* One address past its rate limit. */
static void rate_limited(void)
{
	struct http_resp r;
	int limited = 0;

	cr_assert_eq(http_set_source(FLOOD_ADDR), 0);
	for (int i = 0; i < 2 * ADDR_BURST && !limited; i++) {
		it_req(&r, "GET", "/uapi/health", "", NULL);
		if ((limited = r.status == 429))
			expect_page(&r, 429, "past the address's limit");
		http_free(&r);
	}
	http_set_source(NULL);
	cr_expect(limited, "%d requests from " FLOOD_ADDR ", no 429", 2 * ADDR_BURST);
}

/* A pool that is gone: its own health check, past the balancing, reaches no worker. The
 * pool is started again whatever came. */
static void pool_gone(void)
{
	char num[16], path[64];
	int n = it_instances(), answered;
	struct http_resp r;

	cr_assert(n >= 1, "no pool runs");
	snprintf(num, sizeof(num), "%d", n);
	snprintf(path, sizeof(path), "/uapi/health/%d", n);
	cr_assert_eq(it_stack_arg("pool-stop", num), 0, "pool-stop %d failed", n);
	answered = http_send(&r, "GET", path, "", NULL, 0) == 0;
	cr_assert_eq(it_stack_arg("pool-start", num), 0, "pool-start %d failed", n);
	cr_assert(answered, "no HTTP answer to GET %s", path);
	expect_page(&r, 502, "the health of a pool that is down");
	http_free(&r);
}

Test(nginx, every_page_from_the_error_table)
{
	refused_requests();
	refused_by_locations();
	rate_limited();
	pool_gone();
	for (size_t i = 0; i < NGINX_NERRORS; i++) {
		int why = 0;
		for (size_t k = 0; k < sizeof(unreached) / sizeof(*unreached); k++)
			why |= unreached[k].page == nginx_errors[i].page;
		cr_expect(seen[i] > 0 || why,
		          "nginx's page %d: no request here reaches it (add one, or say in "
		          "unreached[] why none can)",
		          nginx_errors[i].page);
	}
	for (size_t k = 0; k < sizeof(unreached) / sizeof(*unreached); k++)
		cr_expect(page_of(unreached[k].page) != NULL, "unreached[] names %d, no page's",
		          unreached[k].page);
}

/* /uapi/health/1 has the rules of /uapi/ (uapi-api-rules.conf), a token's limit among
 * them: past its burst, one token is refused there too. */
Test(nginx, instance_locations_have_the_rules_of_uapi)
{
	struct http_resp r;
	int first = -1;

	cr_assert_eq(http_set_source(TOKEN_ADDR), 0);
	/* under the address's burst: only the token's limit can answer 429 */
	for (int i = 0; i < ADDR_BURST && first < 0; i++) {
		it_get(&r, TOKEN, "/uapi/health/1");
		if (r.status == 429) {
			first = i;
			it_check_nginx(&r, 429, "one token past its limit at /uapi/health/1");
		} else {
			cr_expect_eq(r.status, 200, "request %d: %d %.200s", i, r.status, r.body);
		}
		http_free(&r);
	}
	http_set_source(NULL);
	cr_expect(first >= 0, "%d requests with one token to /uapi/health/1, no 429", ADDR_BURST);
	cr_expect(first < 0 || first >= TOKEN_BURST, "a 429 at request %d, within the burst of %d",
	          first, TOKEN_BURST);
}
