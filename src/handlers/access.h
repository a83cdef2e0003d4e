/*
 * access.h - who is asking, and the order in which a PhoneCalls request is refused for
 * it. A body too large is answered 413 first (it was not read); a client address still
 * throttled 429; then a request without a token, or with one the database does not know or no
 * longer takes, 401; then an account kind that may not use PhoneCalls, 403. Any later refusal gives
 * way to 401 if the token is no longer valid.
 *
 * A worker remembers the context of the tokens it has seen (it never changes), so most
 * requests need no look-up of their own: the statement that serves the request checks
 * the token's validity in the same round trip. Until some statement has, the token's
 * state is unknown, and a refusal answered before the serving statement asks the
 * database first.
 */
#ifndef PC_ACCESS_H
#define PC_ACCESS_H

#include "auth.h"
#include "ctx.h"
#include "err.h"
#include "req.h"
#include "resp.h"

/* What this request knows of its token. */
enum access_auth {
	ACCESS_UNKNOWN, /* its context remembered; its validity not yet checked */
	ACCESS_VALID,   /* the database found it valid during this request */
	ACCESS_REVOKED, /* the database refused it: unknown, revoked or expired */
};

struct access {
	unsigned char digest[AUTH_DIGEST_LEN]; /* the token's */
	struct ctx_token tok;
	enum access_auth auth;
	int wait_s; /* with ERR_TOO_MANY: the seconds the address must wait */
};

/* The request's token, authenticated and allowed: ERR_NONE and ac filled, or the
 * refusal, in order: ERR_TOO_LARGE, ERR_TOO_MANY (ac->wait_s), ERR_UNAUTHORIZED (counted
 * against the client's address), ERR_FORBIDDEN, an outage. */
enum err access_check(struct srv *sv, const struct req *rq, struct access *ac);

/* Answers a refusal e into rs: a 429 with the seconds ac says to wait, any other error
 * as it is. */
void access_refuse(struct resp *rs, enum err e, const struct access *ac);

/* The answer to a refusal e found after access_check and before the serving statement:
 * e, or ERR_UNAUTHORIZED when the token is no longer valid. */
enum err access_refusal(struct srv *sv, struct access *ac, enum err e);

/* What the serving statement answered (e): ERR_UNAUTHORIZED means it found the token
 * revoked, and the worker forgets it. */
void access_served(struct srv *sv, struct access *ac, enum err e);

#endif
