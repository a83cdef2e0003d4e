/*
 * access.h - who is asking, and the order in which a PhoneCalls request is refused for
 * it. A client address still throttled is answered 429 first; then a request without a
 * token, or with one the database does not know or no longer takes, 401; then an
 * account kind that may not use PhoneCalls, 403. Any later refusal gives way to 401 if
 * the token is no longer valid: a token this worker took from its memory (no round trip)
 * is looked up again before such an answer, and a statement that found it revoked makes
 * the worker forget it.
 */
#ifndef PC_ACCESS_H
#define PC_ACCESS_H

#include <stdbool.h>

#include "auth.h"
#include "ctx.h"
#include "err.h"
#include "req.h"

struct access {
	unsigned char digest[AUTH_DIGEST_LEN]; /* the token's */
	struct ctx_token tok;
	bool confirmed; /* the database vouched for the token during this request */
	int wait_s;     /* with ERR_TOO_MANY: the seconds the address must wait */
};

/* The request's token, authenticated and allowed: ERR_NONE and ac filled, or the
 * refusal, in order: ERR_TOO_MANY (ac->wait_s), ERR_UNAUTHORIZED (counted against the
 * client's address), ERR_FORBIDDEN, an outage. */
enum err access_check(struct srv *sv, const struct req *rq, struct access *ac);

/* The answer to a refusal e found after access_check: e, or ERR_UNAUTHORIZED when the
 * token is no longer valid. */
enum err access_refusal(struct srv *sv, struct access *ac, enum err e);

/* A statement refused the token as no longer valid: the worker forgets it. */
void access_revoked(struct srv *sv, const struct access *ac);

#endif
