/* unit_oauth.c - tests of src/input/oauth.c and src/handlers/h_token.c: the form and Basic
 * credentials parsers, base64url, and the token endpoint's error form and headers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../src/input/oauth.c"
#include "../src/handlers/h_token.c"

static int parse(const char *s, struct oauth_form *f)
{
	return oauth_form_parse(s, strlen(s), f);
}

Test(oauth, form_reads_the_four_parameters)
{
	struct oauth_form f;

	cr_assert_eq(parse("grant_type=client_credentials&type=unifiedapi&client_id=k1&"
	                   "client_secret=s%2Bx+y%21",
	                   &f),
	             0);
	cr_assert_eq(f.seen, OAUTH_F_GRANT | OAUTH_F_TYPE | OAUTH_F_ID | OAUTH_F_SECRET);
	cr_assert_str_eq(f.grant_type, "client_credentials");
	cr_assert_str_eq(f.type, "unifiedapi");
	cr_assert_str_eq(f.client_id, "k1");
	cr_assert_str_eq(f.client_secret, "s+x y!", "%%2B is '+', '+' is a space");
}

Test(oauth, form_ignores_other_parameters_and_empty_pairs)
{
	struct oauth_form f;

	cr_assert_eq(
	    parse("&audience=a+b&grant_type=client_credentials&&redirect_uri=x%3Ay&state", &f), 0);
	cr_assert_eq(f.seen, OAUTH_F_GRANT);
	cr_assert_eq(parse("", &f), 0);
	cr_assert_eq(f.seen, 0u);
}

/* RFC 6749 section 3.1: a parameter sent without a value is treated as omitted, every
 * one of them: not seen, and no repeat of one that has a value. */
Test(oauth, form_empty_values_count_as_omitted)
{
	static const char *empty[] = {
	    "grant_type=",
	    "grant_type",
	    "type=",
	    "client_id=",
	    "client_secret",
	    "scope=",
	    "grant_type=&type=&client_id=&client_secret=&scope=",
	};
	struct oauth_form f;

	for (size_t i = 0; i < sizeof(empty) / sizeof(*empty); i++) {
		cr_expect_eq(parse(empty[i], &f), 0, "%s", empty[i]);
		cr_expect_eq(f.seen, 0u, "%s: seen %u", empty[i], f.seen);
		cr_expect_str_eq(f.grant_type, "", "%s", empty[i]);
		cr_expect_str_eq(f.client_id, "", "%s", empty[i]);
	}
	cr_assert_eq(parse("grant_type=&grant_type=client_credentials", &f), 0, "not a repeat");
	cr_assert_eq(f.seen, OAUTH_F_GRANT);
	cr_assert_str_eq(f.grant_type, "client_credentials");
	cr_assert_eq(parse("client_id=k&client_id=&client_id", &f), 0, "not a repeat");
	cr_assert_eq(f.seen, OAUTH_F_ID);
	cr_assert_str_eq(f.client_id, "k");
	cr_assert_eq(parse("client_id=%zz", &f), -1, "a value is still well-formed first");
	cr_assert_eq(parse("grant_type=+", &f), 0, "a blank is a value");
	cr_assert_eq(f.seen, OAUTH_F_GRANT);
}

/* scope is read for its presence alone: any length, once, well-formed. */
Test(oauth, form_notes_a_scope)
{
	char body[600];
	struct oauth_form f;
	int n;

	cr_assert_eq(parse("scope=a+b&grant_type=client_credentials", &f), 0);
	cr_assert_eq(f.seen, OAUTH_F_GRANT | OAUTH_F_SCOPE);
	n = snprintf(body, sizeof(body), "scope=");
	memset(body + n, 'b', 400);
	body[n + 400] = '\0';
	cr_assert_eq(parse(body, &f), 0, "longer than the values kept");
	cr_assert_eq(f.seen, OAUTH_F_SCOPE);
	cr_assert_eq(parse("scope=a&scope=b", &f), -1, "a repeat");
	cr_assert_eq(parse("scope=%G1", &f), -1, "badly encoded");
}

/* A token request through issue() as far as the checks before the database (db NULL:
 * one that got that far would crash the test). */
static enum err ask(const char *body, const char *auth)
{
	char text[OAUTH_TOKEN_LEN + 1];
	struct req rq = {
	    .method = "POST",
	    .content_type = "application/x-www-form-urlencoded",
	    .body = body,
	    .body_len = strlen(body),
	    .auth = auth,
	    .auth_len = auth ? strlen(auth) : 0,
	    .auth_count = auth != NULL,
	};

	return issue(NULL, &rq, text);
}

Test(oauth, issue_takes_empty_values_as_omitted)
{
	/* base64("bad key:s"): a Basic key no App can have, refused before the database */
	const char *basic = "Basic YmFkIGtleTpz";

	cr_assert_eq(ask("grant_type=&client_id=k&client_secret=s", NULL), ERR_OAUTH_REQUEST,
	             "an empty grant_type is a missing one, not an unsupported one");
	cr_assert_eq(ask("grant_type=client_credentials&type=", NULL), ERR_OAUTH_CLIENT,
	             "an empty type is no type");
	cr_assert_eq(ask("grant_type=client_credentials&client_id=&client_secret=", basic),
	             ERR_OAUTH_CLIENT, "empty body credentials beside Basic are none");
	cr_assert_eq(ask("grant_type=client_credentials&client_id=k&client_secret=", NULL),
	             ERR_OAUTH_CLIENT, "no secret");
	cr_assert_eq(ask("grant_type=client_credentials&client_id=k&client_secret=s", basic),
	             ERR_OAUTH_REQUEST, "two ways of authentication still are");
}

Test(oauth, issue_refuses_a_scope)
{
	cr_assert_eq(ask("grant_type=client_credentials&scope=read", NULL), ERR_OAUTH_SCOPE);
	cr_assert_eq(
	    ask("grant_type=client_credentials&scope=read&client_id=k&client_secret=s", NULL),
	    ERR_OAUTH_SCOPE, "before the client is authenticated");
	cr_assert_eq(ask("grant_type=client_credentials&scope=", NULL), ERR_OAUTH_CLIENT,
	             "an empty scope is none");
	cr_assert_eq(ask("grant_type=password&scope=read", NULL), ERR_OAUTH_GRANT,
	             "the grant first");
	cr_assert_eq(ask("scope=read", NULL), ERR_OAUTH_REQUEST, "a grant_type first");
}

Test(oauth, form_decodes_names_too)
{
	struct oauth_form f;

	cr_assert_eq(parse("grant%5Ftype=client_credentials", &f), 0);
	cr_assert_str_eq(f.grant_type, "client_credentials");
}

Test(oauth, form_refuses_repeats_and_bad_encoding)
{
	static const char *bad[] = {
	    "grant_type=a&grant_type=a", /* RFC 6749 section 3.2: once each */
	    "client_id=a&client_%69d=b", /* the same name, encoded */
	    "client_id=%",               /* truncated escapes */
	    "client_id=%4",
	    "client_id=%zz",
	    "client_id=a%00b", /* a NUL */
	    "scope=%G1",       /* ignored, but still well-formed */
	    "x%=1",
	};
	struct oauth_form f;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_expect_eq(parse(bad[i], &f), -1, "%s", bad[i]);
}

Test(oauth, form_limits_the_values_it_reads)
{
	char body[600];
	struct oauth_form f;
	int n;

	n = snprintf(body, sizeof(body), "client_id=");
	memset(body + n, 'a', OAUTH_FIELD_MAX);
	body[n + OAUTH_FIELD_MAX] = '\0';
	cr_assert_eq(parse(body, &f), 0, "exactly OAUTH_FIELD_MAX");
	cr_assert_eq(strlen(f.client_id), (size_t)OAUTH_FIELD_MAX);
	strcat(body, "a");
	cr_assert_eq(parse(body, &f), -1, "one byte more");
	/* an ignored parameter may be longer, and so may its name */
	n = snprintf(body, sizeof(body), "scope=");
	memset(body + n, 'b', 400);
	body[n + 400] = '\0';
	cr_assert_eq(parse(body, &f), 0);
	memset(body, 'c', 300);
	strcpy(body + 300, "=1&grant_type=client_credentials");
	cr_assert_eq(parse(body, &f), 0);
	cr_assert_eq(f.seen, OAUTH_F_GRANT);
}

Test(oauth, form_takes_pointer_and_length)
{
	struct oauth_form f;
	const char s[] = "client_id=ab&client_id=cd";

	cr_assert_eq(oauth_form_parse(s, 12, &f), 0, "the second pair is past len");
	cr_assert_str_eq(f.client_id, "ab");
}

Test(oauth, basic_credentials)
{
	char id[OAUTH_FIELD_MAX + 1], secret[OAUTH_FIELD_MAX + 1];
	/* base64("k%3A1:s%20e:c") */
	const char *h = "Basic ayUzQTE6cyUyMGU6Yw==";

	cr_assert_eq(oauth_basic(h, strlen(h), id, secret), 0);
	cr_assert_str_eq(id, "k:1", "form-encoded in the credentials (RFC 6749 2.3.1)");
	cr_assert_str_eq(secret, "s e:c", "the first ':' splits");
	h = "  bAsIc   ayUzQTE6cyUyMGU6Yw==  ";
	cr_assert_eq(oauth_basic(h, strlen(h), id, secret), 0, "scheme case, blanks");
	h = "Basic Og=="; /* ":" */
	cr_assert_eq(oauth_basic(h, strlen(h), id, secret), 0);
	cr_assert_str_eq(id, "");
	cr_assert_str_eq(secret, "");
}

Test(oauth, basic_refuses_other_schemes_and_malformed)
{
	static const struct {
		const char *h;
		int want;
	} v[] = {
	    {"Bearer abc", 1},       {"Basicabc", 1},    {"", 1}, {"Basic", 1},
	    {"Basic ", -1},          {"Basic YWJj", -1}, /* "abc": no ':' */
	    {"Basic YTpi=", -1},                         /* bad length */
	    {"Basic YT=pi", -1},                         /* padding inside */
	    {"Basic YTpi*A==", -1},                      /* not base64 */
	    {"Basic YQA6Yg==", -1},                      /* "a\0:b" */
	    {"Basic YSUzOmI=", -1},                      /* "a%3:b": bad escape */
	    {"Basic YTpi YTpi", -1},                     /* two tokens */
	};
	char id[OAUTH_FIELD_MAX + 1], secret[OAUTH_FIELD_MAX + 1];

	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++)
		cr_expect_eq(oauth_basic(v[i].h, strlen(v[i].h), id, secret), v[i].want, "%s",
		             v[i].h);
}

Test(oauth, basic_limits)
{
	char h[OAUTH_CRED_MAX + 16], id[OAUTH_FIELD_MAX + 1], secret[OAUTH_FIELD_MAX + 1];
	unsigned char raw[400];
	char b64[256];

	/* "aaa...:b" with OAUTH_FIELD_MAX + 1 a's: the key is too long */
	memset(raw, 'a', OAUTH_FIELD_MAX + 1);
	memcpy(raw + OAUTH_FIELD_MAX + 1, ":b", 2);
	{
		static const char abc[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		size_t n = OAUTH_FIELD_MAX + 3, o = 0;
		for (size_t i = 0; i < n; i += 3) {
			unsigned v = (unsigned)raw[i] << 16 | (i + 1 < n ? raw[i + 1] << 8 : 0) |
			             (i + 2 < n ? raw[i + 2] : 0);
			b64[o++] = abc[v >> 18 & 63];
			b64[o++] = abc[v >> 12 & 63];
			b64[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
			b64[o++] = i + 2 < n ? abc[v & 63] : '=';
		}
		b64[o] = '\0';
	}
	snprintf(h, sizeof(h), "Basic %s", b64);
	cr_assert_eq(oauth_basic(h, strlen(h), id, secret), -1);
}

Test(oauth, b64url)
{
	char out[64];
	const unsigned char in[] = {0xfb, 0xff, 0xbf, 0x00, 0x10};

	oauth_b64url(in, 3, out);
	cr_assert_str_eq(out, "-_-_");
	oauth_b64url(in, 5, out);
	cr_assert_str_eq(out, "-_-_ABA", "unpadded");
	oauth_b64url(in, 0, out);
	cr_assert_str_eq(out, "");
	unsigned char raw[OAUTH_TOKEN_BYTES] = {0};
	oauth_b64url(raw, sizeof(raw), out);
	cr_assert_eq(strlen(out), (size_t)OAUTH_TOKEN_LEN);
}

Test(oauth, new_tokens_differ_and_digest_their_text)
{
	char a[OAUTH_TOKEN_LEN + 1], b[OAUTH_TOKEN_LEN + 1];
	unsigned char da[AUTH_DIGEST_LEN], db[AUTH_DIGEST_LEN], check[AUTH_DIGEST_LEN];

	cr_assert_eq(new_token(a, da), 0);
	cr_assert_eq(new_token(b, db), 0);
	cr_assert_eq(strlen(a), (size_t)OAUTH_TOKEN_LEN);
	cr_assert_neq(strcmp(a, b), 0);
	auth_sha256(a, strlen(a), check);
	cr_assert_eq(memcmp(check, da, sizeof(check)), 0);
	cr_assert_eq(auth_token_ok(a, strlen(a)), 0, "a valid Bearer token68");
}

Test(oauth, errors_in_oauth_form_with_their_headers)
{
	struct resp r;
	const unsigned char *body;
	size_t len;
	char head[RESP_HEAD_MAX];

	resp_init(&r, "abc");
	r.form = RESP_OAUTH;
	resp_error(&r, ERR_OAUTH_CLIENT);
	resp_body(&r, &body, &len);
	cr_assert_eq(r.status, 401);
	cr_assert(len > 0);
	cr_assert(strncmp((const char *)body,
	                  "{\"error\":\"invalid_client\",\"error_description\":", 46) == 0,
	          "%.*s", (int)len, body);
	cr_assert_gt(resp_head(&r, head, sizeof(head)), (size_t)0);
	cr_assert(strstr(head, "Status: 401 Unauthorized\r\n") != NULL, "%s", head);
	cr_assert(strstr(head, "WWW-Authenticate: Basic realm=\"UnifiedAPI\"\r\n") != NULL, "%s",
	          head);
	cr_assert(strstr(head, "Bearer") == NULL, "%s", head);
	cr_assert(strstr(head, "Cache-Control: no-store\r\n") != NULL, "%s", head);
	cr_assert(strstr(head, "Pragma: no-cache\r\n") != NULL, "%s", head);
	resp_free(&r);
}
