/* it_oauth.c - POST /oauth/token.php through nginx: an App registered with tools/apps
 * gets a token and stops a demo call with it; revoking the App or the token makes the
 * next request 401; every refusal is in OAuth's form and stores no token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "it_util.h"

#define TOKEN_PATH "/oauth/token.php"
#define H_FORM "Content-Type: application/x-www-form-urlencoded\r\n"
#define DEMO_ID "demo-crm-user-12"
#define DEMO_SECRET "demo-crm-user-12-secret"
#define GRANT "grant_type=client_credentials&type=unifiedapi"
#define CMD_MAX 512
#define OUT_MAX 4096
#define BODY_LIMIT 16384 /* the largest body nginx passes on */
#define STOP01 "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"}"

TestSuite(oauth, .init = it_restore_demo, .fini = it_restore_demo);

static long long tokens(void)
{
	return DB_LL("SELECT count(*) FROM access_token");
}

/* POSTs body to the token endpoint with extra headers. */
static void post(struct http_resp *r, const char *headers, const char *body)
{
	char h[1024];

	snprintf(h, sizeof(h), H_FORM "%s", headers);
	it_req(r, "POST", TOKEN_PATH, h, body);
}

/* A 200 with a token; copies the token into tok. */
static void expect_token(const struct http_resp *r, char *tok, size_t cap)
{
	yajl_val v;

	it_assert_status(r, 200, "token");
	cr_assert_str_eq(http_header(r, "Cache-Control"), "no-store");
	cr_assert_str_eq(http_header(r, "Pragma"), "no-cache");
	v = it_json(r);
	cr_assert_eq(it_nkeys(v), (size_t)3, "%s", r->body);
	cr_assert_str_eq(it_str(v, "token_type"), "Bearer");
	cr_assert_eq(it_int(v, "expires_in"), 3600);
	cr_assert(strlen(it_str(v, "access_token")) == 43, "%s", r->body);
	snprintf(tok, cap, "%s", it_str(v, "access_token"));
	yajl_tree_free(v);
}

/* An OAuth error: status, {"error": code, "error_description": ...}, no token stored. */
static void expect_oauth_error(const struct http_resp *r, int status, const char *code,
                               long long before, const char *label)
{
	yajl_val v;

	cr_assert_eq(r->status, status, "%s: status %d, want %d: %s", label, r->status, status,
	             r->body);
	v = it_json(r);
	cr_assert_eq(it_nkeys(v), (size_t)2, "%s: %s", label, r->body);
	cr_assert_str_eq(it_str(v, "error"), code, "%s", label);
	cr_assert(strlen(it_str(v, "error_description")) > 0, "%s", label);
	yajl_tree_free(v);
	cr_assert_str_eq(http_header(r, "Cache-Control"), "no-store", "%s", label);
	cr_assert_eq(tokens(), before, "%s: a token was stored", label);
	if (status == 401)
		cr_assert_str_eq(http_header(r, "WWW-Authenticate"), "Basic realm=\"UnifiedAPI\"",
		                 "%s", label);
}

static void stop_with(const char *tok, int want, const char *label)
{
	struct http_resp r;

	it_put(&r, tok, P_CALL444, STOP01);
	it_assert_status(&r, want, label);
	http_free(&r);
}

/* Runs a command of tools/apps, with input (or nothing) on its standard input; its
 * output into out. Returns the exit status. */
static int apps_in(const char *input, const char *args, char *out, size_t cap)
{
	char cmd[CMD_MAX];

	/* as the App tool's own role (schema/roles.sql) */
	snprintf(cmd, sizeof(cmd), "printf %%s '%s' | PGUSER=pc_apps %s/tools/apps %s 2>&1", input,
	         it_env("PC_TOP"), args);
	return it_shell(cmd, out, cap);
}

static int apps(const char *args, char *out, size_t cap)
{
	return apps_in("", args, out, cap);
}

/* The value after "name:" in tools/apps register's output. */
static void field(const char *out, const char *name, char *val, size_t cap)
{
	const char *p = strstr(out, name);
	size_t n = 0;

	cr_assert(p != NULL, "no %s in: %s", name, out);
	p += strlen(name);
	while (*p == ' ')
		p++;
	while (p[n] && p[n] != '\n' && n + 1 < cap)
		n++;
	memcpy(val, p, n);
	val[n] = '\0';
}

Test(oauth, demo_app_gets_a_token_in_the_body_and_stops_a_call)
{
	struct http_resp r;
	char tok[64];
	long long before = tokens();

	post(&r, "", GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET);
	expect_token(&r, tok, sizeof(tok));
	http_free(&r);
	cr_assert_eq(tokens(), before + 1);
	/* stored as its digest, for App 1, for an hour */
	cr_assert_eq(
	    DB_LL("SELECT count(*) FROM access_token WHERE token_hash = sha256($1::bytea) "
	          "AND app_id = 1 AND org_id = 3 AND revoked_at IS NULL AND "
	          "expires_at BETWEEN now() + interval '3590 s' AND now() + interval '3610 s'",
	          tok),
	    1);
	stop_with(tok, 202, "stop with the new token");
	cr_assert(it_view_recording("444444", "01") == NULL);
}

Test(oauth, basic_credentials_work_too)
{
	struct http_resp r;
	char tok[64];

	/* base64("demo-crm-user-12:demo-crm-user-12-secret") */
	post(&r,
	     "Authorization: Basic ZGVtby1jcm0tdXNlci0xMjpkZW1vLWNybS11c2VyLTEyLXNlY3JldA==\r\n",
	     "grant_type=client_credentials");
	expect_token(&r, tok, sizeof(tok));
	http_free(&r);
	stop_with(tok, 202, "stop with the token from Basic credentials");
}

Test(oauth, registered_app_then_revoked)
{
	char out[OUT_MAX], id[160], secret[160], body[512], args[256], tok[64];
	struct http_resp r;
	long long before;

	cr_assert_eq(apps("register 12 'Test CRM'", out, sizeof(out)), 0, "%s", out);
	field(out, "client_id:", id, sizeof(id));
	field(out, "client_secret:", secret, sizeof(secret));
	cr_assert_eq(strlen(secret), (size_t)43, "%s", out);
	/* only the digest is stored */
	cr_assert_eq(DB_LL("SELECT count(*) FROM app WHERE client_id = $1 AND account_id = 12 "
	                   "AND org_id = 3 AND secret_hash = sha256($2::bytea)",
	                   id, secret),
	             1);
	cr_assert_eq(DB_LL("SELECT count(*) FROM app WHERE position($1 IN "
	                   "coalesce(name, '') || coalesce(client_id, '')) > 0",
	                   secret),
	             0);

	snprintf(body, sizeof(body), GRANT "&client_id=%s&client_secret=%s", id, secret);
	post(&r, "", body);
	expect_token(&r, tok, sizeof(tok));
	http_free(&r);
	stop_with(tok, 202, "the new App's token");

	snprintf(args, sizeof(args), "revoke %s", id);
	cr_assert_eq(apps(args, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "1 token(s)") != NULL, "%s", out);
	stop_with(tok, 401, "the revoked App's token, on the next request");
	before = tokens();
	post(&r, "", body);
	expect_oauth_error(&r, 401, "invalid_client", before, "a revoked App asks again");
	http_free(&r);
	cr_assert_neq(apps("revoke no-such-app", out, sizeof(out)), 0, "%s", out);
	cr_assert_neq(apps("register 99999 'Nobody'", out, sizeof(out)), 0, "%s", out);
}

Test(oauth, revoke_one_token)
{
	char out[OUT_MAX], tok[64], other[64];
	struct http_resp r;

	post(&r, "", GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET);
	expect_token(&r, tok, sizeof(tok));
	http_free(&r);
	post(&r, "", GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET);
	expect_token(&r, other, sizeof(other));
	http_free(&r);
	cr_assert_str_neq(tok, other);
	stop_with(tok, 202, "before");
	cr_assert_eq(apps_in(tok, "revoke-token", out, sizeof(out)), 0, "%s", out);
	stop_with(tok, 401, "the revoked token");
	stop_with(other, 202, "the App's other token still works");
}

Test(oauth, refusals)
{
	static const struct {
		const char *label, *headers, *body;
		int status;
		const char *code;
	} v[] = {
	    {"wrong secret", "", GRANT "&client_id=" DEMO_ID "&client_secret=nope", 401,
	     "invalid_client"},
	    {"unknown client", "", GRANT "&client_id=nobody&client_secret=" DEMO_SECRET, 401,
	     "invalid_client"},
	    {"no secret", "", GRANT "&client_id=" DEMO_ID, 401, "invalid_client"},
	    {"no credentials", "", GRANT, 401, "invalid_client"},
	    {"wrong Basic secret", "Authorization: Basic ZGVtby1jcm0tdXNlci0xMjp4\r\n",
	     "grant_type=client_credentials", 401, "invalid_client"},
	    {"Bearer instead of Basic", "Authorization: Bearer " TOK_U12 "\r\n",
	     "grant_type=client_credentials", 401, "invalid_client"},
	    {"another grant", "", "grant_type=password&username=a&password=b", 400,
	     "unsupported_grant_type"},
	    {"another type", "",
	     "grant_type=client_credentials&type=other&client_id=" DEMO_ID
	     "&client_secret=" DEMO_SECRET,
	     400, "unsupported_grant_type"},
	    {"no grant_type", "", "client_id=" DEMO_ID "&client_secret=" DEMO_SECRET, 400,
	     "invalid_request"},
	    {"grant_type twice", "",
	     GRANT "&grant_type=client_credentials&client_id=" DEMO_ID
	           "&client_secret=" DEMO_SECRET,
	     400, "invalid_request"},
	    {"client_secret twice", "",
	     GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET
	           "&client_secret=" DEMO_SECRET,
	     400, "invalid_request"},
	    {"two ways of authentication",
	     "Authorization: Basic ZGVtby1jcm0tdXNlci0xMjpkZW1vLWNybS11c2VyLTEyLXNlY3JldA==\r\n",
	     GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET, 400, "invalid_request"},
	    {"bad escape", "", GRANT "&client_id=%zz&client_secret=x", 400, "invalid_request"},
	    {"an empty grant_type: omitted (RFC 6749 3.1)", "",
	     "grant_type=&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET, 400,
	     "invalid_request"},
	    {"grant_type without '='", "",
	     "grant_type&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET, 400, "invalid_request"},
	    {"an empty secret: none", "", GRANT "&client_id=" DEMO_ID "&client_secret=", 401,
	     "invalid_client"},
	    {"a scope: none is granted", "",
	     GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET "&scope=read", 400,
	     "invalid_scope"},
	    {"a scope, even the wrong secret's", "",
	     GRANT "&client_id=" DEMO_ID "&client_secret=nope&scope=read%20write", 400,
	     "invalid_scope"},
	    {"scope twice", "",
	     GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET "&scope=a&scope=a", 400,
	     "invalid_request"},
	};
	struct http_resp r;

	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		long long before = tokens();
		post(&r, v[i].headers, v[i].body);
		expect_oauth_error(&r, v[i].status, v[i].code, before, v[i].label);
		http_free(&r);
	}
}

/* RFC 6749 section 3.1: a parameter sent without a value is as if omitted, whichever it
 * is; a token is issued as if it were not there, and its answer names no scope. */
Test(oauth, empty_values_count_as_omitted)
{
	static const struct {
		const char *label, *headers, *body;
	} v[] = {
	    {"an empty type", "",
	     "grant_type=client_credentials&type=&client_id=" DEMO_ID
	     "&client_secret=" DEMO_SECRET},
	    {"an empty scope", "",
	     GRANT "&scope=&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET},
	    {"an empty grant_type before the real one", "",
	     "grant_type=&" GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET},
	    {"an empty secret after the real one", "",
	     GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET "&client_secret="},
	    {"empty body credentials beside Basic ones",
	     "Authorization: Basic ZGVtby1jcm0tdXNlci0xMjpkZW1vLWNybS11c2VyLTEyLXNlY3JldA==\r\n",
	     GRANT "&client_id=&client_secret"},
	};
	struct http_resp r;
	char tok[64];

	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		long long before = tokens();
		post(&r, v[i].headers, v[i].body);
		cr_expect_eq(r.status, 200, "%s: %d %s", v[i].label, r.status, r.body);
		if (r.status == 200) {
			expect_token(&r, tok, sizeof(tok)); /* three members: no scope */
			cr_expect_eq(tokens(), before + 1, "%s", v[i].label);
		}
		http_free(&r);
	}
}

Test(oauth, unknown_client_and_wrong_secret_answer_alike)
{
	struct http_resp a, b;

	post(&a, "", GRANT "&client_id=" DEMO_ID "&client_secret=nope");
	post(&b, "", GRANT "&client_id=nobody&client_secret=nope");
	cr_assert_eq(a.status, b.status);
	cr_assert_str_eq(a.body, b.body);
	http_free(&a);
	http_free(&b);
}

/* A key no App can have (invalid UTF-8, characters outside app.client_id's grammar), in
 * the body or as Basic credentials, is an unknown client: 401, as for any unknown key,
 * never a 500 from the database refusing its bytes. (An escaped NUL is a badly encoded
 * form: invalid_request.) */
Test(oauth, keys_no_app_can_have)
{
	static const char *const bodies[] = {
	    GRANT "&client_id=%FF&client_secret=x",
	    GRANT "&client_id=demo%FF&client_secret=" DEMO_SECRET,
	    GRANT "&client_id=caf%C3%A9&client_secret=x",
	    GRANT "&client_id=a+b&client_secret=x",
	    GRANT "&client_id=%27%3B--&client_secret=x",
	};
	/* base64 of "\xff:x", of "demo\xfe:" DEMO_SECRET, and of "a b:x" */
	static const char *const basics[] = {
	    "Authorization: Basic /zp4\r\n",
	    "Authorization: Basic ZGVtb/46ZGVtby1jcm0tdXNlci0xMi1zZWNyZXQ=\r\n",
	    "Authorization: Basic YStiOng=\r\n",
	};
	long long before = tokens();
	struct http_resp r, unknown;

	post(&unknown, "", GRANT "&client_id=nobody&client_secret=x");
	for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
		post(&r, "", bodies[i]);
		expect_oauth_error(&r, 401, "invalid_client", before, bodies[i]);
		cr_expect_str_eq(r.body, unknown.body, "%s: answered as an unknown key", bodies[i]);
		http_free(&r);
	}
	for (size_t i = 0; i < sizeof(basics) / sizeof(*basics); i++) {
		post(&r, basics[i], GRANT);
		expect_oauth_error(&r, 401, "invalid_client", before, basics[i]);
		http_free(&r);
	}
	http_free(&unknown);
}

Test(oauth, method_and_media_type)
{
	struct http_resp r;
	long long before = tokens();

	it_req(&r, "GET", TOKEN_PATH "?" GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET,
	       "", NULL);
	expect_oauth_error(&r, 405, "method_not_allowed", before, "GET");
	cr_assert_str_eq(http_header(&r, "Allow"), "POST");
	http_free(&r);
	it_req(&r, "POST", TOKEN_PATH, H_JSON,
	       "{\"grant_type\":\"client_credentials\",\"client_id\":\"" DEMO_ID
	       "\",\"client_secret\":\"" DEMO_SECRET "\"}");
	expect_oauth_error(&r, 400, "invalid_request", before, "a JSON body");
	http_free(&r);
}

/* nginx refuses a body over 16 KiB before the worker: the contract's 413, no token. */
Test(oauth, body_over_16k)
{
	struct http_resp r;
	long long before = tokens();
	size_t n = BODY_LIMIT + 1;
	char *body = malloc(n + 1);

	cr_assert(body != NULL);
	memset(body, 'x', n);
	memcpy(body, GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET "&pad=",
	       sizeof(GRANT "&client_id=" DEMO_ID "&client_secret=" DEMO_SECRET "&pad=") - 1);
	body[n] = '\0';
	post(&r, "", body);
	it_check_error(&r, 413, "request_too_large", "a 16 KiB + 1 form");
	cr_assert_eq(tokens(), before, "a token was stored");
	http_free(&r);
	free(body);
}
