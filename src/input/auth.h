/*
 * auth.h - access tokens: extraction from the Authorization header or the
 * accessRequestToken query parameter, and the SHA-256 digest under which tokens are
 * stored. The token text itself is never stored or logged.
 */
#ifndef PC_AUTH_H
#define PC_AUTH_H

#include <stddef.h>

#define AUTH_TOKEN_MAX 512 /* longest token accepted; longer ones are refused unread */
#define AUTH_DIGEST_LEN 32 /* SHA-256 */

/*
 * Extracts the token of "Bearer <token>" (scheme case-insensitive, token68 syntax of
 * RFC 7235). Returns 0 and sets tok/toklen (pointing into h), or -1.
 */
int auth_bearer(const char *h, size_t len, const char **tok, size_t *toklen);

/* Checks a token taken from the query string against the same syntax. 0 or -1. */
int auth_token_ok(const char *t, size_t len);

/* SHA-256 of p[0..len) into out: 0, or -1 when libcrypto fails (out of memory). */
int auth_sha256(const void *p, size_t len, unsigned char out[AUTH_DIGEST_LEN]);

#endif
