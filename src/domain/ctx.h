/*
 * ctx.h - who may act on what. A token acts in the context of the account its App is
 * registered to (user, organization, admin; service providers may not use PhoneCalls).
 * These rules turn the token's context and the URI's userId into the scope a database
 * lookup is confined to.
 */
#ifndef PC_CTX_H
#define PC_CTX_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"

#include "err.h"
#include "uri.h"

enum ctx_kind { CTX_USER, CTX_ORG, CTX_ADMIN, CTX_SP, CTX_UNKNOWN };

struct ctx_token {
	long long token_id;
	enum ctx_kind kind;
	long long account_id; /* the App's account */
	long long org_id;     /* its organization, 0 when above one */
};

struct ctx_scope {
	long long org_id;  /* 0: every organization (global context) */
	long long user_id; /* 0: whoever owns the extension (@owner) */
};

/* The account kind as the database spells it, or CTX_UNKNOWN. */
enum ctx_kind ctx_kind_parse(const char *s, size_t len);

/* Whether the token's account may use PhoneCalls at all: ERR_NONE or ERR_FORBIDDEN.
 * Answered right after authentication, before the request itself is looked at. */
enum err ctx_allowed(const struct ctx_token *t);

/* ERR_NONE and the scope, ERR_FORBIDDEN (as ctx_allowed), or ERR_USER_INVALID. */
enum err ctx_resolve(const struct ctx_token *t, const struct uri *u, struct ctx_scope *out);

/*
 * What a worker remembers of the tokens it has seen: digest to context, direct-mapped on
 * the digest (uniform: it is SHA-256), so a lookup is one slot and no allocation. Only
 * what never changes for a token is kept; whether it is still valid (revoked, expired)
 * is checked again by the statement that serves the request.
 */
#define CTX_CACHE_SLOTS 4096

struct ctx_cache_slot {
	unsigned char digest[AUTH_DIGEST_LEN];
	struct ctx_token tok;
	bool used;
};

struct ctx_cache {
	struct ctx_cache_slot slot[CTX_CACHE_SLOTS];
};

/* Whether the token of digest is remembered; then *out is its context. */
bool ctx_cache_get(const struct ctx_cache *c, const unsigned char digest[AUTH_DIGEST_LEN],
                   struct ctx_token *out);
/* Remembers a token, replacing whatever shared its slot. */
void ctx_cache_put(struct ctx_cache *c, const unsigned char digest[AUTH_DIGEST_LEN],
                   const struct ctx_token *t);
/* Forgets a token (it was refused). */
void ctx_cache_drop(struct ctx_cache *c, const unsigned char digest[AUTH_DIGEST_LEN]);

#endif
