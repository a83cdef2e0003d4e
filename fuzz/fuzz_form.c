/*
 * fuzz_form.c - libFuzzer target for the token endpoint's parsers: oauth_form_parse (the
 * form body), oauth_basic (HTTP Basic credentials) and oauth_b64url.
 *
 * The input is used three ways:
 * - as a form body: limits and NUL termination hold, and every field read equals what a
 *   reference written from the form-urlencoded rules decodes for its one occurrence
 *   with a value (one without counts as omitted, RFC 6749 section 3.1), with a field
 *   given a value twice refused, and scope noted by its presence alone;
 * - base64-encoded by the reference into "Basic <...>": oauth_basic must split it at the
 *   first ':' and decode both halves as the reference does, or refuse exactly when the
 *   reference does;
 * - through oauth_b64url: the reference decodes it back to the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oauth.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_form: invariant violated: %s (line %d)\n", #cond,    \
			        __LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define BASIC_RAW_MAX 300 /* inputs longer than this are not tried as credentials */

static int ref_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Form-urlencoded s[0..n): decoded length into *out_len, or -1 when malformed or a NUL. */
static int ref_decode(const unsigned char *s, size_t n, char *out, size_t *out_len)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= n)
				return -1;
			if (ref_hex(s[i + 1]) < 0 || ref_hex(s[i + 2]) < 0)
				return -1;
			c = ref_hex(s[i + 1]) * 16 + ref_hex(s[i + 2]);
			i += 2;
		}
		if (c == 0)
			return -1;
		out[o++] = (char)c;
	}
	*out_len = o;
	return 0;
}

#define NAMES 5 /* the parameters read; the last, scope, only for its presence */
#define KEPT 4  /* those whose value is kept */
static const char *names[NAMES] = {"grant_type", "type", "client_id", "client_secret", "scope"};

/* What oauth_form_parse must answer, from the rules: 0, the four fields kept and the
 * names present with a value (bit k: names[k]), or -1. */
static int ref_form(const unsigned char *p, size_t len, char vals[KEPT][OAUTH_FIELD_MAX + 1],
                    unsigned *seen)
{
	char *name = malloc(len + 1), *val = malloc(len + 1);
	size_t i = 0;
	int rc = 0;

	*seen = 0;
	while (rc == 0 && i < len) {
		size_t end = i, eq, nl, vl;
		while (end < len && p[end] != '&')
			end++;
		eq = i;
		while (eq < end && p[eq] != '=')
			eq++;
		if (end > i) {
			size_t vs = eq < end ? eq + 1 : end;
			if (ref_decode(p + i, eq - i, name, &nl) != 0 ||
			    ref_decode(p + vs, end - vs, val, &vl) != 0) {
				rc = -1;
				break;
			}
			name[nl] = '\0';
			for (int k = 0; k < NAMES; k++) {
				if (nl != strlen(names[k]) || memcmp(name, names[k], nl) != 0 ||
				    vl == 0)
					continue;
				if ((*seen & (1u << k)) || (k < KEPT && vl > OAUTH_FIELD_MAX)) {
					rc = -1;
					break;
				}
				*seen |= 1u << k;
				if (k < KEPT) {
					memcpy(vals[k], val, vl);
					vals[k][vl] = '\0';
				}
			}
		}
		i = end + 1;
	}
	free(name);
	free(val);
	return rc;
}

static void check_form(const uint8_t *data, size_t size)
{
	char vals[KEPT][OAUTH_FIELD_MAX + 1];
	struct oauth_form f;
	unsigned seen;
	int rc = oauth_form_parse((const char *)data, size, &f);
	int want = ref_form(data, size, vals, &seen);
	const char *got[KEPT] = {f.grant_type, f.type, f.client_id, f.client_secret};
	_Static_assert(OAUTH_F_GRANT == 1 && OAUTH_F_TYPE == 2 && OAUTH_F_ID == 4 &&
	                   OAUTH_F_SECRET == 8 && OAUTH_F_SCOPE == 16,
	               "bit k of seen is names[k]");

	CHECK(rc == want);
	if (rc != 0)
		return;
	CHECK(f.seen == seen);
	for (int k = 0; k < KEPT; k++) {
		CHECK(memchr(got[k], '\0', OAUTH_FIELD_MAX + 1) != NULL);
		if (seen & (1u << k))
			CHECK(strcmp(got[k], vals[k]) == 0);
		else
			CHECK(got[k][0] == '\0');
	}
}

static void ref_b64(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		             (i + 2 < n ? in[i + 2] : 0);
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? abc[v & 63] : '=';
	}
	out[o] = '\0';
}

static void check_basic(const uint8_t *data, size_t size)
{
	char h[8 + 4 * (BASIC_RAW_MAX / 3 + 1)], id[OAUTH_FIELD_MAX + 1],
	    secret[OAUTH_FIELD_MAX + 1], rid[BASIC_RAW_MAX + 1], rsec[BASIC_RAW_MAX + 1];
	const unsigned char *colon;
	size_t il = 0, sl = 0;
	int want, rc;

	if (size == 0 || size > BASIC_RAW_MAX)
		return;
	memcpy(h, "Basic ", 6);
	ref_b64(data, size, h + 6);
	colon = memchr(data, ':', size);
	want = colon != NULL && memchr(data, '\0', size) == NULL &&
	               ref_decode(data, (size_t)(colon - data), rid, &il) == 0 &&
	               ref_decode(colon + 1, size - (size_t)(colon - data) - 1, rsec, &sl) == 0 &&
	               il <= OAUTH_FIELD_MAX && sl <= OAUTH_FIELD_MAX
	           ? 0
	           : -1;
	rc = oauth_basic(h, strlen(h), id, secret);
	CHECK(rc == want);
	if (rc == 0) {
		CHECK(strlen(id) == il && memcmp(id, rid, il) == 0);
		CHECK(strlen(secret) == sl && memcmp(secret, rsec, sl) == 0);
	}
	/* the scheme alone decides whether the header is Basic at all */
	h[0] = 'X';
	CHECK(oauth_basic(h, strlen(h), id, secret) == 1);
}

static void check_b64url(const uint8_t *data, size_t size)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *out = malloc(4 * (size / 3 + 1) + 1);
	unsigned char *back = malloc(size + 1);
	size_t n, o = 0;
	unsigned acc = 0;
	int bits = 0;

	oauth_b64url(data, size, out);
	n = strlen(out);
	CHECK(n == (size * 4 + 2) / 3);
	for (size_t i = 0; i < n; i++) {
		const char *c = strchr(abc, out[i]);
		CHECK(c != NULL && out[i] != '\0');
		acc = acc << 6 | (unsigned)(c - abc);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			back[o++] = (unsigned char)(acc >> bits);
		}
	}
	CHECK(o == size && memcmp(back, data, size) == 0);
	free(out);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_form(data, size);
	check_basic(data, size);
	check_b64url(data, size);
	return 0;
}
