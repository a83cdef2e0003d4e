/* unit_ctx.c - tests of src/domain/ctx.c: token kind x userId selector -> error and lookup scope. */
#include <criterion/criterion.h>
#include <string.h>

#include "../src/domain/ctx.c"

/* Account ids of the tokens below: user 100 in organization 10, admin 1, SP 2. */
#define ORG 10
#define USER 100
#define OTHER 999

enum sel { SEL_ME, SEL_OWNER, SEL_ID_OWN, SEL_ID_OTHER, SEL_ID_ZERO, SEL_INVALID, SEL__MAX };

static const char *const sel_name[SEL__MAX] = {"@me",      "@owner", "own id",
                                               "other id", "id 0",   "invalid"};

static struct ctx_token token(enum ctx_kind kind)
{
	struct ctx_token t = {.token_id = 7, .kind = kind};

	switch (kind) {
	case CTX_USER:
		t.account_id = USER, t.org_id = ORG;
		break;
	case CTX_ORG:
		t.account_id = ORG, t.org_id = ORG;
		break;
	case CTX_ADMIN:
		t.account_id = 1, t.org_id = 0;
		break;
	case CTX_SP:
		t.account_id = 2, t.org_id = 0;
		break;
	case CTX_UNKNOWN:
		t.account_id = 3, t.org_id = 0;
		break;
	}
	return t;
}

static struct uri uri_for(enum sel s, const struct ctx_token *t)
{
	struct uri u;

	memset(&u, 0, sizeof(u));
	u.ext_ok = true;
	switch (s) {
	case SEL_ME:
		u.user = URI_USER_ME;
		break;
	case SEL_OWNER:
		u.user = URI_USER_OWNER;
		break;
	case SEL_ID_OWN:
		u.user = URI_USER_ID, u.user_id = t->account_id;
		break;
	case SEL_ID_OTHER:
		u.user = URI_USER_ID, u.user_id = OTHER;
		break;
	case SEL_ID_ZERO:
		u.user = URI_USER_ID, u.user_id = 0;
		break;
	case SEL_INVALID:
	case SEL__MAX:
		u.user = URI_USER_INVALID;
		break;
	}
	return u;
}

struct want {
	enum err err;
	long long org_id, user_id; /* checked on ERR_NONE only */
};

static void check(enum ctx_kind kind, const char *kname, const struct want want[SEL__MAX])
{
	struct ctx_token t = token(kind);

	for (int s = 0; s < SEL__MAX; s++) {
		struct uri u = uri_for((enum sel)s, &t);
		struct ctx_scope sc;
		memset(&sc, 0xa5, sizeof(sc));
		enum err e = ctx_resolve(&t, &u, &sc);
		cr_assert_eq(e, want[s].err, "%s token, %s: error %d, want %d", kname, sel_name[s],
		             (int)e, (int)want[s].err);
		if (e != ERR_NONE)
			continue;
		cr_assert_eq(sc.org_id, want[s].org_id, "%s token, %s: org_id %lld, want %lld",
		             kname, sel_name[s], sc.org_id, want[s].org_id);
		cr_assert_eq(sc.user_id, want[s].user_id, "%s token, %s: user_id %lld, want %lld",
		             kname, sel_name[s], sc.user_id, want[s].user_id);
	}
}

Test(ctx, user_token)
{
	/* A user's App sees only that user, in its organization. */
	static const struct want want[SEL__MAX] = {
	    [SEL_ME] = {ERR_NONE, ORG, USER},         [SEL_OWNER] = {ERR_NONE, ORG, USER},
	    [SEL_ID_OWN] = {ERR_NONE, ORG, USER},     [SEL_ID_OTHER] = {ERR_USER_INVALID, 0, 0},
	    [SEL_ID_ZERO] = {ERR_USER_INVALID, 0, 0}, [SEL_INVALID] = {ERR_USER_INVALID, 0, 0},
	};

	check(CTX_USER, "user", want);
}

Test(ctx, org_token)
{
	/* No user of its own for @me; any id, but only within its organization. */
	static const struct want want[SEL__MAX] = {
	    [SEL_ME] = {ERR_USER_INVALID, 0, 0},      [SEL_OWNER] = {ERR_NONE, ORG, 0},
	    [SEL_ID_OWN] = {ERR_NONE, ORG, ORG},      [SEL_ID_OTHER] = {ERR_NONE, ORG, OTHER},
	    [SEL_ID_ZERO] = {ERR_USER_INVALID, 0, 0}, [SEL_INVALID] = {ERR_USER_INVALID, 0, 0},
	};

	check(CTX_ORG, "organization", want);
}

Test(ctx, admin_token)
{
	/* Global context: every organization. */
	static const struct want want[SEL__MAX] = {
	    [SEL_ME] = {ERR_USER_INVALID, 0, 0},      [SEL_OWNER] = {ERR_NONE, 0, 0},
	    [SEL_ID_OWN] = {ERR_NONE, 0, 1},          [SEL_ID_OTHER] = {ERR_NONE, 0, OTHER},
	    [SEL_ID_ZERO] = {ERR_USER_INVALID, 0, 0}, [SEL_INVALID] = {ERR_USER_INVALID, 0, 0},
	};

	check(CTX_ADMIN, "admin", want);
}

Test(ctx, sp_token)
{
	/* Service providers may not use PhoneCalls: 403 before any userId check. */
	static const struct want want[SEL__MAX] = {
	    [SEL_ME] = {ERR_FORBIDDEN, 0, 0},      [SEL_OWNER] = {ERR_FORBIDDEN, 0, 0},
	    [SEL_ID_OWN] = {ERR_FORBIDDEN, 0, 0},  [SEL_ID_OTHER] = {ERR_FORBIDDEN, 0, 0},
	    [SEL_ID_ZERO] = {ERR_FORBIDDEN, 0, 0}, [SEL_INVALID] = {ERR_FORBIDDEN, 0, 0},
	};

	check(CTX_SP, "service provider", want);
}

Test(ctx, unknown_token)
{
	static const struct want want[SEL__MAX] = {
	    [SEL_ME] = {ERR_FORBIDDEN, 0, 0},      [SEL_OWNER] = {ERR_FORBIDDEN, 0, 0},
	    [SEL_ID_OWN] = {ERR_FORBIDDEN, 0, 0},  [SEL_ID_OTHER] = {ERR_FORBIDDEN, 0, 0},
	    [SEL_ID_ZERO] = {ERR_FORBIDDEN, 0, 0}, [SEL_INVALID] = {ERR_FORBIDDEN, 0, 0},
	};

	check(CTX_UNKNOWN, "unknown", want);
}

Test(ctx, out_of_range_kind_forbidden)
{
	struct ctx_token t = token(CTX_USER);
	struct uri u = uri_for(SEL_ME, &t);
	struct ctx_scope sc;

	t.kind = (enum ctx_kind)42;
	cr_assert_eq(ctx_resolve(&t, &u, &sc), ERR_FORBIDDEN, "a kind outside the enum");
}

Test(ctx, negative_ids_invalid)
{
	/* uri_parts never yields one, but the rule must not rely on it. */
	static const enum ctx_kind kinds[] = {CTX_USER, CTX_ORG, CTX_ADMIN};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		struct ctx_token t = token(kinds[i]);
		struct uri u = uri_for(SEL_ID_OTHER, &t);
		struct ctx_scope sc;
		u.user_id = -1;
		cr_assert_eq(ctx_resolve(&t, &u, &sc), ERR_USER_INVALID, "kind %d, id -1",
		             (int)kinds[i]);
		u.user_id = -9223372036854775807LL - 1;
		cr_assert_eq(ctx_resolve(&t, &u, &sc), ERR_USER_INVALID, "kind %d, id -2^63",
		             (int)kinds[i]);
	}
}

Test(ctx, user_token_scope_ignores_uri_id)
{
	/* The scope of a user token is the token's user, never an id taken from the URI. */
	struct ctx_token t = token(CTX_USER);
	struct uri u = uri_for(SEL_OWNER, &t);
	struct ctx_scope sc;

	u.user_id = OTHER; /* stale value, not URI_USER_ID */
	cr_assert_eq(ctx_resolve(&t, &u, &sc), ERR_NONE, "@owner");
	cr_assert_eq(sc.user_id, (long long)USER, "the token's user");
	cr_assert_eq(sc.org_id, (long long)ORG, "the token's organization");
}

Test(ctx, admin_scope_is_global)
{
	/* Even if the row carried an organization, an Admin App acts globally. */
	struct ctx_token t = token(CTX_ADMIN);
	struct uri u = uri_for(SEL_OWNER, &t);
	struct ctx_scope sc;

	t.org_id = ORG;
	cr_assert_eq(ctx_resolve(&t, &u, &sc), ERR_NONE, "@owner");
	cr_assert_eq(sc.org_id, 0LL, "global");
}

Test(ctx, with_parsed_uri)
{
	/* The same rules through uri_parts (linked from unit_uri.c's copy of uri.c), from a
	 * path's raw segments. */
	struct ctx_token t = token(CTX_ORG);
	struct ctx_scope sc;
	struct uri u;
	struct uri_seg seg[3] = {{"123", 3}, {"0003*210", 8}, {"444444", 6}};

	uri_parts(seg, 3, &u);
	cr_assert(u.call_ok, "parsed");
	cr_assert_eq(ctx_resolve(&t, &u, &sc), ERR_NONE, "numeric id in an organization");
	cr_assert_eq(sc.org_id, (long long)ORG, "organization");
	cr_assert_eq(sc.user_id, 123LL, "user");
	seg[0] = (struct uri_seg){"@viewer", 7};
	uri_parts(seg, 3, &u);
	cr_assert_eq(ctx_resolve(&t, &u, &sc), ERR_USER_INVALID, "@viewer of an organization");
	t = token(CTX_USER);
	cr_assert_eq(ctx_resolve(&t, &u, &sc), ERR_NONE, "@viewer of a user");
	cr_assert_eq(sc.user_id, (long long)USER, "the token's user");
}

/* ctx_kind_parse */

static enum ctx_kind kind(const char *s)
{
	return ctx_kind_parse(s, strlen(s));
}

Test(ctx, kind_parse)
{
	cr_assert_eq(kind("user"), CTX_USER, "user");
	cr_assert_eq(kind("organization"), CTX_ORG, "organization");
	cr_assert_eq(kind("admin"), CTX_ADMIN, "admin");
	cr_assert_eq(kind("service_provider"), CTX_SP, "service_provider");
	cr_assert_eq(ctx_kind_parse("users", 4), CTX_USER, "len bounds the name");
}

Test(ctx, kind_parse_near_misses)
{
	static const char *const names[] = {
	    "",
	    "User",
	    "USER",
	    "users",
	    "use",
	    "u",
	    " user",
	    "user ",
	    "org",
	    "Organization",
	    "organisation",
	    "organizations",
	    "Admin",
	    "ADMIN",
	    "administrator",
	    "adm",
	    "service-provider",
	    "serviceprovider",
	    "Service_Provider",
	    "service_provider ",
	    "service",
	    "sp",
	    "reseller",
	    "extension",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		cr_assert_eq(kind(names[i]), CTX_UNKNOWN, "\"%s\" is not a kind", names[i]);
	cr_assert_eq(ctx_kind_parse("user", 5), CTX_UNKNOWN, "a trailing NUL counts");
	cr_assert_eq(ctx_kind_parse("admin", 0), CTX_UNKNOWN, "empty by length");
}

Test(ctx, allowed)
{
	static const struct {
		enum ctx_kind kind;
		enum err want;
	} cases[] = {
	    {CTX_USER, ERR_NONE},         {CTX_ORG, ERR_NONE},
	    {CTX_ADMIN, ERR_NONE},        {CTX_SP, ERR_FORBIDDEN},
	    {CTX_UNKNOWN, ERR_FORBIDDEN}, {(enum ctx_kind)42, ERR_FORBIDDEN},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct ctx_token t = {.token_id = 1, .kind = cases[i].kind, .account_id = 12};
		cr_assert_eq(ctx_allowed(&t), cases[i].want, "kind %d: %d", (int)cases[i].kind,
		             (int)ctx_allowed(&t));
	}
}

/* The token cache */

static void digest_of(unsigned char d[AUTH_DIGEST_LEN], unsigned seed)
{
	for (size_t i = 0; i < AUTH_DIGEST_LEN; i++)
		d[i] = (unsigned char)(seed * 131u + i * 7u);
}

Test(ctx, cache_remembers_and_forgets)
{
	static struct ctx_cache c; /* zeroed: empty */
	unsigned char a[AUTH_DIGEST_LEN], b[AUTH_DIGEST_LEN];
	struct ctx_token ta = {.token_id = 1, .kind = CTX_USER, .account_id = 12, .org_id = 3};
	struct ctx_token tb = {.token_id = 2, .kind = CTX_ORG, .account_id = 3, .org_id = 3};
	struct ctx_token got;

	digest_of(a, 1);
	digest_of(b, 2);
	cr_assert(!ctx_cache_get(&c, a, &got), "empty cache");
	ctx_cache_put(&c, a, &ta);
	ctx_cache_put(&c, b, &tb);
	cr_assert(ctx_cache_get(&c, a, &got), "a remembered");
	cr_assert_eq(got.token_id, 1);
	cr_assert_eq(got.account_id, 12);
	cr_assert(ctx_cache_get(&c, b, &got), "b remembered");
	cr_assert_eq(got.kind, CTX_ORG);
	ctx_cache_drop(&c, a);
	cr_assert(!ctx_cache_get(&c, a, &got), "a forgotten");
	cr_assert(ctx_cache_get(&c, b, &got), "b kept");
}

Test(ctx, cache_slot_shared)
{
	static struct ctx_cache c;
	unsigned char a[AUTH_DIGEST_LEN], b[AUTH_DIGEST_LEN];
	struct ctx_token ta = {.token_id = 1, .kind = CTX_USER};
	struct ctx_token tb = {.token_id = 2, .kind = CTX_ADMIN};
	struct ctx_token got;

	/* same slot (the first bytes), different digests */
	digest_of(a, 1);
	memcpy(b, a, AUTH_DIGEST_LEN);
	b[AUTH_DIGEST_LEN - 1] ^= 0xff;
	ctx_cache_put(&c, a, &ta);
	cr_assert(!ctx_cache_get(&c, b, &got), "a digest differing in its last byte misses");
	ctx_cache_drop(&c, b);
	cr_assert(ctx_cache_get(&c, a, &got), "dropping another digest keeps a");
	ctx_cache_put(&c, b, &tb);
	cr_assert(!ctx_cache_get(&c, a, &got), "b took the slot");
	cr_assert(ctx_cache_get(&c, b, &got) && got.token_id == 2, "b remembered");
}
