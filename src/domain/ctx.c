/*
 * ctx.c - context rules. A userId outside the token's context is answered exactly like
 * an unknown one (user_invalid), so other tenants' ids cannot be probed.
 */
#include <string.h>

#include "ctx.h"

enum ctx_kind ctx_kind_parse(const char *s, size_t len)
{
	static const struct {
		const char *name;
		enum ctx_kind kind;
	} kinds[] = {
	    {"user", CTX_USER},
	    {"organization", CTX_ORG},
	    {"admin", CTX_ADMIN},
	    {"service_provider", CTX_SP},
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (strlen(kinds[i].name) == len && memcmp(kinds[i].name, s, len) == 0)
			return kinds[i].kind;
	return CTX_UNKNOWN;
}

enum err ctx_allowed(const struct ctx_token *t)
{
	/* Service providers cannot register UnifiedAPI Apps (UAPI). */
	return t->kind == CTX_USER || t->kind == CTX_ORG || t->kind == CTX_ADMIN ? ERR_NONE
	                                                                         : ERR_FORBIDDEN;
}

enum err ctx_resolve(const struct ctx_token *t, const struct uri *u, struct ctx_scope *out)
{
	memset(out, 0, sizeof(*out));
	if (ctx_allowed(t) != ERR_NONE)
		return ERR_FORBIDDEN;
	switch (t->kind) {
	case CTX_USER:
		out->org_id = t->org_id;
		out->user_id = t->account_id;
		/* A user's App sees only that user: @me, @owner and its own id are one. */
		if (u->user == URI_USER_ME || u->user == URI_USER_OWNER)
			return ERR_NONE;
		if (u->user == URI_USER_ID && u->user_id == t->account_id)
			return ERR_NONE;
		return ERR_USER_INVALID;
	case CTX_ORG:
	case CTX_ADMIN:
		out->org_id = t->kind == CTX_ORG ? t->org_id : 0;
		/* An Organization or Admin App has no user of its own for @me to name. */
		if (u->user == URI_USER_OWNER)
			return ERR_NONE;
		if (u->user == URI_USER_ID && u->user_id > 0) {
			out->user_id = u->user_id;
			return ERR_NONE;
		}
		return ERR_USER_INVALID;
	case CTX_SP:
	case CTX_UNKNOWN:
		break;
	}
	return ERR_FORBIDDEN;
}

static size_t slot_of(const unsigned char digest[AUTH_DIGEST_LEN])
{
	size_t h = (size_t)digest[0] | (size_t)digest[1] << 8 | (size_t)digest[2] << 16;

	return h % CTX_CACHE_SLOTS;
}

bool ctx_cache_get(const struct ctx_cache *c, const unsigned char digest[AUTH_DIGEST_LEN],
                   struct ctx_token *out)
{
	const struct ctx_cache_slot *s = &c->slot[slot_of(digest)];

	if (!s->used || memcmp(s->digest, digest, AUTH_DIGEST_LEN) != 0)
		return false;
	*out = s->tok;
	return true;
}

void ctx_cache_put(struct ctx_cache *c, const unsigned char digest[AUTH_DIGEST_LEN],
                   const struct ctx_token *t)
{
	struct ctx_cache_slot *s = &c->slot[slot_of(digest)];

	memcpy(s->digest, digest, AUTH_DIGEST_LEN);
	s->tok = *t;
	s->used = true;
}

void ctx_cache_drop(struct ctx_cache *c, const unsigned char digest[AUTH_DIGEST_LEN])
{
	struct ctx_cache_slot *s = &c->slot[slot_of(digest)];

	if (s->used && memcmp(s->digest, digest, AUTH_DIGEST_LEN) == 0)
		s->used = false;
}
