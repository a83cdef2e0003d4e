/* it_hostile.c - hostile requests through nginx: the contract's error (the token endpoint's in
 * OAuth's form), and no table changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_nginx.h"
#include "it_util.h"

#define A12 H_AUTH(TOK_U12)
#define PUTH A12 H_JSON
/* View 01 of b817 is being recorded: a stop that got through would change the tables. */
#define P_REC P_CALLB817
#define ACT(a) "{\"action\":" a ",\"phoneCallViewId\":\"01\"}"
#define VIEW(v) "{\"action\":\"StopRecording\",\"phoneCallViewId\":" v "}"
#define FMT(f) "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":" f "}"
#define XTRA(x) "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"," x "}"
#define BODY_NOPE ACT("\"Nope\"")
#define REQ_PUT(target) "PUT " target " HTTP/1.1\r\n" RAW_HOST
#define REQ_GET(target) "GET " target " HTTP/1.1\r\n" RAW_HOST
/* The size of BODY_STOP01, for requests written out whole. */
#define STOP01_LEN "49"
#define STOP01_CHUNK "31"
_Static_assert(sizeof(BODY_STOP01) - 1 == 49 && 0x31 == 49, "BODY_STOP01 is 49 bytes");

#define BODY_LIMIT 16384            /* the contract's largest body */
#define BODY_HUGE (4 * 1024 * 1024) /* a body of several MiB */
#define CHUNK_SMALL 1024            /* a body sent in many chunks */
#define CHUNK_LARGE (64 * 1024)
#define DEEP 10000       /* nesting of the deepest bodies */
#define DEEP_ARRAYS 8000 /* closed nesting that still fits in BODY_LIMIT */
#define DEEP_OBJECTS 3200
#define SEG_LONG (10 * 1024)     /* a path segment or a query of 10 KiB */
#define HEADER_HUGE (100 * 1024) /* an Authorization header of 100 KiB */
#define HEADER_MANY 5            /* headers of HEADER_PART bytes: over 64 KiB in all */
#define HEADER_PART (15 * 1024)
#define REQ_EXTRA 1024              /* room for the request line and headers around a body */
#define LABEL_MAX 320               /* a case's label, besides the target and body shown */
#define SHOW_MAX 96                 /* how much of a target or body a message shows */
#define SHOW_BUF (4 * SHOW_MAX + 8) /* room for it with every byte escaped */
#define VALUE_MAX 256               /* an encoded value of the SQL cases */
#define PART_MAX 512                /* a target, header block or body of the SQL cases */

TestSuite(hostile, .init = it_restore_demo);

/* The tables' fingerprint after the last request of the test. */
static char *fp_last;

/* Takes the fingerprint the first case is compared with. */
static void baseline(void)
{
	free(fp_last);
	fp_last = it_fingerprint();
}

/* The names of the tables whose digests differ in two fingerprints ("name=md5;" each). */
static void changed_tables(char *out, size_t cap, const char *a, const char *b)
{
	size_t n = 0;

	out[0] = '\0';
	while (*a && *b) {
		size_t la = strcspn(a, ";"), lb = strcspn(b, ";"), name = strcspn(a, "=");
		if ((la != lb || memcmp(a, b, la) != 0) && n + name + 2 < cap)
			n += (size_t)snprintf(out + n, cap - n, "%s%.*s", n ? ", " : "", (int)name,
			                      a);
		a += la + (a[la] == ';');
		b += lb + (b[lb] == ';');
	}
}

/* Non-fatal: no table changed since the last case; the message names this one. */
static void same_tables(const char *label)
{
	char *now = it_fingerprint(), which[LABEL_MAX];

	if (strcmp(now, fp_last) != 0) {
		changed_tables(which, sizeof(which), fp_last, now);
		cr_expect_fail("%s: tables changed: %s", label, which);
	}
	free(fp_last);
	fp_last = now;
}

/* The first len bytes of s, printable and shortened, for messages. */
static void show(char *out, size_t cap, const char *s, size_t len)
{
	size_t n = 0, i = 0;

	for (; i < len && i < SHOW_MAX && n + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, cap - n, "\\x%02X", c);
	}
	if (i < len && n + 4 < cap)
		n += (size_t)snprintf(out + n, cap - n, "...");
	out[n] = '\0';
}

/*
 * Checks an answer (NULL: none came) against the error expected, then the tables. An
 * answer nginx makes itself must be its page of nginx/uapi-errors.conf to the byte.
 * The answer to a HEAD has no body: its status, Content-Type and headers are checked.
 * Status 0: the connection must close without an answer.
 */
static void check(const struct http_resp *r, int head, int status, const char *code,
                  const char *label)
{
	if (status == 0) {
		cr_expect(r == NULL, "%s: answered %d, expected the connection closed unanswered",
		          label, r ? r->status : 0);
	} else if (r == NULL) {
		cr_expect_fail("%s: no HTTP answer, expected %d %s", label, status, code);
	} else if (head) {
		cr_expect_eq(r->status, status, "%s: status %d, expected %d", label, r->status,
		             status);
		cr_expect(it_is_json(r), "%s: Content-Type is not application/json", label);
		cr_expect(status != 405 || http_header(r, "Allow") != NULL, "%s: 405 without Allow",
		          label);
		cr_expect_eq(r->body_len, 0, "%s: a body in the answer to a HEAD", label);
	} else {
		it_check_error(r, status, code, label);
		it_check_if_nginx(r, label);
	}
	same_tables(label);
}

/* Sends every case through http_send and checks its answer and the tables. */
static void run_cases(const struct it_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct it_case *c = &cases[i];
		const char *body = c->body ? c->body : "";
		char target[SHOW_BUF], shown[SHOW_BUF], label[2 * SHOW_BUF + LABEL_MAX];
		struct http_resp r;
		int got;

		show(target, sizeof(target), c->target, strlen(c->target));
		show(shown, sizeof(shown), body, strlen(body));
		snprintf(label, sizeof(label), "%s %s %s", c->method, target, shown);
		got = http_send(&r, c->method, c->target, c->headers, c->body,
		                c->body ? strlen(c->body) : 0) == 0;
		check(got ? &r : NULL, strcmp(c->method, "HEAD") == 0, c->status, c->code, label);
		if (got)
			http_free(&r);
	}
}
#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(*cases))

/* A request written out byte for byte, and the error it must get. */
struct raw_case {
	const char *label;
	const char *req;
	size_t len;
	int flags; /* of http_exchange */
	int status;
	const char *code;
};
#define RAWC(label, req, flags, status, code)                                                      \
	{                                                                                          \
		label, req, sizeof(req) - 1, flags, status, code                                   \
	}

static void raw_one(const char *label, const char *req, size_t len, int flags, int status,
                    const char *code)
{
	struct http_resp r;
	int got = http_exchange(req, len, flags, &r) == 0;

	check(got ? &r : NULL, 0, status, code, label);
	if (got)
		http_free(&r);
}

static void run_raw(const struct raw_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		raw_one(cases[i].label, cases[i].req, cases[i].len, cases[i].flags, cases[i].status,
		        cases[i].code);
}
#define RUN_RAW(cases) run_raw(cases, sizeof(cases) / sizeof(*cases))

/*
 * A request of method and target with the header lines given, carrying the len bytes of
 * body: with a Content-Length of declared, or chunked in pieces of chunk bytes when
 * chunk is not 0. malloc'd; *n is its length.
 */
static char *framed(const char *method, const char *target, const char *headers, const char *body,
                    size_t len, size_t declared, size_t chunk, size_t *n)
{
	size_t cap = strlen(target) + strlen(headers) + len + REQ_EXTRA;
	char *req;
	size_t k;

	if (chunk)
		cap += (len / chunk + 1) * 16;
	req = malloc(cap);
	cr_assert(req != NULL);
	k = (size_t)snprintf(req, cap, "%s %s HTTP/1.1\r\n" RAW_HOST "%s", method, target, headers);
	if (!chunk) {
		k += (size_t)snprintf(req + k, cap - k, "Content-Length: %zu\r\n\r\n", declared);
		memcpy(req + k, body, len);
		k += len;
	} else {
		k += (size_t)snprintf(req + k, cap - k, "Transfer-Encoding: chunked\r\n\r\n");
		for (size_t off = 0; off < len; off += chunk) {
			size_t part = len - off < chunk ? len - off : chunk;
			k += (size_t)snprintf(req + k, cap - k, "%zx\r\n", part);
			memcpy(req + k, body + off, part);
			k += part;
			k += (size_t)snprintf(req + k, cap - k, "\r\n");
		}
		k += (size_t)snprintf(req + k, cap - k, "0\r\n\r\n");
	}
	*n = k;
	return req;
}

/*
 * A request whose framing is written at run time: a Content-Length of declared bytes
 * (which may differ from the len bytes of body sent), or chunks of chunk bytes.
 */
struct framed_case {
	const char *label, *method, *target, *headers, *body;
	size_t len, declared, chunk;
	int status;
	const char *code;
};
/* A PUT of body (a literal: it may hold NUL bytes) with a Content-Length of its size. */
#define PUT_BODY(label, target, headers, body, status, code)                                       \
	{                                                                                          \
		label, "PUT", target, headers, body, sizeof(body) - 1, sizeof(body) - 1, 0,        \
		    status, code                                                                   \
	}

static void run_framed(const struct framed_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct framed_case *f = &cases[i];
		size_t len;
		char *req = framed(f->method, f->target, f->headers, f->body, f->len, f->declared,
		                   f->chunk, &len);
		raw_one(f->label, req, len, 0, f->status, f->code);
		free(req);
	}
}
#define RUN_FRAMED(cases) run_framed(cases, sizeof(cases) / sizeof(*cases))

/* n copies of piece (malloc'd, NUL-terminated) between head and tail. */
static char *repeat(const char *head, const char *piece, size_t n, const char *tail)
{
	size_t hn = strlen(head), pn = strlen(piece), tn = strlen(tail);
	char *s = malloc(hn + pn * n + tn + 1), *p;

	cr_assert(s != NULL);
	memcpy(s, head, hn);
	p = s + hn;
	for (size_t i = 0; i < n; i++, p += pn)
		memcpy(p, piece, pn);
	memcpy(p, tail, tn + 1);
	return s;
}

/* Stops the recording of 444444's view 01, so that a start that got through would show. */
static void unrecord_444(void)
{
	struct http_resp r;

	it_put(&r, TOK_U12, P_CALL444, BODY_STOP01);
	it_assert_status(&r, 202, "the stop of 444444 before the StartRecording cases");
	http_free(&r);
}

/* Malformed, truncated and empty bodies, and JSON texts that are not one object. */
Test(hostile, json_malformed)
{
	static const struct it_case cases[] = {
	    {"PUT", P_REC, PUTH, "", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, " \r\n\t ", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "{", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "}", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "{\"action\"", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "{\"action\":", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "{\"action\":\"StopRec", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "{\"action\":\"\\u00", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"", 400,
	     "json_invalid"},
	    {"PUT", P_REC, PUTH, "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\",}", 400,
	     "json_invalid"},
	    {"PUT", P_REC, PUTH, "{\"action\":\"StopRecording\" \"phoneCallViewId\":\"01\"}", 400,
	     "json_invalid"},
	    {"PUT", P_REC, PUTH, "{\"action\" \"StopRecording\",\"phoneCallViewId\":\"01\"}", 400,
	     "json_invalid"},
	    {"PUT", P_REC, PUTH, "{action:\"StopRecording\",phoneCallViewId:\"01\"}", 400,
	     "json_invalid"},
	    {"PUT", P_REC, PUTH, "{\"action\":\"StopRecording\",\"phoneCallViewId\":01}", 400,
	     "json_invalid"},
	    {"PUT", P_REC, PUTH, BODY_STOP01 "}", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, BODY_STOP01 "// c", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "GARBAGE", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "action=StopRecording&phoneCallViewId=01", 400, "json_invalid"},
	    /* a JSON text, but not an object */
	    {"PUT", P_REC, PUTH, "[" BODY_STOP01 "]", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "[]", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "1", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "-0.5e3", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "\"StopRecording\"", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "true", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "false", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, "null", 400, "json_invalid"},
	};
	static const struct raw_case raw[] = {
	    RAWC("a PUT without a body or a Content-Length", REQ_PUT(P_REC) PUTH "\r\n", 0, 400,
	         "json_invalid"),
	    RAWC("an empty chunked body",
	         REQ_PUT(P_REC) PUTH "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 400,
	         "json_invalid"),
	};
	static const struct framed_case nul[] = {
	    PUT_BODY("a body of one NUL byte", P_REC, PUTH, "\0", 400, "json_invalid"),
	    PUT_BODY("a NUL byte before the object", P_REC, PUTH, "\0" BODY_STOP01, 400,
	             "json_invalid"),
	    PUT_BODY("a NUL byte after the object", P_REC, PUTH, BODY_STOP01 "\0", 400,
	             "json_invalid"),
	};

	baseline();
	RUN(cases);
	RUN_RAW(raw);
	RUN_FRAMED(nul);
}

/* Duplicate keys are not well-formed, at the top and in nested objects. */
Test(hostile, json_duplicate_keys)
{
	static const struct it_case cases[] = {
	    {"PUT", P_REC, PUTH,
	     "{\"action\":\"StopRecording\",\"action\":\"StopRecording\",\"phoneCallViewId\":"
	     "\"01\"}",
	     400, "json_invalid"},
	    {"PUT", P_REC, PUTH,
	     "{\"action\":\"Nope\",\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"}", 400,
	     "json_invalid"},
	    {"PUT", P_REC, PUTH,
	     "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"99\",\"phoneCallViewId\":\"01\"}",
	     400, "json_invalid"},
	    {"PUT", P_CALL444, PUTH,
	     "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":\"wav\","
	     "\"format\":\"wav49\"}",
	     400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":1,\"x\":1"), 400, "json_invalid"},
	    /* the same key once escaped: equal after decoding */
	    {"PUT", P_REC, PUTH,
	     "{\"action\":\"StopRecording\",\"\\u0061ction\":\"StopRecording\","
	     "\"phoneCallViewId\":\"01\"}",
	     400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":{\"a\":1,\"a\":2}"), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":[{\"a\":1},{\"a\":1,\"b\":2,\"a\":3}]"), 400,
	     "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":{\"y\":{\"z\":{\"k\":null,\"k\":null}}}"), 400,
	     "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":{\"action\":1,\"\\u0061ction\":2}"), 400,
	     "json_invalid"},
	    /* not duplicates: the same key in sibling or nested objects is another key */
	    {"PUT", P_REC, PUTH,
	     "{\"action\":\"Nope\",\"x\":{\"action\":\"StopRecording\"},\"phoneCallViewId\":"
	     "\"01\"}",
	     400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, "{\"action\":\"Nope\",\"x\":[{\"a\":1},{\"a\":1}]}", 400,
	     "pc_action_invalid"},
	};

	baseline();
	RUN(cases);
}

/* head, depth times open, mid, depth times close, tail (malloc'd). */
static char *nest(const char *head, const char *open, size_t depth, const char *mid,
                  const char *close, const char *tail)
{
	char *a = repeat(head, open, depth, mid);
	char *b = repeat(a, close, depth, tail);

	free(a);
	return b;
}

/* Nesting 10,000 deep: over 16 KiB it is too large, within it too deep. */
Test(hostile, json_deep_nesting)
{
	const char *head = XTRA("\"x\":");
	char *bodies[] = {
	    /* 10,000 containers opened, never closed: about 10 KiB */
	    nest(head, "[", DEEP, "", "", ""),
	    nest("", "[", DEEP, "", "", ""),
	    /* closed, or objects: over 16 KiB */
	    nest("", "[", DEEP, "", "]", ""),
	    nest(head, "[", DEEP, "", "]", "}"),
	    nest("", "{\"a\":", DEEP, "1", "}", ""),
	    nest(head, "{\"\":", DEEP, "", "", ""),
	    nest("", "[{\"\":", DEEP / 2, "1", "}]", ""),
	    /* closed and as deep as fits in 16 KiB */
	    nest(head, "[", DEEP_ARRAYS, "", "]", "}"),
	    nest(head, "{\"\":", DEEP_OBJECTS, "1", "}", "}"),
	};
	struct it_case c = {"PUT", P_REC, PUTH, NULL, 400, NULL};
	size_t n;
	char *req;

	baseline();
	for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
		c.body = bodies[i];
		c.status = strlen(bodies[i]) > BODY_LIMIT ? 413 : 400;
		c.code = c.status == 413 ? "request_too_large" : "json_invalid";
		run_cases(&c, 1);
	}
	req = framed("PUT", P_REC, PUTH, bodies[0], strlen(bodies[0]), 0, CHUNK_SMALL, &n);
	raw_one("10,000 arrays opened, chunked", req, n, 0, 400, "json_invalid");
	free(req);
	for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++)
		free(bodies[i]);
}

/* \u0000 in strings is a character like any other: it never ends a value or a key. */
Test(hostile, json_nul_escapes)
{
	static const struct it_case cases[] = {
	    {"PUT", P_REC, PUTH, ACT("\"StopRecording\\u0000\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"\\u0000StopRecording\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"Stop\\u0000Recording\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"\\u0000\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, VIEW("\"01\\u0000\""), 400, "pc_phonecallview_invalid"},
	    {"PUT", P_REC, PUTH, VIEW("\"0\\u00001\""), 400, "pc_phonecallview_invalid"},
	    {"PUT", P_REC, PUTH, VIEW("\"\\u0000\""), 400, "pc_phonecallview_invalid"},
	    /* an unknown key is not the key it starts with */
	    {"PUT", P_REC, PUTH, "{\"action\\u0000\":\"StopRecording\",\"phoneCallViewId\":\"01\"}",
	     400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH,
	     "{\"action\":\"Nope\",\"action\\u0000\":\"StopRecording\",\"phoneCallViewId\":\"01\"}",
	     400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, "{\"action\":\"StopRecording\",\"phoneCallViewId\\u0000\":\"01\"}",
	     400, "pc_phonecallview_invalid"},
	    {"PUT", P_REC, PUTH, "{\"\\u0000\":1,\"action\":\"Nope\",\"phoneCallViewId\":\"01\"}",
	     400, "pc_action_invalid"},
	    {"PUT", P_CALL444, PUTH, FMT("\"wav\\u0000\""), 400, "pc_format_invalid"},
	    {"PUT", P_CALL444, PUTH, FMT("\"\\u0000wav49\""), 400, "pc_format_invalid"},
	};
	/* a raw NUL byte in a string or a key is a control character: not JSON */
	static const struct framed_case raw[] = {
	    PUT_BODY("a NUL byte in the action", P_REC, PUTH, ACT("\"Stop\0Recording\""), 400,
	             "json_invalid"),
	    PUT_BODY("a NUL byte in the view", P_REC, PUTH, VIEW("\"01\0\""), 400, "json_invalid"),
	    PUT_BODY("a NUL byte in an unknown key", P_REC, PUTH, XTRA("\"x\0\":1"), 400,
	             "json_invalid"),
	};

	unrecord_444();
	baseline();
	RUN(cases);
	RUN_FRAMED(raw);
}

/* Bytes that are not UTF-8, overlong forms, encoded surrogates, lone surrogate escapes. */
Test(hostile, json_bad_utf8)
{
	static const struct it_case cases[] = {
	    {"PUT", P_REC, PUTH, ACT("\"Stop\xC0\xAFRecording\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"StopRecording\xFF\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, VIEW("\"0\xE0\x80\xB1\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, VIEW("\"01\xED\xA0\x80\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"\xE0\x80\xAF\":1"), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\x80\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\xFE\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\xC1\xBF\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\xC0\x80\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\xF0\x80\x80\xAF\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\xF8\x88\x80\x80\x80\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\xF4\x90\x80\x80\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\xED\xBF\xBF\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\xED\xA0\xBD\xED\xB8\x80\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\xE2\x82\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, BODY_STOP01 "\xC3", 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\\ud800\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\\uDFFF\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\\ud800x\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\\ud800\\u0041\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\\udbff\\udbff\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"x\":\"\\udc00\\ud800\""), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, XTRA("\"\\ud83d\":1"), 400, "json_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"StopRecording\\udc00\""), 400, "json_invalid"},
	};

	baseline();
	RUN(cases);
}

/* Numbers, null, booleans, arrays and objects where a string belongs. */
Test(hostile, json_wrong_types)
{
	static const char *const values[] = {
	    "1", "0", "-1", "1.5e3", "null", "true", "false", "[]", "{}",
	};
	static const struct it_case named[] = {
	    {"PUT", P_REC, PUTH, ACT("[\"StopRecording\"]"), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("{\"action\":\"StopRecording\"}"), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, VIEW("[\"01\"]"), 400, "pc_phonecallview_invalid"},
	    {"PUT", P_REC, PUTH, VIEW("{\"phoneCallViewId\":\"01\"}"), 400,
	     "pc_phonecallview_invalid"},
	    {"PUT", P_CALL444, PUTH, FMT("[\"wav\"]"), 400, "pc_format_invalid"},
	    {"PUT", P_CALL444, PUTH, FMT("{\"format\":\"wav\"}"), 400, "pc_format_invalid"},
	};
	char body[PART_MAX];
	struct it_case c = {"PUT", P_REC, PUTH, body, 400, NULL};

	unrecord_444();
	baseline();
	for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++) {
		c.target = P_REC;
		snprintf(body, sizeof(body), ACT("%s"), values[i]);
		c.code = "pc_action_invalid";
		run_cases(&c, 1);
		snprintf(body, sizeof(body), VIEW("%s"), values[i]);
		c.code = "pc_phonecallview_invalid";
		run_cases(&c, 1);
		c.target = P_CALL444;
		snprintf(body, sizeof(body), FMT("%s"), values[i]);
		c.code = "pc_format_invalid";
		run_cases(&c, 1);
	}
	RUN(named);
}

/* Unknown actions and the two known ones spelt almost right. */
Test(hostile, unknown_actions)
{
	static const struct it_case cases[] = {
	    {"PUT", P_REC, PUTH, ACT("\"stoprecording\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"STOPRECORDING\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"StopRecording \""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\" StopRecording\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"StopRecording\\n\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"Stop Recording\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"stopRecording\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"StopRecordin\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"StopRecordingX\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"\xEF\xBC\xB3topRecording\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"Stop\""), 400, "pc_action_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"DROP\""), 400, "pc_action_invalid"},
	    {"PUT", P_CALL444, PUTH, ACT("\"startrecording\""), 400, "pc_action_invalid"},
	    {"PUT", P_CALL444, PUTH, ACT("\"STARTRECORDING\""), 400, "pc_action_invalid"},
	    {"PUT", P_CALL444, PUTH, ACT("\"StartRecording \""), 400, "pc_action_invalid"},
	    {"PUT", P_CALL444, PUTH, ACT("\"onhold\""), 400, "pc_action_invalid"},
	};

	unrecord_444();
	baseline();
	RUN(cases);
}

/* Bodies over 16 KiB, chunked or not, and Content-Lengths that do not match the body. */
Test(hostile, body_size)
{
	/* a second request after the declared body: never carried out */
	static const char smuggled[] =
	    BODY_NOPE REQ_PUT(P_REC) PUTH "Content-Length: " STOP01_LEN "\r\n\r\n" BODY_STOP01;
	static const char smuggled_chunked[] =
	    REQ_PUT(P_REC) PUTH "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" REQ_PUT(P_REC) PUTH
	    "Content-Length: " STOP01_LEN "\r\n\r\n" BODY_STOP01;
	static const struct raw_case raw[] = {
	    RAWC("a Content-Length of 16 KiB + 1, two bytes sent, then a half-close",
	         REQ_PUT(P_REC) PUTH "Content-Length: 16385\r\n\r\n{}", HTTP_HALF_CLOSE, 413,
	         "request_too_large"),
	    RAWC("a Content-Length of 4 MiB, a stop sent, then a half-close",
	         REQ_PUT(P_REC) PUTH "Content-Length: 4194304\r\n\r\n" BODY_STOP01, HTTP_HALF_CLOSE,
	         413, "request_too_large"),
	    RAWC("a Content-Length of 4 MiB on a list without a token, then a half-close",
	         REQ_GET(P_LIST210) "Content-Length: 4194304\r\n\r\n{}", HTTP_HALF_CLOSE, 413,
	         "request_too_large"),
	    RAWC("a chunk of 16 KiB + 1 announced, two bytes sent, then a half-close",
	         REQ_PUT(P_REC) PUTH "Transfer-Encoding: chunked\r\n\r\n4001\r\n{}",
	         HTTP_HALF_CLOSE, 413, "request_too_large"),
	    RAWC("a request after an empty chunked body", smuggled_chunked, 0, 400, "json_invalid"),
	};
	const size_t big = BODY_LIMIT + 1, nope = sizeof(BODY_NOPE) - 1;
	char *over = it_padded_stop(big), *huge = it_padded_stop(BODY_HUGE);
	char *after = malloc(nope + BODY_HUGE);
	const char *tt = "Content-Type: text/plain\r\n";

	cr_assert(after != NULL);
	memcpy(after, BODY_NOPE, nope);
	memcpy(after + nope, huge, BODY_HUGE);
	{
		const struct framed_case cases[] = {
		    {"16 KiB + 1 with a Content-Length", "PUT", P_REC, PUTH, over, big, big, 0, 413,
		     "request_too_large"},
		    {"16 KiB + 1 in one chunk", "PUT", P_REC, PUTH, over, big, 0, big, 413,
		     "request_too_large"},
		    {"16 KiB + 1 in chunks of 1 KiB", "PUT", P_REC, PUTH, over, big, 0, CHUNK_SMALL,
		     413, "request_too_large"},
		    {"4 MiB with a Content-Length", "PUT", P_REC, PUTH, huge, BODY_HUGE, BODY_HUGE,
		     0, 413, "request_too_large"},
		    {"4 MiB in one chunk", "PUT", P_REC, PUTH, huge, BODY_HUGE, 0, BODY_HUGE, 413,
		     "request_too_large"},
		    {"4 MiB in chunks of 64 KiB", "PUT", P_REC, PUTH, huge, BODY_HUGE, 0,
		     CHUNK_LARGE, 413, "request_too_large"},
		    {"16 KiB + 1 on a GET of a list", "GET", P_LIST210, A12, over, big, big, 0, 413,
		     "request_too_large"},
		    {"16 KiB + 1 chunked on a GET of a call", "GET", P_REC, A12, over, big, 0,
		     CHUNK_SMALL, 413, "request_too_large"},
		    {"4 MiB without a token, as text/plain", "PUT", P_REC, tt, huge, BODY_HUGE,
		     BODY_HUGE, 0, 413, "request_too_large"},
		    {"4 MiB chunked, POST, no token", "POST", P_REC, "", huge, BODY_HUGE, 0,
		     CHUNK_LARGE, 413, "request_too_large"},
		    {"16 KiB + 1 on another path", "PUT", "/other", PUTH, over, big, big, 0, 413,
		     "request_too_large"},
		    /* fewer bytes declared than sent: the body is what was declared */
		    {"4 MiB sent, a Content-Length of 10", "PUT", P_REC, PUTH, huge, BODY_HUGE, 10,
		     0, 400, "json_invalid"},
		    {"16 KiB + 1 sent, a Content-Length of 100", "PUT", P_REC, PUTH, over, big, 100,
		     0, 400, "json_invalid"},
		    {"4 MiB sent, a Content-Length of 16 KiB", "PUT", P_REC, PUTH, huge, BODY_HUGE,
		     BODY_LIMIT, 0, 400, "json_invalid"},
		    {"4 MiB sent, a Content-Length of 16 KiB + 1", "PUT", P_REC, PUTH, huge,
		     BODY_HUGE, big, 0, 413, "request_too_large"},
		    {"an invalid action declared, a stop of 4 MiB after it", "PUT", P_REC, PUTH,
		     after, nope + BODY_HUGE, nope, 0, 400, "pc_action_invalid"},
		    {"an invalid action declared, a whole stop request after it", "PUT", P_REC,
		     PUTH, smuggled, sizeof(smuggled) - 1, nope, 0, 400, "pc_action_invalid"},
		    /* Content-Length and chunked together are refused, whatever follows */
		    {"4 MiB chunked with a Content-Length of 10", "PUT", P_REC,
		     PUTH "Content-Length: 10\r\n", huge, BODY_HUGE, 0, CHUNK_LARGE, 400,
		     "request_invalid"},
		};
		baseline();
		RUN_FRAMED(cases);
		RUN_RAW(raw);
	}
	free(over);
	free(huge);
	free(after);
}

/*
 * A client that declares more body than it sends and then half-closes: the request can
 * never be complete, and nginx closes the connection without an answer (it treats the
 * early close as the client going away, whatever the configuration). Nothing reaches a
 * worker. A declared length over 16 KiB is a 413 (body_size above); a client that keeps
 * its side open is closed without an answer once client_body_timeout (10 s) passes.
 */
Test(hostile, body_shorter_than_declared)
{
	static const struct raw_case raw[] = {
	    RAWC("a Content-Length of 16 KiB, a stop sent, then a half-close",
	         REQ_PUT(P_REC) PUTH "Content-Length: 16384\r\n\r\n" BODY_STOP01, HTTP_HALF_CLOSE,
	         0, NULL),
	    RAWC("a Content-Length of 100, 40 bytes sent, then a half-close",
	         REQ_PUT(P_REC) PUTH "Content-Length: 100\r\n\r\n" BODY_NOPE, HTTP_HALF_CLOSE, 0,
	         NULL),
	    RAWC("a chunk of 16 KiB cut short, then a half-close",
	         REQ_PUT(P_REC) PUTH "Transfer-Encoding: chunked\r\n\r\n4000\r\n" BODY_STOP01,
	         HTTP_HALF_CLOSE, 0, NULL),
	    RAWC("a chunked stop without its last chunk, then a half-close",
	         REQ_PUT(P_REC) PUTH "Transfer-Encoding: chunked\r\n\r\n" STOP01_CHUNK
	                             "\r\n" BODY_STOP01 "\r\n",
	         HTTP_HALF_CLOSE, 0, NULL),
	};

	baseline();
	RUN_RAW(raw);
}

/*
 * Outside the service, nginx answers 404 without reading a body, so a chunked body over
 * 16 KiB is never counted there (with a Content-Length it is: 413, in body_size). The
 * contract lets nginx answer framing and size first; it does not make it read a body
 * it has no use for.
 */
Test(hostile, chunked_too_large_on_other_paths)
{
	const char *targets[] = {"/other", "/", "/uapi"};
	char *over = it_padded_stop(BODY_LIMIT + 1);
	char label[LABEL_MAX];

	baseline();
	for (size_t i = 0; i < sizeof(targets) / sizeof(*targets); i++) {
		size_t n;
		char *req =
		    framed("PUT", targets[i], PUTH, over, BODY_LIMIT + 1, 0, CHUNK_SMALL, &n);
		snprintf(label, sizeof(label), "16 KiB + 1 chunked to %s", targets[i]);
		raw_one(label, req, n, 0, 404, "resource_not_found");
		free(req);
	}
	free(over);
}

/* Requests nginx refuses itself: still the contract's JSON error. */
Test(hostile, malformed_requests)
{
	static const struct raw_case raw[] = {
	    RAWC("an HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0, 400,
	         "request_invalid"),
	    RAWC("OPTIONS *", "OPTIONS * HTTP/1.1\r\n" RAW_HOST "\r\n", 0, 400, "request_invalid"),
	    RAWC("a space in the target",
	         "GET " P_PREFIX "12 /0003*210 HTTP/1.1\r\n" RAW_HOST A12 "\r\n", 0, 400,
	         "request_invalid"),
	    RAWC("a tab after the method", "GET\t" P_LIST210 " HTTP/1.1\r\n" RAW_HOST A12 "\r\n", 0,
	         400, "request_invalid"),
	    RAWC("a control character in the path",
	         "GET " P_PREFIX "12\x01/0003*210 HTTP/1.1\r\n" RAW_HOST A12 "\r\n", 0, 400,
	         "request_invalid"),
	    RAWC("DEL in the path",
	         "GET " P_PREFIX "12\x7f/0003*210 HTTP/1.1\r\n" RAW_HOST A12 "\r\n", 0, 400,
	         "request_invalid"),
	    RAWC("a bare CR after the request line",
	         "GET " P_LIST210 " HTTP/1.1\r" RAW_HOST A12 "\r\n", 0, 400, "request_invalid"),
	    RAWC("a folded header line", REQ_GET(P_LIST210) A12 "X-A: a\r\n b\r\n\r\n", 0, 400,
	         "request_invalid"),
	    RAWC("no Host", "GET " P_LIST210 " HTTP/1.1\r\nConnection: close\r\n" A12 "\r\n", 0,
	         400, "request_invalid"),
	    RAWC("two Hosts", REQ_GET(P_LIST210) "Host: 127.0.0.1\r\n" A12 "\r\n", 0, 400,
	         "request_invalid"),
	    RAWC("a Host with a slash",
	         "GET " P_LIST210 " HTTP/1.1\r\nHost: a/b\r\nConnection: close\r\n" A12 "\r\n", 0,
	         400, "request_invalid"),
	    RAWC("a signed Content-Length", REQ_PUT(P_REC) PUTH "Content-Length: +2\r\n\r\n{}", 0,
	         400, "request_invalid"),
	    RAWC("a Content-Length list", REQ_PUT(P_REC) PUTH "Content-Length: 2, 2\r\n\r\n{}", 0,
	         400, "request_invalid"),
	    RAWC("two Content-Lengths",
	         REQ_PUT(P_REC) PUTH "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 0, 400,
	         "request_invalid"),
	    RAWC("a negative Content-Length", REQ_PUT(P_REC) PUTH "Content-Length: -1\r\n\r\n", 0,
	         400, "request_invalid"),
	    RAWC("a Content-Length of 24 digits",
	         REQ_PUT(P_REC) PUTH "Content-Length: 999999999999999999999999\r\n\r\n", 0, 400,
	         "request_invalid"),
	    RAWC("chunked twice",
	         REQ_PUT(P_REC) PUTH
	         "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
	         "0\r\n\r\n",
	         0, 400, "request_invalid"),
	    RAWC("chunked in HTTP/1.0",
	         "PUT " P_REC " HTTP/1.0\r\n" RAW_HOST PUTH
	         "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	         0, 400, "request_invalid"),
	    RAWC("a chunk size that is not hex",
	         REQ_PUT(P_REC) PUTH "Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n", 0, 400,
	         "request_invalid"),
	    RAWC("a negative chunk size",
	         REQ_PUT(P_REC) PUTH "Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n", 0,
	         400, "request_invalid"),
	    RAWC("a chunk size of 21 hex digits",
	         REQ_PUT(P_REC) PUTH "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n",
	         0, 400, "request_invalid"),
	    /* a transfer coding nginx does not know: its 501, which the server maps to JSON */
	    RAWC("Transfer-Encoding: gzip", REQ_PUT(P_REC) PUTH "Transfer-Encoding: gzip\r\n\r\n",
	         0, 501, "request_not_implemented"),
	    RAWC("Transfer-Encoding: gzip, chunked",
	         REQ_PUT(P_REC) PUTH "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 0, 501,
	         "request_not_implemented"),
	};

	baseline();
	RUN_RAW(raw);
}

/*
 * An HTTP version nginx does not speak is a request line it rejects before routing:
 * the contract's 400 request_invalid, in JSON like every error.
 */
Test(hostile, unsupported_http_version)
{
	static const struct raw_case raw[] = {
	    RAWC("HTTP/2.0 in the request line",
	         "GET " P_LIST210 " HTTP/2.0\r\n" RAW_HOST A12 "\r\n", 0, 400, "request_invalid"),
	    RAWC("HTTP/9.9 in the request line",
	         "PUT " P_REC " HTTP/9.9\r\n" RAW_HOST PUTH "Content-Length: " STOP01_LEN
	         "\r\n\r\n" BODY_STOP01,
	         0, 400, "request_invalid"),
	};

	baseline();
	RUN_RAW(raw);
}

/* A PUT body that is not declared as application/json in UTF-8. */
Test(hostile, content_type)
{
	static const struct it_case cases[] = {
	    {"PUT", P_REC, A12, BODY_STOP01, 415, "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: \r\n", BODY_STOP01, 415, "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: text/plain\r\n", BODY_STOP01, 415,
	     "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: application/x-www-form-urlencoded\r\n", BODY_STOP01,
	     415, "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: application/jsonx\r\n", BODY_STOP01, 415,
	     "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: text/json\r\n", BODY_STOP01, 415,
	     "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: application/json-patch+json\r\n", BODY_STOP01, 415,
	     "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: application/ json\r\n", BODY_STOP01, 415,
	     "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: application/json, text/plain\r\n", BODY_STOP01, 415,
	     "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: application/*\r\n", BODY_STOP01, 415,
	     "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: */*\r\n", BODY_STOP01, 415, "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: multipart/form-data; boundary=x\r\n", BODY_STOP01,
	     415, "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: application/json; charset=utf-16\r\n", BODY_STOP01,
	     415, "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: application/json; charset=\r\n", BODY_STOP01, 415,
	     "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: application/json; charset=utf-8; charset=latin1\r\n",
	     BODY_STOP01, 415, "content_type_invalid"},
	    {"PUT", P_REC, A12 "Content-Type: application/json\xC2\xA0\r\n", BODY_STOP01, 415,
	     "content_type_invalid"},
	    /* the content type is checked before the JSON */
	    {"PUT", P_REC, A12 "Content-Type: text/plain\r\n", "{", 415, "content_type_invalid"},
	    {"PUT", P_REC, A12, "\xFF", 415, "content_type_invalid"},
	};
	static const struct raw_case raw[] = {
	    RAWC("a NUL byte in the Content-Type",
	         REQ_PUT(P_REC) A12 "Content-Type: application/json\0\r\n"
	                            "Content-Length: " STOP01_LEN "\r\n\r\n" BODY_STOP01,
	         0, 400, "request_invalid"),
	};

	baseline();
	RUN(cases);
	RUN_RAW(raw);
}

/*
 * RFC 9110 (8.3.1) lets a media type end in an empty parameter: "application/json;" is
 * application/json, so the request goes on to the next check (the action here).
 */
Test(hostile, content_type_with_an_empty_parameter)
{
	static const struct it_case cases[] = {
	    {"PUT", P_REC, A12 "Content-Type: application/json;\r\n", BODY_NOPE, 400,
	     "pc_action_invalid"},
	};

	baseline();
	RUN(cases);
}

/* Path segments and a query of 10 KiB. */
Test(hostile, long_segments)
{
	char *user = repeat("", "1", SEG_LONG, ""), *ext = repeat("0003*", "2", SEG_LONG, "");
	char *call = repeat("", "a", SEG_LONG, ""), *zeros = repeat("", "0", SEG_LONG, "");
	char *nines = repeat("", "9", SEG_LONG, ""), *junk = repeat("", "j", SEG_LONG, "");
	char *t[11];
	size_t cap = 3 * SEG_LONG + 256;

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		t[i] = malloc(cap);
		cr_assert(t[i] != NULL);
	}
	snprintf(t[0], cap, P_PREFIX "%s/0003*210/" CALL_B817, user);
	snprintf(t[1], cap, P_PREFIX "%s/0003*210", user);
	snprintf(t[2], cap, P_PREFIX "12/%s/" CALL_B817, ext);
	snprintf(t[3], cap, P_PREFIX "12/%s", ext);
	snprintf(t[4], cap, P_LIST210 "/%s", call);
	snprintf(t[5], cap, P_LIST210 "/%s", call);
	snprintf(t[6], cap, P_LIST210 "?startIndex=%s", zeros);
	snprintf(t[7], cap, P_LIST210 "?count=%s", nines);
	snprintf(t[8], cap, P_LIST210 "?accessRequestToken=%s", junk);
	snprintf(t[9], cap, P_LIST210 "?x=%s&startIndex=-1", junk);
	snprintf(t[10], cap, P_REC "?x=%s", junk);
	{
		const struct it_case cases[] = {
		    {"PUT", t[0], PUTH, BODY_STOP01, 400, "user_invalid"},
		    {"GET", t[1], A12, NULL, 400, "user_invalid"},
		    {"PUT", t[2], PUTH, BODY_STOP01, 400, "extension_invalid"},
		    {"GET", t[3], A12, NULL, 400, "extension_invalid"},
		    {"PUT", t[4], PUTH, BODY_STOP01, 400, "pc_phonecall_invalid"},
		    {"GET", t[5], A12, NULL, 400, "pc_phonecall_invalid"},
		    {"GET", t[6], A12, NULL, 400, "startindex_invalid"},
		    {"GET", t[7], A12, NULL, 400, "count_invalid"},
		    {"GET", t[8], "", NULL, 401, "access_denied"},
		    {"GET", t[9], A12, NULL, 400, "startindex_invalid"},
		    {"PUT", t[10], PUTH, BODY_NOPE, 400, "pc_action_invalid"},
		};
		baseline();
		RUN(cases);
	}
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		free(t[i]);
	free(user);
	free(ext);
	free(call);
	free(zeros);
	free(nines);
	free(junk);
}

/*
 * UnifiedAPI's List parameters with hostile values: repeated, percent-encoded names,
 * escapes that decode to NUL, invalid UTF-8 or SQL, and values far over their limits.
 * Each gets its parameter's 400, never a 500, and nothing changes.
 */
#define LP P_LIST210 "?"
#define LPF LP "filterBy=id&filterOp=equals&filterValue="
#define LPD LP "filterBy=published&filterOp=equals&filterValue="
#define FIELDS_FEW 200   /* "link," 200 times: 1,000 bytes, within the limit */
#define FIELDS_MANY 3000 /* names in a list far over the limit */
#define VALUE_HUGE 12000 /* a filterValue over its 8 KiB limit, within nginx's 16 KiB */
#define IN_OVER 101      /* one id more than inArray takes */
Test(hostile, list_parameters)
{
	static const struct it_case cases[] = {
	    /* repeated, also under an escaped name */
	    {"GET", LP "sortOrder=ascending&sortOrder=ascending", A12, NULL, 400,
	     "sortorder_invalid"},
	    {"GET", LP "sortOrder=ascending&%73ortOrder=ascending", A12, NULL, 400,
	     "sortorder_invalid"},
	    {"GET", LP "filterBy=id&filterBy=id&filterValue=1", A12, NULL, 400, "filterby_invalid"},
	    {"GET", LP "filterBy=id&filterOp=equals&filter%4Fp=equals&filterValue=1", A12, NULL,
	     400, "filterop_invalid"},
	    {"GET", LPF "1&filterValue=1", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LP "fields=id&fields=link", A12, NULL, 400, "fields_invalid"},
	    {"GET", LP "fields=id&%66ields=link", A12, NULL, 400, "fields_invalid"},
	    /* escaped names are the names */
	    {"GET", LP "%66ilterBy=nope", A12, NULL, 400, "filterby_invalid"},
	    {"GET", LP "%73%6F%72%74%4F%72%64%65%72=up", A12, NULL, 400, "sortorder_invalid"},
	    {"GET", LP "filter%42y=id&filterOp=like", A12, NULL, 400, "filterop_invalid"},
	    /* escapes to NUL, invalid UTF-8, blanks, quotes, wildcards, SQL */
	    {"GET", LPF "ab%00", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPF "%00ab", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPF "ab%FF", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPF "%C3%A9", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPF "a%20b", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPF "a+b", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPF "%25", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPF "_", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LP "filterBy=id&filterOp=contains&filterValue=%25%25", A12, NULL, 400,
	     "filtervalue_invalid"},
	    {"GET", LPF "1%27%20OR%20%271%27%3D%271", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPF "1%27%3BDROP%20TABLE%20phone_call%3B--", A12, NULL, 400,
	     "filtervalue_invalid"},
	    {"GET", LP "filterBy=id&filterOp=inArray&filterValue=1%2C%27x%27%7D%2C%7B2", A12, NULL,
	     400, "filtervalue_invalid"},
	    {"GET", LP "filterBy=id&filterOp=inArray&filterValue=1%7D", A12, NULL, 400,
	     "filtervalue_invalid"},
	    {"GET", LPF "%zz", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPF "%", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPD "2012-06-27T16:08:40%2B03:00%00", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPD "2012-06-27T16:08:40%2B03:00%27%3BDROP", A12, NULL, 400,
	     "filtervalue_invalid"},
	    {"GET", LPD "now()", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPD "infinity", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPD "99999-01-01T00:00:00Z", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPD "-0001-01-01T00:00:00Z", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LPD "2012-06-27T16:08:40.%2B03:00", A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", LP "sortOrder=descending%00", A12, NULL, 400, "sortorder_invalid"},
	    {"GET", LP "sortOrder=%FF", A12, NULL, 400, "sortorder_invalid"},
	    {"GET", LP "filterBy=id%00", A12, NULL, 400, "filterby_invalid"},
	    {"GET", LP "fields=id%00", A12, NULL, 400, "fields_invalid"},
	    {"GET", LP "fields=%zz", A12, NULL, 400, "fields_invalid"},
	    {"GET", LP "fields=id%2C%2Clink", A12, NULL, 400, "fields_invalid"},
	    {"GET", LP "fields=*", A12, NULL, 400, "fields_invalid"},
	    /* the one-call form and @self read them too */
	    {"GET", P_CALL444 "?fields=id&fields=id", A12, NULL, 400, "fields_invalid"},
	    {"GET", P_PREFIX "12/@self/?filterBy=id&filterValue=%00", A12, NULL, 400,
	     "filtervalue_invalid"},
	    /* a token is still needed first */
	    {"GET", LP "fields=nope", "", NULL, 401, "access_denied"},
	};
	char *huge = repeat(LPF, "a", VALUE_HUGE, ""), *id65 = repeat(LPF, "a", 65, "");
	char *in_over =
	    repeat(LP "filterBy=id&filterOp=inArray&filterValue=1", ",1", IN_OVER - 1, "");
	char *many = repeat(LP "fields=id", ",link", FIELDS_MANY, "");
	char *long_name = repeat(LP "fields=", "x", VALUE_HUGE, "");
	char *few = repeat(LP "fields=id", ",link", FIELDS_FEW - 1, "");
	char *past = repeat(LPF, "a", 20000, "");
	const struct it_case long_cases[] = {
	    {"GET", huge, A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", id65, A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", in_over, A12, NULL, 400, "filtervalue_invalid"},
	    {"GET", many, A12, NULL, 400, "fields_invalid"},
	    {"GET", long_name, A12, NULL, 400, "fields_invalid"},
	    /* over nginx's 16 KiB request line: nginx answers */
	    {"GET", past, A12, NULL, 414, "request_invalid"},
	};
	struct http_resp r;

	baseline();
	RUN(cases);
	RUN(long_cases);
	/* many names within the limit: a name twice counts once */
	it_get(&r, TOK_U12, few);
	it_assert_status(&r, 200, "fields with 200 names in 1,000 bytes");
	cr_expect(strstr(r.body, "\"ownerId\"") == NULL, "only id and link are written");
	http_free(&r);
	same_tables("fields with 200 names");
	free(huge);
	free(id65);
	free(in_over);
	free(many);
	free(long_name);
	free(few);
	free(past);
}

/*
 * Percent-encoding and dot segments. nginx passes the URI as sent: the service splits it
 * at '/' and decodes each segment once, so an encoded '/' never splits a segment and a
 * dot segment is a segment like any other (one too many is another path, 404). nginx
 * itself rejects %00 and a path that climbs above the root (malformed: request_invalid),
 * and routes by the normalized path (leaving /uapi/ is a 404).
 */
Test(hostile, encoded_paths)
{
	static const struct it_case cases[] = {
	    /* NUL */
	    {"GET", P_PREFIX "12%00/0003*210", A12, NULL, 400, "request_invalid"},
	    {"PUT", P_PREFIX "12/0003*210%00/" CALL_B817, PUTH, BODY_STOP01, 400,
	     "request_invalid"},
	    {"PUT", P_LIST210 "/" CALL_B817 "%00", PUTH, BODY_STOP01, 400, "request_invalid"},
	    {"GET", P_LIST210 "?startIndex=%00", A12, NULL, 400, "startindex_invalid"},
	    {"GET", P_LIST210 "?count=1%00", A12, NULL, 400, "count_invalid"},
	    {"GET", P_LIST210 "?accessRequestToken=" TOK_U12 "%00", "", NULL, 401, "access_denied"},
	    /* an encoded slash */
	    {"GET", P_PREFIX "12%2F0003*210", A12, NULL, 404, "resource_not_found"},
	    {"GET", "/uapi/phoneCalls%2F12/0003*210", A12, NULL, 404, "resource_not_found"},
	    {"GET", P_PREFIX "1%2F2/0003*210", A12, NULL, 400, "user_invalid"},
	    {"GET", P_PREFIX "12/0003%2F210", A12, NULL, 400, "extension_invalid"},
	    {"GET", P_LIST210 "/4444%2F44", A12, NULL, 400, "pc_phonecall_invalid"},
	    {"PUT", P_LIST210 "%2F" CALL_B817, PUTH, BODY_STOP01, 405, "method_not_allowed"},
	    /* an encoded slash encoded again */
	    {"GET", P_PREFIX "12%252F0003*210", A12, NULL, 404, "resource_not_found"},
	    {"GET", P_PREFIX "1%252F2/0003*210", A12, NULL, 400, "user_invalid"},
	    {"PUT", P_PREFIX "12/0003%252F210/" CALL_B817, PUTH, BODY_STOP01, 400,
	     "extension_invalid"},
	    {"PUT", P_LIST210 "/" CALL_B817 "%252F", PUTH, BODY_STOP01, 400,
	     "pc_phonecall_invalid"},
	    /* decoded once: a second decoding would name user 12, 0003*210 and b817 */
	    {"PUT", P_PREFIX "1%2532/0003*210/" CALL_B817, PUTH, BODY_STOP01, 400, "user_invalid"},
	    {"PUT", P_PREFIX "12/%2530003*210/" CALL_B817, PUTH, BODY_STOP01, 400,
	     "extension_invalid"},
	    {"PUT", P_LIST210 "/b817d2618fe6f180433%2533", PUTH, BODY_STOP01, 400,
	     "pc_phonecall_invalid"},
	    {"GET", P_PREFIX "%2541/0003*210", A12, NULL, 400, "user_invalid"},
	    {"GET", P_PREFIX "12/0003%25252A210", A12, NULL, 400, "extension_invalid"},
	    {"PUT", P_PREFIX "%31%32/0003%2a210/999999", PUTH, BODY_STOP01, 400,
	     "pc_phonecall_invalid"},
	    /* dot segments */
	    {"PUT", P_PREFIX "12/../0003*210/" CALL_B817, PUTH, BODY_STOP01, 404,
	     "resource_not_found"},
	    {"PUT", P_PREFIX "13/0003*220/../../12/0003*210/" CALL_B817, PUTH, BODY_STOP01, 404,
	     "resource_not_found"},
	    {"PUT", P_PREFIX "../phoneCalls/12/0003*210/" CALL_B817, PUTH, BODY_STOP01, 404,
	     "resource_not_found"},
	    {"GET", P_LIST210 "/../../13/0003*220/777777", A12, NULL, 404, "resource_not_found"},
	    {"GET", P_PREFIX "./12/0003*210", A12, NULL, 400, "user_invalid"},
	    {"GET", P_PREFIX "../0003*210/444444", A12, NULL, 400, "user_invalid"},
	    {"GET", P_PREFIX "12/./0003*210", A12, NULL, 400, "extension_invalid"},
	    {"PUT", P_LIST210 "/.", PUTH, BODY_STOP01, 400, "pc_phonecall_invalid"},
	    {"GET", P_LIST210 "/..", A12, NULL, 400, "pc_phonecall_invalid"},
	    {"GET", "/uapi/../other", A12, NULL, 404, "resource_not_found"},
	    {"GET", "/other/../uapi/phoneCalls/12/0003*210", A12, NULL, 404, "resource_not_found"},
	    {"GET", "/../uapi/phoneCalls/12/0003*210", A12, NULL, 400, "request_invalid"},
	    /* encoded dots */
	    {"PUT", P_PREFIX "%2e%2e/0003*210/" CALL_B817, PUTH, BODY_STOP01, 400, "user_invalid"},
	    {"GET", P_PREFIX "%2e/0003*210", A12, NULL, 400, "user_invalid"},
	    {"PUT", P_PREFIX "12/%2e%2e/" CALL_B817, PUTH, BODY_STOP01, 400, "extension_invalid"},
	    {"GET", P_PREFIX "12/%2E%2E", A12, NULL, 400, "extension_invalid"},
	    {"PUT", P_LIST210 "/%2e%2e", PUTH, BODY_STOP01, 400, "pc_phonecall_invalid"},
	    {"GET", P_LIST210 "/%2E", A12, NULL, 400, "pc_phonecall_invalid"},
	    {"GET", P_PREFIX "%2e%2e/%2e%2e/other", A12, NULL, 404, "resource_not_found"},
	    /* malformed escapes */
	    {"GET", P_PREFIX "12%/0003*210", A12, NULL, 400, "request_invalid"},
	    {"GET", P_PREFIX "12%zz/0003*210", A12, NULL, 400, "request_invalid"},
	    {"GET", P_LIST210 "?startIndex=%zz", A12, NULL, 400, "startindex_invalid"},
	};

	baseline();
	RUN(cases);
}

/* Where a value goes in a request, and the error a bad one gets there. */
enum spot { IN_TARGET, IN_HEADERS, IN_BODY };

struct field {
	const char *method;
	const char *target, *headers, *body; /* the one at spot has a %s for the value */
	enum spot spot;
	const char *valid; /* a valid value the payloads are also appended to */
	int status;
	const char *code;
};

/* s percent-encoded but for letters and digits. */
static void pct(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s && n + 4 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
}

/* s inside a JSON string: backslash and quote escaped. */
static void json_esc(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s && n + 3 < cap; s++) {
		if (*s == '\\' || *s == '"')
			out[n++] = '\\';
		out[n++] = *s;
	}
	out[n] = '\0';
}

/* Sends value in the field's place (encoded for it) and checks the error. */
static void field_case(const struct field *f, const char *value)
{
	char enc[VALUE_MAX], part[PART_MAX];
	struct it_case c = {f->method, f->target, f->headers, f->body, f->status, f->code};

	if (f->spot == IN_TARGET)
		pct(enc, sizeof(enc), value);
	else if (f->spot == IN_BODY)
		json_esc(enc, sizeof(enc), value);
	else
		snprintf(enc, sizeof(enc), "%s", value);
	switch (f->spot) {
	case IN_TARGET:
		snprintf(part, sizeof(part), f->target, enc);
		c.target = part;
		break;
	case IN_HEADERS:
		snprintf(part, sizeof(part), f->headers, enc);
		c.headers = part;
		break;
	case IN_BODY:
		snprintf(part, sizeof(part), f->body, enc);
		c.body = part;
		break;
	}
	run_cases(&c, 1);
}

/* SQL and LIKE meta-characters in every field: plain values, refused as such. */
Test(hostile, sql_meta_characters)
{
	static const char *const payloads[] = {
	    "' OR 1=1 --", ";DROP TABLE phone_call;--", "\\", "$1", "%", "_",
	};
	static const struct field fields[] = {
	    {"PUT", P_PREFIX "%s/0003*210/" CALL_B817, PUTH, BODY_STOP01, IN_TARGET, "12", 400,
	     "user_invalid"},
	    {"GET", P_PREFIX "%s/0003*210", A12, NULL, IN_TARGET, "12", 400, "user_invalid"},
	    {"PUT", P_PREFIX "12/%s/" CALL_B817, PUTH, BODY_STOP01, IN_TARGET, "0003*210", 400,
	     "extension_invalid"},
	    {"GET", P_PREFIX "12/%s", A12, NULL, IN_TARGET, "0003*210", 400, "extension_invalid"},
	    {"PUT", P_LIST210 "/%s", PUTH, BODY_STOP01, IN_TARGET, CALL_B817, 400,
	     "pc_phonecall_invalid"},
	    {"GET", P_LIST210 "/%s", A12, NULL, IN_TARGET, CALL_B817, 400, "pc_phonecall_invalid"},
	    {"PUT", P_REC, PUTH, VIEW("\"%s\""), IN_BODY, "01", 400, "pc_phonecallview_invalid"},
	    {"PUT", P_REC, PUTH, ACT("\"%s\""), IN_BODY, "StopRecording", 400, "pc_action_invalid"},
	    {"PUT", P_CALL444, PUTH, FMT("\"%s\""), IN_BODY, "wav", 400, "pc_format_invalid"},
	    {"PUT", P_REC, "Authorization: Bearer %s\r\n" H_JSON, BODY_STOP01, IN_HEADERS, TOK_U12,
	     401, "access_denied"},
	    {"GET", P_LIST210, "Authorization: Bearer %s\r\n", NULL, IN_HEADERS, TOK_U12, 401,
	     "access_denied"},
	    {"GET", P_LIST210 "?accessRequestToken=%s", "", NULL, IN_TARGET, TOK_U12, 401,
	     "access_denied"},
	    {"GET", P_LIST210 "?startIndex=%s", A12, NULL, IN_TARGET, "0", 400,
	     "startindex_invalid"},
	    {"GET", P_LIST210 "?count=%s", A12, NULL, IN_TARGET, "1", 400, "count_invalid"},
	};
	/* unencoded in the path, as far as nginx lets them through */
	static const struct it_case raw_path[] = {
	    {"PUT", P_PREFIX "12'OR'1'='1/0003*210/" CALL_B817, PUTH, BODY_STOP01, 400,
	     "user_invalid"},
	    {"PUT", P_PREFIX "12;DROP/0003*210/" CALL_B817, PUTH, BODY_STOP01, 400, "user_invalid"},
	    {"PUT", P_PREFIX "12\\/0003*210/" CALL_B817, PUTH, BODY_STOP01, 400, "user_invalid"},
	    {"PUT", P_PREFIX "12$1/0003*210/" CALL_B817, PUTH, BODY_STOP01, 400, "user_invalid"},
	    {"PUT", P_PREFIX "12_/0003*210/" CALL_B817, PUTH, BODY_STOP01, 400, "user_invalid"},
	    {"PUT", P_PREFIX "12/0003*210;--/" CALL_B817, PUTH, BODY_STOP01, 400,
	     "extension_invalid"},
	    {"PUT", P_LIST210 "/" CALL_B817 "'--", PUTH, BODY_STOP01, 400, "pc_phonecall_invalid"},
	    /* a bare % is a malformed escape: nginx refuses the request line */
	    {"PUT", P_PREFIX "12%/0003*210/" CALL_B817, PUTH, BODY_STOP01, 400, "request_invalid"},
	};
	char value[VALUE_MAX];

	unrecord_444();
	baseline();
	for (size_t f = 0; f < sizeof(fields) / sizeof(*fields); f++) {
		for (size_t p = 0; p < sizeof(payloads) / sizeof(*payloads); p++) {
			field_case(&fields[f], payloads[p]);
			snprintf(value, sizeof(value), "%s%s", fields[f].valid, payloads[p]);
			field_case(&fields[f], value);
		}
	}
	RUN(raw_path);
}

/* Authorization headers that carry no valid token, or one too many. */
Test(hostile, authorization)
{
	static const struct it_case cases[] = {
	    {"GET", P_LIST210, "Authorization: \r\n", NULL, 401, "access_denied"},
	    {"PUT", P_REC, "Authorization: \r\n" H_JSON, BODY_STOP01, 401, "access_denied"},
	    {"GET", P_LIST210, "Authorization: Basic ZGVtbzpkZW1v\r\n", NULL, 401, "access_denied"},
	    {"PUT", P_REC, "Authorization: Basic " TOK_U12 "\r\n" H_JSON, BODY_STOP01, 401,
	     "access_denied"},
	    {"GET", P_LIST210,
	     "Authorization: Digest username=\"12\", realm=\"uapi\", nonce=\"1\", uri=\"/\", "
	     "response=\"0\"\r\n",
	     NULL, 401, "access_denied"},
	    {"GET", P_LIST210, "Authorization: Bearerx " TOK_U12 "\r\n", NULL, 401,
	     "access_denied"},
	    {"PUT", P_REC, "Authorization: Bearerx " TOK_U12 "\r\n" H_JSON, BODY_STOP01, 401,
	     "access_denied"},
	    {"GET", P_LIST210, "Authorization: Bearer\r\n", NULL, 401, "access_denied"},
	    {"GET", P_LIST210, "Authorization: Bearer  \r\n", NULL, 401, "access_denied"},
	    {"GET", P_LIST210, "Authorization: " TOK_U12 "\r\n", NULL, 401, "access_denied"},
	    {"GET", P_LIST210, "Authorization: Bearer\t" TOK_U12 "\r\n", NULL, 401,
	     "access_denied"},
	    {"GET", P_LIST210, "Authorization: Bearer " TOK_U12 " " TOK_U13 "\r\n", NULL, 401,
	     "access_denied"},
	    {"PUT", P_REC, "Authorization: Bearer " TOK_U12 " " TOK_U12 "\r\n" H_JSON, BODY_STOP01,
	     401, "access_denied"},
	    {"GET", P_LIST210, "Authorization: Bearer " TOK_U12 "," TOK_U12 "\r\n", NULL, 401,
	     "access_denied"},
	    {"GET", P_LIST210, "Authorization: Bearer DEMO-USER-12-TOKEN\r\n", NULL, 401,
	     "access_denied"},
	    {"GET", P_LIST210, "Authorization: Bearer " TOK_U12 "=\r\n", NULL, 401,
	     "access_denied"},
	    {"PUT", P_REC, H_AUTH("x" TOK_U12) H_JSON, BODY_STOP01, 401, "access_denied"},
	    {"PUT", P_REC, H_AUTH(TOK_EXPIRED) H_JSON, BODY_STOP01, 401, "access_denied"},
	    {"GET", P_REC, H_AUTH(TOK_EXPIRED), NULL, 401, "access_denied"},
	    {"PUT", P_REC, H_AUTH(TOK_REVOKED) H_JSON, BODY_STOP01, 401, "access_denied"},
	    {"GET", P_LIST210, H_AUTH(TOK_REVOKED), NULL, 401, "access_denied"},
	    {"PUT", P_REC, H_AUTH("unknown-token") H_JSON, BODY_STOP01, 401, "access_denied"},
	    {"GET", P_LIST210 "?accessRequestToken=" TOK_REVOKED, "", NULL, 401, "access_denied"},
	    /* one way of sending a token at a time (RFC 6750, 2): both ways is refused */
	    {"GET", P_LIST210 "?accessRequestToken=" TOK_U12, A12, NULL, 401, "access_denied"},
	    {"GET", P_LIST210 "?accessRequestToken=nope", A12, NULL, 401, "access_denied"},
	    {"GET", P_LIST210 "?accessRequestToken=" TOK_U12, H_AUTH("nope"), NULL, 401,
	     "access_denied"},
	    {"PUT", P_REC "?accessRequestToken=" TOK_U12, PUTH, BODY_STOP01, 401, "access_denied"},
	    {"GET", P_LIST210 "?accessRequestToken=" TOK_U12 "&accessRequestToken=" TOK_U12, "",
	     NULL, 401, "access_denied"},
	    /*
	     * A repeated Authorization: nginx refuses a second one as a malformed header
	     * (the contract's request_invalid), before any token is looked at.
	     */
	    {"GET", P_LIST210, A12 A12, NULL, 400, "request_invalid"},
	    {"PUT", P_REC, H_AUTH("nope") A12 H_JSON, BODY_STOP01, 400, "request_invalid"},
	    {"PUT", P_REC, A12 "Authorization: Basic eDp5\r\n" H_JSON, BODY_STOP01, 400,
	     "request_invalid"},
	};
	static const struct raw_case raw[] = {
	    RAWC("a NUL byte after the token",
	         REQ_GET(P_LIST210) "Authorization: Bearer " TOK_U12 "\0\r\n\r\n", 0, 400,
	         "request_invalid"),
	};
	/*
	 * Headers over nginx's large_client_header_buffers (4 of 16k): nginx's 494, which it
	 * sends with the status 400; the contract lists 400 for request_invalid.
	 */
	char *huge = repeat("Authorization: Bearer ", "t", HEADER_HUGE, "\r\n");
	char *huge_put = repeat("Authorization: Bearer ", "t", HEADER_HUGE, "\r\n" H_JSON);
	char *many = malloc(HEADER_MANY * (HEADER_PART + 32) + sizeof(A12));
	size_t n = 0;

	cr_assert(many != NULL);
	for (int i = 0; i < HEADER_MANY; i++) {
		n += (size_t)sprintf(many + n, "X-Pad-%d: ", i);
		memset(many + n, 'p', HEADER_PART);
		n += HEADER_PART;
		n += (size_t)sprintf(many + n, "\r\n");
	}
	memcpy(many + n, A12, sizeof(A12));
	{
		const struct it_case big[] = {
		    {"GET", P_LIST210, huge, NULL, 400, "request_invalid"},
		    {"PUT", P_REC, huge_put, BODY_STOP01, 400, "request_invalid"},
		    {"GET", P_LIST210, many, NULL, 400, "request_invalid"},
		};
		baseline();
		RUN(cases);
		RUN_RAW(raw);
		RUN(big);
	}
	free(huge);
	free(huge_put);
	free(many);
}

/*
 * Every path outside the service is a 404 (JSON, like every error), "/uapi" included:
 * never a redirect to "/uapi/".
 */
Test(hostile, uapi_without_its_slash)
{
	static const struct it_case cases[] = {
	    {"GET", "/uapi", A12, NULL, 404, "resource_not_found"},
	    {"GET", "/uapi?accessRequestToken=" TOK_U12, "", NULL, 404, "resource_not_found"},
	    {"PUT", "/uapi", PUTH, BODY_STOP01, 404, "resource_not_found"},
	};

	baseline();
	RUN(cases);
}

/* Methods other than GET and PUT, most with a stop that must not be carried out. */
Test(hostile, methods)
{
	static const char *const on_call[] = {
	    "POST", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "FOO", "PROPFIND", "PUTS",
	};
	static const char *const on_list[] = {"POST", "DELETE", "PATCH", "PUT", "FOO", "OPTIONS"};
	static const struct it_case cases[] = {
	    {"HEAD", P_REC, A12, NULL, 405, "method_not_allowed"},
	    {"HEAD", P_LIST210, A12, NULL, 405, "method_not_allowed"},
	    /* the method is checked before the token */
	    {"FOO", P_REC, H_JSON, BODY_STOP01, 405, "method_not_allowed"},
	    {"DELETE", P_REC, H_AUTH(TOK_EXPIRED), NULL, 405, "method_not_allowed"},
	    {"POST", P_LIST210, "Authorization: Bearer nope\r\n" H_JSON, BODY_STOP01, 405,
	     "method_not_allowed"},
	};
	struct it_case c = {NULL, P_REC, PUTH, BODY_STOP01, 405, "method_not_allowed"};

	baseline();
	for (size_t i = 0; i < sizeof(on_call) / sizeof(*on_call); i++) {
		c.method = on_call[i];
		run_cases(&c, 1);
	}
	c.target = P_LIST210;
	for (size_t i = 0; i < sizeof(on_list) / sizeof(*on_list); i++) {
		c.method = on_list[i];
		run_cases(&c, 1);
	}
	RUN(cases);
}

/*
 * Methods are case-sensitive (RFC 9110, 9.1), and nginx's request-line parser takes
 * only upper-case ones: "put" is a malformed request line, 400 request_invalid.
 */
Test(hostile, methods_in_lowercase)
{
	static const struct it_case cases[] = {
	    {"put", P_REC, PUTH, BODY_STOP01, 400, "request_invalid"},
	    {"Put", P_REC, PUTH, BODY_STOP01, 400, "request_invalid"},
	    {"get", P_LIST210, A12, NULL, 400, "request_invalid"},
	};

	baseline();
	RUN(cases);
}

/* The token endpoint (docs/api.md section 5): its errors are OAuth's. */
#define TP "/oauth/token.php"
#define FORM "Content-Type: application/x-www-form-urlencoded\r\n"
#define GR "grant_type=client_credentials"
#define DEMO_ID "demo-crm-user-12"
#define DEMO_SECRET "demo-crm-user-12-secret"
#define CREDS "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET
#define BASIC(b64) "Authorization: Basic " b64 "\r\n"
#define VALUE_OVER 129         /* one byte over the 128 a value the endpoint keeps */
#define VALUE_LONG (10 * 1024) /* a value of 10 KiB */
#define BASIC_LONG 600         /* Basic credentials over the 512 taken */
#define TOKEN_ROUNDS 120       /* requests from one address: under nginx's burst */
#define WORKERS_MAX 64         /* pids looked up */
#define OAUTH_FAILS_MAX 10     /* src/domain/throttle.h: failures per address and worker */

/*
 * Checks (non-fatally) an error of the token endpoint: the status, JSON that is exactly
 * {"error":code,"error_description":<non-empty>}, Cache-Control: no-store and Pragma:
 * no-cache, Basic's challenge with a 401; those nginx answers itself (request_invalid,
 * request_too_large) are in the contract's form. Then that no table changed.
 */
static void check_token(const struct http_resp *r, int status, const char *code, const char *label)
{
	yajl_val v;

	if (r == NULL) {
		cr_expect_fail("%s: no HTTP answer, expected %d %s", label, status, code);
		same_tables(label);
		return;
	}
	if (strcmp(code, "request_invalid") == 0 || strcmp(code, "request_too_large") == 0) {
		check(r, 0, status, code, label);
		return;
	}
	cr_expect_eq(r->status, status, "%s: status %d, expected %d: %s", label, r->status, status,
	             r->body);
	cr_expect(it_is_json(r), "%s: not JSON", label);
	v = it_json(r);
	cr_expect_eq(it_nkeys(v), (size_t)2, "%s: %s", label, r->body);
	it_expect_str(it_str(v, "error"), code, label);
	cr_expect(it_str(v, "error_description") != NULL && *it_str(v, "error_description"),
	          "%s: no error_description", label);
	yajl_tree_free(v);
	it_expect_str(http_header(r, "Cache-Control"), "no-store", label);
	it_expect_str(http_header(r, "Pragma"), "no-cache", label);
	if (status == 401)
		it_expect_str(http_header(r, "WWW-Authenticate"), "Basic realm=\"UnifiedAPI\"",
		              label);
	same_tables(label);
}

/* POSTs each case (its body a C string) to the token endpoint and checks the answer. */
static void run_token(const struct it_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct it_case *c = &cases[i];
		char shown[SHOW_BUF], head[SHOW_BUF], label[2 * SHOW_BUF + LABEL_MAX];
		struct http_resp r;
		int got;

		show(shown, sizeof(shown), c->body ? c->body : "", c->body ? strlen(c->body) : 0);
		show(head, sizeof(head), c->headers, strlen(c->headers));
		snprintf(label, sizeof(label), "%s %s [%s] %s", c->method, c->target, head, shown);
		got = http_send(&r, c->method, c->target, c->headers, c->body,
		                c->body ? strlen(c->body) : 0) == 0;
		check_token(got ? &r : NULL, c->status, c->code, label);
		if (got)
			http_free(&r);
	}
}
#define RUN_TOKEN(cases) run_token(cases, sizeof(cases) / sizeof(*cases))

/* A POST of body (a literal: it may hold NUL bytes) to the token endpoint. */
static void token_raw(const char *label, const char *headers, const char *body, size_t len,
                      int status, const char *code)
{
	struct http_resp r;
	size_t n;
	char *req = framed("POST", TP, headers, body, len, len, 0, &n);
	int got = http_exchange(req, n, 0, &r) == 0;

	check_token(got ? &r : NULL, status, code, label);
	if (got)
		http_free(&r);
	free(req);
}
#define TOKEN_RAW(label, headers, body, status, code)                                              \
	token_raw(label, headers, body, sizeof(body) - 1, status, code)

/*
 * Hostile token requests: invalid UTF-8, NUL bytes, values over their limit, repeated
 * parameters, wrong media types, huge bodies, malformed Basic credentials. Each gets
 * OAuth's invalid_request, invalid_client or unsupported_grant_type (nginx's 413 and
 * 400 in the contract's form), never a 500, and stores no token. A key or secret that no
 * App can have is a failed authentication (invalid_client), as any unknown one; a value
 * the form cannot carry (a NUL, over 128 bytes, repeated) is a malformed request.
 */
Test(hostile, token_endpoint)
{
	static const struct it_case cases[] = {
	    /* invalid UTF-8: overlong, surrogates, stray bytes; in the key and the secret */
	    {"POST", TP, FORM, GR "&client_id=%FF%FE&client_secret=x", 401, "invalid_client"},
	    {"POST", TP, FORM, GR "&client_id=%C0%AF&client_secret=x", 401, "invalid_client"},
	    {"POST", TP, FORM, GR "&client_id=%ED%A0%80&client_secret=x", 401, "invalid_client"},
	    {"POST", TP, FORM, GR "&client_id=" DEMO_ID "%80&client_secret=" DEMO_SECRET, 401,
	     "invalid_client"},
	    {"POST", TP, FORM, GR "&client_id=" DEMO_ID "&client_secret=%FF", 401,
	     "invalid_client"},
	    {"POST", TP, FORM, GR "&client_id=" DEMO_ID "&client_secret=%C0%80", 401,
	     "invalid_client"},
	    {"POST", TP, FORM, GR "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET "%ED%B0%80",
	     401, "invalid_client"},
	    /* in the grant and the type: not the grant supported */
	    {"POST", TP, FORM, "grant_type=%FF" CREDS, 400, "unsupported_grant_type"},
	    {"POST", TP, FORM, GR "%C0%80" CREDS, 400, "unsupported_grant_type"},
	    {"POST", TP, FORM, GR "&type=unifiedapi%FF" CREDS, 400, "unsupported_grant_type"},
	    /* in an ignored parameter: ignored */
	    {"POST", TP, FORM, GR "&state=%FF%FE&client_id=" DEMO_ID "&client_secret=x", 401,
	     "invalid_client"},
	    /* NUL, escaped, in each value and in a name */
	    {"POST", TP, FORM, GR "&client_id=demo%00&client_secret=x", 400, "invalid_request"},
	    {"POST", TP, FORM, GR "&client_id=" DEMO_ID "&client_secret=%00", 400,
	     "invalid_request"},
	    {"POST", TP, FORM, GR "%00" CREDS, 400, "invalid_request"},
	    {"POST", TP, FORM, "grant%00_type=client_credentials" CREDS, 400, "invalid_request"},
	    {"POST", TP, FORM, GR "&state=%00" CREDS, 400, "invalid_request"},
	    /* repeated parameters, however spelt; an empty one is none (RFC 6749 3.1) */
	    {"POST", TP, FORM, GR "&client_id=a" CREDS, 400, "invalid_request"},
	    {"POST", TP, FORM, GR CREDS "&client%5Fsecret=x", 400, "invalid_request"},
	    {"POST", TP, FORM, GR "&type=unifiedapi&type=unifiedapi" CREDS, 400, "invalid_request"},
	    {"POST", TP, FORM, GR "&grant_type=client_credentials" CREDS, 400, "invalid_request"},
	    {"POST", TP, FORM, GR "&scope=a&scope=a" CREDS, 400, "invalid_request"},
	    {"POST", TP, FORM, "grant_type=&client_id=" DEMO_ID "&client_secret=x", 400,
	     "invalid_request"},
	    /* badly encoded */
	    {"POST", TP, FORM, GR "&client_id=%G1&client_secret=x", 400, "invalid_request"},
	    {"POST", TP, FORM, GR "&client_id=" DEMO_ID "&client_secret=%", 400, "invalid_request"},
	    {"POST", TP, FORM, GR "&x%=1" CREDS, 400, "invalid_request"},
	    /* media types */
	    {"POST", TP, "", GR CREDS, 400, "invalid_request"},
	    {"POST", TP, "Content-Type: text/plain\r\n", GR CREDS, 400, "invalid_request"},
	    {"POST", TP, "Content-Type: multipart/form-data; boundary=x\r\n", GR CREDS, 400,
	     "invalid_request"},
	    {"POST", TP, "Content-Type: application/x-www-form-urlencodedx\r\n", GR CREDS, 400,
	     "invalid_request"},
	    {"POST", TP, H_JSON, "{\"grant_type\":\"client_credentials\"}", 400, "invalid_request"},
	    {"POST", TP, "Content-Type: application/json; x=application/x-www-form-urlencoded\r\n",
	     GR CREDS, 400, "invalid_request"},
	    /* Basic credentials: invalid UTF-8, NUL, escapes, no ':', not base64, too long */
	    {"POST", TP, FORM BASIC("7aCAOng="), GR, 401, "invalid_client"},
	    {"POST", TP, FORM BASIC("ZGVtby1jcm0tdXNlci0xMjr/"), GR, 401, "invalid_client"},
	    {"POST", TP, FORM BASIC("ZGVtby1jcm0tdXNlci0xMjrArw=="), GR, 401, "invalid_client"},
	    {"POST", TP, FORM BASIC("YQBiOng="), GR, 401, "invalid_client"},
	    {"POST", TP, FORM BASIC("YSUwMDp4"), GR, 401, "invalid_client"},
	    {"POST", TP, FORM BASIC("ZGVtby1jcm0tdXNlci0xMjpkZW1vLWNybS11c2VyLTEyLXNlY3JldCUwMA=="),
	     GR, 401, "invalid_client"},
	    {"POST", TP, FORM BASIC("ZGVtby1jcm0tdXNlci0xMg=="), GR, 401, "invalid_client"},
	    {"POST", TP, FORM BASIC("!!!!"), GR, 401, "invalid_client"},
	    {"POST", TP, FORM BASIC("ZGVtby1jcm0tdXNlci0xMjp4"), GR, 401, "invalid_client"},
	    {"POST", TP, FORM "Authorization: Basic\r\n", GR, 401, "invalid_client"},
	    {"POST", TP, FORM "Authorization: Bearer " TOK_U12 "\r\n", GR, 401, "invalid_client"},
	    /* two Authorization headers: nginx refuses the request */
	    {"POST", TP, FORM BASIC("YTpi") BASIC("YTpi"), GR, 400, "request_invalid"},
	};
	char *long_id = repeat(GR "&client_id=", "a", VALUE_OVER, "&client_secret=x");
	char *long_secret = repeat(GR "&client_id=" DEMO_ID "&client_secret=", "s", VALUE_OVER, "");
	char *long_grant = repeat("grant_type=", "g", VALUE_LONG, CREDS);
	char *long_key = repeat(GR "&client_id=", "%FF", VALUE_LONG / 3, "&client_secret=x");
	char *long_basic = repeat(FORM "Authorization: Basic ", "QUFB", BASIC_LONG / 4, "\r\n");
	char *basic_id =
	    repeat(FORM "Authorization: Basic ", "YWFh", VALUE_OVER / 3 + 1, "Ong=\r\n");
	char *pairs = repeat(GR "&client_id=" DEMO_ID "&client_secret=x", "&a=b",
	                     (BODY_LIMIT - sizeof(GR CREDS)) / 4 - 1, "");
	char *over = repeat(GR "&pad=", "x", BODY_LIMIT, "");
	char *huge = repeat(GR "&pad=", "x", BODY_HUGE, "");
	{
		const struct it_case big[] = {
		    {"POST", TP, FORM, long_id, 400, "invalid_request"},
		    {"POST", TP, FORM, long_secret, 400, "invalid_request"},
		    {"POST", TP, FORM, long_grant, 400, "invalid_request"},
		    {"POST", TP, FORM, long_key, 400, "invalid_request"},
		    {"POST", TP, long_basic, GR, 401, "invalid_client"},
		    {"POST", TP, basic_id, GR, 401, "invalid_client"},
		    /* 16 KiB of parameters, within the limit: the secret is wrong */
		    {"POST", TP, FORM, pairs, 401, "invalid_client"},
		};
		const struct framed_case sized[] = {
		    {"16 KiB + 1 of form", "POST", TP, FORM, over, strlen(over), strlen(over), 0,
		     413, "request_too_large"},
		    {"16 KiB + 1 of form, chunked", "POST", TP, FORM, over, strlen(over), 0,
		     CHUNK_SMALL, 413, "request_too_large"},
		    {"4 MiB of form", "POST", TP, FORM, huge, strlen(huge), strlen(huge), 0, 413,
		     "request_too_large"},
		    {"4 MiB of form, chunked", "POST", TP, FORM, huge, strlen(huge), 0, CHUNK_LARGE,
		     413, "request_too_large"},
		    {"4 MiB, a Content-Length of 16 KiB + 1", "POST", TP, FORM, huge, strlen(huge),
		     BODY_LIMIT + 1, 0, 413, "request_too_large"},
		};
		baseline();
		RUN_TOKEN(cases);
		RUN_TOKEN(big);
		RUN_FRAMED(sized);
		/* raw NUL bytes in the body */
		TOKEN_RAW("a NUL byte in the secret", FORM, GR CREDS "\0", 400, "invalid_request");
		TOKEN_RAW("a NUL byte in a name", FORM, GR "&client\0_id=" DEMO_ID, 400,
		          "invalid_request");
		TOKEN_RAW("a NUL byte between two parameters", FORM, GR "\0" CREDS, 400,
		          "invalid_request");
	}
	free(long_id);
	free(long_secret);
	free(long_grant);
	free(long_key);
	free(long_basic);
	free(basic_id);
	free(pairs);
	free(over);
	free(huge);
}

/* Sends the cases in turn from addr, n requests in all; returns how many answered 429
 * (the worker's throttle, in OAuth's form). Every other answer must be the case's. */
static int token_rounds(const char *addr, const struct it_case *cases, size_t ncases, int n)
{
	struct http_resp r;
	int throttled = 0;

	cr_assert_eq(http_set_source(addr), 0);
	for (int i = 0; i < n; i++) {
		const struct it_case *c = &cases[(size_t)i % ncases];
		it_req(&r, c->method, c->target, c->headers, c->body);
		if (r.status == 429) {
			yajl_val v = it_json(&r);
			it_expect_str(it_str(v, "error"), "too_many_requests", "a 429");
			yajl_tree_free(v);
			throttled++;
		} else {
			cr_expect_eq(r.status, c->status, "%s: %d %s", c->body, r.status, r.body);
		}
		http_free(&r);
	}
	http_set_source(NULL);
	return throttled;
}

/*
 * Where a hostile token request is a failed client authentication (invalid_client: a
 * key or secret no App has, malformed Basic credentials, another scheme), it counts
 * toward the worker's throttle like a wrong secret: from one address, after 10 at a
 * worker, that worker answers 429. A malformed request (invalid_request and the other
 * 400s) tests no credentials and counts for nothing. The suite's own address is exempt,
 * so this test sends from two others (fewer requests than nginx's per-address burst).
 */
Test(hostile, token_endpoint_failures_count_where_they_are_one)
{
	static const struct it_case fails[] = {
	    {"POST", TP, FORM, GR "&client_id=%FF%FE&client_secret=x", 401, "invalid_client"},
	    {"POST", TP, FORM, GR "&client_id=" DEMO_ID "&client_secret=%C0%80", 401,
	     "invalid_client"},
	    {"POST", TP, FORM BASIC("7aCAOng="), GR, 401, "invalid_client"},
	    {"POST", TP, FORM BASIC("YQBiOng="), GR, 401, "invalid_client"},
	    {"POST", TP, FORM "Authorization: Bearer " TOK_U12 "\r\n", GR, 401, "invalid_client"},
	};
	static const struct it_case malformed[] = {
	    {"POST", TP, FORM, GR "&client_id=demo%00&client_secret=x", 400, "invalid_request"},
	    {"POST", TP, FORM, GR "&client_id=a" CREDS, 400, "invalid_request"},
	    {"POST", TP, "Content-Type: text/plain\r\n", GR CREDS, 400, "invalid_request"},
	    {"POST", TP, FORM, "grant_type=%FF" CREDS, 400, "unsupported_grant_type"},
	    {"POST", TP, FORM, GR CREDS "&scope=x", 400, "invalid_scope"},
	};
	long pids[WORKERS_MAX];
	size_t workers = it_worker_pids(pids, WORKERS_MAX);
	struct http_resp r;

	/* with w workers, (OAUTH_FAILS_MAX - 1) * w + 1 failures fill one of them */
	cr_assert(workers > 0 && (int)((OAUTH_FAILS_MAX - 1) * workers + 1) < TOKEN_ROUNDS / 2,
	          "%zu workers", workers);
	cr_expect_gt(
	    token_rounds("127.0.0.11", fails, sizeof(fails) / sizeof(*fails), TOKEN_ROUNDS), 0,
	    "%d failed authentications from one address, no 429", TOKEN_ROUNDS);
	cr_expect_eq(token_rounds("127.0.0.12", malformed, sizeof(malformed) / sizeof(*malformed),
	                          TOKEN_ROUNDS),
	             0, "malformed requests were counted as failed authentications");
	/* and that address may still ask for a token */
	cr_assert_eq(http_set_source("127.0.0.12"), 0);
	it_req(&r, "POST", TP, FORM, GR CREDS);
	it_assert_status(&r, 200, "a token after the malformed requests");
	http_free(&r);
	http_set_source(NULL);
}
