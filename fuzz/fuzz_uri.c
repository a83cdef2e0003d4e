/*
 * fuzz_uri.c - libFuzzer target for the route table's patterns (route_find) and the URI
 * parsers (uri_parts, uri_query, uri_num).
 *
 * The input is a request URI as the worker receives it: the path, then an optional query
 * string after the first '?'. The path goes to the route table and the segments it
 * captures to uri_parts, the query to uri_query for the parameters the worker reads (with
 * its own buffer sizes and with smaller ones), and the values found, as well as the whole
 * input, to uri_num. Every result is checked against the headers' contract and small
 * reference models; a violation aborts.
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "never_called.h"
#include "uri.h"

#define TOKEN_CAP (AUTH_TOKEN_MAX + 1) /* the worker's buffer for accessRequestToken */
#define NUM_CAP 33                     /* the worker's buffer for a paging parameter */
#define PAGING_MAX 5000                /* the largest startIndex and count */
#define DIGITS_MAX 20                  /* decimal digits of any long long, plus one */
#define CANON_MAX 1024                 /* a canonical path rebuilt from a parsed one */
#define UNSET ((size_t)-1)             /* an outlen uri_query has not written */

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_uri: invariant violated: %s (line %d)\n", #cond,     \
			        __LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The handlers the route table names: route_find only finds them, none is called. */
NEVER_CALLED(h_health)
NEVER_CALLED(h_metrics)
NEVER_CALLED(h_token)
NEVER_CALLED(h_calls_list)
NEVER_CALLED(h_call_get)
NEVER_CALLED(h_call_put)

/* What the table makes of a PhoneCalls path: none, a list, one call. */
enum uri_route { URI_NONE, URI_LIST, URI_CALL };

static const char *const query_names[] = {"accessRequestToken", "startIndex", "count"};
static const size_t small_caps[] = {1, 2, 8};
static const long long num_maxes[] = {
    0, 1, 9, 10, PAGING_MAX, 1000000000000000000LL, LLONG_MAX - 1, LLONG_MAX};

/* A copy of p[0..len) in a buffer of exactly len bytes, so that ASan sees reads past it. */
static char *dup_exact(const char *p, size_t len)
{
	char *c = malloc(len ? len : 1);

	CHECK(c != NULL);
	if (len)
		memcpy(c, p, len);
	return c;
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * The documented grammar of uri_num, written independently: "0" or a digit 1-9 followed
 * by digits, whose value is at most max (0 <= max), compared as decimal strings.
 */
static int ref_num(const char *s, size_t len, long long max)
{
	char m[DIGITS_MAX + 1];
	size_t mlen = (size_t)snprintf(m, sizeof(m), "%lld", max);

	if (len == 0 || (s[0] == '0' && len > 1))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	if (len != mlen)
		return len < mlen;
	return memcmp(s, m, len) <= 0;
}

static void check_num(const char *s, size_t len, long long max)
{
	long long v = -1;
	int r = uri_num(s, len, max, &v);

	CHECK(r == 0 || r == -1);
	CHECK((r == 0) == ref_num(s, len, max));
	if (r == 0) {
		long long w = 0;
		for (size_t i = 0; i < len; i++)
			w = w * 10 + (s[i] - '0'); /* cannot overflow: the value is <= max */
		CHECK(v >= 0 && v <= max && v == w);
	}
}

static void check_nums(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(num_maxes) / sizeof(*num_maxes); i++)
		check_num(s, len, num_maxes[i]);
}

/*
 * path[0..len) through the route table (GET, which every path the table has takes): a
 * PhoneCalls list or call, with uri_parts of its captures (all invalid otherwise); and
 * with inst, what the health check's (inst[0]) and the metrics' (inst[1]) patterns make
 * of it: 0 for the path alone, N for pool N's, -1 for neither.
 */
static enum uri_route parse(const char *p, size_t len, struct uri *u, int inst[2])
{
	struct route_miss miss;
	struct route_args a;
	const struct route *r = route_find("GET", p, len, &a, &miss);
	long long n = 0;

	uri_parts(NULL, 0, u);
	if (inst != NULL)
		inst[0] = inst[1] = -1;
	if (r == NULL) {
		/* none, or the token endpoint's */
		CHECK(miss.allow[0] == '\0' ||
		      (strcmp(miss.allow, "POST") == 0 && miss.form == RESP_OAUTH));
		return URI_NONE;
	}
	CHECK(a.n <= ROUTE_CAPTURE_MAX);
	if (r->op == METRICS_OP_LIST || r->op == METRICS_OP_GET) {
		CHECK(a.n == (r->op == METRICS_OP_LIST ? 2u : 3u));
		for (size_t i = 0; i < a.n; i++)
			CHECK(a.seg[i].p >= p && a.seg[i].p + a.seg[i].len <= p + len &&
			      memchr(a.seg[i].p, '/', a.seg[i].len) == NULL);
		uri_parts(a.seg, a.n, u);
		return r->op == METRICS_OP_LIST ? URI_LIST : URI_CALL;
	}
	CHECK(r->op == METRICS_OP_HEALTH || r->op == METRICS_OP_METRICS);
	CHECK(a.n <= 1);
	if (a.n == 1)
		CHECK(uri_num(a.seg[0].p, a.seg[0].len, URI_INSTANCE_MAX, &n) == 0 && n >= 1);
	if (inst != NULL)
		inst[r->op == METRICS_OP_METRICS] = (int)n;
	return URI_NONE;
}

/* The route by the structure of the path alone: the prefix, then two or three segments,
 * one trailing slash allowed. */
static enum uri_route ref_route(const char *p, size_t len)
{
	const size_t plen = strlen(URI_PREFIX);
	size_t slashes = 0;

	if (len <= plen || memcmp(p, URI_PREFIX, plen) != 0)
		return URI_NONE;
	if (p[len - 1] == '/')
		len--;
	if (len == plen)
		return URI_NONE;
	for (size_t i = plen; i < len; i++)
		slashes += p[i] == '/';
	return slashes == 1 ? URI_LIST : slashes == 2 ? URI_CALL : URI_NONE;
}

/* The fields of one parse, each within its limits and consistent with the others. */
static void check_fields(const struct uri *u, enum uri_route r)
{
	CHECK(u->user == URI_USER_INVALID || u->user == URI_USER_ME || u->user == URI_USER_OWNER ||
	      u->user == URI_USER_ID);
	CHECK(u->user != URI_USER_ID || u->user_id >= 0);
	CHECK(u->ext_len <= URI_EXT_MAX);
	CHECK(u->call_len <= URI_CALLID_MAX);
	if (r == URI_NONE) {
		CHECK(!u->ext_ok && !u->call_ok && u->user == URI_USER_INVALID);
		return;
	}
	CHECK(!u->ext_self || (u->ext_ok && u->ext_len == 0));
	if (u->ext_ok && !u->ext_self) {
		CHECK(u->ext_len >= 1 && u->ext[u->ext_len] == '\0');
		for (size_t i = 0; i < u->ext_len; i++)
			CHECK(is_digit((unsigned char)u->ext[i]) || u->ext[i] == '*');
	}
	CHECK(r == URI_CALL || !u->call_ok);
	if (u->call_ok) {
		CHECK(u->call_len >= 1 && u->call[u->call_len] == '\0');
		for (size_t i = 0; i < u->call_len; i++)
			CHECK(is_alnum((unsigned char)u->call[i]));
	}
}

/* Appends s[0..n) to b (at *bl), each byte percent-encoded times times (0, 1 or 2). */
static void put_enc(char *b, size_t *bl, const char *s, size_t n, int times)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		CHECK(*bl + 7 < CANON_MAX);
		if (times == 0) {
			b[(*bl)++] = (char)c;
			continue;
		}
		b[(*bl)++] = '%';
		if (times == 2) {
			b[(*bl)++] = '2';
			b[(*bl)++] = '5';
		}
		b[(*bl)++] = hex[c >> 4];
		b[(*bl)++] = hex[c & 15];
	}
}

/*
 * Rebuilds the path of a fully valid parse (plain, percent-encoded once, and twice) and
 * parses it again: plain and once-encoded give the same fields, twice-encoded decodes to
 * segments that still hold '%', so nothing in it is valid (one round of decoding).
 */
static void check_canonical(const struct uri *u, enum uri_route route)
{
	char seg[DIGITS_MAX + 1];
	const char *user = seg;
	size_t ulen;

	if (u->user == URI_USER_INVALID || !u->ext_ok || (route == URI_CALL && !u->call_ok))
		return;
	if (u->user == URI_USER_ME)
		user = "@me";
	else if (u->user == URI_USER_OWNER)
		user = "@owner";
	else
		snprintf(seg, sizeof(seg), "%lld", u->user_id);
	ulen = strlen(user);

	for (int times = 0; times <= 2; times++) {
		char b[CANON_MAX];
		size_t bl = 0;
		struct uri v;
		enum uri_route r;

		put_enc(b, &bl, URI_PREFIX, strlen(URI_PREFIX), 0);
		put_enc(b, &bl, user, ulen, times);
		put_enc(b, &bl, "/", 1, 0);
		if (u->ext_self)
			put_enc(b, &bl, "@self", 5, times);
		else
			put_enc(b, &bl, u->ext, u->ext_len, times);
		if (route == URI_CALL) {
			put_enc(b, &bl, "/", 1, 0);
			put_enc(b, &bl, u->call, u->call_len, times);
		}
		char *c = dup_exact(b, bl);
		r = parse(c, bl, &v, NULL);
		free(c);
		CHECK(r == route);
		check_fields(&v, r);
		if (times == 2) {
			CHECK(v.user == URI_USER_INVALID && !v.ext_ok && !v.call_ok);
			continue;
		}
		CHECK(v.user == u->user && v.user_id == u->user_id);
		CHECK(v.ext_ok && v.ext_self == u->ext_self && v.ext_len == u->ext_len);
		CHECK(memcmp(v.ext, u->ext, u->ext_len) == 0);
		CHECK(v.call_ok == u->call_ok && v.call_len == u->call_len);
		CHECK(memcmp(v.call, u->call, u->call_len) == 0);
	}
}

/* The health check's and the metrics' paths by their grammar: the base alone (0), or the base, '/'
 * and an instance number from 1 to URI_INSTANCE_MAX (that number); anything else -1. */
static int ref_instance(const char *p, size_t len, const char *base)
{
	size_t n = strlen(base);
	int v = 0;

	if (len < n || memcmp(p, base, n) != 0)
		return -1;
	if (len == n)
		return 0;
	if (p[n] != '/' || !ref_num(p + n + 1, len - n - 1, URI_INSTANCE_MAX))
		return -1;
	for (size_t i = n + 1; i < len; i++)
		v = v * 10 + (p[i] - '0'); /* at most URI_INSTANCE_MAX */
	return v >= 1 ? v : -1;
}

static void check_parse(const char *data, size_t len)
{
	char *p = dup_exact(data, len);
	struct uri u;
	int inst[2];
	enum uri_route r = parse(p, len, &u, inst);

	CHECK(r == URI_NONE || r == URI_LIST || r == URI_CALL);
	CHECK(r == ref_route(p, len));
	check_fields(&u, r);
	if (r != URI_NONE)
		check_canonical(&u, r);
	CHECK(inst[0] == ref_instance(p, len, "/uapi/health"));
	CHECK(inst[1] == ref_instance(p, len, "/uapi/metrics"));
	free(p);
}

/* Whether the raw name q[0..n) form-decodes to name, written independently: decode into a
 * buffer (any bad escape fails), then compare. */
static int ref_name_is(const char *q, size_t n, const char *name)
{
	char d[64];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)q[i];
		if (c == '%') {
			/* the input is not NUL-terminated: read the two digits by hand */
			char hex[3] = {0};
			if (i + 2 >= n || !isxdigit((unsigned char)q[i + 1]) ||
			    !isxdigit((unsigned char)q[i + 2]))
				return 0;
			memcpy(hex, q + i + 1, 2);
			c = (int)strtol(hex, NULL, 16);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (k == sizeof(d))
			return 0;
		d[k++] = (char)c;
	}
	return k == strlen(name) && memcmp(d, name, k) == 0;
}

/*
 * How often name occurs as a parameter name of q, written independently: parameters are
 * separated by '&', a name ends at the first '=' of its parameter and is form-decoded.
 */
static size_t ref_count(const char *q, size_t len, const char *name, const char **val, size_t *vlen)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && q[i] != '&')
			continue;
		size_t k = start;
		while (k < i && q[k] != '=')
			k++;
		if (ref_name_is(q + start, k - start, name)) {
			n++;
			*val = k < i ? q + k + 1 : q + i;
			*vlen = k < i ? i - k - 1 : 0;
		}
		start = i + 1;
	}
	return n;
}

/*
 * uri_query for name with the worker's buffer (cap) and with smaller ones. Returns the
 * value found in a malloc'd buffer (its length in *outlen), or NULL.
 */
static char *check_query(const char *q, size_t len, const char *name, size_t cap, size_t *outlen)
{
	char *out = malloc(cap);
	size_t n = UNSET, vlen = 0;
	const char *val = NULL;
	size_t count = ref_count(q, len, name, &val, &vlen);
	int r = uri_query(q, len, name, out, cap, &n);

	CHECK(out != NULL);
	CHECK(r == -1 || r == 0 || r == 1);
	CHECK(count != 0 || r == 0);
	CHECK(count < 2 || r == -1);
	CHECK(count != 1 || r != 0);
	if (r == 1) {
		CHECK(n < cap && out[n] == '\0' && n <= vlen);
		if (!memchr(val, '%', vlen) && !memchr(val, '+', vlen))
			CHECK(n == vlen && memcmp(out, val, vlen) == 0);
	} else if (r == 0) {
		CHECK(n == UNSET);
	}
	for (size_t i = 0; i < sizeof(small_caps) / sizeof(*small_caps); i++) {
		size_t scap = small_caps[i], sn = UNSET;
		char *small = malloc(scap);
		int sr;

		CHECK(small != NULL);
		sr = uri_query(q, len, name, small, scap, &sn);
		if (r == 1 && n < scap)
			CHECK(sr == 1 && sn == n && memcmp(small, out, n + 1) == 0);
		else if (r == 1)
			CHECK(sr == -1);
		else
			CHECK(sr == r);
		free(small);
	}
	if (r != 1) {
		free(out);
		return NULL;
	}
	*outlen = n;
	return out;
}

/* uri_query_raw for the token: the raw name matched exactly, counted as written apart
 * (names compared without decoding), its value a slice of q up to the next '&'. */
static void check_query_raw(const char *q, size_t len)
{
	static const char name[] = "accessRequestToken";
	const size_t nlen = sizeof(name) - 1;
	const char *val = NULL;
	size_t vlen = UNSET, count = 0, start = 0;
	int r = uri_query_raw(q, len, name, &val, &vlen);

	for (size_t i = 0; i <= len; i++) {
		if (i < len && q[i] != '&')
			continue;
		size_t k = start;
		while (k < i && q[k] != '=')
			k++;
		count += k - start == nlen && memcmp(q + start, name, nlen) == 0;
		start = i + 1;
	}
	CHECK(r == (count == 0 ? 0 : count == 1 ? 1 : -1));
	if (r == 1) {
		CHECK(val >= q && vlen <= len && val + vlen <= q + len);
		CHECK(memchr(val, '&', vlen) == NULL);
		CHECK(val == q + len || val[-1] == '=' || val + vlen == q + len ||
		      val[vlen] == '&');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *mark = memchr(s, '?', size);
	size_t plen = mark ? (size_t)(mark - s) : size;
	const char *qs = mark ? mark + 1 : s;
	size_t qlen = mark ? size - plen - 1 : size;
	char *q;

	check_parse(s, size);
	if (mark)
		check_parse(s, plen);

	q = dup_exact(qs, qlen);
	for (size_t i = 0; i < sizeof(query_names) / sizeof(*query_names); i++) {
		size_t n = 0;
		size_t cap = i == 0 ? TOKEN_CAP : NUM_CAP;
		char *v = check_query(q, qlen, query_names[i], cap, &n);
		if (v) {
			check_nums(v, n);
			free(v);
		}
	}
	check_query_raw(q, qlen);
	free(q);

	q = dup_exact(s, size);
	check_nums(q, size);
	if (size >= sizeof(uint64_t)) {
		uint64_t m;
		memcpy(&m, data, sizeof(m));
		check_num(q, size, (long long)(m & (uint64_t)LLONG_MAX));
	}
	free(q);
	return 0;
}
