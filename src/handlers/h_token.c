/*
 * h_token.c - the token endpoint, POST /oauth/token.php (RFC 6749 section 4.4, client
 * credentials). The App authenticates with its key and secret, either in the form body
 * or as HTTP Basic credentials, never both. The worker sends the secret's SHA-256 and a
 * new token's SHA-256 to the database, which checks the one and stores the other: no
 * secret or token is ever stored or logged. Errors take OAuth's form (the route's), with
 * the status of the error table; every answer carries Cache-Control: no-store and
 * Pragma: no-cache. The endpoint grants no scope: one asked for is invalid_scope.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>

#include "auth.h"
#include "chars.h"
#include "db.h"
#include "handlers.h"
#include "mtype.h"
#include "oauth.h"
#include "render.h"
#include "throttle.h"

#define OAUTH_GRANT "client_credentials"
#define OAUTH_TYPE "unifiedapi"

/* A new token: its text for the client and its digest for the database. */
static int new_token(char text[OAUTH_TOKEN_LEN + 1], unsigned char digest[AUTH_DIGEST_LEN])
{
	unsigned char raw[OAUTH_TOKEN_BYTES];
	size_t got = 0;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	oauth_b64url(raw, sizeof(raw), text);
	memset(raw, 0, sizeof(raw));
	return auth_sha256(text, OAUTH_TOKEN_LEN, digest);
}

/*
 * Whether a key can name an App: 1 to OAUTH_FIELD_MAX of [A-Za-z0-9._~-], the grammar
 * app.client_id is held to. Any other (invalid UTF-8 included) names none, and is not
 * sent to the database, which would refuse its bytes as text.
 */
static bool key_ok(const char *k)
{
	size_t n = strnlen(k, OAUTH_FIELD_MAX + 1);

	if (n == 0 || n > OAUTH_FIELD_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!chars_alnum((unsigned char)k[i]) && !strchr("._~-", k[i]))
			return false;
	return true;
}

/* Checks the request and the client; issues the token into text. */
static enum err issue(struct db *db, const struct req *rq, char text[OAUTH_TOKEN_LEN + 1])
{
	char id[OAUTH_FIELD_MAX + 1], secret[OAUTH_FIELD_MAX + 1];
	unsigned char sdig[AUTH_DIGEST_LEN], tdig[AUTH_DIGEST_LEN];
	const char *client_id = id, *client_secret = secret;
	struct oauth_form f;

	if (rq->body_too_large)
		return ERR_TOO_LARGE;
	if (!mtype_form(rq->content_type) || rq->auth_count > 1 ||
	    oauth_form_parse(rq->body, rq->body_len, &f) != 0 || !(f.seen & OAUTH_F_GRANT))
		return ERR_OAUTH_REQUEST;
	if (strcmp(f.grant_type, OAUTH_GRANT) != 0 ||
	    ((f.seen & OAUTH_F_TYPE) && strcmp(f.type, OAUTH_TYPE) != 0))
		return ERR_OAUTH_GRANT;
	/* A token acts in its App's whole context; a scope asked for would be granted
	 * otherwise than asked (RFC 6749 section 3.3), so none is taken. */
	if (f.seen & OAUTH_F_SCOPE)
		return ERR_OAUTH_SCOPE;
	if (rq->auth != NULL) {
		/* another scheme, or malformed credentials: a failed authentication */
		if (oauth_basic(rq->auth, rq->auth_len, id, secret) != 0)
			return ERR_OAUTH_CLIENT;
		if (f.seen & (OAUTH_F_ID | OAUTH_F_SECRET)) /* one method only (section 2.3) */
			return ERR_OAUTH_REQUEST;
	} else {
		if ((f.seen & (OAUTH_F_ID | OAUTH_F_SECRET)) != (OAUTH_F_ID | OAUTH_F_SECRET))
			return ERR_OAUTH_CLIENT;
		client_id = f.client_id;
		client_secret = f.client_secret;
	}
	if (!key_ok(client_id))
		return ERR_OAUTH_CLIENT;
	if (auth_sha256(client_secret, strlen(client_secret), sdig) != 0 ||
	    new_token(text, tdig) != 0)
		return ERR_INTERNAL;
	return db_token(db, client_id, sdig, tdig, OAUTH_TTL_S);
}

void h_token(struct srv *sv, const struct req *rq, const struct route_args *a, struct resp *rs)
{
	char token[OAUTH_TOKEN_LEN + 1];
	enum err e;
	yajl_gen g;
	int wait;

	(void)a; /* rs->form: the route's */
	if ((wait = throttle_left(sv->throttle, rq->remote_addr)) > 0) {
		resp_too_many(rs, wait);
		return;
	}
	if ((e = issue(sv->db, rq, token)) != ERR_NONE) {
		if (e == ERR_OAUTH_CLIENT)
			throttle_count(sv->throttle, rq->remote_addr);
		resp_error(rs, e);
		return;
	}
	if ((g = resp_json(rs, 200)) == NULL)
		return;
	render_token(g, token, OAUTH_TTL_S);
}
