/*
 * auth.c - Bearer token extraction, and the SHA-256 digest (libcrypto's, which libpq
 * already loads) under which tokens are stored: a token never leaves the worker in
 * clear, the database only ever sees and stores its digest.
 */
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "auth.h"
#include "chars.h"

/* A character of token68 (RFC 7235, 2.1) before its '=' padding. */
static int token68_char(unsigned char c)
{
	return chars_alnum(c) || (c != '\0' && strchr("-._~+/", c) != NULL);
}

int auth_token_ok(const char *t, size_t len)
{
	size_t i = 0;

	if (len == 0 || len > AUTH_TOKEN_MAX)
		return -1;
	while (i < len && token68_char((unsigned char)t[i]))
		i++;
	if (i == 0)
		return -1;
	while (i < len && t[i] == '=')
		i++;
	return i == len ? 0 : -1;
}

int auth_bearer(const char *h, size_t len, const char **tok, size_t *toklen)
{
	static const char scheme[] = "bearer";
	const size_t slen = sizeof(scheme) - 1;
	size_t i = slen;

	/* the scheme in any case (RFC 7235, 2.1), as oauth_basic reads "Basic" */
	if (len <= slen + 1 || strncasecmp(h, scheme, slen) != 0 || h[i] != ' ')
		return -1;
	while (i < len && h[i] == ' ')
		i++;
	if (auth_token_ok(h + i, len - i) != 0)
		return -1;
	*tok = h + i;
	*toklen = len - i;
	return 0;
}

/* One digest context for the process, made at the first digest and reused: a worker
 * serves one request at a time, and a reused context costs no allocation per digest
 * (EVP_Digest would make and free one each time). */
int auth_sha256(const void *p, size_t len, unsigned char out[AUTH_DIGEST_LEN])
{
	static EVP_MD *md;
	static EVP_MD_CTX *ctx;
	unsigned int n = 0;

	if (md == NULL && (md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return -1;
	if (ctx == NULL && (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 || EVP_DigestUpdate(ctx, p, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != AUTH_DIGEST_LEN)
		return -1;
	return 0;
}
