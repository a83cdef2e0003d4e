/* unit_resp.c - tests of src/render/resp.c (error bodies, CGI headers). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "../src/render/resp.c"

/* The body as a NUL-terminated string in buf. */
static const char *body_str(const struct resp *r, char *buf, size_t cap)
{
	const unsigned char *p;
	size_t n;

	resp_body(r, &p, &n);
	cr_assert_lt(n, cap, "body fits the test buffer");
	if (p == NULL) {
		cr_assert_eq(n, (size_t)0, "no body, no length");
		return NULL;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* The header block in buf; asserts the returned length. */
static size_t head(const struct resp *r, char *buf, size_t cap)
{
	size_t n = resp_head(r, buf, cap);

	cr_assert_gt(n, (size_t)0, "header block rendered");
	cr_assert_eq(n, strlen(buf), "returned length is the header block's");
	return n;
}

/* Asserts the block is CRLF-terminated lines, the last one empty, and nothing after. */
static void well_formed(const char *h, size_t n)
{
	const char *end = strstr(h, "\r\n\r\n");

	cr_assert_not_null(end, "blank line: %s", h);
	cr_assert_eq((size_t)(end - h) + 4, n, "the blank line ends the block: %s", h);
	cr_assert_eq(strncmp(h, "Status: ", 8), 0, "Status comes first: %s", h);
	for (size_t i = 0; i < n; i++)
		if (h[i] == '\n')
			cr_assert(i > 0 && h[i - 1] == '\r', "bare LF at %zu: %s", i, h);
		else if (h[i] == '\r')
			cr_assert(i + 1 < n && h[i + 1] == '\n', "bare CR at %zu: %s", i, h);
}

static int has(const char *h, const char *line)
{
	char want[256];
	const char *p;

	/* A header line starts the block or follows a CRLF. */
	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	p = strstr(h, want);
	return p != NULL;
}

static int has_name(const char *h, const char *name)
{
	char want[128];

	snprintf(want, sizeof(want), "\r\n%s:", name);
	return strstr(h, want) != NULL;
}

/* resp_error bodies */

Test(resp, error_body_exact)
{
	static const struct {
		enum err e;
		const char *body;
	} v[] = {
	    {ERR_PHONECALL_INVALID,
	     "{\"error\":{\"code\":\"pc_phonecall_invalid\",\"message\":\"The phoneCallId in "
	     "the URI fragment is invalid or does not reference an existing phone call.\"}}"},
	    {ERR_JSON_INVALID,
	     "{\"error\":{\"code\":\"json_invalid\",\"message\":\"The request body is not "
	     "one well-formed JSON object.\"}}"},
	    {ERR_UNAUTHORIZED,
	     "{\"error\":{\"code\":\"access_denied\",\"message\":\"A valid access token is "
	     "required.\"}}"},
	    {ERR_RECORDING_DISABLED,
	     "{\"error\":{\"code\":\"pc_recording_disabled\",\"message\":\"Call recording on "
	     "demand (*1) is not enabled for the extension of this phone call view.\"}}"},
	    {ERR_UNAVAILABLE,
	     "{\"error\":{\"code\":\"service_unavailable\",\"message\":\"The service is "
	     "temporarily unavailable; retry later.\"}}"},
	};
	char buf[1024];

	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		struct resp r;
		resp_init(&r, NULL);
		resp_error(&r, v[i].e);
		cr_assert_str_eq(body_str(&r, buf, sizeof(buf)), v[i].body, "body of error %d",
		                 (int)v[i].e);
		cr_assert_eq(r.status, err_info(v[i].e)->status, "status of error %d", (int)v[i].e);
		cr_assert_eq(r.err, v[i].e, "err of error %d", (int)v[i].e);
		resp_free(&r);
	}
}

Test(resp, error_body_every_error)
{
	char buf[1024], want[1024];

	for (int e = ERR_NONE + 1; e < ERR__MAX; e++) {
		const struct err_info *ei = err_info((enum err)e);
		struct resp r;
		char errbuf[128];
		resp_init(&r, "r1");
		resp_error(&r, (enum err)e);
		body_str(&r, buf, sizeof(buf));
		snprintf(want, sizeof(want), "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
		         ei->code, ei->message);
		cr_assert_str_eq(buf, want, "body of error %d", e);

		/* And it parses back to the same code and message. */
		yajl_val root = yajl_tree_parse(buf, errbuf, sizeof(errbuf));
		cr_assert_not_null(root, "error %d: JSON: %s", e, errbuf);
		const char *pcode[] = {"error", "code", NULL}, *pmsg[] = {"error", "message", NULL};
		yajl_val code = yajl_tree_get(root, pcode, yajl_t_string);
		yajl_val msg = yajl_tree_get(root, pmsg, yajl_t_string);
		cr_assert_not_null(code, "error %d: error.code", e);
		cr_assert_not_null(msg, "error %d: error.message", e);
		cr_assert_str_eq(YAJL_GET_STRING(code), ei->code, "error %d: code", e);
		cr_assert_str_eq(YAJL_GET_STRING(msg), ei->message, "error %d: message", e);
		cr_assert_eq(YAJL_GET_OBJECT(root)->len, (size_t)1, "error %d: one member", e);
		yajl_tree_free(root);
		resp_free(&r);
	}
}

Test(resp, error_replaces_body)
{
	struct resp r;
	char buf[512];
	yajl_gen g;

	resp_init(&r, NULL);
	g = resp_json(&r, 200);
	cr_assert_not_null(g, "generator");
	yajl_gen_map_open(g);
	resp_str(g, "id");
	resp_str(g, "444444");
	/* Fails half-way through: the error replaces what was built. */
	resp_error(&r, ERR_INTERNAL);
	cr_assert_str_eq(body_str(&r, buf, sizeof(buf)),
	                 "{\"error\":{\"code\":\"internal_server_error\",\"message\":\"An internal "
	                 "error occurred.\"}}",
	                 "only the error");
	cr_assert_eq(r.status, 500, "status");
	resp_error(&r, ERR_NOT_FOUND);
	cr_assert_str_eq(body_str(&r, buf, sizeof(buf)),
	                 "{\"error\":{\"code\":\"resource_not_found\",\"message\":\"No resource "
	                 "matches the request.\"}}",
	                 "the second error only");
	cr_assert_eq(r.status, 404, "status");
	resp_free(&r);
}

Test(resp, json_body)
{
	struct resp r;
	char buf[512], h[RESP_HEAD_MAX];
	yajl_gen g;
	size_t n;

	resp_init(&r, NULL);
	g = resp_json(&r, 202);
	cr_assert_not_null(g, "generator");
	cr_assert_eq(r.status, 202, "status");
	cr_assert_eq(r.err, ERR_NONE, "success");
	yajl_gen_map_open(g);
	resp_str(g, "id");
	resp_str(g, "a\"b\\c");
	yajl_gen_map_close(g);
	cr_assert_str_eq(body_str(&r, buf, sizeof(buf)), "{\"id\":\"a\\\"b\\\\c\"}",
	                 "strings escaped");
	n = head(&r, h, sizeof(h));
	well_formed(h, n);
	cr_assert_eq(strncmp(h, "Status: 202 Accepted\r\n", 22), 0, "status line: %s", h);
	cr_assert(has(h, "Content-Type: application/json"), "Content-Type: %s", h);
	resp_free(&r);
}

/* resp_head */

Test(resp, head_init)
{
	struct resp r;
	char h[RESP_HEAD_MAX];
	size_t n;

	resp_init(&r, "abc");
	cr_assert_eq(r.status, 500, "a fresh response is a 500 until decided");
	cr_assert_eq(r.err, ERR_INTERNAL, "internal");
	cr_assert_null(r.gen, "no body");
	cr_assert_null(r.allow, "no Allow");
	n = head(&r, h, sizeof(h));
	well_formed(h, n);
	cr_assert_eq(strncmp(h, "Status: 500 Internal Server Error\r\n", 35), 0, "%s", h);
	cr_assert_not(has_name(h, "Content-Type"), "no body, no Content-Type: %s", h);
	resp_free(&r);
}

Test(resp, head_401)
{
	struct resp r;
	char h[RESP_HEAD_MAX];
	size_t n;

	resp_init(&r, NULL);
	resp_error(&r, ERR_UNAUTHORIZED);
	n = head(&r, h, sizeof(h));
	well_formed(h, n);
	cr_assert_eq(strncmp(h, "Status: 401 Unauthorized\r\n", 26), 0, "status line: %s", h);
	cr_assert(has_name(h, "WWW-Authenticate"), "WWW-Authenticate on a 401: %s", h);
	cr_assert_not_null(strstr(h, "\r\nWWW-Authenticate: Bearer"), "Bearer challenge: %s", h);
	cr_assert(has(h, "Content-Type: application/json"), "JSON body: %s", h);
	cr_assert_not(has_name(h, "Retry-After"), "no Retry-After: %s", h);
	cr_assert_not(has_name(h, "Allow"), "no Allow: %s", h);
	cr_assert_not(has_name(h, "X-Request-Id"), "no request id given: %s", h);
	resp_free(&r);
}

Test(resp, head_challenge_only_on_401)
{
	static const enum err others[] = {ERR_FORBIDDEN, ERR_USER_INVALID, ERR_NOT_FOUND,
	                                  ERR_INTERNAL, ERR_UNAVAILABLE};
	char h[RESP_HEAD_MAX];

	for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++) {
		struct resp r;
		resp_init(&r, NULL);
		resp_error(&r, others[i]);
		head(&r, h, sizeof(h));
		cr_assert_not(has_name(h, "WWW-Authenticate"), "error %d: %s", (int)others[i], h);
		resp_free(&r);
	}
}

Test(resp, head_503)
{
	struct resp r;
	char h[RESP_HEAD_MAX];
	size_t n;

	resp_init(&r, NULL);
	resp_error(&r, ERR_UNAVAILABLE);
	n = head(&r, h, sizeof(h));
	well_formed(h, n);
	cr_assert_eq(strncmp(h, "Status: 503 Service Unavailable\r\n", 33), 0, "%s", h);
	cr_assert(has(h, "Retry-After: " RESP_RETRY_AFTER_S), "Retry-After on a 503: %s", h);
	resp_error(&r, ERR_INTERNAL);
	head(&r, h, sizeof(h));
	cr_assert_not(has_name(h, "Retry-After"), "no Retry-After on a 500: %s", h);
	resp_free(&r);
}

Test(resp, head_429)
{
	struct resp r;
	char h[RESP_HEAD_MAX];
	size_t n;

	resp_init(&r, NULL);
	resp_error(&r, ERR_TOO_MANY);
	r.retry_after = 7;
	n = head(&r, h, sizeof(h));
	well_formed(h, n);
	cr_assert_eq(strncmp(h, "Status: 429 Too Many Requests\r\n", 31), 0, "%s", h);
	cr_assert(has(h, "Retry-After: 7"), "the seconds left: %s", h);
	r.retry_after = 0;
	head(&r, h, sizeof(h));
	cr_assert(has(h, "Retry-After: 1"), "at least a second: %s", h);
	resp_free(&r);
}

Test(resp, head_allow)
{
	struct resp r;
	char h[RESP_HEAD_MAX];
	size_t n;

	/* As the handlers do: the error, then the Allow of the resource. */
	resp_init(&r, NULL);
	resp_error(&r, ERR_METHOD);
	r.allow = "GET, PUT";
	n = head(&r, h, sizeof(h));
	well_formed(h, n);
	cr_assert_eq(strncmp(h, "Status: 405 Method Not Allowed\r\n", 32), 0, "%s", h);
	cr_assert(has(h, "Allow: GET, PUT"), "Allow on a 405: %s", h);
	resp_free(&r);

	/* Set first: every new response clears it; the caller names methods afterwards. */
	resp_init(&r, NULL);
	r.allow = "GET";
	resp_error(&r, ERR_METHOD);
	head(&r, h, sizeof(h));
	cr_assert(!has(h, "Allow:"), "Allow cleared by a new error: %s", h);
	r.allow = "GET";
	resp_json(&r, 200);
	head(&r, h, sizeof(h));
	cr_assert(!has(h, "Allow:"), "Allow cleared by a success: %s", h);
	r.allow = "GET";
	resp_empty(&r, 204);
	head(&r, h, sizeof(h));
	cr_assert(!has(h, "Allow:"), "Allow cleared by a 204: %s", h);
	resp_free(&r);

	/* A 405 without one set has none. */
	resp_init(&r, NULL);
	resp_error(&r, ERR_METHOD);
	head(&r, h, sizeof(h));
	cr_assert_not(has_name(h, "Allow"), "no Allow unless set: %s", h);
	resp_free(&r);

	/* Another error drops it. */
	resp_init(&r, NULL);
	r.allow = "GET";
	resp_error(&r, ERR_NOT_FOUND);
	head(&r, h, sizeof(h));
	cr_assert_not(has_name(h, "Allow"), "no Allow on a 404: %s", h);
	cr_assert_null(r.allow, "cleared");
	resp_error(&r, ERR_METHOD);
	head(&r, h, sizeof(h));
	cr_assert_not(has_name(h, "Allow"), "not resurrected by a later 405: %s", h);
	resp_free(&r);
}

Test(resp, head_request_id)
{
	struct resp r;
	char h[RESP_HEAD_MAX];
	size_t n;

	resp_init(&r, "0000abcd00000001");
	resp_error(&r, ERR_INTERNAL);
	n = head(&r, h, sizeof(h));
	well_formed(h, n);
	cr_assert(has(h, "X-Request-Id: 0000abcd00000001"), "request id echoed: %s", h);
	resp_empty(&r, 204);
	head(&r, h, sizeof(h));
	cr_assert(has(h, "X-Request-Id: 0000abcd00000001"), "on a success too: %s", h);
	resp_free(&r);

	resp_init(&r, NULL);
	resp_error(&r, ERR_INTERNAL);
	head(&r, h, sizeof(h));
	cr_assert_not(has_name(h, "X-Request-Id"), "none without one: %s", h);
	resp_free(&r);
}

Test(resp, head_no_store)
{
	struct resp r;
	char h[RESP_HEAD_MAX];

	resp_init(&r, NULL);
	resp_error(&r, ERR_USER_INVALID);
	head(&r, h, sizeof(h));
	cr_assert(has(h, "Cache-Control: no-store"), "errors are not cached: %s", h);
	resp_free(&r);
}

Test(resp, empty_204)
{
	struct resp r;
	char h[RESP_HEAD_MAX], buf[64];
	size_t n;

	resp_init(&r, NULL);
	resp_error(&r, ERR_INTERNAL); /* something built first */
	resp_empty(&r, 204);
	cr_assert_eq(r.status, 204, "status");
	cr_assert_eq(r.err, ERR_NONE, "success");
	cr_assert_null(r.gen, "generator freed");
	cr_assert_null(body_str(&r, buf, sizeof(buf)), "no body");
	n = head(&r, h, sizeof(h));
	well_formed(h, n);
	cr_assert_eq(strncmp(h, "Status: 204 No Content\r\n", 24), 0, "%s", h);
	cr_assert_not(has_name(h, "Content-Type"), "no body, no Content-Type: %s", h);
	resp_free(&r);
}

Test(resp, head_capacity)
{
	struct resp r;
	char h[RESP_HEAD_MAX];
	size_t n;

	resp_init(&r, "abc");
	resp_error(&r, ERR_UNAUTHORIZED);
	n = resp_head(&r, h, sizeof(h));
	cr_assert_gt(n, (size_t)0, "fits RESP_HEAD_MAX");
	cr_assert_eq(resp_head(&r, h, n + 1), n, "exactly enough");
	cr_assert_eq(resp_head(&r, h, n), (size_t)0, "one byte short");
	cr_assert_eq(resp_head(&r, h, 10), (size_t)0, "far too short");
	resp_free(&r);
}

Test(resp, head_fits_worst_case)
{
	/* Every optional header at once, with the longest request id the worker makes. */
	struct resp r;
	char h[RESP_HEAD_MAX];

	resp_init(&r, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	resp_error(&r, ERR_METHOD);
	r.allow = "GET, PUT";
	r.status = 401; /* not a real combination: just every header */
	cr_assert_gt(resp_head(&r, h, sizeof(h)), (size_t)0, "fits RESP_HEAD_MAX");
	resp_free(&r);
}

Test(resp, free_safe)
{
	struct resp r;

	resp_free(NULL);
	resp_init(&r, NULL);
	resp_free(&r);
	resp_free(&r);
	resp_error(&r, ERR_INTERNAL);
	resp_free(&r);
	cr_assert_null(r.gen, "freed");
	resp_free(&r);
}

/* A text body (the metrics): borrowed as given, with its own Content-Type; an error
 * built afterwards replaces it with JSON. */
Test(resp, text_body)
{
	static const char text[] = "# TYPE x counter\nx 1\n";
	static const char type[] = "text/plain; version=0.0.4; charset=utf-8";
	const unsigned char *p;
	char h[RESP_HEAD_MAX], buf[256];
	struct resp r;
	size_t n;

	resp_init(&r, "abc");
	resp_text(&r, 200, type, text, sizeof(text) - 1);
	resp_body(&r, &p, &n);
	cr_assert_eq((const char *)p, text, "borrowed, not copied");
	cr_assert_eq(n, sizeof(text) - 1);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.err, ERR_NONE);
	n = head(&r, h, sizeof(h));
	well_formed(h, n);
	cr_assert_eq(strncmp(h, "Status: 200 OK\r\n", 16), 0, "%s", h);
	cr_assert(has(h, "Content-Type: text/plain; version=0.0.4; charset=utf-8"), "%s", h);
	cr_assert_null(strstr(strstr(h, "Content-Type") + 1, "Content-Type"), "one: %s", h);
	cr_assert(has(h, "Cache-Control: no-store"), "%s", h);

	resp_error(&r, ERR_METHOD);
	cr_assert_null(r.text, "the error's JSON replaces the text");
	head(&r, h, sizeof(h));
	cr_assert(has(h, "Content-Type: application/json"), "%s", h);
	cr_assert_str_eq(body_str(&r, buf, sizeof(buf)),
	                 "{\"error\":{\"code\":\"method_not_allowed\",\"message\":\"The method is "
	                 "not allowed on this resource.\"}}");
	resp_free(&r);
	cr_assert_null(r.text);

	/* a type too long for its header line: no header block rather than a cut one */
	char longtype[RESP_CTYPE_MAX + 1];
	memset(longtype, 'a', sizeof(longtype) - 1);
	longtype[sizeof(longtype) - 1] = '\0';
	resp_init(&r, NULL);
	resp_text(&r, 200, longtype, text, sizeof(text) - 1);
	cr_assert_eq(resp_head(&r, h, sizeof(h)), (size_t)0);
	resp_free(&r);
}
