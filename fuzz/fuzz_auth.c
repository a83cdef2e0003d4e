/*
 * fuzz_auth.c - libFuzzer target for the token functions: auth_bearer and auth_token_ok.
 *
 * The input is an Authorization header value. auth_bearer and auth_token_ok are compared
 * with a reference written from the grammar (RFC 7235: the "Bearer" scheme, one or more
 * spaces, a token68 of at most AUTH_TOKEN_MAX bytes). (The digest is libcrypto's.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

#define SCHEME "Bearer" /* the only scheme accepted, in any case */

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_auth: invariant violated: %s (line %d)\n", #cond,    \
			        __LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The token68 characters before any '=' padding. */
static int ref_token_char(unsigned char c)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                               "0123456789-._~+/";

	return c != '\0' && strchr(alphabet, c) != NULL;
}

/* token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=", capped. */
static int ref_token(const unsigned char *t, size_t len)
{
	size_t body = 0;

	if (len == 0 || len > AUTH_TOKEN_MAX)
		return 0;
	while (body < len && ref_token_char(t[body]))
		body++;
	if (body == 0)
		return 0;
	for (size_t i = body; i < len; i++)
		if (t[i] != '=')
			return 0;
	return 1;
}

static int lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The offset of the token in a valid "Bearer" header, or 0 when the header is not one. */
static size_t ref_bearer(const unsigned char *h, size_t len)
{
	const size_t slen = strlen(SCHEME);
	size_t i = slen;

	if (len < slen + 2)
		return 0;
	for (size_t k = 0; k < slen; k++)
		if (lower(h[k]) != lower((unsigned char)SCHEME[k]))
			return 0;
	if (h[i] != ' ')
		return 0;
	while (i < len && h[i] == ' ')
		i++;
	return ref_token(h + i, len - i) ? i : 0;
}

static void check_bearer(const char *h, size_t len)
{
	const char *tok = NULL;
	size_t toklen = 0, off = ref_bearer((const unsigned char *)h, len);
	int r = auth_bearer(h, len, &tok, &toklen);

	CHECK(r == 0 || r == -1);
	CHECK((r == 0) == (off != 0));
	if (r != 0)
		return;
	CHECK(tok >= h && tok < h + len && tok + toklen == h + len && tok == h + off);
	CHECK(toklen >= 1 && toklen <= AUTH_TOKEN_MAX);
	CHECK(ref_token_char((unsigned char)tok[0]));
	for (size_t i = 1, pad = 0; i < toklen; i++) {
		unsigned char c = (unsigned char)tok[i];
		if (c == '=')
			pad = 1;
		else
			CHECK(!pad && ref_token_char(c));
	}
	CHECK(auth_token_ok(tok, toklen) == 0);
}

static void check_token(const char *t, size_t len)
{
	int r = auth_token_ok(t, len);

	CHECK(r == 0 || r == -1);
	CHECK((r == 0) == ref_token((const unsigned char *)t, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = malloc(size ? size : 1); /* exactly size bytes: ASan sees reads past them */

	CHECK(h != NULL);
	if (size)
		memcpy(h, data, size);
	check_bearer(h, size);
	check_token(h, size);
	free(h);
	return 0;
}
