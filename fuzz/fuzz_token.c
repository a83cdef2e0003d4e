/*
 * fuzz_token.c - libFuzzer target for the whole token endpoint, POST /oauth/token.php:
 * the route table's dispatch and the endpoint's handler (h_token), from the request the
 * worker would build out of raw input, down to the database, which a stub in this file
 * stands in for (db_token), and back to the answer the worker would write.
 *
 * The input is "METHOD\nCONTENT-TYPE\nAUTHORIZATION\nBODY": the first three lines as
 * FastCGI hands them over (C strings: cut at a NUL; an empty Content-Type or
 * Authorization is none; an Authorization with a CR is two headers, the first kept),
 * the rest the body, any bytes (more than BODY_MAX: too large, as the worker reads it).
 * Each input is served twice: with no failure counted against the client's address,
 * then with the address throttled.
 *
 * Invariants:
 * - the status is one the endpoint documents (200, 400, 401, 405, 413, 429, 503; never
 *   500), with the error code the error table gives it, in OAuth's form;
 * - the body is JSON: the token's three members (the token holding no secret or
 *   Authorization sent), or an error byte for byte as the error table renders it; the
 *   header block is made only of the lines the endpoint writes, with Cache-Control:
 *   no-store, Pragma: no-cache, the Basic challenge of a 401, the Allow of a 405 and
 *   the Retry-After of a 429 or 503. So nothing of the input is ever echoed;
 * - only a POST that is not too large reaches the database, with a key app.client_id's
 *   grammar admits (any other would be refused as text: a 500) and the token's lifetime;
 *   an issued token is the one whose digest the database stored;
 * - a failed client authentication (401) and nothing else counts against the address;
 *   a throttled address gets 429 with Retry-After (another method than POST, the route
 *   table's 405 first) and never reaches the database.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_tree.h>

#include "auth.h"
#include "body.h"
#include "db.h"
#include "never_called.h"
#include "oauth.h"
#include "route.h"
#include "throttle.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_token: invariant violated: %s (line %d)\n", #cond,   \
			        __LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define LINE_MAX_ 8192   /* a header line kept (nginx passes at most about 16 KiB) */
#define ADDR "192.0.2.7" /* the client's address */
#define DEMO_ID "demo-crm-user-12"
#define DEMO_SECRET "demo-crm-user-12-secret"
#define DOWN_ID "database-down" /* a key for which the stub answers an outage */
#define SECRET_SHOWN_MIN 8      /* secrets this long must not appear in an answer */
#define JSON_ERR_MAX 256
#define REQUEST_ID "0123456789abcdef0123456789abcdef"
#define TOKEN_PATH "/oauth/token.php"

/* The other handlers of the route table: the token's path never reaches them. */
NEVER_CALLED(h_health)
NEVER_CALLED(h_metrics)
NEVER_CALLED(h_calls_list)
NEVER_CALLED(h_call_get)
NEVER_CALLED(h_call_put)

/* What the database stub saw. */
static struct {
	int calls;
	unsigned char token[AUTH_DIGEST_LEN];
} seen;

static struct throttle_table thr_tab; /* 2 MiB: not on the stack */
static struct throttle thr;

/* The key grammar of app.client_id (schema/005_oauth.sql). */
static bool key_grammar(const char *k)
{
	size_t n = strlen(k);

	if (n < 1 || n > OAUTH_FIELD_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= '0' && k[i] <= '9') || strchr("._~-", k[i])))
			return false;
	return true;
}

/* The database: the demo App with its secret, an outage for DOWN_ID, else no such App. */
enum err db_token(struct db *d, const char *client_id, const unsigned char secret[AUTH_DIGEST_LEN],
                  const unsigned char token[AUTH_DIGEST_LEN], int ttl_s)
{
	unsigned char demo[AUTH_DIGEST_LEN];

	(void)d;
	CHECK(key_grammar(client_id));
	CHECK(ttl_s == OAUTH_TTL_S);
	seen.calls++;
	memcpy(seen.token, token, AUTH_DIGEST_LEN);
	if (strcmp(client_id, DOWN_ID) == 0)
		return ERR_UNAVAILABLE;
	auth_sha256(DEMO_SECRET, strlen(DEMO_SECRET), demo);
	if (strcmp(client_id, DEMO_ID) == 0 && memcmp(secret, demo, AUTH_DIGEST_LEN) == 0)
		return ERR_NONE;
	return ERR_OAUTH_CLIENT;
}

/* The next line of p[*i..n) into out as a C string (cut at a NUL, at most LINE_MAX_). */
static void line(const uint8_t *p, size_t n, size_t *i, char *out)
{
	size_t o = 0, k = *i;
	bool cut = false;

	for (; k < n && p[k] != '\n'; k++) {
		if (p[k] == '\0')
			cut = true;
		if (!cut && o < LINE_MAX_)
			out[o++] = (char)p[k];
	}
	out[o] = '\0';
	*i = k < n ? k + 1 : n;
}

/* The error's body as the table renders it in OAuth's form. */
static void want_error(enum err e, char *out, size_t cap)
{
	const struct err_info *ei = err_info(e);

	snprintf(out, cap, "{\"error\":\"%s\",\"error_description\":\"%s\"}", ei->code,
	         ei->message);
}

/* The error codes each status may carry. */
static bool code_of_status(int status, const char *code)
{
	switch (status) {
	case 400:
		return strcmp(code, "invalid_request") == 0 ||
		       strcmp(code, "unsupported_grant_type") == 0 ||
		       strcmp(code, "invalid_scope") == 0;
	case 401:
		return strcmp(code, "invalid_client") == 0;
	case 405:
		return strcmp(code, "method_not_allowed") == 0;
	case 413:
		return strcmp(code, "request_too_large") == 0;
	case 429:
		return strcmp(code, "too_many_requests") == 0;
	case 503:
		return strcmp(code, "service_unavailable") == 0;
	}
	return false;
}

/* Whether the header block is exactly lines the endpoint writes for rs. */
static bool head_ok(const struct resp *rs, const char *head, size_t hlen)
{
	static const char *const fixed[] = {
	    "Content-Type: application/json",
	    "Cache-Control: no-store",
	    "Pragma: no-cache",
	    "WWW-Authenticate: Basic realm=\"UnifiedAPI\"",
	    "Allow: POST",
	    ("X-Request-Id: " REQUEST_ID),
	};
	char status[64];
	size_t i = 0;
	bool first = true;

	snprintf(status, sizeof(status), "Status: %d %s", rs->status, err_reason(rs->status));
	if (hlen < 4 || memcmp(head + hlen - 4, "\r\n\r\n", 4) != 0)
		return false;
	while (i < hlen - 2) {
		const char *l = head + i, *end = strstr(l, "\r\n");
		size_t n = (size_t)(end - l);
		bool ok = false;

		if (first) {
			ok = n == strlen(status) && memcmp(l, status, n) == 0;
		} else if (n > 13 && memcmp(l, "Retry-After: ", 13) == 0) {
			ok = n <= 15 && strspn(l + 13, "0123456789") == n - 13;
		} else {
			for (size_t k = 0; k < sizeof(fixed) / sizeof(*fixed) && !ok; k++)
				ok = n == strlen(fixed[k]) && memcmp(l, fixed[k], n) == 0;
		}
		if (!ok)
			return false;
		first = false;
		i += n + 2;
	}
	return true;
}

static bool has(const char *hay, const char *needle)
{
	return strlen(needle) >= SECRET_SHOWN_MIN && strstr(hay, needle) != NULL;
}

/* Checks the answer rs to rq; secret (maybe empty) must not show in a token issued. */
static void check_answer(const struct req *rq, struct resp *rs, const char *secret)
{
	char head[RESP_HEAD_MAX + 1], err[JSON_ERR_MAX], text[1024];
	const unsigned char *body;
	size_t blen, hlen = resp_head(rs, head, sizeof(head));
	yajl_val v;

	CHECK(hlen > 0 && hlen < sizeof(head));
	head[hlen] = '\0';
	CHECK(head_ok(rs, head, hlen));
	CHECK(strstr(head, "Cache-Control: no-store\r\n") != NULL);
	CHECK(strstr(head, "Pragma: no-cache\r\n") != NULL);
	CHECK(strstr(head, "Content-Type: application/json\r\n") != NULL);
	CHECK((rs->status == 401) ==
	      (strstr(head, "WWW-Authenticate: Basic realm=\"UnifiedAPI\"\r\n") != NULL));
	CHECK((rs->status == 405) == (strstr(head, "Allow: POST\r\n") != NULL));
	CHECK((rs->status == 429 || rs->status == 503) == (strstr(head, "Retry-After: ") != NULL));
	resp_body(rs, &body, &blen);
	CHECK(body != NULL && blen > 0 && blen < sizeof(text));
	memcpy(text, body, blen);
	text[blen] = '\0';
	CHECK(strlen(text) == blen);
	v = yajl_tree_parse(text, err, sizeof(err));
	CHECK(v != NULL && YAJL_IS_OBJECT(v));
	if (rs->status == 200) {
		const char *tp[] = {"access_token", NULL}, *ty[] = {"token_type", NULL},
		           *ex[] = {"expires_in", NULL};
		yajl_val at = yajl_tree_get(v, tp, yajl_t_string);
		yajl_val tt = yajl_tree_get(v, ty, yajl_t_string);
		yajl_val ei = yajl_tree_get(v, ex, yajl_t_number);
		unsigned char dig[AUTH_DIGEST_LEN];

		CHECK(YAJL_GET_OBJECT(v)->len == 3 && at != NULL && tt != NULL && ei != NULL);
		CHECK(strlen(YAJL_GET_STRING(at)) == OAUTH_TOKEN_LEN);
		CHECK(auth_token_ok(YAJL_GET_STRING(at), OAUTH_TOKEN_LEN) == 0);
		CHECK(!has(YAJL_GET_STRING(at), secret));
		CHECK(rq->auth == NULL || !has(YAJL_GET_STRING(at), rq->auth));
		CHECK(strcmp(YAJL_GET_STRING(tt), "Bearer") == 0);
		CHECK(YAJL_IS_INTEGER(ei) && YAJL_GET_INTEGER(ei) == OAUTH_TTL_S);
		CHECK(seen.calls == 1);
		auth_sha256(YAJL_GET_STRING(at), OAUTH_TOKEN_LEN, dig);
		CHECK(memcmp(dig, seen.token, AUTH_DIGEST_LEN) == 0);
	} else {
		char want[1024];

		CHECK(rs->err != ERR_NONE && err_info(rs->err)->status == rs->status);
		CHECK(code_of_status(rs->status, err_info(rs->err)->code));
		want_error(rs->err, want, sizeof(want));
		CHECK(strcmp(text, want) == 0);
	}
	yajl_tree_free(v);
}

/* The failed authentications counted against addr: the throttle's table is opaque, so
 * they are read as the failures still needed before addr waits (which fills its
 * count: the table is made again for each run). */
static int fails_of(const char *addr)
{
	struct timespec ts;
	long long now;
	int more = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	while (more <= THROTTLE_FAILS_MAX && throttle_wait(&thr, addr, now) == 0) {
		throttle_fail(&thr, addr, now);
		more++;
	}
	return THROTTLE_FAILS_MAX - more;
}

/* An empty table, the worker's own (not shared). */
static void thr_reset(void)
{
	static const uint64_t secret[2] = {1, 2};

	if (throttle_table_init(&thr_tab, 0, secret) != 0)
		abort();
	throttle_init(&thr, &thr_tab, NULL);
}

/* The secret the request carries, decoded (body or Basic), for the no-echo checks. */
static void secret_of(const struct req *rq, char *out)
{
	char id[OAUTH_FIELD_MAX + 1];
	struct oauth_form f;

	out[0] = '\0';
	if (rq->auth != NULL && oauth_basic(rq->auth, rq->auth_len, id, out) == 0)
		return;
	out[0] = '\0';
	if (oauth_form_parse(rq->body, rq->body_len, &f) == 0)
		memcpy(out, f.client_secret, sizeof(f.client_secret));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char method[LINE_MAX_ + 1], ctype[LINE_MAX_ + 1], auth[LINE_MAX_ + 1];
	char secret[OAUTH_FIELD_MAX + 1];
	struct srv sv = {.throttle = &thr};
	struct req rq;
	struct resp rs;
	size_t i = 0;
	char *cr;

	line(data, size, &i, method);
	line(data, size, &i, ctype);
	line(data, size, &i, auth);
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.uri = rq.path = TOKEN_PATH;
	rq.uri_len = rq.path_len = strlen(TOKEN_PATH);
	rq.query = "";
	rq.content_type = ctype[0] ? ctype : NULL;
	if (auth[0]) {
		rq.auth_count = 1;
		if ((cr = strchr(auth, '\r')) != NULL) {
			*cr = '\0';
			rq.auth_count = 2;
		}
		rq.auth = auth;
		rq.auth_len = strlen(auth);
	}
	rq.body = (const char *)data + i;
	rq.body_len = size - i;
	if (rq.body_len > BODY_MAX) {
		rq.body_too_large = 1;
		rq.body_len = 0;
	}
	rq.request_id = REQUEST_ID;
	rq.remote_addr = ADDR;
	secret_of(&rq, secret);

	/* served with nothing counted against the address */
	thr_reset();
	memset(&seen, 0, sizeof(seen));
	resp_init(&rs, rq.request_id);
	CHECK(route_dispatch(&sv, &rq, &rs) ==
	      (rs.status == 405 ? METRICS_OP_OTHER : METRICS_OP_TOKEN));
	CHECK(rs.status != 500);
	check_answer(&rq, &rs, secret);
	if (strcmp(method, "POST") != 0)
		CHECK(rs.status == 405);
	else if (rq.body_too_large)
		CHECK(rs.status == 413);
	CHECK(seen.calls <= 1);
	CHECK(seen.calls == 0 || (strcmp(method, "POST") == 0 && !rq.body_too_large));
	CHECK(rs.status != 200 || seen.calls == 1);
	CHECK(rs.status != 503 || seen.calls == 1);
	/* a failed client authentication counts, and nothing else */
	CHECK(fails_of(ADDR) == (rs.status == 401));
	resp_free(&rs);

	/* served again, the address throttled: 429 before anything else */
	thr_reset();
	for (int k = 0; k < THROTTLE_FAILS_MAX; k++)
		throttle_count(&thr, ADDR);
	memset(&seen, 0, sizeof(seen));
	resp_init(&rs, rq.request_id);
	route_dispatch(&sv, &rq, &rs);
	CHECK(seen.calls == 0);
	if (strcmp(method, "POST") != 0) {
		CHECK(rs.status == 405);
	} else {
		CHECK(rs.status == 429 && rs.err == ERR_TOO_MANY);
		CHECK(rs.retry_after >= 1 && rs.retry_after <= THROTTLE_WINDOW_MS / 1000);
	}
	check_answer(&rq, &rs, secret);
	resp_free(&rs);
	return 0;
}
