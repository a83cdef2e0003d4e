/*
 * access.c - the request's token and the order of its refusals (access.h).
 */
#include <string.h>

#include "access.h"
#include "db.h"
#include "throttle.h"
#include "uri.h"

/* The token of the request: 0 and its digest, -1 (none, or malformed: 401), or -2 (the
 * digest failed). */
static int token_digest(const struct req *rq, unsigned char digest[AUTH_DIGEST_LEN])
{
	const char *qtok = NULL, *tok;
	size_t qlen_tok = 0, toklen;
	/* As sent, never decoded: a token needs no escaping, and nginx's per-token rate
	 * limit keys on the text as sent, so any other spelling would get a bucket of its
	 * own. A '+' would read as a space in a query string: no token has one there. */
	int inq = uri_query_raw(rq->query, rq->query_len, "accessRequestToken", &qtok, &qlen_tok);

	if (rq->auth_count > 1 || inq < 0 || (inq > 0 && memchr(qtok, '+', qlen_tok)))
		return -1;
	if (rq->auth_count == 1) {
		/* One way of sending a token at a time (RFC 6750, 2). */
		if (inq > 0 || auth_bearer(rq->auth, rq->auth_len, &tok, &toklen) != 0)
			return -1;
	} else if (inq > 0) {
		if (auth_token_ok(qtok, qlen_tok) != 0)
			return -1;
		tok = qtok;
		toklen = qlen_tok;
	} else {
		return -1;
	}
	return auth_sha256(tok, toklen, digest) == 0 ? 0 : -2;
}

/* Asks the database about the token, and remembers or forgets it by the answer. */
static enum err ask(struct srv *sv, struct access *ac)
{
	enum err e = db_auth(sv->db, ac->digest, &ac->tok);

	if (e == ERR_NONE) {
		ac->auth = ACCESS_VALID;
		ctx_cache_put(sv->tokens, ac->digest, &ac->tok);
	} else if (e == ERR_UNAUTHORIZED) {
		ac->auth = ACCESS_REVOKED;
		ctx_cache_drop(sv->tokens, ac->digest);
	}
	return e;
}

enum err access_check(struct srv *sv, const struct req *rq, struct access *ac)
{
	enum err e = ERR_NONE;
	int t;

	memset(ac, 0, sizeof(*ac));
	ac->auth = ACCESS_UNKNOWN;
	if (rq->body_too_large)
		return ERR_TOO_LARGE;
	if ((ac->wait_s = throttle_left(sv->throttle, rq->remote_addr)) > 0)
		return ERR_TOO_MANY;
	if ((t = token_digest(rq, ac->digest)) == -2)
		return ERR_INTERNAL;
	if (t != 0)
		e = ERR_UNAUTHORIZED;
	else if (!ctx_cache_get(sv->tokens, ac->digest, &ac->tok))
		e = ask(sv, ac);
	if (e == ERR_UNAUTHORIZED)
		throttle_count(sv->throttle, rq->remote_addr);
	if (e != ERR_NONE)
		return e;
	if ((e = ctx_allowed(&ac->tok)) != ERR_NONE)
		return access_refusal(sv, ac, e);
	return ERR_NONE;
}

void access_refuse(struct resp *rs, enum err e, const struct access *ac)
{
	if (e == ERR_TOO_MANY)
		resp_too_many(rs, ac->wait_s);
	else
		resp_error(rs, e);
}

enum err access_refusal(struct srv *sv, struct access *ac, enum err e)
{
	enum err a;

	if (ac->auth == ACCESS_UNKNOWN && (a = ask(sv, ac)) != ERR_NONE)
		return a;
	return e;
}

void access_served(struct srv *sv, struct access *ac, enum err e)
{
	if (e == ERR_UNAUTHORIZED) {
		ac->auth = ACCESS_REVOKED;
		ctx_cache_drop(sv->tokens, ac->digest);
	} else if (e == ERR_NONE) {
		ac->auth = ACCESS_VALID;
	}
}
