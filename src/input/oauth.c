/*
 * oauth.c - the token endpoint's input (oauth.h): the form body, HTTP Basic credentials,
 * and the base64url of issued tokens. Pure, for testing and fuzzing. A parameter sent
 * without a value counts as omitted (RFC 6749 section 3.1).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "chars.h"
#include "oauth.h"
#include "pct.h"

/* Form-urlencoded values (pct.h): '+' is a space, a NUL is malformed. */
#define FORM (PCT_PLUS | PCT_NO_NUL)

/* Whether the endpoint reads a decoded parameter name: its OAUTH_F_* bit, and the field
 * its value fills (NULL for one whose presence alone counts). */
static bool field(struct oauth_form *f, const char *name, unsigned *bit, char **dst)
{
	static const struct {
		const char *name;
		unsigned bit;
		size_t off; /* SIZE_MAX: not kept */
	} known[] = {
	    {"grant_type", OAUTH_F_GRANT, offsetof(struct oauth_form, grant_type)},
	    {"type", OAUTH_F_TYPE, offsetof(struct oauth_form, type)},
	    {"client_id", OAUTH_F_ID, offsetof(struct oauth_form, client_id)},
	    {"client_secret", OAUTH_F_SECRET, offsetof(struct oauth_form, client_secret)},
	    {"scope", OAUTH_F_SCOPE, SIZE_MAX},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++) {
		if (strcmp(name, known[i].name) == 0) {
			*bit = known[i].bit;
			*dst = known[i].off == SIZE_MAX ? NULL : (char *)f + known[i].off;
			return true;
		}
	}
	return false;
}

int oauth_form_parse(const char *p, size_t len, struct oauth_form *out)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		char name[OAUTH_FIELD_MAX + 1];
		size_t end = i, eq;
		unsigned bit = 0;
		char *dst = NULL;

		while (end < len && p[end] != '&')
			end++;
		eq = i;
		while (eq < end && p[eq] != '=')
			eq++;
		if (end > i) { /* empty pairs ("a=1&&b=2") are skipped */
			const char *v = p + eq + (eq < end);
			size_t vlen = end - eq - (eq < end);
			/* a name too long for the buffer is none we read: it need only be
			 * well-formed */
			int fits = pct_decode(p + i, eq - i, name, sizeof(name), FORM) >= 0;

			if (!fits && pct_decode(p + i, eq - i, NULL, 0, FORM) < 0)
				return -1;
			if (!fits || !field(out, name, &bit, &dst) || vlen == 0) {
				/* ignored, or without a value (RFC 6749 section 3.1: as if
				 * omitted), but well-formed */
				if (pct_decode(v, vlen, NULL, 0, FORM) < 0)
					return -1;
			} else {
				/* RFC 6749 section 3.2: parameters come once */
				if ((out->seen & bit) ||
				    pct_decode(v, vlen, dst, dst ? OAUTH_FIELD_MAX + 1 : 0, FORM) <
				        0)
					return -1;
				out->seen |= bit;
			}
		}
		i = end + 1;
	}
	return 0;
}

/* Standard base64 (RFC 4648 section 4, padded) of p[0..len) into out (cap bytes with the
 * NUL). Returns the decoded length, or -1 when malformed or too long. */
static long b64_decode(const char *p, size_t len, char *out, size_t cap)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 0, pad = 0;
	unsigned acc = 0;

	if (len == 0 || len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		const char *c;
		unsigned v = 0;
		if (p[i] == '=') {
			if (i < len - 2 || (i == len - 2 && p[len - 1] != '='))
				return -1;
			pad++;
		} else {
			if (pad > 0 || p[i] == '\0' || (c = strchr(abc, p[i])) == NULL)
				return -1;
			v = (unsigned)(c - abc);
		}
		acc = acc << 6 | v;
		if (i % 4 == 3) {
			char b[3] = {(char)(acc >> 16), (char)(acc >> 8), (char)acc};
			size_t k = i == len - 1 ? 3 - pad : 3;
			if (n + k >= cap)
				return -1;
			memcpy(out + n, b, k);
			n += k;
			acc = 0;
		}
	}
	out[n] = '\0';
	return (long)n;
}

int oauth_basic(const char *h, size_t len, char *id, char *secret)
{
	char raw[OAUTH_CRED_MAX];
	const char *colon;
	long n;
	size_t i = 0;

	while (i < len && (h[i] == ' ' || h[i] == '\t'))
		i++;
	if (len - i < 6 || strncasecmp(h + i, "basic", 5) != 0 ||
	    (h[i + 5] != ' ' && h[i + 5] != '\t'))
		return 1;
	i += 6;
	while (i < len && (h[i] == ' ' || h[i] == '\t'))
		i++;
	while (len > i && (h[len - 1] == ' ' || h[len - 1] == '\t'))
		len--;
	if ((n = b64_decode(h + i, len - i, raw, sizeof(raw))) < 0 ||
	    memchr(raw, '\0', (size_t)n) != NULL || (colon = memchr(raw, ':', (size_t)n)) == NULL)
		return -1;
	if (pct_decode(raw, (size_t)(colon - raw), id, OAUTH_FIELD_MAX + 1, FORM) < 0 ||
	    pct_decode(colon + 1, (size_t)(raw + n - colon - 1), secret, OAUTH_FIELD_MAX + 1,
	               FORM) < 0)
		return -1;
	return 0;
}

void oauth_b64url(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		size_t k = n - i < 3 ? n - i : 3;
		if (k > 1)
			v |= (unsigned)in[i + 1] << 8;
		if (k > 2)
			v |= in[i + 2];
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		if (k > 1)
			out[o++] = abc[v >> 6 & 63];
		if (k > 2)
			out[o++] = abc[v & 63];
	}
	out[o] = '\0';
}
