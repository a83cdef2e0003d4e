/* it_tokens.c - a token revoked or expired while in use is refused at once by every worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

/* Requests per check: many more than the pool has workers, so every worker answers. */
#define ROUNDS 24

TestSuite(tokens, .init = it_restore_demo, .fini = it_restore_demo);

/* ROUNDS requests, each of which must answer status (and code, when not NULL). */
static void each(const char *method, const char *target, const char *body, int status,
                 const char *code, const char *label)
{
	for (int i = 0; i < ROUNDS; i++) {
		struct http_resp r;
		if (strcmp(method, "GET") == 0)
			it_get(&r, TOK_U12, target);
		else
			it_put(&r, TOK_U12, target, body);
		if (code != NULL)
			it_check_error(&r, status, code, label);
		else
			cr_expect_eq(r.status, status, "%s: %d, expected %d", label, r.status,
			             status);
		http_free(&r);
	}
}

/* Every worker has seen the token in use (and may remember it). */
static void warm(void)
{
	each("GET", P_LIST210, NULL, 200, NULL, "GET while valid");
	each("PUT", P_CALL444, BODY_STOP01, 202, NULL, "PUT while valid");
}

/* Once the token is no longer valid: 401 before every other error (asked first, while
 * the workers may still remember the token), 401 on every path, and nothing changed. */
static void refused(const char *why)
{
	char label[128], *before = it_fingerprint(), *after;

	snprintf(label, sizeof(label), "PUT of a malformed body, token %s", why);
	each("PUT", P_CALLB817, "{\"action\":", 401, "access_denied", label);
	snprintf(label, sizeof(label), "PUT of an unknown action, token %s", why);
	each("PUT", P_CALLB817, "{\"action\":\"Nope\",\"phoneCallViewId\":\"01\"}", 401,
	     "access_denied", label);
	snprintf(label, sizeof(label), "GET with a bad startIndex, token %s", why);
	each("GET", P_LIST210 "?startIndex=-1", NULL, 401, "access_denied", label);
	snprintf(label, sizeof(label), "GET of another user, token %s", why);
	each("GET", P_CALL777, NULL, 401, "access_denied", label);
	snprintf(label, sizeof(label), "GET list, token %s", why);
	each("GET", P_LIST210, NULL, 401, "access_denied", label);
	snprintf(label, sizeof(label), "GET call, token %s", why);
	each("GET", P_CALLB817, NULL, 401, "access_denied", label);
	snprintf(label, sizeof(label), "PUT stop, token %s", why);
	each("PUT", P_CALLB817, BODY_STOP01, 401, "access_denied", label);
	after = it_fingerprint();
	cr_expect_str_eq(after, before, "a request with a token %s changed a table", why);
	free(before);
	free(after);
}

Test(tokens, revoked_while_in_use)
{
	warm();
	DB_EXEC("UPDATE access_token SET revoked_at = now() WHERE token_hash = sha256($1)",
	        TOK_U12);
	refused("revoked");
	/* valid again (as an operator undoing a mistake would make it): served again */
	DB_EXEC("UPDATE access_token SET revoked_at = NULL WHERE token_hash = sha256($1)", TOK_U12);
	each("GET", P_LIST210, NULL, 200, NULL, "GET once valid again");
}

Test(tokens, expired_while_in_use)
{
	warm();
	DB_EXEC("UPDATE access_token SET expires_at = now() - interval '1 second' "
	        "WHERE token_hash = sha256($1)",
	        TOK_U12);
	refused("expired");
}

/* Errors found before the database is asked still answer their own code for a valid
 * token, whether or not the worker remembers it. */
Test(tokens, valid_token_errors_keep_their_codes)
{
	warm();
	each("PUT", P_CALLB817, "{\"action\":", 400, "json_invalid", "malformed body");
	each("GET", P_LIST210 "?startIndex=-1", NULL, 400, "startindex_invalid", "bad startIndex");
	each("GET", P_CALL777, NULL, 400, "user_invalid", "another user");
}
