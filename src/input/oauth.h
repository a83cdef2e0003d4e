/*
 * oauth.h - the input of the token endpoint, POST /oauth/token.php, where an App trades
 * its key and secret for an access token (RFC 6749 section 4.4, client credentials, with
 * UnifiedAPI's type=unifiedapi; the handler is src/handlers/h_token.c): the form and
 * Basic credentials parsers, pure, for testing.
 */
#ifndef PC_OAUTH_H
#define PC_OAUTH_H

#include <stddef.h>

#define OAUTH_TTL_S 3600     /* lifetime of an issued token */
#define OAUTH_FIELD_MAX 128  /* longest decoded value of a parameter we read */
#define OAUTH_TOKEN_BYTES 32 /* randomness of an issued token */
#define OAUTH_TOKEN_LEN 43   /* its base64url text, unpadded */
#define OAUTH_CRED_MAX 512   /* longest Basic credentials (base64) accepted */

/* The parameters of a token request that the endpoint reads; others are ignored. */
struct oauth_form {
	char grant_type[OAUTH_FIELD_MAX + 1];
	char type[OAUTH_FIELD_MAX + 1];
	char client_id[OAUTH_FIELD_MAX + 1];
	char client_secret[OAUTH_FIELD_MAX + 1];
	unsigned seen; /* OAUTH_F_* of the parameters present with a value */
};

#define OAUTH_F_GRANT 1u
#define OAUTH_F_TYPE 2u
#define OAUTH_F_ID 4u
#define OAUTH_F_SECRET 8u
#define OAUTH_F_SCOPE 16u /* only its presence: the endpoint grants no scope */

/*
 * Parses an application/x-www-form-urlencoded body. A parameter sent without a value
 * (`name=`, `name`) counts as omitted (RFC 6749 section 3.1): it is not in seen, and
 * does not make a later one a repeat. Returns 0, or -1 when the encoding is malformed
 * (a bad %-escape, a NUL), a parameter we read comes twice with a value, or one we keep
 * decodes longer than OAUTH_FIELD_MAX.
 */
int oauth_form_parse(const char *p, size_t len, struct oauth_form *out);

/*
 * Credentials of "Basic <base64(id:secret)>", id and secret form-urlencoded first (RFC
 * 6749 section 2.3.1). Returns 0 and fills id and secret (NUL-terminated, at most
 * OAUTH_FIELD_MAX bytes each), 1 when the scheme is not Basic, -1 when malformed.
 */
int oauth_basic(const char *h, size_t len, char *id, char *secret);

/* Unpadded base64url of n bytes into out (4 * n / 3 + 2 bytes plus NUL). */
void oauth_b64url(const unsigned char *in, size_t n, char *out);

#endif
